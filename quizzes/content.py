"""Case content snapshots: what a learner is shown and graded on, frozen at attempt start.

`compile_cases` reads everything for any number of cases in a fixed number of queries and
returns, per case, a plain dict that `grading.CaseContent.from_dict` understands. Only the
statements and references a case cites travel with it. Next-step options are shuffled for
each snapshot and numbered in their new order, so neither their order nor their ids say
which one is right.
"""

import logging
import random
from collections import defaultdict
from collections.abc import Iterable

from cases.models import (
    Case,
    CaseFinding,
    Finding,
    GuidelineStatement,
    NextStepOption,
    Reference,
    TeachingPoint,
)
from quizzes import grading

logger = logging.getLogger(__name__)
_shuffle = random.SystemRandom().shuffle


def _links(through, owner_field: str, owner_ids: Iterable[int]) -> dict[int, list[str]]:
    """Statement keys per owner, from an M2M through table, in one query."""
    keys: dict[int, list[str]] = defaultdict(list)
    rows = (
        through.objects.filter(**{f"{owner_field}__in": list(owner_ids)})
        .order_by("guidelinestatement__position")
        .values_list(owner_field, "guidelinestatement__key")
    )
    for owner, key in rows:
        keys[owner].append(key)
    return keys


def compile_cases(case_ids: list[int]) -> dict[int, dict]:
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_ids).select_related("next_step")}
    findings = list(
        CaseFinding.objects.filter(case_id__in=case_ids)
        .select_related("finding")
        .order_by("case_id", "-present", "pk")
    )
    finding_keys = _links(
        Finding.statements.through, "finding_id", {cf.finding_id for cf in findings}
    )
    points = list(TeachingPoint.objects.filter(case_id__in=case_ids))
    point_keys = _links(
        TeachingPoint.statements.through, "teachingpoint_id", [p.pk for p in points]
    )
    options = list(
        NextStepOption.objects.filter(question__case_id__in=case_ids)
        .select_related("question")
        .order_by("question_id", "position", "pk")
    )
    option_keys = _links(
        NextStepOption.statements.through, "nextstepoption_id", [o.pk for o in options]
    )
    statements: dict[str, dict] = {}
    references: dict[int, str] = {}
    for (
        key,
        text,
        number,
        title,
        source,
        year,
    ) in GuidelineStatement.citations.through.objects.order_by("reference__number").values_list(
        "guidelinestatement__key",
        "guidelinestatement__text",
        "reference__number",
        "reference__title",
        "reference__source",
        "reference__year",
    ):
        statements.setdefault(key, {"text": text, "citations": []})["citations"].append(number)
        references[number] = Reference(title=title, source=source, year=year).label

    compiled: dict[int, dict] = {}
    for case_id, case in cases.items():
        compiled[case_id] = {
            "case": {
                "id": case.pk,
                "slug": case.slug,
                "title": case.title,
                "stem_html": str(case.stem_html),
                "patient_age": case.patient_age,
                "patient_sex": case.get_patient_sex_display(),
                "difficulty": case.get_difficulty_display(),
                "answer": case.answer,
            },
            "findings": [],
            "teaching_points": [],
            "next_step": None,
        }
    for cf in findings:
        compiled[cf.case_id]["findings"].append(
            {
                "code": cf.finding.code,
                "name": cf.finding.name,
                "present": cf.present,
                "region": cf.get_region_display() if cf.region else "",
                "side": cf.side,
                "statements": finding_keys.get(cf.finding_id, []),
            }
        )
    for point in points:
        compiled[point.case_id]["teaching_points"].append(
            {
                "text": point.text,
                "statements": point_keys.get(point.pk, []),
                "explains_rule": point.explains_rule,
            }
        )
    for option in options:
        entry = compiled[option.question.case_id]
        if entry["next_step"] is None:
            entry["next_step"] = {"prompt": option.question.prompt, "options": []}
        entry["next_step"]["options"].append(
            {
                "text": option.text,
                "correct": option.is_correct,
                "rationale": option.rationale,
                "statements": option_keys.get(option.pk, []),
            }
        )
    for entry in compiled.values():
        if entry["next_step"]:
            _shuffle(entry["next_step"]["options"])
            for number, option in enumerate(entry["next_step"]["options"], start=1):
                option["id"] = number
    for entry in compiled.values():
        cited = {
            key
            for group in (
                entry["findings"],
                entry["teaching_points"],
                (entry["next_step"] or {}).get("options", []),
            )
            for item in group
            for key in item["statements"]
        }
        cited |= grading.ALWAYS_CITED
        entry["statements"] = {k: statements[k] for k in sorted(cited) if k in statements}
        numbers = {n for s in entry["statements"].values() for n in s["citations"]}
        entry["references"] = {str(n): references[n] for n in sorted(numbers)}
    return {case_id: entry for case_id, entry in compiled.items() if _gradable(entry)}


def _gradable(entry: dict) -> bool:
    """Whether the case can be graded; an edit that broke it keeps it out of new attempts
    instead of stranding a learner on a case whose answers cannot be recorded."""
    try:
        content = grading.CaseContent.from_dict(entry)
        options = content.options
        if options and sum(o.correct for o in options) != 1:
            raise ValueError("a next-step question needs exactly one correct option")
        grading.grade_case(content, grading.Answers())
    except (KeyError, ValueError, LookupError) as exc:
        logger.error("Case %s left out of the attempt: %s", entry["case"]["slug"], exc)
        return False
    return True
