"""Project-wide behaviour: settings, health check, home page, admin, set-up."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse

from cases.models import Case
from neurolocalize.settings import database_from_url
from tests.factories import CaseFactory

ROOT = Path(settings.BASE_DIR)
SETUP_DJANGO = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'neurolocalize.settings'; "
    "django.setup()"
)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_with_debug_off_a_missing_secret_key_stops_start_up_clearly():
    result = run_python(
        SETUP_DJANGO,
        DEBUG="0",
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_with_debug_on_the_app_starts_without_a_secret_key():
    result = run_python(
        SETUP_DJANGO,
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr


def test_database_url_defaults_to_sqlite_tuned_for_concurrency():
    config = database_from_url("sqlite:///db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == ROOT / "db.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5
    assert database_from_url("sqlite:////var/data/nl.db")["NAME"] == "/var/data/nl.db"


def test_a_postgres_url_switches_to_postgresql():
    config = database_from_url("postgres://nl:s%40cret@db.internal:6543/neuro")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("neuro", "nl", "s@cret")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")


def test_an_unknown_database_url_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="sqlite:/// or postgres://"):
        database_from_url("mysql://x@y/z")


def an_old_python() -> str | None:
    """A real interpreter older than 3.12 on this machine, if there is one."""
    for name in ("python3.11", "python3.10", "/usr/bin/python3", "python3.9"):
        path = shutil.which(name)
        if path:
            probe = subprocess.run(
                [path, "-c", "import sys; print(sys.version_info < (3, 12))"],
                capture_output=True,
                text=True,
            )
            if probe.stdout.strip() == "True":
                return path
    return None


@pytest.mark.skipif(not Path("/usr/bin/make").exists(), reason="make is not installed")
def test_make_stops_with_one_sentence_on_an_old_python():
    old = an_old_python()
    if old is None:
        pytest.skip("No Python older than 3.12 on this machine to try make with.")
    for target in ("run", "test"):
        result = subprocess.run(
            ["make", "--no-print-directory", target, f"PYTHON={old}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert result.stdout.strip() == (
            "NeuroLocalize needs Python 3.12 or newer (3.13 recommended): install it, for "
            "example with 'pyenv install 3.13.0', and run make again."
        )


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from neurolocalize import views

    class Broken:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_home_page_says_what_it_is_and_counts_published_cases_only(client):
    CaseFactory.create_batch(3)
    CaseFactory(status=Case.Status.DRAFT)
    response = client.get("/")
    html = response.content.decode()
    assert "Is it the upper motor neuron" in html
    assert response.context["published_count"] == 3
    assert '<p class="stat mb-1">3</p>' in html
    assert "not a tool for decisions about a patient's care" in html
    # Monitors and link checkers ask with HEAD.
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.django_db
def test_home_page_never_shows_an_answer_key(client):
    CaseFactory(title="Stiff legs", answer=Case.Answer.MIXED, slug="stiff-legs")
    html = client.get("/").content.decode()
    assert "Stiff legs" not in html
    assert "stiff-legs" not in html
    # Neither the answer's code nor any learner-facing wording of an answer appears.
    assert '"mixed"' not in html and ">mixed<" not in html
    for label in ("Both: mixed UMN and LMN", "Neither: look beyond", "answer key"):
        assert label not in html


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_with_a_nonce_for_htmx(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "htmx" in response.content.decode()


@pytest.mark.django_db
def test_demo_users_are_created_once_and_the_instructor_is_staff(capsys):
    call_command("create_demo_users")
    call_command("create_demo_users")
    User = get_user_model()
    assert User.objects.filter(username__in=["instructor", "student"]).count() == 2
    instructor = User.objects.get(username="instructor")
    assert instructor.is_staff and instructor.groups.filter(name="Instructors").exists()
    assert not User.objects.get(username="student").is_staff
    assert "already there" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_instructor_can_browse_every_bank_model_in_the_admin(client):
    from django.contrib import admin

    call_command("load_curated")
    call_command("create_demo_users")
    assert client.login(username="instructor", password="localize-instructor")
    bank_models = [
        m
        for m in admin.site._registry
        if m._meta.app_label == "cases" or m._meta.model_name in ("quiz", "quizcase")
    ]
    assert len(bank_models) >= 10
    for model in bank_models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    case = Case.objects.first()
    if case:
        assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_staff_superusers_can_open_every_model_in_the_admin(admin_client):
    from django.contrib import admin

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_instructors_cannot_read_learners_practice_attempts_in_the_admin(client):
    call_command("create_demo_users")
    client.login(username="instructor", password="localize-instructor")
    assert client.get(reverse("admin:quizzes_attempt_changelist")).status_code == 403


@pytest.mark.django_db
def test_every_model_is_registered_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    ours = [m for m in apps.get_models() if m._meta.app_label in ("cases", "quizzes")]
    assert ours
    for model in ours:
        assert model in admin.site._registry or model._meta.auto_created, model


@pytest.mark.django_db
def test_a_missing_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
