"""Grading: pure functions from a case's content and a learner's answers to scores and
explanations. No requests, no queries: the content arrives as a snapshot (see
`quizzes.content`), so a learner is graded on exactly what they were shown.

Every explanation is a list of points, each carrying the guideline reference numbers it
rests on; a citation that does not resolve to a reference is an error, never a blank.
"""

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field

from cases import localization, schema
from cases.localization import FINDING_CATEGORIES, LMN, MIXED, OTHER, UMN, flags_for

LOCALIZATION = "localization"
SITE = "site"
REVISED = "revised"
FINDINGS = "findings"
NEXT_STEP = "next_step"
ITEMS = (LOCALIZATION, SITE, REVISED, FINDINGS, NEXT_STEP)
ITEM_LABELS = {
    LOCALIZATION: "Localization",
    SITE: "Site of the lesion",
    REVISED: "Localization after the tests",
    FINDINGS: "Findings",
    NEXT_STEP: "Next step",
}
# The steps of a case, as the progress page names them.
STEP_LABELS = {
    LOCALIZATION: "Localization before the tests",
    SITE: "Site of the lesion",
    REVISED: "Localization after the tests",
}
# What the summary counts for each item.
ITEM_UNITS = {
    LOCALIZATION: "cases",
    SITE: "cases",
    REVISED: "cases",
    FINDINGS: "findings",
    NEXT_STEP: "questions",
}
# A case is met in stages, as in clinic: the learner commits to the localization, the site
# and their certainty from the history and examination (stage 1) before the investigations
# and the findings list appear (stage 2); then the results.
STAGE_ONE, STAGE_TWO, RESULTS = 1, 2, 3
SITE_LABELS = localization.SITE_LABELS
SITE_NAMES = localization.SITE_NAMES

ANSWER_LABELS = localization.ANSWER_LABELS
ANSWER_NAMES = localization.ANSWER_NAMES

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
SIGN_WORDS = {SIGN_UMN: "a UMN sign", SIGN_LMN: "an LMN sign", SIGN_NEITHER: "neither"}

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

    # verdict, evidence, absent, contradiction, rule, flag, teaching, rationale, site,
    # differential, change, calibration
    kind: str
    text: str
    citations: tuple[int, ...] = ()
    correct: bool | None = None
    sources: tuple[str, ...] = ()
    flag: str | None = None  # the lesson's trigger, for flag points
    beyond_sources: tuple[str, ...] = ()
    lesson: str | None = None  # the lesson's key, taught in full once in an attempt

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
            "lesson": self.lesson,
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
    # The point shown under the verdict at a glance; the rest stays folded.
    why: Point | None = None

    @property
    def correct(self) -> bool:
        return self.score == 1.0

    def explanation(self) -> dict:
        return {
            "why": self.why.as_dict() if self.why else None,
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
    site: str | None = None
    # The localization after the tests; None: kept as it was.
    revised: str | None = None


POINT_LABELS = {
    "evidence": "Finding",
    "absent": "Absent",
    "contradiction": "Why not",
    "rule": "Rule",
    "flag": "Remember",
    "calibration": "Certainty",
    "teaching": "Teaching",
    "rationale": "Option",
    "site": "The site",
    "differential": "Considered",
    "change": "After the tests",
}


def point_label(kind: str, correct: bool | None) -> str:
    """How the explanation labels a point: its kind, marked where it was right or wrong."""
    if kind == "rationale":
        return "✓ Best" if correct else "Option"
    label = POINT_LABELS.get(kind, kind)
    if kind == "evidence" and correct is not None:
        return f"{'✓' if correct else '✗'} {label}"
    return label


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


def _finish(
    content: CaseContent, item: str, given, key, score: float, points, why: Point | None = None
) -> ItemResult:
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
        why=why,
    )


EPONYMS = ("Hoffmann", "Babinski")


def _lower_first(text: str) -> str:
    # Keep acronyms (EMG, MRI, CK) and eponyms as they are.
    keep = text[:2].isupper() or text.startswith(EPONYMS)
    text = text if keep else text[:1].lower() + text[1:]
    # "Clonus: rhythmic beats..." reads as "clonus (rhythmic beats...)" inside a sentence.
    term, sep, gloss = text.partition(": ")
    return f"{term} ({gloss})" if sep else text


def _upper_first(text: str) -> str:
    # "mixed UMN and LMN" -> "Mixed UMN and LMN" (str.capitalize would lower the rest).
    return text[:1].upper() + text[1:]


def _and_list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _you_chose(names: Mapping[str, str], given: str) -> str:
    """What the learner chose, in words; an exam's unanswered item says so."""
    return f"You chose {names.get(given, given)}" if given else "You gave no answer"


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


def _short_name(finding: CaseFinding) -> str:
    """A sign by its name alone ("clonus", not its gloss); a test with its result."""
    if finding.code in localization.TESTS:
        return _lower_first(finding.name)
    return _lower_first(finding.name.partition(": ")[0])


def _names(findings: list[CaseFinding]) -> str:
    # A finding present in two regions is named once.
    return ", ".join(dict.fromkeys(_short_name(f) for f in findings))


def _contradictions(content: CaseContent, given: str, *, bedside: bool = False) -> list[Point]:
    """Why the learner's localization does not fit: the findings against it. With `bedside`
    (the localization committed before the tests) the signs named are those of the history
    and examination where there are any, the tests only where they alone show them."""
    umn, lmn = _signs(content, UMN), _signs(content, LMN)
    points = []

    def named(found: list[CaseFinding]) -> list[CaseFinding]:
        exam = [f for f in found if f.code not in localization.TESTS]
        return exam if bedside and exam else found

    def against(findings: list[CaseFinding], text: str) -> None:
        keys = _in_scope(content, [k for f in findings for k in f.statements])
        points.append(_point("contradiction", text, _cite(content, keys or schema.ALWAYS_CITED)))

    if given in (UMN, OTHER) and lmn:
        signs = named(lmn)
        against(
            signs, f"Findings that count as lower motor neuron signs are present: {_names(signs)}."
        )
    if given in (LMN, OTHER) and umn:
        signs = named(umn)
        against(
            signs, f"Findings that count as upper motor neuron signs are present: {_names(signs)}."
        )
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


def lessons(content: CaseContent, seen: Container[str] = ()) -> list[Point]:
    """The content's lessons that apply to this case, in trigger order: those whose trigger
    fires (a flag of the rule on the case's key, or a key of "neither"), whose scope takes in
    the case's site or differential, and whose findings conditions hold. A lesson already
    taught in the attempt (`seen`) is said again as its one-line reminder."""
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
            if lesson.key in seen and lesson.reminder:
                cites = _reminder_cites(content, lesson)
                text = lesson.reminder
            else:
                text = lesson.text.replace("{predictors}", predictors)
                cites = _cite(content, lesson.statements, lesson.sources)
            points.append(_point("flag", text, cites, flag=trigger, lesson=lesson.key))
    return points


def _reminder_cites(content: CaseContent, lesson: schema.LessonSchema) -> Cites:
    # A reminder restates the lesson: its statements for a part before the label, and its
    # sources only for a part labelled beyond the guideline.
    lead, beyond, _ = lesson.reminder.partition(schema.BEYOND)
    statements = lesson.statements if lead.strip() else ()
    return _cite(content, statements, lesson.sources if beyond else ())


def _verdict_cites(content: CaseContent) -> Cites:
    # The verdict cites what UMN and LMN signs are; "neither" rests on no such statement
    # (the lesson for a junction or muscle case says why this app asks it).
    return _cite(content, schema.ALWAYS_CITED if content.answer != OTHER else [])


def grade_localization(
    content: CaseContent, given: str, certainty: str | None = None, seen: Container[str] = ()
) -> ItemResult:
    key = content.answer
    score = 1.0 if given == key else 0.0
    verdict = (
        f"Correct: {_upper_first(ANSWER_NAMES[key])}."
        if score
        else f"Not quite. {_you_chose(ANSWER_NAMES, given)}; the answer is {ANSWER_NAMES[key]}."
    )
    points = [_point("verdict", verdict, _verdict_cites(content), bool(score))]
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
    found: list[Point] = []
    if not score:
        found = _contradictions(content, given, bedside=True)
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
    points += lessons(content, seen)
    for teaching in content.teaching_points:
        if teaching in shown_notes:
            continue
        cites = _cite(content, teaching.statements, teaching.sources)
        points.append(_point("teaching", teaching.text, cites))
    why = _why(content, found) if not score else None
    return _finish(content, LOCALIZATION, given, key, score, points, why)


def _why(content: CaseContent, found: list[Point]) -> Point | None:
    """The line under a wrong localization's verdict: where the signs alone mislead, the
    teaching point that says why the answer differs (a list of the signs against the
    learner's choice could point away from the answer); otherwise those signs, all of them."""
    if localization.localize(content.present_codes).answer != content.answer:
        note = next((p for p in content.teaching_points if p.explains_rule), None)
        if note is not None:
            return _point("contradiction", note.text, _cite(content, note.statements, note.sources))
    if len(found) < 2:
        return found[0] if found else None
    return Point(
        "contradiction",
        " ".join(p.text for p in found),
        tuple(sorted({n for p in found for n in p.citations})),
        sources=tuple(sorted({k for p in found for k in p.sources})),
    )


def grade_revised(content: CaseContent, given: str, first: str) -> ItemResult:
    """The localization after the tests, graded as its own item: the verdict, what the
    tests changed, and why a wrong answer does not fit."""
    key = content.answer
    score = 1.0 if given == key else 0.0
    verdict = (
        f"After the tests: right, {ANSWER_NAMES[key]}."
        if score
        else f"After the tests: not quite. {_you_chose(ANSWER_NAMES, given)}; the answer is "
        f"{ANSWER_NAMES[key]}."
    )
    # A verdict on one patient: the localization item cites what the signs mean.
    points = [Point("verdict", verdict, (), bool(score))]
    if not given:
        change = (
            "You gave no answer after the tests; in an exam the first answer does not carry "
            "over, so an unanswered question scores nothing."
        )
    elif given == first:
        change = "You kept your first answer after the tests."
    elif score:
        change = (
            f"You changed your answer from {ANSWER_NAMES.get(first, first)} after the tests, "
            "and the change was right."
        )
    elif first == key:
        change = "Your first answer was right; the change after the tests was not."
    else:
        change = f"You changed your answer from {ANSWER_NAMES.get(first, first)} after the tests."
    points.append(Point("change", change))
    found = _contradictions(content, given) if not score else []
    points += found
    # A kept answer's why is the localization's, already shown above it.
    why = _why(content, found) if not score and given != first else None
    return _finish(content, REVISED, given, key, score, points, why)


def site_lessons(content: CaseContent) -> dict[str, schema.LessonSchema]:
    """What places a lesion at each site, by site, as the content has it."""
    return {x.scope[0]: x for x in content.lessons if x.trigger == schema.SITE_LESSON}


def grade_site(content: CaseContent, given: str) -> ItemResult:
    """Where the lesion is: the verdict, what places it at the case's site, and what would
    point to each site of the differential (and to the learner's choice) instead."""
    key = content.case.site
    score = 1.0 if given == key or given in content.case.site_accepts else 0.0
    if given == key:
        verdict = f"Correct: {SITE_NAMES[key]}."
    elif score:
        verdict = (
            f"Accepted: {SITE_NAMES[given]} is defensible here; the best single answer is "
            f"{SITE_NAMES[key]}."
        )
    else:
        verdict = (
            f"Not quite. {_you_chose(SITE_NAMES, given)}; the best single answer is "
            f"{SITE_NAMES[key]}."
        )
    points = [Point("verdict", verdict, (), bool(score))]
    taught = site_lessons(content)
    why = None
    considered = [key, *content.case.differential]
    if given not in considered:
        considered.append(given)
    for site in considered:
        lesson = taught.get(site)
        if lesson is None:
            continue
        kind = "site" if site == key else "differential"
        if site in content.sites:
            text, cites = lesson.text, _cite(content, lesson.statements, lesson.sources)
        else:
            # The learner's pick, outside the case's differential: what would point there,
            # in one line; a lesson scoped to a site is taught in full only where it applies.
            text, cites = lesson.reminder, _reminder_cites(content, lesson)
        points.append(_point(kind, f"{SITE_NAMES[site]}. {text}", cites, site == key or None))
        if site == key and given != key and lesson.reminder:
            # At a glance, in one line: what places a lesion at the site.
            why = _point("site", lesson.reminder, _reminder_cites(content, lesson))
    return _finish(content, SITE, given, key, score, points, why)


def grade_findings(content: CaseContent, given: Mapping[str, str]) -> ItemResult:
    codes = content.present_codes
    names = {f.code: f for f in content.findings if f.present}
    key = {code: sign_key(code) for code in codes}
    right = [code for code in codes if given.get(code) == key[code]]
    score = len(right) / len(codes)
    noun = "finding" if len(codes) == 1 else "findings"
    points = [
        Point(
            "verdict",
            f"{len(right)} of {len(codes)} {noun} classified right.",
            (),
            len(right) == len(codes),
        )
    ]
    # At a glance, the ones misread, each with its right sign; the detail stays folded.
    missed = [
        f"{_upper_first(_short_name(names[code]))}: {SIGN_WORDS[key[code]]} (you said "
        f"{SIGN_LABELS.get(given.get(code, ''), 'nothing')})"
        for code in codes
        if given.get(code) != key[code]
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
    why = Point("evidence", "; ".join(missed) + ".") if missed else None
    return _finish(content, FINDINGS, dict(given), key, score, points, why)


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


def grade_stage(
    content: CaseContent,
    answers: Answers,
    stage: int,
    *,
    first: str = "",
    seen: Container[str] = (),
) -> dict[str, ItemResult]:
    """Grade the items of one stage. `first` is the stage-1 localization (for the revised
    one); `seen` the lessons already taught in the attempt."""
    graders = {
        LOCALIZATION: lambda: grade_localization(
            content, answers.localization or "", answers.certainty, seen
        ),
        SITE: lambda: grade_site(content, answers.site or ""),
        REVISED: lambda: grade_revised(content, answers.revised or first, first),
        FINDINGS: lambda: grade_findings(content, answers.findings),
        NEXT_STEP: lambda: grade_next_step(content, answers.next_step),
    }
    return {item: graders[item]() for item in stage_items(content, stage)}


def grade_case(content: CaseContent, answers: Answers) -> dict[str, ItemResult]:
    """Grade every item the case asks, both stages at once (as `explain` shows them)."""
    first = answers.localization or ""
    return {
        **grade_stage(content, answers, STAGE_ONE),
        **grade_stage(content, answers, STAGE_TWO, first=first),
    }


def stage_items(content: CaseContent, stage: int) -> tuple[str, ...]:
    """The items a stage asks. Stage 1: the localization always, the site where the case
    has one. Stage 2: the localization again if there are investigations to revise it by,
    the findings if any is present, the next step if the case has one."""
    if stage == STAGE_ONE:
        # A snapshot taken before site lessons existed could not explain the site: not asked.
        asks_site = content.case.site in site_lessons(content)
        return (LOCALIZATION, SITE) if asks_site else (LOCALIZATION,)
    items = []
    if content.case.investigations_html:
        items.append(REVISED)
    if content.present_codes:
        items.append(FINDINGS)
    if content.options:
        items.append(NEXT_STEP)
    return tuple(items)


def content_items(content: CaseContent) -> tuple[str, ...]:
    """Every item a case asks, in the order asked."""
    return stage_items(content, STAGE_ONE) + stage_items(content, STAGE_TWO)
