"""The case bank as JSON text: parsing, writing, and the fingerprint of a case's content.

The format itself is the schema (`cases.schema`); one form of it serves export, import and
the curated content shipped with the app (`cases/content/*.json`). A case's canonical form
is its schema dumped as JSON data, so a case in the database and an entry in a file compare
equal exactly when their content is the same.
"""

import hashlib
import json
from typing import Any

from cases.schema import BankError, BankInvalid, CaseSchema

__all__ = ["BankError", "BankInvalid", "canonical", "dumps", "fingerprint", "parse_json"]

# Fields added to the format after fingerprints were first recorded, with their empty
# values; a fingerprint taken before them is compared with the content without them (a
# migration may have filled them in since, as it gave the curated cases their sites).
_ADDED_CASE_FIELDS: dict[str, object] = {"site": "", "differential": [], "investigations": ""}
_ADDED_FINDING_FIELDS: dict[str, object] = {"note": ""}
_ADDED_CITED_FIELDS: dict[str, object] = {"sources": []}
# Added after the fields above: fingerprints were recorded with those and without these.
_LATER_CASE_FIELDS: dict[str, object] = {"site_accepts": []}


def canonical(case: CaseSchema) -> dict:
    return case.model_dump(mode="json")


def fingerprint(canonical_case: dict) -> str:
    payload = json.dumps(canonical_case, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _without(entry: dict, added: dict) -> dict:
    return {k: v for k, v in entry.items() if k not in added}


def _before_later_fields(canonical_case: dict) -> dict:
    return _without(canonical_case, _LATER_CASE_FIELDS)


def legacy_fingerprint(canonical_case: dict) -> str:
    """The fingerprint the same content had before any of the fields above were added."""
    case = _without(_before_later_fields(canonical_case), _ADDED_CASE_FIELDS)
    case["findings"] = [_without(f, _ADDED_FINDING_FIELDS) for f in case["findings"]]
    case["teaching_points"] = [_without(p, _ADDED_CITED_FIELDS) for p in case["teaching_points"]]
    if case["next_step"]:
        case["next_step"] = {
            **case["next_step"],
            "options": [_without(o, _ADDED_CITED_FIELDS) for o in case["next_step"]["options"]],
        }
    return fingerprint(case)


def matches(canonical_case: dict, recorded: str) -> bool:
    """Whether content is what a recorded fingerprint was taken of, in any of its forms."""
    return recorded in (
        fingerprint(canonical_case),
        fingerprint(_before_later_fields(canonical_case)),
        legacy_fingerprint(canonical_case),
    )


def dumps(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BankInvalid(
            [BankError(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}")]
        ) from exc
