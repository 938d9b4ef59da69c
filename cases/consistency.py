"""What a careful reviewer would say of a case's content: the consistency panel of the
editor. Pure: it reads the content as schema data (complete or not, as an author is
typing it) and returns plain results; no request, no queries.

These are warnings, not errors: the schema (`cases.schema`) decides what may be saved and
published; this module points at what is allowed but probably wrong.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cases import localization, schema

# Test results written into the presentation give stage 2 away before the learner commits.
_TEST_WORDS = re.compile(
    r"\b(EMG|NCS|electromyogra\w*|nerve conduction\w*|MRI|magnetic resonance|CT|CK|"
    r"creatine kinase|fibrillation potentials?|positive sharp waves?|CMAPs?|lumbar puncture|"
    r"CSF)\b",
    re.IGNORECASE,
)
# Electrodiagnosis named anywhere in the case.
_ELECTRO_WORDS = re.compile(
    r"\b(EMG|NCS|electromyogra|nerve conduction|electrodiagnos|neurophysiolog)", re.IGNORECASE
)
_ELECTRO_FINDINGS = {"emg_denervation", "ncs_low_cmap"}


@dataclass(frozen=True)
class Concern:
    message: str
    where: str  # the part of the editor it is about: its anchor there


@dataclass(frozen=True)
class Consistency:
    key: str
    rule: str  # what the localization rule gives from the present findings
    flags: frozenset[str]
    warnings: list[Concern] = field(default_factory=list)

    @property
    def rule_name(self) -> str:
        return localization.ANSWER_LABELS[self.rule]

    @property
    def key_name(self) -> str:
        return localization.ANSWER_LABELS.get(self.key, "")

    @property
    def agrees(self) -> bool:
        return not self.key or self.key == self.rule


def _present(data: dict) -> list[str]:
    return [
        f["code"]
        for f in data.get("findings") or ()
        if f.get("present") and f.get("code") in localization.FINDING_CATEGORIES
    ]


def _texts(data: dict) -> Iterable[str]:
    yield data.get("stem") or ""
    yield data.get("investigations") or ""
    for point in data.get("teaching_points") or ():
        yield point.get("text") or ""
    for option in (data.get("next_step") or {}).get("options") or ():
        yield option.get("text") or ""
        yield option.get("rationale") or ""


def check(data: dict) -> Consistency:
    """The rule next to the key, and every warning for `data` (schema case data, possibly
    incomplete)."""
    present = _present(data)
    key = data.get("answer") or ""
    rule = localization.localize(present)
    warnings = []

    def warn(message: str, where: str) -> None:
        warnings.append(Concern(message, where))

    points = data.get("teaching_points") or ()
    if not present:
        warn("No finding is marked present: the rule has nothing to read.", "findings")
    elif key and key != rule.answer and not any(p.get("explains_rule") for p in points):
        warn(
            f"The key is “{localization.ANSWER_NAMES[key]}” but the findings give "
            f"“{localization.ANSWER_NAMES[rule.answer]}”, and no teaching point is marked as "
            "explaining why.",
            "points",
        )
    site = data.get("site") or ""
    sites = {site, *(data.get("differential") or ())}
    if site == localization.MOTOR_NEURON and "sensory_level" in present:
        warn(
            "A sensory level points to the spinal cord, not motor neuron disease: check the site.",
            "findings",
        )
    elif site == localization.MOTOR_NEURON and any(
        localization.FINDING_CATEGORIES[c] == localization.SENSORY for c in present
    ):
        warn(
            "A sensory finding is marked present but the site is motor neuron disease. Motor "
            "neuron diseases typically spare sensation, so sensory findings argue against them "
            "[1]: check the site and the finding. If both are intended (Kennedy disease, or a "
            "neuropathy as well), explain it in a teaching point.",
            "findings",
        )
    if (
        key in (localization.LMN, localization.MIXED)
        and localization.MOTOR_NEURON in sites
        and not set(present) & _ELECTRO_FINDINGS
        and not any(_ELECTRO_WORDS.search(text) for text in _texts(data))
    ):
        warn(
            "Motor neuron disease is the site or in the differential and the key has a lower "
            "motor neuron part, but EMG and nerve conduction studies are mentioned nowhere. "
            "The guideline requires them to confirm lower motor neuron involvement [1]: "
            "consider them in the investigations or the next step.",
            "investigations",
        )
    named = sorted(
        {m.group(0) for m in _TEST_WORDS.finditer(data.get("stem") or "")}, key=str.lower
    )
    if named:
        warn(
            f"The presentation mentions tests ({', '.join(named)}). If it reports a result of "
            "this illness's work-up, move it to the investigations, which learners see only "
            "after they commit; an earlier or unrelated test (a normal CT head after a fall) "
            "can stay.",
            "stem",
        )
    next_step = data.get("next_step")
    if next_step:
        correct = sum(bool(o.get("correct")) for o in next_step.get("options") or ())
        if correct != 1:
            warn(
                f"The next-step question has {correct} correct options; it needs exactly one.",
                "next-step",
            )
    for number, point in enumerate(points, start=1):
        if not point.get("statements") and not (point.get("text") or "").startswith(schema.BEYOND):
            warn(
                f"Teaching point {number} cites no guideline statement and is not labelled "
                f"“{schema.BEYOND}”.",
                "points",
            )
    if site and site in (data.get("differential") or ()):
        warn("The differential lists the case's own site.", "answer")
    return Consistency(key=key, rule=rule.answer, flags=rule.flags, warnings=warnings)
