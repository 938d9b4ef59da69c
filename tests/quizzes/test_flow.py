"""The quiz flow: start, answer (HTMX and plain), resume, double submission, summary."""

import re

import pytest
from django.urls import reverse

from quizzes.grading import sign_key
from quizzes.models import Attempt, AttemptCase, Response
from quizzes.services import start_attempt

HTMX = {"HTTP_HX_REQUEST": "true"}


def case_url(attempt, position):
    return reverse("quizzes:case", args=[attempt.pk, position])


STAGE_ONE_FIELDS = ("localization", "certainty", "site")


def stage_one(attempt_case: AttemptCase, **overrides) -> dict:
    """Stage 1 answered right (before the tests): localization, certainty, site."""
    case = attempt_case.content["case"]
    data = {
        "stage": "1",
        "localization": case["answer"],
        "certainty": "fairly_sure",
        "site": case["site"],
    }
    data.update({k: v for k, v in overrides.items() if k in STAGE_ONE_FIELDS})
    return data


def stage_two(attempt_case: AttemptCase, **overrides) -> dict:
    """Stage 2 answered right: the localization after the tests, findings, next step."""
    content = attempt_case.content
    data = {"stage": "2"}
    if content["case"]["investigations_html"]:
        data["revised"] = content["case"]["answer"]
    for f in content["findings"]:
        if f["present"]:
            data[f"finding-{f['code']}"] = sign_key(f["code"])
    if content["next_step"]:
        data["next_step"] = str(
            next(o["id"] for o in content["next_step"]["options"] if o["correct"])
        )
    data.update({k: v for k, v in overrides.items() if k not in STAGE_ONE_FIELDS})
    return data


def answer(client, attempt, position: int, headers=None, **overrides):
    """Answer a case through both stages, right unless overridden; the last response."""
    attempt_case = attempt.attempt_cases.get(position=position)
    url = case_url(attempt, position)
    response = client.post(url, stage_one(attempt_case, **overrides), **(headers or {}))
    attempt_case.refresh_from_db()
    if attempt_case.answered_at is None:
        response = client.post(url, stage_two(attempt_case, **overrides), **(headers or {}))
    return response


@pytest.fixture
def attempt(quiz, learner) -> Attempt:
    return start_attempt(user=learner, quiz=quiz)[0]


def test_practice_sets_are_listed_for_a_learner(learner_client, quiz):
    html = learner_client.get(reverse("quizzes:list")).content.decode()
    assert "The basics" in html
    assert "3 cases" in html
    assert reverse("quizzes:start", args=["basics"]) in html


def test_learner_pages_need_a_log_in(client, attempt):
    for url in (reverse("quizzes:list"), reverse("quizzes:dashboard"), case_url(attempt, 1)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_starting_a_quiz_records_the_cases_in_order_and_opens_the_first(
    learner_client, quiz, learner
):
    response = learner_client.post(reverse("quizzes:start", args=["basics"]))
    attempt = Attempt.objects.get(user=learner)
    assert response.url == reverse("quizzes:resume", args=[attempt.pk])
    assert learner_client.get(response.url).url == case_url(attempt, 1)
    asked = list(attempt.attempt_cases.values_list("position", "case__slug"))
    assert asked == [(1, "capsule"), (2, "als-hand"), (3, "fatigable")]
    assert attempt.attempt_cases.first().content["case"]["title"] == "Sudden weakness of one side"


def test_starting_again_resumes_the_unfinished_attempt(learner_client, attempt):
    response = learner_client.post(reverse("quizzes:start", args=["basics"]))
    assert response.url == reverse("quizzes:resume", args=[attempt.pk])
    assert Attempt.objects.count() == 1


def test_a_get_to_start_starts_nothing_and_leads_to_the_list(learner_client, quiz):
    # After logging in, `next` may point here; only a deliberate post starts an attempt.
    response = learner_client.get(reverse("quizzes:start", args=["basics"]))
    assert response.url == reverse("quizzes:list")
    assert not Attempt.objects.exists()


def test_stage_one_shows_the_presentation_and_asks_for_a_commitment_and_nothing_later(
    learner_client, attempt
):
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert "Sudden <strong>right</strong> arm and leg weakness." in html
    assert 'name="localization"' in html and 'name="certainty"' in html
    assert "Where is the lesion?" in html and 'name="site" value="cerebrum"' in html
    assert 'name="stage" value="1"' in html
    # Nothing of stage 2 reaches the browser: no investigations, no findings list, no
    # next step; and nothing of the results.
    assert "SECRET-INVESTIGATIONS" not in html and "Investigations" not in html
    assert 'name="finding-' not in html and 'name="revised"' not in html
    assert "What is the best first imaging?" not in html and 'name="next_step"' not in html
    for secret in (
        "SECRET-TEACHING",
        "SECRET-RATIONALE",
        "Correct:",
        "verdict",
        "References",
        "data-correct",
        "is_correct",
    ):
        assert secret not in html, secret


def test_stage_two_shows_the_investigations_and_asks_the_rest_but_never_the_key(
    learner_client, attempt
):
    first = attempt.attempt_cases.get(position=1)
    response = learner_client.post(case_url(attempt, 1), stage_one(first), **HTMX)
    html = response.content.decode()
    assert "SECRET-INVESTIGATIONS MRI shows a <em>left</em> capsular infarct." in html
    assert 'name="stage" value="2"' in html
    assert "Your commitment before the tests" in html
    assert "Upper motor neuron · Cerebral hemispheres or thalamus · Fairly sure" in html
    # The localization after the tests starts from the committed one.
    assert 'name="revised" value="umn" required checked data-default' in html
    assert 'name="finding-spasticity"' in html
    assert 'name="finding-fasciculations"' not in html  # absent findings are not asked
    assert "What is the best first imaging?" in html
    for secret in ("SECRET-TEACHING", "SECRET-RATIONALE", "Correct:", "References", "verdict"):
        assert secret not in html, secret
    # Recorded at once, graded, never shown yet.
    assert sorted(Response.objects.values_list("item", flat=True)) == ["localization", "site"]
    assert learner_client.get(case_url(attempt, 1)).content.decode().count("SECRET-TEACHING") == 0


def test_the_htmx_partial_for_an_unanswered_case_has_no_key_either(learner_client, attempt):
    html = learner_client.get(case_url(attempt, 1), **HTMX).content.decode()
    assert "<html" not in html
    assert 'id="quiz-region"' in html
    assert "SECRET" not in html


def test_an_htmx_answer_swaps_in_verdicts_explanation_and_next_button(learner_client, attempt):
    first = attempt.attempt_cases.get(position=1)
    response = answer(learner_client, attempt, 1, HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and '<div id="quiz-region">' in html
    assert html.lstrip().startswith("<title>Case 1 of 3: Sudden weakness of one side")
    assert "Correct: Upper motor neuron." in html
    assert "2 of 2 findings classified right." in html
    assert "SECRET-TEACHING" in html and "SECRET-RATIONALE-A" in html
    assert 'href="#ref-' in html and "[1] Motor Neuron Disease Diagnosis and Management" in html
    assert "Correct: Cerebral hemispheres or thalamus." in html
    assert "After the tests: right, upper motor neuron." in html
    assert f'hx-get="{case_url(attempt, 2)}"' in html and f'href="{case_url(attempt, 2)}"' in html
    items = Response.objects.filter(attempt_case=first).values_list("item", flat=True)
    assert sorted(items) == ["findings", "localization", "next_step", "revised", "site"]


def test_results_open_with_verdicts_why_and_the_key_point_the_detail_folded(
    learner_client, attempt
):
    answer(
        learner_client,
        attempt,
        1,
        HTMX,
        localization="lmn",
        site="nerve",
        **{"finding-spasticity": "lmn"},
    )
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    # Every item's detail is one click away, right or wrong.
    assert re.findall(r'<details class="explanation-details"( open)?>', html) == [""] * 5
    # Under a wrong localization, the first reason it does not fit, outside the fold.
    why = html.split('<p class="why mb-2">')[1].split("</p>")[0]
    assert why.startswith("Findings that count as upper motor neuron signs are present: spasticity")
    # Under a wrong site, what places the lesion at the right one.
    site_why = html.split('<p class="why mb-2">')[2].split("</p>")[0]
    assert site_why.startswith("Beyond this guideline: weakness or sensory loss of one side")
    # Then the case's key teaching point, with its citations.
    key = html.split('id="key-point-heading">Key point</h3>')[1].split("</section>")[0]
    assert "SECRET-TEACHING a capsular lesion is a UMN lesion." in key
    assert 'href="#ref-' in key


def test_without_javascript_an_answer_posts_and_redirects_to_the_reviewed_case(
    learner_client, attempt
):
    first = attempt.attempt_cases.get(position=1)
    response = learner_client.post(case_url(attempt, 1), stage_one(first, localization="lmn"))
    assert response.status_code == 302 and response.url == case_url(attempt, 1)
    stage_two_page = learner_client.get(response.url).content.decode()
    assert (
        'name="finding-spasticity"' in stage_two_page and "SECRET-INVESTIGATIONS" in stage_two_page
    )
    first.refresh_from_db()
    response = learner_client.post(case_url(attempt, 1), stage_two(first, revised="lmn"))
    assert response.status_code == 302 and response.url == case_url(attempt, 1)
    html = learner_client.get(response.url).content.decode()
    assert "Not quite. You chose lower motor neuron; the answer is upper motor neuron." in html
    assert "Findings that count as upper motor neuron signs are present" in html
    assert 'href="/attempts/' in html and "Next case" in html


def test_a_missing_answer_gets_a_clear_message_and_records_nothing(learner_client, attempt):
    first = attempt.attempt_cases.get(position=1)
    data = stage_one(first)
    del data["site"]
    response = learner_client.post(case_url(attempt, 1), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Some answers are missing or not valid." in html
    assert "Choose the site of the lesion." in html
    assert 'value="umn" required checked' in html  # what was chosen is kept
    assert Response.objects.count() == 0
    htmx = learner_client.post(case_url(attempt, 1), {"stage": "1"}, **HTMX).content.decode()
    assert "Choose where the lesion is" in htmx and "Say how sure you are" in htmx
    assert Response.objects.count() == 0
    learner_client.post(case_url(attempt, 1), stage_one(first))
    first.refresh_from_db()
    data = stage_two(first)
    del data["finding-spasticity"]
    html = learner_client.post(case_url(attempt, 1), data).content.decode()
    assert "Classify this finding." in html
    htmx = learner_client.post(case_url(attempt, 1), {"stage": "2"}, **HTMX).content.decode()
    assert "Choose the best next step." in htmx
    assert "Choose your localization after the tests" in htmx
    assert Response.objects.count() == 2  # stage 1 only


def test_a_forged_value_is_refused(learner_client, attempt):
    first = attempt.attempt_cases.get(position=1)
    data = stage_one(first, localization="brain", site="liver")
    response = learner_client.post(case_url(attempt, 1), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose one of the four answers." in html
    assert "Choose one of the sites listed." in html
    assert Response.objects.count() == 0
    learner_client.post(case_url(attempt, 1), stage_one(first))
    first.refresh_from_db()
    data = stage_two(first, next_step="999999", revised="spine")
    html = learner_client.post(case_url(attempt, 1), data).content.decode()
    assert "Choose one of the options listed." in html
    assert "Choose one of the four answers." in html
    assert Response.objects.count() == 2


def test_an_answer_posted_twice_is_refused_not_silently_overridden(learner_client, attempt):
    data = stage_one(attempt.attempt_cases.get(position=1))
    data["localization"] = ["umn", "lmn"]
    response = learner_client.post(case_url(attempt, 1), data)
    assert response.status_code == 422
    assert "Choose one of the four answers." in response.content.decode()
    assert Response.objects.count() == 0


def test_the_same_choice_sent_twice_counts_once(learner_client, attempt):
    data = stage_one(attempt.attempt_cases.get(position=1))
    data["localization"] = [data["localization"], data["localization"]]
    learner_client.post(case_url(attempt, 1), data)
    assert Response.objects.get(item="localization").given == "umn"


def test_a_finding_the_case_does_not_ask_about_is_refused(learner_client, attempt):
    first = attempt.attempt_cases.get(position=1)
    learner_client.post(case_url(attempt, 1), stage_one(first))
    first.refresh_from_db()
    data = stage_two(first)
    data["finding-not_a_code"] = "umn"
    response = learner_client.post(case_url(attempt, 1), data, **HTMX)
    assert "The form named a finding this case does not ask about." in (response.content.decode())
    assert Response.objects.count() == 2


def test_resubmitting_an_answered_case_changes_nothing(learner_client, attempt):
    first = attempt.attempt_cases.get(position=1)
    learner_client.post(case_url(attempt, 1), stage_one(first))
    committed = list(Response.objects.values_list("pk", "given", "score"))
    # A second tab still showing stage 1 posts it again: refused, stage 2 shown.
    again = learner_client.post(
        case_url(attempt, 1), stage_one(first, localization="other"), **HTMX
    ).content.decode()
    assert "your first answers stand" in again and 'name="stage" value="2"' in again
    assert list(Response.objects.values_list("pk", "given", "score")) == committed
    answer(learner_client, attempt, 1)
    before = list(Response.objects.values_list("pk", "given", "score"))
    for data in (stage_one(first, localization="other"), stage_two(first, revised="other")):
        again = learner_client.post(case_url(attempt, 1), data, **HTMX)
        assert "your first answers stand" in again.content.decode()
        plain = learner_client.post(case_url(attempt, 1), data)
        assert plain.status_code == 302
    assert list(Response.objects.values_list("pk", "given", "score")) == before


def test_the_database_allows_one_response_per_item(attempt):
    from django.db import IntegrityError, transaction

    first = attempt.attempt_cases.get(position=1)
    Response.objects.create(
        attempt_case=first, item="localization", given="umn", key="umn", score=1, explanation={}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            attempt_case=first, item="localization", given="lmn", key="umn", score=0, explanation={}
        )


def test_a_later_case_waits_for_the_current_one(learner_client, attempt):
    assert learner_client.get(case_url(attempt, 3)).url == case_url(attempt, 1)
    second = attempt.attempt_cases.get(position=2)
    response = learner_client.post(case_url(attempt, 2), stage_one(second))
    assert response.url == case_url(attempt, 1)
    assert Response.objects.count() == 0


def test_leaving_and_coming_back_resumes_where_the_learner_stopped(learner_client, attempt):
    learner_client.post(case_url(attempt, 1), stage_one(attempt.attempt_cases.get(position=1)))
    # Committed to stage 1 only: coming back resumes at stage 2 of the same case.
    assert learner_client.get(reverse("quizzes:resume", args=[attempt.pk])).url == case_url(
        attempt, 1
    )
    assert 'name="stage" value="2"' in learner_client.get(case_url(attempt, 1)).content.decode()
    answer(learner_client, attempt, 1)
    assert learner_client.get(reverse("quizzes:resume", args=[attempt.pk])).url == case_url(
        attempt, 2
    )
    html = learner_client.get(reverse("quizzes:list")).content.decode()
    assert reverse("quizzes:resume", args=[attempt.pk]) in html
    assert "<strong>In progress:</strong> 1 of 3 cases answered" in html


def test_an_answered_case_can_be_revisited_for_review(learner_client, attempt):
    answer(learner_client, attempt, 1)
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    # The answer forms are gone; only the form to report a problem remains.
    assert "Your results" in html and 'name="stage"' not in html


def test_the_last_case_completes_the_attempt_and_leads_to_the_summary(learner_client, attempt):
    for position in (1, 2, 3):
        response = answer(learner_client, attempt, position, HTMX)
    assert "See your summary" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_complete
    html = learner_client.get(reverse("quizzes:summary", args=[attempt.pk])).content.decode()
    assert "The basics: summary" in html
    assert html.count("Your answer: <strong>") == 3
    assert "Localization" in html and "Findings" in html and "Next step" in html
    assert "SECRET-TEACHING" in html


def test_summary_scores_each_item_type_honestly_and_shows_each_stage(learner_client, attempt):
    answers = {
        1: {"localization": "lmn", "site": "nerve"},
        2: {"finding-muscle_atrophy": "umn"},
        3: {},
    }
    for position, override in answers.items():
        answer(learner_client, attempt, position, **override)
    response = learner_client.get(reverse("quizzes:summary", args=[attempt.pk]))
    scores = response.context["scores"]
    assert list(scores) == ["localization", "site", "revised", "findings", "next_step"]
    assert (scores["localization"].right, scores["localization"].total) == (2, 3)
    # Findings are counted one by one: 2 + 2 of 3 + 1 = 5 of 6, not "2.7 of 3 cases".
    assert (scores["findings"].right, scores["findings"].total) == (5, 6)
    html = response.content.decode()
    assert "66.7%" in html and "2 of 3 cases right" in html
    assert "83.3%" in html and "5 of 6 findings right" in html
    assert "1 of 1 question right" in html
    # Each case lists every item's verdict, stage 1 and stage 2.
    assert "Localized wrongly before the tests" in html
    assert "✗</span> Site of the lesion</span> · Not quite. You chose Peripheral nerve" in html
    assert "✓</span> Localization after the tests</span> · After the tests: right" in html
    assert "◐</span> Findings</span> · 2 of 3 findings classified right." in html
    assert "✓</span> Next step</span> · Correct:" in html


def test_a_finished_set_shows_its_last_score_and_review_and_a_retake_comes_reshuffled(
    learner_client, attempt, learner, quiz
):
    for position in (1, 2, 3):
        answer(learner_client, attempt, position, localization="umn")
    html = learner_client.get(reverse("quizzes:list")).content.decode()
    summary = reverse("quizzes:summary", args=[attempt.pk])
    assert "<strong>Last score:</strong> 1 of 3 localized right" in html
    assert f'href="{summary}">Review it' in html and "Start again" in html
    dashboard = learner_client.get(reverse("quizzes:dashboard")).content.decode()
    assert "1 of 3 localized right" in dashboard
    before = list(attempt.attempt_cases.values_list("case_id", flat=True))
    for _ in range(3):
        learner_client.post(reverse("quizzes:start", args=["basics"]))
        again = Attempt.objects.filter(user=learner, completed_at__isnull=True).get()
        order = list(again.attempt_cases.values_list("case_id", flat=True))
        assert sorted(order) == sorted(before) and order != before
        again.delete()


def test_the_summary_waits_for_the_attempt_to_finish(learner_client, attempt):
    response = learner_client.get(reverse("quizzes:summary", args=[attempt.pk]))
    assert response.url == reverse("quizzes:resume", args=[attempt.pk])


def test_history_restore_gets_the_whole_page(learner_client, attempt):
    html = learner_client.get(
        case_url(attempt, 1), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()
    assert "<html" in html


def test_case_responses_vary_on_the_htmx_header(learner_client, attempt):
    assert "HX-Request" in learner_client.get(case_url(attempt, 1))["Vary"]


def test_an_htmx_navigation_pushes_the_case_url(learner_client, attempt):
    response = learner_client.get(case_url(attempt, 1), **HTMX)
    assert response["HX-Push-Url"] == case_url(attempt, 1)


def test_a_case_edited_after_the_start_is_graded_as_it_was_shown(learner_client, attempt, bank):
    stroke = bank[0]
    stroke.answer = "lmn"
    stroke.save()
    ac = attempt.attempt_cases.get(position=1)
    answer(learner_client, attempt, 1, localization="umn")
    assert Response.objects.get(attempt_case=ac, item="localization").score == 1.0


# Access -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["quizzes:resume", "quizzes:summary"])
def test_no_one_sees_another_learners_attempt(outsider_client, attempt, name):
    assert outsider_client.get(reverse(name, args=[attempt.pk])).status_code == 404


def test_no_one_can_view_or_answer_another_learners_case(outsider_client, attempt):
    assert outsider_client.get(case_url(attempt, 1)).status_code == 404
    data = stage_one(attempt.attempt_cases.get(position=1))
    assert outsider_client.post(case_url(attempt, 1), data).status_code == 404
    assert outsider_client.post(case_url(attempt, 1), data, **HTMX).status_code == 404
    assert Response.objects.count() == 0


def test_another_learners_attempts_are_not_on_my_dashboard(
    outsider_client, learner_client, attempt
):
    answer(learner_client, attempt, 1)
    learner_client.logout()
    outsider_client.login(username="outsider", password="correct-horse-battery")
    html = outsider_client.get(reverse("quizzes:dashboard")).content.decode()
    assert "No attempts yet." in html


def test_an_expired_session_on_an_htmx_post_redirects_the_whole_page_to_log_in(client, attempt):
    response = client.post(
        case_url(attempt, 1),
        {},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{case_url(attempt, 1)}",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={case_url(attempt, 1)}"
    assert Response.objects.count() == 0


def test_an_htmx_swap_carries_the_new_title_and_focuses_the_case(learner_client, attempt):
    html = learner_client.get(case_url(attempt, 2), **HTMX).content.decode()
    answer(learner_client, attempt, 1)
    html = learner_client.get(case_url(attempt, 2), **HTMX).content.decode()
    assert "<title>Case 2 of 3 · NeuroLocalize</title>" in html
    assert 'id="case-title" tabindex="-1" autofocus' in html
    full = learner_client.get(case_url(attempt, 2)).content.decode()
    assert full.count("<title>") == 1


def test_messages_show_once_on_a_full_page(learner_client, attempt):
    learner_client.post(reverse("quizzes:start", args=["basics"]))
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert html.count("Welcome back") == 1


def test_history_restore_has_one_title_and_varies_on_its_header(learner_client, attempt):
    response = learner_client.get(
        case_url(attempt, 1), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert response.content.decode().count("<title>") == 1
    assert "HX-History-Restore-Request" in response["Vary"]


def test_a_racing_second_htmx_submit_shows_the_recorded_results(learner_client, attempt):
    from quizzes.grading import STAGE_ONE, Answers
    from quizzes.views import learner as views

    first = attempt.attempt_cases.get(position=1)
    data = stage_one(first)
    # The other tab commits between this request's read and its write.
    real = views.STAGE_SERVICES[STAGE_ONE]

    def other_tab_first(*, attempt_case, answers):
        real(
            attempt_case=AttemptCase.objects.get(pk=attempt_case.pk),
            answers=Answers("other", site="nmj", certainty="sure"),
        )
        return real(attempt_case=attempt_case, answers=answers)

    views.STAGE_SERVICES[STAGE_ONE] = other_tab_first
    try:
        html = learner_client.post(case_url(attempt, 1), data, **HTMX).content.decode()
    finally:
        views.STAGE_SERVICES[STAGE_ONE] = real
    # The other tab's commitment stands, and this tab moves on to stage 2 with it.
    assert "your first answers stand" in html and 'name="stage" value="2"' in html
    assert "Neither: no upper or lower motor neuron lesion · Neuromuscular junction · Sure" in html
    assert Response.objects.get(attempt_case=first, item="localization").given == "other"


def test_a_finding_in_two_regions_is_asked_once_naming_both(learner_client, quiz, learner):
    from cases.models import CaseFinding, Finding

    als = quiz.cases.get(slug="als-hand")
    CaseFinding.objects.create(
        case=als, finding=Finding.objects.get(code="fasciculations"), region="bulbar"
    )
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    answer(learner_client, attempt, 1)
    learner_client.post(case_url(attempt, 2), stage_one(attempt.attempt_cases.get(position=2)))
    html = learner_client.get(case_url(attempt, 2)).content.decode()
    assert html.count('name="finding-fasciculations" id="finding-fasciculations-lmn"') == 1
    assert "(bulbar; left, upper limb)" in html


def test_the_investigations_show_apart_from_the_presentation_and_sanitized(
    learner_client, quiz, learner
):
    from cases.models import Case

    Case.objects.filter(slug="capsule").update(
        investigations="MRI: a small **infarct**.<script>alert(1)</script>"
    )
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    assert "a small" not in learner_client.get(case_url(attempt, 1)).content.decode()
    learner_client.post(case_url(attempt, 1), stage_one(attempt.attempt_cases.get(position=1)))
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert 'id="investigations-heading" tabindex="-1">Investigations</h2>' in html
    assert "MRI: a small <strong>infarct</strong>." in html
    assert "<script>alert(1)" not in html
    assert html.index("Sudden <strong>right</strong>") < html.index("investigations-heading")
    # A case with no results of tests has no such section.
    als = attempt.attempt_cases.get(position=2).content["case"]
    assert als["investigations_html"] == ""


def test_certainty_is_asked_with_the_localization_and_a_missing_one_records_nothing(
    learner_client, attempt
):
    ac = attempt.attempt_cases.get(position=1)
    data = stage_one(ac)
    del data["certainty"]
    response = learner_client.post(case_url(attempt, 1), data)
    assert response.status_code == 422
    assert "Say how sure you are of where the lesion is." in response.content.decode()
    forged = learner_client.post(case_url(attempt, 1), stage_one(ac, certainty="certain"))
    assert "Choose sure, fairly sure or guessing." in forged.content.decode()
    assert not Response.objects.exists()


def test_certainty_never_changes_a_score_but_a_confident_miss_is_said_plainly(
    learner_client, attempt
):
    ac = attempt.attempt_cases.get(position=1)
    answer(learner_client, attempt, 1, localization="lmn", certainty="sure")
    response = Response.objects.get(attempt_case=ac, item="localization")
    assert (response.score, response.certainty) == (0.0, "sure")
    kinds = [p["kind"] for p in response.explanation["points"]]
    assert kinds[:2] == ["verdict", "calibration"]
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert "You were sure of this answer, and it was wrong" in html
    ac2 = attempt.attempt_cases.get(position=2)
    answer(learner_client, attempt, 2, certainty="guessing")
    right = Response.objects.get(attempt_case=ac2, item="localization")
    assert right.score == 1.0
    assert "calibration" not in [p["kind"] for p in right.explanation["points"]]


def test_the_dashboard_shows_calibration_and_the_confident_misses_to_revisit(
    learner_client, attempt
):
    first, second = attempt.attempt_cases.get(position=1), attempt.attempt_cases.get(position=2)
    answer(learner_client, attempt, 1, localization="lmn", certainty="sure")
    answer(learner_client, attempt, 2, certainty="sure")
    response = learner_client.get(reverse("quizzes:dashboard"))
    calibration = response.context["progress"].calibration
    assert (calibration["sure"].right, calibration["sure"].total) == (1, 2)
    assert calibration["guessing"].total == 0
    html = response.content.decode()
    assert "Sure, but wrong: worth another look" in html
    assert f'href="{case_url(attempt, 1)}">{first.content["case"]["title"]}</a>' in html
    assert second.content["case"]["title"] not in html.split("worth another look")[1]


def test_a_case_keeps_its_title_until_it_is_answered(learner_client, attempt):
    first = attempt.attempt_cases.get(position=1)
    for headers in ({}, HTMX):
        html = learner_client.get(case_url(attempt, 1), **headers).content.decode()
        assert "Sudden weakness of one side" not in html  # the title could give it away
        assert ">Case 1 of 3</h1>" in html
    learner_client.post(case_url(attempt, 1), stage_one(first))
    assert (
        "Sudden weakness of one side"
        not in learner_client.get(case_url(attempt, 1)).content.decode()
    )
    answer(learner_client, attempt, 1)
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert "<title>Case 1 of 3: Sudden weakness of one side · NeuroLocalize</title>" in html
    assert ">Sudden weakness of one side</h1>" in html


def test_a_post_without_a_stage_is_read_as_the_current_stage_and_keeps_its_choices(
    learner_client, attempt
):
    """A page from before stages posts every item at once and no stage: nothing is lost,
    and what stage 1 lacks (the site) is asked for."""
    first = attempt.attempt_cases.get(position=1)
    old_page = {**stage_one(first), **stage_two(first)}
    del old_page["stage"], old_page["site"]
    response = learner_client.post(case_url(attempt, 1), old_page)
    html = response.content.decode()
    assert response.status_code == 422 and "Choose the site of the lesion." in html
    assert 'name="localization" value="umn" required checked' in html
    assert not Response.objects.exists()


def test_a_snapshot_from_before_site_lessons_asks_no_site_and_numbers_the_items_in_order(
    learner_client, attempt
):
    first = attempt.attempt_cases.get(position=1)
    first.content["lessons"] = [x for x in first.content["lessons"] if x["trigger"] != "site"]
    first.save()
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert 'name="site"' not in html and "<legend>1. Is the lesion" in html
    learner_client.post(case_url(attempt, 1), {**stage_one(first), "site": ""})
    first.refresh_from_db()
    html = learner_client.get(case_url(attempt, 1)).content.decode()
    assert "<legend>2. After the tests" in html and "<legend>3. Classify each finding" in html
    answer(learner_client, attempt, 1)
    items = Response.objects.filter(attempt_case=first).values_list("item", flat=True)
    assert sorted(items) == ["findings", "localization", "next_step", "revised"]


def test_the_database_refuses_an_answered_case_that_was_never_committed(attempt):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    first = attempt.attempt_cases.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttemptCase.objects.filter(pk=first.pk).update(answered_at=timezone.now())
