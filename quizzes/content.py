"""Case content snapshots: what a learner is shown and graded on, frozen at attempt start.

The snapshot is the case's content in the schema (`cases.schema.CaseSnapshot`), read from
the database by `cases.selectors.case_snapshots` with the statements, references, named
sources and lessons it cites. Next-step options are shuffled for each snapshot and numbered
in their new order, so neither their order nor their ids say which one is right.
"""

import random

from cases import localization, schema
from cases.bank import canonical
from cases.selectors import Knowledge, case_snapshots, finding_vocabulary, snapshot_from_data
from quizzes import grading

_shuffle = random.SystemRandom().shuffle


def compile_cases(case_ids: list[int]) -> dict[int, dict]:
    """Snapshot data per case id; a case the schema refuses is left out (and logged)."""
    snapshots = case_snapshots(case_ids)
    return {pk: shuffled(entry) for pk, entry in snapshots.items()}


def shuffled(entry: dict) -> dict:
    """The snapshot with its next-step options in a fresh order, numbered in it."""
    if entry["next_step"]:
        options = entry["next_step"]["options"]
        _shuffle(options)
        for number, option in enumerate(options, start=1):
            option["id"] = number
    return entry


def preview_snapshot(*, case_id: int, content: dict, version: int) -> dict:
    """The snapshot a learner would get of `content` (schema case data, such as a version
    not yet published), made by the same code as every attempt's, its options shuffled.
    Raises `schema.BankInvalid` when it could not be graded."""
    data = {**content, "status": schema.PUBLISHED}
    schema.validate_case(data)
    return shuffled(
        snapshot_from_data(
            data,
            case_id=case_id,
            version=version,
            knowledge=Knowledge.load(),
            findings=finding_vocabulary(),
        )
    )


def lessons_read(content: schema.CaseSchema) -> list[dict]:
    """The lessons a learner reads with this content's explanation: those the key's flags
    fire in its scope, and the site lessons of its site and differential."""
    snapshot = grading.CaseContent.model_validate(
        preview_snapshot(case_id=0, content=canonical(content), version=0)
    )
    flagged = [{"key": p.lesson, "kind": "flag", "text": p.text} for p in grading.lessons(snapshot)]
    by_site = grading.site_lessons(snapshot)
    sites = [content.site, *(content.differential or ())]
    return flagged + [
        {
            "key": by_site[s].key,
            "kind": "site",
            "site_name": localization.SITE_NAMES[s],
            "text": by_site[s].text,
        }
        for s in sites
        if s in by_site
    ]
