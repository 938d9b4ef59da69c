"""Assessments and the exams learners take in them: scheduling, accommodations, starting,
autosaving every change, flagging, submitting exactly once, finalizing at the deadline, and
releasing results. Each public write is one transaction that locks the attempt's row, so
two tabs, a double click or a save racing the deadline cannot both win.

An exam's answers are kept as the learner's choices (`AttemptCase.draft`) until the attempt
ends; only then are they graded, into the same responses practice records, with the
explanations learners will read once the results are released (`results_released`). What
an exam does differently from practice is the policy's (`quizzes.policy`).
"""

import logging
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cases.selectors import case_snapshots
from quizzes import grading, policy
from quizzes.content import compile_cases
from quizzes.forms import partial_stage_form
from quizzes.models import Accommodation, Assessment, Attempt, AttemptCase, Response
from quizzes.services import draw_case_ids

EXAM = policy.for_mode(policy.EXAM)
logger = logging.getLogger(__name__)


class ExamRefused(Exception):
    """The step cannot be taken; the message says why, for the learner or instructor."""


class StalePage(ExamRefused):
    """The page was saved from an older state (another tab): reload to see the latest."""


class TimeIsUp(ExamRefused):
    """The deadline has passed: the attempt was finalized with what was saved."""


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime
    extra_minutes: int = 0


def window_for(assessment: Assessment, user) -> Window:
    """The learner's window and extra time: the assessment's, or their accommodation's."""
    accommodation = Accommodation.objects.filter(assessment=assessment, learner=user).first()
    if accommodation is None:
        return Window(assessment.opens_at, assessment.closes_at)
    return Window(
        accommodation.opens_at or assessment.opens_at,
        accommodation.closes_at or assessment.closes_at,
        accommodation.extra_minutes,
    )


def deadline_for(assessment: Assessment, window: Window, started: datetime) -> datetime:
    """The time limit (with any extra time) or the close, whichever comes first."""
    if assessment.time_limit_minutes is None:
        return window.closes_at
    limit = timedelta(minutes=assessment.time_limit_minutes + window.extra_minutes)
    return min(window.closes_at, started + limit)


def latest_close(assessment: Assessment) -> datetime:
    """When the last learner's window closes, accommodations included."""
    later = assessment.accommodations.aggregate(latest=Max("closes_at"))["latest"]
    return max(assessment.closes_at, later) if later else assessment.closes_at


def results_released(assessment: Assessment, now: datetime | None = None) -> bool:
    """Whether learners may now see keys and explanations of their finished attempts
    (with an immediate release, each as soon as it is submitted)."""
    now = now or timezone.now()
    if assessment.release == Assessment.Release.IMMEDIATE:
        return True
    if assessment.release == Assessment.Release.AFTER_CLOSE:
        return now >= latest_close(assessment) + EXAM.grace
    return assessment.released_at is not None


def results_visible_to(assessment: Assessment, user, now: datetime | None = None) -> bool:
    """Whether this learner may see their results: released, and no attempt left to them
    that the keys would give away (every attempt used, or their window closed)."""
    now = now or timezone.now()
    if not results_released(assessment, now):
        return False
    attempts = Attempt.objects.filter(user=user, assessment=assessment)
    if attempts.filter(completed_at__isnull=True).exists():
        return False
    used_up = attempts.count() >= assessment.attempts_allowed
    return used_up or now >= window_for(assessment, user).closes_at


# Instructors ---------------------------------------------------------------------------------


@transaction.atomic
def schedule(*, by, **fields: Any) -> Assessment:
    """Give a quiz to a cohort: the fields of `Assessment`, checked by its constraints."""
    assessment = Assessment(created_by=by, **fields)
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def set_accommodation(
    *,
    assessment: Assessment,
    learner,
    reason: str,
    extra_minutes: int = 0,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Accommodation:
    """One learner's extra time and window, with the reason; set again, it replaces them."""
    if not reason.strip():
        raise ExamRefused("Give the reason for the accommodation.")
    if not assessment.cohort.memberships.filter(user=learner).exists():
        raise ExamRefused(f"{learner} is not in {assessment.cohort}.")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ExamRefused("The learner's window must close after it opens.")
    accommodation, _ = Accommodation.objects.update_or_create(
        assessment=assessment,
        learner=learner,
        defaults={
            "extra_minutes": extra_minutes,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "reason": reason.strip(),
        },
    )
    return accommodation


@transaction.atomic
def release_results(*, assessment: Assessment, now: datetime | None = None) -> bool:
    """Release the results now; False if they were released already. Not before every
    window has closed: a learner still to take the exam must not meet its keys."""
    now = now or timezone.now()
    close = latest_close(assessment)
    if now < close + EXAM.grace:
        raise ExamRefused(
            "Results can be released once every window has closed, at "
            f"{timezone.localtime(close):%d %b %Y, %H:%M %Z}; learners may still be taking it."
        )
    return bool(
        Assessment.objects.filter(pk=assessment.pk, released_at__isnull=True).update(
            released_at=timezone.now()
        )
    )


# Learners ------------------------------------------------------------------------------------


def _snapshots(assessment: Assessment, case_ids: list[int]) -> dict[int, dict]:
    if assessment.shuffle_options:
        return compile_cases(case_ids)
    return case_snapshots(case_ids)


def start(*, assessment: Assessment, user, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Resume the learner's open attempt, or start one inside their window; returns it and
    whether it is new. The learner's row is locked, so two tabs start one attempt. An open
    attempt past its deadline is finalized first, and stays finalized whatever follows."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _open_attempt(assessment, user)
        if current is not None and not _overdue(current, now):
            return current, False
        if current is not None:
            _finalize(current, at=current.deadline or now, ended="deadline")
    with transaction.atomic():
        current = _open_attempt(assessment, user)
        if current is not None:  # another tab started one meanwhile
            return current, False
        return _new_attempt(assessment, user, now), True


def _open_attempt(assessment: Assessment, user) -> Attempt | None:
    """The learner's open attempt, with their row locked for the rest of the transaction."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if not assessment.cohort.memberships.filter(user=user).exists():
        raise ExamRefused("This assessment is for another cohort.")
    return Attempt.objects.filter(
        user=user, assessment=assessment, completed_at__isnull=True
    ).first()


def _new_attempt(assessment: Assessment, user, now: datetime) -> Attempt:
    window = window_for(assessment, user)
    if now < window.opens_at:
        raise ExamRefused(f"It opens at {timezone.localtime(window.opens_at):%d %b %Y, %H:%M}.")
    if now >= window.closes_at:
        raise ExamRefused(f"It closed at {timezone.localtime(window.closes_at):%d %b %Y, %H:%M}.")
    used = Attempt.objects.filter(user=user, assessment=assessment).count()
    if used >= assessment.attempts_allowed:
        raise ExamRefused("You have used every attempt this assessment allows.")
    case_ids = draw_case_ids(assessment.quiz)
    if assessment.shuffle_cases:
        random.SystemRandom().shuffle(case_ids)
    compiled = _snapshots(assessment, case_ids)
    case_ids = [pk for pk in case_ids if pk in compiled]
    if not case_ids:
        raise ExamRefused("This assessment has no case to ask; tell your program.")
    attempt = Attempt.objects.create(
        user=user,
        # Not the quiz's: an exam attempt is no practice attempt at its set (which the
        # learner may be practising at the same time).
        quiz=None,
        assessment=assessment,
        title=assessment.title,
        case_count=len(case_ids),
        deadline=deadline_for(assessment, window, now),
    )
    # The start is the server's time as this service sees it (the clock tests move too).
    Attempt.objects.filter(pk=attempt.pk).update(started_at=now)
    attempt.started_at = now
    AttemptCase.objects.bulk_create(
        AttemptCase(attempt=attempt, case_id=pk, position=i, content=compiled[pk])
        for i, pk in enumerate(case_ids, start=1)
    )
    return attempt


def _overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + EXAM.grace


TIME_IS_UP = "Time is up: your attempt was submitted with the answers saved."


def _lock_open(attempt_id: int, now: datetime) -> Attempt | None:
    """The attempt, locked, if it still takes changes; None if it was overdue and is now
    finalized at its deadline (the caller lets that commit, then says time is up)."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("assessment")
        .get(pk=attempt_id)
    )
    if attempt.completed_at is not None:
        raise ExamRefused("This attempt has ended; nothing more can change.")
    if (
        attempt.assessment is not None
        and not attempt.assessment.cohort.memberships.filter(user_id=attempt.user_id).exists()
    ):
        raise ExamRefused("You are no longer in this assessment's cohort; ask your program.")
    if _overdue(attempt, now):
        _finalize(attempt, at=attempt.deadline or now, ended="deadline")
        return None
    return attempt


def _check_revision(attempt: Attempt, revision: int) -> None:
    if revision != attempt.revision:
        raise StalePage(
            "This page is out of date (the exam is open in another tab or window): reload it "
            "to see your latest answers."
        )


def _bump(attempt: Attempt) -> int:
    Attempt.objects.filter(pk=attempt.pk).update(revision=F("revision") + 1)
    return attempt.revision + 1


def save_answers(
    *, attempt_case: AttemptCase, data: Any, revision: int, now: datetime | None = None
) -> int:
    """Save the choices posted for the case's current stage at once; returns the attempt's
    new revision. A choice the case does not offer is refused and changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _lock_open(attempt_case.attempt_id, now)
        if attempt is not None:
            _check_revision(attempt, revision)
            case = AttemptCase.objects.get(pk=attempt_case.pk)
            stage = grading.STAGE_TWO if case.committed_at else grading.STAGE_ONE
            form = partial_stage_form(case.grading_content, stage, data)
            if not form.is_valid():
                raise ExamRefused(next(iter(form.error_map().values())))
            chosen = {name: value for name, value in form.cleaned_data.items() if value}
            AttemptCase.objects.filter(pk=case.pk).update(draft={**case.draft, **chosen})
            return _bump(attempt)
    raise TimeIsUp(TIME_IS_UP)


def commit_stage_one(
    *, attempt_case: AttemptCase, revision: int, now: datetime | None = None
) -> int:
    """Commit the case's first stage, so its tests are shown; the first answers stand."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _lock_open(attempt_case.attempt_id, now)
        if attempt is not None:
            _check_revision(attempt, revision)
            case = AttemptCase.objects.get(pk=attempt_case.pk)
            if case.committed_at is not None:
                return attempt.revision
            if not case.draft.get("localization"):
                raise ExamRefused("Choose a localization before you see the tests.")
            at = min(now, attempt.deadline or now)
            AttemptCase.objects.filter(pk=case.pk).update(committed_at=at)
            return _bump(attempt)
    raise TimeIsUp(TIME_IS_UP)


def set_flag(
    *, attempt_case: AttemptCase, flagged: bool, revision: int, now: datetime | None = None
) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _lock_open(attempt_case.attempt_id, now)
        if attempt is not None:
            _check_revision(attempt, revision)
            AttemptCase.objects.filter(pk=attempt_case.pk).update(flagged=flagged)
            return _bump(attempt)
    raise TimeIsUp(TIME_IS_UP)


@transaction.atomic
def submit(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Submit the attempt, exactly once: False if it had ended already (another tab, the
    deadline; past the deadline it is finalized at the deadline, not now)."""
    now = now or timezone.now()
    try:
        locked = _lock_open(attempt.pk, now)
    except ExamRefused:
        return False
    if locked is None:
        return False
    # Within the grace the finish time is still the deadline, never after it.
    _finalize(locked, at=min(now, locked.deadline or now), ended="submitted")
    return True


def _answers(draft: dict) -> grading.Answers:
    next_step = draft.get("next_step")
    return grading.Answers(
        localization=draft.get("localization", ""),
        certainty=draft.get("certainty") or None,
        site=draft.get("site", ""),
        revised=draft.get("revised") or None,
        findings={
            name.removeprefix("finding-"): value
            for name, value in draft.items()
            if name.startswith("finding-")
        },
        next_step=int(next_step) if next_step else None,
    )


def _finalize(attempt: Attempt, *, at: datetime, ended: str) -> None:
    """Grade every case from what was saved (an unanswered item scores 0) and close the
    attempt at `at`. Called with the attempt's row locked."""
    responses = []
    for case in attempt.attempt_cases.all():
        content = case.grading_content
        answers = _answers(case.draft)
        first = answers.localization or ""
        # Graded without the certainty: its lines speak of the progress page, which an
        # exam never feeds, and of an answer a blank does not give. It is still recorded.
        graded = replace(answers, certainty=None)
        results = {
            **grading.grade_stage(content, graded, grading.STAGE_ONE),
            **grading.grade_stage(content, graded, grading.STAGE_TWO, first=first),
        }
        if grading.REVISED in results and not answers.revised:
            # In practice the first answer stands for the second unless changed; in an
            # exam a question left blank is unanswered, and scores nothing.
            results[grading.REVISED] = grading.grade_revised(content, "", first)
        responses += [
            Response(
                attempt_case=case,
                item=item,
                # Nothing chosen is stored as "": the column holds JSON, never SQL NULL.
                given="" if result.given is None else result.given,
                key=result.key,
                score=result.score,
                explanation=result.explanation(),
                certainty=(answers.certainty or "") if item == grading.LOCALIZATION else "",
            )
            for item, result in results.items()
        ]
    Response.objects.bulk_create(responses)
    AttemptCase.objects.filter(attempt=attempt, committed_at__isnull=True).update(committed_at=at)
    AttemptCase.objects.filter(attempt=attempt).update(answered_at=at)
    Attempt.objects.filter(pk=attempt.pk, completed_at__isnull=True).update(
        completed_at=at, ended=ended
    )


def finalize_overdue(*, now: datetime | None = None) -> int:
    """Finalize every exam attempt past its deadline and grace, at its deadline (for cron:
    `manage.py finalize_overdue`); returns how many. Each attempt is its own transaction:
    one that fails is logged and left for the next run, never holding up the others."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(
        assessment__isnull=False, completed_at__isnull=True, deadline__lt=now - EXAM.grace
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(overdue):
        try:
            with transaction.atomic():
                attempt = (
                    Attempt.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, completed_at__isnull=True)
                    .first()
                )
                if attempt is None:  # ended meanwhile, or being ended by a request now
                    continue
                _finalize(attempt, at=attempt.deadline or now, ended="deadline")
                count += 1
        except Exception:
            logger.exception("Attempt %s could not be finalized; the next run tries again.", pk)
    return count


def close_if_overdue(
    *, attempt: Attempt, now: datetime | None = None, without_grace: bool = False
) -> bool:
    """Finalize the attempt at its deadline if it is past it (a page opened after time ran
    out); returns whether it has ended, by this or earlier. `without_grace`: the learner's
    own page asks at the deadline, its saves already sent, so no grace is waited for."""
    now = now or timezone.now()
    if attempt.completed_at is not None:
        return True
    past = attempt.deadline is not None and now >= attempt.deadline
    if not (past if without_grace else _overdue(attempt, now)):
        return False
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.completed_at is None:
            _finalize(locked, at=locked.deadline or now, ended="deadline")
    return True


# What the exam pages show --------------------------------------------------------------------

ANSWERED, PARTLY, NOT_STARTED = "answered", "partly", "not_started"
STATUS_LABELS = {ANSWERED: "Answered", PARTLY: "Partly answered", NOT_STARTED: "Not answered"}


def fields_asked(content: grading.CaseContent, stage: int) -> list[str]:
    """The names of the choices a stage asks, as its form names them."""
    names = []
    for item in grading.stage_items(content, stage):
        if item == grading.LOCALIZATION:
            names += ["localization", "certainty"]
        elif item == grading.FINDINGS:
            names += [f"finding-{code}" for code in content.present_codes]
        else:
            names.append(item)
    return names


def case_status(attempt_case: AttemptCase) -> str:
    """Whether every choice of both stages is saved, some are, or none is."""
    content = attempt_case.grading_content
    asked = fields_asked(content, grading.STAGE_ONE) + fields_asked(content, grading.STAGE_TWO)
    saved = [name for name in asked if attempt_case.draft.get(name)]
    if not saved:
        return NOT_STARTED
    if len(saved) == len(asked) and attempt_case.committed_at is not None:
        return ANSWERED
    return PARTLY


def resume_position(attempt: Attempt) -> int:
    """Where the learner takes up an attempt: the first case not fully answered."""
    for case in attempt.attempt_cases.all():
        if case_status(case) != ANSWERED:
            return case.position
    return 1


def assessments_for_learner(user) -> list[Assessment]:
    """The assessments of the learner's cohorts, the latest first."""
    return list(
        Assessment.objects.filter(cohort__memberships__user=user)
        .select_related("cohort")
        .order_by("-opens_at", "pk")
    )


def learner_rows(user, now: datetime | None = None) -> list[dict]:
    """The learner's exams page: each assessment with their window, their open attempt (an
    overdue one ended on the way) and their finished ones."""
    now = now or timezone.now()
    rows = []
    for assessment in assessments_for_learner(user):
        window = window_for(assessment, user)
        attempts = list(assessment.attempts.filter(user=user).order_by("started_at"))
        current = next((a for a in attempts if a.completed_at is None), None)
        if current is not None and close_if_overdue(attempt=current, now=now):
            current.refresh_from_db()
            current = None
        rows.append(
            {
                "assessment": assessment,
                "window": window,
                "current": current,
                "resume_at": resume_position(current) if current else 1,
                "finished": [a for a in attempts if a is not current],
                "not_yet": now < window.opens_at,
                "closed": now >= window.closes_at,
                "seconds_to_open": max(0, int((window.opens_at - now).total_seconds())),
                "attempts_left": assessment.attempts_allowed - len(attempts),
            }
        )
    return rows


def results_by_case(attempt: Attempt) -> list[tuple[AttemptCase, list[Response]]]:
    """The graded responses of a finished attempt, case by case in the order asked."""
    by_case: dict[int, tuple[AttemptCase, list[Response]]] = {}
    responses = (
        Response.objects.filter(attempt_case__attempt=attempt)
        .select_related("attempt_case")
        .order_by("attempt_case__position", "pk")
    )
    for response in responses:
        case = response.attempt_case
        by_case.setdefault(case.position, (case, []))[1].append(response)
    return [by_case[position] for position in sorted(by_case)]
