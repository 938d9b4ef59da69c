from django.core.management.base import BaseCommand

from quizzes.exams import finalize_overdue


class Command(BaseCommand):
    help = (
        "Finalize every exam attempt past its deadline (and the grace for saves in flight) "
        "with the answers saved, at its deadline. Safe to run as often as cron likes."
    )

    def handle(self, *args, **options) -> None:
        count = finalize_overdue()
        self.stdout.write(f"{count} overdue attempt(s) finalized.")
