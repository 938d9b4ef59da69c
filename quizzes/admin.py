from django.contrib import admin

from neurolocalize.admin import ReadOnlyAdmin
from quizzes.models import (
    Accommodation,
    Assessment,
    Attempt,
    AttemptCase,
    Cohort,
    Membership,
    ProblemReport,
    Quiz,
    QuizCase,
    Response,
)


class QuizCaseInline(admin.TabularInline):
    model = QuizCase
    extra = 1
    raw_id_fields = ["case"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "mode", "selection", "is_listed", "position"]
    list_filter = ["mode", "selection", "is_listed"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuizCaseInline]


@admin.register(QuizCase)
class QuizCaseAdmin(admin.ModelAdmin):
    list_display = ["quiz", "case", "position"]
    list_select_related = ["quiz", "case"]
    raw_id_fields = ["case"]


# Learners' records are evidence: staff may read them, never rewrite them.


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["title", "user", "started_at", "completed_at", "case_count"]
    list_filter = ["completed_at"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]


@admin.register(AttemptCase)
class AttemptCaseAdmin(ReadOnlyAdmin):
    list_display = ["attempt", "position", "case", "answered_at"]
    list_select_related = ["attempt__user", "case"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["attempt_case", "item", "score", "answered_at"]
    list_filter = ["item"]
    list_select_related = ["attempt_case__attempt__user"]


@admin.register(ProblemReport)
class ProblemReportAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "reporter", "created_at", "resolved_at"]
    list_filter = ["kind", "resolved_at"]
    list_select_related = ["case", "reporter"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    """Cohorts are run from the instructor area; here an administrator can mend one."""

    list_display = ["name", "code", "created_at"]
    search_fields = ["name", "code"]
    filter_horizontal = ["instructors"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["cohort", "user", "how", "joined_at"]
    list_filter = ["how"]
    list_select_related = ["cohort", "user"]
    search_fields = ["cohort__name", "user__username", "user__email"]


class AccommodationInline(admin.TabularInline):
    model = Accommodation
    extra = 0
    raw_id_fields = ["learner"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Assessments are scheduled from the instructor area; here an administrator can mend
    one."""

    list_display = ["title", "cohort", "opens_at", "closes_at", "release", "released_at"]
    list_filter = ["release"]
    list_select_related = ["cohort"]
    search_fields = ["title", "cohort__name"]
    raw_id_fields = ["quiz", "cohort", "created_by"]
    inlines = [AccommodationInline]


@admin.register(Accommodation)
class AccommodationAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "learner", "extra_minutes", "opens_at", "closes_at"]
    list_select_related = ["assessment", "learner"]
    search_fields = ["assessment__title", "learner__username", "reason"]
