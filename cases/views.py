"""The instructor area (`/teach/`): for members of the Instructors group only. Everyone
else gets a 404, as if it did not exist; a visitor is asked to log in first."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import selectors
from cases.forms import CaseFilterForm
from cases.models import Case
from neurolocalize.accounts import is_instructor

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
