"""Writes for quizzes and attempts. Each public function is one transaction."""

import json
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Case, CaseFinding, Tag
from quizzes import grading
from quizzes.content import compile_cases
from quizzes.models import Attempt, AttemptCase, ProblemReport, Quiz, QuizCase, Response

CURATED_SETS = Path(__file__).resolve().parent / "content" / "practice_sets.json"


class QuizUnavailable(Exception):
    """The quiz has no published case to ask."""


class OutOfOrder(Exception):
    """Cases are answered in order; an earlier one is still open."""


def draw_case_ids(quiz: Quiz) -> list[int]:
    """The cases an attempt at `quiz` asks, in order; drawn quizzes draw afresh."""
    if quiz.selection == Quiz.Selection.FIXED:
        return list(
            QuizCase.objects.filter(quiz=quiz, case__status=Case.Status.PUBLISHED)
            .order_by("position", "pk")
            .values_list("case_id", flat=True)
        )
    cases = Case.objects.published()
    if quiz.draw_answer:
        cases = cases.filter(answer=quiz.draw_answer)
    if quiz.draw_tag_id:
        cases = cases.filter(tags=quiz.draw_tag_id)
    if quiz.draw_difficulty:
        cases = cases.filter(difficulty=quiz.draw_difficulty)
    return list(cases.order_by("?").values_list("pk", flat=True)[: quiz.draw_count])


def _create_attempt(*, user, quiz: Quiz | None, title: str, case_ids: list[int]) -> Attempt:
    compiled = compile_cases(case_ids)
    case_ids = [pk for pk in case_ids if pk in compiled]
    if not case_ids:
        raise QuizUnavailable(f"“{title}” has no published case to ask yet.")
    attempt = Attempt.objects.create(user=user, quiz=quiz, title=title, case_count=len(case_ids))
    AttemptCase.objects.bulk_create(
        AttemptCase(attempt=attempt, case_id=pk, position=i, content=compiled[pk])
        for i, pk in enumerate(case_ids, start=1)
    )
    return attempt


def _order_for(user, quiz: Quiz) -> list[int]:
    """The cases of a new attempt. A fixed set taken again comes in a fresh order, never the
    order of the learner's last attempt, so a retake tests recall of the cases, not of
    their sequence."""
    case_ids = draw_case_ids(quiz)
    if quiz.selection != Quiz.Selection.FIXED or len(case_ids) < 2:
        return case_ids
    last = (
        Attempt.objects.filter(user=user, quiz=quiz, completed_at__isnull=False)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if last is None:
        return case_ids
    before = list(last.attempt_cases.values_list("case_id", flat=True))
    random.SystemRandom().shuffle(case_ids)
    if case_ids == before:
        case_ids = case_ids[1:] + case_ids[:1]
    return case_ids


def open_attempt(*, user, quiz: Quiz) -> Attempt | None:
    return (
        Attempt.objects.filter(user=user, quiz=quiz, completed_at__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


@transaction.atomic
def start_attempt(*, user, quiz: Quiz) -> tuple[Attempt, bool]:
    """Resume the learner's unfinished attempt at `quiz`, or start a new one.

    The learner's row is locked so two tabs (or a double click) starting at once end up in
    the same attempt; the partial unique constraint is the last line of defence.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    attempt = open_attempt(user=user, quiz=quiz)
    if attempt is not None:
        return attempt, False
    try:
        with transaction.atomic():
            attempt = _create_attempt(
                user=user, quiz=quiz, title=quiz.title, case_ids=_order_for(user, quiz)
            )
    except IntegrityError:
        # Another request created it between our look and our insert: that one is ours.
        return Attempt.objects.get(user=user, quiz=quiz, completed_at__isnull=True), False
    return attempt, True


@transaction.atomic
def start_weakest_signs_attempt(*, user, codes: list[str], count: int = 8) -> Attempt:
    """A set of published cases carrying the findings the learner misses most."""
    carrying = CaseFinding.objects.filter(finding__code__in=codes, present=True)
    case_ids = list(
        Case.objects.published()
        .filter(pk__in=carrying.values("case_id"))
        .order_by("?")
        .values_list("pk", flat=True)[:count]
    )
    return _create_attempt(user=user, quiz=None, title="My weakest signs", case_ids=case_ids)


@dataclass(frozen=True)
class Submission:
    responses: list[Response] | None
    # The stage was committed already (another tab, a replayed post): nothing changed.
    already_recorded: bool


def _lessons_taught(attempt_case: AttemptCase) -> set[str]:
    """The lessons taught in full on the earlier cases of the attempt."""
    explanations = Response.objects.filter(
        attempt_case__attempt_id=attempt_case.attempt_id,
        attempt_case__position__lt=attempt_case.position,
        item=grading.LOCALIZATION,
    ).values_list("explanation", flat=True)
    return {
        point["lesson"]
        for explanation in explanations
        for point in explanation.get("points", [])
        if point.get("lesson")
    }


def _record(
    attempt_case: AttemptCase, results: dict[str, grading.ItemResult], certainty: str | None
) -> list[Response]:
    return Response.objects.bulk_create(
        Response(
            attempt_case=attempt_case,
            item=item,
            given=result.given,
            key=result.key,
            score=result.score,
            explanation=result.explanation(),
            certainty=(certainty or "") if item == grading.LOCALIZATION else "",
        )
        for item, result in results.items()
    )


def _finish_case(attempt_case: AttemptCase, now: datetime) -> None:
    attempt_case.answered_at = now
    # Cases are answered in order, so answering the last one completes the attempt.
    if attempt_case.position == attempt_case.attempt.case_count:
        Attempt.objects.filter(pk=attempt_case.attempt_id, completed_at__isnull=True).update(
            completed_at=now
        )


@transaction.atomic
def commit_first_stage(*, attempt_case: AttemptCase, answers: grading.Answers) -> Submission:
    """Record stage 1 (the localization, the site and certainty), exactly once and in order.

    One conditional UPDATE claims the stage: it succeeds only while the stage is open and no
    earlier case is, and it locks the row, so of two tabs posting at once the second waits,
    finds the stage committed, and changes nothing. A case with nothing to ask at stage 2 is
    answered with it.
    """
    now = timezone.now()
    content = attempt_case.grading_content
    last_stage = not grading.stage_items(content, grading.STAGE_TWO)
    earlier_open = AttemptCase.objects.filter(
        attempt_id=attempt_case.attempt_id,
        position__lt=OuterRef("position"),
        answered_at__isnull=True,
    )
    claimed = (
        AttemptCase.objects.filter(pk=attempt_case.pk, committed_at__isnull=True)
        .exclude(Exists(earlier_open))
        .update(committed_at=now, answered_at=now if last_stage else None)
    )
    if not claimed:
        if AttemptCase.objects.filter(pk=attempt_case.pk, committed_at__isnull=False).exists():
            return Submission(responses=None, already_recorded=True)
        raise OutOfOrder("Answer the earlier cases first.")
    results = grading.grade_stage(
        content, answers, grading.STAGE_ONE, seen=_lessons_taught(attempt_case)
    )
    responses = _record(attempt_case, results, answers.certainty)
    attempt_case.committed_at = now
    if last_stage:
        _finish_case(attempt_case, now)
    return Submission(responses=responses, already_recorded=False)


@transaction.atomic
def submit_second_stage(*, attempt_case: AttemptCase, answers: grading.Answers) -> Submission:
    """Record stage 2 (the localization after the tests, the findings, the next step) and
    so answer the case, exactly once: claimed like stage 1, and only after it."""
    now = timezone.now()
    claimed = AttemptCase.objects.filter(
        pk=attempt_case.pk, committed_at__isnull=False, answered_at__isnull=True
    ).update(answered_at=now)
    if not claimed:
        if AttemptCase.objects.filter(pk=attempt_case.pk, answered_at__isnull=False).exists():
            return Submission(responses=None, already_recorded=True)
        raise OutOfOrder("Commit to a localization first.")
    committed = list(Response.objects.filter(attempt_case=attempt_case).order_by("pk"))
    first = next((r.given for r in committed if r.item == grading.LOCALIZATION), "")
    results = grading.grade_stage(
        attempt_case.grading_content, answers, grading.STAGE_TWO, first=first
    )
    responses = _record(attempt_case, results, None)
    _finish_case(attempt_case, now)
    # Both stages' responses: the results show them all.
    return Submission(responses=committed + responses, already_recorded=False)


def report_problem(*, attempt_case: AttemptCase, reporter, kind: str, text: str) -> ProblemReport:
    """Record a learner's report on a case they have answered (the results show the key and
    explanation the report is about)."""
    if attempt_case.answered_at is None:
        raise ValueError("A case is reported from its results, once it is answered.")
    return ProblemReport.objects.create(
        attempt_case=attempt_case,
        case_id=attempt_case.case_id,
        reporter=reporter,
        kind=kind,
        text=text.strip(),
    )


@transaction.atomic
def resolve_report(*, report_id: int, resolver, resolution: str) -> bool:
    """Resolve an open report, once: who, when and how are recorded. False if it was
    resolved already (another instructor got there first)."""
    if not resolution.strip():
        raise ValueError("Say how the report was resolved.")
    return bool(
        ProblemReport.objects.filter(pk=report_id, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=resolver, resolution=resolution.strip()
        )
    )


@transaction.atomic
def seed_practice_sets(*, path: Path = CURATED_SETS) -> tuple[int, int]:
    """Create the curated practice sets that do not exist yet; never touches existing ones.

    Returns (created, already there).
    """
    created = existing = 0
    for position, entry in enumerate(json.loads(path.read_text(encoding="utf-8")), start=1):
        if Quiz.objects.filter(slug=entry["slug"]).exists():
            existing += 1
            continue
        quiz = Quiz.objects.create(
            slug=entry["slug"],
            title=entry["title"],
            description=entry["description"],
            selection=entry["selection"],
            draw_count=entry.get("draw_count", 10),
            draw_answer=entry.get("draw_answer", ""),
            draw_difficulty=entry.get("draw_difficulty", ""),
            draw_tag=Tag.objects.filter(slug=entry["draw_tag"]).first()
            if entry.get("draw_tag")
            else None,
            position=position,
        )
        cases = Case.objects.in_bulk(entry.get("cases", []), field_name="slug")
        missing = [slug for slug in entry.get("cases", []) if slug not in cases]
        if missing:
            raise ValueError(f"Practice set {entry['slug']} names unknown cases: {missing}")
        QuizCase.objects.bulk_create(
            QuizCase(quiz=quiz, case=cases[slug], position=i)
            for i, slug in enumerate(entry.get("cases", []), start=1)
        )
        created += 1
    return created, existing
