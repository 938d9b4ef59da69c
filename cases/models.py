from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString

from cases import localization, schema
from cases.markdown import render_markdown


class Reference(models.Model):
    """A numbered reference of the guideline, as the source lists it."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Publisher or author.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"[{self.number}] {self.label}"

    @property
    def is_named(self) -> bool:
        """The guideline cites some numbers (5 to 8) without naming them."""
        return bool(self.title)

    @property
    def label(self) -> str:
        if not self.is_named:
            return "Cited by number in the guideline; not named in the source"
        return ", ".join(str(part) for part in (self.title, self.source, self.year) if part)


class Source(models.Model):
    """A named primary source, checked on its own page before it was added."""

    key = models.SlugField(max_length=60, unique=True)
    citation = models.TextField()
    short = models.CharField(max_length=60, blank=True, help_text="How a point names it.")
    doi = models.CharField("DOI", max_length=100, blank=True)
    pmid = models.CharField("PMID", max_length=12, blank=True)
    url = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.short or self.key


class GuidelineStatement(models.Model):
    class Topic(models.TextChoices):
        SIGNS = "signs", "Signs"
        DIAGNOSIS = "diagnosis", "Diagnosis"
        IMAGING = "imaging", "Imaging"
        LABORATORY = "laboratory", "Laboratory"
        ANATOMY = "anatomy", "Anatomy"
        PITFALLS = "pitfalls", "Pitfalls"
        MANAGEMENT = "management", "Management"

    key = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    topic = models.CharField(max_length=20, choices=Topic)
    text = models.TextField(help_text="The teaching statement, in our own words.")
    citations = models.ManyToManyField(Reference, related_name="statements")
    sources = models.ManyToManyField(Source, related_name="statements", blank=True)
    scope = models.JSONField(
        default=list,
        blank=True,
        help_text="Sites where the statement is true as a lesson; empty for everywhere.",
    )

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_topic_display()})"


class Finding(models.Model):
    class Category(models.TextChoices):
        UMN = localization.UMN, "UMN sign"
        LMN = localization.LMN, "LMN sign"
        SENSORY = localization.SENSORY, "Sensory"
        CONTEXT = localization.CONTEXT, "Context"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=10, choices=Category)
    statements = models.ManyToManyField(GuidelineStatement, related_name="findings", blank=True)
    explanation = models.TextField(
        blank=True, help_text="What the finding means, where its category's line would not do."
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            # The vocabulary is a contract (exports, tests, the rule): only its codes, each
            # with its own category.
            models.CheckConstraint(
                condition=reduce(
                    or_,
                    (
                        Q(code=code, category=category)
                        for code, category in localization.FINDING_CATEGORIES.items()
                    ),
                ),
                name="finding_in_vocabulary",
                violation_error_message=(
                    "Findings come from the fixed vocabulary: use one of its codes with "
                    "that code's category."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Lesson(models.Model):
    """A lesson explanations teach when its trigger fires and its scope applies."""

    key = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    trigger = models.CharField(max_length=20, choices=[(t, t) for t in schema.LESSON_TRIGGERS])
    scope = models.JSONField(default=list, blank=True)
    except_scope = models.JSONField(default=list, blank=True)
    when_present = models.JSONField(default=list, blank=True)
    unless_present = models.JSONField(default=list, blank=True)
    text = models.TextField()
    reminder = models.TextField(blank=True)
    statements = models.ManyToManyField(GuidelineStatement, related_name="lessons", blank=True)
    sources = models.ManyToManyField(Source, related_name="lessons", blank=True)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.key


class Tag(models.Model):
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class CaseQuerySet(models.QuerySet):
    def published(self) -> "CaseQuerySet":
        return self.filter(status=Case.Status.PUBLISHED)


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Answer(models.TextChoices):
        UMN = localization.UMN, "Upper motor neuron"
        LMN = localization.LMN, "Lower motor neuron"
        MIXED = localization.MIXED, "Both: mixed UMN and LMN"
        OTHER = localization.OTHER, "Neither: no upper or lower motor neuron lesion"

    class Difficulty(models.TextChoices):
        INTRODUCTORY = "introductory", "Introductory"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    stem = models.TextField(help_text="The presentation: history and examination, in Markdown.")
    investigations = models.TextField(
        blank=True, help_text="The results of tests (EMG/NCS, imaging, laboratory), in Markdown."
    )
    patient_age = models.PositiveSmallIntegerField()
    patient_sex = models.CharField(max_length=10, choices=Sex)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    difficulty = models.CharField(
        max_length=20, choices=Difficulty, default=Difficulty.INTERMEDIATE
    )
    tags = models.ManyToManyField(Tag, related_name="cases", blank=True)
    answer = models.CharField(max_length=10, choices=Answer)
    site = models.CharField(
        max_length=20,
        choices=list(localization.SITE_LABELS.items()),
        blank=True,
        help_text="Where the lesion is.",
    )
    differential = models.JSONField(
        default=list, blank=True, help_text="The other sites a careful clinician weighs."
    )
    site_accepts = models.JSONField(
        default=list,
        blank=True,
        help_text="Other sites the site item also accepts as right, where the case makes them "
        "defensible.",
    )
    # Fingerprint of the curated content as last loaded; a case whose content no longer
    # matches it was edited here, and the curated loader leaves it alone.
    curated_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # The number of the version learners get (the one the case's rows hold); the versions
    # themselves are `CaseVersion`s, recorded from the first edit or import on.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | ~Q(site=""),
                name="published_case_has_site",
                violation_error_message="A published case needs the lesion's site.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def site_name(self) -> str:
        return localization.SITE_NAMES.get(self.site, "")

    @property
    def has_published_version(self) -> bool:
        """Published now or retired: a version learners got, which its rows hold."""
        return self.status in (self.Status.PUBLISHED, self.Status.RETIRED)

    @property
    def stem_html(self) -> SafeString:
        return render_markdown(self.stem)


class CaseFinding(models.Model):
    class Region(models.TextChoices):
        BULBAR = "bulbar", "Bulbar"
        CERVICAL = "cervical", "Upper limb"
        THORACIC = "thoracic", "Trunk"
        LUMBOSACRAL = "lumbosacral", "Lower limb"

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BILATERAL = "bilateral", "Bilateral"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="case_findings")
    present = models.BooleanField(
        default=True, help_text="Untick for a finding explicitly absent (it teaches too)."
    )
    region = models.CharField(max_length=20, choices=Region, blank=True)
    side = models.CharField(max_length=10, choices=Side, blank=True)
    note = models.TextField(
        blank=True, help_text="For an absent finding: shown instead of the generic line."
    )

    class Meta:
        ordering = ["-present", "finding__code", "region", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "finding", "region", "side"], name="unique_case_finding"
            )
        ]

    def __str__(self) -> str:
        return f"{'' if self.present else 'no '}{self.finding.code}"


class TeachingPoint(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="teaching_points")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    statements = models.ManyToManyField(
        GuidelineStatement, related_name="teaching_points", blank=True
    )
    sources = models.ManyToManyField(Source, related_name="teaching_points", blank=True)
    explains_rule = models.BooleanField(
        default=False,
        help_text="Says why the answer key differs from what the localization rule gives.",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class NextStepQuestion(models.Model):
    """A single-best-answer question on workup or management for a case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="next_step")
    prompt = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.prompt


class NextStepOption(models.Model):
    question = models.ForeignKey(NextStepQuestion, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)
    rationale = models.TextField()
    statements = models.ManyToManyField(
        GuidelineStatement, related_name="next_step_options", blank=True
    )
    sources = models.ManyToManyField(Source, related_name="next_step_options", blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_correct=True),
                name="one_correct_option",
                violation_error_message="A question has exactly one correct option.",
            )
        ]

    def __str__(self) -> str:
        return self.text


class CaseVersion(models.Model):
    """One version of a case's content, as the schema has it (`cases.schema.CaseSchema`).

    A case has at most one open version (a draft, or one in review) and at most one
    published version, the one its rows hold and new attempts snapshot; publishing another
    supersedes it. Past attempts keep the content they snapshotted, whatever comes later.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    OPEN = (State.DRAFT, State.REVIEW)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State, default=State.DRAFT)
    content = models.JSONField(help_text="The case's content in the bank format.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Where the version came from when no one wrote it here (curated content, an import).
    origin = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_case_version"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state__in=["draft", "review"]),
                name="one_open_version_per_case",
                violation_error_message="A case has one draft at a time.",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state="published"),
                name="one_published_version_per_case",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(state__in=["published", "superseded"]),
                name="published_version_has_been_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} v{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class CaseEvent(models.Model):
    """A step in a case's life: who did it, when, to which version, and what they said."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        REVISED = "revised", "Started a new version"
        EDITED = "edited", "Edited another's draft"
        SUBMITTED = "submitted", "Sent for review"
        WITHDRAWN = "withdrawn", "Withdrawn from review"
        APPROVED = "approved", "Approved and published"
        CHANGES_REQUESTED = "changes_requested", "Asked for changes"
        DISCARDED = "discarded", "Discarded the draft"
        RETIRED = "retired", "Retired"
        REINSTATED = "reinstated", "Published again"
        LOADED = "loaded", "Updated from curated content or an import"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="changes_requested") | ~Q(comment=""),
                name="changes_requested_say_which",
                violation_error_message="Say what should change.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} v{self.version}: {self.action}"
