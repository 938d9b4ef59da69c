"""Taking an exam (`/exams/...`): the learner's assessments, the lobby before an exam
opens, each case with every change saved at once, the grid to move between cases and flag
them, submission after a confirmation, and results once they are released.

With htmx each change is saved by itself and the page says so; without JavaScript a Save
button posts the case and comes back to it. Every write goes through `quizzes.exams`, which
keeps the deadline, refuses a stale page and ends the attempt exactly once.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cases import localization
from quizzes import exams, grading
from quizzes.models import Assessment, Attempt, AttemptCase
from quizzes.views.learner import HtmxHttpRequest, login_required


def _get_exam_attempt_for_user(request: HtmxHttpRequest, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("assessment"),
        pk=attempt_id,
        user=request.user,
        assessment__isnull=False,
    )


def _case(attempt: Attempt, position: int) -> AttemptCase:
    return get_object_or_404(AttemptCase, attempt=attempt, position=position)


def _done_url(attempt: Attempt) -> str:
    return reverse("quizzes:exam_done", args=[attempt.pk])


def _case_url(attempt: Attempt, position: int) -> str:
    return reverse("quizzes:exam_case", args=[attempt.pk, position])


@login_required
@require_GET
def exam_list(request: HtmxHttpRequest) -> HttpResponse:
    rows = exams.learner_rows(request.user)
    return render(request, "quizzes/exams.html", {"rows": rows})


@login_required
@require_POST
def exam_start(request: HtmxHttpRequest, assessment_id: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment, pk=assessment_id, cohort__memberships__user=request.user
    )
    try:
        attempt, _ = exams.start(assessment=assessment, user=request.user)
    except exams.ExamRefused as exc:
        messages.error(request, str(exc))
        return redirect("quizzes:exams")
    return redirect(_case_url(attempt, exams.resume_position(attempt)))


def _grid(attempt: Attempt) -> list[dict]:
    rows = []
    for case in attempt.attempt_cases.all():
        status = exams.case_status(case)
        rows.append(
            {
                "position": case.position,
                "status": status,
                "label": exams.STATUS_LABELS[status],
                "flagged": case.flagged,
                "url": _case_url(attempt, case.position),
            }
        )
    return rows


def _case_context(attempt: Attempt, case: AttemptCase) -> dict:
    content = case.grading_content
    stage = grading.STAGE_TWO if case.committed_at else grading.STAGE_ONE
    asks = set(grading.stage_items(content, grading.STAGE_ONE)) | set(
        grading.stage_items(content, grading.STAGE_TWO)
    )
    draft = case.draft
    findings = {f.code: f for f in content.findings if f.present}
    return {
        "attempt": attempt,
        "case": case,
        "content": content,
        "stage": stage,
        "draft": draft,
        "revision": attempt.revision,
        "committed": {
            "localization": grading.ANSWER_LABELS.get(draft.get("localization", ""), ""),
            "site": localization.SITE_NAMES.get(draft.get("site", ""), ""),
            "certainty": grading.CERTAINTY_LABELS.get(draft.get("certainty", ""), ""),
        },
        "grid": _grid(attempt),
        "seconds_left": max(0, int((attempt.deadline - timezone.now()).total_seconds()))
        if attempt.deadline
        else 0,
        "answer_choices": grading.ANSWER_LABELS.items(),
        "certainty_choices": grading.CERTAINTY_LABELS.items(),
        "site_groups": [
            (group, [(s, localization.SITE_LABELS[s]) for s in sites])
            for group, sites in localization.SITE_GROUPS
        ],
        "asks_site": grading.SITE in asks,
        "asks_revised": grading.REVISED in asks,
        "finding_rows": [
            {
                "finding": findings[code],
                "field": f"finding-{code}",
                "selected": draft.get(f"finding-{code}", ""),
            }
            for code in content.present_codes
            if grading.FINDINGS in asks
        ],
        "sign_choices": grading.SIGN_LABELS.items(),
        "previous": case.position - 1 if case.position > 1 else None,
        "next": case.position + 1 if case.position < attempt.case_count else None,
        "save_url": reverse("quizzes:exam_save", args=[attempt.pk, case.position]),
    }


@login_required
@require_GET
def exam_case(request: HtmxHttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt = _get_exam_attempt_for_user(request, attempt_id)
    if exams.close_if_overdue(attempt=attempt):
        return redirect(_done_url(attempt))
    case = _case(attempt, position)
    response = render(request, "quizzes/exam_case.html", _case_context(attempt, case))
    response["Cache-Control"] = "no-store"  # the back button must not show stale choices
    return response


def _refused(
    request: HtmxHttpRequest, attempt: Attempt, case: AttemptCase, exc: Exception, action: str
):
    """A step that was refused: time is up (to the end page), a stale page (reload), a
    choice the case does not offer, or a commit before a localization (the other choices
    were saved)."""
    if isinstance(exc, exams.TimeIsUp) or attempt.completed_at or "has ended" in str(exc):
        messages.info(request, str(exc))
        target = _done_url(attempt)
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    status = 409 if isinstance(exc, exams.StalePage) else 422
    if request.htmx:
        return render(
            request,
            "quizzes/exam_case.html#save_status",
            {"save_error": str(exc), "revision": None, "action": action},
            status=status,
        )
    messages.error(request, str(exc) if action == "commit" else f"Not saved: {exc}")
    return redirect(_case_url(attempt, case.position))


def _revision(request: HtmxHttpRequest) -> int:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else -1


@login_required
@require_POST
def exam_save(request: HtmxHttpRequest, attempt_id: int, position: int) -> HttpResponse:
    """Save the case's choices (htmx: each change; without JavaScript: the Save button)."""
    attempt = _get_exam_attempt_for_user(request, attempt_id)
    case = _case(attempt, position)
    action = request.POST.get("action", "save")
    try:
        revision = exams.save_answers(
            attempt_case=case, data=request.POST, revision=_revision(request)
        )
        if action == "commit":
            revision = exams.commit_stage_one(attempt_case=case, revision=revision)
        elif action in ("flag", "unflag"):
            revision = exams.set_flag(
                attempt_case=case, flagged=action == "flag", revision=revision
            )
    except exams.ExamRefused as exc:
        attempt.refresh_from_db()
        return _refused(request, attempt, case, exc, action)
    go = request.POST.get("go", "")
    if action in ("commit", "flag", "unflag") or not request.htmx:
        # A new stage, a flag, or a page without htmx: back to the case (or where asked).
        # To the answers, so keyboard focus starts there, not back at the top of the page.
        target = (
            _case_url(attempt, int(go)) if go.isdigit() else _case_url(attempt, position)
        ) + "#answers"
        if not request.htmx:
            messages.success(request, "Saved.")
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    case.refresh_from_db()
    return render(
        request,
        "quizzes/exam_case.html#save_status",
        {"revision": revision, "saved_at": timezone.now(), "grid": _grid(attempt), "case": case},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_submit(request: HtmxHttpRequest, attempt_id: int) -> HttpResponse:
    """Ask for confirmation, listing what is unanswered; then submit, exactly once."""
    attempt = _get_exam_attempt_for_user(request, attempt_id)
    if exams.close_if_overdue(attempt=attempt) or attempt.completed_at:
        return redirect(_done_url(attempt))
    if request.method == "POST":
        if exams.submit(attempt=attempt):
            messages.success(request, "Your exam is submitted.")
        return redirect(_done_url(attempt))
    grid = _grid(attempt)
    response = render(
        request,
        "quizzes/exam_submit.html",
        {
            "attempt": attempt,
            "grid": grid,
            "unanswered": [row for row in grid if row["status"] != exams.ANSWERED],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def exam_done(request: HtmxHttpRequest, attempt_id: int) -> HttpResponse:
    """The end of an attempt: when and how it ended, and the results once released."""
    attempt = _get_exam_attempt_for_user(request, attempt_id)
    if not exams.close_if_overdue(attempt=attempt, without_grace=True):
        return redirect(_case_url(attempt, 1))
    attempt.refresh_from_db()
    assessment = attempt.assessment
    if assessment is None:  # pragma: no cover - the lookup requires one
        raise Http404
    released = exams.results_visible_to(assessment, request.user)
    cases = exams.results_by_case(attempt) if released else []
    scores = [r.score for _, responses in cases for r in responses]
    return render(
        request,
        "quizzes/exam_done.html",
        {
            "attempt": attempt,
            "released": released,
            "cases": cases,
            "score": sum(scores),
            "out_of": len(scores),
            "item_labels": grading.ITEM_LABELS,
        },
    )
