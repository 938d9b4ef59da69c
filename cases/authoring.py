"""Writes of case authoring: drafts, review, versions, retirement. Each public function is
one transaction and locks the case's row, so two instructors acting at once cannot both
win.

A case's rows (`Case` and its parts) hold the content learners get; its `CaseVersion`s
hold every version. An open version (a draft, or one in review) of a published case lives
only in its version until a second instructor approves it; a case never published has its
rows follow its draft, so the case list can filter it. Learners' attempts never read the
rows after they start: each snapshots its cases, and keeps the version it was answered on.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases import schema
from cases.bank import canonical
from cases.models import Case, CaseEvent, CaseVersion
from cases.selectors import known_keys
from cases.services import ensure_base_version, open_version, write_case

Action = CaseEvent.Action
State = CaseVersion.State


class NotAllowed(Exception):
    """The step is not open to this user, or not in the case's present state; the message
    says why, for the person who tried."""


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _record(case: Case, number: int, action: str, actor, comment: str = "") -> None:
    CaseEvent.objects.create(
        case=case, version=number, action=action, actor=actor, comment=comment.strip()
    )


def _never_published(case: Case) -> bool:
    return case.status in (Case.Status.DRAFT, Case.Status.REVIEW)


def _as(content: schema.CaseSchema, **changes) -> schema.CaseSchema:
    """The content with some fields replaced, validated again by the one validator."""
    return schema.validate_case({**canonical(content), **changes}, known=known_keys())


def may_edit(version: CaseVersion, user) -> bool:
    """An instructor edits their own drafts; a draft no one here wrote (loaded from a file)
    is anyone's; a superuser may edit any."""
    return version.state == State.DRAFT and (
        version.author_id in (None, user.pk) or user.is_superuser
    )


@transaction.atomic
def create_case(*, author, content: schema.CaseSchema) -> Case:
    """A new case, as version 1, a draft of `author`'s."""
    content = _as(content, status=Case.Status.DRAFT)
    case = write_case(case=None, content=content)
    Case.objects.filter(pk=case.pk).update(author=author)
    case.author = author
    CaseVersion.objects.create(
        case=case, number=1, state=State.DRAFT, content=canonical(content), author=author
    )
    _record(case, 1, Action.CREATED, author)
    return case


@transaction.atomic
def save_draft(*, case: Case, author, content: schema.CaseSchema) -> CaseVersion:
    """Save `content` as the case's draft. Editing a published (or retired) case starts a
    new version, which learners get only once it is approved."""
    case = _lock(case)
    ensure_base_version(case)
    version = open_version(case)
    content = _as(content, slug=case.slug, status=Case.Status.DRAFT)
    if version is None:
        number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = CaseVersion.objects.create(
            case=case, number=number, state=State.DRAFT, content=canonical(content), author=author
        )
        _record(case, number, Action.REVISED, author)
        return version
    if version.state == State.REVIEW:
        raise NotAllowed(
            f"Version {version.number} is in review; withdraw it from review to edit it."
        )
    if not may_edit(version, author):
        raise NotAllowed(f"Version {version.number} is a draft of another instructor's.")
    version.content = canonical(content)
    if version.author is None:
        version.author = author
    version.save(update_fields=["content", "author", "updated_at"])
    if _never_published(case):
        write_case(case=case, content=content)
    return version


def _open(case: Case, state: str) -> CaseVersion:
    version = open_version(case)
    if version is None or version.state != state:
        label = State(state).label.lower()
        raise NotAllowed(f"There is no version {label} on “{case}”; it may have moved on.")
    return version


@transaction.atomic
def submit_for_review(*, case: Case, user, comment: str = "") -> CaseVersion:
    """Send the draft for review. It must be complete enough to publish: the schema checks
    it as a published case (a site, a differential, everything gradable)."""
    case = _lock(case)
    version = _open(case, State.DRAFT)
    if not may_edit(version, user):
        raise NotAllowed("Only the draft's author sends it for review.")
    if not version.content.get("findings"):
        raise NotAllowed("A case needs its findings before review.")
    if not version.content.get("teaching_points"):
        raise NotAllowed("A case needs at least one teaching point before review.")
    schema.validate_case({**version.content, "status": Case.Status.PUBLISHED}, known=known_keys())
    version.state = State.REVIEW
    version.save(update_fields=["state", "updated_at"])
    if _never_published(case):
        Case.objects.filter(pk=case.pk).update(status=Case.Status.REVIEW)
    _record(case, version.number, Action.SUBMITTED, user, comment)
    return version


@transaction.atomic
def withdraw(*, case: Case, user) -> CaseVersion:
    """The author takes their version back from review to edit it."""
    case = _lock(case)
    version = _open(case, State.REVIEW)
    if version.author_id not in (None, user.pk) and not user.is_superuser:
        raise NotAllowed("Only the version's author withdraws it.")
    version.state = State.DRAFT
    version.save(update_fields=["state", "updated_at"])
    if _never_published(case):
        Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    _record(case, version.number, Action.WITHDRAWN, user)
    return version


def _reviewer_check(version: CaseVersion, reviewer) -> None:
    if version.author_id == reviewer.pk:
        raise NotAllowed("An author cannot review their own case; another instructor does.")


@transaction.atomic
def approve(*, case: Case, reviewer, comment: str = "") -> CaseVersion:
    """Publish the version in review: learners starting from now get it; every attempt
    already started keeps the version it snapshotted."""
    case = _lock(case)
    version = _open(case, State.REVIEW)
    _reviewer_check(version, reviewer)
    content = schema.validate_case(
        {**version.content, "status": Case.Status.PUBLISHED}, known=known_keys()
    )
    case.versions.filter(state=State.PUBLISHED).update(state=State.SUPERSEDED)
    write_case(case=case, content=content)
    Case.objects.filter(pk=case.pk).update(version=version.number)
    version.state = State.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["state", "published_at", "updated_at"])
    _record(case, version.number, Action.APPROVED, reviewer, comment)
    return version


@transaction.atomic
def request_changes(*, case: Case, reviewer, comment: str) -> CaseVersion:
    """Send the version back to its author as a draft, saying what should change."""
    if not comment.strip():
        raise NotAllowed("Say what should change; the author reads it with the case.")
    case = _lock(case)
    version = _open(case, State.REVIEW)
    _reviewer_check(version, reviewer)
    version.state = State.DRAFT
    version.save(update_fields=["state", "updated_at"])
    if _never_published(case):
        Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    _record(case, version.number, Action.CHANGES_REQUESTED, reviewer, comment)
    return version


@transaction.atomic
def discard_draft(*, case: Case, user) -> None:
    """Drop the draft of a new version; the published version stays as it is."""
    case = _lock(case)
    version = _open(case, State.DRAFT)
    if _never_published(case):
        raise NotAllowed("This case has no published version to fall back on.")
    if not may_edit(version, user):
        raise NotAllowed("Only the draft's author discards it.")
    version.delete()
    _record(case, version.number, Action.DISCARDED, user)


@transaction.atomic
def retire(*, case: Case, user, comment: str = "") -> None:
    """Take a published case out of new attempts; past attempts keep it as they had it."""
    case = _lock(case)
    if case.status != Case.Status.PUBLISHED:
        raise NotAllowed("Only a published case can be retired.")
    ensure_base_version(case)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.RETIRED)
    _record(case, case.version, Action.RETIRED, user, comment)


@transaction.atomic
def reinstate(*, case: Case, user, comment: str = "") -> None:
    """Publish a retired case's last published version again."""
    case = _lock(case)
    if case.status != Case.Status.RETIRED:
        raise NotAllowed("Only a retired case can be published again.")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    _record(case, case.version, Action.REINSTATED, user, comment)
