"""Grading: pure functions from a case's content and a learner's answers to scores and
explanations. No requests, no queries: the content arrives as a snapshot (see
`quizzes.content`), so a learner is graded on exactly what they were shown.

Every explanation is a list of points, each carrying the guideline reference numbers it
rests on; a citation that does not resolve to a reference is an error, never a blank.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cases import localization, schema
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

# How sure a learner is of their localization. It never changes a score; a confident miss
# is said plainly, and the dashboard shows how often each level was right.
SURE = "sure"
FAIRLY_SURE = "fairly_sure"
GUESSING = "guessing"
CERTAINTY_LABELS = {SURE: "Sure", FAIRLY_SURE: "Fairly sure", GUESSING: "Guessing"}

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
    localization.CONTEXT: (
        "context: not an upper or lower motor neuron sign, but it shapes the workup"
    ),
}
ABSENT_MEANING = {
    UMN: "Its absence removes one upper motor neuron sign from the picture.",
    LMN: "Its absence removes one lower motor neuron sign from the picture.",
    localization.SENSORY: "Sensation is normal: the sensory pathways show no sign of damage.",
    localization.CONTEXT: "Its absence is part of the picture.",
}
# Where a category's line would not be true of the code: no level does not mean normal
# sensation.
ABSENT_BY_CODE = {"sensory_level": "No sensory level is found."}
# What each lesson says, and where it applies, is content (`cases/content/guideline.json`,
# "lessons"); `schema.TRIGGERS` gives the order they are taught in.
PREDICTOR_WORDS = {
    "focal_weakness": "focal weakness",
    "bulbar_onset": "a bulbar onset",
    "weight_loss": "weight loss",
    "reduced_fvc": "a reduced forced vital capacity",
    "progressive_limb_weakness": "progressive limb weakness",
}

CaseContent = schema.CaseSnapshot
CaseFinding = schema.SnapshotFinding


class UnresolvedCitation(LookupError):
    """A point cites a statement or reference that the content does not carry."""


def sign_key(code: str) -> str:
    """The right classification of a finding on the findings item."""
    category = FINDING_CATEGORIES[code]
    return category if category in (UMN, LMN) else SIGN_NEITHER


# Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One point of an explanation.

    Its guideline citations (and the named sources of those statements) support the text
    before "Beyond this guideline:"; the point's own named sources support the part after
    it. So each is shown where it belongs: `lead [1, 4] Beyond this guideline: ... [source]`.
    """

    kind: str  # verdict, evidence, absent, contradiction, rule, flag, teaching, rationale
    text: str
    citations: tuple[int, ...] = ()
    correct: bool | None = None
    sources: tuple[str, ...] = ()
    flag: str | None = None  # the lesson's trigger, for flag points
    beyond_sources: tuple[str, ...] = ()

    @property
    def lead(self) -> str:
        return self.text.partition(schema.BEYOND)[0].strip()

    @property
    def beyond(self) -> str:
        _, label, rest = self.text.partition(schema.BEYOND)
        return f"{label}{rest}" if label else ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "lead": self.lead,
            "beyond": self.beyond,
            "citations": list(self.citations),
            "sources": list(self.sources),
            "beyond_sources": list(self.beyond_sources),
            "correct": self.correct,
            "flag": self.flag,
        }


@dataclass(frozen=True)
class ItemResult:
    item: str
    given: object
    key: object
    score: float
    points: tuple[Point, ...]
    references: tuple[tuple[int, str], ...] = field(default=())
    sources: tuple[schema.SourceSchema, ...] = field(default=())

    @property
    def correct(self) -> bool:
        return self.score == 1.0

    def explanation(self) -> dict:
        return {
            "points": [p.as_dict() for p in self.points],
            "references": [{"number": n, "label": label} for n, label in self.references],
            "sources": [
                {"key": s.key, "label": s.label, "citation": s.citation, "link": s.link}
                for s in self.sources
            ],
        }


@dataclass(frozen=True)
class Answers:
    localization: str | None = None
    findings: Mapping[str, str] = field(default_factory=dict)
    next_step: int | None = None
    certainty: str | None = None


# Grading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cites:
    numbers: tuple[int, ...]
    sources: tuple[str, ...]  # the named sources of the statements cited
    own: tuple[str, ...] = ()  # the point's own named sources


def _cite(content: CaseContent, keys: Sequence[str], sources: Sequence[str] = ()) -> Cites:
    """The reference numbers and named sources of the statements cited, and the point's
    own named sources."""
    numbers: set[int] = set()
    named: set[str] = set()
    for key in keys:
        try:
            statement = content.statements[key]
        except KeyError as exc:
            raise UnresolvedCitation(f"statement {key!r} is not in the content") from exc
        numbers.update(statement.citations)
        named.update(statement.sources)
    return Cites(tuple(sorted(numbers)), tuple(sorted(named)), tuple(sorted(set(sources))))


def _point(kind: str, text: str, cites: Cites, correct: bool | None = None, **extra) -> Point:
    if schema.BEYOND in text:
        lead = tuple(k for k in cites.sources if k not in cites.own)
        return Point(
            kind, text, cites.numbers, correct, sources=lead, beyond_sources=cites.own, **extra
        )
    sources = tuple(sorted({*cites.sources, *cites.own}))
    return Point(kind, text, cites.numbers, correct, sources=sources, **extra)


def _in_scope(content: CaseContent, keys: Sequence[str]) -> list[str]:
    """The statements among `keys` that are true lessons for this case's site."""
    return [
        k
        for k in keys
        if k not in content.statements or content.in_scope(content.statements[k].scope)
    ]


def _finish(content: CaseContent, item: str, given, key, score: float, points) -> ItemResult:
    numbers = sorted({n for p in points for n in p.citations})
    missing = [n for n in numbers if n not in content.references]
    named = sorted({k for p in points for k in (*p.sources, *p.beyond_sources)})
    missing_sources = [k for k in named if k not in content.sources]
    if missing or missing_sources:
        raise UnresolvedCitation(f"reference(s) {missing or missing_sources} cited but not known")
    return ItemResult(
        item=item,
        given=given,
        key=key,
        score=score,
        points=tuple(points),
        references=tuple((n, content.references[n]) for n in numbers),
        sources=tuple(content.sources[k] for k in named),
    )


EPONYMS = ("Hoffmann", "Babinski")


def _lower_first(text: str) -> str:
    # Keep acronyms (EMG, MRI, CK) and eponyms as they are.
    keep = text[:2].isupper() or text.startswith(EPONYMS)
    text = text if keep else text[:1].lower() + text[1:]
    # "Clonus: rhythmic beats..." reads as "clonus (rhythmic beats...)" inside a sentence.
    term, sep, gloss = text.partition(": ")
    return f"{term} ({gloss})" if sep else text


def _and_list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _finding_label(finding: CaseFinding) -> str:
    return f"{finding.name} ({finding.where})" if finding.where else finding.name


def _meaning(finding: CaseFinding) -> str:
    meaning = f"{MEANING[finding.category]}."
    return f"{meaning} {finding.explanation}" if finding.explanation else meaning


def _finding_cites(content: CaseContent, finding: CaseFinding) -> Cites:
    """What a present finding's line cites: the statements on its sign, where they hold for
    this case. A context finding's line ("not an upper or lower motor neuron sign") cites
    nothing."""
    if finding.category == localization.CONTEXT:
        return _cite(content, [])
    return _cite(content, _in_scope(content, finding.statements))


def _evidence(content: CaseContent) -> list[Point]:
    points = []
    for finding in content.findings:
        if finding.present:
            text = f"{_finding_label(finding)}: {_meaning(finding)}"
            points.append(_point("evidence", text, _finding_cites(content, finding)))
    for finding in content.findings:
        if not finding.present:
            meaning = (
                finding.note or ABSENT_BY_CODE.get(finding.code) or ABSENT_MEANING[finding.category]
            )
            text = f"Not present: {_lower_first(finding.name)}. {meaning}"
            # The generic line for an absent sign rests on what the sign means; a note or the
            # line for an absent sensory or context finding cites nothing.
            sign = finding.category in (UMN, LMN) and not finding.note
            cites = _cite(content, _in_scope(content, finding.statements) if sign else [])
            points.append(_point("absent", text, cites))
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
        keys = _in_scope(content, [k for f in findings for k in f.statements])
        points.append(_point("contradiction", text, _cite(content, keys or schema.ALWAYS_CITED)))

    if given in (UMN, OTHER) and lmn:
        against(lmn, f"Findings that count as lower motor neuron signs are present: {_names(lmn)}.")
    if given in (LMN, OTHER) and umn:
        against(umn, f"Findings that count as upper motor neuron signs are present: {_names(umn)}.")
    # "No such sign" argues only against a choice the key does not share: where the key
    # itself has no sign of its kind (spinal shock), the teaching points say why.
    key = content.answer
    if given in (UMN, MIXED) and not umn and key not in (UMN, MIXED):
        against([], "None of the findings is an upper motor neuron sign: no spasticity, brisk "
                    "reflexes, clonus or extensor plantar response.")  # fmt: skip
    if given in (LMN, MIXED) and not lmn and key not in (LMN, MIXED):
        against([], "None of the findings is a lower motor neuron sign: no fasciculations, "
                    "wasting, flaccid tone or lost reflexes.")  # fmt: skip
    return points


def lessons(content: CaseContent) -> list[Point]:
    """The content's lessons that apply to this case, in trigger order: those whose trigger
    fires (a flag of the rule on the case's key, or a key of "neither"), whose scope takes in
    the case's site or differential, and whose findings conditions hold."""
    present = content.present_codes
    fired = set(flags_for(content.answer, present))
    if content.answer == OTHER:
        fired.add(schema.NEITHER)
    predictors = _and_list([PREDICTOR_WORDS[c] for c in present if c in PREDICTOR_WORDS] or [""])
    points = []
    for trigger in schema.TRIGGERS:
        if trigger not in fired:
            continue
        for lesson in content.lessons:
            if lesson.trigger != trigger or not lesson.applies(
                sites=content.sites, present=set(present)
            ):
                continue
            text = lesson.text.replace("{predictors}", predictors)
            cites = _cite(content, lesson.statements, lesson.sources)
            points.append(_point("flag", text, cites, flag=trigger))
    return points


def grade_localization(
    content: CaseContent, given: str, certainty: str | None = None
) -> ItemResult:
    key = content.answer
    score = 1.0 if given == key else 0.0
    verdict = (
        f"Correct: {ANSWER_LABELS[key]}."
        if score
        else f"Not quite. You chose {ANSWER_LABELS.get(given, given)}; the answer is "
        f"{ANSWER_LABELS[key]}."
    )
    # The verdict cites what UMN and LMN signs are; "neither" rests on no such statement
    # (the lesson for a junction or muscle case says why this app asks it).
    verdict_cites = _cite(content, schema.ALWAYS_CITED if key != OTHER else [])
    points = [_point("verdict", verdict, verdict_cites, bool(score))]
    if certainty == SURE and not score:
        points.append(
            Point(
                "calibration",
                "You were sure of this answer, and it was wrong: a confident miss is the one "
                "most worth coming back to. It is listed on your progress page.",
            )
        )
    points += _evidence(content)

    present = content.present_codes
    by_rule = localization.localize(present).answer
    shown_notes: list[schema.TeachingPointSchema] = []
    if not score:
        found = _contradictions(content, given)
        points += found
        if not found or by_rule != key:
            # The signs alone point to the learner's choice (or elsewhere): the author says
            # why the key differs, in the teaching point that explains it.
            shown_notes = [p for p in content.teaching_points if p.explains_rule]
            for note in shown_notes:
                cites = _cite(content, note.statements, note.sources)
                points.append(_point("contradiction", note.text, cites))
    if by_rule != key:
        points.append(
            _point(
                "rule",
                f"Counting signs alone would suggest {RULE_WORDS[by_rule]}; the picture as a "
                f"whole points to {RULE_WORDS[key]}, as the teaching points explain.",
                # A remark on this case's reasoning: the teaching points carry the citations.
                _cite(content, []),
            )
        )
    points += lessons(content)
    for teaching in content.teaching_points:
        if teaching in shown_notes:
            continue
        cites = _cite(content, teaching.statements, teaching.sources)
        points.append(_point("teaching", teaching.text, cites))
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
            + f" On its own it is {_meaning(finding)}"
        )
        points.append(_point("evidence", text, _finding_cites(content, finding), ok))
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
        cites = _cite(content, option.statements, option.sources)
        points.append(
            _point("rationale", f"{option.text}: {option.rationale}", cites, option.correct)
        )
    return _finish(content, NEXT_STEP, given, correct.id, score, points)


def grade_case(content: CaseContent, answers: Answers) -> dict[str, ItemResult]:
    """Grade every item the case asks."""
    results = {
        LOCALIZATION: grade_localization(content, answers.localization or "", answers.certainty)
    }
    if FINDINGS in content_items(content):
        results[FINDINGS] = grade_findings(content, answers.findings)
    if NEXT_STEP in content_items(content):
        results[NEXT_STEP] = grade_next_step(content, answers.next_step)
    return results


def content_items(content: CaseContent) -> tuple[str, ...]:
    """The items a case asks: localization always, findings if any is present, the next
    step if the case has one."""
    items = [LOCALIZATION]
    if content.present_codes:
        items.append(FINDINGS)
    if content.options:
        items.append(NEXT_STEP)
    return tuple(items)
