"""Learners' problem reports, as instructors read and resolve them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases import selectors
from cases.views import PER_PAGE, instructor_required
from quizzes import services as quiz_services
from quizzes.models import ProblemReport


@instructor_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """Learners' problem reports: the open ones first to hand, the resolved ones on request."""
    resolved = request.GET.get("show") == "resolved"
    found = selectors.problem_reports(resolved=resolved)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
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
    # Back where the form was: the reports list, the case's page or the review queue.
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("teach:reports")
