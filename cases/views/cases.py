"""The overview and the case list of the instructor area."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import selectors
from cases.forms import CaseFilterForm
from cases.models import Case
from cases.views import PER_PAGE, instructor_required


@instructor_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    counts = selectors.teach_status_counts()
    return render(
        request,
        "teach/home.html",
        {
            "statuses": [(value, label, counts[value]) for value, label in Case.Status.choices],
            "waiting": selectors.teach_waiting(),
            "section": "home",
        },
    )


@instructor_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = selectors.teach_case_list(filters=form.filters() if form.is_bound else {})
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
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
