"""Writes to the case bank. Each public function is one transaction."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from cases.bank import (
    BankInvalid,
    case_to_dict,
    fingerprint,
    normalize_case,
    validate_bank,
)
from cases.models import (
    Case,
    CaseFinding,
    Finding,
    GuidelineStatement,
    NextStepOption,
    NextStepQuestion,
    Reference,
    Tag,
    TeachingPoint,
)
from cases.selectors import case_content_queryset

CURATED_DIR = Path(__file__).resolve().parent / "content"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local_edits: list[str] = field(default_factory=list)
    knowledge_base_changes: int = 0

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} case(s) created",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.kept_local_edits:
            parts.append(f"{len(self.kept_local_edits)} kept as edited here")
        return ", ".join(parts) + f"; {self.knowledge_base_changes} guideline record(s) written."


def _known_keys() -> dict[str, set]:
    return {
        "known_references": set(Reference.objects.values_list("number", flat=True)),
        "known_statements": set(GuidelineStatement.objects.values_list("key", flat=True)),
        "known_findings": set(Finding.objects.values_list("code", flat=True)),
    }


def _upsert_knowledge_base(data: dict) -> int:
    """Create or update references, statements and findings; returns records written."""
    written = 0
    for entry in data.get("references", []):
        values = {k: entry[k] for k in ("title", "source", "year")}
        reference, created = Reference.objects.get_or_create(
            number=entry["number"], defaults=values
        )
        if not created and any(getattr(reference, k) != v for k, v in values.items()):
            Reference.objects.filter(pk=reference.pk).update(**values)
            written += 1
        written += created
    references = {r.number: r for r in Reference.objects.all()}
    for position, entry in enumerate(data.get("statements", []), start=1):
        values = {"text": entry["text"], "topic": entry["topic"], "position": position}
        statement, created = GuidelineStatement.objects.get_or_create(
            key=entry["key"], defaults=values
        )
        changed = created or any(getattr(statement, k) != v for k, v in values.items())
        current = set(statement.citations.values_list("number", flat=True))
        if changed or current != set(entry["citations"]):
            GuidelineStatement.objects.filter(pk=statement.pk).update(**values)
            statement.citations.set([references[n] for n in entry["citations"]])
            written += 1
    statements = {s.key: s for s in GuidelineStatement.objects.all()}
    for entry in data.get("findings", []):
        values = {"name": entry["name"], "category": entry["category"]}
        finding, created = Finding.objects.get_or_create(code=entry["code"], defaults=values)
        keys = set(entry.get("statements", []))
        current = set(finding.statements.values_list("key", flat=True))
        if created or current != keys or any(getattr(finding, k) != v for k, v in values.items()):
            Finding.objects.filter(pk=finding.pk).update(**values)
            finding.statements.set([statements[k] for k in keys])
            written += 1
    return written


def _write_case(case: Case | None, canonical: dict) -> Case:
    """Create or overwrite one case from its canonical dict."""
    fields = {
        name: canonical[name]
        for name in (
            "title",
            "status",
            "answer",
            "difficulty",
            "patient_age",
            "patient_sex",
            "stem",
        )
    }
    if case is None:
        case = Case.objects.create(slug=canonical["slug"], **fields)
    else:
        for name, value in fields.items():
            setattr(case, name, value)
        case.save()
        case.findings.all().delete()
        case.teaching_points.all().delete()
        NextStepQuestion.objects.filter(case=case).delete()
    statements = {s.key: s for s in GuidelineStatement.objects.all()}
    findings = {f.code: f for f in Finding.objects.all()}
    tags = [Tag.objects.get_or_create(slug=slug)[0] for slug in canonical["tags"]]
    case.tags.set(tags)
    CaseFinding.objects.bulk_create(
        CaseFinding(
            case=case,
            finding=findings[item["code"]],
            present=item["present"],
            region=item["region"],
            side=item["side"],
        )
        for item in canonical["findings"]
    )
    for position, point in enumerate(canonical["teaching_points"], start=1):
        teaching_point = TeachingPoint.objects.create(
            case=case, position=position, text=point["text"], explains_rule=point["explains_rule"]
        )
        teaching_point.statements.set([statements[k] for k in point["statements"]])
    if canonical["next_step"]:
        question = NextStepQuestion.objects.create(
            case=case, prompt=canonical["next_step"]["prompt"]
        )
        for position, item in enumerate(canonical["next_step"]["options"], start=1):
            option = NextStepOption.objects.create(
                question=question,
                position=position,
                text=item["text"],
                is_correct=item["correct"],
                rationale=item["rationale"],
            )
            option.statements.set([statements[k] for k in item["statements"]])
    return case


def _apply(data: dict, *, keep_local_edits: bool) -> ImportReport:
    errors = validate_bank(data, **_known_keys())
    if errors:
        raise BankInvalid(errors)
    report = ImportReport(knowledge_base_changes=_upsert_knowledge_base(data))
    entries = [normalize_case(entry) for entry in data.get("cases", [])]
    existing = {
        case.slug: (case, case_to_dict(case))
        for case in case_content_queryset().filter(slug__in=[e["slug"] for e in entries])
    }
    for canonical in entries:
        slug = canonical["slug"]
        case, current = existing.get(slug, (None, None))
        # Identical content is unchanged whoever wrote it, an imported copy included; the
        # curated loader then marks it curated, so its later curated versions still arrive.
        if current == canonical:
            mark = fingerprint(canonical)
            if keep_local_edits and case.curated_fingerprint != mark:
                Case.objects.filter(pk=case.pk).update(curated_fingerprint=mark)
            report.unchanged.append(slug)
            continue
        if keep_local_edits and case and fingerprint(current) != case.curated_fingerprint:
            report.kept_local_edits.append(slug)
            continue
        case = _write_case(case, canonical)
        # Only curated content is a reference later loads compare with; an imported case is
        # the bank owner's own, and later curated loads leave it alone.
        mark = fingerprint(canonical) if keep_local_edits else ""
        Case.objects.filter(pk=case.pk).update(curated_fingerprint=mark)
        (report.updated if current else report.created).append(slug)
    return report


@transaction.atomic
def import_bank(*, data: dict) -> ImportReport:
    """Import a bank file: validate all of it first, then write all of it or nothing.

    A case whose slug already exists is updated from the file.
    """
    return _apply(data, keep_local_edits=False)


def read_curated() -> dict:
    """The curated content shipped with the app, merged into one bank document."""
    merged: dict = {"references": [], "statements": [], "findings": [], "cases": []}
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
