"""Quiz services: drawing cases, seeding practice sets, exactly-once submission."""

import json
import threading

import pytest
from django.db import connection

from cases.models import Case, Tag
from quizzes.grading import Answers
from quizzes.models import Attempt, AttemptCase, Quiz, QuizCase, Response
from quizzes.services import (
    QuizUnavailable,
    commit_first_stage,
    draw_case_ids,
    seed_practice_sets,
    start_attempt,
    submit_second_stage,
)
from tests.factories import CaseFactory, UserFactory


def test_a_fixed_quiz_asks_its_published_cases_in_order(quiz, bank):
    bank[1].status = Case.Status.RETIRED
    bank[1].save()
    assert draw_case_ids(quiz) == [bank[0].pk, bank[2].pk]


def test_a_drawn_quiz_filters_by_answer_tag_and_difficulty_and_draws_afresh(db):
    tag = Tag.objects.create(slug="spinal-cord")
    wanted = CaseFactory.create_batch(12, answer="lmn", difficulty="advanced")
    for case in wanted:
        case.tags.add(tag)
    CaseFactory.create_batch(5, answer="umn", difficulty="advanced")
    CaseFactory(answer="lmn", difficulty="advanced", status=Case.Status.DRAFT).tags.add(tag)
    quiz = Quiz.objects.create(
        slug="d", title="Drawn", selection=Quiz.Selection.DRAWN, draw_count=5,
        draw_answer="lmn", draw_tag=tag, draw_difficulty="advanced",
    )  # fmt: skip
    draws = [draw_case_ids(quiz) for _ in range(6)]
    ids = {c.pk for c in wanted}
    assert all(len(d) == 5 and set(d) <= ids for d in draws)
    assert len({tuple(d) for d in draws}) > 1


def test_a_quiz_with_no_published_case_cannot_start(db):
    quiz = Quiz.objects.create(slug="empty", title="Empty")
    with pytest.raises(QuizUnavailable, match="no published case"):
        start_attempt(user=UserFactory(), quiz=quiz)
    assert not Attempt.objects.exists()


def test_seeding_practice_sets_is_idempotent_and_keeps_edits(bank, tmp_path):
    sets = tmp_path / "sets.json"
    fixed = {"slug": "s1", "title": "Set one", "description": "d", "selection": "fixed"}
    drawn = {"slug": "s2", "title": "Set two", "description": "d", "selection": "drawn"}
    sets.write_text(
        json.dumps([{**fixed, "cases": ["als-hand", "capsule"]}, {**drawn, "draw_count": 2}])
    )
    assert seed_practice_sets(path=sets) == (2, 0)
    Quiz.objects.filter(slug="s1").update(title="Renamed by an instructor")
    assert seed_practice_sets(path=sets) == (0, 2)
    assert Quiz.objects.get(slug="s1").title == "Renamed by an instructor"
    assert list(Quiz.objects.get(slug="s1").quiz_cases.values_list("case__slug", flat=True)) == [
        "als-hand",
        "capsule",
    ]


def test_a_practice_set_naming_an_unknown_case_is_refused(bank, tmp_path):
    sets = tmp_path / "sets.json"
    sets.write_text(
        json.dumps(
            [
                {
                    "slug": "s",
                    "title": "S",
                    "description": "",
                    "selection": "fixed",
                    "cases": ["nope"],
                }
            ]
        )
    )
    with pytest.raises(ValueError, match="nope"):
        seed_practice_sets(path=sets)
    assert not Quiz.objects.exists()


def test_the_curated_practice_sets_load_with_the_bank(db):
    from django.core.management import call_command

    call_command("load_curated")
    quizzes = {q.slug: q for q in Quiz.objects.all()}
    assert set(quizzes) == {
        "the-basics",
        "mixed-pictures-and-mimics",
        "workup-and-management",
        "random-ten",
    }
    assert quizzes["random-ten"].selection == "drawn" and quizzes["random-ten"].draw_count == 10
    workup = Case.objects.filter(quizcase__quiz=quizzes["workup-and-management"])
    assert workup.count() == 10 and all(hasattr(c, "next_step") for c in workup)


def test_submitting_twice_records_the_first_answers_only(quiz, learner):
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    first = attempt.attempt_cases.get(position=1)
    option = first.content["next_step"]["options"][0]["id"]
    commit_first_stage(attempt_case=first, answers=Answers("umn", site="cerebrum"))
    again = commit_first_stage(attempt_case=first, answers=Answers("lmn", site="nerve"))
    assert again.already_recorded
    assert Response.objects.get(attempt_case=first, item="localization").given == "umn"
    assert Response.objects.get(attempt_case=first, item="site").given == "cerebrum"
    first.refresh_from_db()
    submit_second_stage(attempt_case=first, answers=Answers(next_step=option, revised="umn"))
    again = submit_second_stage(
        attempt_case=first, answers=Answers(next_step=option, revised="lmn")
    )
    assert again.already_recorded
    assert Response.objects.get(attempt_case=first, item="revised").given == "umn"
    assert Response.objects.filter(attempt_case=first).count() == 5


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL row locks"
)
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_record_exactly_one_answer(kb):
    from cases.services import import_bank
    from tests.factories import case_entry

    import_bank(data={"cases": [case_entry("race")]})
    quiz = Quiz.objects.create(slug="q", title="Q")
    quiz.quiz_cases.create(case=Case.objects.get(slug="race"), position=1)
    attempt = start_attempt(user=UserFactory(), quiz=quiz)[0]
    attempt_case = attempt.attempt_cases.get()
    barrier = threading.Barrier(4)
    outcomes = []

    def submit(choice):
        barrier.wait()
        try:
            outcomes.append(
                commit_first_stage(
                    attempt_case=attempt_case, answers=Answers(choice, site="cerebrum")
                ).already_recorded
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in ("umn", "lmn", "mixed", "other")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, True, True, True]
    assert Response.objects.filter(attempt_case=attempt_case, item="localization").count() == 1
    # Stage 2, raced the same way: one answer, and the attempt completed once.
    attempt_case.refresh_from_db()
    outcomes.clear()
    barrier = threading.Barrier(4)

    def answer(choice):
        barrier.wait()
        try:
            outcomes.append(
                submit_second_stage(
                    attempt_case=attempt_case,
                    answers=Answers(findings={"spasticity": choice}, next_step=1),
                ).already_recorded
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(c,)) for c in ("umn", "lmn", "neither", "umn")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, True, True, True]
    assert Response.objects.filter(attempt_case=attempt_case, item="findings").count() == 1
    attempt.refresh_from_db()
    assert attempt.is_complete


def test_a_lesson_is_taught_in_full_once_per_attempt_then_as_a_reminder(kb, learner):
    from cases.services import import_bank
    from tests.quizzes.conftest import als_entry

    import_bank(data={"cases": [als_entry(), {**als_entry(), "slug": "als-again"}]})
    quiz = Quiz.objects.create(slug="twice", title="Twice")
    for position, slug in enumerate(("als-hand", "als-again"), start=1):
        QuizCase.objects.create(quiz=quiz, case=Case.objects.get(slug=slug), position=position)
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    first, second = attempt.attempt_cases.all()
    answers = Answers("mixed", site="motor_neuron", certainty="sure")

    def flags(attempt_case) -> list[dict]:
        commit_first_stage(attempt_case=attempt_case, answers=answers)
        explanation = Response.objects.get(attempt_case=attempt_case, item="localization")
        return [p for p in explanation.explanation["points"] if p["kind"] == "flag"]

    taught = flags(first)
    attempt_case = AttemptCase.objects.get(pk=first.pk)
    submit_second_stage(attempt_case=attempt_case, answers=Answers(findings={}))
    again = flags(second)
    lessons = {x.key: x for x in first.grading_content.lessons}
    assert taught and [p["lesson"] for p in again] == [p["lesson"] for p in taught]
    assert [p["text"] for p in taught] != [p["text"] for p in again]
    assert all(p["text"] == lessons[p["lesson"]].reminder for p in again)


def test_a_case_with_nothing_to_ask_after_stage_one_is_answered_with_it(quiz, learner):
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    first = attempt.attempt_cases.get(position=1)
    # A snapshot with no investigations, no finding present and no next step.
    first.content["case"]["investigations_html"] = ""
    first.content["findings"] = [f for f in first.content["findings"] if not f["present"]]
    first.content["next_step"] = None
    first.save()
    first = AttemptCase.objects.get(pk=first.pk)
    commit_first_stage(attempt_case=first, answers=Answers("umn", site="cerebrum"))
    first.refresh_from_db()
    assert first.committed_at is not None and first.answered_at == first.committed_at
    assert first.stage == 3
