"""The stage forms: built per case, one message per item, nothing guessed."""

from django.http import QueryDict

from quizzes.forms import FORM_ERROR, StageOneForm, StageTwoForm
from tests.quizzes.test_grading import ALS, NEXT, content, finding


def posted(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_stage_one_asks_the_site_only_where_the_case_can_teach_it():
    assert set(StageOneForm(ALS, posted()).fields) == {"localization", "certainty", "site"}
    assert set(StageOneForm(content(site=""), posted()).fields) == {"localization", "certainty"}


def test_a_missing_or_conflicting_choice_is_refused_and_the_same_one_twice_counts_once():
    form = StageOneForm(ALS, posted(localization=["umn", "lmn"], certainty="sure"))
    assert not form.is_valid()
    assert form.error_map() == {
        "localization": "Choose one of the four answers.",
        "site": "Choose the site of the lesion.",
    }
    twice = StageOneForm(
        ALS, posted(localization=["mixed", "mixed"], certainty="sure", site="motor_neuron")
    )
    assert twice.is_valid()
    assert twice.answers().localization == "mixed"


def test_stage_two_builds_a_field_per_finding_and_names_an_unknown_one():
    case = content(findings=[finding("spasticity")], options=NEXT, investigations="<p>x</p>")
    form = StageTwoForm(case, posted(**{"finding-spasticity": "umn", "finding-clonus": "umn"}))
    assert set(form.fields) == {"revised", "finding-spasticity", "next_step"}
    assert not form.is_valid()
    errors = form.error_map()
    assert errors[FORM_ERROR].startswith("The form named a finding this case does not ask")
    assert errors["next_step"] == "Choose the best next step."
    ok = StageTwoForm(
        case, posted(**{"finding-spasticity": "umn", "revised": "umn", "next_step": "3"})
    )
    assert ok.is_valid()
    answers = ok.answers()
    assert (answers.revised, dict(answers.findings), answers.next_step) == (
        "umn",
        {"spasticity": "umn"},
        3,
    )
