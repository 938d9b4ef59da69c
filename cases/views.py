"""The instructor area (`/teach/`): for members of the Instructors group only. Everyone
else gets a 404, as if it did not exist; a visitor is asked to log in first."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import selectors
from cases.forms import CaseFilterForm
from cases.models import Case
from neurolocalize.accounts import is_instructor
from quizzes import services as quiz_services
from quizzes.models import ProblemReport

CASES_PER_PAGE = 25


def instructor_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_instructor(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


@instructor_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    counts = selectors.teach_status_counts()
    return render(
        request,
        "teach/home.html",
        {
            "statuses": [(value, label, counts[value]) for value, label in Case.Status.choices],
            "section": "home",
        },
    )


@instructor_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = selectors.teach_case_list(filters=form.filters() if form.is_bound else {})
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    # The query string without the page, for the pager's links.
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "teach/case_list.html",
        {
            "form": form,
            "page": page,
            "params": params.urlencode(),
            "section": "cases",
        },
    )


@instructor_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """Learners' problem reports: the open ones first to hand, the resolved ones on request."""
    resolved = request.GET.get("show") == "resolved"
    found = ProblemReport.objects.select_related(
        "case", "reporter", "resolved_by", "attempt_case"
    ).filter(resolved_at__isnull=not resolved)
    page = Paginator(found, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "teach/reports.html",
        {"page": page, "resolved": resolved, "section": "reports"},
    )


@instructor_required
@require_POST
def resolve_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(ProblemReport, pk=report_id)
    resolution = request.POST.get("resolution", "")
    if not resolution.strip():
        messages.error(request, "Say how the report was resolved; nothing was changed.")
    elif quiz_services.resolve_report(
        report_id=report.pk, resolver=request.user, resolution=resolution
    ):
        messages.success(request, f"Report on “{report.case}” resolved.")
    else:
        messages.info(request, "That report was resolved already; its resolution stands.")
    return redirect("teach:reports")
