"""The quiz builder (`/teach/quizzes/`), for instructors: practice sets made, filled with
published cases picked by the case list's filters (or drawn by a rule), ordered, previewed
and published.

Every action is a plain form post that redirects back with a message. With htmx, adding,
moving and removing a case swap the builder in place (`quiz_edit.html#builder`) and put the
focus back where the keyboard was; the case picker's search and pages swap `#picker`.
Exam-mode quizzes are not built here: they are a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from cases.models import Case
from cases.views import PER_PAGE, instructor_required
from quizzes import forms, selectors, services
from quizzes.models import Quiz
from quizzes.views.learner import HtmxHttpRequest, partial_wanted


def _get_practice_set(quiz_id: int) -> Quiz:
    """Any practice set: instructors share them (the decorator checked who asks)."""
    return get_object_or_404(Quiz.objects.practice().select_related("draw_tag"), pk=quiz_id)


def _edit_url(quiz: Quiz, query: str = "", anchor: str = "") -> str:
    url = reverse("teach:quiz_edit", args=[quiz.pk])
    return f"{url}{'?' + query if query else ''}{anchor}"


def _first_error(form: Form) -> str:
    return next(str(errors[0]) for errors in form.errors.values())


def _details_form(quiz: Quiz) -> forms.QuizDetailsForm:
    return forms.QuizDetailsForm(
        initial={"title": quiz.title, "description": quiz.description, "selection": quiz.selection}
    )


def _edit_context(
    request: HtmxHttpRequest,
    quiz: Quiz,
    *,
    details: forms.QuizDetailsForm | None = None,
    rule: forms.DrawRuleForm | None = None,
    notice: str = "",
    refused: bool = False,
    focus_case: int | None = None,
    focus_button: str = "",
    focus_row: int | None = None,
) -> dict:
    """The edit page. The picker's search, filters and page come from the query string,
    which every form of the builder carries in its action, so a post returns to the same
    view of the picker. The focus arguments name the control to focus after an htmx swap:
    a button (`up`, `down`, `remove`) on the row of `focus_case`, or the Add button on
    row `focus_row` of the picker."""
    context: dict = {
        "quiz": quiz,
        "section": "quizzes",
        "details": details or _details_form(quiz),
        "notice": notice,
        "refused": refused,
        "edit_url": _edit_url(quiz),
        "here": request.GET.urlencode(),
    }
    if quiz.selection == Quiz.Selection.DRAWN:
        matches = quiz.draw_pool().count()
        context.update(
            rule=rule or forms.DrawRuleForm.for_quiz(quiz),
            matches=matches,
            case_total=min(quiz.draw_count, matches),
        )
        return context

    rows = selectors.set_cases(quiz)
    picker = forms.CasePickerForm(request.GET or None)
    found = selectors.addable_cases(quiz=quiz, filters=picker.filters())
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    addable = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        rows=rows,
        case_total=sum(row.case.status == Case.Status.PUBLISHED for row in rows),
        picker=picker,
        page=page,
        addable=addable,
        params=params.urlencode(),
        focus_case=focus_case,
        focus_button=focus_button,
        # The page may have grown shorter: the focus goes to its last row then.
        focus_row=None if focus_row is None else min(focus_row, len(addable) - 1),
        # With no row left to take it, the focus goes to the message.
        focus_notice=refused
        or (focus_row is not None and not addable)
        or (bool(focus_button) and focus_case is None),
    )
    return context


def _changed(
    request: HtmxHttpRequest, quiz: Quiz, notice: str, *, refused: bool = False, **focus
) -> HttpResponse:
    """After adding, moving or removing a case (or refusing to): the builder swapped in
    place for htmx, else back to the edit page with the message."""
    if partial_wanted(request):
        context = _edit_context(request, quiz, notice=notice, refused=refused, **focus)
        return render(request, "teach/quiz_edit.html#builder", context)
    (messages.error if refused else messages.success)(request, notice)
    return redirect(_edit_url(quiz, request.GET.urlencode(), "#set-cases"))


@instructor_required
@require_GET
def quiz_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "teach/quiz_list.html",
        {"quizzes": selectors.practice_sets(), "section": "quizzes"},
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: HtmxHttpRequest) -> HttpResponse:
    form = forms.QuizDetailsForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            quiz = services.create_quiz(**form.cleaned_data)
        except services.QuizEditRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"“{quiz.title}” is made, and not listed for learners yet: "
                + (
                    "add its cases, then publish it."
                    if quiz.selection == Quiz.Selection.FIXED
                    else "set its rule, then publish it."
                ),
            )
            return redirect("teach:quiz_edit", quiz_id=quiz.pk)
    return render(
        request,
        "teach/quiz_new.html",
        {"form": form, "section": "quizzes"},
        status=422 if form.is_bound else 200,
    )


@instructor_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def quiz_edit(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    """The set's page: its cases and the picker (or its rule), and its details, which a
    post here changes."""
    quiz = _get_practice_set(quiz_id)
    if request.method == "POST":
        details = forms.QuizDetailsForm(request.POST)
        if details.is_valid():
            services.update_quiz(quiz=quiz, **details.cleaned_data)
            messages.success(request, "The set's details are saved.")
            return redirect("teach:quiz_edit", quiz_id=quiz.pk)
        context = _edit_context(request, quiz, details=details)
        return render(request, "teach/quiz_edit.html", context, status=422)
    if partial_wanted(request) and quiz.selection == Quiz.Selection.FIXED:
        return render(request, "teach/quiz_edit.html#picker", _edit_context(request, quiz))
    return render(request, "teach/quiz_edit.html", _edit_context(request, quiz))


@instructor_required
@require_POST
def quiz_rule(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _get_practice_set(quiz_id)
    if quiz.selection != Quiz.Selection.DRAWN:
        messages.error(request, "A fixed list has no rule: make the set drawn first.")
        return redirect("teach:quiz_edit", quiz_id=quiz.pk)
    form = forms.DrawRuleForm(request.POST)
    if not form.is_valid():
        context = _edit_context(request, quiz, rule=form)
        return render(request, "teach/quiz_edit.html", context, status=422)
    try:
        quiz = services.set_draw_rule(quiz=quiz, **form.cleaned_data)
    except services.QuizEditRefused as exc:
        messages.error(request, str(exc))
        return redirect("teach:quiz_edit", quiz_id=quiz.pk)
    matches = quiz.draw_pool().count()
    messages.success(
        request,
        f"Rule saved: {matches} published case{'s' if matches != 1 else ''} match; "
        f"an attempt asks {min(quiz.draw_count, matches)}.",
    )
    return redirect("teach:quiz_edit", quiz_id=quiz.pk)


@instructor_required
@require_POST
def quiz_add_case(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _get_practice_set(quiz_id)
    form = forms.QuizCaseForm(request.POST)
    if not form.is_valid():
        return _changed(request, quiz, _first_error(form), refused=True)
    case = form.cleaned_data["case"]
    try:
        index = services.add_quiz_case(quiz=quiz, case=case)
    except services.QuizEditRefused as exc:
        return _changed(request, quiz, str(exc), refused=True)
    return _changed(
        request,
        quiz,
        f"Added “{case.title}” as case {index + 1}.",
        focus_row=form.cleaned_data["row"],
    )


@instructor_required
@require_POST
def quiz_move_case(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _get_practice_set(quiz_id)
    form = forms.MoveCaseForm(request.POST)
    if not form.is_valid():
        return _changed(request, quiz, _first_error(form), refused=True)
    case, offset = form.cleaned_data["case"], form.cleaned_data["offset"]
    try:
        index = services.move_quiz_case(quiz=quiz, case=case, offset=offset)
    except services.QuizEditRefused as exc:
        return _changed(request, quiz, str(exc), refused=True)
    # The focus stays on the button pressed, unless the case reached the end of the list
    # and that button is now disabled: then on the other one.
    last = quiz.quiz_cases.count() - 1
    button = "up" if offset < 0 else "down"
    if index == 0 and button == "up":
        button = "down"
    elif index == last and button == "down":
        button = "up"
    return _changed(
        request,
        quiz,
        f"Moved “{case.title}” to place {index + 1}.",
        focus_case=case.pk,
        focus_button=button,
    )


@instructor_required
@require_POST
def quiz_remove_case(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _get_practice_set(quiz_id)
    form = forms.QuizCaseForm(request.POST)
    if not form.is_valid():
        return _changed(request, quiz, _first_error(form), refused=True)
    case = form.cleaned_data["case"]
    try:
        index = services.remove_quiz_case(quiz=quiz, case=case)
    except services.QuizEditRefused as exc:
        return _changed(request, quiz, str(exc), refused=True)
    # The focus goes to the Remove button of the case that took its place (or the one
    # before, if it was last).
    remaining = list(quiz.quiz_cases.order_by("position", "pk").values_list("case_id", flat=True))
    focus_case = remaining[min(index, len(remaining) - 1)] if remaining else None
    return _changed(
        request,
        quiz,
        f"Removed “{case.title}” from the set.",
        focus_case=focus_case,
        focus_button="remove",
    )


@instructor_required
@require_GET
def quiz_preview(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    """The cases a learner starting the set now would get: for a drawn set, one sample
    draw, the very draw an attempt makes."""
    quiz = _get_practice_set(quiz_id)
    cases = selectors.cases_in_order(services.draw_case_ids(quiz))
    context = {"quiz": quiz, "cases": cases, "section": "quizzes"}
    if quiz.selection == Quiz.Selection.DRAWN:
        context["matches"] = quiz.draw_pool().count()
    return render(request, "teach/quiz_preview.html", context)


def _set_listed(request: HtmxHttpRequest, quiz_id: int, *, listed: bool) -> HttpResponse:
    quiz = _get_practice_set(quiz_id)
    try:
        changed = services.set_quiz_listed(quiz=quiz, listed=listed)
    except services.QuizEditRefused as exc:
        messages.error(request, str(exc))
    else:
        if not changed:
            messages.info(
                request, f"“{quiz.title}” was {'listed' if listed else 'unlisted'} already."
            )
        elif listed:
            messages.success(request, f"“{quiz.title}” is published: learners see it now.")
        else:
            messages.success(
                request,
                f"“{quiz.title}” is unpublished: learners no longer see it (attempts under "
                "way can still be finished).",
            )
    return redirect("teach:quiz_edit", quiz_id=quiz.pk)


@instructor_required
@require_POST
def quiz_publish(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    return _set_listed(request, quiz_id, listed=True)


@instructor_required
@require_POST
def quiz_unpublish(request: HtmxHttpRequest, quiz_id: int) -> HttpResponse:
    return _set_listed(request, quiz_id, listed=False)
