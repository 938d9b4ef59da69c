"""Cohorts: who is in a program's group of learners, and who runs it. The writes (each one
transaction) and the reads the cohort pages need.

Learners join with the cohort's code, or an instructor of the cohort adds them one by one
or from a list of e-mails; a list gets a report of every row: added, already there, or
refused with the reason. Only accounts that exist can be added: an e-mail no account uses
is refused, and the report says to have them sign up and join with the code.
"""

import csv
import io
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from quizzes.models import Cohort, Membership

# No 0/O, 1/I/L: a code read off a slide is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# A list of e-mails longer than this is refused whole (a residency program is far smaller).
MAX_ROWS = 2000


class CohortError(Exception):
    """The step cannot be taken; the message says why, for the person who tried."""


@dataclass
class EnrolReport:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    # (line number in the file, what it said, why it was refused)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.already)} already in the cohort, "
            f"{len(self.rejected)} refused."
        )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(code.split()).upper().replace("-", "")


# Reads --------------------------------------------------------------------------------------


def cohorts_for(user) -> QuerySet[Cohort]:
    """The cohorts an instructor runs (a superuser: all), with their sizes."""
    cohorts = Cohort.objects.all() if user.is_superuser else user.teaching_cohorts.all()
    return cohorts.annotate(size=Count("memberships", distinct=True)).order_by("name", "pk")


def cohort_for_instructor(user, cohort_id: int) -> Cohort | None:
    """The cohort if `user` runs it; None otherwise (another's cohort is not theirs to see)."""
    return cohorts_for(user).filter(pk=cohort_id).first()


def joined_by(user) -> QuerySet[Cohort]:
    """The cohorts a learner is in."""
    return Cohort.objects.filter(memberships__user=user).order_by("name", "pk")


def members(cohort: Cohort) -> QuerySet[Membership]:
    return cohort.memberships.select_related("user").order_by("user__username", "pk")


# Writes -------------------------------------------------------------------------------------


@transaction.atomic
def create_cohort(*, name: str, instructor) -> Cohort:
    name = name.strip()
    if not name:
        raise CohortError("Give the cohort a name, such as “PGY-1 Neurology 2027”.")
    for _ in range(10):
        try:
            with transaction.atomic():
                cohort = Cohort.objects.create(name=name, code=_new_code())
            break
        except IntegrityError:  # the code is taken: draw another
            continue
    else:  # pragma: no cover - 31**8 codes
        raise CohortError("No free code could be drawn; try again.")
    cohort.instructors.add(instructor)
    return cohort


@transaction.atomic
def join_with_code(*, user, code: str) -> tuple[Cohort, bool]:
    """Join the cohort whose code this is; returns it and whether the learner is new to it."""
    cohort = Cohort.objects.filter(code=normalize_code(code)).first()
    if cohort is None:
        raise CohortError("No cohort has that code. Check it with your program and try again.")
    if cohort.instructors.filter(pk=user.pk).exists():
        raise CohortError("You run this cohort; its learners join with the code.")
    _, created = Membership.objects.get_or_create(
        cohort=cohort, user=user, defaults={"how": Membership.How.CODE}
    )
    return cohort, created


def _account(identifier: str):
    """The one account an e-mail or username names, or a reason there is none."""
    users = get_user_model().objects
    found = list(users.filter(Q(email__iexact=identifier) | Q(username__iexact=identifier))[:2])
    if not found:
        return None, (
            "no account uses this e-mail or username: ask them to sign up and join with the code"
        )
    if len(found) > 1:
        return None, "more than one account matches: add them by username"
    return found[0], ""


def _enrol(cohort: Cohort, identifier: str, how: str) -> tuple[str, str]:
    """("added" | "already" | "rejected", the reason for a refusal)."""
    user, reason = _account(identifier)
    if user is None:
        return "rejected", reason
    if cohort.instructors.filter(pk=user.pk).exists():
        return "rejected", "an instructor of this cohort"
    _, created = Membership.objects.get_or_create(cohort=cohort, user=user, defaults={"how": how})
    return ("added" if created else "already"), ""


@transaction.atomic
def add_learner(*, cohort: Cohort, identifier: str) -> str:
    """Add one learner by e-mail or username; returns what happened, in a sentence."""
    identifier = identifier.strip()
    if not identifier:
        raise CohortError("Give the learner's e-mail or username.")
    outcome, reason = _enrol(cohort, identifier, Membership.How.ADDED)
    if outcome == "rejected":
        raise CohortError(f"{identifier} was not added: {reason}.")
    return f"{identifier} {'added' if outcome == 'added' else 'was already in the cohort'}."


def _rows(text: str) -> list[tuple[int, str]]:
    """Each line's first field, numbered as in the file; blank lines and a header skipped."""
    rows = []
    for number, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        value = (fields[0] if fields else "").strip()
        if not value or (number == 1 and value.lower() in ("email", "e-mail", "mail")):
            continue
        rows.append((number, value))
    return rows


@transaction.atomic
def enrol_from_csv(*, cohort: Cohort, text: str) -> EnrolReport:
    """Add the learners a list of e-mails names (one per line, the first column of a CSV),
    and report every row."""
    rows = _rows(text)
    if len(rows) > MAX_ROWS:
        raise CohortError(f"The list has {len(rows)} rows; the most is {MAX_ROWS}.")
    report = EnrolReport()
    seen: set[str] = set()
    for number, value in rows:
        try:
            validate_email(value)
        except ValidationError:
            report.rejected.append((number, value, "not an e-mail address"))
            continue
        if value.lower() in seen:
            report.rejected.append((number, value, "listed twice in the file"))
            continue
        seen.add(value.lower())
        outcome, reason = _enrol(cohort, value, Membership.How.CSV)
        if outcome == "rejected":
            report.rejected.append((number, value, reason))
        else:
            getattr(report, outcome).append(value)
    return report


@transaction.atomic
def remove_learner(*, cohort: Cohort, user_id: int) -> bool:
    return Membership.objects.filter(cohort=cohort, user_id=user_id).delete()[0] > 0
