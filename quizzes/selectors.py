"""Reads for quizzes, attempts and progress. Each runs a fixed number of queries."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.lookups import Exact, IsNull

from cases.localization import ANSWERS
from cases.models import Case, Finding
from cases.selectors import teach_case_list
from quizzes import grading
from quizzes.models import Attempt, AttemptCase, Quiz, QuizCase, Response


def _with_scores(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """Attempts with how many cases were answered and how many localized right."""
    return attempts.annotate(
        answered=Count(
            "attempt_cases", filter=Q(attempt_cases__answered_at__isnull=False), distinct=True
        ),
        localized_right=Count(
            "attempt_cases__responses",
            filter=Q(
                attempt_cases__responses__item=grading.LOCALIZATION,
                attempt_cases__responses__score=1,
            ),
        ),
    )


def listed_quizzes(*, user) -> list[Quiz]:
    quizzes = list(
        Quiz.objects.listed().annotate(
            published_cases=Count("quiz_cases", filter=Q(quiz_cases__case__status="published"))
        )
    )
    open_attempts = {
        a.quiz_id: a
        for a in Attempt.objects.filter(user=user, completed_at__isnull=True, quiz__in=quizzes)
        .annotate(
            answered=Count("attempt_cases", filter=Q(attempt_cases__answered_at__isnull=False))
        )
        .order_by("started_at")
    }
    # The last finished attempt at each set, with its score and a link to its review.
    last = Attempt.objects.filter(
        user=user, quiz=OuterRef("pk"), completed_at__isnull=False
    ).order_by("-completed_at", "-pk")
    last_ids = (
        Quiz.objects.filter(pk__in=[q.pk for q in quizzes])
        .annotate(last_id=Subquery(last.values("pk")[:1]))
        .values_list("last_id", flat=True)
    )
    finished = {
        done.quiz_id: done
        for done in _with_scores(Attempt.objects.filter(pk__in=Subquery(last_ids)))
    }
    for quiz in quizzes:
        quiz.open_attempt = open_attempts.get(quiz.pk)
        quiz.last_finished = finished.get(quiz.pk)
        quiz.case_total = (
            quiz.draw_count if quiz.selection == Quiz.Selection.DRAWN else quiz.published_cases
        )
    return quizzes


def progress(attempt: Attempt) -> list[dict]:
    """Each case of the attempt: its position and whether it is answered."""
    return [
        {"position": position, "answered": answered_at is not None}
        for position, answered_at in attempt.attempt_cases.values_list("position", "answered_at")
    ]


def current_position(steps: list[dict]) -> int | None:
    """The first unanswered case, where a learner resumes; None when all are answered."""
    return next((s["position"] for s in steps if not s["answered"]), None)


def attempt_for_review(attempt: Attempt) -> list[AttemptCase]:
    return list(
        attempt.attempt_cases.prefetch_related(
            Prefetch("responses", queryset=Response.objects.order_by("pk"))
        )
    )


@dataclass
class Tally:
    right: float = 0.0
    total: int = 0
    unit: str = ""  # what is counted, in the plural: "cases", "findings", "questions"

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0

    @property
    def share(self) -> str:
        """The share right, rounded honestly: "62.5%", "100%", never a rounded-up whole."""
        if not self.total:
            return "0%"
        return f"{100 * self.right / self.total:.1f}".removesuffix(".0") + "%"

    @property
    def counted(self) -> str:
        """ "5 of 8 cases", "1 of 1 question": whole things, never "6.1 of 8 cases"."""
        unit = self.unit if self.total != 1 else self.unit.removesuffix("s")
        return f"{self.right:g} of {self.total} {unit}".rstrip()


def item_scores(attempt_cases: list[AttemptCase]) -> dict[str, Tally]:
    """Per item, what was right: cases for the localization and site items, each finding
    for the findings item (so partial credit is counted, not rounded), questions for the
    next step."""
    tallies: dict[str, Tally] = {}
    for attempt_case in attempt_cases:
        for response in attempt_case.responses.all():
            tally = tallies.setdefault(response.item, Tally(unit=grading.ITEM_UNITS[response.item]))
            if response.item == grading.FINDINGS:
                tally.right += sum(response.given.get(c) == k for c, k in response.key.items())
                tally.total += len(response.key)
            else:
                tally.right += response.score
                tally.total += 1
    return {item: tallies[item] for item in grading.ITEMS if item in tallies}


@dataclass(frozen=True)
class ConfidentMiss:
    """A case localized wrongly by a learner who was sure: one to revisit."""

    attempt_id: int
    position: int
    title: str


@dataclass
class Progress:
    by_answer: dict[str, Tally]
    by_finding: dict[str, Tally]
    names: dict[str, str]
    weakest: list[str]
    # For each level of certainty, how often the localization was right.
    calibration: dict[str, Tally]
    confident_misses: list[ConfidentMiss]
    # How often each step of a case was right: the localization before the tests, the site,
    # the localization after them.
    by_step: dict[str, Tally]


def learner_progress(*, user) -> Progress:
    """Accuracy by answer key and by finding over every item the learner answered."""
    by_answer = {answer: Tally() for answer in ANSWERS}
    by_finding: dict[str, Tally] = defaultdict(Tally)
    calibration = {level: Tally() for level in grading.CERTAINTY_LABELS}
    steps = (grading.LOCALIZATION, grading.SITE, grading.REVISED)
    by_step = {item: Tally() for item in steps}
    misses: list[ConfidentMiss] = []
    rows = (
        # Answered cases only: a stage-1 answer must not show right or wrong on this page
        # before the case's results do.
        Response.objects.filter(
            attempt_case__attempt__user=user,
            attempt_case__attempt__is_preview=False,
            attempt_case__attempt__assessment__isnull=True,
            attempt_case__answered_at__isnull=False,
            item__in=[*steps, grading.FINDINGS],
        )
        .order_by("-answered_at", "-pk")
        .values_list(
            "item",
            "given",
            "key",
            "score",
            "certainty",
            "attempt_case__attempt_id",
            "attempt_case__position",
            "attempt_case__content__case__title",
        )
    )
    for item, given, key, score, certainty, attempt_id, position, title in rows.iterator():
        if item in by_step:
            by_step[item].right += score
            by_step[item].total += 1
        if item in (grading.SITE, grading.REVISED):
            continue
        if item == grading.LOCALIZATION:
            by_answer[key].right += score
            by_answer[key].total += 1
            if certainty:
                calibration[certainty].right += score
                calibration[certainty].total += 1
            if certainty == grading.SURE and not score and len(misses) < 10:
                misses.append(ConfidentMiss(attempt_id, position, title))
            continue
        for code, expected in key.items():
            by_finding[code].total += 1
            by_finding[code].right += given.get(code) == expected

    # Weakest first: the lowest share right, then the most misses, then by code.
    def weakness(code: str) -> tuple:
        tally = by_finding[code]
        return (tally.right / tally.total, -(tally.total - tally.right), code)

    ordered = sorted(by_finding, key=weakness)
    ranked = [code for code in ordered if by_finding[code].right < by_finding[code].total]
    return Progress(
        by_answer=by_answer,
        by_finding={code: by_finding[code] for code in ordered},
        names=dict(Finding.objects.values_list("code", "name")) if by_finding else {},
        weakest=ranked[:3],
        calibration=calibration,
        confident_misses=misses,
        by_step=by_step,
    )


def recent_attempts(*, user, limit: int = 10) -> QuerySet[Attempt]:
    return _with_scores(
        Attempt.objects.filter(user=user, is_preview=False, assessment__isnull=True)
    ).order_by("-started_at", "-pk")[:limit]


# The quiz builder ------------------------------------------------------------------------


def _pool_size() -> Subquery:
    """How many published cases each set's draw rule matches, as a subquery over the sets:
    `Quiz.draw_pool` for many sets in one query (the tests hold the two to agreeing)."""
    tagged = Case.tags.through.objects.filter(
        case_id=OuterRef("pk"), tag_id=OuterRef(OuterRef("draw_tag_id"))
    )
    pool = Case.objects.published().filter(
        Exact(OuterRef("draw_answer"), "") | Q(answer=OuterRef("draw_answer")),
        Exact(OuterRef("draw_site"), "") | Q(site=OuterRef("draw_site")),
        Exact(OuterRef("draw_difficulty"), "") | Q(difficulty=OuterRef("draw_difficulty")),
        IsNull(OuterRef("draw_tag_id"), True) | Exists(tagged),
    )
    count = Func("pk", function="COUNT", output_field=IntegerField())
    return Subquery(pool.order_by().annotate(n=count).values("n"))


def practice_sets() -> list[Quiz]:
    """Every practice set, listed or not, with `case_total`: how many published cases an
    attempt would ask. Two queries' worth of work in one, whatever the number of sets."""
    quizzes = list(
        Quiz.objects.practice().annotate(
            fixed_published=Count(
                "quiz_cases", filter=Q(quiz_cases__case__status=Case.Status.PUBLISHED)
            ),
            pool_size=_pool_size(),
        )
    )
    for quiz in quizzes:
        quiz.case_total = (
            min(quiz.draw_count, quiz.pool_size or 0)
            if quiz.selection == Quiz.Selection.DRAWN
            else quiz.fixed_published
        )
    return quizzes


def set_cases(quiz: Quiz) -> list[QuizCase]:
    """A fixed set's cases in order, published or not (a case retired since it was added
    stays listed, marked, so it can be removed)."""
    return list(quiz.quiz_cases.select_related("case").order_by("position", "pk"))


def addable_cases(*, quiz: Quiz, filters: Mapping) -> QuerySet[Case]:
    """Published cases not in the set yet, searched and filtered as the case list does."""
    published = {**filters, "status": Case.Status.PUBLISHED}
    return teach_case_list(filters=published).exclude(quizzes=quiz)


def cases_in_order(case_ids: list[int]) -> list[Case]:
    """The cases, in the order given."""
    found = Case.objects.in_bulk(case_ids)
    return [found[pk] for pk in case_ids if pk in found]
