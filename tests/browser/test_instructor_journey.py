"""Instructors in a real browser: one writes a two-stage case, watches the consistency panel,
previews it and sends it for review; a second approves it; it goes into a set built in the
quiz builder; a learner meets it and reports a typo, and the author resolves the report."""

import re

import pytest
from django.contrib.auth.models import Group

from neurolocalize.accounts import INSTRUCTORS
from tests.browser.test_learner_journey import (
    answer_stage_two,
    commit_stage_one,
    current_content,
    serious_violations,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.browser
CASE_PAGE = re.compile(r"/teach/cases/\d+/$")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def people(transactional_db):
    from cases.services import load_curated

    load_curated()
    group = Group.objects.get_or_create(name=INSTRUCTORS)[0]
    for name in ("author", "reviewer"):
        UserFactory(username=name, is_staff=True).groups.add(group)
    UserFactory(username="learner")


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def panel_text(page) -> str:
    return page.locator("#panel").inner_text()


def wait_for_panel(page, text: str, *, present: bool = True) -> None:
    """Wait until the consistency panel, refreshed by htmx as the author types, says (or
    no longer says) `text`."""
    for _ in range(100):
        if (text in panel_text(page)) is present:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the panel never {'showed' if present else 'dropped'} {text!r}")


def choose_finding(page, row: int, words: str, expected: str) -> None:
    page.fill(f"#id_findings-{row}-search", words)
    assert page.input_value(f"#id_findings-{row}-finding") == expected


def write_case(page, base: str) -> None:
    page.goto(f"{base}/teach/cases/new/")
    assert "Write the case" in panel_text(page)
    page.fill("#id_title", "Stiff legs in a violinist")
    page.fill("#id_patient_age", "47")
    page.select_option("#id_patient_sex", "female")
    page.fill("#id_stem", "Two years of **stiff** legs. Reflexes are brisk; plantars are upgoing.")
    page.fill("#id_investigations", "MRI of the cervical spine: a disc compressing the cord.")
    # Each row's search box picks the finding by its name or other words.
    choose_finding(page, 0, "brisk reflexes", "hyperreflexia")
    choose_finding(page, 1, "babinski", "extensor_plantar")
    choose_finding(page, 2, "spastic", "spasticity")
    choose_finding(page, 3, "fasc", "fasciculations")
    page.select_option("#id_findings-3-presence", "absent")
    page.select_option("#id_answer", "umn")
    page.select_option("#id_site", "spinal_cord")
    page.check("input[name=differential][value=motor_neuron]")
    page.fill("#id_points-0-text", "Brisk reflexes with upgoing plantars place the lesion above.")
    page.check("input[name='points-0-statements'][value=overview]")
    wait_for_panel(page, "Upper motor neuron")
    # The panel reacts to a key the findings do not support, and to its correction.
    page.select_option("#id_answer", "lmn")
    wait_for_panel(page, "no teaching point is marked as explaining why")
    page.select_option("#id_answer", "umn")
    wait_for_panel(page, "no teaching point is marked as explaining why", present=False)
    wait_for_panel(page, "Site, Spinal cord")
    # A next step with two options, each added as a row; everything typed is kept.
    page.fill("#id_next_prompt", "What is the next step?")
    page.click("text=Add an option")
    page.click("text=Add an option")
    assert page.input_value("#id_title") == "Stiff legs in a violinist"
    assert page.input_value("#id_findings-3-finding") == "fasciculations"
    for row, (text, statement) in enumerate(
        [("Decompress after surgical review", "overview"), ("Check the CK", "ck-lmn-weakness")]
    ):
        page.fill(f"#id_options-{row}-text", text)
        page.fill(f"#id_options-{row}-rationale", "Because of the cord compression.")
        page.check(f"input[name='options-{row}-statements'][value={statement}]")
    page.check("#id_options-0-correct")
    page.click("form#case-editor button:has-text('Save draft') >> nth=0")
    page.wait_for_url(CASE_PAGE)
    assert "Saved as version 1, a draft." in page.locator("main").inner_text()


def test_two_instructors_publish_a_case_a_learner_reports_a_typo_and_it_is_resolved(
    page, live_server, people
):
    from cases.models import Case
    from quizzes.models import ProblemReport

    base = live_server.url
    checked = {}
    log_in(page, base, "author")
    write_case(page, base)
    case = Case.objects.get(title="Stiff legs in a violinist")
    assert (case.status, case.version) == ("draft", 1)
    checked["case page"] = serious_violations(page)
    # Preview: the draft, through both stages, as a learner meets it.
    page.click("text=Preview as a learner")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    content = current_content(page, "author")
    assert content["case"]["title"] == "Stiff legs in a violinist"
    commit_stage_one(page, content)
    answer_stage_two(page, content)
    page.wait_for_selector("#results-heading")
    page.click("text=Back to the case")
    page.click("text=Send for review")
    page.wait_for_selector("text=Sent for review")
    assert page.locator("text=Approve and publish").count() == 0
    # The second instructor approves it from the review queue.
    log_in(page, base, "reviewer")
    page.goto(f"{base}/teach/review/")
    checked["review queue"] = serious_violations(page)
    page.click("text=Stiff legs in a violinist")
    page.fill("#id_comment", "Clear, and the key fits the signs.")
    page.click("text=Approve and publish")
    page.wait_for_selector("text=Approved and published")
    case.refresh_from_db()
    assert case.status == "published"
    # A practice set built from it in the quiz builder, then published.
    page.goto(f"{base}/teach/quizzes/new/")
    page.fill("#id_title", "Cord or not")
    page.click("text=Make the set")
    page.wait_for_url(f"{base}/teach/quizzes/*/")
    page.fill("#picker input[name=q]", "violinist")
    page.click("#picker button:has-text('Show cases')")
    page.click("button:has-text('Add'):has-text('Stiff legs in a violinist')")
    page.wait_for_selector("text=Remove")
    checked["quiz builder"] = serious_violations(page)
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Unpublish")
    # The learner meets it and reports a typo from its results.
    log_in(page, base, "learner")
    page.goto(f"{base}/practice/")
    page.click("text=Start Cord or not")
    page.wait_for_url(f"{base}/attempts/*/cases/1/")
    content = current_content(page, "learner")
    commit_stage_one(page, content)
    answer_stage_two(page, content)
    page.wait_for_selector("#results-heading")
    page.click("text=Report a problem with this case")
    page.check("input[name=kind][value=typo]")
    page.fill(
        "textarea[name=text]", "“plantars” is fine, but “violinist” is misspelt in the title."
    )
    page.click("text=Send the report")
    page.wait_for_selector("text=your report reached the instructors")
    # The author sees it on the case, with the version it was read on, and resolves it.
    log_in(page, base, "author")
    page.goto(f"{base}/teach/cases/{case.pk}/")
    reports = page.locator("section[aria-labelledby=reports-title]")
    assert "version 1" in reports.inner_text()
    page.fill("section[aria-labelledby=reports-title] textarea[name=resolution]", "Checked.")
    page.click("section[aria-labelledby=reports-title] button:has-text('Resolve')")
    page.wait_for_url(f"{base}/teach/cases/{case.pk}/")
    report = ProblemReport.objects.get()
    assert report.resolved_by.username == "author" and report.resolution == "Checked."
    assert {name: found for name, found in checked.items() if found} == {}


def test_the_instructor_pages_have_no_serious_accessibility_violation(page, live_server, people):
    from cases.models import Case

    base = live_server.url
    log_in(page, base, "author")
    from django.contrib.auth import get_user_model

    from quizzes.cohorts import create_cohort

    case = Case.objects.published().order_by("slug").first()
    cohort = create_cohort(name="PGY-1", instructor=get_user_model().objects.get(username="author"))
    checked = {}
    for name, path in [
        ("overview", "/teach/"),
        ("cases", "/teach/cases/"),
        ("new case", "/teach/cases/new/"),
        ("edit a published case", f"/teach/cases/{case.pk}/edit/"),
        ("case page", f"/teach/cases/{case.pk}/"),
        ("history", f"/teach/cases/{case.pk}/history/"),
        ("review queue", "/teach/review/"),
        ("quizzes", "/teach/quizzes/"),
        ("cohorts", "/teach/cohorts/"),
        ("a cohort", f"/teach/cohorts/{cohort.pk}/"),
        ("sources", "/teach/sources/"),
        ("bank", "/teach/bank/"),
        ("reports", "/teach/reports/"),
    ]:
        page.goto(base + path)
        checked[name] = serious_violations(page)
    # The editor after a refused save: errors beside their fields.
    page.goto(f"{base}/teach/cases/new/")
    page.fill("#id_patient_age", "200")
    page.click("form#case-editor button:has-text('Save draft') >> nth=0")
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    checked["editor with errors"] = serious_violations(page)
    assert {name: found for name, found in checked.items() if found} == {}


def test_the_editor_works_by_keyboard_alone(page, live_server, people):
    """Tab to each field, type, pick from lists with the arrow keys, add a row with Enter
    on its button, and save with Enter: no mouse."""
    from cases.models import Case

    base = live_server.url
    log_in(page, base, "author")
    page.goto(f"{base}/teach/cases/new/")

    def tab_to(selector: str) -> None:
        for _ in range(400):
            page.keyboard.press("Tab")
            if page.evaluate(
                "(s) => document.activeElement === document.querySelector(s)", selector
            ):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#id_title")
    page.keyboard.type("Keyboard case")
    tab_to("#id_findings-0-search")
    page.keyboard.type("babinski")
    tab_to("button[name=add][value=findings]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_findings-4-finding")
    assert page.input_value("#id_title") == "Keyboard case"
    assert page.input_value("#id_findings-0-finding") == "extensor_plantar"
    tab_to("#id_title")
    page.keyboard.press("Enter")  # Enter in a field saves the draft
    page.wait_for_selector(".alert-danger")
    # Not saved: the case lacks its answer, age and presentation, each said beside its
    # field, and what was typed is still there.
    assert not Case.objects.filter(title="Keyboard case").exists()
    assert page.input_value("#id_title") == "Keyboard case"
    tab_to("#id_patient_age")
    page.keyboard.type("30")
    tab_to("#id_patient_sex")
    page.keyboard.press("ArrowDown")
    tab_to("#id_stem")
    page.keyboard.type("Stiff legs; brisk reflexes.")
    tab_to("#id_answer")
    page.keyboard.press("ArrowDown")  # Upper motor neuron
    tab_to("#id_title")
    page.keyboard.press("Enter")
    page.wait_for_url(CASE_PAGE)
    saved = Case.objects.get(title="Keyboard case")
    assert (saved.answer, saved.patient_age) == ("umn", 30)
