"""Writing a case: the editor, its live consistency panel, the case's page with its review
steps, the review queue, the history of versions, and the preview as a learner."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cases import authoring, consistency, schema, selectors
from cases.editor import SECTIONS, Editor, Vocabulary, describe, humane
from cases.forms import ReviewForm
from cases.models import Case, CaseVersion
from cases.views import instructor_required
from quizzes import content as content_snapshots
from quizzes import services as quiz_services


def _get_case(case_id: int) -> Case:
    """Any instructor may read any case; what they may do to it is the services' to say."""
    return get_object_or_404(Case.objects.select_related("author"), pk=case_id)


def _panel(content: dict) -> dict:
    """What the consistency panel shows for `content` (schema case data, as typed)."""
    if not content.get("title") and not content.get("stem") and not content.get("findings"):
        return {"blank": True}
    report = consistency.check(content)
    before_review: list[tuple[str, str]] = []
    lessons: list[dict] = []
    try:
        checked = schema.validate_case(
            {**content, "status": Case.Status.PUBLISHED}, known=selectors.known_keys()
        )
    except schema.BankInvalid as exc:
        before_review = [(describe(e.location), humane(e.message)) for e in exc.errors]
    else:
        lessons = content_snapshots.lessons_read(checked)
    points = content.get("teaching_points") or ()
    return {
        "report": report,
        "before_review": before_review,
        "lessons": lessons,
        "key_point": points[0]["text"] if points else "",
        "stem_preview": selectors.markdown_preview(content["stem"]),
        "investigations_preview": selectors.markdown_preview(content["investigations"]),
    }


def _editor_page(
    request: HttpRequest,
    *,
    editor: Editor,
    case: Case | None,
    content: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The editor; its panel checks `content`, or what the bound forms hold."""
    return render(
        request,
        "teach/case_edit.html",
        {
            "editor": editor,
            "errors": editor.error_summary() if status == 422 else [],
            "case": case,
            "panel": _panel(editor.content() if content is None else content),
            "section": "cases",
            "beyond": schema.BEYOND,
        },
        status=status,
    )


def _save(request: HttpRequest, case: Case | None) -> HttpResponse:
    vocabulary = Vocabulary.load()
    add = request.POST.get("add", "")
    editor = Editor.bound(request.POST, vocabulary=vocabulary, add=add)
    if add in SECTIONS or request.POST.get("check"):
        # A row added, or a check asked for: the page again as typed, nothing saved.
        return _editor_page(request, editor=editor, case=case)
    if not editor.forms_valid:
        messages.error(request, "Nothing was saved: see the messages beside the fields.")
        return _editor_page(request, editor=editor, case=case, status=422)
    content = editor.content(slug=case.slug if case else "")
    try:
        checked = schema.validate_case(content, known=selectors.known_keys())
        if case is None:
            case = authoring.create_case(author=request.user, content=checked)
            version_number = 1
        else:
            version_number = authoring.save_draft(
                case=case, author=request.user, content=checked
            ).number
    except schema.BankInvalid as exc:
        editor.show_errors(exc.errors)
        messages.error(request, "Nothing was saved: see the messages beside the fields.")
        return _editor_page(request, editor=editor, case=case, status=422)
    except authoring.NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("teach:case", case_id=case.pk if case else 0)
    messages.success(request, f"Saved as version {version_number}, a draft.")
    return redirect("teach:case", case_id=case.pk)


@instructor_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    editor = Editor.from_content(None, vocabulary=Vocabulary.load())
    return _editor_page(request, editor=editor, case=None, content={})


@instructor_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case(case_id)
    # The open draft, or None to start one from what learners get.
    version = authoring.open_version(case)
    if version is not None and version.state == CaseVersion.State.REVIEW:
        messages.info(request, f"Version {version.number} is in review; it is not edited there.")
        return redirect("teach:case", case_id=case.pk)
    if version is not None and not authoring.may_edit(version, request.user):
        raise Http404("No such draft.")  # another instructor's draft is not theirs to open
    if request.method == "POST":
        return _save(request, case)
    content = version.content if version else selectors.current_content(case)
    editor = Editor.from_content(content, vocabulary=Vocabulary.load())
    return _editor_page(request, editor=editor, case=case, content=content)


@instructor_required
@require_POST
def case_check(request: HttpRequest) -> HttpResponse:
    """The consistency panel for the content as typed, without saving it."""
    vocabulary = Vocabulary.load()
    editor = Editor.bound(request.POST, vocabulary=vocabulary)
    return render(
        request,
        "teach/case_edit.html#panel",
        {"panel": _panel(editor.content()), "beyond": schema.BEYOND},
    )


@instructor_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case(case_id)
    overview = selectors.case_overview(case)
    shown = overview["open_version"]
    content = shown.content if shown else selectors.current_content(case)
    return render(
        request,
        "teach/case_detail.html",
        {
            **overview,
            "content_lines": selectors.readable_content(content),
            "concerns": consistency.check(content).warnings,
            "may": authoring.allowed_steps(case, overview["open_version"], request.user),
            "case": case,
            "reports": selectors.problem_reports(case=case),
            "review_form": ReviewForm(),
            "section": "cases",
        },
    )


# Each step of a case's review, with the message shown once it is done.
TRANSITIONS: dict[str, tuple[Callable[..., object], str]] = {
    "submit": (authoring.submit_for_review, "Sent for review: another instructor reviews it."),
    "withdraw": (authoring.withdraw, "Withdrawn from review: it is a draft again."),
    "approve": (authoring.approve, "Approved and published: new attempts get this version."),
    "request_changes": (authoring.request_changes, "Sent back to its author with your comment."),
    "discard": (authoring.discard_draft, "Draft discarded; the published version stands."),
    "retire": (authoring.retire, "Retired: no new attempt asks it; past attempts keep it."),
    "reinstate": (authoring.reinstate, "Published again."),
}
_REVIEWER_STEPS = {"approve", "request_changes"}
_SILENT_STEPS = {"withdraw", "discard"}  # steps that take no comment


@instructor_required
@require_POST
def case_transition(request: HttpRequest, case_id: int, step: str) -> HttpResponse:
    if step not in TRANSITIONS:
        raise Http404("No such step.")
    case = _get_case(case_id)
    form = ReviewForm(request.POST)
    service, done = TRANSITIONS[step]
    gone = step == "discard" and not case.has_published_version
    if not form.is_valid():
        messages.error(request, "The comment is too long; nothing was changed.")
        return redirect("teach:case", case_id=case.pk)
    comment = form.cleaned_data["comment"]
    who = "reviewer" if step in _REVIEWER_STEPS else "user"
    said = {} if step in _SILENT_STEPS else {"comment": comment}
    try:
        service(case=case, **said, **{who: request.user})
    except authoring.NotAllowed as exc:
        messages.error(request, f"{exc} Nothing was changed.")
    except schema.BankInvalid as exc:
        messages.error(
            request,
            "Not ready for review, nothing was changed: "
            + "; ".join(f"{e.location}: {e.message}" for e in exc.errors),
        )
    else:
        messages.success(request, "Draft discarded, and the case with it." if gone else done)
        if gone:
            return redirect("teach:cases")
    target = reverse("teach:case", kwargs={"case_id": case.pk})
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(target)
    return redirect(target)


@instructor_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.review_queue()
    may = authoring.reviewable(queue["waiting"], request.user)
    return render(
        request,
        "teach/review.html",
        {
            "waiting": [(version, may[version.pk]) for version in queue["waiting"]],
            "reports": queue["reports"],
            "section": "review",
        },
    )


@instructor_required
@require_GET
def case_history(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case(case_id)
    return render(
        request,
        "teach/case_history.html",
        {
            **selectors.case_history(case, old=request.GET.get("a"), new=request.GET.get("b")),
            "case": case,
            "section": "cases",
        },
    )


@instructor_required
@require_POST
def case_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take the version being written (or, without one, what learners get) exactly as a
    learner would: a one-case attempt of the instructor's own, stages and all."""
    case = _get_case(case_id)
    version = authoring.open_version(case)
    content = version.content if version else selectors.current_content(case)
    number = version.number if version else case.version
    try:
        snapshot = content_snapshots.preview_snapshot(
            case_id=case.pk, content=content, version=number
        )
    except schema.BankInvalid as exc:
        messages.error(
            request,
            "This version cannot be taken yet: "
            + "; ".join(f"{e.location}: {e.message}" for e in exc.errors),
        )
        return redirect("teach:case", case_id=case.pk)
    attempt = quiz_services.start_preview(user=request.user, snapshot=snapshot)
    return redirect("quizzes:case", attempt_id=attempt.pk, position=1)
