"""Grading is pure: content and answers in, scores and cited explanations out."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from quizzes import grading
from quizzes.grading import (
    STAGE_ONE,
    STAGE_TWO,
    Answers,
    CaseContent,
    UnresolvedCitation,
    content_items,
    grade_case,
    grade_findings,
    grade_localization,
    grade_next_step,
    grade_revised,
    grade_site,
    lessons,
    stage_items,
)

GUIDELINE = json.loads(
    (Path(__file__).resolve().parents[2] / "cases" / "content" / "guideline.json").read_text()
)
STATEMENTS = {
    s["key"]: {k: s[k] for k in ("text", "citations", "sources", "scope")}
    for s in GUIDELINE["statements"]
}
FINDINGS = {f["code"]: f for f in GUIDELINE["findings"]}
SOURCES = {s["key"]: s for s in GUIDELINE["sources"]}
REFERENCES = {
    str(r["number"]): r["title"] or "not named in the source" for r in GUIDELINE["references"]
}


def finding(code: str, present: bool = True, **kwargs) -> dict:
    return {
        "code": code,
        "name": code.replace("_", " ").capitalize(),
        "present": present,
        "explanation": FINDINGS[code]["explanation"],
        "statements": FINDINGS[code]["statements"],
        **kwargs,
    }


def point(text: str, statements=(), explains_rule: bool = False, sources=()) -> dict:
    return {
        "text": text,
        "statements": list(statements),
        "sources": list(sources),
        "explains_rule": explains_rule,
    }


def option(id: int, text: str, correct: bool, rationale: str, statements=()) -> dict:
    return {
        "id": id,
        "text": text,
        "correct": correct,
        "rationale": rationale,
        "statements": list(statements),
    }


def content(
    answer="umn",
    findings=(),
    points=(),
    options=(),
    site="motor_neuron",
    differential=(),
    site_accepts=(),
    investigations="",
    references=REFERENCES,
    statements=STATEMENTS,
) -> CaseContent:
    return CaseContent.model_validate(
        {
            "case": {
                "id": 1,
                "slug": "test-case",
                "title": "A test case",
                "stem_html": "<p>Stem</p>",
                "patient_age": 50,
                "patient_sex": "Female",
                "difficulty": "Introductory",
                "answer": answer,
                "site": site,
                "differential": list(differential),
                "site_accepts": list(site_accepts),
                "investigations_html": investigations,
            },
            "findings": list(findings),
            "teaching_points": list(points)
            or [point("Stiffness plus brisk reflexes means UMN.", ["umn-spasticity"])],
            "next_step": {"prompt": "What next?", "options": list(options)} if options else None,
            "statements": statements,
            "references": references,
            "sources": SOURCES,
            "lessons": GUIDELINE["lessons"],
        }
    )


PLS = content(
    "umn",
    [
        finding("spasticity"),
        finding("hyperreflexia"),
        finding("focal_weakness"),
        finding("fasciculations", present=False),
    ],
)
ALS = content(
    "mixed",
    [
        finding("hyperreflexia"),
        finding("fasciculations"),
        finding("muscle_atrophy"),
        finding("focal_onset_spread"),
        finding("weakness"),
    ],
)
NEXT = [
    option(1, "MRI brain without contrast", True, "The first imaging study.", ["mri-brain-first"]),
    option(2, "Creatine kinase", False, "No LMN weakness here.", ["ck-lmn-weakness"]),
    option(3, "Reassure", False, "Progressive signs need workup.", ["overview"]),
]


def kinds(result) -> list[str]:
    return [p.kind for p in result.points]


def texts(result) -> str:
    return "\n".join(p.text for p in result.points)


# Localization -----------------------------------------------------------------------


def test_a_right_localization_scores_one_with_a_plain_verdict():
    result = grade_localization(PLS, "umn")
    assert result.score == 1.0 and result.correct
    assert result.points[0].kind == "verdict"
    assert result.points[0].text == "Correct: Upper motor neuron."
    assert result.points[0].citations == (1,)


def test_a_wrong_localization_scores_zero_and_names_both_answers():
    result = grade_localization(PLS, "lmn")
    assert result.score == 0.0
    assert result.points[0].text == (
        "Not quite. You chose lower motor neuron; the answer is upper motor neuron."
    )


def test_evidence_explains_each_present_finding_from_its_statements():
    result = grade_localization(PLS, "umn")
    evidence = [p for p in result.points if p.kind == "evidence"]
    # In the order a clinician examines: tone, power, reflexes.
    assert [p.text.split(":")[0] for p in evidence] == [
        "Spasticity",
        "Focal weakness",
        "Hyperreflexia",
    ]
    assert "a sign usually of upper motor neuron damage" in evidence[0].text
    assert evidence[0].citations == (1, 2)  # umn-spasticity [1, 2] and overview [1]
    assert "context" in evidence[1].text


def test_absent_findings_that_matter_are_explained():
    absent = [p for p in grade_localization(PLS, "umn").points if p.kind == "absent"]
    assert len(absent) == 1
    assert absent[0].text.startswith("Not present: fasciculations")
    assert absent[0].text.endswith(
        "Its absence removes one lower motor neuron sign from the picture."
    )
    assert absent[0].citations == (1, 2)


def test_a_wrong_choice_is_contradicted_by_the_findings_against_it():
    result = grade_localization(PLS, "lmn")
    why = [p for p in result.points if p.kind == "contradiction"]
    assert why[0].text == (
        "Findings that count as upper motor neuron signs are present: spasticity, hyperreflexia."
    )
    assert "None of the findings is a lower motor neuron sign" in why[1].text
    assert all(p.citations for p in why)


def test_choosing_umn_in_a_mixed_case_points_at_the_lmn_signs():
    why = [p for p in grade_localization(ALS, "umn").points if p.kind == "contradiction"]
    assert [p.text for p in why] == [
        "Findings that count as lower motor neuron signs are present: "
        "fasciculations, muscle atrophy."
    ]


def test_no_contradiction_is_offered_for_a_right_answer():
    assert "contradiction" not in kinds(grade_localization(ALS, "mixed"))


def flags(case: CaseContent) -> list[str | None]:
    return [p.flag for p in grade_localization(case, case.answer).points if p.kind == "flag"]


def flag_text(case: CaseContent, flag: str) -> str:
    result = grade_localization(case, case.answer)
    return "\n".join(p.text for p in result.points if p.flag == flag)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (PLS, ["watch_for_lmn", "mri_brain_first"]),
        (ALS, ["mixed_pattern", "confirm_with_emg", "mri_brain_first", "check_ck", "check_ck"]),
    ],
)
def test_motor_neuron_disease_cases_are_taught_its_lessons_with_citations(case, expected):
    assert flags(case) == expected
    flagged = [p for p in grade_localization(case, case.answer).points if p.flag]
    assert all(p.citations or p.text.startswith("Beyond this guideline:") for p in flagged)


def test_no_motor_neuron_disease_lesson_where_it_is_not_in_question():
    cord = content("umn", PLS.model_dump()["findings"], site="spinal_cord")
    assert flags(cord) == []
    # The evidence lines cite nothing about predictors of motor neuron disease either.
    focal = next(p for p in grade_localization(cord, "umn").points if "Focal" in p.text)
    assert 8 not in focal.citations


def test_a_motor_neuron_disease_in_the_differential_brings_its_lessons():
    cord = content(
        "umn", PLS.model_dump()["findings"], site="spinal_cord", differential=["motor_neuron"]
    )
    assert flags(cord) == ["watch_for_lmn", "mri_brain_first"]


def test_watch_for_lmn_names_the_predictors_present_and_cites_reference_8():
    text = flag_text(PLS, "watch_for_lmn")
    assert "foretell lower motor neuron involvement. Here the patient has focal weakness" in text
    # The follow-up it asks for is electrodiagnostic confirmation, not the bedside alone [1].
    assert "so look for it with EMG and nerve conduction studies" in text
    point = next(p for p in grade_localization(PLS, "umn").points if p.flag == "watch_for_lmn")
    assert point.citations == (1, 8)
    assert point.beyond_sources == ("gordon-pls-2006", "pls-criteria-2020")


def test_watch_for_lmn_lists_several_predictors_as_a_sentence_would():
    pls = content(
        "umn",
        [
            finding("spasticity"),
            finding("focal_weakness"),
            finding("weight_loss"),
            finding("reduced_fvc"),
        ],
    )
    assert "has weight loss, focal weakness and a reduced forced vital capacity, so look" in (
        flag_text(pls, "watch_for_lmn")
    )


def test_the_emg_lesson_in_motor_neuron_disease_asks_for_electrodiagnosis_when_none_is_done():
    text = flag_text(ALS, "confirm_with_emg")
    assert "EMG and nerve conduction studies are needed to confirm lower motor neuron" in text
    assert "they belong in the workup." in text and "here the EMG provides" not in text


def test_the_emg_lesson_says_the_case_already_has_its_confirmation_when_it_does():
    confirmed = content("lmn", [finding("fasciculations"), finding("emg_denervation")])
    text = flag_text(confirmed, "confirm_with_emg")
    assert "here the EMG provides that confirmation" in text
    assert "belong in the workup" not in text


def test_low_motor_amplitudes_alone_do_not_count_as_the_confirmation():
    amplitudes = content("lmn", [finding("fasciculations"), finding("ncs_low_cmap")])
    assert "they belong in the workup." in flag_text(amplitudes, "confirm_with_emg")


def test_a_root_lesion_gets_the_short_emg_point_unless_the_case_already_shows_it():
    root = content("lmn", [finding("hyporeflexia"), finding("focal_weakness")], site="root")
    text = flag_text(root, "confirm_with_emg")
    assert text.startswith("EMG and nerve conduction studies can confirm a lower motor neuron")
    assert "Where motor neuron disease is in question" not in text
    shown = content("lmn", [finding("hyporeflexia"), finding("emg_denervation")], site="root")
    assert flags(shown) == []


def test_the_ck_lesson_appears_only_for_motor_neuron_disease_or_muscle():
    weak = [finding("flaccid_weakness"), finding("hyporeflexia")]
    assert "check_ck" in flags(content("lmn", weak, site="motor_neuron"))
    assert "check_ck" in flags(content("lmn", weak, site="nerve", differential=["muscle"]))
    assert "check_ck" not in flags(content("lmn", weak, site="nerve"))
    text = flag_text(content("lmn", weak, site="muscle"), "check_ck")
    assert "normal or only mildly raised" in text and "markedly raised" in text


def test_the_mixed_lesson_asks_to_consider_als_without_declaring_it():
    point = next(p for p in grade_localization(ALS, "mixed").points if p.flag == "mixed_pattern")
    assert "test the picture against ALS" in point.text
    assert point.citations == (6, 7)
    assert point.sources == ("el-escorial-2000", "gold-coast-2020")


def test_a_mixed_cord_lesion_is_taught_one_lesion_or_two_not_als():
    syrinx = content(
        "mixed", [finding("hyperreflexia"), finding("muscle_atrophy")], site="spinal_cord"
    )
    text = flag_text(syrinx, "mixed_pattern")
    assert text.startswith("Beyond this guideline:") and "ALS" not in text
    assert flags(syrinx) == ["mixed_pattern", "confirm_with_emg"]


@pytest.mark.parametrize("site", ["spinal_cord", "root", "nerve", "cerebrum", "motor_neuron"])
def test_the_sensory_lesson_is_true_wherever_it_appears(site):
    case = content("lmn", [finding("hyporeflexia"), finding("sensory_loss")], site=site)
    text = flag_text(case, "sensory_pitfall")
    assert "Motor neuron diseases typically spare sensation" in text
    assert "often affect sensation" in text
    assert "typical upper and lower motor neuron lesions" not in text.lower()
    assert ("Kennedy" in text) == (site == "motor_neuron")


def test_a_neither_case_at_the_junction_says_why_this_app_asks_neither():
    mg = content("other", [finding("fatigable_weakness")], site="nmj")
    result = grade_localization(mg, "other")
    assert result.points[0].citations == ()  # "neither" rests on no statement of its own
    lesson = next(p for p in result.points if p.flag == "neither")
    assert "groups" not in result.points[0].text
    assert "narrower question" in lesson.text and lesson.citations == (3,)
    assert flags(content("other", [finding("sensory_loss")], site="nerve")) == ["sensory_pitfall"]


def test_an_other_case_raises_no_motor_neuron_flags():
    mg = content("other", [finding("weakness"), finding("ck_elevated", present=False)], site="nmj")
    assert flags(mg) == ["neither"]


def test_a_note_on_an_absent_finding_replaces_the_generic_line():
    shock = content(
        "umn",
        [
            finding("flaccid_weakness"),
            finding("extensor_plantar", present=False, note="A mute plantar is expected now."),
        ],
        site="spinal_cord",
    )
    absent = next(p for p in grade_localization(shock, "umn").points if p.kind == "absent")
    assert absent.text.endswith("A mute plantar is expected now.")
    assert "removes one upper motor neuron sign" not in absent.text


def test_a_finding_explains_itself_where_its_category_line_would_not_do():
    case = content("umn", [finding("brisk_jaw_jerk")], site="motor_neuron")
    evidence = next(p for p in grade_localization(case, "umn").points if p.kind == "evidence")
    assert "Beyond this guideline: the jaw jerk" in evidence.text


def test_the_case_teaching_points_close_the_explanation():
    result = grade_localization(PLS, "umn")
    assert result.points[-1].kind == "teaching"
    assert result.points[-1].text == "Stiffness plus brisk reflexes means UMN."
    assert result.points[-1].citations == (1, 2)


def test_when_the_key_differs_from_the_rule_the_explanation_says_why():
    note = point(
        "Hours after a stroke the limb can be flaccid; spasticity comes later.", ["overview"], True
    )
    acute = content(
        "umn",
        [finding("flaccid_weakness"), finding("hyporeflexia"), finding("extensor_plantar")],
        [note],
    )
    result = grade_localization(acute, "mixed")
    assert "rule" in kinds(result)
    assert [p.kind for p in result.points if p.text == note["text"]] == ["contradiction"]
    assert (
        "Counting signs alone would suggest a mixed upper and lower motor neuron picture; the "
        "picture as a whole points to an upper motor neuron lesion" in texts(result)
    )
    right = grade_localization(acute, "umn")
    assert [p.kind for p in right.points if p.text == note["text"]] == ["teaching"]


def test_references_list_every_number_cited_with_its_title():
    result = grade_localization(ALS, "mixed")
    numbers = sorted({n for p in result.points for n in p.citations})
    assert [n for n, _ in result.references] == numbers
    assert (1, "Motor Neuron Disease Diagnosis and Management") in result.references
    assert 6 in numbers  # mixed-als cites 6, 7


# Findings ---------------------------------------------------------------------------


def test_findings_earn_partial_credit_for_the_fraction_classified_right():
    result = grade_findings(
        ALS,
        {
            "hyperreflexia": "umn",
            "fasciculations": "lmn",
            "muscle_atrophy": "umn",
            "focal_onset_spread": "neither",
            "weakness": "lmn",
        },
    )
    assert result.score == pytest.approx(3 / 5)
    assert result.points[0].text == "3 of 5 findings classified right."
    marks = {p.text.split(":")[0]: p.correct for p in result.points[1:]}
    assert marks == {
        "Focal onset spread": True,
        "Weakness": False,
        "Hyperreflexia": True,
        "Fasciculations": True,
        "Muscle atrophy": False,
    }
    assert result.key == {
        "hyperreflexia": "umn",
        "fasciculations": "lmn",
        "muscle_atrophy": "lmn",
        "focal_onset_spread": "neither",
        "weakness": "neither",
    }


def test_each_finding_point_says_what_the_learner_said_when_wrong():
    result = grade_findings(ALS, {"hyperreflexia": "lmn"})
    wrong = next(p for p in result.points if p.text.startswith("Hyperreflexia"))
    assert wrong.text.startswith("Hyperreflexia: UMN sign. You said LMN sign.")
    assert "You said no answer" in result.points[1].text
    assert wrong.citations == (1, 2)


def test_absent_findings_are_not_asked_on_the_findings_item():
    assert list(grade_findings(PLS, {}).key) == ["spasticity", "focal_weakness", "hyperreflexia"]


def test_a_finding_listed_in_two_regions_is_asked_once():
    twice = content(
        "lmn",
        [
            finding("fasciculations", region="Bulbar"),
            finding("fasciculations", region="Cervical / upper limb"),
        ],
    )
    assert grade_findings(twice, {"fasciculations": "lmn"}).score == 1.0


# Next step --------------------------------------------------------------------------


def test_the_best_next_step_scores_one_and_every_option_is_explained():
    case = content(findings=[finding("spasticity")], options=NEXT)
    result = grade_next_step(case, 1)
    assert result.score == 1.0
    assert result.points[0].text == "Correct: MRI brain without contrast."
    rationales = [p for p in result.points if p.kind == "rationale"]
    assert len(rationales) == 3
    assert rationales[0].citations == (1, 4)


def test_a_wrong_next_step_explains_the_choice_first_then_the_best_answer():
    case = content(findings=[finding("spasticity")], options=NEXT)
    result = grade_next_step(case, 2)
    assert result.score == 0.0
    assert (
        result.points[0].text == "Not the best next step. You chose: Creatine kinase. "
        "The best answer is: MRI brain without contrast."
    )
    assert [p.text.split(":")[0] for p in result.points[1:]] == [
        "Creatine kinase",
        "MRI brain without contrast",
        "Reassure",
    ]
    assert result.key == 1


def test_grade_case_asks_only_the_items_a_case_has():
    without = grade_case(PLS, Answers("umn", {"spasticity": "umn"}))
    assert list(without) == ["localization", "site", "findings"]
    with_next = grade_case(
        content(findings=[finding("spasticity")], options=NEXT), Answers("umn", {}, 3)
    )
    assert list(with_next) == ["localization", "site", "findings", "next_step"]
    assert content_items(content(findings=[])) == ("localization", "site")
    # A snapshot from before sites asks no site; investigations add the revised item.
    assert content_items(content(findings=[], site="")) == ("localization",)
    tested = content(findings=[finding("spasticity")], investigations="<p>MRI: normal.</p>")
    assert stage_items(tested, STAGE_ONE) == ("localization", "site")
    assert stage_items(tested, STAGE_TWO) == ("revised", "findings")


# Citations --------------------------------------------------------------------------


def test_a_snapshot_whose_citations_do_not_resolve_is_refused_whole():
    broken = {k: v for k, v in REFERENCES.items() if k != "8"}
    with pytest.raises(ValidationError, match=r"reference\(s\) \[8\] unknown"):
        content("umn", [finding("spasticity")], references=broken)
    with pytest.raises(ValidationError, match="no-such-statement"):
        content("umn", [finding("spasticity")], [point("Made up.", ["no-such-statement"])])


def test_grading_refuses_a_citation_it_cannot_resolve():
    case = content("umn", [finding("spasticity")])
    with pytest.raises(UnresolvedCitation, match="no-such-statement"):
        grading._cite(case, ["no-such-statement"])


def test_explanations_serialize_to_plain_data_with_named_sources_linked():
    data = grade_localization(ALS, "umn").explanation()
    json.dumps(data)
    assert data["points"][0]["kind"] == "verdict"
    assert {"number": 1, "label": "Motor Neuron Disease Diagnosis and Management"} in data[
        "references"
    ]
    ck = next(s for s in data["sources"] if s["key"] == "ck-als-2017")
    assert ck["link"] == "https://doi.org/10.3389/fneur.2017.00322"
    assert ck["label"] == "Tai 2017"


def test_a_snapshot_from_before_sites_and_sources_still_grades():
    old = {
        "case": {
            "id": 3, "slug": "old", "title": "Old", "stem_html": "", "patient_age": 40,
            "patient_sex": "Male", "difficulty": "Introductory", "answer": "umn",
        },
        "findings": [
            {"code": "spasticity", "name": "Spasticity", "present": True, "region": "",
             "side": "", "statements": ["umn-spasticity"]},
        ],
        "teaching_points": [{"text": "T", "statements": ["overview"], "explains_rule": False}],
        "next_step": {
            "prompt": "Next?",
            "options": [
                {"id": 7, "text": "MRI", "correct": True, "rationale": "R",
                 "statements": ["overview"]},
                {"id": 8, "text": "CK", "correct": False, "rationale": "R",
                 "statements": ["overview"]},
            ],
        },
        "statements": {k: {"text": s["text"], "citations": s["citations"]}
                       for k, s in STATEMENTS.items()},
        "references": REFERENCES,
    }  # fmt: skip
    case = CaseContent.model_validate(old)
    assert case.options[0].id == 7 and case.references[1] == REFERENCES["1"]
    results = grade_case(case, Answers("umn", {"spasticity": "umn"}, 7))
    assert results["next_step"].score == 1.0
    assert lessons(case) == []  # an old snapshot carries no lessons: it teaches none


def test_citations_follow_the_part_of_a_point_they_support():
    point = next(p for p in grade_localization(PLS, "umn").points if p.flag == "watch_for_lmn")
    assert point.lead.endswith("because examination alone does not establish it.")
    assert point.beyond.startswith("Beyond this guideline: in one series")
    # Guideline numbers go with the lead; the lesson's own sources with the beyond part.
    assert point.citations == (1, 8) and point.sources == ()
    assert point.beyond_sources == ("gordon-pls-2006", "pls-criteria-2020")
    data = point.as_dict()
    assert (data["lead"], data["beyond"]) == (point.lead, point.beyond)


def test_a_context_finding_line_cites_nothing_it_does_not_support():
    lines = [p for p in grade_localization(PLS, "umn").points if p.kind == "evidence"]
    focal = next(p for p in lines if p.text.startswith("Focal weakness"))
    assert "context" in focal.text and focal.citations == () and focal.sources == ()


def test_no_sign_of_the_keys_own_kind_is_never_held_against_the_key():
    shock = content(
        "umn",
        [finding("flaccid_weakness"), finding("hyporeflexia")],
        [point("In spinal shock the legs are flaccid at first.", ["overview"], True)],
        site="spinal_cord",
    )
    why = [p.text for p in grade_localization(shock, "mixed").points if p.kind == "contradiction"]
    assert not any("upper motor neuron sign" in text for text in why)
    assert "In spinal shock the legs are flaccid at first." in why


def test_every_predictor_of_the_rule_has_words():
    from cases.localization import LMN_PREDICTORS

    assert set(grading.PREDICTOR_WORDS) == LMN_PREDICTORS


def test_no_sensory_level_is_not_read_as_normal_sensation():
    case = content(
        "umn",
        [finding("spasticity"), finding("sensory_loss"), finding("sensory_level", present=False)],
        site="spinal_cord",
    )
    absent = next(p for p in grade_localization(case, "umn").points if p.kind == "absent")
    assert absent.text.endswith("No sensory level is found.")


def test_a_confident_miss_is_said_plainly_and_never_changes_the_score():
    sure_wrong = grade_localization(PLS, "lmn", grading.SURE)
    assert sure_wrong.score == 0.0 and sure_wrong.points[1].kind == "calibration"
    for certainty in (grading.FAIRLY_SURE, grading.GUESSING, None):
        assert "calibration" not in kinds(grade_localization(PLS, "lmn", certainty))
    assert "calibration" not in kinds(grade_localization(PLS, "umn", grading.SURE))


def test_findings_come_in_the_order_a_clinician_meets_them_never_code_order():
    case = content(
        "lmn",
        [
            finding("emg_denervation"),
            finding("sensory_loss"),
            finding("fasciculations"),
            finding("hyporeflexia"),
            finding("flaccid_weakness"),
            finding("bulbar_onset"),
        ],
    )
    assert case.present_codes == [
        "bulbar_onset",  # the history
        "flaccid_weakness",  # tone and power
        "hyporeflexia",  # reflexes
        "fasciculations",  # fasciculations and wasting
        "sensory_loss",  # sensation
        "emg_denervation",  # then the tests
    ]


# The site item -------------------------------------------------------------------------


CORD = content(
    "mixed",
    [finding("hyperreflexia"), finding("muscle_atrophy"), finding("sensory_level")],
    site="spinal_cord",
    differential=("motor_neuron", "multiple"),
    site_accepts=("multiple",),
)


def test_the_right_site_scores_and_teaches_the_site_and_each_differential():
    result = grade_site(CORD, "spinal_cord")
    assert result.score == 1.0 and result.why is None
    assert result.points[0].text == "Correct: Spinal cord."
    kinds = [(p.kind, p.text.split(".")[0]) for p in result.points[1:]]
    assert kinds == [
        ("site", "Spinal cord"),
        ("differential", "Motor neuron disease"),
        ("differential", "More than one site"),
    ]
    # The guideline-backed lead cites [3]; what goes beyond is labelled.
    site = result.points[1]
    assert site.citations == (3,) and site.beyond.startswith("Beyond this guideline:")


def test_a_wrong_site_says_the_best_answer_and_in_one_line_what_places_it_there():
    result = grade_site(CORD, "nerve")
    assert result.score == 0.0
    assert result.points[0].text == (
        "Not quite. You chose Peripheral nerve; the best single answer is Spinal cord."
    )
    assert result.why.text.startswith("Beyond this guideline: a sensory level")
    # The learner's own choice is explained too, after the differential.
    assert result.points[-1].kind == "differential"
    assert result.points[-1].text.startswith("Peripheral nerve. ")


def test_a_defensible_site_the_case_accepts_scores_and_names_the_best_answer():
    result = grade_site(CORD, "multiple")
    assert result.score == 1.0
    assert result.points[0].text.startswith("Accepted: More than one site is defensible here")
    assert result.why is not None  # the one line on why the best answer is best


def test_every_site_has_a_lesson_and_a_one_line_glance():
    sites = {x["scope"][0]: x for x in GUIDELINE["lessons"] if x["trigger"] == "site"}
    assert set(sites) == set(grading.SITE_LABELS)
    assert all(x["reminder"] and len(x["reminder"]) < 400 for x in sites.values())


# The localization after the tests --------------------------------------------------------


def test_the_revised_localization_is_its_own_item_and_says_what_changed():
    kept = grade_revised(ALS, "mixed", "mixed")
    assert kept.score == 1.0
    assert [p.text for p in kept.points] == [
        "After the tests: right, mixed UMN and LMN.",
        "You kept your first answer after the tests.",
    ]
    fixed = grade_revised(ALS, "mixed", "umn")
    assert "the change was right" in fixed.points[1].text
    spoiled = grade_revised(ALS, "lmn", "mixed")
    assert spoiled.score == 0.0
    assert spoiled.points[1].text == (
        "Your first answer was right; the change after the tests was not."
    )
    assert spoiled.why is not None and spoiled.why.kind == "contradiction"
    # A wrong answer kept after the tests has its why under the localization already.
    assert grade_revised(ALS, "lmn", "lmn").why is None


def test_stage_answers_grade_only_their_own_items():
    tested = content(findings=[finding("spasticity")], investigations="<p>MRI: normal.</p>")
    answers = Answers("umn", {"spasticity": "umn"}, site="motor_neuron", revised="lmn")
    first = grading.grade_stage(tested, answers, STAGE_ONE)
    assert list(first) == ["localization", "site"]
    second = grading.grade_stage(tested, answers, STAGE_TWO, first="umn")
    assert list(second) == ["revised", "findings"]
    assert second["revised"].given == "lmn"


# A lesson taught once per attempt ----------------------------------------------------------


def test_a_lesson_taught_earlier_in_the_attempt_is_said_again_in_one_line():
    full = [p for p in lessons(ALS) if p.kind == "flag"]
    assert full and all(p.lesson for p in full)
    again = lessons(ALS, seen={full[0].lesson})
    assert again[0].lesson == full[0].lesson
    reminder = next(x for x in ALS.lessons if x.key == full[0].lesson).reminder
    assert again[0].text == reminder and len(again[0].text) < len(full[0].text)
    assert again[1:] == full[1:]  # the others still in full
    # Stored with the explanation, so later cases of the attempt know it was taught.
    point = grade_localization(ALS, "mixed").explanation()["points"]
    assert {p["lesson"] for p in point if p["kind"] == "flag"} == {p.lesson for p in full}


def test_a_misread_finding_is_named_at_a_glance_with_its_right_sign():
    result = grade_findings(
        ALS,
        {
            "hyperreflexia": "lmn",
            "fasciculations": "lmn",
            "focal_onset_spread": "neither",
            "weakness": "neither",
        },
    )
    assert result.points[0].text == "3 of 5 findings classified right."
    assert result.why.text == (
        "Hyperreflexia: a UMN sign (you said LMN sign); Muscle atrophy: an LMN sign "
        "(you said nothing)."
    )
    assert grade_findings(ALS, {c: grading.sign_key(c) for c in ALS.present_codes}).why is None


def test_a_mixed_or_neither_verdict_keeps_its_capitals():
    assert grade_localization(ALS, "mixed").points[0].text == "Correct: Mixed UMN and LMN."
