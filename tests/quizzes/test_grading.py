"""Grading is pure: content and answers in, scores and cited explanations out."""

import json
from pathlib import Path

import pytest

from quizzes import grading
from quizzes.grading import (
    Answers,
    CaseContent,
    CaseFinding,
    Option,
    TeachingPoint,
    UnresolvedCitation,
    grade_case,
    grade_findings,
    grade_localization,
    grade_next_step,
)

GUIDELINE = json.loads(
    (Path(__file__).resolve().parents[2] / "cases" / "content" / "guideline.json").read_text()
)
STATEMENTS = {
    s["key"]: grading.Statement(s["key"], s["text"], tuple(s["citations"]))
    for s in GUIDELINE["statements"]
}
FINDING_STATEMENTS = {f["code"]: tuple(f["statements"]) for f in GUIDELINE["findings"]}
REFERENCES = {r["number"]: r["title"] or "not named in the source" for r in GUIDELINE["references"]}


def finding(code: str, present: bool = True, **kwargs) -> CaseFinding:
    name = code.replace("_", " ").capitalize()
    return CaseFinding(code, name, present, statements=FINDING_STATEMENTS[code], **kwargs)


def content(
    answer="umn", findings=(), points=(), options=(), references=REFERENCES, statements=STATEMENTS
):
    return CaseContent(
        answer=answer,
        findings=tuple(findings),
        teaching_points=tuple(points)
        or (TeachingPoint("Stiffness plus brisk reflexes means UMN.", ("umn-spasticity",)),),
        statements=statements,
        references=references,
        next_step_prompt="What next?" if options else "",
        options=tuple(options),
    )


PLS = content(
    "umn",
    [
        finding("spasticity"),
        finding("hyperreflexia"),
        finding("focal_weakness"),
        finding("fasciculations", present=False),
    ],
)
ALS = content(
    "mixed",
    [
        finding("hyperreflexia"),
        finding("fasciculations"),
        finding("muscle_atrophy"),
        finding("focal_onset_spread"),
        finding("weakness"),
    ],
)
NEXT = [
    Option(1, "MRI brain without contrast", True, "The first imaging study.", ("mri-brain-first",)),
    Option(2, "Creatine kinase", False, "No LMN weakness here.", ("ck-lmn-weakness",)),
    Option(3, "Reassure", False, "Progressive signs need workup.", ("overview",)),
]


def kinds(result) -> list[str]:
    return [p.kind for p in result.points]


def texts(result) -> str:
    return "\n".join(p.text for p in result.points)


# Localization -----------------------------------------------------------------------


def test_a_right_localization_scores_one_with_a_plain_verdict():
    result = grade_localization(PLS, "umn")
    assert result.score == 1.0 and result.correct
    assert result.points[0].kind == "verdict"
    assert result.points[0].text == "Correct: Upper motor neuron."
    assert result.points[0].citations == (1,)


def test_a_wrong_localization_scores_zero_and_names_both_answers():
    result = grade_localization(PLS, "lmn")
    assert result.score == 0.0
    assert result.points[0].text == (
        "Not quite. You chose Lower motor neuron; the answer is Upper motor neuron."
    )


def test_evidence_explains_each_present_finding_from_its_statements():
    result = grade_localization(PLS, "umn")
    evidence = [p for p in result.points if p.kind == "evidence"]
    assert [p.text.split(":")[0] for p in evidence] == [
        "Spasticity",
        "Hyperreflexia",
        "Focal weakness",
    ]
    assert "a sign usually of upper motor neuron damage" in evidence[0].text
    assert evidence[0].citations == (1, 2)  # umn-spasticity [1, 2] and overview [1]
    assert "context" in evidence[2].text


def test_absent_findings_that_matter_are_explained():
    absent = [p for p in grade_localization(PLS, "umn").points if p.kind == "absent"]
    assert len(absent) == 1
    assert absent[0].text.startswith("Not present: fasciculations")
    assert absent[0].text.endswith(
        "Its absence removes one lower motor neuron sign from the picture."
    )
    assert absent[0].citations == (1, 2)


def test_a_wrong_choice_is_contradicted_by_the_findings_against_it():
    result = grade_localization(PLS, "lmn")
    why = [p for p in result.points if p.kind == "contradiction"]
    assert why[0].text == (
        "Findings that count as upper motor neuron signs are present: spasticity, hyperreflexia."
    )
    assert "There is no lower motor neuron sign" in why[1].text
    assert all(p.citations for p in why)


def test_choosing_umn_in_a_mixed_case_points_at_the_lmn_signs():
    why = [p for p in grade_localization(ALS, "umn").points if p.kind == "contradiction"]
    assert [p.text for p in why] == [
        "Findings that count as lower motor neuron signs are present: "
        "fasciculations, muscle atrophy."
    ]


def test_no_contradiction_is_offered_for_a_right_answer():
    assert "contradiction" not in kinds(grade_localization(ALS, "mixed"))


@pytest.mark.parametrize(
    ("case", "flags"),
    [
        (PLS, ["watch_for_lmn", "mri_brain_first"]),
        (ALS, ["mixed_pattern", "confirm_with_emg", "mri_brain_first", "check_ck"]),
    ],
)
def test_the_rule_flags_of_the_key_are_taught_with_citations(case, flags):
    result = grade_localization(case, case.answer)
    flag_points = [p for p in result.points if p.kind == "flag"]
    expected = [grading.FLAG_TEACHING[f][1].split(" ")[0] for f in flags]
    assert [p.text.split(" ")[0] for p in flag_points] == expected
    assert all(p.citations for p in flag_points)


def test_watch_for_lmn_names_the_predictors_present_and_cites_reference_8():
    flag = next(p for p in grade_localization(PLS, "umn").points if p.kind == "flag")
    assert "pure upper motor neuron picture, focal weakness can herald later" in flag.text
    # The follow-up it asks for is electrodiagnostic confirmation, not the bedside alone [1].
    assert "confirm any lower motor neuron involvement with EMG" in flag.text
    assert flag.citations == (1, 8)


def test_watch_for_lmn_lists_several_predictors_as_a_sentence_would():
    pls = content(
        "umn",
        [
            finding("spasticity"),
            finding("focal_weakness"),
            finding("weight_loss"),
            finding("reduced_fvc"),
        ],
    )
    flag = next(p for p in grade_localization(pls, "umn").points if p.kind == "flag")
    assert "focal weakness, weight loss and a reduced forced vital capacity can herald" in (
        flag.text
    )


def emg_flag(case: CaseContent) -> str:
    result = grade_localization(case, case.answer)
    return next(
        p.text for p in result.points if p.text.startswith("Examination alone does not establish")
    )


def test_the_emg_flag_asks_for_electrodiagnosis_when_the_case_has_none():
    text = emg_flag(ALS)
    assert "EMG and nerve conduction studies are what confirm it" in text
    assert text.endswith("they belong in the workup.")


def test_the_emg_flag_says_the_case_already_has_its_confirmation_when_it_does():
    confirmed = content("lmn", [finding("fasciculations"), finding("emg_denervation")])
    assert emg_flag(confirmed).endswith("the EMG findings in the case provide that confirmation.")


def test_low_motor_amplitudes_alone_do_not_count_as_the_confirmation():
    amplitudes = content("lmn", [finding("fasciculations"), finding("ncs_low_cmap")])
    assert emg_flag(amplitudes).endswith("they belong in the workup.")


def test_the_mixed_flag_asks_to_consider_als_without_declaring_it():
    flag = next(p for p in grade_localization(ALS, "mixed").points if p.kind == "flag")
    assert "Consider ALS" in flag.text
    assert flag.citations == (6, 7)


def test_the_sensory_pitfall_is_taught_when_a_sensory_finding_is_present():
    gbs = content(
        "lmn", [finding("hyporeflexia"), finding("sensory_loss"), finding("flaccid_weakness")]
    )
    result = grade_localization(gbs, "lmn")
    assert any(
        "sensory findings argue against pure motor neuron disease" in p.text for p in result.points
    )


def test_an_other_case_raises_no_motor_neuron_flags():
    mg = content("other", [finding("weakness"), finding("ck_elevated", present=False)])
    assert "flag" not in kinds(grade_localization(mg, "other"))


def test_the_case_teaching_points_close_the_explanation():
    result = grade_localization(PLS, "umn")
    assert result.points[-1].kind == "teaching"
    assert result.points[-1].text == "Stiffness plus brisk reflexes means UMN."
    assert result.points[-1].citations == (1, 2)


def test_when_the_key_differs_from_the_rule_the_explanation_says_why():
    note = TeachingPoint(
        "Hours after a stroke the limb can be flaccid; spasticity comes later.", ("overview",), True
    )
    acute = content(
        "umn",
        [finding("flaccid_weakness"), finding("hyporeflexia"), finding("extensor_plantar")],
        [note],
    )
    result = grade_localization(acute, "mixed")
    assert "rule" in kinds(result)
    assert [p.kind for p in result.points if p.text == note.text] == ["contradiction"]
    assert (
        "Counting signs alone would suggest a mixed upper and lower motor neuron picture; the "
        "picture as a whole points to an upper motor neuron lesion" in texts(result)
    )
    right = grade_localization(acute, "umn")
    assert [p.kind for p in right.points if p.text == note.text] == ["teaching"]


def test_references_list_every_number_cited_with_its_title():
    result = grade_localization(ALS, "mixed")
    numbers = sorted({n for p in result.points for n in p.citations})
    assert [n for n, _ in result.references] == numbers
    assert (1, "Motor Neuron Disease Diagnosis and Management") in result.references
    assert 6 in numbers  # mixed-als cites 6, 7


# Findings ---------------------------------------------------------------------------


def test_findings_earn_partial_credit_for_the_fraction_classified_right():
    result = grade_findings(
        ALS,
        {
            "hyperreflexia": "umn",
            "fasciculations": "lmn",
            "muscle_atrophy": "umn",
            "focal_onset_spread": "neither",
            "weakness": "lmn",
        },
    )
    assert result.score == pytest.approx(3 / 5)
    assert result.points[0].text == "3 of 5 findings classified right."
    marks = [p.correct for p in result.points[1:]]
    assert marks == [True, True, False, True, False]
    assert result.key == {
        "hyperreflexia": "umn",
        "fasciculations": "lmn",
        "muscle_atrophy": "lmn",
        "focal_onset_spread": "neither",
        "weakness": "neither",
    }


def test_each_finding_point_says_what_the_learner_said_when_wrong():
    result = grade_findings(ALS, {"hyperreflexia": "lmn"})
    first = result.points[1]
    assert first.text.startswith("Hyperreflexia: UMN sign. You said LMN sign.")
    assert "You said no answer" in result.points[2].text
    assert first.citations == (1, 2)


def test_absent_findings_are_not_asked_on_the_findings_item():
    assert list(grade_findings(PLS, {}).key) == ["spasticity", "hyperreflexia", "focal_weakness"]


def test_a_finding_listed_in_two_regions_is_asked_once():
    twice = content(
        "lmn",
        [
            finding("fasciculations", region="Bulbar"),
            finding("fasciculations", region="Cervical / upper limb"),
        ],
    )
    assert grade_findings(twice, {"fasciculations": "lmn"}).score == 1.0


# Next step --------------------------------------------------------------------------


def test_the_best_next_step_scores_one_and_every_option_is_explained():
    case = content(findings=[finding("spasticity")], options=NEXT)
    result = grade_next_step(case, 1)
    assert result.score == 1.0
    assert result.points[0].text == "Correct: MRI brain without contrast."
    rationales = [p for p in result.points if p.kind == "rationale"]
    assert len(rationales) == 3
    assert rationales[0].citations == (1, 4)


def test_a_wrong_next_step_explains_the_choice_first_then_the_best_answer():
    case = content(findings=[finding("spasticity")], options=NEXT)
    result = grade_next_step(case, 2)
    assert result.score == 0.0
    assert (
        result.points[0].text == "Not the best next step. You chose: Creatine kinase. "
        "The best answer is: MRI brain without contrast."
    )
    assert [p.text.split(":")[0] for p in result.points[1:]] == [
        "Creatine kinase",
        "MRI brain without contrast",
        "Reassure",
    ]
    assert result.key == 1


def test_grade_case_asks_only_the_items_a_case_has():
    without = grade_case(PLS, Answers("umn", {"spasticity": "umn"}))
    assert list(without) == ["localization", "findings"]
    with_next = grade_case(
        content(findings=[finding("spasticity")], options=NEXT), Answers("umn", {}, 3)
    )
    assert list(with_next) == ["localization", "findings", "next_step"]
    assert content(findings=[]).items == ("localization",)


# Citations --------------------------------------------------------------------------


def test_a_citation_to_an_unknown_reference_is_an_error_not_a_blank():
    broken = {k: v for k, v in REFERENCES.items() if k != 8}
    with pytest.raises(UnresolvedCitation, match=r"\[8\]"):
        grade_localization(
            content("umn", [finding("spasticity"), finding("weight_loss")], references=broken),
            "umn",
        )


def test_a_citation_to_an_unknown_statement_is_an_error():
    point = TeachingPoint("Made up.", ("no-such-statement",))
    with pytest.raises(UnresolvedCitation, match="no-such-statement"):
        grade_localization(content("umn", [finding("spasticity")], [point]), "umn")


def test_explanations_serialize_to_plain_data():
    data = grade_localization(ALS, "umn").explanation()
    json.dumps(data)
    assert data["points"][0]["kind"] == "verdict"
    assert {"number": 1, "label": "Motor Neuron Disease Diagnosis and Management"} in data[
        "references"
    ]


def test_content_round_trips_through_a_snapshot_dict():
    snapshot = {
        "case": {"answer": "umn"},
        "findings": [
            {
                "code": "spasticity",
                "name": "Spasticity",
                "present": True,
                "statements": ["umn-spasticity"],
            }
        ],
        "teaching_points": [{"text": "T", "statements": ["overview"], "explains_rule": False}],
        "next_step": {
            "prompt": "Next?",
            "options": [
                {
                    "id": 7,
                    "text": "MRI",
                    "correct": True,
                    "rationale": "R",
                    "statements": ["mri-brain-first"],
                }
            ],
        },
        "statements": {
            k: {"text": s.text, "citations": list(s.citations)} for k, s in STATEMENTS.items()
        },
        "references": {str(k): v for k, v in REFERENCES.items()},
    }
    case = CaseContent.from_dict(snapshot)
    assert case.options[0].id == 7
    assert case.references[1] == REFERENCES[1]
    assert grade_case(case, Answers("umn", {"spasticity": "umn"}, 7))["next_step"].score == 1.0
