"""`python manage.py explain`: exactly what a learner reads, for authors, reviewers and tests."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.localization import ANSWERS, MOTOR_NEURON
from cases.models import Case
from cases.services import load_curated
from quizzes import grading

pytestmark = pytest.mark.django_db

# Flags whose every lesson is about motor neuron disease, and words only those lessons use.
MND_ONLY = {"watch_for_lmn", "mri_brain_first"}
MND_WORDS = ("motor neuron disease is", "against ALS", "MRI of the brain")


def explain(slug: str, *args: str) -> str:
    out = StringIO()
    call_command("explain", slug, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def curated(db):
    load_curated()
    return list(Case.objects.published().order_by("slug"))


def test_it_prints_every_item_with_verdicts_points_and_citations(bank):
    text = explain("capsule")
    assert "Sudden weakness of one side (capsule)" in text
    assert "Key: Upper motor neuron. Site: Brain" in text
    assert "== Localization (score 1)" in text
    assert "- verdict: Correct: Upper motor neuron. [1]" in text
    assert "SECRET-TEACHING" in text and "SECRET-RATIONALE-A" in text
    assert "== Findings (score 1)" in text and "== Next step (score 1)" in text


def test_a_wrong_answer_shows_what_a_learner_who_chose_it_reads(bank):
    data = json.loads(explain("capsule", "--answer", "lmn", "--json"))
    localization = data["items"][0]
    assert (localization["item"], localization["score"]) == ("localization", 0.0)
    assert localization["points"][0]["text"].startswith("Not quite. You chose lower motor")
    assert {"kind", "text", "citations", "flag"} <= set(localization["points"][0])
    assert any(p["kind"] == "contradiction" for p in localization["points"])


def test_flag_points_name_their_flag_and_others_none(bank):
    data = json.loads(explain("als-hand", "--json"))
    points = data["items"][0]["points"]
    assert {p["flag"] for p in points if p["kind"] == "flag"} >= {"mixed_pattern"}
    assert all(p["flag"] is None for p in points if p["kind"] != "flag")


def test_an_unknown_slug_exits_with_status_2_and_a_message(db):
    with pytest.raises(CommandError, match='no case with the slug "nope"') as excinfo:
        call_command("explain", "nope")
    assert excinfo.value.returncode == 2


def test_an_unknown_answer_is_refused(bank):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("explain", "capsule", "--answer", "brain")


def test_every_published_case_explains_with_every_answer(curated):
    assert len(curated) == 44
    for case in curated:
        for answer in ANSWERS:
            data = json.loads(explain(case.slug, "--answer", answer, "--json"))
            assert data["items"][0]["item"] == "localization"
            for item in data["items"]:
                assert item["points"], (case.slug, answer, item["item"])


def test_no_motor_neuron_disease_lesson_appears_where_it_is_not_in_question(curated):
    for case in curated:
        in_question = MOTOR_NEURON in {case.site, *case.differential}
        muscle = "muscle" in {case.site, *case.differential}
        for answer in ANSWERS:
            data = json.loads(explain(case.slug, "--answer", answer, "--json"))
            flags = {p["flag"] for p in data["items"][0]["points"] if p["flag"]}
            if not in_question:
                assert not flags & MND_ONLY, case.slug
                texts = [p["text"] for p in data["items"][0]["points"] if p["kind"] == "flag"]
                assert not any(w in t for t in texts for w in MND_WORDS), (case.slug, texts)
            if not (in_question or muscle):
                assert "check_ck" not in flags, case.slug


def test_the_neither_verdict_never_cites_the_grouping_with_the_lower_motor_neuron(curated):
    for case in curated:
        data = json.loads(explain(case.slug, "--answer", "other", "--json"))
        assert 3 not in data["items"][0]["points"][0]["citations"], case.slug


def test_the_text_and_json_say_the_same_points(bank):
    data = json.loads(explain("als-hand", "--json"))
    text = explain("als-hand")
    for item in data["items"]:
        assert f"== {grading.ITEM_LABELS[item['item']]}" in text
        for point in item["points"]:
            # Each part of a point is followed by the citations that support it.
            lead, _, rest = point["text"].partition("Beyond this guideline:")
            assert lead.strip() in text and rest.strip() in text


def test_junction_and_muscle_cases_say_why_they_are_neither(curated):
    for case in curated:
        if case.answer != "other":
            continue
        data = json.loads(explain(case.slug, "--json"))
        lessons = [p for p in data["items"][0]["points"] if p["flag"] == "neither"]
        if case.site in ("nmj", "muscle"):
            assert len(lessons) == 1, case.slug
            assert "narrower question" in lessons[0]["text"]
            assert lessons[0]["citations"] == [3]
        else:
            assert lessons == [], case.slug


def test_a_case_the_schema_refuses_cannot_be_explained_and_says_why(bank):
    from cases.models import NextStepOption

    NextStepOption.objects.filter(question__case__slug="capsule").update(is_correct=False)
    with pytest.raises(CommandError, match=r"next_step\.options: exactly one option") as excinfo:
        call_command("explain", "capsule")
    assert excinfo.value.returncode == 2
