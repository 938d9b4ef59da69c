"""Named sources in the instructor area: instructors add and edit their own through the one
schema; curated sources and the guideline's statements are read-only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from cases.models import GuidelineStatement, Source
from cases.services import curated_source_keys
from neurolocalize.accounts import INSTRUCTORS
from tests.factories import StatementFactory, UserFactory

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db

GOOD = {
    "key": "smith-2021",
    "short": "Smith 2021",
    "citation": "Smith A, Jones B. A trial of something. J Neurol 2021;1:1-10.",
    "doi": "10.1007/s00415-021-10000-1",
    "pmid": "33000000",
    "url": "",
}


@pytest.fixture
def instructor_client(client):
    user = UserFactory(username="teacher")
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    client.login(username="teacher", password=PASSWORD)
    return client


@pytest.fixture
def own_source(db) -> Source:
    return Source.objects.create(
        key="own-2020", short="Own 2020", citation="Own A. Our paper. Brain 2020.", pmid="123"
    )


@pytest.fixture
def curated_source(db) -> Source:
    key = sorted(curated_source_keys())[0]
    return Source.objects.create(key=key, citation="As curated.", doi="10.1016/j.x.2020.01.001")


def edit_url(source: Source) -> str:
    return reverse("teach:source_edit", args=[source.key])


# The list --------------------------------------------------------------------------------


def test_the_sources_page_lists_sources_with_links_and_the_statements_read_only(
    instructor_client, own_source, curated_source
):
    statement = StatementFactory(key="overview", text="UMN damage makes tone rise.")
    statement.sources.add(own_source)
    html = instructor_client.get(reverse("teach:sources")).content.decode()
    assert "Own 2020" in html and "Our paper. Brain 2020." in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/123/"' in html
    assert 'href="https://doi.org/10.1016/j.x.2020.01.001"' in html
    # Own sources have an edit button; curated ones say they are read-only.
    assert f'href="{edit_url(own_source)}">Edit' in html
    assert "Curated<span" in html
    # The statement with its topic, its citation numbers and named sources, and no form.
    statements = html.split('id="statements"')[1].split('id="references"')[0]
    assert "UMN damage makes tone rise." in statements and "Signs" in statements
    number = statement.citations.get().number
    assert f'href="#reference-{number}">[{number}]</a>' in statements
    assert 'href="#source-own-2020"' in statements
    assert "<form" not in statements and "edit" not in statements.lower()


def test_statements_have_no_edit_route(instructor_client):
    statement = StatementFactory(key="overview")
    for name in ("teach:statement_edit", "teach:statement_new", "teach:statements"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    url = f"{reverse('teach:sources')}{statement.key}/edit/"  # a statement's key as a source's
    assert instructor_client.post(url, {"citation": "x"}).status_code == 404
    assert GuidelineStatement.objects.get().text == statement.text


@pytest.mark.parametrize("size", [3, 60])
def test_the_sources_page_runs_a_fixed_number_of_queries(
    instructor_client, size, django_assert_num_queries
):
    Source.objects.bulk_create(
        Source(key=f"source-{n}", citation=f"Citation {n}.", doi=f"10.1000/{n}")
        for n in range(size)
    )
    for n in range(size // 3):
        StatementFactory(key=f"statement-{n}").sources.add(Source.objects.get(key=f"source-{n}"))
    # Session, user, the group check, the sources, the statements with their citations and
    # sources, the references.
    with django_assert_num_queries(8):
        response = instructor_client.get(reverse("teach:sources"))
    assert response.status_code == 200
    assert response.content.decode().count('border-bottom" id="source-') == size


# Adding and editing ----------------------------------------------------------------------


def test_an_instructor_adds_a_source(instructor_client):
    response = instructor_client.post(reverse("teach:source_new"), GOOD)
    assert response.status_code == 302
    assert response.url == f"{reverse('teach:sources')}#source-smith-2021"
    source = Source.objects.get(key="smith-2021")
    assert (source.short, source.citation, source.doi, source.pmid, source.url) == (
        GOOD["short"],
        GOOD["citation"],
        GOOD["doi"],
        GOOD["pmid"],
        "",
    )
    page = instructor_client.get(response.url).content.decode()
    assert "Source “Smith 2021” added." in page


def test_an_instructor_edits_their_source_and_its_key_stays(instructor_client, own_source):
    form = instructor_client.get(edit_url(own_source)).content.decode()
    assert 'value="own-2020"' in form and "disabled" in form
    changed = {**GOOD, "key": "renamed", "url": "https://example.org/paper", "pmid": ""}
    response = instructor_client.post(edit_url(own_source), changed)
    assert response.status_code == 302
    own_source.refresh_from_db()
    assert own_source.key == "own-2020"  # fixed: cases cite it by its key
    assert (own_source.short, own_source.doi, own_source.pmid, own_source.url) == (
        "Smith 2021",
        GOOD["doi"],
        "",
        "https://example.org/paper",
    )
    assert not Source.objects.filter(key="renamed").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("doi", "https://doi.org/10.1016/j.clinph.2007.09.143", "Give the bare DOI"),
        ("doi", "10.12/x", "Must be a DOI like 10.1016/j.clinph.2007.09.143"),
        ("pmid", "PMID 12ab", "Must be digits only."),
        ("url", "http://example.org/paper", "Must be an https:// address or empty."),
        ("key", "Smith 2021", "Must be a slug (lowercase letters, digits, hyphens)."),
    ],
)
def test_a_bad_value_is_named_beside_its_field_with_everything_typed_kept_and_nothing_saved(
    instructor_client, field, value, message
):
    typed = {**GOOD, field: value}
    response = instructor_client.post(reverse("teach:source_new"), typed)
    assert response.status_code == 422
    form = response.context["form"]
    assert [message in error for error in form.errors[field]] == [True]
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html  # crispy's message, beside the field
    for name in ("key", "short", "doi", "pmid", "url"):
        if typed[name]:
            assert f'value="{typed[name]}"' in html
    assert typed["citation"] in html
    assert not Source.objects.exists()


def test_a_bad_edit_changes_nothing_and_keeps_what_was_typed(instructor_client, own_source):
    typed = {**GOOD, "doi": "doi:10.1016/abc"}
    response = instructor_client.post(edit_url(own_source), typed)
    assert response.status_code == 422
    assert 'value="doi:10.1016/abc"' in response.content.decode()
    own_source.refresh_from_db()
    assert (own_source.short, own_source.doi) == ("Own 2020", "")


def test_a_taken_or_curated_key_is_refused_beside_the_key(instructor_client, own_source):
    curated = sorted(curated_source_keys())[0]
    for key, message in (("own-2020", "exists already"), (curated, "curated source's key")):
        response = instructor_client.post(reverse("teach:source_new"), {**GOOD, "key": key})
        assert response.status_code == 422
        assert message in response.context["form"].errors["key"][0]
    assert list(Source.objects.values_list("key", flat=True)) == ["own-2020"]


def test_a_curated_source_is_shown_read_only_and_a_post_changes_nothing(
    instructor_client, curated_source
):
    page = instructor_client.get(edit_url(curated_source))
    html = page.content.decode()
    assert page.status_code == 200
    assert "A curated source" in html and "read-only" in html
    assert "As curated." in html
    assert f'action="{edit_url(curated_source)}"' not in html and 'name="citation"' not in html
    response = instructor_client.post(edit_url(curated_source), {**GOOD, "short": "Hijacked"})
    assert response.status_code == 403
    assert "nothing was changed" in response.content.decode()
    curated_source.refresh_from_db()
    assert (curated_source.short, curated_source.citation) == ("", "As curated.")


def test_the_update_service_refuses_a_curated_source_too(curated_source):
    from cases.schema import BankInvalid
    from cases.services import update_source

    with pytest.raises(BankInvalid, match="read-only"):
        update_source(source=curated_source, data={**GOOD, "short": "Hijacked"})
    curated_source.refresh_from_db()
    assert curated_source.short == ""


# Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("visitor", 302), ("learner", 404), ("instructor", 200), ("superuser", 200)],
)
def test_editing_a_source_as_each_kind_of_user(client, own_source, who, expected):
    if who == "instructor":
        user = UserFactory(username="teacher")
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    elif who != "visitor":
        UserFactory(username=who, is_superuser=who == "superuser", is_staff=who == "superuser")
    if who != "visitor":
        client.login(username="teacher" if who == "instructor" else who, password=PASSWORD)
    response = client.get(edit_url(own_source))
    assert response.status_code == expected
    if who == "visitor":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("who", "expected"), [("visitor", 302), ("learner", 404)])
def test_adding_or_editing_a_source_is_for_instructors_only(client, own_source, who, expected):
    if who == "learner":
        UserFactory(username="learner")
        client.login(username="learner", password=PASSWORD)
    assert client.post(reverse("teach:source_new"), GOOD).status_code == expected
    assert client.post(edit_url(own_source), GOOD).status_code == expected
    own_source.refresh_from_db()
    assert own_source.short == "Own 2020"
    assert list(Source.objects.values_list("key", flat=True)) == ["own-2020"]
