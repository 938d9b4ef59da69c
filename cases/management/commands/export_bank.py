from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.bank import dumps
from cases.selectors import export_bank


class Command(BaseCommand):
    help = "Export references, statements, findings and cases as JSON (stdout without FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, metavar="FILE")

    def handle(self, *args, file: Path | None, **options) -> None:
        text = dumps(export_bank())
        if file is None:
            self.stdout.write(text, ending="")
        else:
            try:
                file.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {file}: {exc.strerror}.") from exc
            self.stderr.write(f"Wrote the bank to {file}.")
