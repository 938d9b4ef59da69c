"""The instructor area: only instructors see it; the case list searches, filters, sorts and
pages in a fixed number of queries."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.models import Case
from neurolocalize.accounts import INSTRUCTORS
from tests.factories import CaseFactory, CaseFindingFactory, UserFactory

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor(db):
    user = UserFactory(username="teacher")
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    return user


@pytest.fixture
def instructor_client(client, instructor):
    client.login(username="teacher", password=PASSWORD)
    return client


@pytest.mark.parametrize("name", ["teach:home", "teach:cases"])
def test_a_visitor_is_asked_to_log_in_and_a_learner_finds_nothing(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    UserFactory(username="learner")
    client.login(username="learner", password=PASSWORD)
    assert client.get(url).status_code == 404


def test_an_instructor_lands_in_the_instructor_area_and_a_learner_on_the_dashboard(
    client, instructor
):
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert client.get(response.url).url == reverse("teach:home")
    client.logout()
    UserFactory(username="learner")
    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD})
    assert client.get(response.url).url == reverse("quizzes:dashboard")


def test_the_overview_counts_cases_by_status(instructor_client):
    CaseFactory.create_batch(2, status=Case.Status.DRAFT)
    CaseFactory(status=Case.Status.PUBLISHED)
    response = instructor_client.get(reverse("teach:home"))
    statuses = {value: count for value, _, count in response.context["statuses"]}
    assert statuses == {"draft": 2, "review": 0, "published": 1, "retired": 0}
    assert f'href="{reverse("teach:cases")}?status=draft"' in response.content.decode()


def test_the_case_list_searches_filters_and_sorts(instructor_client, instructor):
    cord = CaseFactory(title="A stiff walk", answer="umn", site="spinal_cord", author=instructor)
    CaseFactory(title="Wasted hands", answer="lmn", site="motor_neuron")
    url = reverse("teach:cases")

    def titles(**query) -> list[str]:
        return [c.title for c in instructor_client.get(url, query).context["page"].object_list]

    assert titles() == ["A stiff walk", "Wasted hands"]
    assert titles(q="wasted") == ["Wasted hands"]
    assert titles(answer="umn") == ["A stiff walk"]
    assert titles(site="motor_neuron") == ["Wasted hands"]
    assert titles(author="teacher") == ["A stiff walk"]
    assert titles(sort="answer") == ["Wasted hands", "A stiff walk"]  # lmn before umn
    # Findings are named, never shown by code alone.
    code = CaseFindingFactory(case=cord).finding
    html = instructor_client.get(url).content.decode()
    assert f'<option value="{code.code}">{code.name}</option>' in html
    assert titles(finding=code.code) == ["A stiff walk"]


def test_an_unknown_filter_value_is_named_and_the_list_shows_unfiltered_by_it(
    instructor_client,
):
    CaseFactory(title="Only case")
    response = instructor_client.get(reverse("teach:cases"), {"status": "lost", "sort": "x"})
    html = response.content.decode()
    assert "Select a valid choice." in html
    assert [c.title for c in response.context["page"].object_list] == ["Only case"]


def test_the_case_list_pages_and_keeps_its_filters(instructor_client):
    CaseFactory.create_batch(30, answer="umn")
    response = instructor_client.get(reverse("teach:cases"), {"answer": "umn", "page": 2})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == 5
    assert 'href="?answer=umn&amp;page=1"' in response.content.decode()


@pytest.mark.parametrize("size", [50, 500])
def test_the_case_list_runs_a_fixed_number_of_queries(
    instructor_client, size, django_assert_num_queries
):
    CaseFactory.create_batch(size)
    # Session, user, the group check, the filter form's findings, tags and authors, the
    # count, the page.
    with django_assert_num_queries(8):
        assert instructor_client.get(reverse("teach:cases")).status_code == 200
