"""The case editor, the case page with its review steps, the review queue, the history and
the preview as a learner, through the browser's requests (plain posts and htmx)."""

import pytest
from django.urls import reverse

from cases import authoring, schema
from cases.models import Case
from cases.selectors import known_keys
from tests.conftest import make_instructor
from tests.factories import CaseFactory, UserFactory, case_entry

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def post_data(entry: dict, **extra) -> dict:
    """The editor's form data for schema case data, as a browser would send it."""
    question = entry.get("next_step") or {"prompt": "", "options": []}
    data = {
        **{
            k: entry.get(k, "")
            for k in (
                "title",
                "slug",
                "patient_age",
                "patient_sex",
                "difficulty",
                "stem",
                "investigations",
                "answer",
                "site",
            )
        },
        "differential": list(entry.get("differential") or ()),
        "site_accepts": list(entry.get("site_accepts") or ()),
        "tags": ", ".join(entry.get("tags", ())),
        "next_prompt": question["prompt"],
        "findings-TOTAL_FORMS": len(entry["findings"]),
        "findings-INITIAL_FORMS": len(entry["findings"]),
        "points-TOTAL_FORMS": len(entry["teaching_points"]),
        "points-INITIAL_FORMS": len(entry["teaching_points"]),
        "options-TOTAL_FORMS": len(question["options"]),
        "options-INITIAL_FORMS": len(question["options"]),
    }
    for i, f in enumerate(entry["findings"]):
        data |= {
            f"findings-{i}-finding": f["code"],
            f"findings-{i}-presence": "present" if f["present"] else "absent",
            f"findings-{i}-region": f.get("region", ""),
            f"findings-{i}-side": f.get("side", ""),
            f"findings-{i}-note": f.get("note", ""),
        }
    for i, p in enumerate(entry["teaching_points"]):
        data |= {
            f"points-{i}-text": p["text"],
            f"points-{i}-statements": p.get("statements", []),
            f"points-{i}-sources": p.get("sources", []),
            f"points-{i}-ORDER": i + 1,
        }
        if p.get("explains_rule"):
            data[f"points-{i}-explains_rule"] = "on"
    for i, o in enumerate(question["options"]):
        data |= {
            f"options-{i}-text": o["text"],
            f"options-{i}-rationale": o["rationale"],
            f"options-{i}-statements": o.get("statements", []),
            f"options-{i}-ORDER": i + 1,
        }
        if o["correct"]:
            data[f"options-{i}-correct"] = "on"
    return {k: v for k, v in (data | extra).items() if v is not None}


def entry(**overrides) -> dict:
    return case_entry("stiff-legs", **overrides)


@pytest.fixture
def published(kb, author, reviewer) -> Case:
    content = schema.validate_case(entry(), known=known_keys())
    case = authoring.create_case(author=author, content=content)
    authoring.submit_for_review(case=case, user=author)
    authoring.approve(case=case, reviewer=reviewer)
    case.refresh_from_db()
    return case


# Writing a case -------------------------------------------------------------------------


def test_an_instructor_writes_a_new_case_and_it_is_saved_as_their_draft(client, kb, author):
    response = logged_in(client, author).post(reverse("teach:case_new"), post_data(entry()))
    case = Case.objects.get(slug="stiff-legs")
    assert response.url == reverse("teach:case", args=[case.pk])
    assert (case.status, case.author, case.title) == ("draft", author, "Stiff legs in a runner")
    version = case.versions.get()
    assert version.content["findings"][0]["code"] == "spasticity"
    assert version.content["next_step"]["options"][0]["correct"] is True


def test_errors_appear_beside_their_fields_and_everything_typed_is_kept(client, kb, author):
    bad = entry(title="", patient_age=130, stem="Typed presentation stays.")
    bad["findings"].append(dict(bad["findings"][0]))  # the same finding twice
    response = logged_in(client, author).post(reverse("teach:case_new"), post_data(bad))
    html = response.content.decode()
    assert response.status_code == 422
    assert not Case.objects.exists()
    assert "Typed presentation stays." in html and 'value="130"' in html
    errors = response.context["editor"]
    assert errors.case.errors["title"] == ["Required."]
    assert errors.case.errors["patient_age"] == ["must be a whole number from 0 to 120"]
    assert errors.section_errors["findings"] == [
        '"spasticity" is listed twice for the same region and side'
    ]
    # Listed at the top too, each linked to its field; the slug made from the missing
    # title says nothing of its own.
    summary = response.context["errors"]
    assert ("Title", "Required.", "id_title") in summary
    assert (
        "Findings",
        '"spasticity" is listed twice for the same region and side',
        "part-findings",
    ) in summary
    assert not any(where == "Slug" for where, *_ in summary)
    assert 'href="#id_patient_age"' in html


def test_a_row_searched_for_but_left_without_a_finding_is_refused_not_dropped(client, kb, author):
    data = post_data(entry(), **{"findings-TOTAL_FORMS": 3, "findings-2-search": "brisk"})
    response = logged_in(client, author).post(reverse("teach:case_new"), data)
    assert response.status_code == 422 and not Case.objects.exists()
    row = response.context["editor"].findings.forms[2]
    assert row.errors["finding"] == ["Choose a finding for “brisk”, or tick Remove."]
    assert 'value="brisk"' in response.content.decode()


def test_a_finding_row_is_added_without_saving_anything(client, kb, author):
    data = post_data(entry(), add="findings")
    response = logged_in(client, author).post(reverse("teach:case_new"), data)
    assert response.status_code == 200 and not Case.objects.exists()
    assert len(response.context["editor"].findings.forms) == 3
    assert "Two years of **stiff** legs." in response.content.decode()


def test_removing_a_finding_row_drops_it_from_what_is_saved(client, kb, author):
    data = post_data(entry(), **{"findings-1-DELETE": "on"})
    logged_in(client, author).post(reverse("teach:case_new"), data)
    codes = [f["code"] for f in Case.objects.get().versions.get().content["findings"]]
    assert codes == ["spasticity"]


def test_a_finding_is_offered_by_name_with_its_synonyms_never_its_code_alone(client, kb, author):
    html = logged_in(client, author).get(reverse("teach:case_new")).content.decode()
    assert 'value="fasciculations" data-search="Fasciculations' in html
    assert "visible twitches at rest" in html
    # Grouped by what the finding is; no option shows a bare code.
    assert '<optgroup label="Lower motor neuron signs">' in html
    assert ">fasciculations<" not in html


def test_the_consistency_panel_updates_from_what_is_typed_without_saving(client, kb, author):
    typed = entry(answer="lmn", stem="Weak legs. The MRI showed a disc.")
    response = logged_in(client, author).post(
        reverse("teach:case_check"), post_data(typed), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert html.lstrip().startswith('<aside id="panel"')
    assert "<title>" not in html
    report = response.context["panel"]["report"]
    assert (report.rule, report.key) == ("umn", "lmn")
    messages = [w.message for w in report.warnings]
    assert any("no teaching point is marked as explaining why" in m for m in messages)
    assert any("mentions tests (MRI)" in m for m in messages)


def test_the_panel_lists_the_lessons_learners_will_read_for_the_site_and_differential(
    client, kb, author
):
    response = logged_in(client, author).post(
        reverse("teach:case_check"), post_data(entry()), HTTP_HX_REQUEST="true"
    )
    lessons = response.context["panel"]["lessons"]
    sites = [x["site_name"] for x in lessons if x["kind"] == "site"]
    assert sites == ["Spinal cord", "Motor neuron disease"]
    assert any(x["kind"] == "flag" for x in lessons)


def test_the_markdown_preview_is_sanitized_as_learners_see_it(client, kb, author):
    typed = entry(stem="**Stiff** legs <script>alert(1)</script>")
    response = logged_in(client, author).post(
        reverse("teach:case_check"), post_data(typed), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<strong>Stiff</strong> legs" in html
    assert "<script>" not in html and "alert(1)" not in html


def test_a_point_offered_the_label_is_saved_with_it(client, kb, author):
    points = [{"text": "Rests on clinical experience.", "statements": []}]
    data = post_data(entry(teaching_points=points), **{"points-0-beyond": "on"})
    logged_in(client, author).post(reverse("teach:case_new"), data)
    text = Case.objects.get().versions.get().content["teaching_points"][0]["text"]
    assert text == "Beyond this guideline: Rests on clinical experience."


# Editing a published case -------------------------------------------------------------------


def test_editing_a_published_case_saves_a_new_version_learners_do_not_get_yet(
    client, published, author
):
    client = logged_in(client, author)
    page = client.get(reverse("teach:case_edit", args=[published.pk]))
    assert page.context["editor"].case.initial["title"] == "Stiff legs in a runner"
    data = post_data(entry(title="Stiff legs, revised"))
    client.post(reverse("teach:case_edit", args=[published.pk]), data)
    published.refresh_from_db()
    assert published.title == "Stiff legs in a runner"
    assert published.versions.get(number=2).content["title"] == "Stiff legs, revised"


def test_another_instructors_draft_is_a_404_to_edit(client, published, author, reviewer):
    authoring.save_draft(
        case=published,
        author=author,
        content=schema.validate_case(entry(title="Mine"), known=known_keys()),
    )
    client = logged_in(client, reviewer)
    url = reverse("teach:case_edit", args=[published.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, post_data(entry(title="Theirs"))).status_code == 404
    assert published.versions.get(number=2).content["title"] == "Mine"


# Review ------------------------------------------------------------------------------------


def test_the_author_sends_for_review_and_another_instructor_approves(client, kb, author, reviewer):
    logged_in(client, author).post(reverse("teach:case_new"), post_data(entry()))
    case = Case.objects.get()
    step = lambda name: reverse("teach:case_step", args=[case.pk, name])  # noqa: E731
    client.post(step("submit"), {"comment": "Ready for a look."})
    page = client.get(reverse("teach:case", args=[case.pk])).content.decode()
    assert "an author cannot approve their own case" in page
    assert step("approve") not in page
    client.post(step("approve"))
    case.refresh_from_db()
    assert case.status == "review"
    client = logged_in(client, reviewer)
    assert step("approve") in client.get(reverse("teach:case", args=[case.pk])).content.decode()
    client.post(step("approve"), {"comment": "Clear and correct."})
    case.refresh_from_db()
    assert case.status == "published"
    assert case.events.first().comment == "Clear and correct."


def test_asking_for_changes_without_a_comment_changes_nothing(client, kb, author, reviewer):
    logged_in(client, author).post(reverse("teach:case_new"), post_data(entry()))
    case = Case.objects.get()
    client.post(reverse("teach:case_step", args=[case.pk, "submit"]))
    client = logged_in(client, reviewer)
    response = client.post(
        reverse("teach:case_step", args=[case.pk, "request_changes"]), {"comment": ""}, follow=True
    )
    assert "Say what should change" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "review"


def test_an_incomplete_draft_is_refused_for_review_with_the_reason(client, kb, author):
    logged_in(client, author).post(
        reverse("teach:case_new"), post_data(entry(status="draft", site="", differential=[]))
    )
    case = Case.objects.get()
    response = client.post(reverse("teach:case_step", args=[case.pk, "submit"]), follow=True)
    assert "a published case needs the lesion&#x27;s site" in response.content.decode()
    assert case.versions.get().state == "draft"


def test_an_unknown_step_is_a_404(client, published, author):
    url = reverse("teach:case_step", args=[published.pk, "publish-now"])
    assert logged_in(client, author).post(url).status_code == 404


def test_the_review_queue_lists_versions_waiting_and_open_reports_with_their_version(
    client, published, author, reviewer
):
    authoring.save_draft(
        case=published,
        author=author,
        content=schema.validate_case(entry(title="Two"), known=known_keys()),
    )
    authoring.submit_for_review(case=published, user=author)
    response = logged_in(client, reviewer).get(reverse("teach:review"))
    (version, reviewable), *_ = response.context["waiting"]
    assert (version.case, version.number, reviewable) == (published, 2, True)
    mine = logged_in(client, author).get(reverse("teach:review"))
    assert mine.context["waiting"][0][1] is False
    assert "No: you wrote it" in mine.content.decode()


def test_the_history_shows_what_changed_between_two_versions(client, published, author):
    authoring.save_draft(
        case=published,
        author=author,
        content=schema.validate_case(entry(title="Stiff legs, revised"), known=known_keys()),
    )
    response = logged_in(client, author).get(reverse("teach:case_history", args=[published.pk]))
    diff = response.context["diff"]
    assert ("removed", "Title: Stiff legs in a runner") in diff
    assert ("added", "Title: Stiff legs, revised") in diff
    assert all(kind != "added" or "Title" in line for kind, line in diff)
    same = client.get(reverse("teach:case_history", args=[published.pk]) + "?a=1&b=1")
    assert same.context["diff"] == []


# Preview as a learner --------------------------------------------------------------------------


def test_preview_runs_the_draft_through_the_quiz_flow_and_counts_in_no_progress(
    client, published, author
):
    from quizzes.models import Attempt

    authoring.save_draft(
        case=published,
        author=author,
        content=schema.validate_case(entry(title="Draft to try"), known=known_keys()),
    )
    client = logged_in(client, author)
    response = client.post(reverse("teach:case_preview", args=[published.pk]))
    attempt = Attempt.objects.get(user=author)
    assert attempt.is_preview
    assert response.url == reverse("quizzes:case", args=[attempt.pk, 1])
    page = client.get(response.url).content.decode()
    assert "Draft to try" in page and "Where is the lesion?" in page
    assert attempt.attempt_cases.get().content["case"]["version"] == 2
    # Answered through both stages, it still counts in no progress, and has no reports.
    from tests.quizzes.test_flow import answer

    answer(client, attempt, 1)
    assert attempt.attempt_cases.get().answered_at is not None
    dashboard = client.get(reverse("quizzes:dashboard"))
    assert list(dashboard.context["attempts"]) == []
    progress = dashboard.context["progress"]
    assert all(tally.total == 0 for tally in progress.by_step.values())
    report = client.post(reverse("quizzes:report", args=[attempt.pk, 1]), {"kind": "typo"})
    assert report.status_code == 404


def test_a_preview_is_refused_with_the_reason_when_the_draft_cannot_be_graded(client, kb, author):
    logged_in(client, author).post(
        reverse("teach:case_new"), post_data(entry(status="draft", site="", differential=[]))
    )
    case = Case.objects.get()
    response = client.post(reverse("teach:case_preview", args=[case.pk]), follow=True)
    assert "cannot be taken yet" in response.content.decode()


# Permissions and query counts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "edit", "page"),
    [
        ("visitor", 302, 302),
        ("learner", 404, 404),
        ("author", 200, 200),
        ("other", 404, 200),
        ("superuser", 200, 200),
    ],
)
def test_an_instructor_edits_their_own_drafts_and_reads_others(client, kb, who, edit, page):
    author = make_instructor("author")
    content = schema.validate_case(entry(status="draft"), known=known_keys())
    case = authoring.create_case(author=author, content=content)
    users = {
        "learner": lambda: UserFactory(username="learner"),
        "author": lambda: author,
        "other": lambda: make_instructor("other"),
        "superuser": lambda: UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    if who in users:
        logged_in(client, users[who]())
    for name, expected in (
        ("teach:case_edit", edit),
        ("teach:case", page),
        ("teach:case_history", page),
    ):
        assert client.get(reverse(name, args=[case.pk])).status_code == expected, name
    for name in ("teach:review", "teach:case_new"):
        assert client.get(reverse(name)).status_code == (page if who != "other" else 200)


@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_no_step_of_review_is_open_to_a_learner_or_a_visitor(client, kb, who):
    author = make_instructor("author")
    content = schema.validate_case(entry(), known=known_keys())
    case = authoring.create_case(author=author, content=content)
    authoring.submit_for_review(case=case, user=author)
    if who == "learner":
        logged_in(client, UserFactory(username="learner"))
    for step in ("approve", "request_changes", "withdraw", "retire"):
        response = client.post(reverse("teach:case_step", args=[case.pk, step]), {"comment": "x"})
        assert response.status_code == (302 if who == "visitor" else 404)
    preview = client.post(reverse("teach:case_preview", args=[case.pk]))
    assert preview.status_code == (302 if who == "visitor" else 404)
    case.refresh_from_db()
    assert case.status == "review"


@pytest.mark.parametrize("size", [50, 500])
def test_the_review_queue_runs_a_fixed_number_of_queries(
    client, published, author, reviewer, size, django_assert_num_queries
):
    CaseFactory.create_batch(size)
    authoring.save_draft(
        case=published,
        author=author,
        content=schema.validate_case(entry(title="Two"), known=known_keys()),
    )
    authoring.submit_for_review(case=published, user=author)
    client = logged_in(client, reviewer)
    # Session, user, the group check, the versions waiting, who wrote them, the open
    # reports.
    with django_assert_num_queries(6):
        assert client.get(reverse("teach:review")).status_code == 200


@pytest.mark.parametrize("size", [50, 500])
def test_the_editor_runs_a_fixed_number_of_queries(
    client, published, author, size, django_assert_num_queries
):
    CaseFactory.create_batch(size)
    client = logged_in(client, author)
    url = reverse("teach:case_edit", args=[published.pk])
    with django_assert_num_queries(EDITOR_QUERIES):
        assert client.get(url).status_code == 200


# Session, user, group; the case; its open version; the published content (case, tags,
# findings with their statements, points with statements and sources, options with
# statements and sources); the choices (findings, statements with citations, sources); the
# panel's known keys (4) and the knowledge its lessons come from (9).
EDITOR_QUERIES = 33


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("title", "Title"),
        ("patient_age", "Patient's age"),
        ("findings", "Findings"),
        ("findings[2].code", "Finding 3, finding"),
        ("teaching_points[0]", "Teaching point 1"),
        ("next_step.prompt", "Next-step question"),
        ("next_step.options", "Options"),
        ("next_step.options[1].rationale", "Option 2, rationale"),
    ],
)
def test_every_place_the_schema_names_is_said_in_the_editors_words(location, words):
    from cases.editor import describe

    assert describe(location) == words


def test_a_question_without_options_is_refused_beside_its_options(client, kb, author):
    question = {"prompt": "What next?", "options": []}
    response = logged_in(client, author).post(
        reverse("teach:case_new"), post_data(entry(next_step=question))
    )
    assert response.status_code == 422 and not Case.objects.exists()
    assert response.context["editor"].section_errors["options"] == [
        "must list at least two options"
    ]
    assert ("Options", "must list at least two options") in response.context["panel"][
        "before_review"
    ]


def test_discarding_the_draft_of_a_case_never_published_deletes_it(client, kb, author):
    logged_in(client, author).post(reverse("teach:case_new"), post_data(entry()))
    case = Case.objects.get()
    response = client.post(reverse("teach:case_step", args=[case.pk, "discard"]))
    assert response.url == reverse("teach:cases")
    assert not Case.objects.exists()


def test_the_case_page_shows_what_the_version_says_its_concerns_and_the_changes_asked(
    client, kb, author, reviewer
):
    typed = entry(stem="Stiff legs. The MRI showed a disc.")
    logged_in(client, author).post(reverse("teach:case_new"), post_data(typed))
    case = Case.objects.get()
    authoring.submit_for_review(case=case, user=author)
    authoring.request_changes(case=case, reviewer=reviewer, comment="Move the MRI to stage 2.")
    page = client.get(reverse("teach:case", args=[case.pk]))
    html = page.content.decode()
    assert "Changes asked" in html and "Move the MRI to stage 2." in html
    assert "Answer key: Upper motor neuron" in page.context["content_lines"]
    assert any("mentions tests (MRI)" in c.message for c in page.context["concerns"])
