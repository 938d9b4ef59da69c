"""Grading: pure functions from a case's content and a learner's answers to scores and
explanations. No requests, no queries: the content arrives as a snapshot (see
`quizzes.content`), so a learner is graded on exactly what they were shown.

Every explanation is a list of points, each carrying the guideline reference numbers it
rests on; a citation that does not resolve to a reference is an error, never a blank.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from cases import localization
from cases.localization import FINDING_CATEGORIES, LMN, MIXED, OTHER, UMN, flags_for

LOCALIZATION = "localization"
FINDINGS = "findings"
NEXT_STEP = "next_step"
ITEMS = (LOCALIZATION, FINDINGS, NEXT_STEP)
ITEM_LABELS = {
    LOCALIZATION: "Localization",
    FINDINGS: "Findings",
    NEXT_STEP: "Next step",
}

ANSWER_LABELS = {
    UMN: "Upper motor neuron",
    LMN: "Lower motor neuron",
    MIXED: "Both: mixed UMN and LMN",
    OTHER: "Neither: look beyond the motor neuron",
}

RULE_WORDS = {
    UMN: "an upper motor neuron lesion",
    LMN: "a lower motor neuron lesion",
    MIXED: "a mixed upper and lower motor neuron picture",
    OTHER: "no motor neuron pattern",
}

# How a learner classifies a finding on the findings item.
SIGN_UMN = "umn"
SIGN_LMN = "lmn"
SIGN_NEITHER = "neither"
SIGN_LABELS = {SIGN_UMN: "UMN sign", SIGN_LMN: "LMN sign", SIGN_NEITHER: "Neither"}

MEANING = {
    UMN: "a sign usually of upper motor neuron damage",
    LMN: "a sign usually of lower motor neuron damage",
    localization.SENSORY: (
        "a sensory finding: not a motor neuron sign, and a reason to doubt pure motor "
        "neuron disease"
    ),
    localization.CONTEXT: "context: it does not localize by itself, but it shapes the workup",
}
ABSENT_MEANING = {
    UMN: "Its absence removes one upper motor neuron sign from the picture.",
    LMN: "Its absence removes one lower motor neuron sign from the picture.",
    localization.SENSORY: (
        "Sensation is spared, which fits a lesion confined to the motor pathways."
    ),
    localization.CONTEXT: "Its absence is part of the picture.",
}

# The guideline statements each rule flag teaches from, and the lesson in our words. A flag
# fires on every case whose key has the pattern, whatever the cause (ALS, a cord lesion, a
# root, a stroke), so each lesson must stay true for all of them: it says what the guideline
# says and when it applies, never that the case is one particular disease.
FLAG_TEACHING: dict[str, tuple[tuple[str, ...], str]] = {
    localization.SENSORY_PITFALL: (
        ("sensory-pitfall", "peripheral-disorders", "central-disorders"),
        "Sensory findings are present. Typical upper and lower motor neuron lesions leave the "
        "sensory pathways alone, so sensory findings argue against pure motor neuron disease: "
        "look for a lesion or disorder that also reaches sensory pathways, peripheral or "
        "central.",
    ),
    localization.WATCH_FOR_LMN: (
        ("umn-focal-bulbar-predict", "umn-progression-predictors", "edx-mandatory"),
        "The signs are upper motor neuron only for now, but in a patient who starts with a "
        "pure upper motor neuron picture, {predictors} can herald later lower motor neuron "
        "involvement. Follow the patient for it, and confirm any lower motor neuron "
        "involvement with EMG and nerve conduction studies, because examination alone does "
        "not establish it.",
    ),
    localization.CONFIRM_WITH_EMG: (
        ("edx-mandatory",),
        "Examination alone does not establish lower motor neuron involvement: EMG and nerve "
        "conduction studies are what confirm it. {edx_status}",
    ),
    localization.MRI_BRAIN_FIRST: (
        ("mri-brain-first",),
        "When motor neuron disease itself is suspected, the best first imaging study is an MRI "
        "of the brain without contrast. That is a rule for suspected motor neuron disease, not "
        "for every weakness: other suspected lesions are imaged or tested in their own way.",
    ),
    localization.CHECK_CK: (
        ("ck-lmn-weakness",),
        "With lower motor neuron involvement and weakness, the guideline advises measuring "
        "creatine kinase (CK); it is markedly raised in conditions such as muscular dystrophy.",
    ),
    localization.MIXED_PATTERN: (
        ("mixed-als",),
        "Upper and lower motor neuron signs together: do not miss a mixed presentation. "
        "Consider ALS and test the picture against it: in ALS both kinds of sign coexist, and "
        "the weakness begins in one body region and spreads to the neighbouring ones.",
    ),
}
# EMG denervation is the finding that shows the confirmation was done; low motor amplitudes
# on nerve conduction alone are not specific enough to count as it.
EDX_FINDINGS = frozenset({"emg_denervation"})
EDX_DONE = "Here the EMG findings in the case provide that confirmation."
EDX_NOT_YET = "Wherever lower motor neuron involvement is in question, they belong in the workup."
FLAG_ORDER = (
    localization.MIXED_PATTERN,
    localization.SENSORY_PITFALL,
    localization.WATCH_FOR_LMN,
    localization.CONFIRM_WITH_EMG,
    localization.MRI_BRAIN_FIRST,
    localization.CHECK_CK,
)
VERDICT_STATEMENTS = {
    UMN: ("overview",),
    LMN: ("overview",),
    MIXED: ("overview", "mixed-als"),
    OTHER: ("overview", "peripheral-disorders"),
}
# Statements every explanation may cite, whatever the case itself cites.
ALWAYS_CITED = frozenset(
    {key for keys, _ in FLAG_TEACHING.values() for key in keys}
    | {key for keys in VERDICT_STATEMENTS.values() for key in keys}
)
PREDICTOR_WORDS = {
    "focal_weakness": "focal weakness",
    "bulbar_onset": "a bulbar onset",
    "weight_loss": "weight loss",
    "reduced_fvc": "a reduced forced vital capacity",
    "progressive_limb_weakness": "progressive limb weakness",
}


class UnresolvedCitation(LookupError):
    """A point cites a statement or reference that the content does not carry."""


# Content -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    key: str
    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True)
class CaseFinding:
    code: str
    name: str
    present: bool
    region: str = ""
    side: str = ""
    statements: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        return FINDING_CATEGORIES[self.code]

    @property
    def where(self) -> str:
        return ", ".join(part for part in (self.side, self.region.lower()) if part)


@dataclass(frozen=True)
class TeachingPoint:
    text: str
    statements: tuple[str, ...]
    explains_rule: bool = False


@dataclass(frozen=True)
class Option:
    id: int
    text: str
    correct: bool
    rationale: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class CaseContent:
    answer: str
    findings: tuple[CaseFinding, ...]
    teaching_points: tuple[TeachingPoint, ...]
    statements: Mapping[str, Statement]
    references: Mapping[int, str]
    next_step_prompt: str = ""
    options: tuple[Option, ...] = ()

    @property
    def present_codes(self) -> list[str]:
        """Codes of the present findings, once each, in the order of the case."""
        return list(dict.fromkeys(f.code for f in self.findings if f.present))

    @property
    def items(self) -> tuple[str, ...]:
        items = [LOCALIZATION]
        if self.present_codes:
            items.append(FINDINGS)
        if self.options:
            items.append(NEXT_STEP)
        return tuple(items)

    @classmethod
    def from_dict(cls, data: Mapping) -> "CaseContent":
        next_step = data.get("next_step") or {}
        return cls(
            answer=data["case"]["answer"],
            findings=tuple(
                CaseFinding(
                    code=f["code"],
                    name=f["name"],
                    present=f["present"],
                    region=f.get("region", ""),
                    side=f.get("side", ""),
                    statements=tuple(f.get("statements", ())),
                )
                for f in data["findings"]
            ),
            teaching_points=tuple(
                TeachingPoint(p["text"], tuple(p["statements"]), p.get("explains_rule", False))
                for p in data["teaching_points"]
            ),
            statements={
                key: Statement(key, s["text"], tuple(s["citations"]))
                for key, s in data["statements"].items()
            },
            references={int(number): label for number, label in data["references"].items()},
            next_step_prompt=next_step.get("prompt", ""),
            options=tuple(
                Option(o["id"], o["text"], o["correct"], o["rationale"], tuple(o["statements"]))
                for o in next_step.get("options", ())
            ),
        )


def sign_key(code: str) -> str:
    """The right classification of a finding on the findings item."""
    category = FINDING_CATEGORIES[code]
    return category if category in (UMN, LMN) else SIGN_NEITHER


# Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    kind: str  # verdict, evidence, absent, contradiction, rule, flag, teaching, rationale
    text: str
    citations: tuple[int, ...] = ()
    correct: bool | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "citations": list(self.citations),
            "correct": self.correct,
        }


@dataclass(frozen=True)
class ItemResult:
    item: str
    given: object
    key: object
    score: float
    points: tuple[Point, ...]
    references: tuple[tuple[int, str], ...] = field(default=())

    @property
    def correct(self) -> bool:
        return self.score == 1.0

    def explanation(self) -> dict:
        return {
            "points": [p.as_dict() for p in self.points],
            "references": [{"number": n, "label": label} for n, label in self.references],
        }


@dataclass(frozen=True)
class Answers:
    localization: str | None = None
    findings: Mapping[str, str] = field(default_factory=dict)
    next_step: int | None = None


# Grading -------------------------------------------------------------------------------


def _cite(content: CaseContent, keys: tuple[str, ...] | list[str]) -> tuple[int, ...]:
    numbers: set[int] = set()
    for key in keys:
        try:
            numbers.update(content.statements[key].citations)
        except KeyError as exc:
            raise UnresolvedCitation(f"statement {key!r} is not in the content") from exc
    return tuple(sorted(numbers))


def _finish(content: CaseContent, item: str, given, key, score: float, points) -> ItemResult:
    numbers = sorted({n for p in points for n in p.citations})
    missing = [n for n in numbers if n not in content.references]
    if missing:
        raise UnresolvedCitation(f"reference(s) {missing} cited but not known")
    return ItemResult(
        item=item,
        given=given,
        key=key,
        score=score,
        points=tuple(points),
        references=tuple((n, content.references[n]) for n in numbers),
    )


def _lower_first(text: str) -> str:
    # Keep acronyms (EMG, MRI, CK) as they are.
    text = text if text[:2].isupper() else text[:1].lower() + text[1:]
    # "Clonus: rhythmic beats..." reads as "clonus (rhythmic beats...)" inside a sentence.
    term, sep, gloss = text.partition(": ")
    return f"{term} ({gloss})" if sep else text


def _and_list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _finding_label(finding: CaseFinding) -> str:
    return f"{finding.name} ({finding.where})" if finding.where else finding.name


def _evidence(content: CaseContent) -> list[Point]:
    points = []
    for finding in content.findings:
        if finding.present:
            text = f"{_finding_label(finding)}: {MEANING[finding.category]}."
            points.append(Point("evidence", text, _cite(content, finding.statements)))
    for finding in content.findings:
        if not finding.present:
            text = f"Not present: {_lower_first(finding.name)}. {ABSENT_MEANING[finding.category]}"
            points.append(Point("absent", text, _cite(content, finding.statements)))
    return points


def _signs(content: CaseContent, category: str) -> list[CaseFinding]:
    return [f for f in content.findings if f.present and f.category == category]


def _names(findings: list[CaseFinding]) -> str:
    # A finding present in two regions is named once.
    return ", ".join(dict.fromkeys(_lower_first(f.name) for f in findings))


def _contradictions(content: CaseContent, given: str) -> list[Point]:
    """Why the learner's localization does not fit: the findings against it."""
    umn, lmn = _signs(content, UMN), _signs(content, LMN)
    points = []

    def against(findings: list[CaseFinding], text: str) -> None:
        keys = [k for f in findings for k in f.statements]
        points.append(Point("contradiction", text, _cite(content, keys or ["overview"])))

    if given in (UMN, OTHER) and lmn:
        against(lmn, f"Findings that count as lower motor neuron signs are present: {_names(lmn)}.")
    if given in (LMN, OTHER) and umn:
        against(umn, f"Findings that count as upper motor neuron signs are present: {_names(umn)}.")
    if given in (UMN, MIXED) and not umn:
        against([], "There is no upper motor neuron sign: no spasticity, brisk reflexes, "
                    "clonus or extensor plantar response.")  # fmt: skip
    if given in (LMN, MIXED) and not lmn:
        against([], "There is no lower motor neuron sign: no fasciculations, wasting, "
                    "flaccid tone or lost reflexes.")  # fmt: skip
    return points


def grade_localization(content: CaseContent, given: str) -> ItemResult:
    key = content.answer
    score = 1.0 if given == key else 0.0
    verdict = (
        f"Correct: {ANSWER_LABELS[key]}."
        if score
        else f"Not quite. You chose {ANSWER_LABELS.get(given, given)}; the answer is "
        f"{ANSWER_LABELS[key]}."
    )
    points = [Point("verdict", verdict, _cite(content, VERDICT_STATEMENTS[key]), bool(score))]
    points += _evidence(content)

    present = content.present_codes
    by_rule = localization.localize(present).answer
    shown_notes: list[TeachingPoint] = []
    if not score:
        found = _contradictions(content, given)
        points += found
        if not found or by_rule != key:
            # The signs alone point to the learner's choice (or elsewhere): the author says
            # why the key differs, in the teaching point that explains it.
            shown_notes = [p for p in content.teaching_points if p.explains_rule]
            for note in shown_notes:
                points.append(Point("contradiction", note.text, _cite(content, note.statements)))
    if by_rule != key:
        points.append(
            Point(
                "rule",
                f"Counting signs alone would suggest {RULE_WORDS[by_rule]}; the picture as a "
                f"whole points to {RULE_WORDS[key]}, as the teaching points explain.",
                _cite(content, ["overview"]),
            )
        )

    for flag in FLAG_ORDER:
        if flag not in flags_for(key, present):
            continue
        keys, text = FLAG_TEACHING[flag]
        if flag == localization.WATCH_FOR_LMN:
            text = text.format(
                predictors=_and_list([PREDICTOR_WORDS[c] for c in present if c in PREDICTOR_WORDS])
            )
        elif flag == localization.CONFIRM_WITH_EMG:
            done = any(code in EDX_FINDINGS for code in present)
            text = text.format(edx_status=EDX_DONE if done else EDX_NOT_YET)
        points.append(Point("flag", text, _cite(content, keys)))

    for teaching in content.teaching_points:
        if teaching in shown_notes:
            continue
        points.append(Point("teaching", teaching.text, _cite(content, teaching.statements)))
    return _finish(content, LOCALIZATION, given, key, score, points)


def grade_findings(content: CaseContent, given: Mapping[str, str]) -> ItemResult:
    codes = content.present_codes
    names = {f.code: f for f in content.findings if f.present}
    key = {code: sign_key(code) for code in codes}
    right = [code for code in codes if given.get(code) == key[code]]
    score = len(right) / len(codes)
    points = [
        Point(
            "verdict",
            f"{len(right)} of {len(codes)} findings classified right.",
            (),
            len(right) == len(codes),
        )
    ]
    for code in codes:
        finding = names[code]
        ok = given.get(code) == key[code]
        chosen = SIGN_LABELS.get(given.get(code, ""), "no answer")
        text = (
            f"{finding.name}: {SIGN_LABELS[key[code]]}. "
            + ("Correct." if ok else f"You said {chosen}.")
            + f" On its own it is {MEANING[finding.category]}."
        )
        points.append(Point("evidence", text, _cite(content, finding.statements), ok))
    return _finish(content, FINDINGS, dict(given), key, score, points)


def grade_next_step(content: CaseContent, given: int | None) -> ItemResult:
    correct = next(o for o in content.options if o.correct)
    chosen = next((o for o in content.options if o.id == given), None)
    score = 1.0 if chosen is correct else 0.0
    verdict = (
        f"Correct: {correct.text}."
        if score
        else f"Not the best next step. You chose: {chosen.text if chosen else 'no answer'}. "
        f"The best answer is: {correct.text}."
    )
    points = [Point("verdict", verdict, (), bool(score))]
    # The learner's choice first, then the best answer, then the rest.
    ordered = [o for o in (chosen, correct) if o] + [
        o for o in content.options if o not in (chosen, correct)
    ]
    for option in dict.fromkeys(ordered):
        points.append(
            Point(
                "rationale",
                f"{option.text}: {option.rationale}",
                _cite(content, option.statements),
                option.correct,
            )
        )
    return _finish(content, NEXT_STEP, given, correct.id, score, points)


def grade_case(content: CaseContent, answers: Answers) -> dict[str, ItemResult]:
    """Grade every item the case asks."""
    results = {LOCALIZATION: grade_localization(content, answers.localization or "")}
    if FINDINGS in content.items:
        results[FINDINGS] = grade_findings(content, answers.findings)
    if NEXT_STEP in content.items:
        results[NEXT_STEP] = grade_next_step(content, answers.next_step)
    return results
