"""Cohorts: instructors make them and enrol learners (`/teach/cohorts/`); learners join
with a code (`/cohorts/join/`). An instructor sees only the cohorts they run: another's is
a 404."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases.views import instructor_required
from quizzes import cohorts, forms
from quizzes.models import Cohort
from quizzes.views.learner import login_required


def _get_cohort_for_instructor(request: HttpRequest, cohort_id: int) -> Cohort:
    cohort = cohorts.cohort_for_instructor(request.user, cohort_id)
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


@instructor_required
@require_http_methods(["GET", "POST"])
def cohort_list(request: HttpRequest) -> HttpResponse:
    form = forms.CohortForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cohort = cohorts.create_cohort(name=form.cleaned_data["name"], instructor=request.user)
            messages.success(
                request, f"“{cohort}” made. Learners join with the code {cohort.display_code}."
            )
            return redirect("teach:cohort", cohort_id=cohort.pk)
        status = 422
    return render(
        request,
        "teach/cohorts.html",
        {"cohorts": cohorts.cohorts_for(request.user), "form": form, "section": "cohorts"},
        status=status,
    )


def _cohort_page(
    request: HttpRequest, cohort: Cohort, *, status: int = 200, **context
) -> HttpResponse:
    return render(
        request,
        "teach/cohort.html",
        {
            "cohort": cohort,
            "members": cohorts.members(cohort),
            "add_form": context.pop("add_form", None) or forms.AddLearnerForm(),
            "list_form": context.pop("list_form", None) or forms.EnrolListForm(),
            "section": "cohorts",
            **context,
        },
        status=status,
    )


@instructor_required
@require_http_methods(["GET"])
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    return _cohort_page(request, _get_cohort_for_instructor(request, cohort_id))


@instructor_required
@require_POST
def cohort_add(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _get_cohort_for_instructor(request, cohort_id)
    form = forms.AddLearnerForm(request.POST)
    if form.is_valid():
        try:
            said = cohorts.add_learner(cohort=cohort, identifier=form.cleaned_data["identifier"])
        except cohorts.CohortError as exc:
            form.add_error("identifier", str(exc))
        else:
            messages.success(request, said)
            return redirect("teach:cohort", cohort_id=cohort.pk)
    return _cohort_page(request, cohort, status=422, add_form=form)


@instructor_required
@require_POST
def cohort_enrol(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Add the learners a list of e-mails names; the page shows what became of every row."""
    cohort = _get_cohort_for_instructor(request, cohort_id)
    form = forms.EnrolListForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = cohorts.enrol_from_csv(cohort=cohort, text=form.cleaned_data["text"])
        except cohorts.CohortError as exc:
            form.add_error("file", str(exc))
        else:
            return _cohort_page(request, cohort, report=report, list_form=form)
    return _cohort_page(request, cohort, status=422, list_form=form)


@instructor_required
@require_POST
def cohort_remove(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _get_cohort_for_instructor(request, cohort_id)
    user_id = request.POST.get("user", "")
    if user_id.isdigit() and cohorts.remove_learner(cohort=cohort, user_id=int(user_id)):
        messages.success(request, "Learner removed from the cohort; their past work stays theirs.")
    else:
        messages.info(request, "That learner was not in the cohort; nothing changed.")
    return redirect("teach:cohort", cohort_id=cohort.pk)


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """A learner joins a cohort with the code their program gave them."""
    form = forms.JoinCohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort, new = cohorts.join_with_code(user=request.user, code=form.cleaned_data["code"])
        except cohorts.CohortError as exc:
            form.add_error("code", str(exc))
        else:
            said = "You joined" if new else "You were already in"
            messages.success(request, f"{said} “{cohort}”.")
            return redirect("quizzes:join_cohort")
    return render(
        request,
        "quizzes/join.html",
        {"form": form, "mine": cohorts.joined_by(request.user)},
        status=422 if form.errors else 200,
    )
