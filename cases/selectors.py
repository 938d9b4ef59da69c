"""Reads of the case bank, and the one adapter from the database to the schema.

`case_data` turns a case (with the prefetches of `case_content_queryset`) into the data of
`cases.schema.CaseSchema`; export, the curated loader's comparison and the attempt snapshot
all start from it.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from pydantic import ValidationError

from cases import schema
from cases.bank import canonical
from cases.markdown import render_markdown
from cases.models import (
    Case,
    CaseFinding,
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


def export_bank() -> dict:
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
        "cases": [case_canonical(c) for c in case_content_queryset().order_by("slug")],
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
    data = case_data(case)
    schema.validate_case(data)  # the one validator: a case it refuses cannot be graded
    sites = schema.case_sites(case.site, case.differential)
    entry = {
        "case": {
            "id": case.pk,
            "slug": case.slug,
            "title": case.title,
            "stem_html": str(render_markdown(case.stem)),
            "investigations_html": str(render_markdown(case.investigations))
            if case.investigations
            else "",
            "patient_age": case.patient_age,
            "patient_sex": case.get_patient_sex_display(),
            "difficulty": case.get_difficulty_display(),
            "answer": case.answer,
            "site": case.site,
            "differential": list(case.differential),
            "site_accepts": list(case.site_accepts),
        },
        "findings": [
            {
                "code": cf.finding.code,
                "name": cf.finding.name,
                "present": cf.present,
                "region": cf.get_region_display() if cf.region else "",
                "side": cf.side,
                "note": cf.note,
                "explanation": cf.finding.explanation,
                "statements": _keys(cf.finding.statements.all()),
            }
            for cf in case.findings.all()
        ],
        "teaching_points": data["teaching_points"],
        "next_step": data["next_step"],
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
    cases = Case.objects.select_related("author").annotate(
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


def teach_status_counts() -> dict[str, int]:
    """How many cases are in each status, every status listed."""
    counts = dict(Case.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Case.Status.values}
