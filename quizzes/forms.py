"""The forms a learner posts: one per stage of a case, built for the case, since the fields
(the site, the findings asked, the next step's options) depend on it; and the quiz builder's,
one per action. They only read and check the input; grading and recording are the
services'."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import localization
from cases.forms import CaseFilterForm
from cases.models import Case, Tag
from quizzes import grading
from quizzes.models import Assessment, ProblemReport, Quiz

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


# Assessments --------------------------------------------------------------------------------


def _when(label: str, *, missing: str = "") -> forms.DateTimeField:
    """A date and time picked in the browser, read in the site's time zone; optional
    unless `missing` says what to ask for."""
    return forms.DateTimeField(
        label=label,
        required=bool(missing),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": missing,
            "invalid": "Give a date and a time, such as 2027-03-01 09:00.",
        },
    )


class _QuizByTitle(forms.ModelChoiceField):
    def label_from_instance(self, obj: Quiz) -> str:
        count = getattr(obj, "case_total", 0)
        return f"{obj.title} ({count} published case{'s' if count != 1 else ''})"


class _ByName(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class _ByUsername(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_username()


class ScheduleForm(forms.Form):
    """Give a quiz to a cohort: what the instructor chooses of an assessment. The rules
    between fields (a window that closes after it opens) are the model's constraints, met
    by `exams.schedule`; `add_schedule_errors` puts what it refuses beside its field."""

    # The model's constraints, by the field an instructor would correct.
    CONSTRAINT_FIELDS = {
        "assessment_closes_after_it_opens": "closes_at",
        "assessment_allows_an_attempt": "attempts_allowed",
        "assessment_time_limit_positive": "time_limit_minutes",
    }

    quiz = _QuizByTitle(
        queryset=None,
        empty_label="Choose a quiz",
        help_text="Any quiz with a fixed list of published cases.",
        error_messages={
            "required": "Choose the quiz to give.",
            "invalid_choice": "That quiz cannot be given (it has no published case); choose "
            "another.",
        },
    )
    cohort = _ByName(
        queryset=None,
        empty_label="Choose a cohort",
        error_messages={
            "required": "Choose the cohort that takes it.",
            "invalid_choice": "Choose one of the cohorts you run.",
        },
    )
    title = forms.CharField(
        max_length=120,
        help_text="As learners will see it, such as “Spring localization exam”.",
        error_messages={"required": "Give the assessment a title learners will recognise."},
    )
    opens_at = _when("Opens", missing="Give the time it opens.")
    closes_at = _when("Closes", missing="Give the time it closes.")
    time_limit_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        label="Time limit (minutes)",
        help_text="Leave it empty and the window alone limits the time.",
        error_messages={
            "invalid": "Give the time limit in whole minutes.",
            "min_value": "A time limit is at least 1 minute; leave it empty for none.",
        },
    )
    attempts_allowed = forms.IntegerField(
        min_value=1,
        initial=1,
        error_messages={
            "required": "Say how many attempts each learner has (usually 1).",
            "invalid": "Give the attempts as a whole number.",
            "min_value": "Allow at least 1 attempt.",
        },
    )
    shuffle_cases = forms.BooleanField(
        required=False, initial=True, label="Give each learner the cases in a different order"
    )
    shuffle_options = forms.BooleanField(
        required=False, initial=True, label="Shuffle each next step's options"
    )
    release = forms.ChoiceField(
        choices=Assessment.Release.choices,
        initial=Assessment.Release.AFTER_CLOSE,
        widget=forms.RadioSelect,
        label="Learners see their results, with the keys and explanations",
        error_messages={"required": "Choose when learners see their results."},
    )

    def __init__(self, *args: Any, quizzes: Any, cohorts: Any, time_zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = quizzes  # type: ignore[attr-defined]
        self.fields["cohort"].queryset = cohorts  # type: ignore[attr-defined]
        for name in ("opens_at", "closes_at"):
            self.fields[name].help_text = f"In the site's time zone, {time_zone}."

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError("Give the assessment a title learners will recognise.")
        return title

    def clean_closes_at(self) -> Any:
        closes_at = self.cleaned_data["closes_at"]
        if closes_at is not None and closes_at <= timezone.now():
            # It would sit as "closed" on every learner's exams page, never taken.
            raise ValidationError("That time has passed: an assessment closes in the future.")
        return closes_at

    def add_schedule_errors(self, error: ValidationError) -> None:
        """Put what `exams.schedule` refused beside the field to correct."""
        by_message = {
            str(constraint.get_violation_error_message()): self.CONSTRAINT_FIELDS[constraint.name]
            for constraint in Assessment._meta.constraints
            if constraint.name in self.CONSTRAINT_FIELDS
        }
        for field, messages in error.message_dict.items():
            for message in messages:
                target = by_message.get(message, field if field in self.fields else None)
                self.add_error(target, message)


class AccommodationForm(forms.Form):
    """One learner's extra time and window, and why; set again, it replaces theirs."""

    learner = _ByUsername(
        queryset=None,
        to_field_name="username",
        empty_label="Choose a learner",
        error_messages={
            "required": "Choose the learner.",
            "invalid_choice": "That learner is not in this cohort.",
        },
    )
    extra_minutes = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=32767,
        initial=0,
        label="Extra minutes",
        help_text="Added to the time limit.",
        error_messages={
            "invalid": "Give the extra time in whole minutes.",
            "min_value": "Extra time cannot be negative.",
            "max_value": "That is more extra time than can be given.",
        },
    )
    opens_at = _when("Opens")
    closes_at = _when("Closes")
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the accommodation, such as the program's approval.",
        error_messages={"required": "Give the reason for the accommodation."},
    )

    def __init__(self, *args: Any, learners: Any, time_zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = learners  # type: ignore[attr-defined]
        self.fields[
            "opens_at"
        ].help_text = f"Optional: a different window, in the site's time zone, {time_zone}."
        self.fields["closes_at"].help_text = "Optional: leave empty to keep the assessment's."

    def clean_extra_minutes(self) -> int:
        return self.cleaned_data["extra_minutes"] or 0
