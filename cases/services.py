"""Writes to the case bank. Each public function is one transaction.

`write_case` is the one way from the schema to the database: the bank import, the curated
loader and the admin all save a case's content through it, so a case that the schema
refuses (a published case that could not be graded) is never saved.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cases import schema
from cases.bank import canonical, fingerprint, matches
from cases.models import (
    Case,
    CaseEvent,
    CaseFinding,
    CaseVersion,
    Finding,
    GuidelineStatement,
    Lesson,
    NextStepOption,
    NextStepQuestion,
    Reference,
    Source,
    Tag,
    TeachingPoint,
)
from cases.selectors import case_canonical, case_content_queryset, case_data, known_keys

CURATED_DIR = Path(__file__).resolve().parent / "content"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local_edits: list[str] = field(default_factory=list)
    # Cases with a draft or a version in review: the file would pull the rug from under it.
    kept_open_drafts: list[str] = field(default_factory=list)
    knowledge_base_changes: int = 0
    # Imported through the instructor area: every case written is a draft for review.
    as_drafts: bool = False

    def summary(self) -> str:
        parts = (
            [
                f"{len(self.created)} new case(s) and {len(self.updated)} new version(s) as "
                "drafts to send for review",
                f"{len(self.unchanged)} unchanged",
            ]
            if self.as_drafts
            else [
                f"{len(self.created)} case(s) created",
                f"{len(self.updated)} updated",
                f"{len(self.unchanged)} unchanged",
            ]
        )
        if self.kept_local_edits:
            parts.append(f"{len(self.kept_local_edits)} kept as edited here")
        if self.kept_open_drafts:
            parts.append(f"{len(self.kept_open_drafts)} kept for their open draft")
        return ", ".join(parts) + f"; {self.knowledge_base_changes} guideline record(s) written."


def _set_if_changed(instance, values: dict, relations: dict | None = None) -> bool:
    """Write `values` (fields) and `relations` (m2m name -> objects) where they differ."""
    changed = False
    if any(getattr(instance, k) != v for k, v in values.items()):
        type(instance).objects.filter(pk=instance.pk).update(**values)
        changed = True
    for name, objects in (relations or {}).items():
        manager = getattr(instance, name)
        if set(manager.values_list("pk", flat=True)) != {o.pk for o in objects}:
            manager.set(objects)
            changed = True
    return changed


def upsert_knowledge_base(bank: schema.BankSchema) -> int:
    """Create or update references, sources, statements, findings and lessons; returns
    the records written."""
    written = 0
    values: dict[str, object]
    relations: dict[str, list]
    for ref in bank.references:
        values = {"title": ref.title, "source": ref.source, "year": ref.year}
        reference, created = Reference.objects.get_or_create(number=ref.number, defaults=values)
        written += created or _set_if_changed(reference, values)
    for src in bank.sources:
        values = src.model_dump(exclude={"key"})
        source, created = Source.objects.get_or_create(key=src.key, defaults=values)
        written += created or _set_if_changed(source, values)
    references = {r.number: r for r in Reference.objects.all()}
    sources = {s.key: s for s in Source.objects.all()}
    # Fields added to the format after files were first written (a statement's scope and
    # sources, a finding's explanation) are written only where the file states them, so an
    # older export never erases them.
    for position, st in enumerate(bank.statements, start=1):
        values = {"text": st.text, "topic": st.topic, "position": position}
        if "scope" in st.model_fields_set:
            values["scope"] = list(st.scope)
        statement, created = GuidelineStatement.objects.get_or_create(key=st.key, defaults=values)
        relations = {"citations": [references[n] for n in st.citations]}
        if "sources" in st.model_fields_set:
            relations["sources"] = [sources[k] for k in st.sources]
        written += _set_if_changed(statement, values, relations) or created
    statements = {s.key: s for s in GuidelineStatement.objects.all()}
    for fd in bank.findings:
        values = {"name": fd.name, "category": fd.category}
        if "explanation" in fd.model_fields_set:
            values["explanation"] = fd.explanation
        finding, created = Finding.objects.get_or_create(code=fd.code, defaults=values)
        relations = {"statements": [statements[k] for k in fd.statements]}
        written += _set_if_changed(finding, values, relations) or created
    if bank.lessons is not None:
        # The file's lessons replace the bank's, in the file's order.
        written += Lesson.objects.exclude(key__in=[x.key for x in bank.lessons]).delete()[0]
        for position, ls in enumerate(bank.lessons, start=1):
            values = {
                "position": position,
                "trigger": ls.trigger,
                "scope": list(ls.scope),
                "except_scope": list(ls.except_scope),
                "when_present": list(ls.when_present),
                "unless_present": list(ls.unless_present),
                "text": ls.text,
                "reminder": ls.reminder,
            }
            lesson, created = Lesson.objects.get_or_create(key=ls.key, defaults=values)
            relations = {
                "statements": [statements[k] for k in ls.statements],
                "sources": [sources[k] for k in ls.sources],
            }
            written += _set_if_changed(lesson, values, relations) or created
    return written


@transaction.atomic
def write_case(*, case: Case | None, content: schema.CaseSchema) -> Case:
    """Create or overwrite one case from validated content."""
    fields = {
        "title": content.title,
        "status": content.status,
        "answer": content.answer,
        "difficulty": content.difficulty,
        "patient_age": content.patient_age,
        "patient_sex": content.patient_sex,
        "site": content.site,
        "differential": list(content.differential or ()),
        "site_accepts": list(content.site_accepts),
        "stem": content.stem,
        "investigations": content.investigations,
    }
    if case is None:
        case = Case.objects.create(slug=content.slug, **fields)
    else:
        for name, value in fields.items():
            setattr(case, name, value)
        case.save()
        case.findings.all().delete()
        case.teaching_points.all().delete()
        NextStepQuestion.objects.filter(case=case).delete()
    statements = {s.key: s for s in GuidelineStatement.objects.all()}
    sources = {s.key: s for s in Source.objects.all()}
    findings = {f.code: f for f in Finding.objects.all()}
    case.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in content.tags])
    CaseFinding.objects.bulk_create(
        CaseFinding(
            case=case,
            finding=findings[item.code],
            present=item.present,
            region=item.region,
            side=item.side,
            note=item.note,
        )
        for item in content.findings
    )
    for position, point in enumerate(content.teaching_points, start=1):
        teaching_point = TeachingPoint.objects.create(
            case=case, position=position, text=point.text, explains_rule=point.explains_rule
        )
        teaching_point.statements.set([statements[k] for k in point.statements])
        teaching_point.sources.set([sources[k] for k in point.sources])
    if content.next_step:
        question = NextStepQuestion.objects.create(case=case, prompt=content.next_step.prompt)
        for position, item in enumerate(content.next_step.options, start=1):
            option = NextStepOption.objects.create(
                question=question,
                position=position,
                text=item.text,
                is_correct=item.correct,
                rationale=item.rationale,
            )
            option.statements.set([statements[k] for k in item.statements])
            option.sources.set([sources[k] for k in item.sources])
    return case


# Versions, as the bank and the curated loader record them (the editor's are in
# `cases.authoring`).


def open_version(case: Case) -> CaseVersion | None:
    return case.versions.filter(state__in=CaseVersion.OPEN).first()


def ensure_base_version(case: Case) -> None:
    """Record the content the case's rows hold as its present version, if no version has
    been recorded yet (a case from before versions, or made by a factory)."""
    if case.versions.exists():
        return
    content = case_canonical(case_content_queryset().get(pk=case.pk))
    if case.status == Case.Status.DRAFT:
        state, published_at = CaseVersion.State.DRAFT, None
    elif case.status == Case.Status.REVIEW:
        state, published_at = CaseVersion.State.REVIEW, None
    else:
        state, published_at = CaseVersion.State.PUBLISHED, case.updated_at
    CaseVersion.objects.create(
        case=case,
        number=case.version,
        state=state,
        content=content,
        author=case.author,
        origin="before version history",
        published_at=published_at,
    )


def _record_loaded(
    case: Case, content: schema.CaseSchema, *, origin: str, rows_written: bool = True
) -> None:
    """Record content a bank file or the curated loader just wrote to the case's rows as a
    version of the case (called inside their transaction, after `ensure_base_version`
    recorded what the rows held before); with `rows_written` false, a draft of a published
    case that only its version holds."""
    data = canonical(content)
    number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    published = content.status in (Case.Status.PUBLISHED, Case.Status.RETIRED)
    if published:
        case.versions.filter(state=CaseVersion.State.PUBLISHED).update(
            state=CaseVersion.State.SUPERSEDED
        )
    CaseVersion.objects.create(
        case=case,
        number=number,
        state=CaseVersion.State.PUBLISHED if published else content.status,
        content=data,
        origin=origin,
        published_at=timezone.now() if published else None,
    )
    if rows_written:
        Case.objects.filter(pk=case.pk).update(version=number)
    CaseEvent.objects.create(
        case=case, version=number, action=CaseEvent.Action.LOADED, comment=origin
    )


def record_admin_edit(case: Case) -> None:
    """An administrator changed the case's rows in the admin: what learners now get is a
    version of its own in the history (the admin is the superuser's tool; instructors
    change cases through the instructor area)."""
    saved = Case.objects.filter(pk=case.pk).first()
    if saved is None:  # deleted
        return
    case = saved
    if not case.versions.exists():
        ensure_base_version(case)
        return
    content = case_canonical(case_content_queryset().get(pk=case.pk))
    latest = case.versions.filter(number=case.version).first()
    if latest is not None and latest.content == content:
        return
    published = case.has_published_version
    draft = open_version(case)
    if not published and draft is not None:
        # The rows of a case never published follow its draft: the draft takes the edit.
        draft.content = content
        draft.save(update_fields=["content", "updated_at"])
        return
    number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    if published:
        case.versions.filter(state=CaseVersion.State.PUBLISHED).update(
            state=CaseVersion.State.SUPERSEDED
        )
    CaseVersion.objects.create(
        case=case,
        number=number,
        state=CaseVersion.State.PUBLISHED if published else CaseVersion.State.DRAFT,
        content=content,
        origin="admin",
        published_at=timezone.now() if published else None,
    )
    Case.objects.filter(pk=case.pk).update(version=number)
    CaseEvent.objects.create(
        case=case, version=number, action=CaseEvent.Action.LOADED, comment="admin"
    )


def check_saved_case(case: Case) -> schema.CaseSchema:
    """Validate a case as it now stands in the database (after an edit outside the bank
    format, as in the admin); raises `schema.BankInvalid` with located errors."""
    saved = case_content_queryset().get(pk=case.pk)
    return schema.validate_case(case_data(saved), known=known_keys())


def _apply(data: object, *, keep_local_edits: bool) -> ImportReport:
    bank = schema.parse_bank(data, known=known_keys())
    report = ImportReport(knowledge_base_changes=upsert_knowledge_base(bank))
    slugs = [c.slug for c in bank.cases]
    # Locked first, so an instructor's save cannot slip in between the look and the write.
    list(Case.objects.select_for_update().filter(slug__in=slugs).values_list("pk"))
    existing = {
        case.slug: (case, case_canonical(case))
        for case in case_content_queryset().filter(slug__in=slugs)
    }
    drafted = set(
        CaseVersion.objects.filter(case__slug__in=existing, state__in=CaseVersion.OPEN).values_list(
            "case__slug", flat=True
        )
    )
    for content in bank.cases:
        entry = canonical(content)
        case, current = existing.get(content.slug, (None, None))
        # Identical content is unchanged whoever wrote it, an imported copy included; the
        # curated loader then marks it curated, so its later curated versions still arrive.
        if case is not None and current == entry:
            mark = fingerprint(entry)
            if keep_local_edits and case.curated_fingerprint != mark:
                Case.objects.filter(pk=case.pk).update(curated_fingerprint=mark)
            report.unchanged.append(content.slug)
            continue
        if (
            keep_local_edits
            and case is not None
            and current is not None
            and not matches(current, case.curated_fingerprint)
        ):
            report.kept_local_edits.append(content.slug)
            continue
        if content.slug in drafted:
            report.kept_open_drafts.append(content.slug)
            continue
        if case is not None:
            ensure_base_version(case)
        if (
            case is not None
            and case.status in (Case.Status.PUBLISHED, Case.Status.RETIRED)
            and content.status in (Case.Status.DRAFT, Case.Status.REVIEW)
        ):
            # A draft of a case learners get: a version to review, never over their copy.
            _record_loaded(case, content, origin="import", rows_written=False)
            report.updated.append(content.slug)
            continue
        case = write_case(case=case, content=content)
        _record_loaded(case, content, origin="curated content" if keep_local_edits else "import")
        # Only curated content is a reference later loads compare with; an imported case is
        # the bank owner's own, and later curated loads leave it alone.
        mark = fingerprint(entry) if keep_local_edits else ""
        Case.objects.filter(pk=case.pk).update(curated_fingerprint=mark)
        (report.updated if current else report.created).append(content.slug)
    return report


@transaction.atomic
def import_bank(*, data: object) -> ImportReport:
    """Import a bank file: validate all of it first, then write all of it or nothing.

    A case whose slug already exists is updated from the file, as a new version, unless
    an instructor has a draft of it open.
    """
    return _apply(data, keep_local_edits=False)


def read_curated() -> dict:
    """The curated content shipped with the app, merged into one bank document."""
    merged: dict = {key: [] for key in schema.TOP_LEVEL_KEYS}
    for path in sorted(CURATED_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for key, items in document.items():
            merged[key].extend(items)
    return merged


@transaction.atomic
def load_curated(*, data: dict | None = None) -> ImportReport:
    """Load the curated bank. Idempotent, and never overwrites a case edited here since.

    A case is "edited here" when its current content no longer matches the fingerprint
    recorded when it was last loaded.
    """
    return _apply(read_curated() if data is None else data, keep_local_edits=True)


# Named sources ---------------------------------------------------------------------------


def curated_source_keys() -> frozenset[str]:
    """Sources shipped in the curated content: verified against their own pages, and
    rewritten by `load_curated`, so they are not edited here."""
    return frozenset(source["key"] for source in read_curated()["sources"])


_SOURCE_FIELDS = ("citation", "short", "doi", "pmid", "url")


@transaction.atomic
def create_source(*, data: dict) -> Source:
    """Add an instructor's named source; raises `schema.BankInvalid` located by field."""
    content = schema.validate_source(data)
    if content.key in curated_source_keys():
        raise schema.BankInvalid(
            [schema.BankError("key", "is a curated source's key; choose another")]
        )
    try:
        with transaction.atomic():  # a savepoint: the unique key decides between two adds
            return Source.objects.create(**content.model_dump())
    except IntegrityError as exc:
        raise schema.BankInvalid(
            [schema.BankError("key", "a source with this key exists already; choose another")]
        ) from exc


@transaction.atomic
def update_source(*, source: Source, data: dict) -> Source:
    """Change an instructor's named source; its key stays. A curated source is refused (the
    curated loader would overwrite the edit). Raises `schema.BankInvalid` located by field."""
    if source.key in curated_source_keys():
        raise schema.BankInvalid(
            [schema.BankError("source", "a curated source is read-only; nothing was changed")]
        )
    content = schema.validate_source({**data, "key": source.key})
    source = Source.objects.select_for_update().get(pk=source.pk)
    for name in _SOURCE_FIELDS:
        setattr(source, name, getattr(content, name))
    source.save(update_fields=_SOURCE_FIELDS)
    return source
