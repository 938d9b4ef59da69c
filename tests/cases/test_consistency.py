"""The editor's consistency panel: what a careful reviewer would raise, read from the content
as it is being typed. Pure, no database."""

from cases import consistency
from tests.factories import case_entry


def warnings(**overrides) -> list[str]:
    return [w.message for w in consistency.check(case_entry(**overrides)).warnings]


def test_a_consistent_case_raises_no_warning():
    report = consistency.check(case_entry())
    assert (report.key, report.rule, report.agrees, report.warnings) == ("umn", "umn", True, [])


def test_no_finding_present_is_named():
    assert any("No finding" in w for w in warnings(findings=[]))


def test_a_key_against_the_rule_needs_a_point_that_explains_it():
    found = warnings(answer="other")
    assert any("no teaching point is marked as explaining why" in w for w in found)
    points = [{"text": "Why.", "statements": ["x"], "explains_rule": True}]
    assert not any("explaining why" in w for w in warnings(answer="other", teaching_points=points))


def test_a_sensory_finding_with_motor_neuron_disease_as_the_site_is_questioned():
    findings = [
        {"code": "fasciculations", "present": True},
        {"code": "sensory_loss", "present": True},
    ]
    found = warnings(site="motor_neuron", differential=[], answer="lmn", findings=findings)
    assert any("typically spare sensation" in w and "Kennedy" in w for w in found)
    assert not any("spare sensation" in w for w in warnings(findings=findings, answer="mixed"))
    level = [{"code": "sensory_level", "present": True}, *findings[:1]]
    found = warnings(site="motor_neuron", differential=[], answer="lmn", findings=level)
    assert any("A sensory level points to the spinal cord" in w for w in found)


def test_an_lmn_key_weighing_motor_neuron_disease_without_electrodiagnosis_is_flagged():
    findings = [{"code": "fasciculations", "present": True}]
    found = warnings(answer="lmn", findings=findings, stem="Twitching arms.")
    assert any("EMG and nerve conduction studies are mentioned nowhere" in w for w in found)
    with_emg = warnings(
        answer="lmn", findings=findings, stem="Twitching.", investigations="EMG: denervation."
    )
    assert not any("mentioned nowhere" in w for w in with_emg)
    # Away from motor neuron disease (a facial palsy, say) EMG is not the guideline's demand.
    nerve = warnings(
        answer="lmn", findings=findings, stem="Twitching.", site="nerve", differential=["root"]
    )
    assert not any("mentioned nowhere" in w for w in nerve)


def test_tests_mentioned_in_the_presentation_are_questioned():
    found = warnings(stem="Weak legs. The CK was 4000 and the MRI showed a disc.")
    assert any("mentions tests (CK, MRI)" in w for w in found)
    assert not any("mentions tests" in w for w in warnings(stem="Weak legs for a month."))
    # Atrial fibrillation is history, not an EMG result.
    assert not any("mentions tests" in w for w in warnings(stem="Atrial fibrillation; weak."))


def test_a_next_step_needs_exactly_one_correct_option():
    two = {
        "prompt": "Next?",
        "options": [
            {"text": "A", "correct": True, "rationale": "r"},
            {"text": "B", "correct": True, "rationale": "r"},
        ],
    }
    assert any("2 correct options" in w for w in warnings(next_step=two))
    none = {**two, "options": [{**o, "correct": False} for o in two["options"]]}
    assert any("0 correct options" in w for w in warnings(next_step=none))


def test_a_teaching_point_with_neither_citation_nor_label_is_named():
    points = [
        {"text": "Cited.", "statements": ["a"]},
        {"text": "Uncited.", "statements": []},
        {"text": "Beyond this guideline: labelled.", "statements": []},
    ]
    found = warnings(teaching_points=points)
    assert [w for w in found if "Teaching point" in w] == [
        "Teaching point 2 cites no guideline statement and is not labelled "
        "“Beyond this guideline:”."
    ]


def test_half_typed_content_is_read_without_error():
    report = consistency.check({"findings": [{"code": "", "present": True}], "answer": ""})
    assert report.rule == "other" and report.key_name == ""
