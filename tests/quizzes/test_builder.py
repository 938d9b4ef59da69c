"""The quiz builder (`/teach/quizzes/`): instructors make practice sets, pick published cases
with the case list's filters, order them by buttons (or a rule draws them), preview and
publish; each refusal says why and changes nothing; htmx swaps the builder in place."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.models import Case, Tag
from neurolocalize.accounts import INSTRUCTORS
from quizzes import selectors, services
from quizzes.models import Quiz, QuizCase
from tests.factories import CaseFactory, CaseFindingFactory, FindingFactory, UserFactory

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(client, instructor):
    client.login(username="teacher", password=PASSWORD)
    return client


def fixed_set(*cases: Case, title: str = "Weak legs", listed: bool = False) -> Quiz:
    quiz = Quiz.objects.create(slug=title.lower().replace(" ", "-"), title=title, is_listed=listed)
    for position, case in enumerate(cases, start=1):
        QuizCase.objects.create(quiz=quiz, case=case, position=position)
    return quiz


def order(quiz: Quiz) -> list[str]:
    return [qc.case.title for qc in quiz.quiz_cases.select_related("case").order_by("position")]


def edit(quiz: Quiz) -> str:
    return reverse("teach:quiz_edit", args=[quiz.pk])


def url(name: str, quiz: Quiz) -> str:
    return reverse(name, args=[quiz.pk])


def shown(response) -> str:
    return response.content.decode()


# Making a set ---------------------------------------------------------------------------


def test_an_instructor_makes_an_unlisted_practice_set_named_by_its_title(teacher):
    response = teacher.post(
        reverse("teach:quiz_new"),
        {"title": "Hands that waste", "description": "LMN signs.", "selection": "fixed"},
    )
    quiz = Quiz.objects.get()
    assert response.url == edit(quiz)
    assert (quiz.slug, quiz.mode, quiz.selection, quiz.is_listed) == (
        "hands-that-waste",
        "practice",
        "fixed",
        False,
    )
    # The same title again gets a slug of its own.
    teacher.post(reverse("teach:quiz_new"), {"title": "Hands that waste", "selection": "drawn"})
    assert Quiz.objects.get(selection="drawn").slug == "hands-that-waste-2"
    assert "not listed for learners yet" in shown(teacher.get(edit(quiz)))


def test_a_set_without_a_title_is_not_made_and_the_form_says_why(teacher):
    response = teacher.post(reverse("teach:quiz_new"), {"title": "  ", "selection": "fixed"})
    assert response.status_code == 422
    assert "Give the set a title learners will recognise." in shown(response)
    assert not Quiz.objects.exists()


def test_the_details_change_and_the_slug_learners_use_stays(teacher):
    quiz = fixed_set()
    response = teacher.post(
        edit(quiz), {"title": "Stiff legs", "description": "UMN.", "selection": "drawn"}
    )
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert (quiz.title, quiz.description, quiz.selection, quiz.slug) == (
        "Stiff legs",
        "UMN.",
        "drawn",
        "weak-legs",
    )
    refused = teacher.post(edit(quiz), {"title": "", "selection": "fixed"})
    assert refused.status_code == 422
    quiz.refresh_from_db()
    assert (quiz.title, quiz.selection) == ("Stiff legs", "drawn")


# The list --------------------------------------------------------------------------------


def test_the_list_shows_practice_sets_only_with_how_many_published_cases_each_asks(teacher):
    draft = CaseFactory(status=Case.Status.DRAFT)
    fixed_set(CaseFactory(), CaseFactory(), draft, title="Fixed three", listed=True)
    CaseFactory(answer="lmn", site="root")
    Quiz.objects.create(
        slug="drawn",
        title="Drawn roots",
        selection="drawn",
        draw_count=5,
        draw_site="root",
        is_listed=False,
    )
    Quiz.objects.create(slug="exam", title="The final exam", mode=Quiz.Mode.EXAM)
    response = teacher.get(reverse("teach:quizzes"))
    totals = {q.title: q.case_total for q in response.context["quizzes"]}
    assert totals == {"Fixed three": 2, "Drawn roots": 1}
    html = shown(response)
    assert "The final exam" not in html
    assert "Listed" in html and "Not listed" in html
    assert f'href="{reverse("teach:quiz_new")}"' in html


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"draw_answer": "lmn"},
        {"draw_site": "root"},
        {"draw_difficulty": "advanced"},
        {"draw_tag": "tagged"},
        {"draw_answer": "umn", "draw_site": "spinal_cord", "draw_tag": "tagged"},
    ],
)
def test_the_lists_count_agrees_with_the_draw_for_each_part_of_the_rule(db, rule):
    tag = Tag.objects.create(slug="tagged")
    CaseFactory(answer="lmn", site="root", difficulty="advanced").tags.add(tag)
    CaseFactory(answer="umn", site="spinal_cord").tags.add(tag)
    CaseFactory(answer="umn", site="spinal_cord")
    CaseFactory(answer="lmn", site="root", status=Case.Status.DRAFT).tags.add(tag)
    if "draw_tag" in rule:
        rule = {**rule, "draw_tag": tag}
    quiz = Quiz.objects.create(slug="d", title="D", selection="drawn", draw_count=100, **rule)
    [listed] = selectors.practice_sets()
    assert listed.pool_size == quiz.draw_pool().count() == len(services.draw_case_ids(quiz))
    assert listed.case_total == len(services.draw_case_ids(quiz))


# Picking cases ---------------------------------------------------------------------------


def test_the_picker_offers_published_cases_not_in_the_set_with_the_case_lists_filters(teacher):
    inside = CaseFactory(title="Already in")
    CaseFactory(title="A stiff walk", answer="umn", site="spinal_cord")
    root = CaseFactory(title="A dropped foot", answer="lmn", site="root")
    CaseFactory(title="Still a draft", status=Case.Status.DRAFT)
    CaseFindingFactory(case=root, finding=FindingFactory(code="fasciculations"))
    quiz = fixed_set(inside)

    def offered(**query) -> list[str]:
        return [c.title for c in teacher.get(edit(quiz), query).context["addable"]]

    assert offered() == ["A dropped foot", "A stiff walk"]
    assert offered(site="root") == ["A dropped foot"]
    assert offered(answer="umn") == ["A stiff walk"]
    assert offered(q="dropped") == ["A dropped foot"]
    assert offered(finding="fasciculations") == ["A dropped foot"]
    html = shown(teacher.get(edit(quiz), {"site": "root"}))
    # Shown by title, answer and site, and asked for with the button on its row.
    assert "A dropped foot" in html and "Lower motor neuron · Nerve root" in html
    assert 'Add<span class="visually-hidden"> “A dropped foot”</span>' in html
    # Only published cases are offered: no status, author or order to choose.
    assert 'name="status"' not in html and 'name="author"' not in html


def test_a_case_added_by_its_button_goes_to_the_end_of_the_set(teacher):
    first, added = CaseFactory(title="First"), CaseFactory(title="Added")
    quiz = fixed_set(first)
    response = teacher.post(
        url("teach:quiz_add_case", quiz) + "?site=spinal_cord", {"case": added.pk}, follow=True
    )
    assert order(quiz) == ["First", "Added"]
    assert response.redirect_chain[-1][0] == edit(quiz) + "?site=spinal_cord#set-cases"
    assert "Added “Added” as case 2." in shown(response)
    assert [c.title for c in response.context["addable"]] == []


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("draft", "“Draft” is not published: only published cases can be added."),
        ("inside", "“Inside” is in this set already; nothing was changed."),
        ("unknown", "That case no longer exists; nothing was changed."),
        ("missing", "Choose a case."),
    ],
)
def test_adding_a_case_that_cannot_be_added_says_why_and_changes_nothing(teacher, case, message):
    inside = CaseFactory(title="Inside")
    draft = CaseFactory(title="Draft", status=Case.Status.DRAFT)
    quiz = fixed_set(inside)
    posted = {"draft": {"case": draft.pk}, "inside": {"case": inside.pk}}
    posted |= {"unknown": {"case": 99999}, "missing": {}}
    response = teacher.post(url("teach:quiz_add_case", quiz), posted[case], follow=True)
    assert message in shown(response)
    assert order(quiz) == ["Inside"]


def test_a_drawn_set_takes_no_picked_case(teacher):
    quiz = Quiz.objects.create(slug="d", title="Drawn", selection="drawn")
    response = teacher.post(
        url("teach:quiz_add_case", quiz), {"case": CaseFactory().pk}, follow=True
    )
    assert "draws its cases by a rule" in shown(response)
    assert not quiz.quiz_cases.exists()


# Ordering and removing -------------------------------------------------------------------


def test_the_up_and_down_buttons_reorder_the_set(teacher):
    a, b, c = (CaseFactory(title=t) for t in "ABC")
    quiz = fixed_set(a, b, c)
    teacher.post(url("teach:quiz_move_case", quiz), {"case": c.pk, "offset": "-1"})
    assert order(quiz) == ["A", "C", "B"]
    response = teacher.post(
        url("teach:quiz_move_case", quiz), {"case": a.pk, "offset": "1"}, follow=True
    )
    assert order(quiz) == ["C", "A", "B"]
    assert "Moved “A” to place 2." in shown(response)
    assert list(quiz.quiz_cases.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]


def test_the_buttons_are_real_buttons_in_post_forms_and_the_ends_are_disabled(teacher):
    a, b = CaseFactory(title="A"), CaseFactory(title="B")
    html = shown(teacher.get(edit(fixed_set(a, b))))
    assert f'<form method="post" action="{url("teach:quiz_move_case", a.quizzes.get())}"' in html
    assert (
        '<button type="submit" class="btn btn-sm btn-outline-primary" disabled><span '
        'aria-hidden="true">↑</span> Up<span class="visually-hidden">: move “A” up</span>'
    ) in html
    assert (
        'disabled><span aria-hidden="true">↓</span> Down<span class="visually-hidden">: move “B”'
        in html
    )


@pytest.mark.parametrize(
    ("who", "offset", "message"),
    [
        ("A", "-1", "“A” is first in the set already."),
        ("B", "1", "“B” is last in the set already."),
        ("B", "5", "“B” is last in the set already."),
        ("A", "0", "“A” is last in the set already."),
        ("A", "up", "A case moves a whole number of places up or down."),
        ("Outside", "1", "“Outside” is not in this set; nothing was changed."),
    ],
)
def test_a_move_that_cannot_be_made_says_why_and_changes_nothing(teacher, who, offset, message):
    cases = {t: CaseFactory(title=t) for t in ("A", "B", "Outside")}
    quiz = fixed_set(cases["A"], cases["B"])
    response = teacher.post(
        url("teach:quiz_move_case", quiz), {"case": cases[who].pk, "offset": offset}, follow=True
    )
    assert message in shown(response)
    assert order(quiz) == ["A", "B"]


def test_a_dragged_case_moves_several_places_at_once(db):
    cases = [CaseFactory(title=t) for t in "ABCD"]
    quiz = fixed_set(*cases)
    assert services.move_quiz_case(quiz=quiz, case=cases[3], offset=-3) == 0
    assert order(quiz) == ["D", "A", "B", "C"]


def test_a_removed_case_leaves_the_set_and_is_offered_again(teacher):
    a, b = CaseFactory(title="A"), CaseFactory(title="B")
    quiz = fixed_set(a, b)
    response = teacher.post(url("teach:quiz_remove_case", quiz), {"case": a.pk}, follow=True)
    assert order(quiz) == ["B"]
    assert quiz.quiz_cases.get().position == 1  # the list stays numbered from 1
    assert "Removed “A” from the set." in shown(response)
    assert [c.title for c in response.context["addable"]] == ["A"]
    again = teacher.post(url("teach:quiz_remove_case", quiz), {"case": a.pk}, follow=True)
    assert "“A” is not in this set; nothing was changed." in shown(again)
    assert order(quiz) == ["B"]


def test_a_case_retired_since_it_was_added_is_marked_and_not_counted(teacher):
    quiz = fixed_set(CaseFactory(title="Live"), CaseFactory(title="Old", status="retired"))
    response = teacher.get(edit(quiz))
    assert response.context["case_total"] == 1
    assert "Retired: not asked" in shown(response)


# A drawn set's rule ----------------------------------------------------------------------


def test_a_drawn_set_draws_only_cases_at_its_site(db):
    for _ in range(3):
        CaseFactory(site="root", answer="lmn")
    CaseFactory(site="spinal_cord")
    CaseFactory(site="root", answer="lmn", status=Case.Status.DRAFT)
    quiz = Quiz.objects.create(slug="d", title="Roots", selection="drawn", draw_site="root")
    drawn = Case.objects.filter(pk__in=services.draw_case_ids(quiz))
    assert drawn.count() == 3
    assert set(drawn.values_list("site", "status")) == {("root", "published")}


def test_the_rule_form_sets_count_answer_site_tag_and_difficulty_and_counts_matches(teacher):
    tag = Tag.objects.create(slug="hands")
    CaseFactory(answer="lmn", site="root", difficulty="advanced").tags.add(tag)
    CaseFactory(answer="lmn", site="root", difficulty="advanced")
    quiz = Quiz.objects.create(slug="d", title="Roots", selection="drawn")
    assert "2 published cases match now" in shown(teacher.get(edit(quiz)))
    response = teacher.post(
        url("teach:quiz_rule", quiz),
        {"count": "4", "answer": "lmn", "site": "root", "tag": "hands", "difficulty": "advanced"},
        follow=True,
    )
    quiz.refresh_from_db()
    assert (
        quiz.draw_count,
        quiz.draw_answer,
        quiz.draw_site,
        quiz.draw_tag,
        quiz.draw_difficulty,
    ) == (4, "lmn", "root", tag, "advanced")
    html = shown(response)
    assert "Rule saved: 1 published case match; an attempt asks 1." in html
    assert "1 published case matches now" in html


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("0", "Draw at least 1 case."),
        ("101", "Draw at most 100 cases."),
        ("ten", "Say how many cases to draw, as a whole number from 1 to 100."),
        ("", "Say how many cases to draw, from 1 to 100."),
    ],
)
def test_a_bad_count_or_value_is_refused_and_the_rule_stays(teacher, count, message):
    quiz = Quiz.objects.create(slug="d", title="Roots", selection="drawn", draw_count=7)
    response = teacher.post(url("teach:quiz_rule", quiz), {"count": count, "site": "root"})
    assert response.status_code == 422
    assert message in shown(response)
    unknown_site = teacher.post(url("teach:quiz_rule", quiz), {"count": "3", "site": "liver"})
    assert unknown_site.status_code == 422
    quiz.refresh_from_db()
    assert (quiz.draw_count, quiz.draw_site) == (7, "")


def test_a_fixed_set_takes_no_rule(teacher):
    quiz = fixed_set()
    response = teacher.post(
        url("teach:quiz_rule", quiz), {"count": "3", "site": "root"}, follow=True
    )
    assert "A fixed list has no rule: make the set drawn first." in shown(response)
    quiz.refresh_from_db()
    assert (quiz.draw_count, quiz.draw_site) == (10, "")


def test_the_rule_service_refuses_a_count_out_of_range(db):
    quiz = Quiz.objects.create(slug="d", title="Roots", selection="drawn", draw_count=7)
    with pytest.raises(services.QuizEditRefused):
        services.set_draw_rule(quiz=quiz, count=0, answer="", site="", tag=None, difficulty="")
    quiz.refresh_from_db()
    assert quiz.draw_count == 7


# Preview ---------------------------------------------------------------------------------


def test_the_preview_shows_the_published_cases_a_learner_would_meet_in_order(teacher):
    quiz = fixed_set(
        CaseFactory(title="Second", answer="lmn", site="root"),
        CaseFactory(title="Hidden draft", status=Case.Status.DRAFT),
        CaseFactory(title="Third"),
    )
    response = teacher.get(url("teach:quiz_preview", quiz))
    assert [c.title for c in response.context["cases"]] == ["Second", "Third"]
    html = shown(response)
    assert "Lower motor neuron · Nerve root" in html and "Hidden draft" not in html
    assert "A sample draw" not in html


def test_the_preview_of_a_drawn_set_is_one_sample_draw_labelled_as_such(teacher):
    for _ in range(5):
        CaseFactory(site="root", answer="lmn")
    CaseFactory(title="Cord case", site="spinal_cord")
    quiz = Quiz.objects.create(
        slug="d", title="Roots", selection="drawn", draw_site="root", draw_count=3
    )
    response = teacher.get(url("teach:quiz_preview", quiz))
    cases = response.context["cases"]
    assert len(cases) == 3 and {c.site for c in cases} == {"root"}
    html = shown(response)
    assert "A sample draw." in html and "from the 5 published cases the rule matches" in html
    assert "Draw another sample" in html


# Publishing ------------------------------------------------------------------------------


def test_publishing_lists_the_set_for_learners_and_unpublishing_hides_it(teacher, learner):
    quiz = fixed_set(CaseFactory(title="A"), title="Weak legs")
    response = teacher.post(url("teach:quiz_publish", quiz), follow=True)
    assert "“Weak legs” is published: learners see it now." in shown(response)
    assert [q.title for q in selectors.listed_quizzes(user=learner)] == ["Weak legs"]
    response = teacher.post(url("teach:quiz_unpublish", quiz), follow=True)
    assert "“Weak legs” is unpublished" in shown(response)
    assert selectors.listed_quizzes(user=learner) == []


@pytest.mark.parametrize("kind", ["empty", "only-a-draft", "rule-matches-nothing"])
def test_a_set_that_would_ask_no_published_case_is_not_published(teacher, kind):
    if kind == "rule-matches-nothing":
        CaseFactory(site="spinal_cord")
        quiz = Quiz.objects.create(
            slug="d", title="Weak legs", selection="drawn", draw_site="muscle", is_listed=False
        )
        why = "widen its rule until it matches a published case."
    else:
        cases = [CaseFactory(status=Case.Status.DRAFT)] if kind == "only-a-draft" else []
        quiz = fixed_set(*cases, title="Weak legs")
        why = "add published cases first."
    response = teacher.post(url("teach:quiz_publish", quiz), follow=True)
    assert f"“Weak legs” asks no published case yet, so it stays unlisted: {why}" in shown(response)
    quiz.refresh_from_db()
    assert not quiz.is_listed


def test_publishing_twice_says_so_and_a_get_publishes_nothing(teacher):
    quiz = fixed_set(CaseFactory(), listed=True)
    response = teacher.post(url("teach:quiz_publish", quiz), follow=True)
    assert "was listed already" in shown(response)
    quiz.is_listed = False
    quiz.save()
    assert teacher.get(url("teach:quiz_publish", quiz)).status_code == 405
    quiz.refresh_from_db()
    assert not quiz.is_listed


def test_a_listed_set_left_with_no_published_case_is_flagged(teacher):
    quiz = fixed_set(CaseFactory(status=Case.Status.RETIRED), listed=True)
    assert "Learners see this set but cannot start it" in shown(teacher.get(edit(quiz)))


def test_exam_quizzes_are_not_built_here(teacher):
    exam = Quiz.objects.create(slug="exam", title="Exam", mode=Quiz.Mode.EXAM)
    assert teacher.get(edit(exam)).status_code == 404
    assert teacher.post(url("teach:quiz_publish", exam)).status_code == 404


# htmx ------------------------------------------------------------------------------------


def test_an_htmx_move_swaps_the_builder_and_keeps_the_focus_on_the_button_pressed(teacher):
    a, b, c = (CaseFactory(title=t) for t in "ABC")
    quiz = fixed_set(a, b, c)
    move = url("teach:quiz_move_case", quiz) + "?q=x"
    response = teacher.post(move, {"case": c.pk, "offset": "-1"}, HTTP_HX_REQUEST="true")
    html = shown(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="builder">') and "<html" not in html
    assert order(quiz) == ["A", "C", "B"]
    assert "Moved “C” to place 2." in html
    # Only the pressed button is focused, and the forms keep the picker's search.
    assert html.count("autofocus") == 1
    assert (
        'autofocus><span aria-hidden="true">↑</span> Up<span class="visually-hidden">: move “C”'
        in html
    )
    assert f'hx-post="{move}"' in html and f'action="{move}"' in html
    # At the top, Up is disabled: the focus goes to Down.
    html = shown(teacher.post(move, {"case": c.pk, "offset": "-1"}, HTTP_HX_REQUEST="true"))
    assert (
        'autofocus><span aria-hidden="true">↓</span> Down<span class="visually-hidden">: move “C”'
        in html
    )


def test_an_htmx_add_or_remove_focuses_the_row_that_took_its_place(teacher):
    a, b = CaseFactory(title="A"), CaseFactory(title="B")
    CaseFactory(title="C")
    quiz = fixed_set()
    add = url("teach:quiz_add_case", quiz)
    html = shown(teacher.post(add, {"case": a.pk, "row": "0"}, HTTP_HX_REQUEST="true"))
    assert order(quiz) == ["A"]
    assert 'autofocus>Add<span class="visually-hidden"> “B”</span>' in html
    teacher.post(add, {"case": b.pk, "row": "0"}, HTTP_HX_REQUEST="true")
    remove = url("teach:quiz_remove_case", quiz)
    html = shown(teacher.post(remove, {"case": a.pk}, HTTP_HX_REQUEST="true"))
    assert order(quiz) == ["B"]
    assert 'autofocus>Remove<span class="visually-hidden"> “B”</span>' in html
    # The last case to add gone, the focus goes to the message.
    teacher.post(add, {"case": a.pk, "row": "0"}, HTTP_HX_REQUEST="true")
    c = Case.objects.get(title="C")
    html = shown(teacher.post(add, {"case": c.pk, "row": "0"}, HTTP_HX_REQUEST="true"))
    assert 'id="builder-notice" tabindex="-1" autofocus>Added “C” as case 3.' in html


def test_an_htmx_refusal_is_shown_in_the_builder_and_changes_nothing(teacher):
    inside = CaseFactory(title="Inside")
    quiz = fixed_set(inside)
    response = teacher.post(
        url("teach:quiz_add_case", quiz), {"case": inside.pk}, HTTP_HX_REQUEST="true"
    )
    html = shown(response)
    assert response.status_code == 200 and "<html" not in html
    assert (
        'role="alert" id="builder-notice" tabindex="-1" autofocus>“Inside” is in this set' in html
    )
    assert order(quiz) == ["Inside"]


def test_an_htmx_search_swaps_only_the_picker(teacher):
    CaseFactory(title="A dropped foot", site="root")
    CaseFactory(title="A stiff walk")
    quiz = fixed_set()
    response = teacher.get(edit(quiz), {"site": "root"}, HTTP_HX_REQUEST="true")
    html = shown(response)
    assert html.lstrip().startswith('<section id="picker"') and "<html" not in html
    assert "A dropped foot" in html and "A stiff walk" not in html
    assert "HX-Request" in response["Vary"]
    # A history restore gets the whole page.
    restored = teacher.get(
        edit(quiz), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in shown(restored)


# Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [50, 500])
def test_the_builder_page_runs_a_fixed_number_of_queries(teacher, size, django_assert_num_queries):
    cases = CaseFactory.create_batch(size)
    quiz = fixed_set(*cases[:10])
    # Session, user, the group check, the set, its cases, the picker's findings and tags,
    # the count and the page of cases to add.
    with django_assert_num_queries(9):
        assert teacher.get(edit(quiz), {"answer": "umn", "page": 2}).status_code == 200


@pytest.mark.parametrize("size", [50, 500])
def test_the_drawn_set_page_runs_a_fixed_number_of_queries(
    teacher, size, django_assert_num_queries
):
    CaseFactory.create_batch(size)
    quiz = Quiz.objects.create(slug="d", title="D", selection="drawn", draw_site="spinal_cord")
    # Session, user, the group check, the set, the count of matches, the rule's tags.
    with django_assert_num_queries(6):
        assert teacher.get(edit(quiz)).status_code == 200


@pytest.mark.parametrize("size", [50, 500])
def test_the_list_of_sets_runs_a_fixed_number_of_queries(teacher, size, django_assert_num_queries):
    cases = CaseFactory.create_batch(size)
    for n in range(3):
        fixed_set(*cases[: 10 * n], title=f"Set {n}")
        Quiz.objects.create(slug=f"drawn-{n}", title=f"Drawn {n}", selection="drawn")
    # Session, user, the group check, the sets with their counts.
    with django_assert_num_queries(4):
        assert teacher.get(reverse("teach:quizzes")).status_code == 200


# Who may use it --------------------------------------------------------------------------


BUILDER_PAGES = ["teach:quiz_edit", "teach:quiz_preview"]
BUILDER_POSTS = [
    "teach:quiz_rule",
    "teach:quiz_add_case",
    "teach:quiz_move_case",
    "teach:quiz_remove_case",
    "teach:quiz_publish",
    "teach:quiz_unpublish",
]


def log_in_as(client, who):
    if who == "instructor":
        UserFactory(username="teacher").groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    elif who != "visitor":
        UserFactory(username=who, is_superuser=who == "superuser", is_staff=who == "superuser")
    if who != "visitor":
        client.login(username="teacher" if who == "instructor" else who, password=PASSWORD)


@pytest.mark.parametrize("name", BUILDER_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("visitor", 302), ("learner", 404), ("instructor", 200), ("superuser", 200)],
)
def test_every_builder_page_of_a_set_as_each_kind_of_user(client, name, who, expected):
    quiz = fixed_set(CaseFactory())
    log_in_as(client, who)
    response = client.get(url(name, quiz))
    assert response.status_code == expected
    if who == "visitor":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", BUILDER_POSTS)
@pytest.mark.parametrize(("who", "expected"), [("visitor", 302), ("learner", 404)])
def test_no_one_but_an_instructor_changes_a_set(client, name, who, expected):
    a, b = CaseFactory(title="A"), CaseFactory(title="B")
    CaseFactory(title="C")
    quiz = fixed_set(a, b, title="Weak legs")
    log_in_as(client, who)
    posted = {"case": a.pk, "offset": "1", "count": "3", "site": "root"}
    assert client.post(url(name, quiz), posted).status_code == expected
    for creating in (reverse("teach:quiz_new"), edit(quiz)):
        assert client.post(creating, {"title": "Mine", "selection": "fixed"}).status_code == (
            expected
        )
    quiz.refresh_from_db()
    assert (quiz.title, quiz.is_listed, quiz.draw_site, order(quiz)) == (
        "Weak legs",
        False,
        "",
        ["A", "B"],
    )
    assert Quiz.objects.count() == 1
