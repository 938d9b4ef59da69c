"""The case bank as JSON: canonical serialization and validation.

One format serves export, import and the curated content shipped with the app
(`cases/content/*.json`). `case_to_dict` and `normalize_case` produce the same canonical
form, so a case can be compared with a file entry to see whether anything changed.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from cases import localization
from cases.models import (
    Case,
    CaseFinding,
    Finding,
    GuidelineStatement,
    NextStepOption,
    NextStepQuestion,
    Reference,
    Tag,
)

TOP_LEVEL_KEYS = ("references", "statements", "findings", "cases")
CASE_REQUIRED = (
    "slug",
    "title",
    "status",
    "answer",
    "stem",
    "findings",
    "teaching_points",
    "patient_age",
    "patient_sex",
)
CASE_OPTIONAL = {
    "difficulty": Case.Difficulty.INTERMEDIATE.value,
    "tags": [],
    "next_step": None,
}
# The database's limits, checked here so a bad value is a located message, not a crash.
REFERENCE_NUMBER_MAX = 32767
YEARS = (1900, 2100)
CATEGORIES = frozenset(localization.FINDING_CATEGORIES.values())


def _whole(value: Any) -> bool:
    """A whole number, and not a bool (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class BankError:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class BankInvalid(Exception):
    def __init__(self, errors: list[BankError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def finding_sort_key(finding: dict) -> tuple:
    return (not finding["present"], finding["code"], finding["region"], finding["side"])


def reference_to_dict(reference: Reference) -> dict:
    return {
        "number": reference.number,
        "title": reference.title,
        "source": reference.source,
        "year": reference.year,
    }


def statement_to_dict(statement: GuidelineStatement) -> dict:
    return {
        "key": statement.key,
        "text": statement.text,
        "topic": statement.topic,
        "citations": sorted(ref.number for ref in statement.citations.all()),
    }


def finding_to_dict(finding) -> dict:
    return {
        "code": finding.code,
        "name": finding.name,
        "category": finding.category,
        "statements": sorted(s.key for s in finding.statements.all()),
    }


def case_to_dict(case: Case) -> dict:
    """Canonical form of a case; expects the prefetches of `export_queryset`."""
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
        "tags": sorted(tag.slug for tag in case.tags.all()),
        "stem": case.stem,
        "findings": sorted(
            (
                {
                    "code": cf.finding.code,
                    "present": cf.present,
                    "region": cf.region,
                    "side": cf.side,
                }
                for cf in case.findings.all()
            ),
            key=finding_sort_key,
        ),
        "teaching_points": [
            {
                "text": point.text,
                "statements": sorted(s.key for s in point.statements.all()),
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
                    "statements": sorted(s.key for s in option.statements.all()),
                }
                for option in question.options.all()
            ],
        },
    }


def normalize_case(entry: dict) -> dict:
    """A validated file entry in the canonical form of `case_to_dict`."""
    next_step = entry.get("next_step")
    return {
        "slug": entry["slug"],
        "title": entry["title"],
        "status": entry["status"],
        "answer": entry["answer"],
        "difficulty": entry.get("difficulty", CASE_OPTIONAL["difficulty"]),
        "patient_age": entry["patient_age"],
        "patient_sex": entry["patient_sex"],
        "tags": sorted(set(entry.get("tags", []))),
        "stem": entry["stem"],
        "findings": sorted(
            (
                {
                    "code": f["code"],
                    "present": f["present"],
                    "region": f.get("region", ""),
                    "side": f.get("side", ""),
                }
                for f in entry["findings"]
            ),
            key=finding_sort_key,
        ),
        "teaching_points": [
            {
                "text": p["text"],
                "statements": sorted(set(p["statements"])),
                "explains_rule": bool(p.get("explains_rule", False)),
            }
            for p in entry["teaching_points"]
        ],
        "next_step": None
        if not next_step
        else {
            "prompt": next_step["prompt"],
            "options": [
                {
                    "text": o["text"],
                    "correct": o["correct"],
                    "rationale": o["rationale"],
                    "statements": sorted(set(o["statements"])),
                }
                for o in next_step["options"]
            ],
        },
    }


def fingerprint(canonical_case: dict) -> str:
    payload = json.dumps(canonical_case, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def dumps(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class _Validator:
    """Collects every problem in a bank file, each with where it is."""

    def __init__(
        self,
        *,
        known_references: set[int],
        known_statements: set[str],
        known_findings: set[str],
    ) -> None:
        self.errors: list[BankError] = []
        self.references = set(known_references)
        self.statements = set(known_statements)
        self.findings = set(known_findings)

    def error(self, location: str, message: str) -> None:
        self.errors.append(BankError(location, message))

    def require(self, entry: dict, location: str, fields: tuple[str, ...]) -> bool:
        missing = [name for name in fields if name not in entry]
        for name in missing:
            self.error(location, f'missing field "{name}"')
        return not missing

    def text(
        self, value: Any, location: str, *, allow_blank: bool = False, max_length: int = 0
    ) -> None:
        if not isinstance(value, str) or (not allow_blank and not value.strip()):
            self.error(
                location, "must be a string" if allow_blank else "must be a non-empty string"
            )
        elif max_length and len(value) > max_length:
            self.error(location, f"is {len(value)} characters long; the most is {max_length}")

    def choice(self, value: Any, location: str, choices, *, allow_blank: bool = False) -> None:
        valid = [str(c) for c in choices]
        if allow_blank and value == "":
            return
        if value not in valid:
            self.error(location, f"{value!r} is not one of {', '.join(valid)}")

    def statement_keys(self, value: Any, location: str) -> None:
        if not isinstance(value, list) or not value:
            self.error(location, "must be a non-empty list of statement keys")
            return
        for key in value:
            if not isinstance(key, str) or key not in self.statements:
                self.error(location, f'unknown statement "{key}"')

    def items(self, data: dict, key: str) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.error(key, "must be a list")
            return []
        return value

    def run(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.error("file", "the top level must be a JSON object")
            return
        for key in data.keys() - set(TOP_LEVEL_KEYS):
            self.error(key, f"unknown top-level key; expected {', '.join(TOP_LEVEL_KEYS)}")
        references = self.items(data, "references")
        statements = self.items(data, "statements")
        findings = self.items(data, "findings")
        cases = self.items(data, "cases")
        # Collect keys first, so entries may refer to each other in any order.
        for entry in references:
            if isinstance(entry, dict) and isinstance(entry.get("number"), int):
                self.references.add(entry["number"])
        for entry in statements:
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                self.statements.add(entry["key"])
        for entry in findings:
            code = entry.get("code") if isinstance(entry, dict) else None
            if isinstance(code, str) and code in localization.FINDING_CATEGORIES:
                self.findings.add(code)
        self.check_references(references)
        self.check_statements(statements)
        self.check_findings(findings)
        self.check_cases(cases)

    def unique_slug(
        self, value: Any, location: str, seen: set[str], *, max_length: int, what: str
    ) -> None:
        if not isinstance(value, str) or not value or slugify(value) != value:
            self.error(location, "must be a slug (lowercase letters, digits, hyphens)")
        elif len(value) > max_length:
            self.error(location, f"is longer than {max_length} characters")
        elif value in seen:
            self.error(location, f'duplicate {what} "{value}"')
        else:
            seen.add(value)

    # Every check below reports what it finds and carries on: a missing field or an unknown
    # code never hides the other problems of the same entry.

    def check_references(self, references: list) -> None:
        seen: set[int] = set()
        for i, entry in enumerate(references):
            loc = f"references[{i}]"
            if not isinstance(entry, dict):
                self.error(loc, "must be an object")
                continue
            self.require(entry, loc, ("number", "title", "source", "year"))
            if "number" in entry:
                number = entry["number"]
                if not _whole(number) or not 1 <= number <= REFERENCE_NUMBER_MAX:
                    self.error(
                        f"{loc}.number", f"must be a whole number from 1 to {REFERENCE_NUMBER_MAX}"
                    )
                elif number in seen:
                    self.error(f"{loc}.number", f"duplicate reference number {number}")
                else:
                    seen.add(number)
            for name in ("title", "source"):
                if name in entry:
                    self.text(
                        entry[name],
                        f"{loc}.{name}",
                        allow_blank=True,
                        max_length=_max(Reference, name),
                    )
            year = entry.get("year")
            if year is not None and (not _whole(year) or not YEARS[0] <= year <= YEARS[1]):
                self.error(f"{loc}.year", f"must be a year from {YEARS[0]} to {YEARS[1]}, or null")

    def check_statements(self, statements: list) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(statements):
            loc = f"statements[{i}]"
            if not isinstance(entry, dict):
                self.error(loc, "must be an object")
                continue
            self.require(entry, loc, ("key", "text", "topic", "citations"))
            if "key" in entry:
                self.unique_slug(
                    entry["key"],
                    f"{loc}.key",
                    seen,
                    max_length=_max(GuidelineStatement, "key"),
                    what="statement key",
                )
            if "text" in entry:
                self.text(entry["text"], f"{loc}.text")
            if "topic" in entry:
                self.choice(entry["topic"], f"{loc}.topic", GuidelineStatement.Topic.values)
            if "citations" in entry:
                citations = entry["citations"]
                if not isinstance(citations, list) or not citations:
                    self.error(f"{loc}.citations", "must be a non-empty list of reference numbers")
                    continue
                for number in citations:
                    if not _whole(number) or number not in self.references:
                        self.error(f"{loc}.citations", f"reference {number!r} does not exist")

    def check_findings(self, findings: list) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(findings):
            loc = f"findings[{i}]"
            if not isinstance(entry, dict):
                self.error(loc, "must be an object")
                continue
            self.require(entry, loc, ("code", "name", "category"))
            code = entry.get("code")
            known = isinstance(code, str) and code in localization.FINDING_CATEGORIES
            if "code" in entry and not known:
                self.error(f"{loc}.code", f'unknown finding code "{code}"')
            elif known and code in seen:
                self.error(f"{loc}.code", f'duplicate finding "{code}"')
            if known:
                seen.add(code)
            if "category" in entry:
                category = entry["category"]
                if not isinstance(category, str) or category not in CATEGORIES:
                    self.error(
                        f"{loc}.category",
                        f"{category!r} is not one of {', '.join(sorted(CATEGORIES))}",
                    )
                elif known and category != localization.FINDING_CATEGORIES[code]:
                    self.error(
                        f"{loc}.category",
                        f'"{code}" is a {localization.FINDING_CATEGORIES[code]} finding, '
                        f"not {category!r}",
                    )
            if "name" in entry:
                self.text(entry["name"], f"{loc}.name", max_length=_max(Finding, "name"))
            if entry.get("statements"):
                self.statement_keys(entry["statements"], f"{loc}.statements")

    def check_cases(self, cases: list) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(cases):
            loc = f"cases[{i}]"
            if not isinstance(entry, dict):
                self.error(loc, "must be an object")
                continue
            if isinstance(entry.get("slug"), str):
                loc = f'cases[{i}] ("{entry["slug"]}")'
            self.require(entry, loc, CASE_REQUIRED)
            for key in sorted(entry.keys() - set(CASE_REQUIRED) - CASE_OPTIONAL.keys()):
                self.error(f"{loc}.{key}", "unknown field")
            if "slug" in entry:
                self.unique_slug(
                    entry["slug"], f"{loc}.slug", seen, max_length=_max(Case, "slug"), what="slug"
                )
            if "title" in entry:
                self.text(entry["title"], f"{loc}.title", max_length=_max(Case, "title"))
            if "stem" in entry:
                self.text(entry["stem"], f"{loc}.stem")
            if "status" in entry:
                self.choice(entry["status"], f"{loc}.status", Case.Status.values)
            if "answer" in entry:
                self.choice(entry["answer"], f"{loc}.answer", Case.Answer.values)
            if "difficulty" in entry:
                self.choice(entry["difficulty"], f"{loc}.difficulty", Case.Difficulty.values)
            if "patient_age" in entry:
                age = entry["patient_age"]
                if not _whole(age) or not 0 <= age <= 120:
                    self.error(f"{loc}.patient_age", "must be a whole number from 0 to 120")
            if "patient_sex" in entry:
                self.choice(entry["patient_sex"], f"{loc}.patient_sex", Case.Sex.values)
            tags = entry.get("tags", [])
            if not isinstance(tags, list) or any(
                not isinstance(t, str) or slugify(t) != t or not t or len(t) > _max(Tag, "slug")
                for t in tags
            ):
                self.error(f"{loc}.tags", "must be a list of short slugs")
            if "findings" in entry:
                self.check_case_findings(entry["findings"], f"{loc}.findings")
            if "teaching_points" in entry:
                self.check_teaching_points(entry["teaching_points"], f"{loc}.teaching_points")
            if entry.get("next_step") is not None:
                self.check_next_step(entry["next_step"], f"{loc}.next_step")

    def check_case_findings(self, findings: Any, loc: str) -> None:
        if not isinstance(findings, list):
            self.error(loc, "must be a list")
            return
        seen: set[tuple] = set()
        for j, item in enumerate(findings):
            floc = f"{loc}[{j}]"
            if not isinstance(item, dict):
                self.error(floc, "must be an object")
                continue
            self.require(item, floc, ("code", "present"))
            code = item.get("code")
            if "code" not in item:
                pass
            elif not isinstance(code, str) or code not in localization.FINDING_CATEGORIES:
                self.error(f"{floc}.code", f'unknown finding code "{code}"')
            elif code not in self.findings:
                self.error(
                    f"{floc}.code", f'finding "{code}" is neither in the file nor in the bank'
                )
            if "present" in item and not isinstance(item["present"], bool):
                self.error(f"{floc}.present", "must be true or false")
            region, side = item.get("region", ""), item.get("side", "")
            self.choice(region, f"{floc}.region", CaseFinding.Region.values, allow_blank=True)
            self.choice(side, f"{floc}.side", CaseFinding.Side.values, allow_blank=True)
            identity = (str(code), str(region), str(side))
            if identity in seen:
                self.error(floc, f'"{code}" is listed twice for the same region and side')
            seen.add(identity)

    def check_teaching_points(self, points: Any, loc: str) -> None:
        if not isinstance(points, list):
            self.error(loc, "must be a list")
            return
        for j, point in enumerate(points):
            ploc = f"{loc}[{j}]"
            if not isinstance(point, dict):
                self.error(ploc, "must be an object")
                continue
            self.require(point, ploc, ("text", "statements"))
            if "text" in point:
                self.text(point["text"], f"{ploc}.text")
            if "statements" in point:
                self.statement_keys(point["statements"], f"{ploc}.statements")
            if not isinstance(point.get("explains_rule", False), bool):
                self.error(f"{ploc}.explains_rule", "must be true or false")

    def check_next_step(self, question: Any, loc: str) -> None:
        if not isinstance(question, dict):
            self.error(loc, "must be an object or null")
            return
        self.require(question, loc, ("prompt", "options"))
        if "prompt" in question:
            self.text(
                question["prompt"], f"{loc}.prompt", max_length=_max(NextStepQuestion, "prompt")
            )
        if "options" not in question:
            return
        options = question["options"]
        if not isinstance(options, list) or len(options) < 2:
            self.error(f"{loc}.options", "must list at least two options")
            return
        correct = 0
        for k, option in enumerate(options):
            oloc = f"{loc}.options[{k}]"
            if not isinstance(option, dict):
                self.error(oloc, "must be an object")
                continue
            self.require(option, oloc, ("text", "correct", "rationale", "statements"))
            if "text" in option:
                self.text(option["text"], f"{oloc}.text", max_length=_max(NextStepOption, "text"))
            if "rationale" in option:
                self.text(option["rationale"], f"{oloc}.rationale")
            if "statements" in option:
                self.statement_keys(option["statements"], f"{oloc}.statements")
            if "correct" in option and not isinstance(option["correct"], bool):
                self.error(f"{oloc}.correct", "must be true or false")
            correct += option.get("correct") is True
        if correct != 1:
            self.error(f"{loc}.options", f"exactly one option must be correct, not {correct}")


def validate_bank(
    data: Any,
    *,
    known_references: set[int] = frozenset(),
    known_statements: set[str] = frozenset(),
    known_findings: set[str] = frozenset(),
) -> list[BankError]:
    """Every problem in `data`; references, statements and findings may also come from the
    database."""
    validator = _Validator(
        known_references=set(known_references),
        known_statements=set(known_statements),
        known_findings=set(known_findings),
    )
    validator.run(data)
    return validator.errors


def parse_bank(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BankInvalid(
            [BankError(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}")]
        ) from exc
