"""Writes for quizzes and attempts. Each public function is one transaction."""

import json
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from cases.models import Case, CaseFinding, Tag
from quizzes import grading
from quizzes.content import compile_cases, shuffled
from quizzes.models import (
    Assessment,
    Attempt,
    AttemptCase,
    ProblemReport,
    Quiz,
    QuizCase,
    Response,
)

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
    # The rule (answer, site, tag, difficulty) lives in one place, `Quiz.draw_pool`.
    pool = quiz.draw_pool()
    return list(pool.order_by("?").values_list("pk", flat=True)[: quiz.draw_count])


@transaction.atomic
def start_preview(*, user, snapshot: dict) -> Attempt:
    """An attempt at one case's snapshot (a version not yet published, say) for an
    instructor to take as a learner would; it counts in no one's progress."""
    title = f"Preview: {snapshot['case']['title']}"[:120]
    attempt = Attempt.objects.create(user=user, title=title, case_count=1, is_preview=True)
    AttemptCase.objects.create(
        attempt=attempt, case_id=snapshot["case"]["id"], position=1, content=shuffled(snapshot)
    )
    return attempt


def held_back(user) -> set[int]:
    """The cases of the assessments the learner's cohorts are running or about to run:
    practice does not ask them, so no key is learnt there before the exam is over."""
    from quizzes.exams import EXAM

    cutoff = timezone.now() - EXAM.grace
    running = Assessment.objects.filter(cohort__memberships__user=user).filter(
        Q(closes_at__gt=cutoff) | Q(accommodations__closes_at__gt=cutoff)
    )
    return set(
        QuizCase.objects.filter(quiz__assessments__in=running).values_list("case_id", flat=True)
    ) | set(
        AttemptCase.objects.filter(attempt__assessment__in=running).values_list(
            "case_id", flat=True
        )
    )


def _create_attempt(*, user, quiz: Quiz | None, title: str, case_ids: list[int]) -> Attempt:
    held = held_back(user)
    case_ids = [pk for pk in case_ids if pk not in held]
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
            draw_site=entry.get("draw_site", ""),
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


# The quiz builder: instructors make, fill, order and publish practice sets. Each change is
# refused whole, with the reason to show, when it would break the set.


class QuizEditRefused(Exception):
    """A change to a practice set that was refused; the message says why. Nothing changed."""


def _lock(quiz: Quiz) -> Quiz:
    """The set's row, locked: edits to one set's list happen one at a time."""
    return Quiz.objects.select_for_update().get(pk=quiz.pk)


def _free_slug(title: str) -> str:
    base = slugify(title)[:70].strip("-") or "practice-set"
    taken = set(Quiz.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_quiz(*, title: str, description: str, selection: str) -> Quiz:
    """A new practice set, unlisted until it is published (it has no case yet), placed after
    the others; its slug is made from the title and never changes after."""
    position = (Quiz.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    for _ in range(3):
        try:
            with transaction.atomic():
                return Quiz.objects.create(
                    slug=_free_slug(title),
                    title=title.strip(),
                    description=description.strip(),
                    mode=Quiz.Mode.PRACTICE,
                    selection=selection,
                    is_listed=False,
                    position=position,
                )
        except IntegrityError:
            continue  # another set took the slug between our look and our insert
    raise QuizEditRefused("Another set was being created with this title; try again.")


@transaction.atomic
def update_quiz(*, quiz: Quiz, title: str, description: str, selection: str) -> Quiz:
    """A set's title, description and kind. The slug stays: learners' links use it."""
    quiz = _lock(quiz)
    quiz.title = title.strip()
    quiz.description = description.strip()
    quiz.selection = selection
    quiz.save(update_fields=["title", "description", "selection"])
    return quiz


@transaction.atomic
def set_draw_rule(
    *, quiz: Quiz, count: int, answer: str, site: str, tag: Tag | None, difficulty: str
) -> Quiz:
    """A drawn set's rule: how many published cases to draw, and from which."""
    if not 1 <= count <= 100:
        raise QuizEditRefused("A set draws between 1 and 100 cases; the rule was not changed.")
    quiz = _lock(quiz)
    quiz.draw_count = count
    quiz.draw_answer = answer
    quiz.draw_site = site
    quiz.draw_tag = tag
    quiz.draw_difficulty = difficulty
    quiz.save(
        update_fields=["draw_count", "draw_answer", "draw_site", "draw_tag", "draw_difficulty"]
    )
    return quiz


def _set_rows(quiz: Quiz) -> list[QuizCase]:
    return list(QuizCase.objects.select_for_update().filter(quiz=quiz).order_by("position", "pk"))


def _index_of(rows: list[QuizCase], case: Case) -> int:
    for index, row in enumerate(rows):
        if row.case_id == case.pk:
            return index
    raise QuizEditRefused(f"“{case.title}” is not in this set; nothing was changed.")


def _renumber(rows: list[QuizCase]) -> None:
    """Positions 1, 2, 3... in the order given, so that positions left equal by other paths
    (the admin, an old import) order as they are shown."""
    changed = []
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            row.position = position
            changed.append(row)
    QuizCase.objects.bulk_update(changed, ["position"])


@transaction.atomic
def add_quiz_case(*, quiz: Quiz, case: Case) -> int:
    """Add a published case at the end of a fixed set; returns its place, counted from 0."""
    quiz = _lock(quiz)
    if quiz.selection != Quiz.Selection.FIXED:
        raise QuizEditRefused(
            f"“{quiz.title}” draws its cases by a rule: make it a fixed list to pick cases."
        )
    if not Case.objects.published().filter(pk=case.pk).exists():
        raise QuizEditRefused(
            f"“{case.title}” is not published: only published cases can be added. "
            "Nothing was changed."
        )
    rows = _set_rows(quiz)
    if any(row.case_id == case.pk for row in rows):
        raise QuizEditRefused(f"“{case.title}” is in this set already; nothing was changed.")
    last = max((row.position for row in rows), default=0)
    QuizCase.objects.create(quiz=quiz, case=case, position=last + 1)
    return len(rows)


@transaction.atomic
def move_quiz_case(*, quiz: Quiz, case: Case, offset: int) -> int:
    """Move a case `offset` places up (negative) or down the set's list; returns its new
    place, counted from 0."""
    quiz = _lock(quiz)
    rows = _set_rows(quiz)
    index = _index_of(rows, case)
    target = index + offset
    if offset == 0 or not 0 <= target < len(rows):
        where = "first" if offset < 0 else "last"
        raise QuizEditRefused(f"“{case.title}” is {where} in the set already.")
    rows.insert(target, rows.pop(index))
    _renumber(rows)
    return target


@transaction.atomic
def remove_quiz_case(*, quiz: Quiz, case: Case) -> int:
    """Take a case out of a set; returns the place it had, counted from 0. Attempts already
    made keep their copy of it."""
    quiz = _lock(quiz)
    rows = _set_rows(quiz)
    index = _index_of(rows, case)
    rows.pop(index).delete()
    _renumber(rows)
    return index


def asks_a_case(quiz: Quiz) -> bool:
    """Whether an attempt at the set would ask at least one published case."""
    if quiz.selection == Quiz.Selection.FIXED:
        return QuizCase.objects.filter(quiz=quiz, case__status=Case.Status.PUBLISHED).exists()
    return quiz.draw_pool().exists()


@transaction.atomic
def set_quiz_listed(*, quiz: Quiz, listed: bool) -> bool:
    """Publish (list for learners) or unpublish a set; False if it was so already. A set
    that would ask no published case is not published: learners could not start it."""
    quiz = _lock(quiz)
    if listed and not asks_a_case(quiz):
        raise QuizEditRefused(
            f"“{quiz.title}” asks no published case yet, so it stays unlisted: "
            + (
                "add published cases first."
                if quiz.selection == Quiz.Selection.FIXED
                else "widen its rule until it matches a published case."
            )
        )
    if quiz.is_listed == listed:
        return False
    quiz.is_listed = listed
    quiz.save(update_fields=["is_listed"])
    return True
