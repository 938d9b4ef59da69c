"""Every learner page and answer post runs a fixed, small number of queries, whatever the
size of the bank. The numbers are pinned: a change that adds a query must say so here."""

import pytest
from django.urls import reverse

from quizzes.services import start_attempt
from tests.factories import CaseFactory
from tests.quizzes.test_flow import HTMX, answer, case_url, stage_one, stage_two

SIZES = [0, 500]


@pytest.fixture(params=SIZES, ids=["small-bank", "500-more-cases"])
def attempt(request, quiz, learner):
    CaseFactory.create_batch(request.param)
    return start_attempt(user=learner, quiz=quiz)[0]


def answer_first(client, attempt):
    answer(client, attempt, 1)


def commit_first(client, attempt):
    client.post(case_url(attempt, 1), stage_one(attempt.attempt_cases.get(position=1)))


def test_practice_list(learner_client, attempt, django_assert_num_queries):
    # Session, user, the sets, open attempts, last finished attempts with their scores.
    with django_assert_num_queries(5):
        assert learner_client.get(reverse("quizzes:list")).status_code == 200


def test_unanswered_case_page(learner_client, attempt, django_assert_num_queries):
    with django_assert_num_queries(4):
        assert learner_client.get(case_url(attempt, 1)).status_code == 200
    with django_assert_num_queries(4):
        assert learner_client.get(case_url(attempt, 1), **HTMX).status_code == 200


def test_answered_case_page(learner_client, attempt, django_assert_num_queries):
    answer_first(learner_client, attempt)
    with django_assert_num_queries(5):
        assert learner_client.get(case_url(attempt, 1)).status_code == 200


def test_stage_two_case_page(learner_client, attempt, django_assert_num_queries):
    commit_first(learner_client, attempt)
    with django_assert_num_queries(5):
        assert learner_client.get(case_url(attempt, 1)).status_code == 200


def test_stage_one_post_htmx(learner_client, attempt, django_assert_num_queries):
    data = stage_one(attempt.attempt_cases.get(position=1))
    with django_assert_num_queries(9):
        assert learner_client.post(case_url(attempt, 1), data, **HTMX).status_code == 200


def test_stage_one_post_without_javascript(learner_client, attempt, django_assert_num_queries):
    data = stage_one(attempt.attempt_cases.get(position=1))
    with django_assert_num_queries(9):
        assert learner_client.post(case_url(attempt, 1), data).status_code == 302


def test_stage_two_post_htmx(learner_client, attempt, django_assert_num_queries):
    commit_first(learner_client, attempt)
    data = stage_two(attempt.attempt_cases.get(position=1))
    with django_assert_num_queries(9):
        assert learner_client.post(case_url(attempt, 1), data, **HTMX).status_code == 200


def test_stage_two_post_without_javascript(learner_client, attempt, django_assert_num_queries):
    commit_first(learner_client, attempt)
    data = stage_two(attempt.attempt_cases.get(position=1))
    with django_assert_num_queries(9):
        assert learner_client.post(case_url(attempt, 1), data).status_code == 302


def test_answering_the_last_case_adds_only_the_completion(
    learner_client, attempt, django_assert_num_queries
):
    for position in (1, 2):
        answer(learner_client, attempt, position)
    last = attempt.attempt_cases.get(position=3)
    learner_client.post(case_url(attempt, 3), stage_one(last))
    last.refresh_from_db()
    # The junction case asks nothing after stage 1 but its findings.
    data = stage_two(last)
    with django_assert_num_queries(10):
        assert learner_client.post(case_url(attempt, 3), data, **HTMX).status_code == 200


def test_summary_page(learner_client, attempt, django_assert_num_queries):
    for position in (1, 2, 3):
        answer(learner_client, attempt, position)
    with django_assert_num_queries(5):
        assert learner_client.get(reverse("quizzes:summary", args=[attempt.pk])).status_code == 200


def test_dashboard(learner_client, attempt, django_assert_num_queries):
    answer_first(learner_client, attempt)
    with django_assert_num_queries(5):
        assert learner_client.get(reverse("quizzes:dashboard")).status_code == 200


def test_start_runs_a_fixed_number_of_queries(learner_client, quiz, django_assert_num_queries):
    # Not a page: the one post that freezes every case of the attempt, in fixed queries
    # (the case content through the schema's adapter, and the knowledge it cites), and the
    # two that hold back the cases of a running exam.
    with django_assert_num_queries(33):
        learner_client.post(reverse("quizzes:start", args=["basics"]))
