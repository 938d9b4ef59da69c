"""Accounts: sign-up plus the Instructors group. Log-in and password flows are Django's."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group, Permission
from django.db import transaction

INSTRUCTORS = "Instructors"
# Instructors keep practice sets and tags in the admin; they do not manage users, and they read
# the guideline knowledge base every explanation cites: it is the source's content, which
# `load_curated` keeps in step with the guideline, so an edit there would not last.
KNOWLEDGE_BASE = {"finding", "guidelinestatement", "reference", "source", "lesson"}
# A case's content, its versions and the record of its review are written through the
# instructor area only, where every change is a version another instructor reviews; in the
# admin instructors read them.
RECORDS = {
    "case",
    "casefinding",
    "teachingpoint",
    "nextstepquestion",
    "nextstepoption",
    "caseversion",
    "caseevent",
}
INSTRUCTOR_MODELS = {
    "cases": [
        "case",
        "casefinding",
        "teachingpoint",
        "nextstepquestion",
        "nextstepoption",
        "tag",
        "finding",
        "source",
        "lesson",
        "guidelinestatement",
        "reference",
        "caseversion",
        "caseevent",
    ],
    "quizzes": ["quiz", "quizcase"],
}


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "Used only to reset your password."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this e-mail address. Log in, or reset its password."
            )
        return email


def is_instructor(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=INSTRUCTORS).exists()
    )


@transaction.atomic
def ensure_instructors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    wanted = Permission.objects.filter(
        content_type__app_label__in=INSTRUCTOR_MODELS.keys()
    ).select_related("content_type")
    group.permissions.set(
        [
            p
            for p in wanted
            if p.content_type.model in INSTRUCTOR_MODELS[p.content_type.app_label]
            and not (
                p.content_type.model in KNOWLEDGE_BASE | RECORDS
                and not p.codename.startswith("view_")
            )
        ]
    )
    return group


@transaction.atomic
def ensure_demo_user(*, username: str, password: str, instructor: bool) -> tuple[object, bool]:
    """Create a demo account once; later calls leave it (and its password) untouched."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "is_staff": instructor},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    if instructor:
        user.groups.add(ensure_instructors_group())
    return user, created
