from django.core.management.base import BaseCommand

from neurolocalize.accounts import ensure_demo_user, ensure_instructors_group

DEMO_USERS = [
    ("instructor", "localize-instructor", True),
    # A second instructor: a case is reviewed by someone other than its author.
    ("reviewer", "localize-reviewer", True),
    ("student", "localize-student", False),
]


class Command(BaseCommand):
    help = "Create the demo instructor and demo student (once; safe to run again)."

    def handle(self, *args, **options) -> None:
        ensure_instructors_group()
        for username, password, instructor in DEMO_USERS:
            _, created = ensure_demo_user(
                username=username, password=password, instructor=instructor
            )
            role = "instructor" if instructor else "student"
            state = "created" if created else "already there"
            self.stdout.write(f"Demo {role}: {username} / {password} ({state})")
