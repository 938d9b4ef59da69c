"""Named sources: each one is an entry of the verified list, cited only by key, and linked."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from cases.services import read_curated

SOURCES_MD = Path(settings.BASE_DIR).parent / "shared" / "guideline" / "sources.md"
CONTENT = Path(settings.BASE_DIR) / "cases" / "content"


def verified() -> dict[str, dict[str, str]]:
    """The table of ../shared/guideline/sources.md, by key."""
    if not SOURCES_MD.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the verified source list at {SOURCES_MD}")
        pytest.skip(f"The verified source list is not at {SOURCES_MD}")
    rows = {}
    for line in SOURCES_MD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("key", "") or set(cells[0]) <= {"-"}:
            continue
        key, citation, doi, pmid, _ = cells
        rows[key] = {
            "citation": citation,
            "doi": "" if doi == "-" else doi,
            "pmid": "" if pmid == "-" else pmid,
        }
    return rows


def test_every_named_source_is_one_of_the_verified_list_as_it_stands_there():
    table = verified()
    ours = read_curated()["sources"]
    assert ours, "the curated content names its sources"
    for source in ours:
        assert source["key"] in table, f"{source['key']} is not in the verified list"
        expected = table[source["key"]]
        assert (source["citation"], source["doi"], source["pmid"]) == (
            expected["citation"],
            expected["doi"],
            expected["pmid"],
        ), source["key"]
        # Links come from the DOI or PMID only: no address written by hand.
        assert source["url"] == ""


def test_every_source_cited_in_the_content_is_named():
    data = read_curated()
    named = {s["key"] for s in data["sources"]}
    cited = {k for s in data["statements"] for k in s["sources"]}
    cited |= {k for x in data["lessons"] for k in x["sources"]}
    for case in data["cases"]:
        cited |= {k for p in case["teaching_points"] for k in p.get("sources", [])}
        for option in (case["next_step"] or {}).get("options", []):
            cited |= set(option.get("sources", []))
    assert cited <= named


def test_the_curated_files_are_plain_json_with_the_format_keys():
    for path in sorted(CONTENT.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert set(document) <= {"references", "sources", "statements", "findings", "lessons",
                                 "cases"}  # fmt: skip
