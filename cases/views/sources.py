"""Named sources: instructors add and edit their own. The curated sources (verified against
their own pages, rewritten by the curated loader) and the guideline's statements and
references are shown read-only, as what a point may cite."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cases import services
from cases.forms import SourceForm
from cases.models import GuidelineStatement, Reference, Source
from cases.schema import BankInvalid
from cases.views import instructor_required


@instructor_required
@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "teach/sources.html",
        {
            "sources": Source.objects.all(),
            "curated": services.curated_source_keys(),
            "statements": GuidelineStatement.objects.prefetch_related("citations", "sources"),
            "references": Reference.objects.all(),
            "section": "sources",
        },
    )


def _saved(request: HttpRequest, source: Source, verb: str) -> HttpResponse:
    messages.success(request, f"Source “{source}” {verb}.")
    return redirect(f"{reverse('teach:sources')}#source-{source.key}")


@instructor_required
@require_http_methods(["GET", "POST"])
def source_new(request: HttpRequest) -> HttpResponse:
    form = SourceForm(request.POST) if request.method == "POST" else SourceForm()
    if form.is_bound and form.is_valid():
        try:
            return _saved(request, services.create_source(data=form.cleaned_data), "added")
        except BankInvalid as exc:  # a key taken since the form was checked
            form.add_schema_errors(exc.errors)
    return render(
        request,
        "teach/source_form.html",
        {"form": form, "source": None, "section": "sources"},
        status=422 if form.errors else 200,
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(Source, key=key)
    if source.key in services.curated_source_keys():
        status = 200
        if request.method == "POST":
            messages.error(request, "A curated source is read-only; nothing was changed.")
            status = 403
        return render(
            request,
            "teach/source_form.html",
            {"form": None, "source": source, "section": "sources"},
            status=status,
        )
    form = (
        SourceForm(request.POST, source=source)
        if request.method == "POST"
        else SourceForm(source=source)
    )
    if form.is_bound and form.is_valid():
        try:
            return _saved(
                request, services.update_source(source=source, data=form.cleaned_data), "saved"
            )
        except BankInvalid as exc:
            form.add_schema_errors(exc.errors)
    return render(
        request,
        "teach/source_form.html",
        {"form": form, "source": source, "section": "sources"},
        status=422 if form.errors else 200,
    )
