import json
from collections.abc import Mapping

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases import localization, schema
from cases.selectors import Knowledge, case_content_queryset, case_snapshot
from quizzes import grading


def _marks(
    numbers: tuple[int, ...], keys: tuple[str, ...], sources: Mapping[str, schema.SourceSchema]
) -> str:
    parts = [", ".join(str(n) for n in numbers)] if numbers else []
    parts += [sources[key].label for key in keys]
    return f" [{'; '.join(parts)}]" if parts else ""


def _cited(point: grading.Point, sources: Mapping[str, schema.SourceSchema]) -> str:
    """The point as a learner reads it: each citation after the part it supports."""
    if not point.beyond:
        return point.text + _marks(point.citations, point.sources, sources)
    lead = f"{point.lead}{_marks(point.citations, point.sources, sources)} " if point.lead else ""
    return lead + point.beyond + _marks((), point.beyond_sources, sources)


class Command(BaseCommand):
    help = (
        "Print exactly what a learner reads for a case: every item, verdict, point and "
        "citation. Without --answer the localization is the key; findings and the next step "
        "are answered right, and without --site the site is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", metavar="SLUG")
        parser.add_argument(
            "--answer", choices=localization.ANSWERS, help="the localization the learner gives"
        )
        parser.add_argument("--site", choices=localization.SITES, help="the site the learner gives")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(
        self, *args, slug: str, answer: str | None, site: str | None, json: bool, **options
    ) -> None:
        case = case_content_queryset().filter(slug=slug).first()
        if case is None:
            raise CommandError(f'There is no case with the slug "{slug}".', returncode=2)
        try:
            entry = case_snapshot(case, Knowledge.load())
        except schema.BankInvalid as exc:
            raise CommandError(f'Case "{slug}" cannot be graded:\n{exc}', returncode=2) from exc
        content = grading.CaseContent.model_validate(entry)
        correct = next((o.id for o in content.options if o.correct), None)
        answers = grading.Answers(
            localization=answer or content.answer,
            site=site or content.case.site,
            findings={code: grading.sign_key(code) for code in content.present_codes},
            next_step=correct,
        )
        results = grading.grade_case(content, answers)
        if json:
            self.stdout.write(self.as_json(results))
        else:
            self.stdout.write(self.as_text(content, answers, results))

    def as_json(self, results: dict[str, grading.ItemResult]) -> str:
        return json.dumps(
            {
                "items": [
                    {
                        "item": item,
                        "score": result.score,
                        "why": result.why.text if result.why else None,
                        "points": [
                            {
                                "kind": p.kind,
                                "text": p.text,
                                "citations": list(p.citations),
                                "sources": list(p.sources),
                                "beyond": p.beyond,
                                "beyond_sources": list(p.beyond_sources),
                                "flag": p.flag,
                            }
                            for p in result.points
                        ],
                        "references": [{"number": n, "label": x} for n, x in result.references],
                        "sources": [s.model_dump() for s in result.sources],
                    }
                    for item, result in results.items()
                ]
            },
            indent=2,
            ensure_ascii=False,
        )

    def as_text(
        self,
        content: grading.CaseContent,
        answers: grading.Answers,
        results: dict[str, grading.ItemResult],
    ) -> str:
        case = content.case
        differential = ", ".join(localization.SITE_LABELS[s] for s in case.differential) or "none"
        lines = [
            f"{case.title} ({case.slug})",
            f"Key: {grading.ANSWER_LABELS[case.answer]}. Site: "
            f"{localization.SITE_LABELS.get(case.site, 'not set')}. Differential: {differential}.",
            f"Answered: {grading.ANSWER_LABELS[answers.localization or '']}"
            + (f", {localization.SITE_LABELS[answers.site]}" if answers.site else "")
            + ("; findings right" if content.present_codes else "")
            + ("; next step right" if content.options else "")
            + ".",
        ]
        for item, result in results.items():
            lines += ["", f"== {grading.ITEM_LABELS[item]} (score {result.score:g})"]
            if result.why:
                lines.append(f"  at a glance: {_cited(result.why, content.sources)}")
            for point in result.points:
                kind = f"{point.kind} ({point.flag})" if point.flag else point.kind
                lines.append(f"- {kind}: {_cited(point, content.sources)}")
            for number, label in result.references:
                lines.append(f"  [{number}] {label}")
            for source in result.sources:
                link = f" {source.link}" if source.link else ""
                lines.append(f"  {source.label}: {source.citation}{link}")
        return "\n".join(lines)
