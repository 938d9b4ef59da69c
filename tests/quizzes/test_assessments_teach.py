"""Assessments in the instructor area: scheduling one for a cohort (errors beside their
fields, nothing saved), accommodations with a reason for the cohort's learners only,
releasing results by hand once, and no page of another instructor's assessment."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes import cohorts, exams
from quizzes.models import Accommodation, Assessment, Quiz
from tests.conftest import make_instructor

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db

OPENS = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=3)


@pytest.fixture
def cohort(instructor, learner):
    cohort = cohorts.create_cohort(name="PGY-1 Neurology", instructor=instructor)
    cohorts.add_learner(cohort=cohort, identifier=learner.username)
    return cohort


@pytest.fixture
def assessment(quiz, cohort, instructor) -> Assessment:
    return exams.schedule(
        by=instructor,
        quiz=quiz,
        cohort=cohort,
        title="Spring localization exam",
        opens_at=OPENS,
        closes_at=CLOSES,
        time_limit_minutes=60,
        release="manual",
    )


@pytest.fixture
def teacher(client, instructor):
    client.login(username="teacher", password=PASSWORD)
    return client


def schedule_data(quiz, cohort, **overrides) -> dict:
    data = {
        "quiz": quiz.pk,
        "cohort": cohort.pk,
        "title": "Spring localization exam",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-03-01T12:00",
        "time_limit_minutes": "60",
        "attempts_allowed": "1",
        "shuffle_cases": "on",
        "release": "manual",
    }
    data.update(overrides)
    return data


def test_an_instructor_schedules_an_assessment_in_the_sites_time_zone(
    teacher, settings, quiz, cohort, instructor
):
    settings.TIME_ZONE = "America/New_York"
    response = teacher.post(reverse("teach:assessments"), schedule_data(quiz, cohort), follow=True)
    assessment = Assessment.objects.get()
    assert "“Spring localization exam” scheduled for PGY-1 Neurology." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("teach:assessment", args=[assessment.pk])
    # 09:00 in New York in March (before daylight saving time) is 14:00 UTC.
    assert assessment.opens_at == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    assert assessment.closes_at == datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
    assert (assessment.quiz, assessment.cohort, assessment.created_by) == (
        quiz,
        cohort,
        instructor,
    )
    assert (assessment.time_limit_minutes, assessment.attempts_allowed) == (60, 1)
    assert (assessment.shuffle_cases, assessment.shuffle_options) == (True, False)
    assert assessment.release == "manual"


def test_a_window_that_closes_before_it_opens_is_refused_beside_the_field(teacher, quiz, cohort):
    data = schedule_data(quiz, cohort, closes_at="2027-03-01T08:00")
    response = teacher.post(reverse("teach:assessments"), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert not Assessment.objects.exists()
    assert (
        '<p id="error_1_id_closes_at"><strong>The close time must come after the open time.' in page
    )
    # Everything typed is kept.
    assert 'value="Spring localization exam"' in page
    assert 'value="2027-03-01T08:00"' in page
    assert 'value="60"' in page


def test_missing_fields_are_said_beside_each_and_linked_from_the_summary(teacher):
    response = teacher.post(reverse("teach:assessments"), {"attempts_allowed": "0"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Choose the quiz to give." in page
    assert "Give the time it opens." in page
    assert "Allow at least 1 attempt." in page
    assert 'href="#id_opens_at"' in page
    assert not Assessment.objects.exists()


def test_only_quizzes_with_cases_and_the_instructors_own_cohorts_can_be_chosen(
    teacher, quiz, cohort
):
    Quiz.objects.create(slug="empty", title="An empty set")
    theirs = cohorts.create_cohort(name="Someone else's", instructor=make_instructor("other"))
    page = teacher.get(reverse("teach:assessments")).content.decode()
    assert "The basics (3 published cases)" in page
    assert "An empty set" not in page
    assert "PGY-1 Neurology" in page and "Someone else&#x27;s" not in page
    response = teacher.post(reverse("teach:assessments"), schedule_data(quiz, theirs))
    assert response.status_code == 422
    assert "Choose one of the cohorts you run." in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_list_says_whether_each_assessment_is_scheduled_open_or_closed(
    client, instructor, assessment
):
    url = reverse("teach:assessments")
    for moment, word in (
        (OPENS - timedelta(days=1), "Scheduled"),
        (OPENS + timedelta(minutes=1), "Open"),
        (CLOSES, "Closed"),
    ):
        with time_machine.travel(moment, tick=False):
            client.force_login(instructor)
            page = client.get(url).content.decode()
        assert f">{word}</span>" in page, word
    assert "Spring localization exam" in page
    assert "Not yet released: an instructor releases them" in page


def test_an_accommodation_needs_a_reason(teacher, assessment, learner):
    url = reverse("teach:assessment_accommodate", args=[assessment.pk])
    response = teacher.post(url, {"learner": learner.username, "extra_minutes": "30"})
    assert response.status_code == 422
    assert "Give the reason for the accommodation." in response.content.decode()
    assert not Accommodation.objects.exists()


def test_an_accommodation_is_only_for_a_learner_of_the_cohort(teacher, assessment, outsider):
    url = reverse("teach:assessment_accommodate", args=[assessment.pk])
    response = teacher.post(
        url, {"learner": outsider.username, "extra_minutes": "30", "reason": "Approved."}
    )
    assert response.status_code == 422
    assert "That learner is not in this cohort." in response.content.decode()
    assert not Accommodation.objects.exists()


def test_an_accommodation_gives_extra_time_and_a_window_with_its_reason(
    teacher, assessment, learner
):
    url = reverse("teach:assessment_accommodate", args=[assessment.pk])
    data = {
        "learner": learner.username,
        "extra_minutes": "30",
        "opens_at": "2027-03-02T09:00",
        "closes_at": "2027-03-02T12:00",
        "reason": "Approved by the program for extra time.",
    }
    page = teacher.post(url, data, follow=True).content.decode()
    accommodation = Accommodation.objects.get()
    assert (accommodation.learner, accommodation.extra_minutes) == (learner, 30)
    assert accommodation.opens_at == OPENS + timedelta(days=1)
    assert "Accommodation for learner recorded." in page
    assert "Approved by the program for extra time." in page
    # A window that closes before it opens is refused by the service, and said.
    data.update(closes_at="2027-03-02T08:00", reason="Changed")
    refused = teacher.post(url, data)
    assert refused.status_code == 422
    assert "The learner&#x27;s window must close after it opens." in refused.content.decode()
    accommodation.refresh_from_db()
    assert accommodation.reason == "Approved by the program for extra time."


def test_results_are_released_by_hand_once_every_window_has_closed(teacher, assessment):
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("teach:assessment_release", args=[assessment.pk])
    page = teacher.get(reverse("teach:assessment", args=[assessment.pk])).content.decode()
    assert "Release results now" in page
    # While the window is open, a learner still to take it must not meet the keys.
    assessment.opens_at = timezone.now() - timedelta(hours=1)
    assessment.closes_at = timezone.now() + timedelta(hours=1)
    assessment.save()
    early = teacher.post(url, follow=True).content.decode()
    assessment.refresh_from_db()
    assert "once every window has closed" in early and assessment.released_at is None
    assessment.opens_at = timezone.now() - timedelta(hours=3)
    assessment.closes_at = timezone.now() - timedelta(hours=1)
    assessment.save()
    first = teacher.post(url, follow=True).content.decode()
    assessment.refresh_from_db()
    released_at = assessment.released_at
    assert released_at is not None
    assert "Results released" in first
    assert "Release results now" not in first
    again = teacher.post(url, follow=True).content.decode()
    assessment.refresh_from_db()
    assert "The results were released already; nothing changed." in again
    assert assessment.released_at == released_at


def test_results_released_at_the_close_are_not_released_by_hand(teacher, assessment):
    assessment.release = "after_close"
    assessment.save()
    page = teacher.get(reverse("teach:assessment", args=[assessment.pk])).content.decode()
    assert "Release results now" not in page
    url = reverse("teach:assessment_release", args=[assessment.pk])
    response = teacher.post(url, follow=True)
    assessment.refresh_from_db()
    assert assessment.released_at is None
    assert "nothing changed" in response.content.decode()


def _assessment_urls(assessment, attempt_id: int) -> list[tuple[str, str]]:
    args = [assessment.pk]
    return [
        ("get", reverse("teach:assessment", args=args)),
        ("post", reverse("teach:assessment_accommodate", args=args)),
        ("post", reverse("teach:assessment_release", args=args)),
        ("get", reverse("teach:assessment_gradebook", args=args)),
        ("get", reverse("teach:assessment_gradebook_csv", args=args)),
        ("get", reverse("teach:assessment_attempt", args=[assessment.pk, attempt_id])),
        ("get", reverse("teach:assessment_analysis", args=args)),
        ("get", reverse("teach:assessment_analysis_csv", args=args)),
    ]


@pytest.fixture
def finished_attempt(assessment, learner):
    with time_machine.travel(OPENS + timedelta(minutes=5), tick=False):
        attempt = exams.start(assessment=assessment, user=learner)[0]
    exams.submit(attempt=attempt, now=OPENS + timedelta(minutes=20))
    return attempt


def test_another_instructor_gets_a_404_on_every_page_of_the_assessment(
    client, assessment, finished_attempt, learner
):
    make_instructor("other")
    client.login(username="other", password=PASSWORD)
    data = {"learner": learner.username, "reason": "Sneaky."}
    for method, url in _assessment_urls(assessment, finished_attempt.pk):
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, url
    assert client.get(reverse("teach:assessments")).context["assessments"] == []
    assessment.refresh_from_db()
    assert assessment.released_at is None and not Accommodation.objects.exists()


def test_the_cohorts_instructor_and_a_superuser_see_every_page(
    client, teacher, assessment, finished_attempt
):
    from tests.factories import UserFactory

    for method, url in _assessment_urls(assessment, finished_attempt.pk):
        if method == "get":
            assert teacher.get(url).status_code == 200, url
    UserFactory(username="root", is_superuser=True)
    client.login(username="root", password=PASSWORD)
    assert client.get(reverse("teach:assessment", args=[assessment.pk])).status_code == 200


def test_an_attempt_at_another_assessment_is_a_404_under_this_one(
    teacher, assessment, finished_attempt, quiz, cohort, instructor
):
    other = exams.schedule(
        by=instructor, quiz=quiz, cohort=cohort, title="Other", opens_at=OPENS, closes_at=CLOSES
    )
    url = reverse("teach:assessment_attempt", args=[other.pk, finished_attempt.pk])
    assert teacher.get(url).status_code == 404


def test_learners_and_visitors_are_refused(client, assessment, finished_attempt, learner):
    for method, url in _assessment_urls(assessment, finished_attempt.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.login(username="learner", password=PASSWORD)
    for method, url in _assessment_urls(assessment, finished_attempt.pk):
        assert getattr(client, method)(url).status_code == 404, url


def test_a_window_that_has_already_closed_is_refused_beside_the_close(teacher, quiz, cohort):
    from datetime import timedelta

    from django.utils import timezone

    from quizzes.models import Assessment

    past = timezone.localtime() - timedelta(days=3)
    response = teacher.post(
        reverse("teach:assessments"),
        {
            "quiz": quiz.pk,
            "cohort": cohort.pk,
            "title": "Too late",
            "opens_at": (past - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": past.strftime("%Y-%m-%dT%H:%M"),
            "attempts_allowed": 1,
            "release": "manual",
        },
    )
    assert response.status_code == 422
    assert "That time has passed" in response.content.decode()
    assert not Assessment.objects.filter(title="Too late").exists()
