from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet

from cases import localization
from cases.models import Case, Tag
from quizzes import grading


class QuizQuerySet(models.QuerySet):
    def listed(self) -> "QuizQuerySet":
        return self.filter(is_listed=True, mode=Quiz.Mode.PRACTICE)

    def practice(self) -> "QuizQuerySet":
        return self.filter(mode=Quiz.Mode.PRACTICE)


class Quiz(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice"
        EXAM = "exam", "Exam"

    class Selection(models.TextChoices):
        FIXED = "fixed", "A fixed, ordered list of cases"
        DRAWN = "drawn", "Drawn fresh for each attempt by a rule"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.PRACTICE)
    selection = models.CharField(max_length=10, choices=Selection, default=Selection.FIXED)
    cases = models.ManyToManyField(Case, through="QuizCase", related_name="quizzes", blank=True)
    draw_count = models.PositiveSmallIntegerField(
        default=10, help_text="For drawn quizzes: how many published cases to draw."
    )
    draw_answer = models.CharField(max_length=10, choices=Case.Answer, blank=True)
    draw_tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL)
    draw_difficulty = models.CharField(max_length=20, choices=Case.Difficulty, blank=True)
    draw_site = models.CharField(
        max_length=20, choices=list(localization.SITE_NAMES.items()), blank=True
    )
    is_listed = models.BooleanField(default=True, help_text="Shown to learners.")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(draw_count__gte=1) & Q(draw_count__lte=100),
                name="quiz_draw_count_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def draw_pool(self) -> QuerySet[Case]:
        """The published cases a drawn set's rule draws from (unevaluated): each part of the
        rule left blank matches every case."""
        cases = Case.objects.published()
        if self.draw_answer:
            cases = cases.filter(answer=self.draw_answer)
        if self.draw_site:
            cases = cases.filter(site=self.draw_site)
        if self.draw_tag_id:
            cases = cases.filter(tags=self.draw_tag_id)
        if self.draw_difficulty:
            cases = cases.filter(difficulty=self.draw_difficulty)
        return cases


class QuizCase(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_cases")
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["quiz", "case"], name="unique_quiz_case")]

    def __str__(self) -> str:
        return f"{self.quiz}: {self.case}"


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    # Null for a set made for one learner (their weakest signs).
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    title = models.CharField(max_length=120)
    case_count = models.PositiveSmallIntegerField()
    # An instructor trying a version of a case as learners will meet it: never counted in
    # anyone's progress.
    is_preview = models.BooleanField(default=False)
    # An attempt at an assessment: timed, autosaved, no feedback until release.
    assessment = models.ForeignKey(
        "Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    # When the server stops taking answers (the time limit or the close, whichever is
    # first, for this learner); a grace for saves in flight follows it.
    deadline = models.DateTimeField(null=True, blank=True)
    # Bumped by every save: a page that saves with an older number is stale (another tab).
    revision = models.PositiveIntegerField(default=0)
    ended = models.CharField(
        max_length=10,
        blank=True,
        choices=[("submitted", "Submitted"), ("deadline", "Finalized at the deadline")],
    )
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["user", "-started_at"])]
        constraints = [
            # One unfinished attempt per learner and quiz: starting again resumes it.
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(completed_at__isnull=True, quiz__isnull=False),
                name="one_open_attempt_per_quiz",
            ),
            models.UniqueConstraint(
                fields=["user", "assessment"],
                condition=Q(completed_at__isnull=True, assessment__isnull=False),
                name="one_open_attempt_per_assessment",
            ),
            models.CheckConstraint(
                condition=Q(assessment__isnull=True) | Q(deadline__isnull=False),
                name="exam_attempt_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(ended="") | Q(completed_at__isnull=False),
                name="ended_attempt_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.user})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class AttemptCase(models.Model):
    """One case as asked in an attempt, with the content shown frozen at the start."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="attempt_cases")
    case = models.ForeignKey(Case, null=True, on_delete=models.SET_NULL)
    position = models.PositiveSmallIntegerField()
    content = models.JSONField()
    # Stage 1 (the localization, the site and certainty, before the tests) is committed at
    # `committed_at`; the case is answered, stage 2 and all, at `answered_at`.
    committed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # In an exam: the choices saved so far (graded only when the attempt ends), and the
    # learner's flag to come back to it.
    draft = models.JSONField(default=dict, blank=True)
    flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_attempt_position"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(committed_at__isnull=False),
                name="answered_after_committed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} #{self.position}"

    @cached_property
    def grading_content(self) -> grading.CaseContent:
        return grading.CaseContent.model_validate(self.content)

    @property
    def answered_in_stages(self) -> bool:
        """Committed before the tests, then answered: not a case answered in one go (before
        stages existed, when the migration set both times alike)."""
        return self.committed_at is not None and self.committed_at != self.answered_at

    @property
    def stage(self) -> int:
        """The stage the learner is at: 1 before committing, 2 after, 3 for the results."""
        if self.committed_at is None:
            return grading.STAGE_ONE
        return grading.STAGE_TWO if self.answered_at is None else grading.RESULTS


class Response(models.Model):
    """A learner's answer to one item of one case, graded, with the explanation shown."""

    class Item(models.TextChoices):
        LOCALIZATION = grading.LOCALIZATION, grading.ITEM_LABELS[grading.LOCALIZATION]
        SITE = grading.SITE, grading.ITEM_LABELS[grading.SITE]
        REVISED = grading.REVISED, grading.ITEM_LABELS[grading.REVISED]
        FINDINGS = grading.FINDINGS, grading.ITEM_LABELS[grading.FINDINGS]
        NEXT_STEP = grading.NEXT_STEP, grading.ITEM_LABELS[grading.NEXT_STEP]

    attempt_case = models.ForeignKey(
        AttemptCase, on_delete=models.CASCADE, related_name="responses"
    )
    item = models.CharField(max_length=20, choices=Item)
    given = models.JSONField()
    key = models.JSONField()
    score = models.FloatField()
    explanation = models.JSONField()
    # How sure the learner was, for the localization item; blank elsewhere and before it
    # was asked.
    certainty = models.CharField(
        max_length=12, blank=True, choices=list(grading.CERTAINTY_LABELS.items())
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt_case", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt_case", "item"], name="one_response_per_item"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="response_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_case} {self.item}: {self.score:.2f}"

    @property
    def why(self) -> dict | None:
        """The point shown under the verdict, in a sentence or two; the rest of the
        explanation stays folded. Explanations stored before grading chose one: for a wrong
        localization, the first reason it does not fit."""
        if "why" in self.explanation:
            return self.explanation["why"]
        if self.item != self.Item.LOCALIZATION or self.score == 1:
            return None
        points = self.explanation.get("points", [])
        return next((p for p in points if p["kind"] == "contradiction"), None)

    @property
    def source_labels(self) -> dict[str, str]:
        """How a point names each source it cites (explanations stored before named sources
        had none)."""
        return {s["key"]: s["label"] for s in self.explanation.get("sources", [])}


class ProblemReport(models.Model):
    """A learner's report of a problem with a case, as it was shown to them; an instructor
    resolves it, and who, when and how are recorded."""

    class Kind(models.TextChoices):
        KEY = "key", "The answer key seems wrong"
        TYPO = "typo", "A typo or unclear wording"
        OTHER = "other", "Something else"

    attempt_case = models.ForeignKey(
        AttemptCase, on_delete=models.CASCADE, related_name="problem_reports"
    )
    # The case reported, kept even if the attempt goes; null only if the case is deleted.
    case = models.ForeignKey(
        Case, null=True, on_delete=models.SET_NULL, related_name="problem_reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolved_reports",
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="resolved_report_says_how",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.case or self.attempt_case}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Cohort(models.Model):
    """A group of learners (a residency year, say) and the instructors who run it."""

    name = models.CharField(max_length=120)
    # What learners type to join: short, unambiguous when read aloud or off a slide.
    code = models.CharField(max_length=12, unique=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_cohorts")
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="cohorts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_code(self) -> str:
        """The code as people read it: two groups of four."""
        return f"{self.code[:4]}-{self.code[4:]}"


class Membership(models.Model):
    class How(models.TextChoices):
        CODE = "code", "Joined with the code"
        ADDED = "added", "Added by an instructor"
        CSV = "csv", "Added from a list of e-mails"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    how = models.CharField(max_length=10, choices=How)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="one_membership_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class Assessment(models.Model):
    """An exam-mode quiz given to a cohort in a window, with a time limit and a policy for
    releasing results."""

    class Release(models.TextChoices):
        IMMEDIATE = "immediate", "Right after each learner submits"
        AFTER_CLOSE = "after_close", "After the close time (the latest, with accommodations)"
        MANUAL = "manual", "When an instructor releases them"

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="assessments")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=120)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: the window alone limits the time."
    )
    attempts_allowed = models.PositiveSmallIntegerField(default=1)
    shuffle_cases = models.BooleanField(default=True)
    shuffle_options = models.BooleanField(default=True)
    release = models.CharField(max_length=12, choices=Release, default=Release.AFTER_CLOSE)
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="assessment_closes_after_it_opens",
                violation_error_message="The close time must come after the open time.",
            ),
            models.CheckConstraint(
                condition=Q(attempts_allowed__gte=1), name="assessment_allows_an_attempt"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                name="assessment_time_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Accommodation(models.Model):
    """One learner's different terms for an assessment: extra time, a different window,
    and why."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="accommodations"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accommodations"
    )
    extra_minutes = models.PositiveSmallIntegerField(default=0)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "learner"], name="one_accommodation_per_learner"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="accommodation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.assessment}"
