from django import forms
from django.contrib import admin

from cases.models import (
    Case,
    CaseFinding,
    Finding,
    GuidelineStatement,
    NextStepOption,
    NextStepQuestion,
    Reference,
    Tag,
    TeachingPoint,
)


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "source", "year"]


@admin.register(GuidelineStatement)
class GuidelineStatementAdmin(admin.ModelAdmin):
    list_display = ["key", "topic", "text"]
    list_filter = ["topic"]
    search_fields = ["key", "text"]
    filter_horizontal = ["citations"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
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
    filter_horizontal = ["statements"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "answer", "difficulty", "updated_at"]
    list_filter = ["status", "answer", "difficulty", "tags"]
    search_fields = ["title", "slug", "stem"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    raw_id_fields = ["author"]
    inlines = [CaseFindingInline, TeachingPointInline]


class NextStepOptionFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) < 2 or sum(bool(data.get("is_correct")) for data in kept) != 1:
            raise forms.ValidationError(
                "A next-step question needs at least two options and exactly one correct one."
            )


class NextStepOptionInline(admin.StackedInline):
    model = NextStepOption
    formset = NextStepOptionFormSet
    extra = 0
    filter_horizontal = ["statements"]


@admin.register(NextStepQuestion)
class NextStepQuestionAdmin(admin.ModelAdmin):
    list_display = ["case", "prompt"]
    search_fields = ["case__title", "prompt"]
    raw_id_fields = ["case"]
    inlines = [NextStepOptionInline]


@admin.register(CaseFinding)
class CaseFindingAdmin(admin.ModelAdmin):
    list_display = ["case", "finding", "present", "region", "side"]
    list_filter = ["present", "finding__category", "region"]
    search_fields = ["case__title", "finding__code"]
    list_select_related = ["case", "finding"]
    raw_id_fields = ["case"]


@admin.register(TeachingPoint)
class TeachingPointAdmin(admin.ModelAdmin):
    list_display = ["case", "position", "text", "explains_rule"]
    list_select_related = ["case"]
    search_fields = ["case__title", "text"]
    raw_id_fields = ["case"]
    filter_horizontal = ["statements"]


@admin.register(NextStepOption)
class NextStepOptionAdmin(admin.ModelAdmin):
    list_display = ["question", "text", "is_correct"]
    list_select_related = ["question__case"]
    search_fields = ["text", "question__case__title"]
    raw_id_fields = ["question"]
    filter_horizontal = ["statements"]
