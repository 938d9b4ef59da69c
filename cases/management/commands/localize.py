import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.localization import UnknownFinding, localize


class Command(BaseCommand):
    help = (
        "Apply the localization rule to finding codes and print "
        '{"answer": ..., "flags": [...]} as JSON.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", metavar="CODE", help="findings present")
        parser.add_argument(
            "--absent",
            nargs="+",
            action="extend",
            default=[],
            metavar="CODE",
            help="findings explicitly absent; every code after --absent counts as absent, so "
            "put present codes first (or repeat --absent)",
        )

    def handle(self, *args, codes: list[str], absent: list[str], **options) -> None:
        both = sorted(set(codes) & set(absent))
        if both:
            raise CommandError(
                f"A finding cannot be both present and absent: {', '.join(both)}.", returncode=2
            )
        try:
            result = localize(codes, absent)
        except UnknownFinding as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(result.as_dict()))
