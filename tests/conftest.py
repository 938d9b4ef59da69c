import pytest


@pytest.fixture(autouse=True)
def _fast_tests(settings) -> None:
    # Strong password hashing costs a second per log-in; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production serves hashed files from collectstatic's manifest; tests render templates
    # without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def kb(db) -> None:
    """The guideline knowledge base (references, statements, findings), no cases."""
    from cases.services import load_curated, read_curated

    data = read_curated()
    data["cases"] = []
    load_curated(data=data)


# The cast: a learner, instructors (one writes a case, another reviews it) -----------------


def make_instructor(username):
    from django.contrib.auth.models import Group

    from neurolocalize.accounts import INSTRUCTORS
    from tests.factories import UserFactory

    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    return user


@pytest.fixture
def instructor(db):
    return make_instructor("teacher")


@pytest.fixture
def author(db):
    return make_instructor("author")


@pytest.fixture
def reviewer(db):
    return make_instructor("reviewer")
