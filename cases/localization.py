"""The localization rule: a pure function from findings to a localization and flags.

The rule is advice for authors and raw material for explanations. A case's answer key,
set by its author, decides the grade (an acute UMN lesion can look flaccid at first).
"""

from collections.abc import Iterable
from dataclasses import dataclass

UMN = "umn"
LMN = "lmn"
MIXED = "mixed"
OTHER = "other"
ANSWERS = (UMN, LMN, MIXED, OTHER)

ANSWER_LABELS = {
    UMN: "Upper motor neuron",
    LMN: "Lower motor neuron",
    MIXED: "Both: mixed UMN and LMN",
    OTHER: "Neither: no upper or lower motor neuron lesion",
}

# How verdicts name an answer, inside a sentence.
ANSWER_NAMES = {
    UMN: "upper motor neuron",
    LMN: "lower motor neuron",
    MIXED: "mixed UMN and LMN",
    OTHER: "neither UMN nor LMN",
}

SENSORY = "sensory"
CONTEXT = "context"

# The finding vocabulary is a contract shared with exports and tests (PRODUCT.md).
FINDING_CATEGORIES: dict[str, str] = {
    "spasticity": UMN,
    "hyperreflexia": UMN,
    "clonus": UMN,
    "extensor_plantar": UMN,
    "fasciculations": LMN,
    "flaccid_weakness": LMN,
    "hypotonia": LMN,
    "hyporeflexia": LMN,
    "muscle_atrophy": LMN,
    "emg_denervation": LMN,
    "ncs_low_cmap": LMN,
    "mri_corticospinal_signal": UMN,
    "mri_anterior_horn_signal": LMN,
    "sensory_loss": SENSORY,
    "weakness": CONTEXT,
    "focal_weakness": CONTEXT,
    "bulbar_onset": CONTEXT,
    "weight_loss": CONTEXT,
    "reduced_fvc": CONTEXT,
    "progressive_limb_weakness": CONTEXT,
    "focal_onset_spread": CONTEXT,
    "ck_elevated": CONTEXT,
    # Added so that a stem's key clue can be coded; old codes never change meaning.
    "hoffmann_sign": UMN,
    "brisk_jaw_jerk": UMN,
    "forehead_sparing_facial_weakness": UMN,
    "whole_face_weakness": LMN,
    "fatigable_weakness": CONTEXT,
    "sensory_level": SENSORY,
    "sphincter_dysfunction": CONTEXT,
    "imaging_structural_lesion": CONTEXT,
}

# Other words authors use for each finding: the editor's search matches them after names,
# so "fasc" finds fasciculations, never an EMG finding.
FINDING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "spasticity": (
        "increased tone (spastic)",
        "velocity-dependent tone",
        "spastic catch",
        "clasp-knife",
    ),
    "hyperreflexia": ("brisk reflexes", "increased reflexes"),
    "clonus": ("ankle clonus", "sustained clonus"),
    "extensor_plantar": ("Babinski sign", "upgoing toe", "upgoing plantar"),
    "fasciculations": ("fasciculation", "fasciculating", "visible twitches at rest"),
    "flaccid_weakness": ("flaccid paralysis", "flaccid paresis"),
    "hypotonia": ("reduced tone", "low tone", "floppy"),
    "hyporeflexia": ("areflexia", "absent reflexes", "reduced reflexes", "depressed reflexes"),
    "muscle_atrophy": ("wasting", "amyotrophy"),
    "emg_denervation": ("fibrillation potentials", "positive sharp waves", "active denervation"),
    "ncs_low_cmap": ("low CMAP amplitude", "reduced compound muscle action potential"),
    "mri_corticospinal_signal": (
        "corticospinal tract T2/FLAIR hyperintensity",
        "posterior limb internal capsule hyperintensity",
    ),
    "mri_anterior_horn_signal": ("owl's eyes", "snake eyes", "anterior horn signal"),
    "sensory_loss": (
        "numbness",
        "reduced sensation",
        "hypoaesthesia",
        "paraesthesia",
        "tingling",
        "reduced vibration sense",
        "reduced joint position sense",
    ),
    "weakness": ("paresis",),
    "focal_weakness": ("weakness in one region", "monoparesis"),
    "bulbar_onset": ("dysarthria at onset", "dysphagia at onset", "bulbar symptoms first"),
    "weight_loss": ("losing weight",),
    "reduced_fvc": ("reduced vital capacity", "FVC below predicted"),
    "progressive_limb_weakness": ("worsening limb weakness",),
    "focal_onset_spread": ("contiguous spread", "spread to the neighbouring region"),
    "ck_elevated": ("raised CK", "high creatine kinase"),
    "hoffmann_sign": ("Hoffmann's sign", "brisk finger flexor jerk"),
    "brisk_jaw_jerk": ("brisk jaw reflex", "exaggerated jaw jerk"),
    "forehead_sparing_facial_weakness": ("central facial weakness", "lower face weakness"),
    "whole_face_weakness": (
        "peripheral facial weakness",
        "facial palsy including the forehead",
        "bilateral facial weakness",
    ),
    "fatigable_weakness": ("fatigability", "weakness worse with use"),
    "sensory_level": ("level to pinprick", "spinal sensory level"),
    "sphincter_dysfunction": ("bladder", "bowel", "urinary retention", "incontinence"),
    "imaging_structural_lesion": (
        "mass on imaging",
        "compression on imaging",
        "infarct on imaging",
    ),
}

# The order a clinician meets the findings: the history, then the examination (tone, power,
# reflexes, plantars, fasciculations and wasting, sensation), then the tests. Learners see
# them in this order, never in code order.
EXAMINATION_ORDER: tuple[str, ...] = (
    "bulbar_onset",
    "focal_onset_spread",
    "weight_loss",
    "sphincter_dysfunction",
    "spasticity",
    "hypotonia",
    "flaccid_weakness",
    "weakness",
    "focal_weakness",
    "progressive_limb_weakness",
    "fatigable_weakness",
    "forehead_sparing_facial_weakness",
    "whole_face_weakness",
    "hyperreflexia",
    "hyporeflexia",
    "clonus",
    "hoffmann_sign",
    "brisk_jaw_jerk",
    "extensor_plantar",
    "fasciculations",
    "muscle_atrophy",
    "sensory_loss",
    "sensory_level",
    "reduced_fvc",
    "ck_elevated",
    "emg_denervation",
    "ncs_low_cmap",
    "mri_corticospinal_signal",
    "mri_anterior_horn_signal",
    "imaging_structural_lesion",
)

# The findings that are results of tests, not of the history or examination.
TESTS = frozenset(EXAMINATION_ORDER[EXAMINATION_ORDER.index("reduced_fvc") :])

# Where the lesion is: every case has one site and a differential from the same vocabulary,
# worded for a learner choosing among them.
SITE_LABELS: dict[str, str] = {
    "cerebrum": "Brain above the brainstem: one or both cerebral hemispheres (cortex, white "
    "matter, internal capsule) or the thalamus",
    "brainstem": "Brainstem",
    "spinal_cord": "Spinal cord: a lesion in or pressing on the cord, such as compression, "
    "inflammation, infection, an infarct, a syrinx or degeneration of its long tracts",
    "motor_neuron": "Motor neuron disease: a progressive degeneration of upper and/or lower "
    "motor neurons (ALS, PLS, spinal muscular atrophy, Kennedy disease)",
    "root": "Nerve root",
    "plexus": "Plexus",
    "nerve": "Peripheral nerve, cranial nerves outside the brainstem included",
    "nmj": "Neuromuscular junction",
    "muscle": "Muscle",
    "multiple": "More than one site",
    "functional": "Functional: a disorder of nervous-system function, shown by positive signs",
    "other": "Elsewhere: outside the nervous system and muscle",
}
SITES = tuple(SITE_LABELS)
# The short name of each site, as verdicts and explanations say it.
SITE_NAMES: dict[str, str] = {
    "cerebrum": "Cerebral hemispheres or thalamus",
    "brainstem": "Brainstem",
    "spinal_cord": "Spinal cord",
    "motor_neuron": "Motor neuron disease",
    "root": "Nerve root",
    "plexus": "Plexus",
    "nerve": "Peripheral nerve",
    "nmj": "Neuromuscular junction",
    "muscle": "Muscle",
    "multiple": "More than one site",
    "functional": "Functional",
    "other": "Elsewhere",
}
# The site item's choices, grouped as a clinician walks down the neuraxis.
SITE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Brain and spinal cord", ("cerebrum", "brainstem", "spinal_cord")),
    ("A disease of the motor neuron system", ("motor_neuron",)),
    ("Root, plexus, nerve, junction and muscle", ("root", "plexus", "nerve", "nmj", "muscle")),
    ("None of these alone", ("multiple", "functional", "other")),
)
MOTOR_NEURON = "motor_neuron"

SENSORY_PITFALL = "sensory_pitfall"
WATCH_FOR_LMN = "watch_for_lmn"
CONFIRM_WITH_EMG = "confirm_with_emg"
MRI_BRAIN_FIRST = "mri_brain_first"
CHECK_CK = "check_ck"
MIXED_PATTERN = "mixed_pattern"
FLAGS = (
    SENSORY_PITFALL,
    WATCH_FOR_LMN,
    CONFIRM_WITH_EMG,
    MRI_BRAIN_FIRST,
    CHECK_CK,
    MIXED_PATTERN,
)

# Findings that, at baseline in a UMN-only patient, predict later LMN involvement [8].
LMN_PREDICTORS = frozenset(
    {"focal_weakness", "bulbar_onset", "weight_loss", "reduced_fvc", "progressive_limb_weakness"}
)
# Weakness findings that call for a CK once LMN involvement is found [1].
WEAKNESS_FINDINGS = frozenset(
    {"weakness", "focal_weakness", "flaccid_weakness", "progressive_limb_weakness"}
)


class UnknownFinding(ValueError):
    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = sorted(set(codes))
        super().__init__(
            f"Unknown finding code(s): {', '.join(self.codes)}. "
            f"Valid codes: {', '.join(sorted(FINDING_CATEGORIES))}."
        )


@dataclass(frozen=True)
class Localization:
    answer: str
    flags: frozenset[str]

    def as_dict(self) -> dict:
        return {"answer": self.answer, "flags": sorted(self.flags)}


def localize(present: Iterable[str], absent: Iterable[str] = ()) -> Localization:
    """Localize from the findings present; absent findings are validated but never count."""
    present = set(present)
    absent = set(absent)
    unknown = (present | absent) - FINDING_CATEGORIES.keys()
    if unknown:
        raise UnknownFinding(unknown)

    categories = {FINDING_CATEGORIES[code] for code in present}
    has_umn = UMN in categories
    has_lmn = LMN in categories
    if has_umn and has_lmn:
        answer = MIXED
    elif has_umn:
        answer = UMN
    elif has_lmn:
        answer = LMN
    else:
        answer = OTHER

    return Localization(answer=answer, flags=flags_for(answer, present))


def flags_for(answer: str, present: Iterable[str]) -> frozenset[str]:
    """The teaching flags for a localization and the findings present.

    Separate from `localize` so explanations can raise the flags of a case's answer key,
    which its author may have set apart from what the signs alone give.
    """
    present = set(present)
    categories = {FINDING_CATEGORIES[code] for code in present}
    flags = set()
    if SENSORY in categories:
        flags.add(SENSORY_PITFALL)
    if answer == UMN and present & LMN_PREDICTORS:
        flags.add(WATCH_FOR_LMN)
    if answer in (LMN, MIXED):
        flags.add(CONFIRM_WITH_EMG)
        if present & WEAKNESS_FINDINGS:
            flags.add(CHECK_CK)
    if answer != OTHER:
        flags.add(MRI_BRAIN_FIRST)
    if answer == MIXED:
        flags.add(MIXED_PATTERN)
    return frozenset(flags)
