"""The bank as a file: download all of it or a selection of cases (the `export_bank`
format); upload a file, read its validation report, and import it only on confirmation.
What a file brings in arrives as drafts of the instructor who imports it, reviewed like any
other; the command `import_bank` is the administrator's way to publish a file directly.

The checked text waits in the session (stored in the database, so any app server can take
the confirmation) under the SHA-256 the confirmation names: what is imported is exactly
what was checked, and it is checked again as it is imported, all or nothing.
"""

import base64
import hashlib
import zlib

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from cases import authoring, selectors, services
from cases.bank import dumps, parse_json
from cases.forms import BankImportForm, BankUploadForm, CaseFilterForm
from cases.schema import BankError, BankInvalid
from cases.views import instructor_required

PENDING = "teach:bank:pending"


def _page(
    request: HttpRequest,
    *,
    selection: CaseFilterForm | None = None,
    upload: BankUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "teach/bank.html",
        {
            "selection": selection or CaseFilterForm(),
            "upload": upload or BankUploadForm(),
            "limit": settings.BANK_UPLOAD_MAX_BYTES,
            "section": "bank",
        },
        status=status,
    )


def _report(
    request: HttpRequest,
    *,
    name: str,
    errors: list[BankError] | None = None,
    report: services.ImportReport | None = None,
    confirm: BankImportForm | None = None,
    changed: bool = False,
) -> HttpResponse:
    return render(
        request,
        "teach/bank_report.html",
        {
            "name": name,
            "errors": errors or [],
            "report": report,
            "confirm": confirm,
            "changed": changed,
            "upload": BankUploadForm(),
            "limit": settings.BANK_UPLOAD_MAX_BYTES,
            "section": "bank",
        },
        status=422 if errors else 200,
    )


@instructor_required
@require_GET
def bank(request: HttpRequest) -> HttpResponse:
    return _page(request)


@instructor_required
@require_GET
def bank_download(request: HttpRequest) -> HttpResponse:
    """The whole bank; with the case list's filters, the knowledge base and the cases they
    select."""
    form = CaseFilterForm(request.GET or None)
    cases = None
    if form.is_bound:
        # An unknown filter value would widen the selection: refuse it, beside its field.
        if not form.is_valid():
            return _page(request, selection=form, status=422)
        cases = selectors.teach_case_list(filters=form.filters())
        if not cases.exists():
            form.add_error(None, "No case matches these filters; there is nothing to download.")
            return _page(request, selection=form, status=422)
    kind = "bank" if cases is None else "bank-selection"
    filename = f"neurolocalize-{kind}-{timezone.localdate():%Y-%m-%d}.json"
    return HttpResponse(
        dumps(selectors.export_bank(cases=cases)),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _pack(text: str) -> str:
    # Bank files compress about tenfold; the session row stays small while it waits.
    return base64.b64encode(zlib.compress(text.encode())).decode("ascii")


def _unpack(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode()


@instructor_required
@require_POST
def bank_upload(request: HttpRequest) -> HttpResponse:
    """Check a file: every problem with its location, or what importing it would do."""
    # Only the file checked last can be imported.
    request.session.pop(PENDING, None)
    form = BankUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload=form, status=422)
    text, name = form.cleaned_data["text"], form.cleaned_data["file"].name
    try:
        report = authoring.import_for_review(data=parse_json(text), user=request.user, dry_run=True)
    except BankInvalid as exc:
        return _report(request, name=name, errors=exc.errors)
    digest = _digest(text)
    request.session[PENDING] = {"sha256": digest, "name": name, "text": _pack(text)}
    return _report(
        request, name=name, report=report, confirm=BankImportForm(initial={"sha256": digest})
    )


@instructor_required
@require_POST
def bank_import(request: HttpRequest) -> HttpResponse:
    """Import the file checked last, if the confirmation names it; all or nothing."""
    form = BankImportForm(request.POST)
    pending = request.session.get(PENDING)
    if not (form.is_valid() and pending and pending["sha256"] == form.cleaned_data["sha256"]):
        messages.error(
            request,
            "That file is not the one checked last, or it was imported already; nothing was "
            "imported. Upload the file again to check it.",
        )
        return redirect("teach:bank")
    del request.session[PENDING]
    try:
        report = authoring.import_for_review(
            data=parse_json(_unpack(pending["text"])), user=request.user
        )
    except BankInvalid as exc:
        # The bank changed since the check (a source the file cites was removed, say).
        return _report(request, name=pending["name"], errors=exc.errors, changed=True)
    messages.success(request, f"Imported {pending['name']}: {report.summary()}")
    return redirect("teach:bank")
