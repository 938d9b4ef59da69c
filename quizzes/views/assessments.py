"""Assessments in the instructor area (`/teach/assessments/`): schedule one for a cohort,
give learners accommodations, release results by hand, and read the results (the gradebook,
each learner's attempt in review, the item analysis), each with a CSV export.

Only the instructors of an assessment's cohort (and superusers) see it; anyone else gets a
404, as if it did not exist. The item analysis is computed here, on demand: this page is
an instructor's, never one a learner waits on.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from cases.views import instructor_required
from quizzes import cohorts, exams, forms, gradebook
from quizzes.models import Assessment, Attempt, Quiz


def _get_assessment_for_instructor(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = gradebook.assessment_for_instructor(request.user, assessment_id)
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


def _schedulable_quizzes() -> QuerySet[Quiz]:
    """Quizzes with a fixed list of published cases: every learner is asked the same cases,
    which the item analysis needs."""
    return (
        Quiz.objects.filter(selection=Quiz.Selection.FIXED)
        .annotate(
            case_total=Count("quiz_cases", filter=Q(quiz_cases__case__status=Case.Status.PUBLISHED))
        )
        .filter(case_total__gte=1)
        .order_by("title", "pk")
    )


def _learners(assessment: Assessment) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(memberships__cohort=assessment.cohort_id)
        .order_by("username")
    )


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@instructor_required
@require_http_methods(["GET", "POST"])
def assessment_list(request: HttpRequest) -> HttpResponse:
    form = forms.ScheduleForm(
        request.POST or None,
        quizzes=_schedulable_quizzes(),
        cohorts=cohorts.cohorts_for(request.user),
        time_zone=settings.TIME_ZONE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = exams.schedule(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_schedule_errors(exc)
        else:
            messages.success(request, f"“{assessment}” scheduled for {assessment.cohort}.")
            return redirect("teach:assessment", assessment_id=assessment.pk)
    now = timezone.now()
    assessments = [
        (assessment, gradebook.standing(assessment, now))
        for assessment in gradebook.assessments_for(request.user)
    ]
    return render(
        request,
        "teach/assessments.html",
        {"assessments": assessments, "form": form, "section": "assessments"},
        status=422 if form.errors else 200,
    )


def _assessment_page(
    request: HttpRequest,
    assessment: Assessment,
    *,
    form: forms.AccommodationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "teach/assessment.html",
        {
            "assessment": assessment,
            "standing": gradebook.standing(assessment, now),
            "accommodations": assessment.accommodations.select_related("learner").order_by(
                "learner__username"
            ),
            "form": form
            or forms.AccommodationForm(
                learners=_learners(assessment), time_zone=settings.TIME_ZONE
            ),
            "can_release": assessment.release == Assessment.Release.MANUAL
            and assessment.released_at is None,
            "time_zone": settings.TIME_ZONE,
            "section": "assessments",
        },
        status=status,
    )


@instructor_required
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _assessment_page(request, _get_assessment_for_instructor(request, assessment_id))


@instructor_required
@require_POST
def assessment_accommodate(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment_for_instructor(request, assessment_id)
    form = forms.AccommodationForm(
        request.POST, learners=_learners(assessment), time_zone=settings.TIME_ZONE
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            exams.set_accommodation(
                assessment=assessment,
                learner=data["learner"],
                reason=data["reason"],
                extra_minutes=data["extra_minutes"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except exams.ExamRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Accommodation for {data['learner'].get_username()} recorded."
            )
            return redirect("teach:assessment", assessment_id=assessment.pk)
    return _assessment_page(request, assessment, form=form, status=422)


@instructor_required
@require_POST
def assessment_release(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment_for_instructor(request, assessment_id)
    if assessment.release != Assessment.Release.MANUAL:
        messages.info(
            request,
            f"This assessment's results are released {assessment.get_release_display().lower()}"
            "; nothing changed.",
        )
    else:
        try:
            released = exams.release_results(assessment=assessment)
        except exams.ExamRefused as exc:
            messages.error(request, f"{exc} Nothing changed.")
        else:
            if released:
                messages.success(
                    request, "Results released: learners now see their scores, the keys and why."
                )
            else:
                messages.info(request, "The results were released already; nothing changed.")
    return redirect("teach:assessment", assessment_id=assessment.pk)


@instructor_required
@require_GET
def assessment_gradebook(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment_for_instructor(request, assessment_id)
    return render(
        request,
        "teach/gradebook.html",
        {
            "assessment": assessment,
            "rows": gradebook.gradebook(assessment),
            "section": "assessments",
        },
    )


@instructor_required
@require_GET
def assessment_gradebook_csv(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment_for_instructor(request, assessment_id)
    rows = gradebook.gradebook(assessment)
    return _csv(gradebook.gradebook_csv(rows), f"gradebook-{assessment.pk}.csv")


@instructor_required
@require_GET
def assessment_attempt(request: HttpRequest, assessment_id: int, attempt_id: int) -> HttpResponse:
    """One learner's attempt as graded, with the explanations they read once released."""
    assessment = _get_assessment_for_instructor(request, assessment_id)
    attempt: Attempt | None = gradebook.attempt_for_review(assessment, attempt_id)
    if attempt is None:
        raise Http404("No such attempt.")
    return render(
        request,
        "teach/assessment_attempt.html",
        {
            "assessment": assessment,
            "attempt": attempt,
            "review": gradebook.review(attempt),
            "section": "assessments",
        },
    )


@instructor_required
@require_GET
def assessment_analysis(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment_for_instructor(request, assessment_id)
    return render(
        request,
        "teach/analysis.html",
        {
            "assessment": assessment,
            "report": gradebook.analysis(assessment),
            "frame": gradebook.FRAME,
            "axes": gradebook.SCATTER_AXES,
            "section": "assessments",
        },
    )


@instructor_required
@require_GET
def assessment_analysis_csv(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment_for_instructor(request, assessment_id)
    report = gradebook.analysis(assessment)
    return _csv(gradebook.analysis_csv(report), f"item-analysis-{assessment.pk}.csv")
