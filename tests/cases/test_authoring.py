"""Case authoring: drafts, review by another instructor, versions that never change under
learners, and the loaders that leave an instructor's work alone."""

import pytest

from cases import authoring, schema
from cases.bank import canonical
from cases.models import Case, CaseEvent, CaseVersion
from cases.selectors import current_content, known_keys
from cases.services import import_bank, load_curated, read_curated
from tests.conftest import make_instructor
from tests.factories import UserFactory, case_entry

pytestmark = pytest.mark.django_db


def content(slug: str = "stiff-legs", **overrides) -> schema.CaseSchema:
    return schema.validate_case(case_entry(slug, **overrides), known=known_keys())


@pytest.fixture
def published(kb, author, reviewer) -> Case:
    """A case its author wrote and another instructor approved: version 1 published."""
    case = authoring.create_case(author=author, content=content())
    authoring.submit_for_review(case=case, user=author)
    authoring.approve(case=case, reviewer=reviewer)
    case.refresh_from_db()
    return case


def test_a_new_case_is_version_1_a_draft_of_its_authors(kb, author):
    case = authoring.create_case(author=author, content=content())
    version = case.versions.get()
    assert (case.status, case.author, case.version) == ("draft", author, 1)
    assert (version.number, version.state, version.author) == (1, "draft", author)
    assert version.content["title"] == "Stiff legs in a runner"
    assert case.events.get().action == CaseEvent.Action.CREATED


def test_another_instructor_approves_and_the_case_is_published(published, reviewer):
    assert published.status == "published"
    version = published.versions.get()
    assert version.state == "published" and version.published_at is not None
    actions = list(published.events.order_by("pk").values_list("action", "actor__username"))
    assert actions == [("created", "author"), ("submitted", "author"), ("approved", "reviewer")]


def test_an_author_cannot_approve_their_own_case(kb, author):
    case = authoring.create_case(author=author, content=content())
    authoring.submit_for_review(case=case, user=author)
    with pytest.raises(authoring.NotAllowed, match="cannot review their own"):
        authoring.approve(case=case, reviewer=author)
    case.refresh_from_db()
    assert case.status == "review" and case.versions.get().state == "review"


def test_asking_for_changes_needs_a_comment_and_returns_the_draft(kb, author, reviewer):
    case = authoring.create_case(author=author, content=content())
    authoring.submit_for_review(case=case, user=author)
    with pytest.raises(authoring.NotAllowed, match="Say what should change"):
        authoring.request_changes(case=case, reviewer=reviewer, comment="  ")
    authoring.request_changes(case=case, reviewer=reviewer, comment="Add a sensory level.")
    case.refresh_from_db()
    assert case.status == "draft" and case.versions.get().state == "draft"
    event = case.events.first()
    assert (event.action, event.actor, event.comment) == (
        "changes_requested",
        reviewer,
        "Add a sensory level.",
    )


def test_a_draft_that_could_not_be_published_cannot_go_for_review(kb, author):
    case = authoring.create_case(
        author=author, content=content(status="draft", site="", differential=None)
    )
    with pytest.raises(schema.BankInvalid) as caught:
        authoring.submit_for_review(case=case, user=author)
    assert [e.location for e in caught.value.errors] == ["site"]
    assert case.versions.get().state == "draft"


def test_editing_a_published_case_makes_a_new_draft_learners_do_not_get(published, author):
    edited = content(title="Stiff legs in a marathon runner")
    version = authoring.save_draft(case=published, author=author, content=edited)
    published.refresh_from_db()
    assert version.number == 2 and version.state == "draft"
    assert published.title == "Stiff legs in a runner" and published.version == 1
    assert current_content(published)["title"] == "Stiff legs in a runner"


def test_approving_the_new_version_supersedes_the_old_for_new_attempts_only(
    published, author, reviewer
):
    from quizzes.models import Quiz, QuizCase
    from quizzes.services import start_attempt

    quiz = Quiz.objects.create(slug="q", title="Q")
    QuizCase.objects.create(quiz=quiz, case=published, position=1)
    learner = UserFactory(username="learner")
    before, _ = start_attempt(user=learner, quiz=quiz)
    authoring.save_draft(case=published, author=author, content=content(title="Version two"))
    authoring.submit_for_review(case=published, user=author)
    authoring.approve(case=published, reviewer=reviewer)
    published.refresh_from_db()
    assert (published.title, published.version) == ("Version two", 2)
    states = dict(published.versions.values_list("number", "state"))
    assert states == {1: "superseded", 2: "published"}
    # The attempt already started keeps version 1, as it was shown.
    kept = before.attempt_cases.get().content["case"]
    assert (kept["title"], kept["version"]) == ("Stiff legs in a runner", 1)
    other = UserFactory(username="other")
    after, _ = start_attempt(user=other, quiz=quiz)
    assert after.attempt_cases.get().content["case"]["version"] == 2


def test_another_instructors_draft_is_not_theirs_to_edit(published, author, reviewer):
    authoring.save_draft(case=published, author=author, content=content(title="Mine"))
    with pytest.raises(authoring.NotAllowed, match="another instructor"):
        authoring.save_draft(case=published, author=reviewer, content=content(title="Theirs"))
    assert published.versions.get(number=2).content["title"] == "Mine"


def test_a_version_in_review_is_not_edited_until_withdrawn(published, author):
    authoring.save_draft(case=published, author=author, content=content(title="Two"))
    authoring.submit_for_review(case=published, user=author)
    with pytest.raises(authoring.NotAllowed, match="in review"):
        authoring.save_draft(case=published, author=author, content=content(title="Three"))
    authoring.withdraw(case=published, user=author)
    authoring.save_draft(case=published, author=author, content=content(title="Three"))
    assert published.versions.get(number=2).content["title"] == "Three"


def test_discarding_a_draft_leaves_the_published_version(published, author):
    authoring.save_draft(case=published, author=author, content=content(title="Two"))
    authoring.discard_draft(case=published, user=author)
    assert list(published.versions.values_list("number", flat=True)) == [1]
    published.refresh_from_db()
    assert published.status == "published"


def test_retiring_takes_a_case_out_of_new_attempts_and_reinstating_brings_it_back(
    published, reviewer
):
    from quizzes.models import Quiz, QuizCase
    from quizzes.services import draw_case_ids

    quiz = Quiz.objects.create(slug="q", title="Q")
    QuizCase.objects.create(quiz=quiz, case=published, position=1)
    authoring.retire(case=published, user=reviewer, comment="Superseded by a better case.")
    assert draw_case_ids(quiz) == []
    with pytest.raises(authoring.NotAllowed):
        authoring.retire(case=published, user=reviewer)
    authoring.reinstate(case=published, user=reviewer)
    assert draw_case_ids(quiz) == [published.pk]
    assert [e.action for e in published.events.all()[:2]] == ["reinstated", "retired"]


def test_a_case_from_before_versions_gets_its_content_recorded_as_version_1(kb, author):
    import_bank(data={"cases": [case_entry("old-case")]})
    case = Case.objects.get(slug="old-case")
    # The import recorded it; a factory-made case has no version until its first edit.
    CaseVersion.objects.filter(case=case).delete()
    authoring.save_draft(case=case, author=author, content=content(slug="old-case", title="New"))
    assert dict(case.versions.values_list("number", "state")) == {1: "published", 2: "draft"}
    assert case.versions.get(number=1).content["title"] == "Stiff legs in a runner"


def test_one_open_version_per_case_is_enforced_by_the_database(published, author):
    from django.db import IntegrityError

    authoring.save_draft(case=published, author=author, content=content(title="Two"))
    with pytest.raises(IntegrityError):
        CaseVersion.objects.create(case=published, number=3, content={}, state="draft")


# The loaders ------------------------------------------------------------------------------


def test_an_import_records_a_new_version_and_the_history_says_so(kb):
    import_bank(data={"cases": [case_entry("imported")]})
    import_bank(data={"cases": [case_entry("imported", title="Retitled")]})
    case = Case.objects.get(slug="imported")
    assert dict(case.versions.values_list("number", "state")) == {1: "superseded", 2: "published"}
    assert case.version == 2
    assert case.events.first().action == CaseEvent.Action.LOADED


def test_an_import_leaves_a_case_with_an_open_draft_alone(published, author):
    authoring.save_draft(case=published, author=author, content=content(title="Draft title"))
    report = import_bank(data={"cases": [case_entry("stiff-legs", title="From a file")]})
    published.refresh_from_db()
    assert report.kept_open_drafts == ["stiff-legs"]
    assert published.title == "Stiff legs in a runner"
    assert published.versions.get(number=2).content["title"] == "Draft title"


def test_the_curated_loader_never_overwrites_a_case_edited_here(db, django_user_model):
    load_curated()
    case = Case.objects.published().order_by("slug").first()
    author = make_instructor("editor")
    reviewer = make_instructor("second")
    edited = {**current_content(case), "title": "Edited here"}
    checked = schema.validate_case(edited, known=known_keys())
    authoring.save_draft(case=case, author=author, content=checked)
    # A draft alone already holds the case against the loader ...
    data = read_curated()
    for entry in data["cases"]:
        if entry["slug"] == case.slug:
            entry["title"] = "A curated update"
    report = load_curated(data=data)
    assert case.slug in report.kept_open_drafts
    # ... and so does the published edit.
    authoring.submit_for_review(case=case, user=author)
    authoring.approve(case=case, reviewer=reviewer)
    report = load_curated(data=data)
    case.refresh_from_db()
    assert case.slug in report.kept_local_edits and case.title == "Edited here"
    assert canonical(checked)["title"] == "Edited here"


def test_no_one_who_wrote_or_submitted_a_version_reviews_it(kb, author, reviewer):
    root = UserFactory(username="root", is_superuser=True)
    case = authoring.create_case(author=author, content=content())
    # A superuser's edit of the author's draft makes them a contributor too.
    authoring.save_draft(case=case, author=root, content=content(title="Tidied"))
    authoring.submit_for_review(case=case, user=author)
    for contributor in (author, root):
        with pytest.raises(authoring.NotAllowed):
            authoring.approve(case=case, reviewer=contributor)
    authoring.approve(case=case, reviewer=reviewer)
    case.refresh_from_db()
    assert case.status == "published"


def test_whoever_submits_a_version_from_a_file_cannot_approve_it(kb, author, reviewer):
    import_bank(data={"cases": [case_entry("from-a-file", status="draft")]})
    case = Case.objects.get(slug="from-a-file")
    assert case.versions.get().author is None
    authoring.submit_for_review(case=case, user=author)
    with pytest.raises(authoring.NotAllowed):
        authoring.approve(case=case, reviewer=author)
    authoring.approve(case=case, reviewer=reviewer)


def test_a_new_version_of_a_retired_case_is_approved_without_publishing_it(
    published, author, reviewer
):
    authoring.retire(case=published, user=reviewer)
    authoring.save_draft(case=published, author=author, content=content(title="Revised"))
    authoring.submit_for_review(case=published, user=author)
    authoring.approve(case=published, reviewer=reviewer)
    published.refresh_from_db()
    assert (published.status, published.title, published.version) == ("retired", "Revised", 2)


def test_a_second_case_with_a_taken_slug_is_refused_beside_the_slug(kb, author):
    authoring.create_case(author=author, content=content())
    with pytest.raises(schema.BankInvalid) as caught:
        authoring.create_case(author=author, content=content())
    assert [e.location for e in caught.value.errors] == ["slug"]
    assert Case.objects.count() == 1


def test_a_draft_in_a_file_never_replaces_what_learners_get(published):
    report = import_bank(data={"cases": [case_entry("stiff-legs", status="draft", title="X")]})
    published.refresh_from_db()
    assert report.updated == ["stiff-legs"]
    assert (published.status, published.title, published.version) == (
        "published",
        "Stiff legs in a runner",
        1,
    )
    assert published.versions.get(state="draft").content["title"] == "X"
