"""Reads of the case bank, and the one adapter from the database to the schema.

`case_data` turns a case (with the prefetches of `case_content_queryset`) into the data of
`cases.schema.CaseSchema`; export, the curated loader's comparison and the attempt snapshot
all start from it.
"""

import difflib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.safestring import SafeString
from pydantic import ValidationError

from cases import localization, schema
from cases.bank import canonical
from cases.markdown import render_markdown
from cases.models import (
    Case,
    CaseEvent,
    CaseFinding,
    CaseVersion,
    Finding,
    GuidelineStatement,
    Lesson,
    NextStepOption,
    Reference,
    Source,
    TeachingPoint,
)

logger = logging.getLogger(__name__)


def case_content_queryset() -> QuerySet[Case]:
    """Cases with everything the schema needs, in a fixed number of queries."""
    return Case.objects.select_related("next_step").prefetch_related(
        "tags",
        Prefetch(
            "findings",
            queryset=CaseFinding.objects.select_related("finding").prefetch_related(
                "finding__statements"
            ),
        ),
        Prefetch(
            "teaching_points",
            queryset=TeachingPoint.objects.prefetch_related("statements", "sources"),
        ),
        Prefetch(
            "next_step__options",
            queryset=NextStepOption.objects.prefetch_related("statements", "sources"),
        ),
    )


def _keys(related: Iterable) -> list[str]:
    return sorted(item.key for item in related)


def case_data(case: Case) -> dict:
    """The case as schema data; expects the prefetches of `case_content_queryset`."""
    try:
        question = case.next_step
    except Case.next_step.RelatedObjectDoesNotExist:
        question = None
    return {
        "slug": case.slug,
        "title": case.title,
        "status": case.status,
        "answer": case.answer,
        "difficulty": case.difficulty,
        "patient_age": case.patient_age,
        "patient_sex": case.patient_sex,
        "site": case.site,
        "differential": list(case.differential),
        "site_accepts": list(case.site_accepts),
        "tags": sorted(tag.slug for tag in case.tags.all()),
        "stem": case.stem,
        "investigations": case.investigations,
        "findings": [
            {
                "code": cf.finding.code,
                "present": cf.present,
                "region": cf.region,
                "side": cf.side,
                "note": cf.note,
            }
            for cf in case.findings.all()
        ],
        "teaching_points": [
            {
                "text": point.text,
                "statements": _keys(point.statements.all()),
                "sources": _keys(point.sources.all()),
                "explains_rule": point.explains_rule,
            }
            for point in case.teaching_points.all()
        ],
        "next_step": None
        if question is None
        else {
            "prompt": question.prompt,
            "options": [
                {
                    "text": option.text,
                    "correct": option.is_correct,
                    "rationale": option.rationale,
                    "statements": _keys(option.statements.all()),
                    "sources": _keys(option.sources.all()),
                }
                for option in question.options.all()
            ],
        },
    }


def case_canonical(case: Case) -> dict:
    """The case in canonical form; content the schema refuses is compared as it stands."""
    data = case_data(case)
    try:
        return canonical(schema.CaseSchema.model_validate(data))
    except ValidationError:
        return data


def known_keys() -> schema.Known:
    """What a bank file may refer to besides its own entries."""
    return schema.Known(
        references=frozenset(Reference.objects.values_list("number", flat=True)),
        statements=frozenset(GuidelineStatement.objects.values_list("key", flat=True)),
        findings=frozenset(Finding.objects.values_list("code", flat=True)),
        sources=frozenset(Source.objects.values_list("key", flat=True)),
    )


def _statements() -> QuerySet[GuidelineStatement]:
    return GuidelineStatement.objects.prefetch_related("citations", "sources")


def source_data(source: Source) -> dict:
    return {
        "key": source.key,
        "citation": source.citation,
        "short": source.short,
        "doi": source.doi,
        "pmid": source.pmid,
        "url": source.url,
    }


def statement_data(statement: GuidelineStatement) -> dict:
    return {
        "key": statement.key,
        "text": statement.text,
        "topic": statement.topic,
        "citations": sorted(ref.number for ref in statement.citations.all()),
        "sources": _keys(statement.sources.all()),
        "scope": list(statement.scope),
    }


def lesson_data(lesson: Lesson) -> dict:
    return {
        "key": lesson.key,
        "trigger": lesson.trigger,
        "scope": list(lesson.scope),
        "except_scope": list(lesson.except_scope),
        "when_present": list(lesson.when_present),
        "unless_present": list(lesson.unless_present),
        "text": lesson.text,
        "reminder": lesson.reminder,
        "statements": _keys(lesson.statements.all()),
        "sources": _keys(lesson.sources.all()),
    }


def export_bank(*, cases: QuerySet[Case] | None = None) -> dict:
    """The bank in its file format: the whole knowledge base, and every case or only those
    of `cases` (a selection such as `teach_case_list` gives)."""
    content = case_content_queryset()
    if cases is not None:
        content = content.filter(pk__in=cases.order_by().values("pk"))
    return {
        "references": [
            {"number": r.number, "title": r.title, "source": r.source, "year": r.year}
            for r in Reference.objects.all()
        ],
        "sources": [source_data(s) for s in Source.objects.all()],
        "statements": [statement_data(s) for s in _statements()],
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "category": f.category,
                "statements": _keys(f.statements.all()),
                "explanation": f.explanation,
            }
            for f in Finding.objects.prefetch_related("statements")
        ],
        "lessons": [
            lesson_data(lesson)
            for lesson in Lesson.objects.prefetch_related("statements", "sources")
        ],
        "cases": [case_canonical(c) for c in content.order_by("slug")],
    }


@dataclass(frozen=True)
class Knowledge:
    """What snapshots draw on besides the case: statements, references, sources, lessons."""

    statements: dict[str, GuidelineStatement]
    references: dict[int, Reference]
    sources: dict[str, Source]
    lessons: list[dict]

    @classmethod
    def load(cls) -> "Knowledge":
        return cls(
            statements={s.key: s for s in _statements()},
            references={r.number: r for r in Reference.objects.all()},
            sources={s.key: s for s in Source.objects.all()},
            lessons=[
                lesson_data(x) for x in Lesson.objects.prefetch_related("statements", "sources")
            ],
        )


def case_snapshot(case: Case, knowledge: Knowledge) -> dict:
    """What one case shows and is graded on, with the knowledge it cites, as snapshot data;
    expects the prefetches of `case_content_queryset`. Raises `schema.BankInvalid` with
    located errors when the case, or the snapshot made of it, would not validate."""
    findings = {cf.finding.code: cf.finding for cf in case.findings.all()}
    return snapshot_from_data(
        case_data(case),
        case_id=case.pk,
        version=case.version,
        knowledge=knowledge,
        findings=findings,
    )


def finding_vocabulary() -> dict[str, Finding]:
    """Every finding with the statements it cites, by code."""
    return {f.code: f for f in Finding.objects.prefetch_related("statements")}


def snapshot_from_data(
    data: dict, *, case_id: int, version: int, knowledge: Knowledge, findings: Mapping[str, Finding]
) -> dict:
    """The snapshot of a case's content given as schema data (a saved case's, or a version's
    not yet published, for its preview): the one way content becomes what learners read.
    `findings` holds at least the case's findings, with their statements prefetched."""
    schema.validate_case(data)  # the one validator: a case it refuses cannot be graded
    sites = schema.case_sites(data["site"], data["differential"] or ())
    regions = dict(CaseFinding.Region.choices)
    entry: dict[str, Any] = {
        "case": {
            "id": case_id,
            "version": version,
            "slug": data["slug"],
            "title": data["title"],
            "stem_html": str(render_markdown(data["stem"])),
            "investigations_html": str(render_markdown(data["investigations"]))
            if data["investigations"]
            else "",
            "patient_age": data["patient_age"],
            "patient_sex": Case.Sex(data["patient_sex"]).label,
            "difficulty": Case.Difficulty(data["difficulty"]).label,
            "answer": data["answer"],
            "site": data["site"],
            "differential": list(data["differential"] or ()),
            "site_accepts": list(data["site_accepts"]),
        },
        "findings": [
            {
                "code": item["code"],
                "name": findings[item["code"]].name,
                "present": item["present"],
                "region": regions.get(item["region"], ""),
                "side": item["side"],
                "note": item["note"],
                "explanation": findings[item["code"]].explanation,
                "statements": _keys(findings[item["code"]].statements.all()),
            }
            for item in data["findings"]
        ],
        "teaching_points": [dict(point) for point in data["teaching_points"]],
        "next_step": None
        if data["next_step"] is None
        else {
            "prompt": data["next_step"]["prompt"],
            "options": [dict(option) for option in data["next_step"]["options"]],
        },
        # Every site lesson: the site item explains the learner's choice, wherever it is.
        "lessons": [
            lesson
            for lesson in knowledge.lessons
            if lesson["trigger"] == schema.SITE_LESSON
            or schema.in_scope(sites, lesson["scope"], lesson["except_scope"])
        ],
    }
    cited_items = [
        *entry["findings"],
        *entry["teaching_points"],
        *(entry["next_step"] or {}).get("options", []),
        *entry["lessons"],
    ]
    cited = {key for item in cited_items for key in item["statements"]}
    cited |= set(schema.ALWAYS_CITED)
    entry["statements"] = {
        key: {
            k: v
            for k, v in statement_data(knowledge.statements[key]).items()
            if k not in ("key", "topic")
        }
        for key in sorted(cited)
        if key in knowledge.statements
    }
    named = {k for item in cited_items for k in item.get("sources", ())}
    named |= {k for s in entry["statements"].values() for k in s["sources"]}
    entry["sources"] = {
        k: source_data(knowledge.sources[k]) for k in sorted(named) if k in knowledge.sources
    }
    numbers = {n for s in entry["statements"].values() for n in s["citations"]}
    entry["references"] = {
        str(n): knowledge.references[n].label for n in sorted(numbers) if n in knowledge.references
    }
    if entry["next_step"]:
        for number, option in enumerate(entry["next_step"]["options"], start=1):
            option["id"] = number
    try:
        schema.CaseSnapshot.model_validate(entry)
    except ValidationError as exc:
        raise schema.BankInvalid(
            [schema.BankError("snapshot", e["msg"]) for e in exc.errors(include_url=False)]
        ) from exc
    return entry


def case_snapshots(case_ids: Iterable[int]) -> dict[int, dict]:
    """Snapshot data per case. A case that would not validate (an edit made outside the
    validated paths) is left out and logged, never handed to a learner half-gradable."""
    knowledge = Knowledge.load()
    snapshots: dict[int, dict] = {}
    for case in case_content_queryset().filter(pk__in=list(case_ids)):
        try:
            snapshots[case.pk] = case_snapshot(case, knowledge)
        except schema.BankInvalid as exc:
            logger.error("Case %s left out of new attempts: %s", case.slug, exc)
    return snapshots


# The case list's orders: the key a link or form sends, and the fields it sorts by.
SORTS = {
    "title": ("title", "slug"),
    "-updated": ("-updated_at", "slug"),
    "status": ("status", "title"),
    "answer": ("answer", "title"),
    "site": ("site", "title"),
}


def teach_case_list(*, filters: Mapping) -> QuerySet[Case]:
    """The instructor's case list: searched by text, filtered, ordered; a fixed number of
    queries whatever the size of the bank."""
    open_version = CaseVersion.objects.filter(case=OuterRef("pk"), state__in=CaseVersion.OPEN)
    cases = Case.objects.select_related("author").annotate(
        open_state=Subquery(open_version.values("state")[:1]),
        open_number=Subquery(open_version.values("number")[:1]),
        finding_count=Count("findings", filter=Q(findings__present=True), distinct=True),
        open_reports=Count(
            "problem_reports", filter=Q(problem_reports__resolved_at__isnull=True), distinct=True
        ),
    )
    if query := filters.get("q"):
        cases = cases.filter(
            Q(title__icontains=query) | Q(slug__icontains=query) | Q(stem__icontains=query)
        )
    for name in ("status", "answer", "site"):
        if value := filters.get(name):
            cases = cases.filter(**{name: value})
    if finding := filters.get("finding"):
        cases = cases.filter(findings__finding=finding, findings__present=True)
    if tag := filters.get("tag"):
        cases = cases.filter(tags=tag)
    if author := filters.get("author"):
        cases = cases.filter(author=author)
    return cases.distinct().order_by(*SORTS[filters.get("sort") or "title"])


def teach_waiting() -> dict[str, int]:
    """What waits for an instructor: versions to review, learners' open reports."""
    from quizzes.models import ProblemReport

    return {
        "reviews": CaseVersion.objects.filter(state=CaseVersion.State.REVIEW).count(),
        "reports": ProblemReport.objects.filter(resolved_at__isnull=True).count(),
    }


def teach_status_counts() -> dict[str, int]:
    """How many cases are in each status, every status listed."""
    counts = dict(Case.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Case.Status.values}


# Authoring: the case page, the review queue, the history -------------------------------


def current_content(case: Case) -> dict:
    """The content learners get now, as schema data (what a new version starts from)."""
    return case_canonical(case_content_queryset().get(pk=case.pk))


def markdown_preview(text: str) -> SafeString | str:
    """Markdown rendered and sanitized exactly as learners get it."""
    return render_markdown(text) if text.strip() else ""


def case_overview(case: Case) -> dict:
    """The case page: its versions, the open one, its recent steps."""
    versions = list(case.versions.select_related("author"))
    open_version = next((v for v in versions if v.is_open), None)
    events = list(case.events.select_related("actor")[:30])
    # The reviewer's word the author is to act on: the latest step on the open version,
    # when it sent it back.
    latest = next((e for e in events if open_version and e.version == open_version.number), None)
    return {
        "versions": versions,
        "open_version": open_version,
        "next_number": max((v.number for v in versions), default=case.version) + 1,
        "events": events,
        "changes_asked": latest
        if latest and latest.action == CaseEvent.Action.CHANGES_REQUESTED
        else None,
    }


def review_queue() -> dict:
    """Versions waiting for a reviewer, and learners' open problem reports, with the case
    and the version each was read on."""
    waiting = (
        CaseVersion.objects.filter(state=CaseVersion.State.REVIEW)
        .select_related("case", "author")
        .order_by("updated_at", "pk")
    )
    return {"waiting": list(waiting), "reports": list(problem_reports())}


def problem_reports(*, resolved: bool = False, case: Case | None = None) -> QuerySet:
    """Learners' problem reports, open (oldest first) or resolved (latest first), each with
    the version of the case it was read on."""
    from quizzes.models import ProblemReport

    reports = ProblemReport.objects.filter(resolved_at__isnull=not resolved)
    if case is not None:
        reports = reports.filter(case=case)
    read_on = KeyTextTransform("version", KeyTransform("case", "attempt_case__content"))
    order = ("-resolved_at", "-pk") if resolved else ("created_at", "pk")
    return (
        reports.select_related("case", "reporter", "resolved_by")
        .annotate(version=read_on)
        .order_by(*order)
    )


def _names(numbers: Iterable[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(n, n) for n in numbers) or "none"


def readable(content: Mapping, *, findings: Mapping[str, str], statements: Mapping[str, str]):
    """A version's content as lines a clinician reads, for comparing two versions."""
    sites = localization.SITE_NAMES
    lines = [
        f"Title: {content.get('title', '')}",
        f"Patient: {content.get('patient_age')}-year-old {content.get('patient_sex', '')}",
        f"Difficulty: {content.get('difficulty', '')}",
        f"Tags: {', '.join(content.get('tags') or ()) or 'none'}",
        "Presentation:",
        *(f"  {line}" for line in (content.get("stem") or "").splitlines() if line.strip()),
        "Investigations:",
        *(
            f"  {line}"
            for line in (content.get("investigations") or "").splitlines()
            if line.strip()
        ),
        f"Answer key: {localization.ANSWER_LABELS.get(content.get('answer', ''), 'none')}",
        f"Site: {sites.get(content.get('site', ''), 'none')}",
        f"Differential: {_names(content.get('differential') or (), sites)}",
        f"Also accepted as the site: {_names(content.get('site_accepts') or (), sites)}",
    ]
    for f in content.get("findings") or ():
        where = ", ".join(part for part in (f.get("side"), f.get("region")) if part)
        presence = "present" if f["present"] else "absent"
        line = f"Finding: {findings.get(f['code'], f['code'])}, {presence}"
        lines.append(line + (f" ({where})" if where else ""))
        if f.get("note"):
            lines.append(f"  note: {f['note']}")
    for n, point in enumerate(content.get("teaching_points") or (), start=1):
        lines.append(f"Teaching point {n}: {point['text']}")
        lines.append(f"  cites: {_names(point.get('statements') or (), statements)}")
        if point.get("sources"):
            lines.append(f"  sources: {', '.join(point['sources'])}")
        if point.get("explains_rule"):
            lines.append("  explains why the key differs from the rule")
    question = content.get("next_step")
    if question:
        lines.append(f"Next-step question: {question['prompt']}")
        for n, option in enumerate(question["options"], start=1):
            mark = " (correct)" if option["correct"] else ""
            lines.append(f"Option {n}{mark}: {option['text']}")
            lines.append(f"  rationale: {option['rationale']}")
            lines.append(f"  cites: {_names(option.get('statements') or (), statements)}")
    return lines


def _names_for_reading() -> dict:
    texts = {
        key: text if len(text) <= 70 else text[:69].rstrip() + "…"
        for key, text in GuidelineStatement.objects.values_list("key", "text")
    }
    return {"findings": dict(Finding.objects.values_list("code", "name")), "statements": texts}


def readable_content(content: Mapping) -> list[str]:
    """A version's content as a reviewer reads it, line by line."""
    return readable(content, **_names_for_reading())


def _diff(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """The changed lines with one line of context: ("same" | "added" | "removed" | "gap")."""
    rows = []
    for line in list(difflib.unified_diff(old, new, n=1, lineterm=""))[2:]:
        if line.startswith("@@"):
            rows.append(("gap", ""))
        else:
            kind = {"+": "added", "-": "removed"}.get(line[:1], "same")
            rows.append((kind, line[1:]))
    return rows


def case_history(case: Case, *, old: str | None = None, new: str | None = None) -> dict:
    """Every version of the case, and a readable difference between two of them (by
    default the latest and the one before it)."""
    versions = list(case.versions.select_related("author").order_by("-number"))
    by_number = {str(v.number): v for v in versions}
    newer = by_number.get(new or "") or (versions[0] if versions else None)
    older = by_number.get(old or "")
    if older is None and newer is not None:
        older = next((v for v in versions if v.number < newer.number), None)
    diff: list[tuple[str, str]] = []
    if newer is not None and older is not None:
        names = _names_for_reading()
        diff = _diff(readable(older.content, **names), readable(newer.content, **names))
    return {"versions": versions, "older": older, "newer": newer, "diff": diff}
