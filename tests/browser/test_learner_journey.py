"""A new learner's whole journey, in a real browser, with and without JavaScript."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from quizzes.grading import content_items, sign_key
from quizzes.models import Attempt, ProblemReport, Response

pytestmark = pytest.mark.browser


def sign_up(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.click("text=Sign up free")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.org")
    page.fill("#id_password1", "a-Long-passphrase-42")
    page.fill("#id_password2", "a-Long-passphrase-42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/practice/")


def current_content(page, username: str) -> dict:
    """The recorded content of the case on the page (what the learner is asked)."""
    attempt = Attempt.objects.filter(user__username=username).latest("started_at")
    position = int(page.url.rstrip("/").split("/")[-1])
    return attempt.attempt_cases.get(position=position).content


def commit_stage_one(page, content: dict, *, right: bool = True) -> None:
    case = content["case"]
    page.check(f"input[name=localization][value={case['answer'] if right else 'other'}]")
    page.click("label[for=certainty-fairly_sure]")
    wrong_site = "muscle" if case["site"] != "muscle" else "nerve"
    page.check(f"input[name=site][value={case['site'] if right else wrong_site}]")
    page.click("#quiz-region form button[type=submit]")


def answer_stage_two(page, content: dict) -> None:
    page.wait_for_selector("input[name=stage][value='2']", state="attached")
    for finding in content["findings"]:
        if finding["present"]:
            page.click(f"label[for=finding-{finding['code']}-{sign_key(finding['code'])}]")
    if content["next_step"]:
        best = next(o for o in content["next_step"]["options"] if o["correct"])
        page.check(f"input[name=next_step][value='{best['id']}']")
    page.click("#quiz-region form button[type=submit]")


def answer_current_case(page, username: str, *, right: bool = True) -> None:
    """Both stages, from the recorded content; the localization after the tests is kept."""
    content = current_content(page, username)
    commit_stage_one(page, content, right=right)
    answer_stage_two(page, content)


def items_asked(username: str) -> int:
    """How many items the learner's latest attempt asks, over both stages."""
    attempt = Attempt.objects.filter(user__username=username).latest("started_at")
    return sum(len(content_items(ac.grading_content)) for ac in attempt.attempt_cases.all())


def wait_for_focus(page, element_id: str, timeout: float = 5.0) -> None:
    """Wait until the element has focus. (Playwright's wait_for_function would compile its
    predicate with eval inside the page, which the app's CSP rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while page.evaluate("document.activeElement && document.activeElement.id") != element_id:
        assert time.monotonic() < deadline, f"#{element_id} never received focus"
        page.wait_for_timeout(25)


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_new_learner_takes_a_set_through_htmx_and_sees_the_dashboard(
    page, live_server, three_case_set
):
    base = live_server.url
    sign_up(page, base, "newcomer")
    page.click("text=Practice")
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    # A marker that survives only if no full page load happens from here on.
    page.evaluate("window.__stillTheSamePage = true")

    answer_current_case(page, "newcomer", right=False)
    page.wait_for_selector("#results-heading")
    verdict = page.locator(".verdict").first.inner_text()
    assert "Not quite" in verdict and "the answer is upper motor neuron" in verdict
    # The detail is folded; opened, a point's citation resolves to a listed reference.
    page.locator("details.explanation-details summary").first.click()
    citation = page.locator(".explanation .cite a").first
    target = citation.get_attribute("href")
    assert page.locator(target).inner_text().startswith("[")
    assert (
        "Motor Neuron Disease Diagnosis and Management"
        in page.locator(".references").first.inner_text()
    )

    page.click("text=Next case")
    page.wait_for_url(f"{base}/attempts/*/cases/2/")
    # The swap carries the new page title; an unanswered case does not show its own.
    assert page.title() == "Case 2 of 3 · NeuroLocalize"
    wait_for_focus(page, "case-title")
    assert page.locator("#quiz-region").count() == 1
    answer_current_case(page, "newcomer")
    page.wait_for_selector("#results-heading")
    assert page.locator(".verdict").first.inner_text().endswith("Correct: Lower motor neuron.")
    page.click("text=Next case")
    page.wait_for_url(f"{base}/attempts/*/cases/3/")
    answer_current_case(page, "newcomer")
    page.wait_for_selector("text=See your summary")
    page.click("text=See your summary")
    page.wait_for_url(f"{base}/attempts/*/summary/")
    assert page.evaluate("window.__stillTheSamePage") is True, "a full page load happened"
    assert page.locator("h1").inner_text() == "Three cases: summary"

    page.click("text=See my progress")
    page.wait_for_url(f"{base}/dashboard/")
    table = page.locator("#by-answer").locator("xpath=..").inner_text()
    assert "Upper motor neuron\t0%" in table and "Lower motor neuron\t100%" in table
    asked = items_asked("newcomer")
    assert (
        Response.objects.filter(attempt_case__attempt__user__username="newcomer").count() == asked
    )


def test_the_same_set_works_with_javascript_disabled(nojs_page, live_server, three_case_set):
    page, base = nojs_page, live_server.url
    sign_up(page, base, "nojs")
    page.goto(f"{base}/practice/")
    page.click("text=Start Three cases")
    for position in (1, 2, 3):
        page.wait_for_url(f"{base}/attempts/*/cases/{position}/")
        answer_current_case(page, "nojs")
        page.wait_for_selector("#results-heading")
        assert "Correct:" in page.locator(".verdict").first.inner_text()
        # Reloading the reviewed case re-posts nothing: the page was reached by redirect.
        page.reload()
        page.wait_for_selector("#results-heading")
        page.click("text=See your summary" if position == 3 else "text=Next case")
    page.wait_for_url(f"{base}/attempts/*/summary/")
    assert "Three cases: summary" in page.locator("h1").inner_text()
    asked = items_asked("nojs")
    assert Response.objects.filter(attempt_case__attempt__user__username="nojs").count() == asked
    page.click("text=See my progress")
    assert "100%" in page.locator("#by-answer").locator("xpath=..").inner_text()


def test_back_and_forward_do_the_sensible_thing(page, live_server, three_case_set):
    base = live_server.url
    sign_up(page, base, "historian")
    page.goto(f"{base}/practice/")
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    answer_current_case(page, "historian")
    page.wait_for_selector("#results-heading")
    page.click("text=Next case")
    page.wait_for_url(f"{base}/attempts/*/cases/2/")
    page.go_back()
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    page.wait_for_selector("#results-heading")  # case 1 shows its review, not a fresh form
    page.go_forward()
    page.wait_for_url(f"{base}/attempts/*/cases/2/")
    page.wait_for_selector("text=Where is the lesion?")
    first = Attempt.objects.get(user__username="historian").attempt_cases.get(position=1)
    answered = Response.objects.filter(attempt_case__attempt__user__username="historian").count()
    assert answered == len(content_items(first.grading_content))


DRAFTS = "Object.keys(localStorage).filter((k) => k.startsWith('neurolocalize:draft:'))"


def drafts(page) -> list[str]:
    return page.evaluate(DRAFTS)


def wait_for_no_drafts(page) -> None:
    """The draft is dropped once the results have settled in, a moment after they show."""
    page.wait_for_function(f"() => {DRAFTS}.length === 0", timeout=5_000)


def test_choices_on_an_unanswered_case_survive_a_reload_until_it_is_answered(
    page, live_server, three_case_set
):
    base = live_server.url
    sign_up(page, base, "reloader")
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    page.check("input[name=localization][value=lmn]")
    page.check("input[name=site][value=spinal_cord]")
    page.reload()
    page.wait_for_selector("text=Where is the lesion?")
    assert page.is_checked("input[name=localization][value=lmn]")
    assert page.is_checked("input[name=site][value=spinal_cord]")
    assert Response.objects.count() == 0  # a choice is not an answer until it is sent
    assert len(drafts(page)) == 1

    content = current_content(page, "reloader")
    commit_stage_one(page, content)
    page.wait_for_selector("input[name=stage][value='2']", state="attached")
    # Stage 2: the localization after the tests starts from the committed one; a changed
    # choice survives a reload too, and the stage-1 draft never fills this form.
    assert page.is_checked("input[name=revised][value=umn]")
    page.check("input[name=revised][value=mixed]")
    page.click("label[for=finding-spasticity-umn]")
    page.reload()
    page.wait_for_selector("input[name=stage][value='2']", state="attached")
    assert page.is_checked("input[name=revised][value=mixed]")
    assert page.is_checked("#finding-spasticity-umn")
    page.check("input[name=revised][value=umn]")
    answer_stage_two(page, content)
    page.wait_for_selector("#results-heading")
    wait_for_no_drafts(page)
    assert drafts(page) == []
    page.click("text=Next case")
    page.wait_for_url(f"{base}/attempts/*/cases/2/")
    page.check("input[name=localization][value=umn]")
    assert len(drafts(page)) == 1
    page.click("header button:has-text('Log out')")
    page.wait_for_url(f"{base}/")
    assert drafts(page) == []  # nothing is left behind on a shared computer


def test_every_learner_page_has_no_serious_accessibility_violation(
    page, live_server, three_case_set
):
    base = live_server.url
    checked = {}
    page.goto(f"{base}/")
    checked["home"] = serious_violations(page)
    page.goto(f"{base}/accounts/login/")
    checked["login"] = serious_violations(page)
    sign_up(page, base, "auditor")
    page.goto(f"{base}/dashboard/")
    checked["dashboard (empty)"] = serious_violations(page)
    page.goto(f"{base}/practice/")
    checked["practice sets"] = serious_violations(page)
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    checked["case"] = serious_violations(page)
    page.click("#quiz-region form button[type=submit]")
    page.wait_for_selector("#form-errors")
    checked["case with errors"] = serious_violations(page)
    for position in (1, 2, 3):
        page.wait_for_selector("text=Where is the lesion?")
        content = current_content(page, "auditor")
        commit_stage_one(page, content, right=position != 2)
        page.wait_for_selector("input[name=stage][value='2']", state="attached")
        if position == 1:
            checked["case, stage 2"] = serious_violations(page)
        answer_stage_two(page, content)
        page.wait_for_selector("#results-heading")
        if position == 1:
            checked["case results"] = serious_violations(page)
        page.click("text=See your summary" if position == 3 else "text=Next case")
    page.wait_for_url(f"{base}/attempts/*/summary/")
    checked["summary"] = serious_violations(page)
    page.goto(f"{base}/dashboard/")
    checked["dashboard"] = serious_violations(page)
    page.goto(f"{base}/accounts/password_change/")
    checked["password change"] = serious_violations(page)
    assert {name: found for name, found in checked.items() if found} == {}


def test_a_case_can_be_answered_with_the_keyboard_alone(page, live_server, three_case_set):
    base = live_server.url
    sign_up(page, base, "keyboard")
    page.goto(f"{base}/practice/")
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    answered: set[str] = set()

    def answer_by_keyboard(button: str) -> None:
        for _ in range(120):
            page.keyboard.press("Tab")
            active = page.evaluate(
                "({tag: document.activeElement.tagName, type: document.activeElement.type,"
                " name: document.activeElement.name, text: document.activeElement.innerText})"
            )
            if active["type"] == "radio" and active["name"] not in answered:
                page.keyboard.press("Space")
                answered.add(active["name"])
            elif active["tag"] == "BUTTON" and button in (active["text"] or ""):
                page.keyboard.press("Enter")
                return
        raise AssertionError(f"never reached the {button!r} button")

    answer_by_keyboard("Commit and see the tests")
    wait_for_focus(page, "investigations-heading")
    answer_by_keyboard("Check my answers")
    wait_for_focus(page, "results-heading")
    assert {"localization", "certainty", "site", "finding-spasticity"} <= answered
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText") == "Next case":
            page.keyboard.press("Enter")
            break
    page.wait_for_url(f"{base}/attempts/*/cases/2/")


def test_it_reads_well_on_a_390_pixel_phone(phone_page, live_server, three_case_set):
    page, base = phone_page, live_server.url
    sign_up(page, base, "phone")
    page.goto(f"{base}/practice/")
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    answer_current_case(page, "phone")
    page.wait_for_selector("#results-heading")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.vignette')).fontSize)"
    )
    assert font >= 16


def test_a_case_is_met_in_two_stages_that_survive_reloads_and_a_second_tab(
    browser, page, live_server, three_case_set
):
    base = live_server.url
    sign_up(page, base, "staged")
    page.click("text=Start Three cases")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    case_url = page.url
    # Stage 1 shows neither the investigations nor the findings list.
    assert page.locator("#investigations-heading").count() == 0
    assert page.locator("input[name^=finding-]").count() == 0
    other_tab = page.context.new_page()
    other_tab.goto(case_url)
    content = current_content(page, "staged")
    commit_stage_one(page, content)
    page.wait_for_selector("#investigations-heading")
    assert page.locator("input[name^=finding-]").count() > 0
    page.reload()
    page.wait_for_selector("#investigations-heading")  # a reload resumes at stage 2
    # The second tab still shows stage 1; its different commitment is refused, not recorded.
    other_tab.check("input[name=localization][value=lmn]")
    other_tab.click("label[for=certainty-sure]")
    other_tab.check("input[name=site][value=nerve]")
    other_tab.click("#quiz-region form button[type=submit]")
    other_tab.wait_for_selector("text=your first answers stand")
    assert "Upper motor neuron" in other_tab.locator("#committed-heading + p").inner_text()
    given = Response.objects.get(attempt_case__attempt__user__username="staged", item="site")
    assert given.given == "cerebrum"
    other_tab.close()
    answer_stage_two(page, content)
    page.wait_for_selector("#results-heading")
    # From the results, a problem is reported in place.
    page.click("text=Report a problem with this case")
    page.check("input[name=kind][value=typo]")
    page.fill("textarea[name=text]", "A typo in the second paragraph.")
    page.click("text=Send the report")
    page.wait_for_selector("text=your report reached the instructors")
    report = ProblemReport.objects.get()
    assert (report.kind, report.text) == ("typo", "A typo in the second paragraph.")


PHONE_RESULTS_BUDGET = 1_600
RESULTS_HEIGHT = (
    "document.getElementById('next-case').getBoundingClientRect().bottom"
    " - document.getElementById('results-heading').getBoundingClientRect().top"
)


def test_the_results_of_every_curated_case_fit_a_phone_screen_and_a_half(
    phone_page, live_server, transactional_db
):
    """On a 390-pixel screen, from "Your results" to the "Next case" button, folded parts
    closed, for every curated case answered wrongly (the longest results: a why under the
    localization and the site)."""
    from cases.models import Case
    from cases.services import load_curated
    from quizzes.grading import Answers
    from quizzes.models import Quiz, QuizCase
    from quizzes.services import commit_first_stage, start_attempt, submit_second_stage
    from tests.factories import UserFactory

    load_curated()
    quiz = Quiz.objects.create(slug="all", title="All cases")
    cases = list(Case.objects.published().order_by("slug"))
    for position, case in enumerate(cases, start=1):
        QuizCase.objects.create(quiz=quiz, case=case, position=position)
    learner = UserFactory(username="measurer")
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    for attempt_case in attempt.attempt_cases.all():
        case = attempt_case.content["case"]
        wrong = "other" if case["answer"] != "other" else "umn"
        site = "muscle" if case["site"] != "muscle" else "nerve"
        commit_first_stage(
            attempt_case=attempt_case, answers=Answers(wrong, site=site, certainty="sure")
        )
        attempt_case.refresh_from_db()
        if attempt_case.answered_at is None:
            content = attempt_case.grading_content
            best = next((o.id for o in content.options if o.correct), None)
            findings = {code: sign_key(code) for code in content.present_codes}
            answers = Answers(revised=wrong, findings=findings, next_step=best)
            submit_second_stage(attempt_case=attempt_case, answers=answers)

    page, base = phone_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "measurer")
    page.fill("#id_password", "correct-horse-battery")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/**")
    heights = {}
    for attempt_case in attempt.attempt_cases.all():
        page.goto(f"{base}/attempts/{attempt.pk}/cases/{attempt_case.position}/")
        # Both edges in one go, so a scroll (the heading takes focus) cannot fall between.
        heights[attempt_case.content["case"]["slug"]] = round(page.evaluate(RESULTS_HEIGHT))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    print("results heights on a phone (px):", sorted(heights.items(), key=lambda x: -x[1])[:4])
    too_tall = {slug: h for slug, h in heights.items() if h > PHONE_RESULTS_BUDGET}
    assert too_tall == {}, too_tall
    assert len(heights) == len(cases) == 44


def test_an_instructor_lands_in_the_instructor_area_and_its_pages_are_accessible(
    page, live_server, three_case_set
):
    from django.contrib.auth.models import Group

    from neurolocalize.accounts import INSTRUCTORS
    from tests.factories import UserFactory

    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "teacher")
    page.fill("#id_password", "correct-horse-battery")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/teach/")
    checked = {"overview": serious_violations(page)}
    page.click("a[href='/teach/?status=published'], a[href='/teach/cases/?status=published']")
    page.wait_for_url(f"{base}/teach/cases/?status=published")
    assert "44 cases" in page.locator("main").inner_text()
    page.fill("#id_q", "myasthenia")
    page.click("text=Show cases")
    page.wait_for_url("**q=myasthenia**")
    assert "generalised-myasthenia-gravis" in page.locator("table").inner_text()
    checked["case list"] = serious_violations(page)
    assert {name: found for name, found in checked.items() if found} == {}
