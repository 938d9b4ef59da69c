from django.db.models import Prefetch, QuerySet

from cases.models import (
    Case,
    CaseFinding,
    Finding,
    GuidelineStatement,
    NextStepOption,
    Reference,
    TeachingPoint,
)


def case_content_queryset() -> QuerySet[Case]:
    """Cases with everything a case page, the grader or the export needs, in fixed queries."""
    statements = GuidelineStatement.objects.prefetch_related("citations")
    return Case.objects.select_related("next_step").prefetch_related(
        "tags",
        Prefetch(
            "findings",
            queryset=CaseFinding.objects.select_related("finding").prefetch_related(
                Prefetch("finding__statements", queryset=statements)
            ),
        ),
        Prefetch(
            "teaching_points",
            queryset=TeachingPoint.objects.prefetch_related(
                Prefetch("statements", queryset=statements)
            ),
        ),
        Prefetch(
            "next_step__options",
            queryset=NextStepOption.objects.prefetch_related(
                Prefetch("statements", queryset=statements)
            ),
        ),
    )


def export_bank() -> dict:
    from cases.bank import case_to_dict, finding_to_dict, reference_to_dict, statement_to_dict

    return {
        "references": [reference_to_dict(r) for r in Reference.objects.all()],
        "statements": [
            statement_to_dict(s) for s in GuidelineStatement.objects.prefetch_related("citations")
        ],
        "findings": [finding_to_dict(f) for f in Finding.objects.prefetch_related("statements")],
        "cases": [case_to_dict(c) for c in case_content_queryset().order_by("slug")],
    }
