"""Timings for the hot paths, printed as figures. Runs inside a transaction it rolls back."""

import statistics
import time
import tracemalloc
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client

from cases.localization import localize
from cases.models import Case
from cases.selectors import export_bank
from quizzes import grading
from quizzes.content import compile_cases
from quizzes.models import Quiz


class Rollback(Exception):
    pass


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


class Command(BaseCommand):
    help = "Benchmark the localization rule, grading, snapshots, pages and export."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repeat", type=int, default=50)

    def row(self, label: str, median: float, p95: float) -> None:
        self.stdout.write(f"{label:<44} median {median:8.2f} ms   p95 {p95:8.2f} ms")

    def handle(self, *args, repeat: int, **options) -> None:
        if not Case.objects.published().exists():
            self.stderr.write("No published cases: run `python manage.py load_curated` first.")
            return
        try:
            with transaction.atomic():
                self.run(repeat)
                raise Rollback
        except Rollback:
            pass

    def run(self, repeat: int) -> None:
        ids = list(Case.objects.published().values_list("pk", flat=True))
        self.stdout.write(
            f"NeuroLocalize benchmark over {len(ids)} published cases, {repeat} runs each\n"
        )
        codes = ["spasticity", "fasciculations", "weakness"]
        self.row("localization rule (1000 calls)", *timed(
            lambda: [localize(codes) for _ in range(1000)], repeat
        ))  # fmt: skip
        snapshots = compile_cases(ids)
        self.row(
            f"compile snapshots for {len(ids)} cases", *timed(lambda: compile_cases(ids), repeat)
        )
        contents = [grading.CaseContent.model_validate(s) for s in snapshots.values()]
        answers = grading.Answers("umn", {}, None)
        self.row(f"grade all {len(contents)} cases", *timed(
            lambda: [grading.grade_case(c, answers) for c in contents], repeat
        ))  # fmt: skip
        self.row("export the whole bank", *timed(export_bank, max(5, repeat // 5)))

        user = get_user_model().objects.create_user("bench-learner", password="bench-pass-123")
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        quiz = Quiz.objects.filter(selection=Quiz.Selection.DRAWN).first() or Quiz.objects.first()
        if quiz is None:
            self.stderr.write("No practice set: run `python manage.py load_curated` first.")
            return
        client.post(f"/practice/{quiz.slug}/start/")
        attempt = user.attempts.get()
        case_url = f"/attempts/{attempt.pk}/cases/1/"
        self.row("case page (full HTML)", *timed(lambda: client.get(case_url), repeat))
        self.row("case page (htmx partial)", *timed(
            lambda: client.get(case_url, HTTP_HX_REQUEST="true"), repeat
        ))  # fmt: skip
        self.row("dashboard", *timed(lambda: client.get("/dashboard/"), repeat))

        tracemalloc.start()
        compile_cases(ids)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(f"\npeak memory compiling {len(ids)} snapshots: {peak / 1024:.0f} KiB")
