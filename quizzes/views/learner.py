from collections.abc import Callable, Mapping
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_htmx.middleware import HtmxDetails

from cases import localization
from quizzes import forms, grading, selectors, services
from quizzes.models import Attempt, AttemptCase, Quiz, Response


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def login_required(view: Callable) -> Callable:
    """Django's login_required, but an htmx request whose session has expired is sent to
    the log-in page as a whole page, not swapped into the quiz region."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            next_url = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(next_url).url)
        return django_login_required(view)(request, *args, **kwargs)

    return wrapper


def _get_attempt_for_user(request: HttpRequest, attempt_id: int) -> Attempt:
    # An exam attempt is not answered or reviewed here: its policy shows nothing before
    # results are released.
    return get_object_or_404(Attempt, pk=attempt_id, user=request.user, assessment__isnull=True)


def _get_attempt_case_for_user(request: HttpRequest, attempt_id: int, position: int) -> AttemptCase:
    return get_object_or_404(
        AttemptCase.objects.select_related("attempt"),
        attempt_id=attempt_id,
        attempt__user=request.user,
        attempt__assessment__isnull=True,
        position=position,
    )


def partial_wanted(request: HtmxHttpRequest) -> bool:
    # A history restore asks for the whole page even though it comes from htmx.
    return bool(request.htmx) and not request.htmx.history_restore_request


@login_required
@require_GET
def quiz_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request, "quizzes/list.html", {"quizzes": selectors.listed_quizzes(user=request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        # Reached by a redirect after logging in: starting needs a deliberate post.
        return redirect("quizzes:list")
    quiz = get_object_or_404(Quiz.objects.listed(), slug=slug)
    try:
        attempt, created = services.start_attempt(user=request.user, quiz=quiz)
    except services.QuizUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("quizzes:list")
    if not created:
        messages.info(request, "Welcome back: you are where you left off.")
    return redirect("quizzes:resume", attempt_id=attempt.pk)


@login_required
@require_http_methods(["GET", "POST"])
def start_weakest(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Reached by a redirect after logging in: starting needs a deliberate post.
        return redirect("quizzes:dashboard")
    weakest = selectors.learner_progress(user=request.user).weakest
    if not weakest:
        messages.info(request, "Answer a few cases first: this set is built from your misses.")
        return redirect("quizzes:dashboard")
    try:
        attempt = services.start_weakest_signs_attempt(user=request.user, codes=weakest)
    except services.QuizUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("quizzes:dashboard")
    return redirect("quizzes:resume", attempt_id=attempt.pk)


@login_required
@require_GET
def resume(request: HtmxHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    position = selectors.current_position(selectors.progress(attempt))
    if position is None:
        return redirect("quizzes:summary", attempt_id=attempt.pk)
    return redirect("quizzes:case", attempt_id=attempt.pk, position=position)


def _case_context(
    attempt_case: AttemptCase,
    *,
    steps: list[dict],
    responses: list[Response] | None = None,
    answers: Mapping | None = None,
    errors: dict[str, str] | None = None,
    partial: bool = True,
    report_form: forms.ProblemReportForm | None = None,
) -> dict:
    """What the case page shows at the learner's stage, and nothing of a later one: no
    investigations or findings list before stage 1 is committed, no key or explanation
    before the case is answered."""
    attempt = attempt_case.attempt
    content = attempt_case.grading_content
    stage = attempt_case.stage
    if responses is None and stage > grading.STAGE_ONE:
        responses = list(attempt_case.responses.all())
    by_item = {r.item: r for r in responses or ()}
    answers = answers or {}
    position = attempt_case.position
    next_url = (
        reverse("quizzes:case", args=[attempt.pk, position + 1])
        if position < attempt.case_count
        else reverse("quizzes:summary", args=[attempt.pk])
    )
    context = {
        "stage": stage,
        "at_stage_one": stage == grading.STAGE_ONE,
        "at_stage_two": stage == grading.STAGE_TWO,
        "at_results": stage == grading.RESULTS,
        # Items are numbered across both stages, as the case asks them.
        "numbers": {item: n for n, item in enumerate(grading.content_items(content), start=1)},
        "attempt": attempt,
        "attempt_case": attempt_case,
        "case": attempt_case.content["case"],
        "content": content,
        "steps": steps,
        "answered_count": sum(s["answered"] for s in steps),
        "errors": errors or {},
        "next_url": next_url,
        "is_last": position >= attempt.case_count,
        "partial": partial,
        # A title can give the answer away ("Drooping eyelids by evening"): it is shown only
        # with the results.
        "page_title": f"Case {position} of {attempt.case_count}"
        + (f": {content.case.title}" if stage == grading.RESULTS else ""),
    }
    if stage == grading.STAGE_ONE:
        context.update(
            localization_selected=answers.get("localization"),
            certainty_selected=answers.get("certainty"),
            site_selected=answers.get("site"),
            answer_choices=grading.ANSWER_LABELS.items(),
            certainty_choices=grading.CERTAINTY_LABELS.items(),
            site_groups=[
                (group, [(site, grading.SITE_LABELS[site]) for site in sites])
                for group, sites in localization.SITE_GROUPS
            ],
            asks_site=grading.SITE in grading.stage_items(content, grading.STAGE_ONE),
            has_investigations=bool(content.case.investigations_html),
            stage_two_items=grading.stage_items(content, grading.STAGE_TWO),
        )
    elif stage == grading.STAGE_TWO:
        first = by_item.get(grading.LOCALIZATION)
        site = by_item.get(grading.SITE)
        # A finding present in several regions is asked once, naming every region.
        findings = {f.code: f for f in content.findings if f.present}
        where: dict[str, list[str]] = {}
        for f in content.findings:
            if f.present and f.where:
                where.setdefault(f.code, []).append(f.where)
        context.update(
            committed={
                "localization": grading.ANSWER_LABELS.get(first.given, "") if first else "",
                "certainty": first.get_certainty_display() if first else "",
                "site": grading.SITE_NAMES.get(site.given, "") if site else "",
            },
            first_localization=first.given if first else "",
            revised_selected=answers.get("revised"),
            answer_choices=grading.ANSWER_LABELS.items(),
            asks_revised=grading.REVISED in grading.stage_items(content, grading.STAGE_TWO),
            finding_rows=[
                {
                    "finding": findings[code],
                    "where": "; ".join(where.get(code, [])),
                    "field": f"finding-{code}",
                    "selected": answers.get(f"finding-{code}"),
                    "error": (errors or {}).get(f"finding-{code}"),
                }
                for code in content.present_codes
            ],
            sign_choices=grading.SIGN_LABELS.items(),
            next_step_selected=answers.get("next_step"),
        )
    else:
        # The case's key teaching point, from what the localization explanation recorded.
        loc = by_item.get(grading.LOCALIZATION)
        teaching = [
            p for p in (loc.explanation["points"] if loc else ()) if p["kind"] == "teaching"
        ]
        context.update(
            responses=[by_item[item] for item in grading.ITEMS if item in by_item],
            key_point={"response": loc, "point": teaching[0]} if teaching else None,
            report_form=report_form or forms.ProblemReportForm(),
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def case(request: HtmxHttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt_case = _get_attempt_case_for_user(request, attempt_id, position)
    here = reverse("quizzes:case", args=[attempt_id, position])
    if request.method == "POST":
        return _answer(request, attempt_case, here)

    steps = selectors.progress(attempt_case.attempt)
    if attempt_case.answered_at is None:
        # Cases are answered in order: a later unanswered case waits for this one.
        current = selectors.current_position(steps)
        if current is not None and current < position:
            return redirect("quizzes:case", attempt_id=attempt_id, position=current)
    partial = partial_wanted(request)
    template = "quizzes/case.html#panel" if partial else "quizzes/case.html"
    response = render(request, template, _case_context(attempt_case, steps=steps, partial=partial))
    return push_url(response, here) if partial else response


STAGE_SERVICES: dict[int, Callable[..., services.Submission]] = {
    grading.STAGE_ONE: services.commit_first_stage,
    grading.STAGE_TWO: services.submit_second_stage,
}


def _answer(request: HtmxHttpRequest, attempt_case: AttemptCase, here: str) -> HttpResponse:
    partial = partial_wanted(request)
    stage = attempt_case.stage
    posted = request.POST.get("stage", "")
    if stage == grading.RESULTS or posted in {str(s) for s in range(grading.STAGE_ONE, stage)}:
        # A second tab, a replayed or stale form: what was committed stands.
        return _committed_already(request, attempt_case, here, partial)
    # Any other post (a page from before stages, without the field) is read as the current
    # stage: what it lacks is asked for again, with its choices kept.

    steps = selectors.progress(attempt_case.attempt)
    form = forms.stage_form(attempt_case.grading_content, stage, request.POST)
    if not form.is_valid():
        context = _case_context(
            attempt_case,
            steps=steps,
            answers=request.POST,
            errors=form.error_map(),
            partial=partial,
        )
        if partial:
            return render(request, "quizzes/case.html#panel", context)
        return render(request, "quizzes/case.html", context, status=422)

    try:
        submission = STAGE_SERVICES[stage](attempt_case=attempt_case, answers=form.answers())
    except services.OutOfOrder:
        messages.info(request, "Answer this case first.")
        current = selectors.current_position(steps)
        return redirect("quizzes:case", attempt_id=attempt_case.attempt_id, position=current)
    if submission.already_recorded:
        attempt_case.refresh_from_db(fields=["committed_at", "answered_at"])
        return _committed_already(request, attempt_case, here, partial)
    if not partial:
        return redirect(here)
    if attempt_case.answered_at is not None:
        # This case is now answered: the progress read before the answer is updated in place.
        for step in steps:
            if step["position"] == attempt_case.position:
                step["answered"] = True
    context = _case_context(attempt_case, steps=steps, responses=submission.responses)
    return render(request, "quizzes/case.html#panel", context)


def _committed_already(
    request: HtmxHttpRequest, attempt_case: AttemptCase, here: str, partial: bool
) -> HttpResponse:
    messages.info(request, "You already committed this step; your first answers stand.")
    if not partial:
        return redirect(here)
    steps = selectors.progress(attempt_case.attempt)
    return render(request, "quizzes/case.html#panel", _case_context(attempt_case, steps=steps))


@login_required
@require_POST
def report(request: HtmxHttpRequest, attempt_id: int, position: int) -> HttpResponse:
    """A learner reports a problem with a case from its results."""
    attempt_case = _get_attempt_case_for_user(request, attempt_id, position)
    if attempt_case.attempt.is_preview:
        # An instructor trying a draft reports nothing on the case learners get.
        raise Http404("A preview has no reports.")
    here = reverse("quizzes:case", args=[attempt_id, position])
    if attempt_case.answered_at is None:
        messages.info(request, "Answer the case first: a problem is reported from its results.")
        return redirect(here)
    form = forms.ProblemReportForm(request.POST)
    if form.is_valid():
        services.report_problem(
            attempt_case=attempt_case,
            reporter=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
        )
        if request.htmx:
            return render(request, "quizzes/case.html#report", {"report_sent": True})
        messages.success(request, "Thank you: your report reached the instructors.")
        return redirect(here)
    if request.htmx:
        context = {"attempt": attempt_case.attempt, "attempt_case": attempt_case}
        return render(request, "quizzes/case.html#report", {**context, "report_form": form})
    steps = selectors.progress(attempt_case.attempt)
    context = _case_context(attempt_case, steps=steps, partial=False, report_form=form)
    # What the learner typed stays in the form.
    return render(request, "quizzes/case.html", context, status=422)


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def summary(request: HtmxHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    if not attempt.is_complete:
        return redirect("quizzes:resume", attempt_id=attempt.pk)
    attempt_cases = selectors.attempt_for_review(attempt)
    template = "quizzes/summary.html#body" if partial_wanted(request) else "quizzes/summary.html"
    response = render(
        request,
        template,
        {
            "attempt": attempt,
            "attempt_cases": attempt_cases,
            "scores": selectors.item_scores(attempt_cases),
            "item_labels": grading.ITEM_LABELS,
            "answer_labels": grading.ANSWER_LABELS,
            "partial": partial_wanted(request),
        },
    )
    if partial_wanted(request):
        push_url(response, reverse("quizzes:summary", args=[attempt.pk]))
    return response


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    progress = selectors.learner_progress(user=request.user)
    return render(
        request,
        "quizzes/dashboard.html",
        {
            "progress": progress,
            "answer_labels": grading.ANSWER_LABELS,
            "certainty_labels": grading.CERTAINTY_LABELS,
            "step_labels": grading.STEP_LABELS,
            "attempts": selectors.recent_attempts(user=request.user),
        },
    )
