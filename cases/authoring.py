"""Writes of case authoring: drafts, review, versions, retirement. Each public function is
one transaction and locks the case's row, so two instructors acting at once cannot both
win.

A case's rows (`Case` and its parts) hold the content learners get; its `CaseVersion`s
hold every version. An open version (a draft, or one in review) of a published case lives
only in its version until a second instructor approves it; a case never published has its
rows follow its draft, so the case list can filter it. Learners' attempts never read the
rows after they start: each snapshots its cases, and keeps the version it was answered on.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cases import schema
from cases.bank import canonical
from cases.models import Case, CaseEvent, CaseVersion
from cases.selectors import current_content, known_keys
from cases.services import (
    ImportReport,
    ensure_base_version,
    open_version,
    upsert_knowledge_base,
    write_case,
)

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
    return not case.has_published_version


def _as(content: schema.CaseSchema, **changes) -> schema.CaseSchema:
    """The content with some fields replaced, validated again by the one validator."""
    return schema.validate_case({**canonical(content), **changes}, known=known_keys())


def is_authors(version: CaseVersion, user) -> bool:
    """The version is this user's to act on as its author: they wrote it, no one here did
    (it came from a file), or they are a superuser."""
    return version.author_id in (None, user.pk) or user.is_superuser


def may_edit(version: CaseVersion, user) -> bool:
    """An instructor edits their own drafts, and no one else's."""
    return version.state == State.DRAFT and is_authors(version, user)


def allowed_steps(case: Case, version: CaseVersion | None, user) -> dict[str, bool]:
    """What `user` may do to the case now, with `version` its open version: the one rule
    the case page shows and the steps below enforce."""
    draft = version is not None and version.state == State.DRAFT
    in_review = version is not None and version.state == State.REVIEW
    authors = version is not None and is_authors(version, user)
    reviews = in_review and version is not None and may_review(version, user)
    return {
        "edit": version is None or (draft and authors),
        "submit": draft and authors,
        "withdraw": in_review and authors,
        "review": reviews,
        "own_review": in_review and not reviews,
        "discard": draft and authors,
        "retire": case.status == Case.Status.PUBLISHED,
        "reinstate": case.status == Case.Status.RETIRED,
    }


# The steps that make someone a version's contributor: none of them may review it.
_CONTRIBUTING = (Action.CREATED, Action.REVISED, Action.EDITED, Action.SUBMITTED)


def contributors(versions: list[CaseVersion]) -> dict[int, set[int]]:
    """Everyone who wrote or submitted each version (by the version's pk), in one query."""
    found: dict[int, set[int]] = {
        v.pk: {v.author_id} if v.author_id is not None else set() for v in versions
    }
    by_place = {(v.case_id, v.number): v.pk for v in versions}
    acted = CaseEvent.objects.filter(
        case_id__in={v.case_id for v in versions},
        action__in=_CONTRIBUTING,
        actor__isnull=False,
    ).values_list("case_id", "version", "actor_id")
    for case_id, number, actor_id in acted:
        if (case_id, number) in by_place:
            found[by_place[case_id, number]].add(actor_id)
    return found


def reviewable(versions: list[CaseVersion], user) -> dict[int, bool]:
    """Which of these versions `user` may review: those in review that they neither wrote
    nor submitted."""
    wrote = contributors(versions)
    return {v.pk: v.state == State.REVIEW and user.pk not in wrote[v.pk] for v in versions}


def may_review(version: CaseVersion, user) -> bool:
    return reviewable([version], user)[version.pk]


@transaction.atomic
def create_case(*, author, content: schema.CaseSchema) -> Case:
    """A new case, as version 1, a draft of `author`'s. Raises `schema.BankInvalid` when its
    slug names another case."""
    content = _as(content, status=Case.Status.DRAFT)
    taken = schema.BankInvalid(
        [schema.BankError("slug", f"“{content.slug}” names another case already")]
    )
    if Case.objects.filter(slug=content.slug).exists():
        raise taken
    try:
        with transaction.atomic():  # a savepoint: the unique slug decides between two adds
            case = write_case(case=None, content=content)
    except IntegrityError as exc:
        raise taken from exc
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
    elif version.author_id != author.pk:
        _record(case, version.number, Action.EDITED, author)  # a superuser's edit
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
    if not is_authors(version, user):
        raise NotAllowed("Only the version's author withdraws it.")
    version.state = State.DRAFT
    version.save(update_fields=["state", "updated_at"])
    if _never_published(case):
        Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    _record(case, version.number, Action.WITHDRAWN, user)
    return version


def _reviewer_check(version: CaseVersion, reviewer) -> None:
    if not may_review(version, reviewer):
        raise NotAllowed(
            "An author cannot review their own case; another instructor, who neither wrote "
            "nor submitted this version, does."
        )


@transaction.atomic
def approve(*, case: Case, reviewer, comment: str = "") -> CaseVersion:
    """Publish the version in review: learners starting from now get it; every attempt
    already started keeps the version it snapshotted. A retired case stays retired, with
    this version ready for the day it is published again."""
    case = _lock(case)
    version = _open(case, State.REVIEW)
    _reviewer_check(version, reviewer)
    content = schema.validate_case(
        {**version.content, "status": Case.Status.PUBLISHED}, known=known_keys()
    )
    if case.status == Case.Status.RETIRED:
        content = content.model_copy(update={"status": Case.Status.RETIRED})
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
def discard_draft(*, case: Case, user) -> bool:
    """Drop the draft: a new version goes and the published one stays as it is; a case
    never published goes altogether. Returns whether the case is gone."""
    case = _lock(case)
    version = _open(case, State.DRAFT)
    if not may_edit(version, user):
        raise NotAllowed("Only the draft's author discards it.")
    if _never_published(case):
        case.delete()
        return True
    version.delete()
    _record(case, version.number, Action.DISCARDED, user)
    return False


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


@transaction.atomic
def import_for_review(*, data: object, user, dry_run: bool = False) -> ImportReport:
    """Import a bank file through the instructor area: every case in it becomes a draft of
    `user`'s (a new case, or a new version of one), to go through review like any other;
    nothing reaches learners until another instructor approves it. A file that would change
    the guideline knowledge base is for an administrator. With `dry_run`, what it would do,
    written nothing. Raises `schema.BankInvalid` with every problem located."""
    bank = schema.parse_bank(data, known=known_keys())
    report = ImportReport(as_drafts=True)
    report.knowledge_base_changes = upsert_knowledge_base(bank)
    if report.knowledge_base_changes and not user.is_superuser:
        raise schema.BankInvalid(
            [
                schema.BankError(
                    "file",
                    f"it would change {report.knowledge_base_changes} record(s) of the "
                    "guideline knowledge base (references, sources, statements, findings or "
                    "lessons); an administrator imports such a file",
                )
            ]
        )
    slugs = [c.slug for c in bank.cases]
    cases = {c.slug: c for c in Case.objects.select_for_update().filter(slug__in=slugs)}
    for content in bank.cases:
        draft = content.model_copy(update={"status": Case.Status.DRAFT})
        case = cases.get(content.slug)
        if case is None:
            create_case(author=user, content=draft)
            report.created.append(content.slug)
            continue
        current = current_content(case)
        if {**current, "status": ""} == {**canonical(content), "status": ""}:
            report.unchanged.append(content.slug)
        elif open_version(case) is not None:
            report.kept_open_drafts.append(content.slug)
        else:
            save_draft(case=case, author=user, content=draft)
            report.updated.append(content.slug)
    if dry_run:
        transaction.set_rollback(True)
    return report
