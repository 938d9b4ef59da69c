"""One schema for a case's content: every path validates through it, with located errors."""

import pytest
from django.db import IntegrityError, transaction

from cases import schema
from cases.models import Case, Source
from cases.schema import BEYOND, BankInvalid, CaseSchema, Known, validate_bank, validate_case
from cases.selectors import case_content_queryset, case_data
from cases.services import check_saved_case, import_bank
from tests.factories import case_entry

KNOWN = Known(
    references=frozenset({1, 3}),
    statements=frozenset({"overview", "umn-spasticity", "mri-brain-first", "ck-lmn-weakness"}),
    findings=frozenset({"spasticity", "fasciculations", "hyporeflexia"}),
    sources=frozenset({"awaji-2008"}),
)


def errors_of(case: dict) -> list[str]:
    _, errors = validate_bank({"cases": [case]}, known=KNOWN)
    return [str(e) for e in errors]


def test_a_valid_case_reads_as_typed_content_in_canonical_order():
    entry = case_entry(tags=["b", "a", "b"])
    entry["findings"].reverse()
    case = validate_case(entry, known=KNOWN)
    assert isinstance(case, CaseSchema)
    assert case.tags == ("a", "b")
    assert [f.present for f in case.findings] == [True, False]  # present first
    assert case.next_step is not None and case.next_step.options[0].correct


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.pop("site"), '("new-case").site: a published case needs the lesion\'s site'),
        (lambda c: c.update(site="leg"), ".site: 'leg' is not one of cerebrum, brainstem"),
        (
            lambda c: c.update(differential=["spinal_cord"]),
            ".differential: lists the case's own site",
        ),
        (
            lambda c: c.update(differential=["root", "root"]),
            ".differential: names a site twice",
        ),
        (
            lambda c: c["findings"][0].update(note="Expected."),
            ".findings[0].note: a note belongs on an absent finding only",
        ),
        (
            lambda c: c["teaching_points"][0].update(statements=[]),
            '.teaching_points[0]: cite at least one statement, or start the text with "Beyond',
        ),
        (
            lambda c: c["teaching_points"][0].update(sources=["made-up-2024"]),
            '.teaching_points[0].sources: unknown source "made-up-2024"',
        ),
        (
            lambda c: c["next_step"]["options"][0].update(statements=[]),
            ".next_step.options[0]: cite at least one statement",
        ),
        (
            lambda c: c["next_step"]["options"][0].update(correct=False),
            ".next_step.options: exactly one option must be correct, not 0",
        ),
        (
            lambda c: c["next_step"].update(options=c["next_step"]["options"][:1]),
            ".next_step.options: must list at least two options",
        ),
        (lambda c: c.update(patient_age=True), ".patient_age: must be a whole number"),
        (lambda c: c["findings"][0].update(present="yes"), ".findings[0].present: must be true"),
    ],
)
def test_each_rule_is_one_located_error(mutate, expected):
    case = case_entry()
    mutate(case)
    messages = errors_of(case)
    assert any(expected in m for m in messages), messages
    assert all(m.startswith('cases[0] ("new-case")') for m in messages)


def test_a_draft_may_leave_its_site_for_later():
    draft = case_entry(status="draft")
    del draft["site"]
    assert errors_of(draft) == []


def test_a_point_beyond_the_guideline_may_cite_no_statement_and_a_named_source():
    case = case_entry()
    case["teaching_points"].append(
        {"text": f"{BEYOND} the EMG counts too.", "statements": [], "sources": ["awaji-2008"]}
    )
    assert errors_of(case) == []
    point = validate_case(case, known=KNOWN).teaching_points[1]
    assert point.is_beyond and point.sources == ("awaji-2008",)


def test_only_the_watch_for_lmn_lesson_may_name_the_predictors():
    lesson = {
        "key": "x",
        "trigger": "check_ck",
        "text": "{predictors} matter.",
        "statements": ["overview"],
    }
    _, errors = validate_bank({"lessons": [lesson]}, known=KNOWN)
    assert [str(e) for e in errors] == [
        "lessons[0].text: only a watch_for_lmn lesson can name {predictors}"
    ]


def test_a_source_needs_digits_for_a_pmid_and_https_for_a_link():
    source = {"key": "s", "citation": "C.", "pmid": "12ab", "url": "http://example.org"}
    _, errors = validate_bank({"sources": [source]})
    assert sorted(str(e) for e in errors) == [
        "sources[0].pmid: must be digits only",
        "sources[0].url: must be an https:// address or empty",
    ]


def test_the_snapshot_reads_content_written_before_sites_existed():
    old = {
        "case": {
            "id": 1, "slug": "s", "title": "T", "stem_html": "", "patient_age": 1,
            "patient_sex": "Male", "difficulty": "Introductory", "answer": "umn",
        },
        "findings": [], "teaching_points": [],
        "statements": {"overview": {"text": "O", "citations": [1]}}, "references": {"1": "R"},
    }  # fmt: skip
    snapshot = schema.CaseSnapshot.model_validate(old)
    assert (snapshot.case.site, snapshot.sites, snapshot.lessons) == ("", set(), ())


@pytest.mark.django_db
def test_the_database_adapter_and_the_writer_round_trip_through_the_schema(kb):
    entry = case_entry(site="root", differential=["plexus", "motor_neuron"])
    entry["findings"][1]["note"] = "Absent, as expected."
    entry["teaching_points"][0]["sources"] = ["awaji-2008"]
    import_bank(data={"cases": [entry]})
    case = case_content_queryset().get(slug="new-case")
    assert validate_case(case_data(case)) == validate_case(entry)
    assert check_saved_case(case).differential == ("plexus", "motor_neuron")
    assert Source.objects.get(key="awaji-2008").teaching_points.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_published_case_without_a_site(kb):
    import_bank(data={"cases": [case_entry()]})
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(slug="new-case").update(site="")


@pytest.mark.django_db
def test_saving_a_case_the_schema_refuses_is_reported_with_locations(kb):
    import_bank(data={"cases": [case_entry()]})
    case = Case.objects.get(slug="new-case")
    case.next_step.options.update(is_correct=False)
    with pytest.raises(BankInvalid, match=r"next_step\.options: exactly one option"):
        check_saved_case(case)


@pytest.mark.django_db
def test_the_schemas_vocabularies_and_limits_are_the_databases():
    from cases.models import (
        CaseFinding,
        Finding,
        GuidelineStatement,
        NextStepOption,
        NextStepQuestion,
        Reference,
        Tag,
    )

    assert tuple(Case.Status.values) == schema.STATUSES
    assert tuple(Case.Difficulty.values) == schema.DIFFICULTIES
    assert tuple(Case.Sex.values) == schema.SEXES
    assert tuple(CaseFinding.Region.values) == schema.REGIONS
    assert tuple(CaseFinding.Side.values) == schema.SIDES
    assert tuple(GuidelineStatement.Topic.values) == schema.TOPICS
    assert set(schema.CATEGORIES) == set(Finding.Category.values)

    def length(model, field):
        return model._meta.get_field(field).max_length

    assert {
        "slug": length(Case, "slug"),
        "title": length(Case, "title"),
        "statement_key": length(GuidelineStatement, "key"),
        "reference_text": length(Reference, "title"),
        "finding_name": length(Finding, "name"),
        "tag": length(Tag, "slug"),
        "prompt": length(NextStepQuestion, "prompt"),
        "option": length(NextStepOption, "text"),
        "source_key": length(Source, "key"),
    } == schema.MAX_LENGTHS
    assert length(Source, "url") == 300


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        ("https://doi.org/10.1016/j.clinph.2007.09.143", "give the bare DOI"),
        ("doi:10.1016/j.clinph.2007.09.143", "give the bare DOI"),
        ("dx.doi.org/10.1016/j.clinph.2007.09.143", "give the bare DOI"),
        ("10.12/short-registrant", "must be a DOI like 10.1016/j.clinph.2007.09.143"),
        ("10.1016/with space", "must be a DOI like"),
        ("1016/j.clinph.2007.09.143", "must be a DOI like"),
    ],
)
def test_a_source_doi_is_a_bare_doi_of_the_right_shape(doi, expected):
    _, errors = validate_bank({"sources": [{"key": "s", "citation": "C.", "doi": doi}]})
    assert [e.location for e in errors] == ["sources[0].doi"]
    assert expected in errors[0].message


def test_every_curated_source_passes_the_source_checks():
    from cases.services import read_curated

    sources = read_curated()["sources"]
    assert any(s["doi"] for s in sources)
    for source in sources:
        assert schema.validate_source(source).key == source["key"]


def test_a_source_url_needs_a_host_and_no_spaces():
    for url in ("https://", "https://exa mple.org/x", "https://[broken"):
        with pytest.raises(BankInvalid, match="url: must be an https:// address or empty"):
            schema.validate_source({"key": "s", "citation": "C.", "url": url})
    assert schema.validate_source({"key": "s", "citation": "C.", "url": "https://a.org/x"}).url
