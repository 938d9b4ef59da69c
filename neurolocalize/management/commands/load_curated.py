from django.core.management.base import BaseCommand, CommandError

from cases.bank import BankInvalid
from cases.services import load_curated
from quizzes.services import seed_practice_sets


class Command(BaseCommand):
    help = (
        "Load the curated guideline knowledge base and case bank. Safe to run again: "
        "nothing is created twice and cases edited here are left alone."
    )

    def handle(self, *args, **options) -> None:
        try:
            report = load_curated()
        except BankInvalid as exc:
            raise CommandError(f"The curated content is invalid:\n{exc}") from exc
        self.stdout.write(f"Curated bank: {report.summary()}")
        for slug in report.kept_local_edits:
            self.stdout.write(f"  kept local edits to case {slug}")
        created, existing = seed_practice_sets()
        self.stdout.write(f"Practice sets: {created} created, {existing} already there.")
