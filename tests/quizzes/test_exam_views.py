"""Taking an exam in the browser's requests: the list and lobby, each case saved at every
change (htmx) or by a plain post, stale pages, the grid, flags, submission after a
confirmation, the deadline, and results only once released."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes import cohorts, exams
from quizzes.models import Attempt
from tests.quizzes.test_flow import stage_one, stage_two

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def assessment(quiz, instructor, learner):
    cohort = cohorts.create_cohort(name="PGY-1", instructor=instructor)
    cohorts.add_learner(cohort=cohort, identifier=learner.username)
    now = timezone.now()
    return exams.schedule(
        by=instructor,
        quiz=quiz,
        cohort=cohort,
        title="Spring exam",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=2),
        time_limit_minutes=60,
        release="manual",
    )


@pytest.fixture
def attempt(client, assessment, learner) -> Attempt:
    client.login(username="learner", password=PASSWORD)
    response = client.post(reverse("quizzes:exam_start", args=[assessment.pk]))
    attempt = Attempt.objects.get(assessment=assessment)
    assert response.url == reverse("quizzes:exam_case", args=[attempt.pk, 1])
    return attempt


def case_url(attempt, position=1):
    return reverse("quizzes:exam_case", args=[attempt.pk, position])


def save_url(attempt, position=1):
    return reverse("quizzes:exam_save", args=[attempt.pk, position])


def test_the_learner_sees_their_exams_and_starts_one(client, assessment, learner):
    client.login(username="learner", password=PASSWORD)
    page = client.get(reverse("quizzes:exams"))
    assert "Spring exam" in page.content.decode() and "Start" in page.content.decode()


def test_before_it_opens_the_lobby_counts_down_from_the_servers_clock(client, assessment, learner):
    assessment.opens_at = timezone.now() + timedelta(minutes=10)
    assessment.save()
    client.login(username="learner", password=PASSWORD)
    html = client.get(reverse("quizzes:exams")).content.decode()
    assert "Opens in" in html and 'data-countdown="' in html
    response = client.post(reverse("quizzes:exam_start", args=[assessment.pk]), follow=True)
    assert "It opens at" in response.content.decode()
    assert not Attempt.objects.exists()


def test_each_change_is_saved_at_once_and_the_page_says_so(client, attempt):
    page = client.get(case_url(attempt))
    assert page.status_code == 200 and 'name="revision" value="0"' in page.content.decode()
    response = client.post(save_url(attempt), {"revision": 0, "localization": "umn"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Saved at" in html
    assert 'value="1" id="revision" hx-swap-oob="true"' in html
    assert attempt.attempt_cases.get(position=1).draft == {"localization": "umn"}
    # The reloaded page shows the choice.
    assert 'value="umn" checked' in client.get(case_url(attempt)).content.decode()


def test_a_stale_page_is_told_to_reload_and_changes_nothing(client, attempt):
    client.post(save_url(attempt), {"revision": 0, "localization": "umn"}, **HTMX)
    response = client.post(save_url(attempt, 2), {"revision": 0, "localization": "lmn"}, **HTMX)
    assert response.status_code == 409
    assert "reload it" in response.content.decode()
    assert attempt.attempt_cases.get(position=2).draft == {}


def test_without_javascript_a_save_button_saves_and_moves_on(client, attempt):
    first = attempt.attempt_cases.get(position=1)
    data = {"revision": 0, **stage_one(first), "go": "2"}
    data.pop("stage")
    response = client.post(save_url(attempt), data)
    assert response.url == case_url(attempt, 2) + "#answers"
    first.refresh_from_db()
    assert first.draft["localization"] == first.content["case"]["answer"]


def test_committing_the_first_stage_shows_the_tests(client, attempt):
    first = next(c for c in attempt.attempt_cases.all() if c.content["case"]["investigations_html"])
    here = case_url(attempt, first.position)
    html = client.get(here).content.decode()
    investigations = first.content["case"]["investigations_html"]
    assert investigations not in html
    data = {"revision": 0, **stage_one(first), "action": "commit"}
    data.pop("stage")
    response = client.post(save_url(attempt, first.position), data, **HTMX)
    assert response["HX-Redirect"] == here + "#answers"
    html = client.get(here).content.decode()
    assert investigations in html and "Your first answers (they stand)" in html


def test_a_flagged_case_shows_in_the_grid(client, attempt):
    client.post(save_url(attempt, 2), {"revision": 0, "action": "flag"})
    html = client.get(case_url(attempt)).content.decode()
    assert ": Not answered, flagged" in html


def test_submitting_lists_what_is_unanswered_then_submits_once_without_feedback(client, attempt):
    first = attempt.attempt_cases.get(position=1)
    data = {"revision": 0, **stage_one(first), "action": "commit"}
    data.pop("stage")
    client.post(save_url(attempt), data)
    first.refresh_from_db()
    client.post(save_url(attempt), {"revision": 2, **stage_two(first)})
    confirm = client.get(reverse("quizzes:exam_submit", args=[attempt.pk]))
    unanswered = [row["position"] for row in confirm.context["unanswered"]]
    assert unanswered == list(range(2, attempt.case_count + 1))
    done = client.post(reverse("quizzes:exam_submit", args=[attempt.pk]), follow=True)
    html = done.content.decode()
    assert "Submitted" in html and "once your program releases them" in html
    # Nothing of the key or the explanations before release.
    assert "Explanation and references" not in html and "Your score" not in html
    attempt.refresh_from_db()
    assert attempt.ended == "submitted"
    # Saving after it ended goes to the end page and changes nothing.
    response = client.post(save_url(attempt), {"revision": 3, "localization": "lmn"}, **HTMX)
    assert response["HX-Redirect"] == reverse("quizzes:exam_done", args=[attempt.pk])


def test_released_results_show_the_score_and_the_explanations(client, attempt, assessment):
    client.post(reverse("quizzes:exam_submit", args=[attempt.pk]))
    exams.release_results(assessment=assessment, now=assessment.closes_at + timedelta(minutes=1))
    html = client.get(reverse("quizzes:exam_done", args=[attempt.pk])).content.decode()
    assert "Your score" in html and "Explanation and references" in html


def test_past_the_deadline_the_case_page_ends_the_attempt_at_the_deadline(client, attempt):
    with time_machine.travel(attempt.deadline + timedelta(minutes=1), tick=False):
        response = client.get(case_url(attempt))
    assert response.url == reverse("quizzes:exam_done", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.completed_at, attempt.ended) == (attempt.deadline, "deadline")


def test_another_learners_exam_is_not_theirs(client, attempt):
    from tests.factories import UserFactory

    UserFactory(username="other")
    client.login(username="other", password=PASSWORD)
    for url in (
        case_url(attempt),
        reverse("quizzes:exam_submit", args=[attempt.pk]),
        reverse("quizzes:exam_done", args=[attempt.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(save_url(attempt), {"revision": 0, "localization": "umn"}).status_code == 404
    response = client.post(reverse("quizzes:exam_start", args=[attempt.assessment_id]))
    assert response.status_code == 404


def test_at_the_deadline_the_end_page_ends_the_attempt_without_waiting_for_the_grace(
    client, attempt
):
    with time_machine.travel(attempt.deadline + timedelta(seconds=1), tick=False):
        page = client.get(reverse("quizzes:exam_done", args=[attempt.pk]))
    assert page.status_code == 200 and "Time ran out" in page.content.decode()
    attempt.refresh_from_db()
    assert attempt.completed_at == attempt.deadline


def test_before_the_deadline_the_end_page_sends_back_to_the_exam(client, attempt):
    response = client.get(reverse("quizzes:exam_done", args=[attempt.pk]))
    assert response.url == case_url(attempt)


def test_the_exam_page_gives_nothing_away(client, attempt):
    for case in attempt.attempt_cases.all():
        html = client.get(case_url(attempt, case.position)).content.decode()
        content = case.content
        assert content["case"]["title"] not in html
        if content["case"]["investigations_html"]:
            assert content["case"]["investigations_html"] not in html
        for option in (content["next_step"] or {}).get("options", []):
            assert option["rationale"] not in html
        assert "Explanation" not in html and "teaching" not in html.lower()
