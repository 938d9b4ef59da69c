"""A learner takes a timed exam in a real browser: every choice saved as it is made, a
reload mid-way loses nothing, a flag and a return, the confirmation listing what is
unanswered, the submission; accessible, and usable by keyboard."""

from datetime import timedelta

import pytest

from tests.browser.test_instructor_journey import log_in
from tests.browser.test_learner_journey import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def exam(transactional_db):
    from django.utils import timezone

    from cases.services import load_curated
    from quizzes import cohorts, exams
    from quizzes.models import Quiz, QuizCase
    from tests.conftest import make_instructor
    from tests.factories import UserFactory

    load_curated()
    from cases.models import Case

    quiz = Quiz.objects.create(slug="exam-set", title="Exam set", mode="exam", is_listed=False)
    for position, slug in enumerate(
        ["capsular-stroke-hemiparesis", "paralytic-poliomyelitis", "generalised-myasthenia-gravis"],
        start=1,
    ):
        QuizCase.objects.create(quiz=quiz, case=Case.objects.get(slug=slug), position=position)
    teacher = make_instructor("teacher")
    UserFactory(username="resident")
    cohort = cohorts.create_cohort(name="PGY-1", instructor=teacher)
    cohorts.add_learner(cohort=cohort, identifier="resident")
    now = timezone.now()
    return exams.schedule(
        by=teacher,
        quiz=quiz,
        cohort=cohort,
        title="Spring exam",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=2),
        time_limit_minutes=30,
        release="manual",
    )


def test_a_learner_takes_a_timed_exam_and_loses_nothing_on_a_reload(page, live_server, exam):
    from quizzes.models import Attempt

    base = live_server.url
    checked = {}
    log_in(page, base, "resident")
    page.goto(f"{base}/exams/")
    checked["exams"] = serious_violations(page)
    page.click("button:has-text('Start')")
    page.wait_for_url("**/exams/attempts/*/cases/1/")
    assert "Time left" in page.locator(".exam-clock").inner_text()
    # Chosen by keyboard: Tab to the first answer, Space to choose it.
    page.focus("input[name=localization][value=umn]")
    page.keyboard.press("Space")
    page.wait_for_selector("text=Saved at")
    page.click("label[for=certainty-sure]")
    page.wait_for_timeout(300)
    page.check("input[name=site][value=cerebrum]")
    page.wait_for_timeout(500)
    checked["exam case"] = serious_violations(page)
    # A reload mid-way finds every choice.
    page.reload()
    assert page.is_checked("input[name=localization][value=umn]")
    assert page.is_checked("input[name=certainty][value=sure]")
    assert page.is_checked("input[name=site][value=cerebrum]")
    # Flag it, move to another case from the grid, come back.
    page.click("button:has-text('Flag to come back to')")
    page.wait_for_selector("text=Remove the flag")
    assert "flagged" in page.locator("#exam-grid").inner_text()
    page.click("#exam-grid a >> nth=1")
    page.wait_for_url("**/cases/2/")
    page.click("#exam-grid a >> nth=0")
    page.wait_for_url("**/cases/1/")
    assert page.is_checked("input[name=localization][value=umn]")
    # The confirmation lists what is unanswered; then one submission.
    page.click("text=Review and submit")
    page.wait_for_url("**/submit/")
    assert "3 cases not fully answered" in page.locator("main").inner_text()
    checked["submit"] = serious_violations(page)
    page.click("button:has-text('Submit my exam')")
    page.wait_for_url("**/exams/attempts/*/")
    assert "once your program releases them" in page.locator("main").inner_text()
    checked["done"] = serious_violations(page)
    attempt = Attempt.objects.get(user__username="resident")
    assert attempt.ended == "submitted"
    assert attempt.attempt_cases.get(position=1).draft == {
        "localization": "umn",
        "certainty": "sure",
        "site": "cerebrum",
    }
    assert {name: found for name, found in checked.items() if found} == {}


def test_a_save_that_fails_is_said_and_retried_until_it_lands(page, live_server, exam):
    from quizzes.models import Attempt

    base = live_server.url
    log_in(page, base, "resident")
    page.goto(f"{base}/exams/")
    page.click("button:has-text('Start')")
    page.wait_for_url("**/exams/attempts/*/cases/1/")
    # The connection drops for the first save only.
    dropped = []

    def drop_once(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/save/", drop_once)
    page.check("input[name=localization][value=lmn]")
    page.wait_for_selector("text=Retrying")
    page.wait_for_selector("text=Saved at", timeout=15_000)
    assert dropped
    attempt = Attempt.objects.get(user__username="resident")
    assert attempt.attempt_cases.get(position=1).draft == {"localization": "lmn"}


def test_the_instructor_releases_results_and_reads_the_gradebook_and_item_analysis(
    page, live_server, exam
):
    from quizzes import exams
    from quizzes.models import Attempt

    base = live_server.url
    # The resident takes the exam and submits it.
    log_in(page, base, "resident")
    page.goto(f"{base}/exams/")
    page.click("button:has-text('Start')")
    page.wait_for_url("**/exams/attempts/*/cases/1/")
    page.check("input[name=localization][value=umn]")
    page.wait_for_selector("text=Saved at")
    page.goto(f"{base}/exams/attempts/{Attempt.objects.get().pk}/submit/")
    page.click("button:has-text('Submit my exam')")
    page.wait_for_url("**/exams/attempts/*/")
    assert "once your program releases them" in page.locator("main").inner_text()
    # The window closes (moved into the past here); the instructor releases the results,
    # then reads the gradebook and the analysis.
    from datetime import timedelta

    from django.utils import timezone

    type(exam).objects.filter(pk=exam.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1),
        opens_at=timezone.now() - timedelta(hours=1),
    )
    checked = {}
    log_in(page, base, "teacher")
    page.goto(f"{base}/teach/assessments/")
    checked["assessments"] = serious_violations(page)
    page.click("text=Spring exam")
    checked["assessment"] = serious_violations(page)
    page.click("button:has-text('Release results now')")
    page.wait_for_load_state()
    assert exams.results_released(exam.__class__.objects.get(pk=exam.pk))
    page.goto(f"{base}/teach/assessments/{exam.pk}/gradebook/")
    assert "resident" in page.locator("main").inner_text()
    assert "Submitted" in page.locator("main").inner_text()
    checked["gradebook"] = serious_violations(page)
    page.goto(f"{base}/teach/assessments/{exam.pk}/analysis/")
    assert page.locator("svg").count() >= 2
    checked["analysis"] = serious_violations(page)
    # The resident now sees their result, with the explanations.
    log_in(page, base, "resident")
    page.goto(f"{base}/exams/attempts/{Attempt.objects.get().pk}/")
    assert "Your score" in page.locator("main").inner_text()
    checked["result"] = serious_violations(page)
    assert {name: found for name, found in checked.items() if found} == {}
