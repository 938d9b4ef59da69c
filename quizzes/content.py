"""Case content snapshots: what a learner is shown and graded on, frozen at attempt start.

The snapshot is the case's content in the schema (`cases.schema.CaseSnapshot`), read from
the database by `cases.selectors.case_snapshots` with the statements, references, named
sources and lessons it cites. Next-step options are shuffled for each snapshot and numbered
in their new order, so neither their order nor their ids say which one is right.
"""

import random

from cases.selectors import case_snapshots

_shuffle = random.SystemRandom().shuffle


def compile_cases(case_ids: list[int]) -> dict[int, dict]:
    """Snapshot data per case id; a case the schema refuses is left out (and logged)."""
    snapshots = case_snapshots(case_ids)
    for entry in snapshots.values():
        if entry["next_step"]:
            options = entry["next_step"]["options"]
            _shuffle(options)
            for number, option in enumerate(options, start=1):
                option["id"] = number
    return snapshots
