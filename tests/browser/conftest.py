"""Browser tests: Python Playwright driving the system's Chromium against a live server.

Without Chromium at /usr/bin/chromium they are skipped with one line saying how to enable
them; CI installs Chromium, and under CI a missing browser is an error, not a skip.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = (
    f"Browser tests skipped: no Chromium at {CHROMIUM}. "
    "Enable them with: apt-get install -y chromium"
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI must run the browser tests, but there is no Chromium at {CHROMIUM}."
        )
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _open_page(browser, **context_options):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _open_page(browser)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser):
    context, page = _open_page(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _open_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


@pytest.fixture
def three_case_set(transactional_db):
    """The curated bank plus a practice set of three cases, one with a next-step question."""
    from cases.models import Case
    from cases.services import load_curated
    from quizzes.models import Quiz, QuizCase

    load_curated()
    quiz = Quiz.objects.create(
        slug="three", title="Three cases", description="A short set.", position=0
    )
    for position, slug in enumerate(
        ["capsular-stroke-hemiparesis", "paralytic-poliomyelitis", "generalised-myasthenia-gravis"],
        start=1,
    ):
        QuizCase.objects.create(quiz=quiz, case=Case.objects.get(slug=slug), position=position)
    return quiz
