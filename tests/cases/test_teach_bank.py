"""The bank in the instructor area: download all of it or a selection in the export format;
upload a file, read every problem or what importing would do, import only on confirmation."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.bank import dumps
from cases.models import Case, Source
from cases.selectors import export_bank
from cases.services import import_bank
from cases.views.bank import PENDING
from tests.factories import UserFactory
from tests.factories import case_entry as a_case

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor_client(client, kb, instructor):
    client.login(username="teacher", password=PASSWORD)
    return client


def a_file(data: object, name: str = "bank.json") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def upload(client, data: object, name: str = "bank.json"):
    return client.post(reverse("teach:bank_upload"), {"file": a_file(data, name)})


def confirm(client, response):
    digest = response.context["confirm"]["sha256"].value()
    return client.post(reverse("teach:bank_import"), {"sha256": digest}, follow=True)


# Download --------------------------------------------------------------------------------


def test_the_whole_bank_downloads_as_the_export_command_writes_it(instructor_client):
    import_bank(data={"cases": [a_case("one"), a_case("two", answer="lmn")]})
    response = instructor_client.get(reverse("teach:bank_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="neurolocalize-bank-{today}.json"'
    )
    assert response.content.decode() == dumps(export_bank())


def test_a_selection_holds_the_whole_knowledge_base_and_only_the_filtered_cases(
    instructor_client,
):
    import_bank(data={"cases": [a_case("one"), a_case("two", answer="lmn")]})
    response = instructor_client.get(reverse("teach:bank_download"), {"answer": "lmn", "q": ""})
    assert response.status_code == 200
    assert "neurolocalize-bank-selection-" in response["Content-Disposition"]
    whole = export_bank()
    selection = json.loads(response.content)
    assert [case["slug"] for case in selection["cases"]] == ["two"]
    assert selection == {**whole, "cases": [c for c in whole["cases"] if c["slug"] == "two"]}


def test_a_bad_filter_or_an_empty_selection_is_named_and_nothing_downloads(instructor_client):
    import_bank(data={"cases": [a_case("one")]})
    url = reverse("teach:bank_download")
    bad = instructor_client.get(url, {"status": "lost", "q": "stiff"})
    assert bad.status_code == 422 and "Content-Disposition" not in bad
    html = bad.content.decode()
    assert 'id="err-status">Select a valid choice.' in html
    assert 'value="stiff"' in html  # what was typed is kept
    empty = instructor_client.get(url, {"answer": "mixed"})
    assert empty.status_code == 422 and "Content-Disposition" not in empty
    assert "No case matches these filters" in empty.content.decode()


def test_the_bank_page_runs_a_fixed_number_of_queries(instructor_client, django_assert_num_queries):
    import_bank(data={"cases": [a_case(f"case-{n}") for n in range(20)]})
    # Session, user, the group check, the filter form's findings, tags and authors.
    with django_assert_num_queries(6):
        assert instructor_client.get(reverse("teach:bank")).status_code == 200


# Upload, report, confirmation ------------------------------------------------------------


def test_a_clean_file_is_reported_then_imported_on_confirmation_as_drafts_for_review(
    instructor_client, instructor
):
    import_bank(data={"cases": [a_case("kept")]})
    data = {"cases": [a_case("kept"), a_case("fresh"), a_case("kept-too")]}
    data["cases"][0]["title"] = "A better title"
    report = upload(instructor_client, data, "fresh.json")
    html = report.content.decode()
    assert report.status_code == 200
    assert "fresh.json is valid." in html
    assert "2 new case(s) and 1 new version(s) as drafts to send for review, 0 unchanged" in html
    assert "<code>fresh</code>, <code>kept-too</code>" in html
    assert "Import this file" in html
    # The check wrote nothing.
    assert sorted(Case.objects.values_list("slug", flat=True)) == ["kept"]
    assert Case.objects.get(slug="kept").title == "Stiff legs in a runner"

    done = confirm(instructor_client, report)
    assert done.redirect_chain == [(reverse("teach:bank"), 302)]
    assert "Imported fresh.json: 2 new case(s) and 1 new version(s) as drafts" in (
        done.content.decode()
    )
    assert sorted(Case.objects.values_list("slug", flat=True)) == ["fresh", "kept", "kept-too"]
    # Nothing reaches learners without review: the published case keeps its content, and
    # the file's version of it waits as the importer's draft, as do the new cases.
    kept = Case.objects.get(slug="kept")
    assert (kept.title, kept.status) == ("Stiff legs in a runner", "published")
    draft = kept.versions.get(state="draft")
    assert (draft.content["title"], draft.author) == ("A better title", instructor)
    fresh = Case.objects.get(slug="fresh")
    assert (fresh.status, fresh.author) == ("draft", instructor)
    assert PENDING not in instructor_client.session


def test_a_file_that_would_change_the_guideline_knowledge_base_is_for_an_administrator(
    instructor_client,
):
    from cases.models import GuidelineStatement

    statement = GuidelineStatement.objects.order_by("key").first()
    changed = {
        "statements": [
            {
                "key": statement.key,
                "text": "Rewritten by a file.",
                "topic": statement.topic,
                "citations": [1],
            }
        ]
    }
    response = upload(instructor_client, changed, "kb.json")
    assert response.status_code == 422
    assert "an administrator imports such a file" in response.content.decode()
    statement.refresh_from_db()
    assert statement.text != "Rewritten by a file."


def test_a_file_with_errors_lists_every_one_with_its_location_and_cannot_be_imported(
    instructor_client,
):
    bad_code = a_case("one")
    bad_code["findings"][0]["code"] = "tremor"
    missing = a_case("two")
    del missing["answer"]
    data = {
        "sources": [{"key": "s-2020", "citation": "C.", "doi": "https://doi.org/10.1000/x"}],
        "cases": [bad_code, missing, a_case("one")],
    }
    response = upload(instructor_client, data, "broken.json")
    html = response.content.decode()
    assert response.status_code == 422
    assert "broken.json has 4 problem(s); nothing was imported:" in html
    for location, message in [
        ("sources[0].doi", "give the bare DOI"),
        ("cases[0] (&quot;one&quot;).findings[0].code", "unknown finding code &quot;tremor&quot;"),
        ("cases[1] (&quot;two&quot;)", "missing field &quot;answer&quot;"),
        ("cases[2] (&quot;one&quot;).slug", "duplicate slug &quot;one&quot;"),
    ]:
        assert f'<code class="text-break">{location}</code>: {message}' in html
    assert "Import this file" not in html and reverse("teach:bank_import") not in html
    assert not Case.objects.exists() and not Source.objects.filter(key="s-2020").exists()
    assert PENDING not in instructor_client.session


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"cases": [\n  {"slug": }\n]}', "line 2, column 12: invalid JSON: Expecting value"),
        (b"[1, 2]", "file: the top level must be a JSON object"),
    ],
)
def test_a_file_that_is_not_a_bank_object_is_a_located_problem(instructor_client, content, message):
    response = upload(instructor_client, content)
    assert response.status_code == 422
    assert message in response.content.decode().replace('<code class="text-break">', "").replace(
        "</code>", ""
    )
    assert not Case.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_beside_the_file_field(instructor_client):
    response = upload(instructor_client, b'{"cases": []}\xff')
    assert response.status_code == 422
    assert 'id="err-file">The file is not UTF-8 text: byte 14 (0xff)' in (response.content.decode())


def test_a_byte_order_mark_is_not_taken_for_part_of_the_json(instructor_client):
    response = upload(
        instructor_client, b"\xef\xbb\xbf" + json.dumps({"cases": [a_case()]}).encode()
    )
    assert response.status_code == 200 and "Import this file" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(instructor_client, settings):
    settings.BANK_UPLOAD_MAX_BYTES = 1024
    response = upload(instructor_client, {"cases": [a_case(f"case-{n}") for n in range(5)]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "this page takes files up to 1.0\xa0KB" in html and 'id="err-file"' in html
    assert "up to 1.0\xa0KB" in html.split('id="file-help"')[1]
    assert not Case.objects.exists() and PENDING not in instructor_client.session


def test_a_tampered_confirmation_imports_nothing(instructor_client):
    report = upload(instructor_client, {"cases": [a_case()]})
    url = reverse("teach:bank_import")
    for digest in ("0" * 64, "not a digest", ""):
        response = instructor_client.post(url, {"sha256": digest}, follow=True)
        assert "nothing was imported" in response.content.decode()
    assert not Case.objects.exists()
    # The right confirmation still imports: only what was checked.
    confirm(instructor_client, report)
    assert Case.objects.filter(slug="new-case").exists()


def test_a_confirmation_of_a_file_checked_before_another_imports_nothing(instructor_client):
    first = upload(instructor_client, {"cases": [a_case("first")]})
    upload(instructor_client, {"cases": [a_case("second")]})
    response = confirm(instructor_client, first)
    assert "not the one checked last" in response.content.decode()
    assert not Case.objects.exists()


def test_a_confirmation_imports_once(instructor_client):
    report = upload(instructor_client, {"cases": [a_case()]})
    confirm(instructor_client, report)
    Case.objects.all().delete()
    again = confirm(instructor_client, report)
    assert "imported already; nothing was imported" in again.content.decode()
    assert not Case.objects.exists()


def test_a_file_that_no_longer_fits_the_bank_at_confirmation_imports_nothing(
    instructor_client,
):
    Source.objects.create(key="own-2020", citation="Own A. Brain 2020.")
    case = a_case()
    case["teaching_points"][0]["sources"] = ["own-2020"]
    report = upload(instructor_client, {"cases": [case]})
    assert report.status_code == 200
    Source.objects.filter(key="own-2020").delete()
    response = confirm(instructor_client, report)
    html = response.content.decode()
    assert "The bank changed after the file was checked" in html
    assert "unknown source &quot;own-2020&quot;" in html
    assert not Case.objects.exists()


# Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), [("visitor", 302), ("learner", 404)])
def test_uploading_and_importing_are_for_instructors_only(client, kb, who, expected):
    if who == "learner":
        UserFactory(username="learner")
        client.login(username="learner", password=PASSWORD)
    response = client.post(reverse("teach:bank_upload"), {"file": a_file({"cases": [a_case()]})})
    assert response.status_code == expected
    assert PENDING not in client.session
    assert client.post(reverse("teach:bank_import"), {"sha256": "0" * 64}).status_code == expected
    assert not Case.objects.exists()


def test_uploading_and_importing_take_posts_only(instructor_client):
    assert instructor_client.get(reverse("teach:bank_upload")).status_code == 405
    assert instructor_client.get(reverse("teach:bank_import")).status_code == 405
