import pytest

from cases.localization import (
    CHECK_CK,
    CONFIRM_WITH_EMG,
    FINDING_CATEGORIES,
    LMN_PREDICTORS,
    MIXED_PATTERN,
    MRI_BRAIN_FIRST,
    SENSORY_PITFALL,
    WATCH_FOR_LMN,
    WEAKNESS_FINDINGS,
    UnknownFinding,
    localize,
)


def test_umn_and_lmn_signs_together_are_mixed():
    result = localize(["hyperreflexia", "fasciculations"])
    assert result.answer == "mixed"
    assert result.flags == {CONFIRM_WITH_EMG, MRI_BRAIN_FIRST, MIXED_PATTERN}


def test_only_umn_signs_are_umn():
    result = localize(["spasticity", "extensor_plantar", "clonus"])
    assert result.answer == "umn"
    assert result.flags == {MRI_BRAIN_FIRST}


def test_only_lmn_signs_are_lmn():
    result = localize(["fasciculations", "muscle_atrophy"])
    assert result.answer == "lmn"
    assert result.flags == {CONFIRM_WITH_EMG, MRI_BRAIN_FIRST}


def test_no_motor_neuron_sign_is_other_with_no_motor_flags():
    result = localize(["weakness", "ck_elevated"])
    assert result.answer == "other"
    assert result.flags == frozenset()


def test_no_findings_at_all_is_other():
    assert localize([]).answer == "other"
    assert localize([]).flags == frozenset()


@pytest.mark.parametrize(
    "answer_codes", [["spasticity"], ["hypotonia"], ["clonus", "hypotonia"], []]
)
def test_a_sensory_finding_raises_the_sensory_pitfall_whatever_the_answer(answer_codes):
    assert SENSORY_PITFALL in localize([*answer_codes, "sensory_loss"]).flags
    assert SENSORY_PITFALL not in localize(answer_codes).flags


@pytest.mark.parametrize("predictor", sorted(LMN_PREDICTORS))
def test_each_predictor_in_a_umn_only_picture_says_watch_for_lmn(predictor):
    assert localize(["hyperreflexia", predictor]).flags == {WATCH_FOR_LMN, MRI_BRAIN_FIRST}


@pytest.mark.parametrize(
    "codes",
    [
        ["fasciculations", "focal_weakness"],
        ["hyperreflexia", "fasciculations", "bulbar_onset"],
        ["weight_loss"],
    ],
)
def test_watch_for_lmn_applies_only_to_umn(codes):
    assert WATCH_FOR_LMN not in localize(codes).flags


def test_non_predictor_context_does_not_raise_watch_for_lmn():
    assert WATCH_FOR_LMN not in localize(["spasticity", "weakness", "ck_elevated"]).flags


@pytest.mark.parametrize("weakness", sorted(WEAKNESS_FINDINGS))
def test_lmn_or_mixed_with_weakness_says_check_ck(weakness):
    assert CHECK_CK in localize(["fasciculations", weakness]).flags
    assert CHECK_CK in localize(["fasciculations", "clonus", weakness]).flags


def test_check_ck_needs_weakness_and_an_lmn_pattern():
    assert CHECK_CK not in localize(["fasciculations", "muscle_atrophy"]).flags
    assert CHECK_CK not in localize(["spasticity", "progressive_limb_weakness"]).flags
    assert CHECK_CK not in localize(["weakness"]).flags


def test_flaccid_weakness_alone_is_lmn_and_its_own_weakness_for_ck():
    assert localize(["flaccid_weakness"]).flags == {CONFIRM_WITH_EMG, MRI_BRAIN_FIRST, CHECK_CK}


def test_absent_findings_never_count_as_present():
    result = localize(["spasticity"], absent=["fasciculations", "sensory_loss", "weakness"])
    assert result.answer == "umn"
    assert result.flags == {MRI_BRAIN_FIRST}
    assert localize([], absent=["spasticity", "fasciculations"]).answer == "other"


def test_every_lmn_and_umn_sign_of_the_vocabulary_counts_for_its_side():
    for code, category in FINDING_CATEGORIES.items():
        expected = category if category in ("umn", "lmn") else "other"
        assert localize([code]).answer == expected, code


def test_unknown_codes_are_rejected_with_the_valid_list():
    with pytest.raises(UnknownFinding) as excinfo:
        localize(["spasticity", "tremor"], absent=["wobble"])
    assert excinfo.value.codes == ["tremor", "wobble"]
    assert "Valid codes: brisk_jaw_jerk, bulbar_onset" in str(excinfo.value)


def test_as_dict_sorts_the_flags():
    assert localize(["fasciculations", "clonus", "sensory_loss", "weakness"]).as_dict() == {
        "answer": "mixed",
        "flags": [
            "check_ck",
            "confirm_with_emg",
            "mixed_pattern",
            "mri_brain_first",
            "sensory_pitfall",
        ],
    }


def test_the_examination_order_lists_every_finding_once():
    from cases.localization import EXAMINATION_ORDER, FINDING_CATEGORIES

    assert sorted(EXAMINATION_ORDER) == sorted(FINDING_CATEGORIES)
    assert len(set(EXAMINATION_ORDER)) == len(EXAMINATION_ORDER)
