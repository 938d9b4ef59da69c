"""The case editor's forms, and the one translation between them and the schema's case data.

The forms only read input into types; what makes a case valid is the schema's to say
(`cases.schema.validate_case`), and its located errors are put back beside the fields they
name (`Editor.show_errors`). Everything typed is kept on an error.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django import forms
from django.forms import formset_factory
from django.http import QueryDict
from django.utils.text import slugify

from cases import localization, schema
from cases.models import Case, CaseFinding, Finding, GuidelineStatement, Source

PRESENCE = [("present", "Present"), ("absent", "Absent")]
CATEGORY_GROUPS = {
    localization.UMN: "Upper motor neuron signs",
    localization.LMN: "Lower motor neuron signs",
    localization.SENSORY: "Sensory findings",
    localization.CONTEXT: "History, course and other results",
}
# Schema field name -> form field name, where they differ.
_FIELD_NAMES = {"code": "finding", "prompt": "next_prompt"}


@dataclass(frozen=True)
class Vocabulary:
    """What the editor's choices offer, read once per request."""

    findings: list[tuple[str, list[tuple[str, str]]]]
    search: dict[str, str]  # finding code -> its name and synonyms, for the search box
    statements: list[tuple[str, list[tuple[str, str]]]]
    sources: list[tuple[str, str]]

    @classmethod
    def load(cls) -> "Vocabulary":
        by_category: dict[str, list[tuple[str, str]]] = {c: [] for c in CATEGORY_GROUPS}
        search = {}
        for finding in Finding.objects.order_by("name"):
            by_category[finding.category].append((finding.code, finding.name))
            words = (finding.name, *localization.FINDING_SYNONYMS.get(finding.code, ()))
            search[finding.code] = " | ".join(words)
        topics: dict[str, list[tuple[str, str]]] = {}
        labels = dict(GuidelineStatement.Topic.choices)
        for statement in GuidelineStatement.objects.prefetch_related("citations"):
            numbers = ", ".join(str(r.number) for r in statement.citations.all())
            topics.setdefault(labels[statement.topic], []).append(
                (statement.key, f"{statement.text} [{numbers}]")
            )
        return cls(
            findings=[(CATEGORY_GROUPS[c], items) for c, items in by_category.items() if items],
            search=search,
            statements=list(topics.items()),
            sources=[(s.key, s.short or s.citation[:80]) for s in Source.objects.all()],
        )


class FindingSelect(forms.Select):
    """Each finding offered by its name, carrying its synonyms for the search box."""

    def __init__(self, *args, search: Mapping[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.search = search or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.search:
            option["attrs"]["data-search"] = self.search[value]
        return option


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseForm(forms.Form):
    """The case's own fields. Nothing is required here: the schema says what is missing."""

    title = forms.CharField(required=False, max_length=schema.MAX_LENGTHS["title"])
    slug = forms.SlugField(
        required=False,
        max_length=schema.MAX_LENGTHS["slug"],
        help_text="Its name in bank files; made from the title if left empty, fixed once saved.",
    )
    patient_age = forms.IntegerField(required=False, label="Patient's age")
    patient_sex = forms.ChoiceField(
        required=False, choices=[("", "Choose…"), *Case.Sex.choices], label="Patient's sex"
    )
    difficulty = forms.ChoiceField(choices=Case.Difficulty.choices, initial="intermediate")
    tags = forms.CharField(
        required=False, help_text="Short words separated by commas, such as stroke, cord."
    )
    stem = forms.CharField(
        required=False,
        widget=_textarea(8),
        label="Presentation",
        help_text="History and examination, in Markdown. No test results: learners commit "
        "before they see them.",
    )
    investigations = forms.CharField(
        required=False,
        widget=_textarea(5),
        help_text="Results of EMG and nerve conduction, imaging and laboratory tests, in "
        "Markdown; shown at the second stage.",
    )
    answer = forms.ChoiceField(
        required=False,
        choices=[("", "Choose…"), *localization.ANSWER_LABELS.items()],
        label="Answer key: the localization",
    )
    site = forms.ChoiceField(
        required=False,
        choices=[("", "Choose…"), *localization.SITE_NAMES.items()],
        label="Site of the lesion",
    )
    differential = forms.MultipleChoiceField(
        required=False,
        choices=list(localization.SITE_NAMES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="The other sites a careful clinician weighs; their lessons are taught too.",
    )
    site_accepts = forms.MultipleChoiceField(
        required=False,
        choices=list(localization.SITE_NAMES.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Also accepted as the site",
        help_text="Only where the case makes another site defensible.",
    )
    next_prompt = forms.CharField(
        required=False,
        max_length=schema.MAX_LENGTHS["prompt"],
        label="Next-step question",
        help_text="Optional: a single-best-answer question on workup or management.",
    )


class FindingForm(forms.Form):
    # What the author typed into the row's search box, kept so a row searched for but left
    # without a finding is said, not silently dropped.
    search = forms.CharField(required=False, max_length=100)
    finding = forms.ChoiceField(required=False)
    presence = forms.ChoiceField(
        required=False, choices=PRESENCE, initial="present", label="Present?"
    )
    region = forms.ChoiceField(required=False, choices=[("", "—"), *CaseFinding.Region.choices])
    side = forms.ChoiceField(required=False, choices=[("", "—"), *CaseFinding.Side.choices])
    note = forms.CharField(
        required=False,
        widget=_textarea(2),
        help_text="For an absent finding only: shown instead of the general line.",
    )

    def __init__(self, *args, vocabulary: Vocabulary, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        finding = self.fields["finding"]
        assert isinstance(finding, forms.ChoiceField)
        finding.choices = [("", "Choose a finding…"), *vocabulary.findings]
        finding.widget = FindingSelect(choices=finding.choices, search=vocabulary.search)

    def clean(self) -> dict:
        data = super().clean() or {}
        started = any(data.get(k) for k in ("search", "region", "side", "note"))
        if started and not data.get("finding") and not data.get("DELETE"):
            searched = f" for “{data['search']}”" if data.get("search") else ""
            self.add_error("finding", f"Choose a finding{searched}, or tick Remove.")
        return data

    @property
    def is_blank(self) -> bool:
        return not getattr(self, "cleaned_data", {}).get("finding")


class _Cited(forms.Form):
    statements = forms.MultipleChoiceField(
        required=False,
        label="Guideline statements it rests on",
        widget=forms.CheckboxSelectMultiple,
    )
    sources = forms.MultipleChoiceField(
        required=False,
        label="Named sources",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, vocabulary: Vocabulary, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("statements", vocabulary.statements),
            ("sources", vocabulary.sources),
        ):
            chooser = self.fields[name]
            assert isinstance(chooser, forms.ChoiceField)
            chooser.choices = choices


class PointForm(_Cited):
    field_order = ["text", "beyond", "statements", "sources", "explains_rule"]

    text = forms.CharField(required=False, widget=_textarea(3))
    beyond = forms.BooleanField(
        required=False,
        label=f"It rests on no guideline statement: label it “{schema.BEYOND}”",
    )
    explains_rule = forms.BooleanField(
        required=False,
        label="It explains why the key differs from what the signs alone give",
    )


class OptionForm(_Cited):
    field_order = ["text", "correct", "rationale", "statements", "sources"]

    text = forms.CharField(required=False, max_length=schema.MAX_LENGTHS["option"])
    correct = forms.BooleanField(required=False, label="The correct option")
    rationale = forms.CharField(required=False, widget=_textarea(2))


FindingFormSet = formset_factory(FindingForm, extra=0, can_delete=True)
PointFormSet = formset_factory(PointForm, extra=0, can_delete=True, can_order=True)
OptionFormSet = formset_factory(OptionForm, extra=0, can_delete=True, can_order=True)

SECTIONS = {"findings": FindingFormSet, "points": PointFormSet, "options": OptionFormSet}
_LOCATION = re.compile(r"^(?P<top>\w+)(?:\[(?P<i>\d+)\])?(?:\.(?P<sub>\w+))?(?:\[(?P<j>\d+)\])?")


def _text(value: str | None) -> str:
    """Typed text as stored: trimmed, with the browser's line endings made plain."""
    return (value or "").replace("\r\n", "\n").strip()


def _tags(text: str) -> list[str]:
    return [slugify(t) for t in text.split(",") if t.strip()]


def _with_label(text: str, beyond: bool) -> str:
    text = text.strip()
    return f"{schema.BEYOND} {text}" if beyond and not text.startswith(schema.BEYOND) else text


def _ordered(formset: forms.BaseFormSet) -> list[forms.Form]:
    """The formset's kept forms in the order their authors numbered them."""
    kept = [
        (form.cleaned_data.get("ORDER") or 10_000 + i, i, form)
        for i, form in enumerate(formset.forms)
        if form.is_valid() and not form.cleaned_data.get("DELETE")
    ]
    return [form for *_, form in sorted(kept, key=lambda item: item[:2])]


@dataclass
class Editor:
    """The editor's forms for one request, bound to its post or to a version's content."""

    case: forms.Form
    findings: forms.BaseFormSet
    points: forms.BaseFormSet
    options: forms.BaseFormSet
    vocabulary: Vocabulary
    # Errors about a whole section ("findings", "points", "options", "case").
    section_errors: dict[str, list[str]] = field(default_factory=dict)
    # Which form stands at each index of the content's lists, for placing errors.
    _placed: dict[str, list[forms.Form]] = field(default_factory=dict)

    @classmethod
    def bound(cls, posted: QueryDict, *, vocabulary: Vocabulary, add: str = "") -> "Editor":
        """The editor from a post; `add` names a section to give one more empty row."""
        data = posted.copy()
        total = f"{add}-TOTAL_FORMS"
        if add in SECTIONS and (data.get(total) or "0").isdigit():
            data[total] = str(int(data.get(total) or 0) + 1)
        kwargs = {"vocabulary": vocabulary}
        editor = cls(
            case=CaseForm(data),
            findings=FindingFormSet(data, prefix="findings", form_kwargs=kwargs),
            points=PointFormSet(data, prefix="points", form_kwargs=kwargs),
            options=OptionFormSet(data, prefix="options", form_kwargs=kwargs),
            vocabulary=vocabulary,
        )
        if add in SECTIONS and (added := getattr(editor, add).forms):
            # The new row takes the focus, so a keyboard user goes on where they added it.
            first = "finding" if add == "findings" else "text"
            added[-1].fields[first].widget.attrs["autofocus"] = True
        for section in SECTIONS:
            formset = getattr(editor, section)
            if not formset.management_form.is_valid():
                editor.section_errors.setdefault("case", []).append(
                    "The page was incomplete; reload it and try again."
                )
        return editor

    @classmethod
    def from_content(cls, content: Mapping | None, *, vocabulary: Vocabulary) -> "Editor":
        """Unbound forms showing `content` (schema case data), or empty ones for a new case."""
        content = content or {}
        next_step = content.get("next_step") or {}
        kwargs = {"vocabulary": vocabulary}
        return cls(
            case=CaseForm(
                initial={
                    **{
                        k: content.get(k)
                        for k in (
                            "title",
                            "slug",
                            "patient_age",
                            "patient_sex",
                            "difficulty",
                            "stem",
                            "investigations",
                            "answer",
                            "site",
                            "differential",
                            "site_accepts",
                        )
                        if k in content
                    },
                    "tags": ", ".join(content.get("tags") or ()),
                    "next_prompt": next_step.get("prompt", ""),
                }
            ),
            findings=FindingFormSet(
                prefix="findings",
                initial=[
                    {
                        "finding": f["code"],
                        "presence": "present" if f["present"] else "absent",
                        "region": f.get("region", ""),
                        "side": f.get("side", ""),
                        "note": f.get("note", ""),
                    }
                    for f in content.get("findings") or ()
                ]
                or [{}, {}, {}, {}],
                form_kwargs=kwargs,
            ),
            points=PointFormSet(
                prefix="points",
                initial=[
                    {**p, "ORDER": n} for n, p in enumerate(content.get("teaching_points") or (), 1)
                ]
                or [{}],
                form_kwargs=kwargs,
            ),
            options=OptionFormSet(
                prefix="options",
                initial=[
                    {**o, "ORDER": n} for n, o in enumerate(next_step.get("options") or (), 1)
                ],
                form_kwargs=kwargs,
            ),
            vocabulary=vocabulary,
        )

    @property
    def forms_valid(self) -> bool:
        """Whether every value could be read (a number where a number goes, a known choice);
        whether the case is right is the schema's to say."""
        return not self.section_errors and all(
            part.is_valid() for part in (self.case, self.findings, self.points, self.options)
        )

    def content(self, *, slug: str = "") -> dict:
        """The case as schema data, as typed (status draft); rows left blank are dropped."""
        for part in (self.case, self.findings, self.points, self.options):
            part.is_valid()
        c = getattr(self.case, "cleaned_data", {})
        findings = [
            form
            for form in self.findings.forms
            if form.is_valid() and not form.cleaned_data.get("DELETE") and not form.is_blank
        ]
        points = [
            form
            for form in _ordered(self.points)
            if any(form.cleaned_data.get(k) for k in ("text", "statements", "sources"))
        ]
        options = [
            form
            for form in _ordered(self.options)
            if any(form.cleaned_data.get(k) for k in ("text", "rationale"))
        ]
        self._placed = {"findings": findings, "teaching_points": points, "options": options}
        prompt = (c.get("next_prompt") or "").strip()
        return {
            "slug": slug or c.get("slug") or slugify(c.get("title") or "")[:80],
            "title": (c.get("title") or "").strip(),
            "status": Case.Status.DRAFT,
            "answer": c.get("answer") or "",
            "difficulty": c.get("difficulty") or "intermediate",
            "patient_age": c.get("patient_age"),
            "patient_sex": c.get("patient_sex") or "",
            "site": c.get("site") or "",
            "differential": list(c.get("differential") or ()),
            "site_accepts": list(c.get("site_accepts") or ()),
            "tags": _tags(c.get("tags") or ""),
            "stem": _text(c.get("stem")),
            "investigations": _text(c.get("investigations")),
            "findings": [
                {
                    "code": f.cleaned_data["finding"],
                    "present": f.cleaned_data.get("presence") != "absent",
                    "region": f.cleaned_data.get("region") or "",
                    "side": f.cleaned_data.get("side") or "",
                    "note": _text(f.cleaned_data.get("note")),
                }
                for f in findings
            ],
            "teaching_points": [
                {
                    "text": _with_label(
                        _text(p.cleaned_data.get("text")), p.cleaned_data["beyond"]
                    ),
                    "statements": list(p.cleaned_data.get("statements") or ()),
                    "sources": list(p.cleaned_data.get("sources") or ()),
                    "explains_rule": bool(p.cleaned_data.get("explains_rule")),
                }
                for p in points
            ],
            "next_step": None
            if not prompt and not options
            else {
                "prompt": prompt,
                "options": [
                    {
                        "text": (o.cleaned_data.get("text") or "").strip(),
                        "correct": bool(o.cleaned_data.get("correct")),
                        "rationale": _text(o.cleaned_data.get("rationale")),
                        "statements": list(o.cleaned_data.get("statements") or ()),
                        "sources": list(o.cleaned_data.get("sources") or ()),
                    }
                    for o in options
                ],
            },
        }

    def show_errors(self, errors: list[schema.BankError]) -> None:
        """Put each of the schema's located errors beside the field it names, in words an
        author reads (a slug made from a missing title says nothing of its own)."""
        locations = {error.location for error in errors}
        for error in errors:
            if error.location == "slug" and "title" in locations:
                continue
            self._place(error.location, humane(error.message))

    def error_summary(self) -> list[tuple[str, str, str]]:
        """Every error on the page, as (where, message, the id of the field to go to)."""
        found = [
            (_SECTION_WORDS[section], message, f"part-{_ANCHORS.get(section, section)}")
            for section, messages in self.section_errors.items()
            for message in messages
        ]
        found += [
            (str(self.case[name].label), str(message), f"id_{name}")
            for name, messages in self.case.errors.items()
            if name in self.case.fields
            for message in messages
        ]
        for section, label in (
            ("findings", "Finding"),
            ("points", "Teaching point"),
            ("options", "Option"),
        ):
            for number, form in enumerate(getattr(self, section).forms, start=1):
                for name, messages in form.errors.items():
                    where = f"{label} {number}"
                    target = f"id_{form.prefix}-{name}" if name in form.fields else form.prefix
                    found += [(where, str(message), target) for message in messages]
        return found

    def _place(self, location: str, message: str) -> None:
        match = _LOCATION.match(location)
        if not match:
            self.section_errors.setdefault("case", []).append(f"{location}: {message}")
            return
        top, i, sub, j = match["top"], match["i"], match["sub"], match["j"]
        if top == "next_step" and sub == "options":
            top, i, sub = "options", j, _sub_after(location)
        elif top == "next_step":
            top, sub = "case", "prompt" if sub in (None, "prompt") else sub
            if sub == "prompt":
                self._add(self.case, "next_prompt", message)
                return
        if top in ("findings", "teaching_points", "options"):
            section = {"teaching_points": "points"}.get(top, top)
            placed = self._placed.get(top, [])
            if i is not None and int(i) < len(placed):
                self._add(placed[int(i)], _FIELD_NAMES.get(sub or "", sub or ""), message)
            else:
                self.section_errors.setdefault(section, []).append(message)
            return
        self._add(self.case, _FIELD_NAMES.get(top, top), message)

    def _add(self, form: forms.Form, name: str, message: str) -> None:
        if name in form.fields:
            form.add_error(name, message)
        elif form is self.case:
            self.section_errors.setdefault("case", []).append(message)
        else:
            form.add_error(None, message)


_PARTS = {"findings": "Finding", "teaching_points": "Teaching point", "options": "Option"}
_ANCHORS = {"points": "points", "options": "next-step", "case": "case"}
_SECTION_WORDS = {
    "findings": "Findings",
    "points": "Teaching points",
    "options": "Next-step options",
    "case": "The case",
}
_PLAIN = (
    (re.compile(r"^'' is not one of "), "Choose one."),
    (re.compile(r"^must be a non-empty string$"), "Required."),
)


def humane(message: str) -> str:
    """A schema message about an empty field, as an author would say it."""
    for pattern, plain in _PLAIN:
        if pattern.match(message):
            return plain
    return message


def describe(location: str) -> str:
    """Where an error of the schema is, in the editor's words: `findings[2].code` is
    "Finding 3", `next_step.options[0].rationale` is "Option 1, rationale"."""
    match = _LOCATION.match(location)
    if not match:
        return location
    top, i, sub, j = match["top"], match["i"], match["sub"], match["j"]
    if top == "next_step" and sub == "options":
        top, i, sub = "options", j, _sub_after(location)
    elif top == "next_step":
        top, sub = "next_prompt", None
    if top in _PARTS:
        where = _PARTS[top] + (f" {int(i) + 1}" if i is not None else "s")
        field_name = _FIELD_NAMES.get(sub or "", sub or "")
        return f"{where}, {field_name.replace('_', ' ')}" if field_name else where
    form_field = CaseForm.base_fields.get(_FIELD_NAMES.get(top, top))
    return str(form_field.label or top.replace("_", " ").capitalize()) if form_field else top


def _sub_after(location: str) -> str:
    """The field after `options[n].` in a location such as `next_step.options[1].text`."""
    _, bracket, tail = location.partition("options[")
    return tail.split(".", 1)[1] if bracket and "." in tail else ""
