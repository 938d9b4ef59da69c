"""Cohorts: learners join with a code or are enrolled by an instructor of the cohort, one by
one or from a list of e-mails with a report of every row; no one sees another's cohort."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes import cohorts
from quizzes.models import Cohort, Membership
from tests.conftest import make_instructor
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(instructor) -> Cohort:
    return cohorts.create_cohort(name="PGY-1 Neurology 2027", instructor=instructor)


def test_a_cohort_gets_a_code_easy_to_read_and_its_instructor(cohort, instructor):
    assert len(cohort.code) == 8 and not set(cohort.code) & set("0O1IL")
    assert cohort.display_code == f"{cohort.code[:4]}-{cohort.code[4:]}"
    assert list(cohort.instructors.all()) == [instructor]


def test_a_learner_joins_with_the_code_typed_any_way(client, cohort):
    learner = UserFactory(username="resident")
    client.login(username="resident", password=PASSWORD)
    typed = f" {cohort.display_code.lower()} "
    response = client.post(reverse("quizzes:join_cohort"), {"code": typed}, follow=True)
    assert f"You joined “{cohort}”." in response.content.decode()
    assert Membership.objects.get().how == "code" and learner.cohorts.get() == cohort
    again = client.post(reverse("quizzes:join_cohort"), {"code": cohort.code}, follow=True)
    assert "You were already in" in again.content.decode()
    assert Membership.objects.count() == 1


def test_a_wrong_code_is_said_and_changes_nothing(client, cohort):
    UserFactory(username="resident")
    client.login(username="resident", password=PASSWORD)
    response = client.post(reverse("quizzes:join_cohort"), {"code": "NOPE-NOPE"})
    assert response.status_code == 422
    assert "No cohort has that code" in response.content.decode()
    assert not Membership.objects.exists()


def test_an_instructor_adds_one_learner_by_email_or_username(client, cohort, instructor):
    UserFactory(username="ana", email="ana@example.org")
    client.login(username="teacher", password=PASSWORD)
    url = reverse("teach:cohort_add", args=[cohort.pk])
    response = client.post(url, {"identifier": "ANA@example.org"}, follow=True)
    assert "ANA@example.org added." in response.content.decode()
    response = client.post(url, {"identifier": "ana"}, follow=True)
    assert "ana was already in the cohort." in response.content.decode()
    refused = client.post(url, {"identifier": "nobody@example.org"})
    assert refused.status_code == 422
    assert "ask them to sign up and join with the code" in refused.content.decode()
    assert 'value="nobody@example.org"' in refused.content.decode()
    assert cohort.memberships.count() == 1


def test_a_list_of_emails_is_reported_row_by_row(client, cohort, instructor):
    UserFactory(username="ana", email="ana@example.org")
    UserFactory(username="ben", email="ben@example.org")
    cohorts.add_learner(cohort=cohort, identifier="ben")
    text = (
        "email,name\n"
        "ana@example.org,Ana\n"
        "ben@example.org,Ben\n"
        "not-an-email,X\n"
        "\n"
        "ghost@example.org,Ghost\n"
        "Ana@example.org,Ana again\n"
        "teacher@example.org,the instructor\n"
    )
    client.login(username="teacher", password=PASSWORD)
    upload = SimpleUploadedFile("residents.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("teach:cohort_enrol", args=[cohort.pk]), {"file": upload})
    report = response.context["report"]
    assert report.added == ["ana@example.org"]
    assert report.already == ["ben@example.org"]
    assert [(line, reason) for line, _, reason in report.rejected] == [
        (4, "not an e-mail address"),
        (6, "no account uses this e-mail or username: ask them to sign up and join with the code"),
        (7, "listed twice in the file"),
        (8, "an instructor of this cohort"),
    ]
    assert "1 added, 1 already in the cohort, 4 refused." in response.content.decode()
    assert set(cohort.learners.values_list("username", flat=True)) == {"ana", "ben"}


def test_a_file_that_is_not_text_is_refused_beside_the_field(client, cohort, instructor):
    client.login(username="teacher", password=PASSWORD)
    upload = SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", content_type="text/csv")
    response = client.post(reverse("teach:cohort_enrol", args=[cohort.pk]), {"file": upload})
    assert response.status_code == 422
    assert "not UTF-8 text" in response.content.decode()


def test_removing_a_learner_leaves_the_others(client, cohort, instructor):
    ana = UserFactory(username="ana", email="ana@example.org")
    cohorts.add_learner(cohort=cohort, identifier="ana")
    client.login(username="teacher", password=PASSWORD)
    client.post(reverse("teach:cohort_remove", args=[cohort.pk]), {"user": ana.pk})
    assert not cohort.memberships.exists()


def test_an_instructor_sees_only_the_cohorts_they_run(client, cohort):
    make_instructor("other")
    client.login(username="other", password=PASSWORD)
    assert list(client.get(reverse("teach:cohorts")).context["cohorts"]) == []
    for name in ("teach:cohort",):
        assert client.get(reverse(name, args=[cohort.pk])).status_code == 404
    for name in ("teach:cohort_add", "teach:cohort_enrol", "teach:cohort_remove"):
        assert client.post(reverse(name, args=[cohort.pk]), {"identifier": "x"}).status_code == 404
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("teach:cohort", args=[cohort.pk])).status_code == 200


def test_making_a_cohort_needs_a_name(client, instructor):
    client.login(username="teacher", password=PASSWORD)
    response = client.post(reverse("teach:cohorts"), {"name": ""})
    assert response.status_code == 422 and not Cohort.objects.exists()
    response = client.post(reverse("teach:cohorts"), {"name": "PGY-2"}, follow=True)
    assert "Learners join with the code" in response.content.decode()


@pytest.mark.parametrize("size", [50, 500])
def test_the_cohort_page_runs_a_fixed_number_of_queries(
    client, cohort, instructor, size, django_assert_num_queries
):
    users = UserFactory.create_batch(size)
    Membership.objects.bulk_create(Membership(cohort=cohort, user=u, how="added") for u in users)
    client.login(username="teacher", password=PASSWORD)
    # Session, user, group check, the cohort, its members.
    with django_assert_num_queries(5):
        assert client.get(reverse("teach:cohort", args=[cohort.pk])).status_code == 200


def test_an_instructor_does_not_join_their_own_cohort_as_a_learner(cohort, instructor):
    with pytest.raises(cohorts.CohortError, match="You run this cohort"):
        cohorts.join_with_code(user=instructor, code=cohort.code)
    assert not Membership.objects.exists()
