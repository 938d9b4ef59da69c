"""Sign up, log in and out, password change and reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_can_sign_up_and_becomes_a_logged_in_learner(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
        },
    )
    assert response.url == reverse("quizzes:list")
    user = get_user_model().objects.get(username="ada")
    assert not user.is_staff and not user.groups.exists()
    assert client.get(reverse("quizzes:dashboard")).status_code == 200


def test_sign_up_with_bad_input_explains_and_creates_nobody(client):
    response = client.post(
        reverse("signup"),
        {"username": "ada", "email": "not-an-email", "password1": "x", "password2": "y"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert "The two password fields didn" in html
    assert not get_user_model().objects.exists()


def test_the_home_page_invites_visitors_to_sign_up_or_log_in(client):
    html = client.get("/").content.decode()
    assert reverse("signup") in html and reverse("login") in html


def test_log_in_and_log_out(client):
    UserFactory(username="grace")
    response = client.post(
        reverse("login"), {"username": "grace", "password": "correct-horse-battery"}
    )
    # A learner lands on their progress page (an instructor in the instructor area).
    assert client.get(response.url).url == reverse("quizzes:dashboard")
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "You are logged out." in response.content.decode()
    assert client.get(reverse("quizzes:dashboard")).status_code == 302
    assert client.get(reverse("logout")).status_code == 405


def test_a_wrong_password_gets_a_clear_message(client):
    UserFactory(username="grace")
    html = client.post(reverse("login"), {"username": "grace", "password": "nope"}).content.decode()
    assert "Please enter a correct username and password." in html


def test_password_change(client):
    UserFactory(username="grace")
    client.login(username="grace", password="correct-horse-battery")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-Long-pass-9",
            "new_password2": "another-Long-pass-9",
        },
    )
    assert response.url == reverse("password_change_done")
    client.logout()
    assert client.login(username="grace", password="another-Long-pass-9")


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    UserFactory(username="grace", email="grace@example.org")
    client.post(reverse("password_reset"), {"email": "grace@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your NeuroLocalize password"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(
        form_url, {"new_password1": "reset-Long-pass-7", "new_password2": "reset-Long-pass-7"}
    )
    assert response.url == reverse("password_reset_complete")
    assert client.login(username="grace", password="reset-Long-pass-7")


def test_an_email_already_in_use_is_refused_whatever_its_case(client):
    UserFactory(username="grace", email="Grace@Example.org")
    response = client.post(
        reverse("signup"),
        {
            "username": "grace2",
            "email": "grace@example.org",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
        },
    )
    assert "An account already uses this e-mail address." in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_a_stale_form_gets_a_plain_explanation_not_a_raw_csrf_error(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your session changed" in response.content.decode()


def test_the_login_page_explains_why_it_appeared_mid_attempt(client):
    html = client.get(reverse("login") + "?next=/attempts/1/cases/1/").content.decode()
    assert "Please log in to continue." in html
