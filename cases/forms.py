"""Forms of the instructor area. They read and check input; the selectors and services act."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from cases import localization, schema
from cases.models import Case, Finding, Source, Tag
from cases.selectors import source_data

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


# Named sources ---------------------------------------------------------------------------


class SourceForm(forms.Form):
    """A named source as an instructor adds or edits it. The schema is the validator: its
    errors, located by field, are shown beside their fields. Editing, the key is fixed."""

    key = forms.CharField(
        help_text="How cases cite it: lowercase letters, digits and hyphens, such as "
        "smith-2021. Fixed once the source is saved."
    )
    short = forms.CharField(
        label="Short name", required=False, help_text="How a point names it, such as Smith 2021."
    )
    citation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Authors, title, journal, year, as the source's own page gives them.",
    )
    doi = forms.CharField(
        label="DOI", required=False, help_text="The bare DOI, such as 10.1016/j.clinph.2007.09.143."
    )
    pmid = forms.CharField(label="PMID", required=False, help_text="The PubMed ID: digits only.")
    url = forms.CharField(
        label="URL",
        required=False,
        widget=forms.URLInput,
        help_text="An https:// address, for a source with neither DOI nor PMID.",
    )

    def __init__(self, *args, source: Source | None = None, **kwargs) -> None:
        if source is not None:
            kwargs.setdefault("initial", source_data(source))
        super().__init__(*args, **kwargs)
        if source is not None:
            # Disabled: the posted value is ignored and the saved key kept.
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "Fixed: cases and statements cite the source by it."

    def clean(self) -> dict:
        data = super().clean() or {}
        try:
            schema.validate_source({name: data.get(name, "") for name in self.fields})
        except schema.BankInvalid as exc:
            self.add_schema_errors(exc.errors)
        return data

    def add_schema_errors(self, errors: list[schema.BankError]) -> None:
        """Each error beside its field (a field already in error keeps its first message)."""
        for error in errors:
            field = error.location if error.location in self.fields else None
            if field is None or field not in self.errors:
                message = error.message[:1].upper() + error.message[1:]
                self.add_error(field, message if message.endswith(".") else f"{message}.")


# The bank file ---------------------------------------------------------------------------


class BankUploadForm(forms.Form):
    """A bank file to check. Its size is read before the file is; the text is kept in
    `cleaned_data["text"]` for the schema to check."""

    file = forms.FileField(label="Bank file (JSON)")

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        limit = settings.BANK_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; this page takes files up to "
                f"{filesizeformat(limit)}. Split its cases across files, or import it with "
                "the import_bank command."
            )
        raw = upload.read()
        try:
            # A byte-order mark, as some editors write, is not part of the JSON.
            self.cleaned_data["text"] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                f"The file is not UTF-8 text: byte {exc.start + 1} (0x{raw[exc.start]:02x}) "
                "cannot be read. Save it as UTF-8 and upload it again."
            ) from exc
        return upload


class BankImportForm(forms.Form):
    """The confirmation of a checked file: names it by the SHA-256 of its text."""

    sha256 = forms.CharField(widget=forms.HiddenInput, min_length=64, max_length=64)


class ReviewForm(forms.Form):
    """The comment that goes with a step of a case's review; asking for changes needs one,
    which the service checks."""

    comment = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the step, with your name and the time.",
    )
