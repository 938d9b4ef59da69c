"""Export and import of the bank: validation with locations, all-or-nothing, round trip."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.bank import BankInvalid, dumps, parse_json
from cases.models import Case, GuidelineStatement
from cases.selectors import export_bank
from cases.services import import_bank, load_curated, read_curated
from tests.factories import case_entry as a_case

pytestmark = pytest.mark.django_db


def write(tmp_path, data, name="bank.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_export_has_the_contract_keys(kb):
    import_bank(data={"cases": [a_case()]})
    data = export_bank()
    assert list(data) == ["references", "sources", "statements", "findings", "lessons", "cases"]
    assert set(data["references"][0]) >= {"number", "title", "source", "year"}
    assert set(data["statements"][0]) >= {"text", "topic", "citations"}
    assert set(data["findings"][0]) >= {"code", "name", "category"}
    case = data["cases"][0]
    assert set(case) >= {
        "slug", "title", "status", "answer", "site", "differential", "stem", "findings",
        "teaching_points",
    }  # fmt: skip
    assert (case["site"], case["differential"]) == ("spinal_cord", ["motor_neuron"])
    assert case["investigations"] == ""  # the results of tests, when the case has any
    assert case["findings"][0] == {
        "code": "spasticity",
        "present": True,
        "region": "lumbosacral",
        "side": "bilateral",
        "note": "",
    }
    assert set(data["sources"][0]) == {"key", "citation", "short", "doi", "pmid", "url"}
    assert set(case["teaching_points"][0]) == {"text", "statements", "sources", "explains_rule"}
    assert case["findings"][1]["present"] is False


def test_export_command_writes_stdout_or_a_file(kb, tmp_path, capsys):
    call_command("export_bank")
    from_stdout = json.loads(capsys.readouterr().out)
    call_command("export_bank", str(tmp_path / "out.json"))
    assert json.loads((tmp_path / "out.json").read_text()) == from_stdout
    assert len(from_stdout["statements"]) == 32


def test_export_to_a_folder_that_does_not_exist_is_a_clear_error(kb, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot write .*missing/out\.json"):
        call_command("export_bank", str(tmp_path / "missing" / "out.json"))


def test_round_trip_export_import_into_empty_database_export_again_is_identical(
    tmp_path, django_db_blocker
):
    load_curated()
    import_bank(data={"cases": [a_case(), a_case("other-case", next_step=None, tags=[])]})
    first = dumps(export_bank())
    assert len(json.loads(first)["cases"]) >= 2
    # Empty the bank, then import what was exported.
    Case.objects.all().delete()
    GuidelineStatement.objects.all().delete()
    from cases.models import Finding, Lesson, Reference, Source, Tag

    Lesson.objects.all().delete()
    Source.objects.all().delete()
    Finding.objects.all().delete()
    Reference.objects.all().delete()
    Tag.objects.all().delete()
    call_command("import_bank", str(write(tmp_path, first)))
    assert dumps(export_bank()) == first


def test_an_existing_slug_is_updated_from_the_file(kb, tmp_path):
    import_bank(data={"cases": [a_case()]})
    changed = a_case(title="A new title", answer="mixed")
    changed["findings"].append(
        {"code": "hyporeflexia", "present": True, "region": "cervical", "side": "left"}
    )
    call_command("import_bank", str(write(tmp_path, {"cases": [changed]})))
    case = Case.objects.get(slug="new-case")
    assert (case.title, case.answer) == ("A new title", "mixed")
    assert case.findings.count() == 3
    assert Case.objects.count() == 1


def test_bad_json_reports_line_and_column_and_changes_nothing(kb, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("import_bank", str(write(tmp_path, '{"cases": [\n  {"slug": }\n]}')))
    assert "line 2, column" in str(excinfo.value)
    assert Case.objects.count() == 0


def test_every_problem_is_reported_with_its_location_and_nothing_changes(kb, tmp_path):
    import_bank(data={"cases": [a_case("kept-as-is")]})
    before = dumps(export_bank())
    bad_code = a_case("one")
    bad_code["findings"][0]["code"] = "tremor"
    missing = a_case("two")
    del missing["answer"]
    duplicate = a_case("one")
    good = a_case("kept-as-is", title="This update must not land")
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_bank", str(write(tmp_path, {"cases": [bad_code, missing, duplicate, good]}))
        )
    message = str(excinfo.value)
    assert "3 problem(s); nothing was imported" in message
    assert 'cases[0] ("one").findings[0].code: unknown finding code "tremor"' in message
    assert 'cases[1] ("two"): missing field "answer"' in message
    assert 'cases[2] ("one").slug: duplicate slug "one"' in message
    assert dumps(export_bank()) == before


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda c: c["teaching_points"][0].update(statements=["no-such"]),
            'unknown statement "no-such"',
        ),
        (
            lambda c: c.update(status="live"),
            "'live' is not one of draft, review, published, retired",
        ),
        (lambda c: c.update(answer="brain"), "'brain' is not one of umn, lmn, mixed, other"),
        (lambda c: c["findings"][0].update(region="leg"), "'leg' is not one of bulbar"),
        (
            lambda c: c["findings"].append(dict(c["findings"][0])),
            "listed twice for the same region and side",
        ),
        (
            lambda c: c["next_step"]["options"][1].update(correct=True),
            "exactly one option must be correct, not 2",
        ),
        (lambda c: c.update(patient_age=-3), "patient_age: must be a whole number from 0 to 120"),
        (lambda c: c.update(slug="Not A Slug"), "must be a slug"),
        (lambda c: c.update(colour="red"), "colour: unknown field"),
    ],
)
def test_each_kind_of_case_error_is_caught(kb, mutate, expected):
    case = a_case()
    mutate(case)
    with pytest.raises(BankInvalid) as excinfo:
        import_bank(data={"cases": [case]})
    assert expected in str(excinfo.value)
    assert Case.objects.count() == 0


def test_one_entry_with_several_problems_reports_them_all(kb):
    case = a_case("zz-new")
    del case["stem"]
    case["answer"] = "brain"
    case["findings"][0]["code"] = "tremor"
    data = {
        "references": [{"number": 40000, "title": "x", "source": "y", "year": -5}],
        "findings": [{"code": "tremor", "name": "", "category": "bogus"}],
        "cases": [case],
    }
    with pytest.raises(BankInvalid) as excinfo:
        import_bank(data=data)
    text = str(excinfo.value)
    assert "references[0].number: must be a whole number from 1 to 32767" in text
    assert "references[0].year: must be a year from 1900 to 2100, or null" in text
    assert 'findings[0].code: unknown finding code "tremor"' in text
    assert "findings[0].category: 'bogus' is not one of" in text
    assert "findings[0].name: must be a non-empty string" in text
    assert 'cases[0] ("zz-new"): missing field "stem"' in text
    assert "cases[0] (\"zz-new\").answer: 'brain' is not one of" in text
    assert 'cases[0] ("zz-new").findings[0].code: unknown finding code "tremor"' in text
    assert Case.objects.count() == 0


def test_values_of_the_wrong_shape_are_located_not_crashed_on(kb):
    data = {
        "findings": [{"code": "clonus", "name": "x", "category": ["umn"]}],
        "cases": [dict(a_case(), answer={"x": 1})],
    }
    data["cases"][0]["findings"][0]["code"] = ["spasticity"]
    with pytest.raises(BankInvalid) as excinfo:
        import_bank(data=data)
    text = str(excinfo.value)
    assert "findings[0].category: ['umn'] is not one of" in text
    assert "findings[0].code: unknown finding code" in text


def test_a_true_or_false_year_is_not_taken_for_a_number(kb):
    data = {"references": [{"number": 1, "title": "x", "source": "y", "year": True}]}
    with pytest.raises(BankInvalid) as excinfo:
        import_bank(data=data)
    assert "references[0].year: must be a year" in str(excinfo.value)


def test_knowledge_base_errors_are_located(kb):
    data = {
        "references": [{"number": 1, "title": "x", "source": "y"}],
        "statements": [{"key": "new-one", "text": "t", "topic": "astrology", "citations": [99]}],
        "findings": [{"code": "spasticity", "name": "S", "category": "lmn"}],
    }
    with pytest.raises(BankInvalid) as excinfo:
        import_bank(data=data)
    text = str(excinfo.value)
    assert 'references[0]: missing field "year"' in text
    assert "statements[0].topic: 'astrology' is not one of" in text
    assert "statements[0].citations: reference 99 does not exist" in text
    assert 'findings[0].category: "spasticity" is a umn finding' in text


def test_a_file_that_is_not_an_object_is_rejected():
    with pytest.raises(BankInvalid, match="top level must be a JSON object"):
        import_bank(data=parse_json("[1, 2]"))


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bank", str(tmp_path / "missing.json"))


def test_import_is_all_or_nothing_even_when_a_write_fails(kb, monkeypatch):
    from cases import services

    calls = {"n": 0}
    real = services.write_case

    def fail_on_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "write_case", fail_on_second)
    with pytest.raises(RuntimeError):
        import_bank(data={"cases": [a_case("first"), a_case("second")]})
    assert not Case.objects.filter(slug="first").exists()


def test_canonical_form_survives_deep_copies(kb):
    # The same content imported twice is recognised as unchanged.
    data = {"cases": [a_case()]}
    assert import_bank(data=copy.deepcopy(data)).created == ["new-case"]
    assert import_bank(data=copy.deepcopy(data)).unchanged == ["new-case"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.update(title="x" * 201), "title: is 201 characters long; the most is 200"),
        (lambda c: c["next_step"].update(prompt="p" * 301), "prompt: is 301 characters long"),
        (lambda c: c.update(slug="s" * 81), "slug: is longer than 80 characters"),
        (lambda c: c["findings"][0].update(code=["spasticity"]), "unknown finding code"),
        (
            lambda c: c["teaching_points"][0].update(statements=[["overview"]]),
            "teaching_points[0].statements[0]: must be a string",
        ),
        (lambda c: c.update(tags=["t" * 41]), "tags: must be a list of short slugs"),
    ],
)
def test_lengths_and_wrong_types_are_reported_not_crashed_on(kb, mutate, expected):
    case = a_case()
    mutate(case)
    with pytest.raises(BankInvalid) as excinfo:
        import_bank(data={"cases": [case]})
    assert expected in str(excinfo.value)
    assert Case.objects.count() == 0


def test_a_case_finding_must_exist_in_the_file_or_the_bank(db):
    data = read_curated()
    data["findings"] = [f for f in data["findings"] if f["code"] != "clonus"]
    data["cases"] = [
        a_case(findings=[{"code": "clonus", "present": True, "region": "", "side": ""}])
    ]
    with pytest.raises(
        BankInvalid, match='finding "clonus" is neither in the file nor in the bank'
    ):
        import_bank(data=data)
    assert not GuidelineStatement.objects.exists()


def test_an_older_file_without_scopes_or_sources_never_erases_them(kb):
    from cases.models import Finding

    statement = GuidelineStatement.objects.get(key="mixed-als")
    assert statement.scope == ["motor_neuron"] and statement.sources.exists()
    import_bank(
        data={
            "statements": [
                {"key": "mixed-als", "text": statement.text, "topic": statement.topic,
                 "citations": [6, 7]}
            ],
            "findings": [{"code": "brisk_jaw_jerk", "name": "Brisk jaw jerk",
                          "category": "umn"}],
        }
    )  # fmt: skip
    statement.refresh_from_db()
    assert statement.scope == ["motor_neuron"] and statement.sources.count() == 2
    assert Finding.objects.get(code="brisk_jaw_jerk").explanation.startswith("Beyond")


def test_a_published_case_must_state_its_differential_even_if_empty(kb):
    case = a_case()
    del case["differential"]
    with pytest.raises(BankInvalid, match="needs its differential"):
        import_bank(data={"cases": [case]})
    assert import_bank(data={"cases": [a_case(differential=[])]}).created == ["new-case"]
