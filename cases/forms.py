"""Forms of the instructor area. They read and check input; the selectors and services act."""

from django import forms
from django.contrib.auth import get_user_model

from cases import localization
from cases.models import Case, Finding, Tag

SORT_LABELS = {
    "title": "Title",
    "-updated": "Last changed",
    "status": "Status",
    "answer": "Answer",
    "site": "Site",
}


class _ByName(forms.ModelChoiceField):
    """A finding shown by its name, never its internal code."""

    def label_from_instance(self, obj: Finding) -> str:
        return obj.name


class _BySlug(forms.ModelChoiceField):
    def label_from_instance(self, obj: Tag) -> str:
        return obj.slug


class CaseFilterForm(forms.Form):
    """The case list's search, filters and order, from the query string. An unknown value
    is an error shown beside its field, and the list is then shown unfiltered by it."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Case.Status.choices])
    answer = forms.ChoiceField(required=False, choices=[("", "Any answer"), *Case.Answer.choices])
    site = forms.ChoiceField(
        required=False,
        choices=[("", "Any site"), *localization.SITE_NAMES.items()],
    )
    finding = _ByName(
        queryset=Finding.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label="Any finding",
        label="Finding present",
    )
    tag = _BySlug(
        queryset=Tag.objects.all(), required=False, to_field_name="slug", empty_label="Any tag"
    )
    author = forms.ModelChoiceField(
        queryset=get_user_model()
        .objects.filter(case__isnull=False)
        .distinct()
        .order_by("username"),
        required=False,
        to_field_name="username",
        empty_label="Any author",
    )
    sort = forms.ChoiceField(required=False, choices=list(SORT_LABELS.items()), label="Order by")

    def filters(self) -> dict:
        """The valid filters; an invalid one is left out."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value}
