"""How a quiz behaves, by its mode: one policy, read by the services and views, instead of
`if exam` scattered through them. Pure: no Django.

Practice gives feedback after each case, asks cases in order and saves a stage when it is
sent. An exam gives none until results are released, lets the learner move freely between
cases and flag them, saves every change at once, and ends at a deadline the server keeps.
"""

from dataclasses import dataclass
from datetime import timedelta

PRACTICE = "practice"
EXAM = "exam"


@dataclass(frozen=True)
class Policy:
    # The results of a case are shown as soon as it is answered; otherwise only once the
    # assessment's results are released.
    feedback_after_each_case: bool
    # Cases may be answered in any order, and flagged to come back to.
    free_navigation: bool
    # Every change to an answer is saved at once, before anything is graded.
    autosave: bool
    # The attempt ends at a deadline kept by the server.
    deadline: bool
    # How long after the deadline a save already in flight is still taken.
    grace: timedelta


POLICIES = {
    PRACTICE: Policy(
        feedback_after_each_case=True,
        free_navigation=False,
        autosave=False,
        deadline=False,
        grace=timedelta(0),
    ),
    EXAM: Policy(
        feedback_after_each_case=False,
        free_navigation=True,
        autosave=True,
        deadline=True,
        grace=timedelta(seconds=15),
    ),
}


def for_mode(mode: str) -> Policy:
    return POLICIES[mode]
