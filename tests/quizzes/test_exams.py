"""Exams: the window and the deadline the server keeps (the clock moved with time-machine),
accommodations, autosave that never loses an answer, stale pages, exactly one final
submission, finalizing at the deadline, and results released on the program's terms."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from quizzes import cohorts, exams
from quizzes.models import Attempt, Response
from tests.quizzes.test_flow import stage_one, stage_two

pytestmark = pytest.mark.django_db

OPENS = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=3)


@pytest.fixture
def assessment(quiz, instructor, learner):
    cohort = cohorts.create_cohort(name="PGY-1", instructor=instructor)
    cohorts.add_learner(cohort=cohort, identifier=learner.username)
    return exams.schedule(
        by=instructor,
        quiz=quiz,
        cohort=cohort,
        title="Spring localization exam",
        opens_at=OPENS,
        closes_at=CLOSES,
        time_limit_minutes=60,
        release="manual",
    )


def started(assessment, learner, at: datetime = OPENS + timedelta(minutes=5)) -> Attempt:
    with time_machine.travel(at, tick=False):
        return exams.start(assessment=assessment, user=learner)[0]


def test_the_exam_opens_and_closes_on_the_servers_clock(assessment, learner):
    with (
        time_machine.travel(OPENS - timedelta(minutes=1), tick=False),
        pytest.raises(exams.ExamRefused, match="It opens at"),
    ):
        exams.start(assessment=assessment, user=learner)
    with (
        time_machine.travel(CLOSES, tick=False),
        pytest.raises(exams.ExamRefused, match="It closed at"),
    ):
        exams.start(assessment=assessment, user=learner)
    assert not Attempt.objects.exists()


def test_the_deadline_is_the_time_limit_or_the_close_whichever_is_first(assessment, learner):
    attempt = started(assessment, learner, OPENS + timedelta(minutes=5))
    assert attempt.deadline == OPENS + timedelta(minutes=65)
    late = exams.deadline_for(
        assessment, exams.window_for(assessment, learner), CLOSES - timedelta(minutes=10)
    )
    assert late == CLOSES


def test_an_accommodation_gives_extra_time_and_its_own_window_with_a_reason(assessment, learner):
    with pytest.raises(exams.ExamRefused, match="reason"):
        exams.set_accommodation(assessment=assessment, learner=learner, reason=" ")
    exams.set_accommodation(
        assessment=assessment,
        learner=learner,
        extra_minutes=30,
        opens_at=OPENS + timedelta(days=1),
        closes_at=CLOSES + timedelta(days=1),
        reason="Approved by the program for extra time.",
    )
    with (
        time_machine.travel(OPENS + timedelta(minutes=5), tick=False),
        pytest.raises(exams.ExamRefused, match="It opens at"),
    ):
        exams.start(assessment=assessment, user=learner)
    attempt = started(assessment, learner, OPENS + timedelta(days=1, minutes=5))
    assert attempt.deadline == OPENS + timedelta(days=1, minutes=95)
    assert exams.latest_close(assessment) == CLOSES + timedelta(days=1)


def test_someone_outside_the_cohort_cannot_start_it(assessment, outsider):
    with (
        time_machine.travel(OPENS, tick=False),
        pytest.raises(exams.ExamRefused, match="another cohort"),
    ):
        exams.start(assessment=assessment, user=outsider)


def test_every_change_is_saved_at_once_and_kept_on_resume(assessment, learner):
    attempt = started(assessment, learner)
    first = attempt.attempt_cases.get(position=1)
    at = OPENS + timedelta(minutes=10)
    revision = exams.save_answers(
        attempt_case=first, data={"localization": "umn"}, revision=0, now=at
    )
    revision = exams.save_answers(
        attempt_case=first, data={"certainty": "sure"}, revision=revision, now=at
    )
    first.refresh_from_db()
    assert first.draft == {"localization": "umn", "certainty": "sure"}
    # Resuming (a reload, another day's log-in) finds the same attempt and every choice.
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        again, new = exams.start(assessment=assessment, user=learner)
    assert (again, new) == (attempt, False)
    assert again.attempt_cases.get(position=1).draft["certainty"] == "sure"


def test_a_choice_the_case_does_not_offer_is_refused_and_changes_nothing(assessment, learner):
    attempt = started(assessment, learner)
    first = attempt.attempt_cases.get(position=1)
    at = OPENS + timedelta(minutes=10)
    with pytest.raises(exams.ExamRefused, match="Choose one of the four answers"):
        exams.save_answers(attempt_case=first, data={"localization": "brain"}, revision=0, now=at)
    first.refresh_from_db()
    attempt.refresh_from_db()
    assert (first.draft, attempt.revision) == ({}, 0)


def test_a_save_from_a_stale_page_is_refused(assessment, learner):
    attempt = started(assessment, learner)
    first, second = attempt.attempt_cases.all()[:2]
    at = OPENS + timedelta(minutes=10)
    exams.save_answers(attempt_case=first, data={"localization": "umn"}, revision=0, now=at)
    # The other tab still shows revision 0.
    with pytest.raises(exams.StalePage, match="reload"):
        exams.save_answers(attempt_case=second, data={"localization": "lmn"}, revision=0, now=at)
    second.refresh_from_db()
    assert second.draft == {}


def test_the_tests_show_only_after_the_first_stage_is_committed(assessment, learner):
    attempt = started(assessment, learner)
    first = attempt.attempt_cases.get(position=1)
    at = OPENS + timedelta(minutes=10)
    with pytest.raises(exams.ExamRefused, match="Choose a localization"):
        exams.commit_stage_one(attempt_case=first, revision=0, now=at)
    revision = exams.save_answers(attempt_case=first, data=stage_one(first), revision=0, now=at)
    revision = exams.commit_stage_one(attempt_case=first, revision=revision, now=at)
    first.refresh_from_db()
    assert first.committed_at == at
    # Stage 2 now takes its own choices; the first answers stand.
    exams.save_answers(attempt_case=first, data=stage_two(first), revision=revision, now=at)
    first.refresh_from_db()
    assert first.draft["localization"] == first.content["case"]["answer"]


def test_a_save_after_the_deadline_and_its_grace_is_refused_and_the_attempt_finalized(
    assessment, learner
):
    attempt = started(assessment, learner)
    first = attempt.attempt_cases.get(position=1)
    deadline = attempt.deadline
    # Within the grace, a save in flight is taken.
    revision = exams.save_answers(
        attempt_case=first,
        data={"localization": "umn"},
        revision=0,
        now=deadline + timedelta(seconds=10),
    )
    with pytest.raises(exams.TimeIsUp):
        exams.save_answers(
            attempt_case=first,
            data={"localization": "lmn"},
            revision=revision,
            now=deadline + timedelta(seconds=30),
        )
    attempt.refresh_from_db()
    first.refresh_from_db()
    assert (attempt.completed_at, attempt.ended) == (deadline, "deadline")
    assert first.draft["localization"] == "umn"
    assert Response.objects.filter(attempt_case__attempt=attempt).exists()


def test_exactly_one_final_submission(assessment, learner):
    attempt = started(assessment, learner)
    at = OPENS + timedelta(minutes=20)
    assert exams.submit(attempt=attempt, now=at) is True
    assert exams.submit(attempt=attempt, now=at) is False
    attempt.refresh_from_db()
    assert (attempt.completed_at, attempt.ended) == (at, "submitted")
    items = Response.objects.filter(attempt_case__attempt=attempt)
    # Every item of every case is graded once, unanswered ones as 0.
    assert items.count() == len(set(items.values_list("attempt_case", "item")))
    assert all(score == 0 for score in items.values_list("score", flat=True))
    with pytest.raises(exams.ExamRefused, match="has ended"):
        exams.save_answers(attempt_case=attempt.attempt_cases.first(), data={}, revision=0, now=at)


def test_what_was_saved_is_graded_when_the_attempt_ends(assessment, learner):
    attempt = started(assessment, learner)
    first = attempt.attempt_cases.get(position=1)
    at = OPENS + timedelta(minutes=10)
    revision = exams.save_answers(attempt_case=first, data=stage_one(first), revision=0, now=at)
    revision = exams.commit_stage_one(attempt_case=first, revision=revision, now=at)
    first.refresh_from_db()
    exams.save_answers(attempt_case=first, data=stage_two(first), revision=revision, now=at)
    exams.submit(attempt=attempt, now=at)
    scores = dict(Response.objects.filter(attempt_case=first).values_list("item", "score"))
    assert scores and all(score == 1 for score in scores.values())


def test_overdue_attempts_are_finalized_at_their_deadline_by_the_command(assessment, learner):
    attempt = started(assessment, learner)
    with time_machine.travel(attempt.deadline + timedelta(hours=2), tick=False):
        call_command("finalize_overdue")
    attempt.refresh_from_db()
    # The finish time is the deadline, not the time the job ran.
    assert (attempt.completed_at, attempt.ended) == (attempt.deadline, "deadline")


def test_an_overdue_attempt_is_finalized_on_the_next_access(assessment, learner):
    attempt = started(assessment, learner)
    with (
        time_machine.travel(attempt.deadline + timedelta(minutes=5), tick=False),
        pytest.raises(exams.ExamRefused, match="used every attempt"),
    ):
        exams.start(assessment=assessment, user=learner)
    attempt.refresh_from_db()
    assert (attempt.completed_at, attempt.ended) == (attempt.deadline, "deadline")


def test_a_second_attempt_only_where_the_assessment_allows_it(assessment, learner):
    attempt = started(assessment, learner)
    exams.submit(attempt=attempt, now=OPENS + timedelta(minutes=20))
    with (
        time_machine.travel(OPENS + timedelta(minutes=30), tick=False),
        pytest.raises(exams.ExamRefused, match="used every attempt"),
    ):
        exams.start(assessment=assessment, user=learner)
    assessment.attempts_allowed = 2
    assessment.save()
    second = started(assessment, learner, OPENS + timedelta(minutes=30))
    assert second != attempt


@pytest.mark.parametrize(
    ("release", "released_at", "when", "expected"),
    [
        ("immediate", None, OPENS, True),
        ("after_close", None, CLOSES - timedelta(minutes=1), False),
        ("after_close", None, CLOSES, False),  # others may still be saving in their grace
        ("after_close", None, CLOSES + exams.EXAM.grace, True),
        ("manual", None, CLOSES + timedelta(days=9), False),
        ("manual", OPENS, OPENS, True),
    ],
)
def test_results_are_released_on_the_programs_terms(
    assessment, release, released_at, when, expected
):
    assessment.release, assessment.released_at = release, released_at
    assert exams.results_released(assessment, now=when) is expected


def test_after_close_waits_for_the_latest_accommodated_close(assessment, learner):
    assessment.release = "after_close"
    exams.set_accommodation(
        assessment=assessment,
        learner=learner,
        closes_at=CLOSES + timedelta(hours=2),
        reason="A clinical shift during the window.",
    )
    assert exams.results_released(assessment, now=CLOSES + timedelta(hours=1)) is False
    assert exams.results_released(assessment, now=CLOSES + timedelta(hours=2, seconds=15)) is True


def test_releasing_by_hand_waits_for_every_window_and_happens_once(assessment, learner):
    exams.set_accommodation(
        assessment=assessment,
        learner=learner,
        closes_at=CLOSES + timedelta(hours=1),
        reason="A clinical shift.",
    )
    with pytest.raises(exams.ExamRefused, match="once every window has closed"):
        exams.release_results(assessment=assessment, now=CLOSES + timedelta(minutes=30))
    later = CLOSES + timedelta(hours=2)
    assert exams.release_results(assessment=assessment, now=later) is True
    assert exams.release_results(assessment=assessment, now=later) is False


def test_a_question_left_blank_after_the_tests_scores_nothing(assessment, learner):
    attempt = started(assessment, learner)
    case = next(c for c in attempt.attempt_cases.all() if c.content["case"]["investigations_html"])
    at = OPENS + timedelta(minutes=10)
    answer = case.content["case"]["answer"]
    exams.save_answers(attempt_case=case, data={"localization": answer}, revision=0, now=at)
    exams.submit(attempt=attempt, now=at)
    revised = Response.objects.get(attempt_case=case, item="revised")
    assert (revised.score, revised.given) == (0, "")
    assert "You gave no answer" in str(revised.explanation)
    assert "first answer does not carry over" in str(revised.explanation)


def test_certainty_on_a_blank_answer_claims_nothing(assessment, learner):
    attempt = started(assessment, learner)
    case = attempt.attempt_cases.get(position=1)
    at = OPENS + timedelta(minutes=10)
    exams.save_answers(attempt_case=case, data={"certainty": "sure"}, revision=0, now=at)
    exams.submit(attempt=attempt, now=at)
    first = Response.objects.get(attempt_case=case, item="localization")
    assert first.certainty == "sure"
    assert "progress page" not in str(first.explanation)


def test_a_window_that_closes_before_it_opens_is_refused(quiz, instructor):
    from django.core.exceptions import ValidationError

    cohort = cohorts.create_cohort(name="PGY-2", instructor=instructor)
    with pytest.raises(ValidationError, match="close time must come after"):
        exams.schedule(
            by=instructor, quiz=quiz, cohort=cohort, title="Bad", opens_at=CLOSES, closes_at=OPENS
        )


def test_nothing_of_an_exam_shows_in_the_practice_pages_or_progress(client, assessment, learner):
    from django.urls import reverse

    attempt = started(assessment, learner)
    first = attempt.attempt_cases.get(position=1)
    at = OPENS + timedelta(minutes=10)
    revision = exams.save_answers(attempt_case=first, data=stage_one(first), revision=0, now=at)
    exams.commit_stage_one(attempt_case=first, revision=revision, now=at)
    exams.submit(attempt=attempt, now=at)
    client.force_login(learner)
    for url in (
        reverse("quizzes:resume", args=[attempt.pk]),
        reverse("quizzes:case", args=[attempt.pk, 1]),
        reverse("quizzes:summary", args=[attempt.pk]),
    ):
        assert client.get(url).status_code == 404, url
    dashboard = client.get(reverse("quizzes:dashboard"))
    assert list(dashboard.context["attempts"]) == []
    assert all(t.total == 0 for t in dashboard.context["progress"].by_step.values())


# Real races, on PostgreSQL with parallel connections ----------------------------------------


def _race(count: int, work) -> list:
    """Run `work(i)` in `count` threads released at once; what each returned or raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    outcomes: list = []

    def run(i):
        barrier.wait()
        try:
            outcomes.append(work(i))
        except Exception as exc:  # the outcome is what the test reads
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _postgres_only():
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a real race needs PostgreSQL row locks"
    )


@_postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_give_one_final_attempt(kb, quiz, instructor, learner):
    cohort = cohorts.create_cohort(name="PGY-1", instructor=instructor)
    cohorts.add_learner(cohort=cohort, identifier=learner.username)
    now = datetime.now(UTC)
    assessment = exams.schedule(
        by=instructor,
        quiz=quiz,
        cohort=cohort,
        title="Race",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
    )
    attempt = exams.start(assessment=assessment, user=learner)[0]
    outcomes = _race(4, lambda i: exams.submit(attempt=attempt))
    assert sorted(outcomes) == [False, False, False, True]
    cases = attempt.attempt_cases.count()
    graded = Response.objects.filter(attempt_case__attempt=attempt)
    assert graded.values("attempt_case").distinct().count() == cases


@_postgres_only()
@pytest.mark.django_db(transaction=True)
def test_fifty_learners_saving_at_once_lose_no_answer(kb, quiz, instructor):
    from tests.factories import UserFactory

    cohort = cohorts.create_cohort(name="PGY-1", instructor=instructor)
    now = datetime.now(UTC)
    assessment = exams.schedule(
        by=instructor,
        quiz=quiz,
        cohort=cohort,
        title="Crowd",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
    )
    learners = UserFactory.create_batch(50)
    for person in learners:
        cohorts.add_learner(cohort=cohort, identifier=person.username)
    attempts = [exams.start(assessment=assessment, user=person)[0] for person in learners]
    firsts = [a.attempt_cases.get(position=1) for a in attempts]
    outcomes = _race(
        50,
        lambda i: exams.save_answers(
            attempt_case=firsts[i], data={"localization": "umn"}, revision=0
        ),
    )
    assert outcomes == [1] * 50
    for first in firsts:
        first.refresh_from_db()
        assert first.draft == {"localization": "umn"}


def test_results_stay_hidden_while_the_learner_has_an_attempt_left(assessment, learner):
    assessment.release, assessment.attempts_allowed = "immediate", 2
    assessment.save()
    attempt = started(assessment, learner)
    exams.submit(attempt=attempt, now=OPENS + timedelta(minutes=20))
    during = OPENS + timedelta(minutes=30)
    assert exams.results_visible_to(assessment, learner, now=during) is False
    # Once the window closes, or the last attempt is used, they show.
    assert exams.results_visible_to(assessment, learner, now=CLOSES) is True
    second = started(assessment, learner, during)
    exams.submit(attempt=second, now=during + timedelta(minutes=5))
    assert exams.results_visible_to(assessment, learner, now=during + timedelta(minutes=6))


def test_a_submission_in_the_grace_is_recorded_at_the_deadline(assessment, learner):
    attempt = started(assessment, learner)
    assert exams.submit(attempt=attempt, now=attempt.deadline + timedelta(seconds=10))
    attempt.refresh_from_db()
    assert (attempt.completed_at, attempt.ended) == (attempt.deadline, "submitted")


def test_a_learner_removed_from_the_cohort_saves_nothing_more(assessment, learner):
    attempt = started(assessment, learner)
    cohorts.remove_learner(cohort=assessment.cohort, user_id=learner.pk)
    with pytest.raises(exams.ExamRefused, match="no longer in"):
        exams.save_answers(
            attempt_case=attempt.attempt_cases.first(),
            data={"localization": "umn"},
            revision=0,
            now=OPENS + timedelta(minutes=10),
        )


def test_practice_does_not_ask_the_cases_of_a_running_exam(assessment, learner, quiz):
    from quizzes.models import Quiz, QuizCase
    from quizzes.services import start_attempt

    practice = Quiz.objects.create(slug="drill", title="Drill")
    for position, case in enumerate(quiz.cases.all(), start=1):
        QuizCase.objects.create(quiz=practice, case=case, position=position)
    with time_machine.travel(OPENS, tick=False), pytest.raises(Exception, match="no published"):
        start_attempt(user=learner, quiz=practice)
    # Once every window has closed (and its grace passed), practice asks them again.
    with time_machine.travel(CLOSES + timedelta(minutes=1), tick=False):
        attempt, _ = start_attempt(user=learner, quiz=practice)
    assert attempt.case_count == quiz.cases.count()
