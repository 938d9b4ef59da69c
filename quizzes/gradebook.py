"""The results of an assessment, for the instructors of its cohort: the assessments they
run and how each stands, the gradebook, one learner's attempt in review, and the item
analysis report with its two charts. Reads only, each a fixed number of queries whatever
the number of learners or items; the writes are `quizzes.exams`'.

The gradebook scores each learner's latest finished attempt (the one that counts where an
assessment allows more than one); the item analysis, as assessment teams expect, reads
each learner's first, so that practice on the assessment itself does not flatter it. Only
the cohort's current learners are counted, in both.

An item is one case's item kind ("case 12: localization"), keyed by the case, not by its
position: with shuffling every learner meets the same cases in a different order. An item
a learner was not asked scores 0. With shuffled options a next step's option numbers differ
between attempts, so each learner's choice is read through their own snapshot's options.
"""

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone

from cases.localization import ANSWERS
from quizzes import cohorts, exams, grading, statistics
from quizzes.models import Assessment, Attempt, AttemptCase, QuizCase, Response

# Each learner's standing in an assessment (the CSV says the code, the page the label).
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
FINALIZED = "finalized_at_deadline"
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    FINALIZED: "Finalized at the deadline",
}

# Where an assessment's window stands, accommodations included.
SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
WINDOW_LABELS = {SCHEDULED: "Scheduled", OPEN: "Open", CLOSED: "Closed"}
# The badge each is shown with (the colours of a case's statuses).
WINDOW_BADGES = {SCHEDULED: "status-review", OPEN: "status-published", CLOSED: "status-retired"}

NO_ANSWER = "No answer"
# The items whose answers are one choice among several: their distribution is reported.
CHOICE_ITEMS = (grading.LOCALIZATION, grading.SITE, grading.REVISED, grading.NEXT_STEP)

# Rules of thumb of classical test theory, for the items worth a second look.
LOW_DISCRIMINATION = 0.2
VERY_EASY, VERY_HARD = 0.9, 0.2


# Assessments -------------------------------------------------------------------------------


def assessments_for(user) -> QuerySet[Assessment]:
    """The assessments of the cohorts `user` runs (a superuser: all), with the earliest
    opening and latest close any accommodation gives."""
    return (
        Assessment.objects.filter(cohort__in=cohorts.cohorts_for(user).values("pk"))
        .select_related("quiz", "cohort")
        .annotate(
            accommodated_open=Min("accommodations__opens_at"),
            accommodated_close=Max("accommodations__closes_at"),
        )
    )


def assessment_for_instructor(user, assessment_id: int) -> Assessment | None:
    """The assessment if `user` runs its cohort; None otherwise."""
    return assessments_for(user).filter(pk=assessment_id).first()


@dataclass(frozen=True)
class Standing:
    """Where an assessment's window and its results stand at a moment."""

    window: str
    released: bool
    release_words: str

    @property
    def window_label(self) -> str:
        return WINDOW_LABELS[self.window]

    @property
    def window_badge(self) -> str:
        return WINDOW_BADGES[self.window]


def standing(assessment: Assessment, now: datetime) -> Standing:
    """For an assessment from `assessments_for` (its accommodations' times annotated)."""
    opens = min(t for t in (assessment.opens_at, _get(assessment, "accommodated_open")) if t)
    closes = max(t for t in (assessment.closes_at, _get(assessment, "accommodated_close")) if t)
    window = SCHEDULED if now < opens else OPEN if now < closes else CLOSED
    # Whether they are released is the policy's, in one place (a query for a release at
    # the close); the words say when.
    released = exams.results_released(assessment, now)
    if assessment.release == Assessment.Release.IMMEDIATE:
        return Standing(window, released, "To each learner on submitting")
    if assessment.release == Assessment.Release.AFTER_CLOSE:
        if released:
            return Standing(window, released, "Released at the close")
        return Standing(window, released, f"At the close, {_when(closes)}")
    if released and assessment.released_at is not None:
        return Standing(window, released, f"Released {_when(assessment.released_at)}")
    return Standing(window, released, "Not yet released: an instructor releases them")


def _get(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d %b %Y, %H:%M}"


# The gradebook -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptSummary:
    pk: int
    started_at: datetime
    completed_at: datetime | None
    ended: str
    deadline: datetime | None
    score: float
    asked: int


@dataclass(frozen=True)
class GradebookRow:
    """One learner: their standing from their latest attempt, their score from their
    latest finished one."""

    learner: Any
    attempts: int
    latest: AttemptSummary | None
    graded: AttemptSummary | None
    now: datetime

    @property
    def status(self) -> str:
        if self.latest is None:
            return NOT_STARTED
        if self.latest.completed_at is None:
            return IN_PROGRESS
        return FINALIZED if self.latest.ended == "deadline" else SUBMITTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def overdue(self) -> bool:
        """In progress past its deadline: finalized at the deadline on the learner's next
        visit or by `finalize_overdue`."""
        latest = self.latest
        return bool(
            latest
            and latest.completed_at is None
            and latest.deadline
            and latest.deadline < self.now
        )

    @property
    def score(self) -> float | None:
        return self.graded.score if self.graded else None

    @property
    def asked(self) -> int | None:
        return self.graded.asked if self.graded else None

    @property
    def percentage(self) -> float | None:
        if self.graded is None or not self.graded.asked:
            return None
        return 100 * self.graded.score / self.graded.asked

    @property
    def time_used(self) -> timedelta | None:
        """The finished attempt's time; for one in progress, the time so far."""
        if self.graded is not None and self.graded.completed_at is not None:
            return max(self.graded.completed_at - self.graded.started_at, timedelta(0))
        if self.latest is not None:
            until = min(t for t in (self.now, self.latest.deadline) if t)
            return max(until - self.latest.started_at, timedelta(0))
        return None

    @property
    def time_so_far(self) -> bool:
        return self.graded is None and self.latest is not None

    @property
    def time_words(self) -> str:
        return duration_words(self.time_used)


def duration_words(duration: timedelta | None) -> str:
    if duration is None:
        return ""
    minutes = round(duration.total_seconds() / 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def gradebook(assessment: Assessment, now: datetime | None = None) -> list[GradebookRow]:
    """One row per learner of the cohort, by username. Two queries."""
    now = now or timezone.now()
    attempts: dict[int, list[AttemptSummary]] = defaultdict(list)
    for row in (
        Attempt.objects.filter(assessment=assessment)
        .order_by("started_at", "pk")
        .values("pk", "user_id", "started_at", "completed_at", "ended", "deadline")
        .annotate(
            total=Sum("attempt_cases__responses__score"),
            asked=Count("attempt_cases__responses"),
        )
    ):
        attempts[row["user_id"]].append(
            AttemptSummary(
                pk=row["pk"],
                started_at=row["started_at"],
                completed_at=row["completed_at"],
                ended=row["ended"],
                deadline=row["deadline"],
                score=row["total"] or 0.0,
                asked=row["asked"],
            )
        )
    rows = []
    for membership in cohorts.members(assessment.cohort):
        theirs = attempts.get(membership.user_id, [])
        finished = [a for a in theirs if a.completed_at is not None]
        rows.append(
            GradebookRow(
                learner=membership.user,
                attempts=len(theirs),
                latest=theirs[-1] if theirs else None,
                graded=finished[-1] if finished else None,
                now=now,
            )
        )
    return rows


GRADEBOOK_COLUMNS = (
    "username",
    "email",
    "status",
    "score",
    "items",
    "percent",
    "minutes_used",
    "attempts",
    "started_at",
    "completed_at",
)


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def gradebook_csv(rows: Iterable[GradebookRow]) -> str:
    """The gradebook as CSV: the status as its code, times in the site's time zone."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GRADEBOOK_COLUMNS)
    for row in rows:
        shown = row.graded or row.latest
        used = row.time_used
        writer.writerow(
            [
                row.learner.get_username(),
                row.learner.email,
                row.status,
                _number(row.score),
                "" if row.asked is None else row.asked,
                _number(row.percentage, 1),
                "" if used is None else _number(used.total_seconds() / 60, 1),
                row.attempts,
                _iso(shown.started_at if shown else None),
                _iso(shown.completed_at if shown else None),
            ]
        )
    return out.getvalue()


# One attempt in review -----------------------------------------------------------------------


def attempt_for_review(assessment: Assessment, attempt_id: int) -> Attempt | None:
    """An attempt at this assessment (the caller has checked who may see the assessment)."""
    return (
        Attempt.objects.filter(assessment=assessment, pk=attempt_id).select_related("user").first()
    )


@dataclass(frozen=True)
class ReviewItem:
    response: Response
    given: str
    key: str


@dataclass(frozen=True)
class ReviewCase:
    position: int
    title: str
    items: list[ReviewItem]


@dataclass(frozen=True)
class AttemptReview:
    cases: list[ReviewCase]

    @property
    def score(self) -> float:
        return sum(item.response.score for case in self.cases for item in case.items)

    @property
    def asked(self) -> int:
        return sum(len(case.items) for case in self.cases)


def review(attempt: Attempt) -> AttemptReview:
    """Each case as the learner met it (in their order), each item with what they gave,
    the key and the stored explanation; nothing for an attempt not yet graded. Two
    queries."""
    if not attempt.is_complete:
        return AttemptReview([])
    cases = []
    for attempt_case in attempt.attempt_cases.prefetch_related("responses"):
        content = attempt_case.grading_content
        cases.append(
            ReviewCase(
                position=attempt_case.position,
                title=content.case.title,
                items=[
                    ReviewItem(
                        response=response,
                        given=answer_words(content, response.item, response.given, response.key),
                        key=answer_words(content, response.item, response.key, response.key),
                    )
                    for response in attempt_case.responses.all()
                ],
            )
        )
    return AttemptReview(cases)


def choice_label(kind: str, value: Any, options: Mapping[Any, str]) -> str:
    """One choice in words: an answer, a site, or a next step's option (`options`: the
    texts by the numbers that attempt gave them)."""
    if value in ("", None):
        return NO_ANSWER
    if kind == grading.NEXT_STEP:
        return options.get(value) or f"Option {value}"
    if kind == grading.SITE:
        return grading.SITE_NAMES.get(value, str(value))
    return grading.ANSWER_LABELS.get(value, str(value))


def answer_words(content: grading.CaseContent, item: str, value: Any, key: Any) -> str:
    """What a response's `given` (or `key`) says. The findings: each in the key's order,
    with the sign chosen for it."""
    if item != grading.FINDINGS:
        return choice_label(item, value, {o.id: o.text for o in content.options})
    names = {f.code: f.name for f in content.findings}
    chosen = value if isinstance(value, Mapping) else {}
    return "; ".join(
        f"{names.get(code, code)}: {grading.SIGN_LABELS.get(chosen.get(code, ''), 'no answer')}"
        for code in key
    )


# Item analysis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerCount:
    label: str
    count: int
    percent: float
    is_key: bool
    # Scored as right: the key, or a site the case also accepts.
    credited: bool


@dataclass(frozen=True)
class ItemStats:
    number: int
    case_id: int
    case_title: str
    kind: str
    facility: float | None
    sd: float | None
    discrimination: float | None
    answers: tuple[AnswerCount, ...]

    @property
    def code(self) -> str:
        return f"case {self.case_id}: {self.kind}"

    @property
    def kind_label(self) -> str:
        return grading.ITEM_LABELS[self.kind]

    @property
    def label(self) -> str:
        return f"{self.case_title}: {self.kind_label}"

    @property
    def flags(self) -> list[str]:
        """Why the item may deserve a second look, by the rules of thumb above."""
        said = []
        if self.discrimination is not None and self.discrimination < 0:
            said.append("Negative discrimination: check the key and the wording")
        elif self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            said.append(f"Low discrimination (under {LOW_DISCRIMINATION})")
        if self.facility is not None and self.facility > VERY_EASY:
            said.append(f"Very easy (over {VERY_EASY:.0%} right)")
        elif self.facility is not None and self.facility < VERY_HARD:
            said.append(f"Very hard (under {VERY_HARD:.0%} right)")
        return said


@dataclass(frozen=True)
class Miss:
    """How often the cohort got one thing wrong."""

    label: str
    asked: int  # answered: blanks are counted apart, never as wrong
    wrong: int
    blank: int = 0

    @property
    def percent(self) -> float:
        return 100 * self.wrong / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class KeyMiss:
    """For cases of one localization key: misses before and after the tests."""

    label: str
    before: Miss
    after: Miss


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Dot:
    number: int
    label: str
    facility: float
    discrimination: float
    x: float
    y: float
    # Flagged for a second look: the chart writes its number beside it.
    flagged: bool


@dataclass(frozen=True)
class Tick:
    label: str
    at: float


@dataclass(frozen=True)
class Analysis:
    n: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None
    sem: float | None
    max_score: int
    items: list[ItemStats]
    findings: list[Miss]
    keys: list[KeyMiss]
    histogram: list[Bar]
    scatter: list[Dot]

    @property
    def mean_percent(self) -> float | None:
        if self.mean is None or not self.max_score:
            return None
        return 100 * self.mean / self.max_score

    @property
    def histogram_ticks(self) -> list[Tick]:
        return histogram_ticks(self.histogram)

    @property
    def histogram_x_ticks(self) -> tuple[Tick, ...]:
        return HISTOGRAM_X_TICKS

    @property
    def unplotted(self) -> list[ItemStats]:
        """Items the chart cannot place: everyone scored them alike."""
        return [i for i in self.items if i.discrimination is None or i.facility is None]

    @property
    def flagged(self) -> list[ItemStats]:
        return [i for i in self.items if i.flags]


def _first_attempts(assessment: Assessment) -> list[int]:
    """Each current learner's first attempt, if it is finished."""
    first: dict[int, tuple[int, datetime | None]] = {}
    for pk, user_id, completed_at in (
        Attempt.objects.filter(
            assessment=assessment, user__memberships__cohort=assessment.cohort_id
        )
        .order_by("started_at", "pk")
        .values_list("pk", "user_id", "completed_at")
    ):
        first.setdefault(user_id, (pk, completed_at))
    return [pk for pk, completed_at in first.values() if completed_at is not None]


def _contents(attempt_ids: list[int]) -> dict[int, grading.CaseContent]:
    """One snapshot of each case asked: its title, findings and options."""
    firsts = (
        AttemptCase.objects.filter(attempt_id__in=attempt_ids)
        .values("content__case__id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    contents = [
        grading.CaseContent.model_validate(content)
        for content in AttemptCase.objects.filter(pk__in=firsts).values_list("content", flat=True)
    ]
    return {content.case.id: content for content in contents}


def _asked(attempt_ids: list[int], options: int) -> dict[int, tuple[int, int, dict[Any, str]]]:
    """Per attempt case: its attempt, the case asked, and the case's next-step options as
    numbered in that attempt (only their numbers and texts are read, not the snapshot)."""
    columns = [
        f"content__next_step__options__{i}__{part}"
        for i in range(options)
        for part in ("id", "text")
    ]
    asked = {}
    for pk, attempt_id, case_id, *pairs in AttemptCase.objects.filter(
        attempt_id__in=attempt_ids
    ).values_list("pk", "attempt_id", "content__case__id", *columns):
        numbered = {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2) if pairs[i] is not None}
        asked[pk] = (attempt_id, case_id, numbered)
    return asked


def _choices(
    kind: str, content: grading.CaseContent | None, counts: Counter, key: str
) -> list[str]:
    """The choices to list for an item, in their usual order: every answer; the sites
    chosen; every option (an option no one chose is a distractor that does no work)."""
    if kind in (grading.LOCALIZATION, grading.REVISED):
        usual = [grading.ANSWER_LABELS[a] for a in ANSWERS]
    elif kind == grading.SITE:
        usual = [grading.SITE_NAMES[s] for s in grading.SITE_NAMES]
        usual = [label for label in usual if counts[label] or label == key]
    else:
        usual = [o.text for o in content.options] if content else []
    rest = [label for label in counts if label not in usual and label != NO_ANSWER]
    return usual + rest + ([NO_ANSWER] if counts[NO_ANSWER] else [])


def analysis(assessment: Assessment) -> Analysis:
    """The item analysis of the learners' first finished attempts: `statistics.item_analysis`
    over the scores, the answers chosen for each item, and what the cohort misses. Five
    queries whatever the number of learners and items."""
    attempt_ids = _first_attempts(assessment)
    if not attempt_ids:
        return Analysis(0, None, None, None, None, None, 0, [], [], [], [], [])
    contents = _contents(attempt_ids)
    asked = _asked(attempt_ids, max((len(c.options) for c in contents.values()), default=0))
    order = dict(
        QuizCase.objects.filter(quiz=assessment.quiz_id).values_list("case_id", "position")
    )

    scores: dict[int, dict[tuple[int, str], float]] = defaultdict(dict)
    given: dict[tuple[int, str], Counter] = defaultdict(Counter)
    keys: dict[tuple[int, str], str] = {}
    credited: dict[tuple[int, str], set[str]] = defaultdict(set)
    # [answered, wrong, left blank]
    finding_misses: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    key_misses: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for attempt_case_id, kind, score, value, key in Response.objects.filter(
        attempt_case__attempt_id__in=attempt_ids
    ).values_list("attempt_case_id", "item", "score", "given", "key"):
        attempt_id, case_id, numbered = asked[attempt_case_id]
        item = (case_id, kind)
        scores[attempt_id][item] = score
        if kind in CHOICE_ITEMS:
            label = choice_label(kind, value, numbered)
            given[item][label] += 1
            keys[item] = choice_label(kind, key, numbered)
            if score == 1:
                credited[item].add(label)
        if kind in (grading.LOCALIZATION, grading.REVISED):
            tally = key_misses[(key, kind)]
            if value in ("", None):
                tally[2] += 1
            else:
                tally[0] += 1
                tally[1] += score < 1
        if kind == grading.FINDINGS:
            chosen = value if isinstance(value, Mapping) else {}
            for code, sign in key.items():
                tally = finding_misses[code]
                if not chosen.get(code):
                    tally[2] += 1
                    continue
                tally[0] += 1
                tally[1] += chosen.get(code) != sign

    items = sorted(
        {item for row in scores.values() for item in row},
        key=lambda item: (
            order.get(item[0], len(order) + 1),
            item[0],
            grading.ITEMS.index(item[1]),
        ),
    )
    rows = [[scores[a].get(item, 0.0) for item in items] for a in attempt_ids]
    stats = statistics.item_analysis(rows)
    titles = {pk: content.case.title for pk, content in contents.items()}
    names = {f.code: f.name for content in contents.values() for f in content.findings}
    reports = []
    for number, ((case_id, kind), figures) in enumerate(
        zip(items, stats["items"], strict=True), start=1
    ):
        item = (case_id, kind)
        counts = given.get(item, Counter())
        total = sum(counts.values())
        answers = tuple(
            AnswerCount(
                label=label,
                count=counts[label],
                percent=100 * counts[label] / total if total else 0.0,
                is_key=label == keys.get(item),
                credited=label in credited[item],
            )
            for label in (
                _choices(kind, contents.get(case_id), counts, keys.get(item, ""))
                if kind in CHOICE_ITEMS
                else []
            )
        )
        reports.append(
            ItemStats(
                number=number,
                case_id=case_id,
                case_title=titles.get(case_id, f"Case {case_id}"),
                kind=kind,
                facility=figures["facility"],
                sd=figures["sd"],
                discrimination=figures["discrimination"],
                answers=answers,
            )
        )
    findings = sorted(
        (
            Miss(names.get(code, code), asked_, wrong, blank)
            for code, (asked_, wrong, blank) in finding_misses.items()
        ),
        key=lambda m: (-m.percent, m.label),
    )
    by_key = [
        KeyMiss(
            label=grading.ANSWER_LABELS[answer],
            before=Miss("", *key_misses.get((answer, grading.LOCALIZATION), [0, 0, 0])),
            after=Miss("", *key_misses.get((answer, grading.REVISED), [0, 0, 0])),
        )
        for answer in ANSWERS
        if (answer, grading.LOCALIZATION) in key_misses or (answer, grading.REVISED) in key_misses
    ]
    return Analysis(
        n=stats["n"],
        mean=stats["mean"],
        median=stats["median"],
        sd=stats["sd"],
        alpha=stats["alpha"],
        sem=stats["sem"],
        max_score=len(items),
        items=reports,
        findings=findings,
        keys=by_key,
        histogram=histogram([sum(row) for row in rows], len(items)),
        scatter=scatter(reports),
    )


ANALYSIS_COLUMNS = (
    "number",
    "item",
    "case_id",
    "case_title",
    "kind",
    "facility",
    "sd",
    "discrimination",
    "flags",
    "answers",
)


def analysis_csv(report: Analysis) -> str:
    """One row per item; its answers as "label: count" with the key marked."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ANALYSIS_COLUMNS)
    for item in report.items:
        writer.writerow(
            [
                item.number,
                item.code,
                item.case_id,
                item.case_title,
                item.kind,
                _number(item.facility, 3),
                _number(item.sd, 3),
                _number(item.discrimination, 3),
                "; ".join(item.flags),
                "; ".join(
                    f"{a.label}{' (key)' if a.is_key else ''}: {a.count}" for a in item.answers
                ),
            ]
        )
    return out.getvalue()


# The charts, drawn on the page as SVG: the geometry here, the markup in the template --------

CHART_WIDTH, CHART_HEIGHT = 480, 280
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 48, 468, 16, 232
BINS = 10


@dataclass(frozen=True)
class Frame:
    """A chart's canvas and plotting area, in SVG user units."""

    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


FRAME = Frame()


def _count_axis(tallest: int) -> tuple[int, int]:
    """A whole-number step for the count axis, at most four steps to the top, and the top
    (a whole number of steps, at least the tallest bar)."""
    step = max(1, math.ceil(tallest / 4))
    return step, step * max(1, math.ceil(tallest / step))


def histogram(totals: list[float], max_score: int) -> list[Bar]:
    """Learners by total score, in ten bands of ten percent (the last takes 100%)."""
    counts = [0] * BINS
    for total in totals:
        share = total / max_score if max_score else 0
        counts[min(int(share * BINS), BINS - 1)] += 1
    _, top = _count_axis(max(counts, default=0))
    slot = (PLOT_RIGHT - PLOT_LEFT) / BINS
    bars = []
    for i, count in enumerate(counts):
        height = (PLOT_BOTTOM - PLOT_TOP) * count / top
        low, high = i * 100 // BINS, (i + 1) * 100 // BINS
        bars.append(
            Bar(
                label=f"{low}\N{EN DASH}{high if i == BINS - 1 else high - 1}%",
                count=count,
                x=PLOT_LEFT + i * slot + 3,
                y=PLOT_BOTTOM - height,
                width=slot - 6,
                height=height,
            )
        )
    return bars


def histogram_ticks(bars: list[Bar]) -> list[Tick]:
    """The count axis, in whole learners."""
    step, top = _count_axis(max((b.count for b in bars), default=0))
    span = PLOT_BOTTOM - PLOT_TOP
    return [Tick(str(v), PLOT_BOTTOM - span * v / top) for v in range(0, top + 1, step)]


# The score axis: the bands' edges, in percent.
HISTOGRAM_X_TICKS = tuple(
    Tick(str(v), PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * v / 100) for v in range(0, 101, 10)
)


def _x(facility: float) -> float:
    return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * facility


def _y(discrimination: float) -> float:
    return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * (discrimination + 1) / 2


def scatter(items: list[ItemStats]) -> list[Dot]:
    """Each item the data can place: across, its facility (0 to 1); up, its discrimination
    (-1 to 1)."""
    return [
        Dot(
            number=item.number,
            label=item.label,
            facility=item.facility,
            discrimination=item.discrimination,
            x=_x(item.facility),
            y=_y(item.discrimination),
            flagged=bool(item.flags),
        )
        for item in items
        if item.facility is not None and item.discrimination is not None
    ]


@dataclass(frozen=True)
class ScatterAxes:
    x_ticks: tuple[Tick, ...] = tuple(Tick(f"{v:.1f}", _x(v)) for v in (0, 0.2, 0.4, 0.6, 0.8, 1))
    y_ticks: tuple[Tick, ...] = tuple(Tick(f"{v:.1f}", _y(v)) for v in (-1, -0.5, 0, 0.5, 1))
    zero: float = _y(0)
    low: float = LOW_DISCRIMINATION
    low_at: float = _y(LOW_DISCRIMINATION)


SCATTER_AXES = ScatterAxes()
