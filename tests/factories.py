import factory
from django.contrib.auth import get_user_model

from cases.models import Case, CaseFinding, Finding, GuidelineStatement, Reference, TeachingPoint


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: 100 + n)
    title = factory.Sequence(lambda n: f"Reference title {n}")
    source = "Test Publisher"
    year = 2025


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidelineStatement
        django_get_or_create = ("key",)
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"statement-{n}")
    topic = GuidelineStatement.Topic.SIGNS
    text = factory.Sequence(lambda n: f"Teaching statement number {n}.")

    @factory.post_generation
    def citations(self, create, extracted, **kwargs):
        if create:
            self.citations.set(extracted or [ReferenceFactory()])


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding
        django_get_or_create = ("code",)

    code = "spasticity"
    name = factory.LazyAttribute(lambda f: f.code.replace("_", " ").capitalize())
    category = factory.LazyAttribute(
        lambda f: __import__("cases.localization").localization.FINDING_CATEGORIES[f.code]
    )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    slug = factory.Sequence(lambda n: f"case-{n}")
    title = factory.Sequence(lambda n: f"Weakness puzzle {n}")
    stem = "A 60-year-old presents with weakness."
    patient_age = 60
    patient_sex = Case.Sex.FEMALE
    status = Case.Status.PUBLISHED
    answer = Case.Answer.UMN
    site = "spinal_cord"


class CaseFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseFinding

    case = factory.SubFactory(CaseFactory)
    finding = factory.SubFactory(FindingFactory)
    present = True


class TeachingPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingPoint

    case = factory.SubFactory(CaseFactory)
    text = "A point worth knowing."

    @factory.post_generation
    def statements(self, create, extracted, **kwargs):
        if create:
            self.statements.set(extracted or [StatementFactory()])


def case_entry(slug: str = "new-case", **overrides) -> dict:
    case = {
        "slug": slug,
        "title": "Stiff legs in a runner",
        "status": "published",
        "answer": "umn",
        "difficulty": "introductory",
        "patient_age": 44,
        "patient_sex": "male",
        "site": "spinal_cord",
        "differential": ["motor_neuron"],
        "tags": ["spinal-cord"],
        "stem": "Two years of **stiff** legs.",
        "findings": [
            {"code": "spasticity", "present": True, "region": "lumbosacral", "side": "bilateral"},
            {"code": "fasciculations", "present": False, "region": "", "side": ""},
        ],
        "teaching_points": [
            {"text": "Stiffness with brisk reflexes is UMN.", "statements": ["umn-spasticity"]}
        ],
        "next_step": {
            "prompt": "Next?",
            "options": [
                {
                    "text": "MRI brain",
                    "correct": True,
                    "rationale": "First.",
                    "statements": ["mri-brain-first"],
                },
                {
                    "text": "CK",
                    "correct": False,
                    "rationale": "No LMN.",
                    "statements": ["ck-lmn-weakness"],
                },
            ],
        },
    }
    case.update(overrides)
    return case
