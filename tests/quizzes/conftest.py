import pytest

from cases.models import Case
from cases.services import import_bank
from quizzes.models import Quiz, QuizCase
from tests.factories import UserFactory, case_entry

PASSWORD = "correct-horse-battery"


def stroke_entry() -> dict:
    return case_entry(
        "capsule",
        title="Sudden weakness of one side",
        stem="Sudden **right** arm and leg weakness.",
        investigations="SECRET-INVESTIGATIONS MRI shows a *left* capsular infarct.",
        answer="umn",
        site="cerebrum",
        differential=[],
        findings=[
            {"code": "spasticity", "present": True, "region": "cervical", "side": "right"},
            {"code": "extensor_plantar", "present": True, "region": "lumbosacral", "side": "right"},
            {"code": "fasciculations", "present": False, "region": "", "side": ""},
        ],
        teaching_points=[
            {
                "text": "SECRET-TEACHING a capsular lesion is a UMN lesion.",
                "statements": ["umn-spasticity"],
            }
        ],
        next_step={
            "prompt": "What is the best first imaging?",
            "options": [
                {
                    "text": "MRI brain",
                    "correct": True,
                    "rationale": "SECRET-RATIONALE-A first.",
                    "statements": ["mri-brain-first"],
                },
                {
                    "text": "Spine MRI",
                    "correct": False,
                    "rationale": "SECRET-RATIONALE-B later.",
                    "statements": ["mri-snake-eyes"],
                },
            ],
        },
    )


def als_entry() -> dict:
    return case_entry(
        "als-hand",
        title="A wasted hand and brisk reflexes",
        answer="mixed",
        site="motor_neuron",
        differential=["multiple"],
        next_step=None,
        findings=[
            {"code": "hyperreflexia", "present": True, "region": "cervical", "side": "bilateral"},
            {"code": "fasciculations", "present": True, "region": "cervical", "side": "left"},
            {"code": "muscle_atrophy", "present": True, "region": "cervical", "side": "left"},
            {"code": "sensory_loss", "present": False, "region": "", "side": ""},
        ],
        teaching_points=[{"text": "UMN and LMN together: think ALS.", "statements": ["mixed-als"]}],
    )


def mg_entry() -> dict:
    return case_entry(
        "fatigable",
        title="Droopy eyelids by evening",
        answer="other",
        site="nmj",
        differential=["muscle"],
        next_step=None,
        findings=[{"code": "weakness", "present": True, "region": "bulbar", "side": ""}],
        teaching_points=[
            {
                "text": "NMJ disease has no motor neuron pattern.",
                "statements": ["peripheral-disorders"],
            }
        ],
    )


@pytest.fixture
def bank(kb) -> list[Case]:
    import_bank(data={"cases": [stroke_entry(), als_entry(), mg_entry()]})
    return [Case.objects.get(slug=s) for s in ("capsule", "als-hand", "fatigable")]


@pytest.fixture
def quiz(bank) -> Quiz:
    quiz = Quiz.objects.create(slug="basics", title="The basics", description="Start here.")
    for i, case in enumerate(bank, start=1):
        QuizCase.objects.create(quiz=quiz, case=case, position=i)
    return quiz


@pytest.fixture
def learner(db):
    return UserFactory(username="learner")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def learner_client(client, learner):
    client.login(username="learner", password=PASSWORD)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.login(username="outsider", password=PASSWORD)
    return client


STROKE_STAGE_ONE = {"stage": "1", "localization": "umn", "certainty": "sure", "site": "cerebrum"}
STROKE_STAGE_TWO = {
    "stage": "2",
    "revised": "umn",
    "finding-spasticity": "umn",
    "finding-extensor_plantar": "umn",
}
