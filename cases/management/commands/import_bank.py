from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.bank import BankInvalid, parse_json
from cases.services import import_bank


class Command(BaseCommand):
    help = (
        "Import a bank JSON file. Everything is validated first; a file with any error "
        "changes nothing. Cases whose slug exists are updated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            report = import_bank(data=parse_json(text))
        except BankInvalid as exc:
            lines = "\n".join(f"  - {error}" for error in exc.errors)
            raise CommandError(
                f"{file} has {len(exc.errors)} problem(s); nothing was imported:\n{lines}"
            ) from exc
        self.stdout.write(f"Imported {file}: {report.summary()}")
