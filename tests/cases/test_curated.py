"""The curated loader: idempotent, and it never overwrites a case edited here."""

import pytest
from django.core.management import call_command

from cases.bank import dumps
from cases.models import Case, CaseFinding, GuidelineStatement, TeachingPoint
from cases.selectors import export_bank
from cases.services import load_curated, read_curated

pytestmark = pytest.mark.django_db


def test_loading_twice_creates_nothing_twice(capsys):
    call_command("load_curated")
    counts = (
        Case.objects.count(),
        CaseFinding.objects.count(),
        TeachingPoint.objects.count(),
        GuidelineStatement.objects.count(),
    )
    snapshot = dumps(export_bank())
    call_command("load_curated")
    out = capsys.readouterr().out.splitlines()
    second = [line for line in out if line.startswith("Curated bank:")][-1]
    assert "0 case(s) created, 0 updated" in second
    assert "0 guideline record(s) written" in second
    assert out[-1] == "Practice sets: 0 created, {} already there.".format(
        out[-1].split(", ")[1].split(" ")[0]
    )
    assert (
        Case.objects.count(),
        CaseFinding.objects.count(),
        TeachingPoint.objects.count(),
        GuidelineStatement.objects.count(),
    ) == counts
    assert dumps(export_bank()) == snapshot


def test_it_never_overwrites_a_case_an_instructor_edited():
    load_curated()
    case = Case.objects.order_by("slug").first()
    case.title = "Edited by an instructor"
    case.save()
    report = load_curated()
    assert case.slug in report.kept_local_edits
    case.refresh_from_db()
    assert case.title == "Edited by an instructor"


def test_an_edit_to_findings_alone_is_also_kept():
    load_curated()
    case = Case.objects.order_by("slug").first()
    case.findings.first().delete()
    count = case.findings.count()
    assert case.slug in load_curated().kept_local_edits
    assert case.findings.count() == count


def test_an_untouched_case_takes_a_newer_curated_version():
    data = read_curated()
    load_curated(data=data)
    slug = data["cases"][0]["slug"]
    data["cases"][0]["title"] = "Revised curated title"
    report = load_curated(data=data)
    assert report.updated == [slug]
    assert Case.objects.get(slug=slug).title == "Revised curated title"


def test_a_deleted_curated_case_comes_back():
    load_curated()
    slug = Case.objects.order_by("slug").first().slug
    Case.objects.filter(slug=slug).delete()
    assert load_curated().created == [slug]


def test_a_case_imported_from_a_file_is_never_reverted_by_the_curated_loader():
    from cases.services import import_bank

    data = read_curated()
    load_curated(data=data)
    entry = dict(data["cases"][0], title="Our program's own version")
    import_bank(data={"cases": [entry]})
    report = load_curated(data=data)
    assert entry["slug"] in report.kept_local_edits
    assert Case.objects.get(slug=entry["slug"]).title == "Our program's own version"


def test_a_restored_export_is_reported_unchanged_not_as_local_edits():
    from cases.services import import_bank

    load_curated()
    exported = export_bank()
    Case.objects.all().delete()
    import_bank(data=exported)
    report = load_curated()
    assert report.kept_local_edits == [] and len(report.unchanged) == len(exported["cases"])
    # Recognised as curated again, so a newer curated version still arrives.
    data = read_curated()
    data["cases"][0]["title"] = "A newer curated title"
    assert load_curated(data=data).updated == [data["cases"][0]["slug"]]


def test_a_case_loaded_before_site_accepts_existed_takes_its_newer_version():
    """Its fingerprint was taken without the field; an upgraded database still knows the
    case as curated, not as edited here."""
    import hashlib
    import json

    from cases.bank import canonical
    from cases.schema import CaseSchema
    from cases.selectors import case_data

    data = read_curated()
    load_curated(data=data)
    slug = data["cases"][0]["slug"]
    case = Case.objects.get(slug=slug)
    before = canonical(CaseSchema.model_validate(case_data(case)))
    del before["site_accepts"]
    old = hashlib.sha256(json.dumps(before, sort_keys=True, ensure_ascii=False).encode())
    Case.objects.filter(pk=case.pk).update(curated_fingerprint=old.hexdigest())
    data["cases"][0]["title"] = "A newer curated title"
    assert load_curated(data=data).updated == [slug]
