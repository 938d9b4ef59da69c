"""One schema for a case's content and the knowledge it cites.

Bank files (import, export, the curated content in `cases/content/`), the database adapter
(`cases.selectors.case_data`), the writer (`cases.services.write_case`), the attempt
snapshot and grading all go through these pydantic models, and `validate_bank` is the one
validator: a rule such as "exactly one correct option" is written once, here. No Django:
grading imports the snapshot models and stays pure.

Errors keep their locations (`cases[3] ("als-limb-onset").findings[2].code: ...`).
References to statements, findings and sources are checked against what the file and the
bank hold, passed in as validation context; the snapshot, already checked when the case was
saved, is read without it.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cases import localization

STATUSES = ("draft", "review", "published", "retired")
PUBLISHED = "published"
DIFFICULTIES = ("introductory", "intermediate", "advanced")
SEXES = ("female", "male")
REGIONS = ("bulbar", "cervical", "thoracic", "lumbosacral")
SIDES = ("left", "right", "bilateral")
TOPICS = ("signs", "diagnosis", "imaging", "laboratory", "anatomy", "pitfalls", "management")
CATEGORIES = ("umn", "lmn", "sensory", "context")
# What triggers a lesson: a flag of the rule, or a case whose key is "neither"; in the
# order explanations teach them.
NEITHER = "neither"
TRIGGERS = (
    localization.MIXED_PATTERN,
    NEITHER,
    localization.SENSORY_PITFALL,
    localization.WATCH_FOR_LMN,
    localization.CONFIRM_WITH_EMG,
    localization.MRI_BRAIN_FIRST,
    localization.CHECK_CK,
)
# A site lesson says what places a lesion at one site: the site item teaches it for the
# case's site and for each site in its differential.
SITE_LESSON = "site"
LESSON_TRIGGERS = (*TRIGGERS, SITE_LESSON)

# The database's column sizes (cases.models), checked here so a long value is a located
# message, not a database error.
MAX_LENGTHS = {
    "slug": 80,
    "title": 200,
    "statement_key": 60,
    "reference_text": 300,
    "finding_name": 200,
    "tag": 40,
    "prompt": 300,
    "option": 300,
    "source_key": 60,
}
REFERENCE_NUMBER_MAX = 32767
YEARS = (1900, 2100)
AGES = (0, 120)
BEYOND = "Beyond this guideline:"
# The statement every verdict cites: what UMN and LMN damage look like.
ALWAYS_CITED = ("overview",)
_SLUG = re.compile(r"^[-a-z0-9_]+$")


# Field types with the messages authors read --------------------------------------------


def _choice(values: Iterable[str], *, blank: bool = False) -> Callable[[Any], Any]:
    allowed = tuple(values)

    def check(value: Any) -> Any:
        if blank and value == "":
            return value
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return check


def _text(*, max_length: int = 0, blank: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise ValueError("must be a string" if blank else "must be a non-empty string")
        if max_length and len(value) > max_length:
            raise ValueError(f"is {len(value)} characters long; the most is {max_length}")
        return value

    return check


def _slug(max_length: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not _SLUG.match(value):
            raise ValueError("must be a slug (lowercase letters, digits, hyphens)")
        if len(value) > max_length:
            raise ValueError(f"is longer than {max_length} characters")
        return value

    return check


def _whole(low: int, high: int, message: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # A bool is an int to Python, never a number to an author.
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(message)
        return value

    return check


def _keys(value: Any) -> Any:
    if not isinstance(value, list | tuple):
        raise ValueError("must be a list")
    return tuple(value)


Slug = Annotated[str, BeforeValidator(_slug(MAX_LENGTHS["slug"]))]
Text = Annotated[str, BeforeValidator(_text())]
Site = Annotated[str, BeforeValidator(_choice(localization.SITES))]
Keys = Annotated[tuple[str, ...], BeforeValidator(_keys)]


class Schema(BaseModel):
    """Strict: no coercion ("1" is not 1, true is not a number) and no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


@dataclass(frozen=True)
class Known:
    """What cross-references may point at: the file's own entries and the bank's."""

    references: frozenset[int] = frozenset()
    statements: frozenset[str] = frozenset()
    findings: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()


def _known(info: ValidationInfo) -> Known | None:
    return info.context.get("known") if isinstance(info.context, dict) else None


def _check_keys(values: tuple[str, ...], info: ValidationInfo, kind: str) -> tuple[str, ...]:
    known = _known(info)
    if known is None:
        return values
    pool = getattr(known, f"{kind}s")
    unknown = [key for key in values if not isinstance(key, str) or key not in pool]
    if unknown:
        raise ValueError(", ".join(f'unknown {kind} "{key}"' for key in unknown))
    return values


def _sorted_unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def case_sites(site: str, differential: Iterable[str]) -> set[str]:
    """A case's site and its differential: the sites where a scoped lesson may apply."""
    return {site, *differential} - {""}


def in_scope(sites: set[str], scope: Iterable[str], except_scope: Iterable[str] = ()) -> bool:
    """The one scope rule: an empty scope takes in every case; otherwise the case's site or
    one in its differential must be in it, and none may be in `except_scope`."""
    scope = set(scope)
    return (not scope or bool(sites & scope)) and not sites & set(except_scope)


# The knowledge base ---------------------------------------------------------------------


class ReferenceSchema(Schema):
    """A numbered reference of the guideline; 5 to 8 are cited but not named in it."""

    number: Annotated[
        int,
        BeforeValidator(
            _whole(
                1, REFERENCE_NUMBER_MAX, f"must be a whole number from 1 to {REFERENCE_NUMBER_MAX}"
            )
        ),
    ]
    title: Annotated[
        str, BeforeValidator(_text(max_length=MAX_LENGTHS["reference_text"], blank=True))
    ]
    source: Annotated[
        str, BeforeValidator(_text(max_length=MAX_LENGTHS["reference_text"], blank=True))
    ]
    year: Annotated[
        int | None,
        BeforeValidator(
            lambda v: (
                v
                if v is None
                else _whole(*YEARS, f"must be a year from {YEARS[0]} to {YEARS[1]}, or null")(v)
            )
        ),
    ]


def _url(value: Any) -> Any:
    _text(blank=True, max_length=300)(value)
    if value and not (
        value.startswith("https://") and _hostname(value) and not any(c.isspace() for c in value)
    ):
        raise ValueError("must be an https:// address or empty")
    return value


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # an unclosed IPv6 bracket, say
        return ""


# A DOI as doi.org resolves it: "10.", the registrant's 4 to 9 digits, "/", the suffix.
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_EXAMPLE = "10.1016/j.clinph.2007.09.143"
_DOI_WRAPPERS = ("http://", "https://", "doi.org/", "dx.doi.org/", "www.doi.org/", "doi:")


class SourceSchema(Schema):
    """A named primary source, checked on its own page (see the README)."""

    key: Annotated[str, BeforeValidator(_slug(MAX_LENGTHS["source_key"]))]
    citation: Text
    short: Annotated[str, BeforeValidator(_text(max_length=60, blank=True))] = ""
    doi: Annotated[str, BeforeValidator(_text(max_length=100, blank=True))] = ""
    pmid: Annotated[str, BeforeValidator(_text(max_length=12, blank=True))] = ""
    url: Annotated[str, BeforeValidator(_url)] = ""

    @field_validator("pmid")
    @classmethod
    def _digits(cls, value: str) -> str:
        if value and not value.isdigit():
            raise ValueError("must be digits only")
        return value

    @field_validator("doi")
    @classmethod
    def _doi_shape(cls, value: str) -> str:
        if not value:
            return value
        if value.lower().startswith(_DOI_WRAPPERS):
            # The link is made from the DOI; a pasted link would be linked twice.
            raise ValueError(
                f'give the bare DOI, like {_DOI_EXAMPLE}, without "https://doi.org/" or "doi:"'
            )
        if not _DOI.match(value):
            raise ValueError(
                f"must be a DOI like {_DOI_EXAMPLE}: 10., the registrant's 4 to 9 digits, "
                "a slash, then the rest"
            )
        return value

    @property
    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url

    @property
    def label(self) -> str:
        return self.short or self.key


class StatementSchema(Schema):
    key: Annotated[str, BeforeValidator(_slug(MAX_LENGTHS["statement_key"]))]
    text: Text
    topic: Annotated[str, BeforeValidator(_choice(TOPICS))]
    citations: Annotated[tuple[int, ...], BeforeValidator(_keys)] = Field(min_length=1)
    sources: Keys = ()
    # The sites where the statement is true as a lesson; empty: everywhere.
    scope: Annotated[tuple[Site, ...], BeforeValidator(_keys)] = ()

    @field_validator("citations")
    @classmethod
    def _references_exist(cls, value: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        known = _known(info)
        if known is not None:
            missing = [n for n in value if n not in known.references]
            if missing:
                raise ValueError(", ".join(f"reference {n!r} does not exist" for n in missing))
        return value

    @field_validator("sources")
    @classmethod
    def _sources_exist(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _sorted_unique(_check_keys(value, info, "source"))


def _finding_code(value: Any) -> Any:
    if not isinstance(value, str) or value not in localization.FINDING_CATEGORIES:
        raise ValueError(f'unknown finding code "{value}"')
    return value


FindingCode = Annotated[str, BeforeValidator(_finding_code)]


class FindingSchema(Schema):
    code: FindingCode
    name: Annotated[str, BeforeValidator(_text(max_length=MAX_LENGTHS["finding_name"]))]
    category: Annotated[str, BeforeValidator(_choice(CATEGORIES))]
    statements: Keys = ()
    # What the finding means, where the generic line for its category would not do.
    explanation: Annotated[str, BeforeValidator(_text(blank=True))] = ""

    @field_validator("category")
    @classmethod
    def _category_of_code(cls, value: str, info: ValidationInfo) -> str:
        code = info.data.get("code")
        if code and value != localization.FINDING_CATEGORIES[code]:
            raise ValueError(
                f'"{code}" is a {localization.FINDING_CATEGORIES[code]} finding, not {value!r}'
            )
        return value

    @field_validator("statements")
    @classmethod
    def _statements_exist(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _sorted_unique(_check_keys(value, info, "statement"))


class Cited(Schema):
    """Text that cites guideline statements and named sources.

    Whatever goes beyond the cited statements comes last, after "Beyond this guideline:";
    a text that is all beyond the guideline starts with the label and may cite no statement.
    Subclasses declare `statements` and `sources` in the order their fields export.
    """

    @property
    def cited_text(self) -> str:
        return str(getattr(self, "text", ""))

    @property
    def is_beyond(self) -> bool:
        return BEYOND in self.cited_text

    @field_validator("statements", check_fields=False)
    @classmethod
    def _statements_exist(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _sorted_unique(_check_keys(value, info, "statement"))

    @field_validator("sources", check_fields=False)
    @classmethod
    def _sources_exist(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _sorted_unique(_check_keys(value, info, "source"))

    @model_validator(mode="after")
    def _cites_or_is_labelled(self) -> "Cited":
        if not getattr(self, "statements", ()) and not self.cited_text.startswith(BEYOND):
            raise ValueError(
                f'cite at least one statement, or start the text with "{BEYOND}" when it '
                "rests on none"
            )
        return self


class LessonSchema(Cited):
    """A lesson the explanation teaches when its trigger fires and the case is in its scope.

    Every lesson that applies is taught, in order; `except_scope` and the findings
    conditions keep two lessons from saying the same thing on one case.
    """

    key: Annotated[str, BeforeValidator(_slug(MAX_LENGTHS["statement_key"]))]
    trigger: Annotated[str, BeforeValidator(_choice(LESSON_TRIGGERS))]
    # The case's site or one in its differential must be here; empty: every case.
    scope: Annotated[tuple[Site, ...], BeforeValidator(_keys)] = ()
    # ... and neither may be here.
    except_scope: Annotated[tuple[Site, ...], BeforeValidator(_keys)] = ()
    # Taught only if one of these findings is present (empty: no such condition) ...
    when_present: Annotated[tuple[FindingCode, ...], BeforeValidator(_keys)] = ()
    # ... and none of these is.
    unless_present: Annotated[tuple[FindingCode, ...], BeforeValidator(_keys)] = ()
    text: Text
    # One line said instead of the whole lesson when it was taught earlier in the attempt
    # (for a site lesson: the line under a wrong site's verdict); it cites the lesson's
    # statements, and its sources for a part labelled "Beyond this guideline:".
    reminder: Annotated[str, BeforeValidator(_text(blank=True))] = ""
    statements: Keys = ()
    sources: Keys = ()

    @field_validator("text")
    @classmethod
    def _placeholders(cls, value: str, info: ValidationInfo) -> str:
        if "{predictors}" in value and info.data.get("trigger") != localization.WATCH_FOR_LMN:
            raise ValueError("only a watch_for_lmn lesson can name {predictors}")
        return value

    @model_validator(mode="after")
    def _site_lesson_names_one_site(self) -> "LessonSchema":
        conditions = (self.except_scope, self.when_present, self.unless_present)
        if self.trigger == SITE_LESSON and (len(self.scope) != 1 or any(conditions)):
            raise ValueError("a site lesson has exactly one site as its scope and no conditions")
        return self

    def applies(self, *, sites: set[str], present: set[str]) -> bool:
        return (
            in_scope(sites, self.scope, self.except_scope)
            and (not self.when_present or bool(present & set(self.when_present)))
            and not present & set(self.unless_present)
        )


# A case ---------------------------------------------------------------------------------


class CaseFindingSchema(Schema):
    code: FindingCode
    present: bool
    region: Annotated[str, BeforeValidator(_choice(REGIONS, blank=True))] = ""
    side: Annotated[str, BeforeValidator(_choice(SIDES, blank=True))] = ""
    # Shown instead of the generic line for an absent finding where that would mislead.
    note: Annotated[str, BeforeValidator(_text(blank=True))] = ""

    @field_validator("code")
    @classmethod
    def _in_bank(cls, value: str, info: ValidationInfo) -> str:
        known = _known(info)
        if known is not None and value not in known.findings:
            raise ValueError(f'finding "{value}" is neither in the file nor in the bank')
        return value

    @field_validator("note")
    @classmethod
    def _absent_only(cls, value: str, info: ValidationInfo) -> str:
        if value and info.data.get("present") is True:
            raise ValueError("a note belongs on an absent finding only")
        return value

    @property
    def sort_key(self) -> tuple:
        return (not self.present, self.code, self.region, self.side)


class TeachingPointSchema(Cited):
    text: Text
    statements: Keys = ()
    sources: Keys = ()
    explains_rule: bool = False


class OptionSchema(Cited):
    text: Annotated[str, BeforeValidator(_text(max_length=MAX_LENGTHS["option"]))]
    correct: bool
    rationale: Text
    statements: Keys = ()
    sources: Keys = ()

    @property
    def cited_text(self) -> str:
        return self.rationale


class NextStepSchema(Schema):
    prompt: Annotated[str, BeforeValidator(_text(max_length=MAX_LENGTHS["prompt"]))]
    options: tuple[OptionSchema, ...]

    @field_validator("options", mode="before")
    @classmethod
    def _at_least_two(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple) or len(value) < 2:
            raise ValueError("must list at least two options")
        return tuple(value)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, value: tuple[OptionSchema, ...]) -> tuple[OptionSchema, ...]:
        correct = sum(option.correct for option in value)
        if correct != 1:
            raise ValueError(f"exactly one option must be correct, not {correct}")
        return value


def _tags(value: Any) -> Any:
    if not isinstance(value, list | tuple) or any(
        not isinstance(t, str) or not t or not _SLUG.match(t) or len(t) > MAX_LENGTHS["tag"]
        for t in value
    ):
        raise ValueError("must be a list of short slugs")
    return tuple(sorted(set(value)))


class CaseSchema(Schema):
    slug: Slug
    title: Annotated[str, BeforeValidator(_text(max_length=MAX_LENGTHS["title"]))]
    status: Annotated[str, BeforeValidator(_choice(STATUSES))]
    answer: Annotated[str, BeforeValidator(_choice(localization.ANSWERS))]
    difficulty: Annotated[str, BeforeValidator(_choice(DIFFICULTIES))] = "intermediate"
    patient_age: Annotated[
        int, BeforeValidator(_whole(*AGES, f"must be a whole number from {AGES[0]} to {AGES[1]}"))
    ]
    patient_sex: Annotated[str, BeforeValidator(_choice(SEXES))]
    site: Annotated[str, BeforeValidator(_choice(localization.SITES, blank=True))] = Field(
        default="", validate_default=True
    )
    # Required for a published case, even if empty: leaving it out would hide lessons.
    differential: Annotated[
        tuple[Site, ...] | None, BeforeValidator(lambda v: v if v is None else _keys(v))
    ] = Field(default=None, validate_default=True)
    # Other sites the site item also accepts as right, where the case makes them defensible
    # (a cord and root lesion together, also read as a cord lesion). They widen no lesson's
    # scope: that is the differential's.
    site_accepts: Annotated[tuple[Site, ...], BeforeValidator(_keys)] = ()
    tags: Annotated[tuple[str, ...], BeforeValidator(_tags)] = ()
    stem: Text  # the presentation: history and examination
    # The results of tests (EMG/NCS, imaging, laboratory), in Markdown; may be empty.
    investigations: Annotated[str, BeforeValidator(_text(blank=True))] = ""
    findings: Annotated[tuple[CaseFindingSchema, ...], BeforeValidator(_keys)]
    teaching_points: Annotated[tuple[TeachingPointSchema, ...], BeforeValidator(_keys)]
    next_step: NextStepSchema | None = None

    @field_validator("site")
    @classmethod
    def _site_when_published(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.data.get("status") == PUBLISHED:
            raise ValueError("a published case needs the lesion's site")
        return value

    @field_validator("differential")
    @classmethod
    def _differential(cls, value: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...]:
        if value is None:
            if info.data.get("status") == PUBLISHED:
                raise ValueError(
                    "a published case needs its differential (an empty list if there is none)"
                )
            return ()
        if len(set(value)) != len(value):
            raise ValueError("names a site twice")
        if info.data.get("site") in value:
            raise ValueError("lists the case's own site; the differential is the other sites")
        return value

    @field_validator("site_accepts")
    @classmethod
    def _accepts_other_sites(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple:
        if info.data.get("site") in value:
            raise ValueError("lists the case's own site; these are the other sites accepted")
        return tuple(sorted(set(value)))

    @field_validator("findings")
    @classmethod
    def _findings(cls, value: tuple[CaseFindingSchema, ...]) -> tuple[CaseFindingSchema, ...]:
        seen: dict[tuple[str, str, str], bool] = {}
        for finding in value:
            where = (finding.code, finding.region, finding.side)
            if where in seen:
                raise ValueError(f'"{finding.code}" is listed twice for the same region and side')
            seen[where] = finding.present
        return tuple(sorted(value, key=lambda f: f.sort_key))

    @property
    def present_codes(self) -> list[str]:
        return list(dict.fromkeys(f.code for f in self.findings if f.present))


class BankSchema(Schema):
    references: Annotated[tuple[ReferenceSchema, ...], BeforeValidator(_keys)] = ()
    sources: Annotated[tuple[SourceSchema, ...], BeforeValidator(_keys)] = ()
    statements: Annotated[tuple[StatementSchema, ...], BeforeValidator(_keys)] = ()
    findings: Annotated[tuple[FindingSchema, ...], BeforeValidator(_keys)] = ()
    # None: the file leaves the bank's lessons as they are; a list replaces them.
    lessons: Annotated[tuple[LessonSchema, ...], BeforeValidator(_keys)] | None = None
    cases: Annotated[tuple[CaseSchema, ...], BeforeValidator(_keys)] = ()

    @field_validator("lessons")
    @classmethod
    def _reminders_and_one_lesson_per_site(
        cls, value: tuple[LessonSchema, ...] | None
    ) -> tuple[LessonSchema, ...] | None:
        # Checked on the bank, not the lesson, so snapshots written before reminders read.
        unreminded = [x.key for x in value or () if not x.reminder]
        if unreminded:
            raise ValueError(f"lesson(s) {', '.join(unreminded)} need a one-line reminder")
        sites = [x.scope[0] for x in value or () if x.trigger == SITE_LESSON]
        twice = sorted({site for site in sites if sites.count(site) > 1})
        if twice:
            raise ValueError(f"more than one site lesson for {', '.join(twice)}")
        return value


TOP_LEVEL_KEYS = tuple(BankSchema.model_fields)


# Validation with locations --------------------------------------------------------------


@dataclass(frozen=True)
class BankError:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class BankInvalid(Exception):
    def __init__(self, errors: list[BankError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


_MESSAGES = {
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "model_attributes_type": "must be an object",
    "extra_forbidden": "unknown field",
    "too_short": "must not be empty",
    "int_type": "must be a whole number",
    "string_type": "must be a string",
}


def _location(loc: tuple, data: Any) -> str:
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        node = node[part] if _has(node, part) else None
        if text.startswith("cases[") and text.count("[") == 1 and text.endswith("]"):
            slug = node.get("slug") if isinstance(node, dict) else None
            if isinstance(slug, str):
                text += f' ("{slug}")'
    return text or "file"


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _errors(exc: ValidationError, data: Any) -> list[BankError]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "missing":
            errors.append(BankError(_location(loc[:-1], data), f'missing field "{loc[-1]}"'))
            continue
        if kind == "value_error":
            # One validator may report several problems, comma-separated: each its own line.
            message = str(error["ctx"]["error"])
        else:
            message = _MESSAGES.get(kind, error["msg"])
        if kind == "extra_forbidden" and len(loc) == 1:
            message = f"unknown top-level key; expected {', '.join(TOP_LEVEL_KEYS)}"
        errors.append(BankError(_location(loc, data), message))
    return errors


def _duplicates(data: dict) -> list[BankError]:
    """Keys that must be unique within a file (checked beside the models, so a duplicate is
    reported even when the entries have other problems too)."""
    errors = []
    for section, field, what in (
        ("references", "number", "reference number"),
        ("sources", "key", "source"),
        ("statements", "key", "statement key"),
        ("findings", "code", "finding"),
        ("lessons", "key", "lesson"),
        ("cases", "slug", "slug"),
    ):
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        seen: set = set()
        for i, entry in enumerate(entries):
            value = entry.get(field) if isinstance(entry, dict) else None
            if not isinstance(value, str | int) or isinstance(value, bool):
                continue
            if value in seen:
                loc = _location((section, i, field), data)
                shown = f'"{value}"' if isinstance(value, str) else value
                errors.append(BankError(loc, f"duplicate {what} {shown}"))
            seen.add(value)
    return errors


def _file_keys(data: dict, section: str, field: str, kind: type) -> set:
    entries = data.get(section)
    if not isinstance(entries, list):
        return set()
    return {
        entry[field]
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get(field), kind)
        and not isinstance(entry.get(field), bool)
    }


def validate_bank(
    data: Any, *, known: Known = Known()
) -> tuple[BankSchema | None, list[BankError]]:
    """The bank file as models, or every problem in it; `known` is what the bank holds."""
    if not isinstance(data, dict):
        return None, [BankError("file", "the top level must be a JSON object")]
    file_findings = {
        code
        for code in _file_keys(data, "findings", "code", str)
        if code in localization.FINDING_CATEGORIES
    }
    context = {
        "known": Known(
            references=known.references | _file_keys(data, "references", "number", int),
            statements=known.statements | _file_keys(data, "statements", "key", str),
            findings=known.findings | file_findings,
            sources=known.sources | _file_keys(data, "sources", "key", str),
        )
    }
    errors = _duplicates(data)
    bank = None
    try:
        bank = BankSchema.model_validate(data, context=context)
    except ValidationError as exc:
        errors = _errors(exc, data) + errors
    return (bank if not errors else None), errors


def parse_bank(data: Any, *, known: Known = Known()) -> BankSchema:
    bank, errors = validate_bank(data, known=known)
    if errors or bank is None:
        raise BankInvalid(errors)
    return bank


def validate_source(data: Any) -> SourceSchema:
    """One named source, as the instructor area saves it; raises BankInvalid with errors
    located by field name."""
    try:
        return SourceSchema.model_validate(data)
    except ValidationError as exc:
        raise BankInvalid(_errors(exc, data)) from exc


def validate_case(data: Any, *, known: Known | None = None) -> CaseSchema:
    """One case, as an editor or the admin saves it; raises BankInvalid with located errors."""
    try:
        return CaseSchema.model_validate(data, context=None if known is None else {"known": known})
    except ValidationError as exc:
        raise BankInvalid(_errors(exc, data)) from exc


# The attempt snapshot -------------------------------------------------------------------
# What a learner is shown and graded on, frozen when the attempt starts: the case's content
# as the schema above has it, with the display names and the knowledge it cites. Snapshots
# written before a field existed read with its default.


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SnapshotCase(Snapshot):
    id: int
    version: int = 0  # 0: taken before versions were numbered
    slug: str
    title: str
    stem_html: str
    investigations_html: str = ""
    patient_age: int
    patient_sex: str
    difficulty: str
    answer: str
    site: str = ""
    differential: tuple[str, ...] = ()
    site_accepts: tuple[str, ...] = ()


class SnapshotFinding(Snapshot):
    code: str
    name: str
    present: bool
    region: str = ""  # the region's label, as shown
    side: str = ""
    note: str = ""
    explanation: str = ""
    statements: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        return localization.FINDING_CATEGORIES[self.code]

    @property
    def where(self) -> str:
        return ", ".join(part for part in (self.side, self.region.lower()) if part)


class SnapshotOption(OptionSchema):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=False)

    id: int


class SnapshotTeachingPoint(TeachingPointSchema):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=False)


class SnapshotLesson(LessonSchema):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=False)


class SnapshotNextStep(Snapshot):
    prompt: str
    options: tuple[SnapshotOption, ...]


class SnapshotStatement(Snapshot):
    text: str
    citations: tuple[int, ...]
    sources: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()


class CaseSnapshot(Snapshot):
    case: SnapshotCase
    findings: tuple[SnapshotFinding, ...]

    @field_validator("findings")
    @classmethod
    def _examination_order(cls, value: tuple[SnapshotFinding, ...]) -> tuple:
        # A stable sort: a finding in two regions keeps the order of its regions.
        return tuple(sorted(value, key=lambda f: localization.EXAMINATION_ORDER.index(f.code)))

    teaching_points: tuple[SnapshotTeachingPoint, ...]
    next_step: SnapshotNextStep | None = None
    statements: Mapping[str, SnapshotStatement]
    references: Mapping[int, str]
    sources: Mapping[str, SourceSchema] = {}
    lessons: tuple[SnapshotLesson, ...] = ()

    @model_validator(mode="after")
    def _citations_resolve(self) -> "CaseSnapshot":
        """A snapshot whose citations do not resolve cannot be graded: refuse it whole."""
        cited = {
            key
            for group in (self.findings, self.teaching_points, self.options, self.lessons)
            for item in group
            for key in item.statements
        } | set(ALWAYS_CITED)
        missing = sorted(cited - self.statements.keys())
        numbers = {n for s in self.statements.values() for n in s.citations}
        named = {k for s in self.statements.values() for k in s.sources} | {
            k
            for group in (self.teaching_points, self.options, self.lessons)
            for item in group
            for k in item.sources
        }
        if missing:
            raise ValueError(f"statement(s) {missing} cited but not in the snapshot")
        if numbers - self.references.keys():
            raise ValueError(f"reference(s) {sorted(numbers - self.references.keys())} unknown")
        if named - self.sources.keys():
            raise ValueError(f"source(s) {sorted(named - self.sources.keys())} unknown")
        return self

    @property
    def answer(self) -> str:
        return self.case.answer

    @property
    def sites(self) -> set[str]:
        return case_sites(self.case.site, self.case.differential)

    def in_scope(self, scope: Iterable[str]) -> bool:
        return in_scope(self.sites, scope)

    @property
    def options(self) -> tuple[SnapshotOption, ...]:
        return self.next_step.options if self.next_step else ()

    @property
    def next_step_prompt(self) -> str:
        return self.next_step.prompt if self.next_step else ""

    @property
    def present_codes(self) -> list[str]:
        """Codes of the present findings, once each, in the order of the case."""
        return list(dict.fromkeys(f.code for f in self.findings if f.present))
