"""What the review of the flow found: keys hidden in option order, broken content, races."""

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction

from cases.models import Case, Finding, NextStepOption
from quizzes.content import compile_cases
from quizzes.grading import Answers
from quizzes.models import Attempt, Response
from quizzes.services import (
    OutOfOrder,
    commit_first_stage,
    start_attempt,
    start_weakest_signs_attempt,
    submit_second_stage,
)
from tests.factories import UserFactory


def test_next_step_options_are_shuffled_and_numbered_per_snapshot(bank):
    stroke = bank[0]
    positions = Counter()
    for _ in range(40):
        options = compile_cases([stroke.pk])[stroke.pk]["next_step"]["options"]
        assert [o["id"] for o in options] == [1, 2]
        positions[next(o["id"] for o in options if o["correct"])] += 1
    assert positions[1] and positions[2], "the right option always sits in the same place"


def test_a_case_broken_behind_the_schemas_back_is_left_out_of_new_attempts(bank, quiz, learner):
    # Every validated path refuses this edit; a raw update is the only way to make it.
    NextStepOption.objects.filter(question__case=bank[0]).update(is_correct=False)
    assert bank[0].pk not in compile_cases([c.pk for c in bank])
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    assert list(attempt.attempt_cases.values_list("case__slug", flat=True)) == [
        "als-hand",
        "fatigable",
    ]
    assert attempt.case_count == 2


def test_findings_outside_the_vocabulary_are_refused_by_the_database(kb):
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(code="tremor", name="Tremor", category="umn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(code="spasticity").update(category="lmn")


def test_a_question_cannot_have_two_correct_options(bank):
    with pytest.raises(IntegrityError), transaction.atomic():
        NextStepOption.objects.filter(question__case=bank[0]).update(is_correct=True)


def test_the_admin_cannot_leave_a_published_case_without_a_correct_option(admin_client, bank):
    from django.urls import reverse

    question = bank[0].next_step
    options = list(question.options.all())
    data = {"case": bank[0].pk, "prompt": question.prompt}
    prefix = "options"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "2",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for i, option in enumerate(options):
        data.update(
            {
                f"{prefix}-{i}-id": option.pk,
                f"{prefix}-{i}-question": question.pk,
                f"{prefix}-{i}-position": i,
                f"{prefix}-{i}-text": option.text,
                f"{prefix}-{i}-rationale": option.rationale,
                f"{prefix}-{i}-statements": [s.pk for s in option.statements.all()],
            }
        )
    response = admin_client.post(
        reverse("admin:cases_nextstepquestion_change", args=[question.pk]), data, follow=True
    )
    page = response.content.decode()
    assert "Nothing was saved: a published case must stay gradable." in page
    assert "exactly one option must be correct, not 0" in page
    assert "was changed successfully" not in page
    assert question.options.filter(is_correct=True).count() == 1


def test_the_admin_cannot_publish_a_case_without_its_site(admin_client, bank):
    from django.urls import reverse

    from cases.services import check_saved_case

    case = bank[0]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT, site="")
    data = {
        "slug": case.slug,
        "title": case.title,
        "stem": case.stem,
        "patient_age": case.patient_age,
        "patient_sex": case.patient_sex,
        "status": "published",
        "difficulty": case.difficulty,
        "answer": case.answer,
        "site": "",
        "differential": "[]",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "teaching_points-TOTAL_FORMS": "0",
        "teaching_points-INITIAL_FORMS": "0",
    }
    response = admin_client.post(
        reverse("admin:cases_case_change", args=[case.pk]), data, follow=True
    )
    assert "published case needs the lesion&#x27;s site" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    # The database refuses it too, whatever path a write takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    assert check_saved_case(case).site == ""


def test_instructors_read_but_cannot_change_the_knowledge_base_or_cases_in_the_admin(db):
    from neurolocalize.accounts import ensure_demo_user

    instructor, _ = ensure_demo_user(username="teacher", password="x-Long-pass-1", instructor=True)
    # Practice sets and tags are theirs in the admin; a case changes only through the
    # instructor area, as a version another instructor reviews.
    assert instructor.has_perm("quizzes.change_quiz") and instructor.has_perm("cases.add_tag")
    for model in (
        "guidelinestatement",
        "reference",
        "finding",
        "source",
        "lesson",
        "case",
        "casefinding",
        "teachingpoint",
        "nextstepoption",
        "caseversion",
        "caseevent",
    ):
        assert instructor.has_perm(f"cases.view_{model}")
        for action in ("add", "change", "delete"):
            assert not instructor.has_perm(f"cases.{action}_{model}")


def test_weakest_signs_never_asks_a_case_twice(bank, learner):
    attempt = start_weakest_signs_attempt(
        user=learner, codes=["hyperreflexia", "fasciculations", "spasticity"]
    )
    slugs = list(attempt.attempt_cases.values_list("case__slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 2


def test_answers_are_recorded_in_order_only(quiz, learner):
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    second = attempt.attempt_cases.get(position=2)
    with pytest.raises(OutOfOrder):
        commit_first_stage(attempt_case=second, answers=Answers("mixed", site="motor_neuron"))
    with pytest.raises(OutOfOrder):
        # Stage 2 waits for stage 1 of its own case.
        submit_second_stage(attempt_case=attempt.attempt_cases.get(position=1), answers=Answers())
    assert not attempt.attempt_cases.filter(committed_at__isnull=False).exists()
    assert not Response.objects.exists()


def test_the_database_allows_one_open_attempt_per_quiz(quiz, learner):
    start_attempt(user=learner, quiz=quiz)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(user=learner, quiz=quiz, title="again", case_count=1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL row locks"
)
@pytest.mark.django_db(transaction=True)
def test_two_tabs_starting_at_once_share_one_attempt(kb):
    from cases.services import import_bank
    from quizzes.models import Quiz
    from tests.factories import case_entry

    import_bank(data={"cases": [case_entry("race")]})
    quiz = Quiz.objects.create(slug="q", title="Q")
    quiz.quiz_cases.create(case=Case.objects.get(slug="race"), position=1)
    user = UserFactory()
    barrier = threading.Barrier(3)
    started = []

    def start():
        barrier.wait()
        try:
            started.append(start_attempt(user=user, quiz=quiz)[0].pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(started) == 3 and len(set(started)) == 1
    assert Attempt.objects.filter(user=user).count() == 1


def test_nobody_edits_the_knowledge_base_in_the_admin(admin_client, kb):
    from django.urls import reverse

    from cases.models import GuidelineStatement, Lesson

    lesson = Lesson.objects.first()
    url = reverse("admin:cases_lesson_change", args=[lesson.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="trigger"' not in page  # shown, not editable
    admin_client.post(url, {"trigger": "sensory-pitfall", "text": "Edited."})
    lesson.refresh_from_db()
    assert lesson.trigger != "sensory-pitfall" and lesson.text != "Edited."
    assert admin_client.get(reverse("admin:cases_guidelinestatement_add")).status_code == 403
    assert GuidelineStatement.objects.count() == 32


def test_a_part_of_a_case_cannot_be_moved_to_another_case_in_the_admin(admin_client, bank):
    from django.urls import reverse

    option = NextStepOption.objects.filter(question__case=bank[0]).first()
    page = admin_client.get(
        reverse("admin:cases_nextstepoption_change", args=[option.pk])
    ).content.decode()
    assert 'name="question"' not in page


def test_an_administrators_edit_in_the_admin_is_recorded_as_a_version(admin_client, bank):
    from django.urls import reverse

    question = bank[0].next_step
    before = bank[0].version
    response = admin_client.post(
        reverse("admin:cases_nextstepquestion_change", args=[question.pk]),
        {
            "case": bank[0].pk,
            "prompt": "A reworded question?",
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert "was changed successfully" in response.content.decode()
    case = Case.objects.get(pk=bank[0].pk)
    assert case.version == before + 1
    latest = case.versions.get(number=case.version)
    assert (latest.state, latest.origin) == ("published", "admin")
    assert latest.content["next_step"]["prompt"] == "A reworded question?"
    assert case.versions.get(number=before).state == "superseded"
