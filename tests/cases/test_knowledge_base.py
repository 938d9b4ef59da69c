"""The guideline knowledge base is complete and every citation resolves."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from cases.localization import FINDING_CATEGORIES
from cases.models import Case, Finding, GuidelineStatement, Lesson, Reference
from cases.services import load_curated

GUIDELINE = Path(settings.BASE_DIR).parent / "shared" / "guideline" / "umn-vs-lmn-guideline.txt"
CITED = re.compile(r"\s(\d+(?:,\s*\d+)*)\s*$")

pytestmark = pytest.mark.django_db


def source_text() -> str:
    if not GUIDELINE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the guideline source at {GUIDELINE}")
        pytest.skip(f"The guideline source is not at {GUIDELINE}")
    return GUIDELINE.read_text(encoding="utf-8")


def source_statements() -> list[tuple[str, list[int]]]:
    """Every cited statement of the guideline, in order, with its citation numbers."""
    body = (
        source_text()
        .split("Differentiating and Managing LMN vs UMN Lesions", 1)[1]
        .split("\nReferences\n", 1)[0]
    )
    found = []
    for line in body.splitlines():
        match = CITED.search(line)
        if match:
            found.append((line.strip(), [int(n) for n in match.group(1).split(",")]))
    return found


@pytest.fixture
def knowledge_base():
    load_curated()


def test_the_source_has_32_cited_statements_30_of_them_bullets():
    statements = source_statements()
    assert len(statements) == 32
    assert sum(line.startswith("•") for line, _ in statements) == 30


def test_every_statement_of_the_source_is_encoded_with_its_citations_in_order(knowledge_base):
    ours = [
        sorted(s.citations.values_list("number", flat=True))
        for s in GuidelineStatement.objects.order_by("position")
    ]
    assert GuidelineStatement.objects.count() == 32
    assert ours == [citations for _, citations in source_statements()]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def copied_runs(text: str, source_runs: set[tuple[str, ...]], n: int = 8) -> list[str]:
    w = words(text)
    return [
        " ".join(w[i : i + n]) for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in source_runs
    ]


def test_statements_and_cases_are_in_our_own_words(knowledge_base):
    source = words(source_text())
    runs = {tuple(source[i : i + 8]) for i in range(len(source) - 7)}
    texts = {s.key: s.text for s in GuidelineStatement.objects.all()}
    texts |= {f"lesson {x.key}": x.text for x in Lesson.objects.all()}
    texts |= {f"finding {f.code}": f.explanation for f in Finding.objects.all()}
    for case in Case.objects.prefetch_related("teaching_points", "next_step__options"):
        texts[f"{case.slug} stem"] = case.stem
        texts[f"{case.slug} investigations"] = case.investigations
        for point in case.teaching_points.all():
            texts[f"{case.slug} teaching point {point.position}"] = point.text
        question = getattr(case, "next_step", None)
        for option in question.options.all() if question else ():
            texts[f"{case.slug} option {option.position}"] = option.rationale
    # No run of eight words, ignoring case and punctuation, copied from the source.
    copied = {key: found for key, text in texts.items() if (found := copied_runs(text, runs))}
    assert copied == {}


def test_every_citation_resolves_to_a_reference(knowledge_base):
    numbers = set(Reference.objects.values_list("number", flat=True))
    for statement in GuidelineStatement.objects.prefetch_related("citations"):
        cited = {r.number for r in statement.citations.all()}
        assert cited, statement.key
        assert cited <= numbers


def test_references_one_to_four_are_named_and_five_to_eight_are_marked_unnamed(knowledge_base):
    named = {r.number: r for r in Reference.objects.all()}
    assert sorted(named) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert named[1].title == "Motor Neuron Disease Diagnosis and Management"
    assert (named[2].year, named[3].source) == (2026, "Dr.Oracle Medical Advisory Board & Editors")
    assert all(named[n].is_named for n in (1, 2, 3, 4))
    assert not any(named[n].is_named for n in (5, 6, 7, 8))
    assert "not named in the source" in named[6].label


def test_every_topic_is_covered(knowledge_base):
    topics = set(GuidelineStatement.objects.values_list("topic", flat=True))
    assert topics == set(GuidelineStatement.Topic.values)


def test_the_findings_are_the_product_vocabulary_each_linked_to_statements(knowledge_base):
    findings = Finding.objects.prefetch_related("statements")
    assert {f.code: f.category for f in findings} == FINDING_CATEGORIES
    for finding in findings:
        # A sign the guideline does not name explains itself. Context findings may cite
        # nothing on their own line: bulbar onset and weight loss matter as predictors of
        # later LMN involvement, which the watch-for-LMN lesson teaches where it applies.
        if finding.category != "context":
            assert finding.statements.all() or finding.explanation, finding.code
