from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from cases.models import (
    Case,
    CaseEvent,
    CaseFinding,
    CaseVersion,
    Finding,
    GuidelineStatement,
    Lesson,
    NextStepOption,
    NextStepQuestion,
    Reference,
    Source,
    Tag,
    TeachingPoint,
)
from cases.schema import BankInvalid
from cases.services import check_saved_case, record_admin_edit
from neurolocalize.admin import ReadOnlyAdmin


class CaseContentAdmin(admin.ModelAdmin):
    """An admin page that edits part of a case's content.

    After a save or a delete, a published case must still pass the schema (so it can be
    graded); if it would not, the whole change is undone and the reasons are shown.
    """

    actions = None  # a bulk delete would skip the check

    # The part's own case (or question) cannot be changed once saved: moving a part would
    # change a case this page does not check.
    parent_field = ""

    def case_of(self, obj) -> Case | None:
        return obj

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, self.parent_field] if obj and self.parent_field else fields

    def _checked(self, request: HttpRequest, view, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        # One admin instance serves every request: what a save touched goes on the request.
        request.touched_cases = []  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                for case in request.touched_cases:  # type: ignore[attr-defined]
                    # Locked, so two edits at once cannot each pass and together break it.
                    locked = Case.objects.select_for_update().filter(pk=case.pk)
                    if locked.filter(status=Case.Status.PUBLISHED).exists():
                        check_saved_case(case)
                    record_admin_edit(case)
        except BankInvalid as exc:
            list(messages.get_messages(request))  # drop the "saved" message: nothing was
            messages.error(
                request,
                "Nothing was saved: a published case must stay gradable. "
                + " ".join(f"{e.location}: {e.message}." for e in exc.errors),
            )
            return HttpResponseRedirect(request.get_full_path())
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._checked(request, super().changeform_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._checked(request, super().delete_view, object_id, extra_context)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if case := self.case_of(form.instance):
            request.touched_cases.append(case)

    def delete_model(self, request, obj) -> None:
        case = self.case_of(obj)
        super().delete_model(request, obj)
        if case is not None and case.pk is not None:
            request.touched_cases.append(case)


class KnowledgeBaseAdmin(ReadOnlyAdmin):
    """The guideline knowledge base is read here, never edited: `load_curated` keeps it in
    step with `cases/content/guideline.json`, and an edit to a lesson or a statement would
    change what every case teaches without the schema's checks."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reference)
class ReferenceAdmin(KnowledgeBaseAdmin):
    list_display = ["number", "title", "source", "year"]


@admin.register(GuidelineStatement)
class GuidelineStatementAdmin(KnowledgeBaseAdmin):
    list_display = ["key", "topic", "text"]
    list_filter = ["topic"]
    search_fields = ["key", "text"]
    filter_horizontal = ["citations"]


@admin.register(Finding)
class FindingAdmin(KnowledgeBaseAdmin):
    list_display = ["code", "name", "category"]
    list_filter = ["category"]
    search_fields = ["code", "name"]
    filter_horizontal = ["statements"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["slug"]


class CaseFindingInline(admin.TabularInline):
    model = CaseFinding
    extra = 1
    autocomplete_fields = ["finding"]


class TeachingPointInline(admin.StackedInline):
    model = TeachingPoint
    extra = 0
    filter_horizontal = ["statements", "sources"]


@admin.register(Source)
class SourceAdmin(KnowledgeBaseAdmin):
    list_display = ["key", "short", "doi", "pmid"]
    search_fields = ["key", "citation"]


@admin.register(Lesson)
class LessonAdmin(KnowledgeBaseAdmin):
    list_display = ["key", "trigger", "scope", "position"]
    list_filter = ["trigger"]
    filter_horizontal = ["statements", "sources"]


@admin.register(Case)
class CaseAdmin(CaseContentAdmin):
    list_display = ["title", "slug", "status", "answer", "site", "difficulty", "updated_at"]
    list_filter = ["status", "answer", "site", "difficulty", "tags"]
    search_fields = ["title", "slug", "stem"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    raw_id_fields = ["author"]
    inlines = [CaseFindingInline, TeachingPointInline]


class NextStepOptionInline(admin.StackedInline):
    model = NextStepOption
    extra = 0
    filter_horizontal = ["statements", "sources"]


@admin.register(NextStepQuestion)
class NextStepQuestionAdmin(CaseContentAdmin):
    parent_field = "case"
    list_display = ["case", "prompt"]
    search_fields = ["case__title", "prompt"]
    raw_id_fields = ["case"]
    inlines = [NextStepOptionInline]

    def case_of(self, obj: NextStepQuestion) -> Case | None:
        return obj.case


@admin.register(CaseFinding)
class CaseFindingAdmin(CaseContentAdmin):
    parent_field = "case"
    list_display = ["case", "finding", "present", "region", "side"]
    list_filter = ["present", "finding__category", "region"]
    search_fields = ["case__title", "finding__code"]
    list_select_related = ["case", "finding"]
    raw_id_fields = ["case"]

    def case_of(self, obj) -> Case | None:
        return obj.case


@admin.register(TeachingPoint)
class TeachingPointAdmin(CaseContentAdmin):
    parent_field = "case"
    list_display = ["case", "position", "text", "explains_rule"]
    list_select_related = ["case"]
    search_fields = ["case__title", "text"]
    raw_id_fields = ["case"]
    filter_horizontal = ["statements", "sources"]

    def case_of(self, obj) -> Case | None:
        return obj.case


@admin.register(NextStepOption)
class NextStepOptionAdmin(CaseContentAdmin):
    parent_field = "question"
    list_display = ["question", "text", "is_correct"]
    list_select_related = ["question__case"]
    search_fields = ["text", "question__case__title"]
    raw_id_fields = ["question"]
    filter_horizontal = ["statements", "sources"]

    def case_of(self, obj: NextStepOption) -> Case | None:
        return obj.question.case


@admin.register(CaseVersion)
class CaseVersionAdmin(ReadOnlyAdmin):
    """Versions are written by the instructor area and the loaders; here they are read."""

    list_display = ["case", "number", "state", "author", "updated_at", "published_at"]
    list_filter = ["state"]
    list_select_related = ["case", "author"]
    search_fields = ["case__title", "case__slug"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "version", "action", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__title", "comment"]
