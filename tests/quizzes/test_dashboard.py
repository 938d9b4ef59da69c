"""The learner's dashboard: accuracy by answer and by finding, recent attempts, weakest signs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.selectors import learner_progress
from quizzes.services import start_attempt
from tests.quizzes.test_flow import answer


@pytest.fixture
def answered(learner_client, quiz, learner):
    """Case 1 (UMN) localized wrong with spasticity misread; case 2 (mixed) all right."""
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    answer(learner_client, attempt, 1, localization="lmn", **{"finding-spasticity": "lmn"})
    answer(learner_client, attempt, 2)
    return attempt


def test_accuracy_by_answer_counts_each_localization_under_its_key(answered, learner):
    progress = learner_progress(user=learner)
    assert (progress.by_answer["umn"].right, progress.by_answer["umn"].total) == (0, 1)
    assert (progress.by_answer["mixed"].right, progress.by_answer["mixed"].total) == (1, 1)
    assert progress.by_answer["other"].total == 0


def test_accuracy_by_finding_and_the_weakest_sign(answered, learner):
    progress = learner_progress(user=learner)
    assert (progress.by_finding["spasticity"].right, progress.by_finding["spasticity"].total) == (
        0,
        1,
    )
    assert progress.by_finding["hyperreflexia"].percent == 100
    assert progress.weakest == ["spasticity"]
    assert progress.names["spasticity"].startswith("Spasticity")


def test_findings_are_listed_weakest_first_with_more_misses_before_fewer(learner):
    from quizzes.models import AttemptCase, Response

    attempt = Attempt.objects.create(user=learner, title="Made up", case_count=2)
    answered = [
        ({"clonus": "umn", "fasciculations": "lmn"}, {"clonus": "lmn", "fasciculations": "umn"}),
        (
            {"fasciculations": "lmn", "sensory_loss": "neither"},
            {"fasciculations": "umn", "sensory_loss": "neither"},
        ),
    ]
    for position, (key, given) in enumerate(answered, start=1):
        now = timezone.now()
        ac = AttemptCase.objects.create(
            attempt=attempt, position=position, content={}, committed_at=now, answered_at=now
        )
        Response.objects.create(
            attempt_case=ac, item="findings", given=given, key=key, score=0, explanation={}
        )
    progress = learner_progress(user=learner)
    # Fasciculations (missed twice) before clonus (missed once); sensory loss, right, last.
    assert list(progress.by_finding) == ["fasciculations", "clonus", "sensory_loss"]
    assert progress.weakest == ["fasciculations", "clonus"]


def test_the_dashboard_shows_progress_and_recent_attempts_with_links(learner_client, answered):
    html = learner_client.get(reverse("quizzes:dashboard")).content.decode()
    assert "Upper motor neuron" in html and "0% <span" in html
    assert "Practise these signs" in html
    assert reverse("quizzes:resume", args=[answered.pk]) in html  # unfinished: resume


def test_practise_my_weakest_signs_draws_cases_carrying_them(learner_client, answered, learner):
    response = learner_client.post(reverse("quizzes:start_weakest"))
    attempt = Attempt.objects.filter(user=learner, quiz__isnull=True).get()
    assert response.url == reverse("quizzes:resume", args=[attempt.pk])
    assert attempt.title == "My weakest signs"
    for attempt_case in attempt.attempt_cases.all():
        codes = {f["code"] for f in attempt_case.content["findings"] if f["present"]}
        assert "spasticity" in codes


def test_weakest_signs_needs_some_history_first(learner_client, learner, quiz):
    response = learner_client.post(reverse("quizzes:start_weakest"))
    assert response.url == reverse("quizzes:dashboard")
    assert not Attempt.objects.exists()


def test_a_completed_attempt_is_listed_for_review(learner_client, learner, quiz):
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    for position in (1, 2, 3):
        answer(learner_client, attempt, position)
    html = learner_client.get(reverse("quizzes:dashboard")).content.decode()
    assert reverse("quizzes:summary", args=[attempt.pk]) in html


def test_a_get_to_weakest_signs_starts_nothing_and_leads_to_the_dashboard(learner_client, answered):
    response = learner_client.get(reverse("quizzes:start_weakest"))
    assert response.url == reverse("quizzes:dashboard")
    assert not Attempt.objects.filter(quiz__isnull=True).exists()


def test_a_stage_one_answer_shows_nothing_on_the_progress_page_until_the_case_is_answered(
    learner_client, quiz, learner
):
    """Committed but unanswered: neither the tallies nor the confident misses may say
    whether the localization was right, or the learner could check before stage 2."""
    from tests.quizzes.test_flow import case_url, stage_one

    attempt = start_attempt(user=learner, quiz=quiz)[0]
    first = attempt.attempt_cases.get(position=1)
    learner_client.post(
        case_url(attempt, 1), stage_one(first, localization="lmn", certainty="sure")
    )
    response = learner_client.get(reverse("quizzes:dashboard"))
    progress = response.context["progress"]
    assert all(t.total == 0 for t in progress.by_answer.values())
    assert all(t.total == 0 for t in progress.calibration.values())
    assert progress.confident_misses == []
    assert first.content["case"]["title"] not in response.content.decode()


def test_the_progress_page_shows_each_step_of_a_case(learner_client, answered, learner):
    from quizzes.models import Response

    progress = learner_progress(user=learner)
    # Case 1 wrong before the tests, case 2 right; both sites right; the stroke case's
    # localization after the tests kept (and so wrong).
    assert (progress.by_step["localization"].right, progress.by_step["localization"].total) == (
        1,
        2,
    )
    assert progress.by_step["site"].total == 2
    revised = Response.objects.filter(item="revised").count()
    assert progress.by_step["revised"].total == revised == 1
    html = learner_client.get(reverse("quizzes:dashboard")).content.decode()
    assert "Each step of a case" in html and "Localization after the tests" in html
