"""The forms a learner posts: one per stage of a case, built for the case, since the fields
(the site, the findings asked, the next step's options) depend on it; and the quiz builder's,
one per action. They only read and check the input; grading and recording are the
services'."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cases import localization
from cases.forms import CaseFilterForm
from cases.models import Case, Tag
from quizzes import grading
from quizzes.models import ProblemReport, Quiz

# The key of an error that belongs to the whole form, not to one item.
FORM_ERROR = "form"


class _PostedValues(forms.RadioSelect):
    """Every value posted under the name, so a conflict is seen, not silently resolved."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class OneChoiceField(forms.ChoiceField):
    """One of the choices, posted once: the same choice sent twice (a double click, a
    replayed form) is still one choice; two different ones are refused, never guessed."""

    widget = _PostedValues

    def __init__(self, *, choices: Any, missing: str, invalid: str) -> None:
        super().__init__(
            choices=choices,
            error_messages={"required": missing, "invalid_choice": invalid},
        )

    def to_python(self, value: Any) -> str:
        values = value if isinstance(value, list) else [value]
        given = {v for v in values if v not in (None, "")}
        if any(not isinstance(v, str) for v in given) or len(given) > 1:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return given.pop() if given else ""


class StageForm(forms.Form):
    """What both stages share: the case they are built for, and their errors as the case
    page shows them (one message per item, keyed by the field's name)."""

    def __init__(self, content: grading.CaseContent, data: Mapping) -> None:
        super().__init__(data=data)
        self.content = content

    def error_map(self) -> dict[str, str]:
        errors = {name: str(messages[0]) for name, messages in self.errors.items()}
        if "__all__" in errors:
            errors[FORM_ERROR] = errors.pop("__all__")
        return errors

    def answers(self) -> grading.Answers:
        raise NotImplementedError


class StageOneForm(StageForm):
    """Before the tests: the localization, how sure, and the site where the case asks it."""

    def __init__(self, content: grading.CaseContent, data: Mapping) -> None:
        super().__init__(content, data)
        self.fields["localization"] = OneChoiceField(
            choices=grading.ANSWER_LABELS.items(),
            missing="Choose where the lesion is: upper, lower, mixed or neither.",
            invalid="Choose one of the four answers.",
        )
        self.fields["certainty"] = OneChoiceField(
            choices=grading.CERTAINTY_LABELS.items(),
            missing="Say how sure you are of where the lesion is.",
            invalid="Choose sure, fairly sure or guessing.",
        )
        if grading.SITE in grading.stage_items(content, grading.STAGE_ONE):
            self.fields["site"] = OneChoiceField(
                choices=grading.SITE_LABELS.items(),
                missing="Choose the site of the lesion.",
                invalid="Choose one of the sites listed.",
            )

    def answers(self) -> grading.Answers:
        data = self.cleaned_data
        return grading.Answers(
            localization=data["localization"],
            certainty=data["certainty"],
            site=data.get("site"),
        )


class StageTwoForm(StageForm):
    """After the tests: the localization again (where there are investigations), each
    finding's sign, and the next step."""

    def __init__(self, content: grading.CaseContent, data: Mapping) -> None:
        super().__init__(content, data)
        items = grading.stage_items(content, grading.STAGE_TWO)
        if grading.REVISED in items:
            self.fields["revised"] = OneChoiceField(
                choices=grading.ANSWER_LABELS.items(),
                missing="Choose your localization after the tests (keep it or change it).",
                invalid="Choose one of the four answers.",
            )
        for code in content.present_codes if grading.FINDINGS in items else ():
            self.fields[f"finding-{code}"] = OneChoiceField(
                choices=grading.SIGN_LABELS.items(),
                missing="Classify this finding.",
                invalid="Choose UMN sign, LMN sign or Neither.",
            )
        if grading.NEXT_STEP in items:
            self.fields["next_step"] = OneChoiceField(
                choices=[(str(o.id), o.text) for o in content.options],
                missing="Choose the best next step.",
                invalid="Choose one of the options listed.",
            )

    def clean(self) -> dict[str, Any]:
        asked = {name for name in self.fields if name.startswith("finding-")}
        if any(name.startswith("finding-") and name not in asked for name in self.data):
            raise ValidationError(
                "The form named a finding this case does not ask about. Reload the case and "
                "answer again."
            )
        return super().clean() or {}

    def answers(self) -> grading.Answers:
        data = self.cleaned_data
        findings = {
            name.removeprefix("finding-"): value
            for name, value in data.items()
            if name.startswith("finding-")
        }
        next_step = data.get("next_step")
        return grading.Answers(
            revised=data.get("revised"),
            findings=findings,
            next_step=int(next_step) if next_step else None,
        )


def stage_form(content: grading.CaseContent, stage: int, data: Mapping) -> StageForm:
    """The form for the stage a case is at."""
    form_class = StageOneForm if stage == grading.STAGE_ONE else StageTwoForm
    return form_class(content, data)


class ProblemReportForm(forms.Form):
    """A learner's report of a problem with a case they answered."""

    kind = forms.ChoiceField(
        choices=ProblemReport.Kind.choices,
        widget=forms.RadioSelect,
        label="What is the problem?",
        error_messages={"required": "Choose what kind of problem it is."},
    )
    text = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Details (optional)",
    )


# The quiz builder ------------------------------------------------------------------------


class QuizDetailsForm(forms.Form):
    """A practice set's title, description and kind, to create it or change them."""

    title = forms.CharField(
        max_length=120,
        error_messages={"required": "Give the set a title learners will recognise."},
    )
    description = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the set practises, in a sentence or two; learners read it.",
    )
    selection = forms.ChoiceField(
        choices=Quiz.Selection.choices,
        initial=Quiz.Selection.FIXED,
        widget=forms.RadioSelect,
        label="Cases",
        error_messages={"required": "Choose a fixed list or a draw by rule."},
    )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError("Give the set a title learners will recognise.")
        return title


class _TagBySlug(forms.ModelChoiceField):
    def label_from_instance(self, obj: Tag) -> str:
        return obj.slug


class DrawRuleForm(forms.Form):
    """A drawn set's rule: how many published cases, and which (each part blank for any)."""

    count = forms.IntegerField(
        min_value=1,
        max_value=100,
        label="Cases per attempt",
        error_messages={
            "required": "Say how many cases to draw, from 1 to 100.",
            "invalid": "Say how many cases to draw, as a whole number from 1 to 100.",
            "min_value": "Draw at least 1 case.",
            "max_value": "Draw at most 100 cases.",
        },
    )
    answer = forms.ChoiceField(required=False, choices=[("", "Any answer"), *Case.Answer.choices])
    site = forms.ChoiceField(
        required=False, choices=[("", "Any site"), *localization.SITE_NAMES.items()]
    )
    tag = _TagBySlug(
        queryset=Tag.objects.all(), required=False, to_field_name="slug", empty_label="Any tag"
    )
    difficulty = forms.ChoiceField(
        required=False, choices=[("", "Any difficulty"), *Case.Difficulty.choices]
    )

    @classmethod
    def for_quiz(cls, quiz: Quiz) -> "DrawRuleForm":
        return cls(
            initial={
                "count": quiz.draw_count,
                "answer": quiz.draw_answer,
                "site": quiz.draw_site,
                "tag": quiz.draw_tag,
                "difficulty": quiz.draw_difficulty,
            }
        )


class CasePickerForm(CaseFilterForm):
    """The case list's search and filters, to pick published cases for a set: no status
    (only published cases can be added), author or order to choose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("status", "author", "sort"):
            del self.fields[name]


_CASE_ERRORS = {
    "required": "Choose a case.",
    "invalid_choice": "That case no longer exists; nothing was changed.",
}


class QuizCaseForm(forms.Form):
    """A case to add to a set or take out of it, sent by the button on its row."""

    case = forms.ModelChoiceField(
        queryset=Case.objects.all(), widget=forms.HiddenInput, error_messages=_CASE_ERRORS
    )
    # The row the button was on, so that after an htmx swap the focus goes to the row that
    # took its place; not needed without JavaScript.
    row = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class MoveCaseForm(QuizCaseForm):
    """A case to move up (negative) or down a fixed set's list: one place by its buttons,
    further when dragged."""

    offset = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Say which way to move the case.",
            "invalid": "A case moves a whole number of places up or down.",
        },
    )


# Cohorts ------------------------------------------------------------------------------------


class CohortForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        help_text="As the program says it, such as “PGY-1 Neurology 2027”.",
        error_messages={"required": "Give the cohort a name."},
    )


class AddLearnerForm(forms.Form):
    identifier = forms.CharField(
        max_length=254,
        label="E-mail or username",
        error_messages={"required": "Give the learner's e-mail or username."},
    )


class EnrolListForm(forms.Form):
    """A CSV or plain list of e-mails, read as UTF-8 text."""

    MAX_BYTES = 1024 * 1024

    file = forms.FileField(
        label="A list of e-mails",
        help_text="A .csv or .txt file: one e-mail per line, or e-mails in the first column.",
        error_messages={"required": "Choose a file of e-mails."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is over 1 MB; a list of e-mails is far smaller.")
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                "The file is not UTF-8 text; save it as CSV (UTF-8)."
            ) from exc
        return upload


class JoinCohortForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Cohort code",
        help_text="The code your program gave you, such as K7MP-Q2XR.",
        error_messages={"required": "Type the code your program gave you."},
    )


def partial_stage_form(content: grading.CaseContent, stage: int, data: Mapping) -> StageForm:
    """The stage's form for an exam's autosave: each choice checked as in practice, none
    required yet (a learner saves one choice at a time)."""
    form = stage_form(content, stage, data)
    for field in form.fields.values():
        field.required = False
    return form
