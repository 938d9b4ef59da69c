"""The results of an assessment: the gradebook (each learner's status, score, percentage and
time, as a page and as CSV), one attempt in review with its explanations, and the item
analysis (the figures of `statistics.item_analysis` over first attempts keyed by case, the
answers chosen, what the cohort misses, two charts), each page in a fixed number of
queries whatever the number of learners."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.selectors import case_snapshots
from quizzes import cohorts, exams, gradebook, grading
from quizzes.grading import sign_key
from quizzes.models import Assessment, Attempt, AttemptCase, Membership, Response
from quizzes.statistics import item_analysis
from tests.factories import UserFactory
from tests.quizzes.test_flow import stage_one, stage_two

pytestmark = pytest.mark.django_db

OPENS = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=3)


@pytest.fixture
def cohort(instructor):
    return cohorts.create_cohort(name="PGY-1 Neurology", instructor=instructor)


@pytest.fixture
def assessment(quiz, cohort, instructor) -> Assessment:
    return exams.schedule(
        by=instructor,
        quiz=quiz,
        cohort=cohort,
        title="Spring localization exam",
        opens_at=OPENS,
        closes_at=CLOSES,
        time_limit_minutes=60,
        release="manual",
    )


def enrol(cohort, *names):
    users = [UserFactory(username=name) for name in names]
    for user in users:
        cohorts.add_learner(cohort=cohort, identifier=user.username)
    return users


def started(assessment, learner, at):
    with time_machine.travel(at, tick=False):
        return exams.start(assessment=assessment, user=learner)[0]


def answer_first_case_right(attempt, at):
    first = attempt.attempt_cases.get(position=1)
    revision = exams.save_answers(attempt_case=first, data=stage_one(first), revision=0, now=at)
    revision = exams.commit_stage_one(attempt_case=first, revision=revision, now=at)
    first.refresh_from_db()
    exams.save_answers(attempt_case=first, data=stage_two(first), revision=revision, now=at)
    return first


def items_asked(content: dict) -> tuple[str, ...]:
    snapshot = grading.CaseContent.model_validate(content)
    return grading.stage_items(snapshot, grading.STAGE_ONE) + grading.stage_items(
        snapshot, grading.STAGE_TWO
    )


@pytest.fixture
def four(assessment, cohort):
    """Four learners: one who never started, one at work, one who submitted, one whose
    attempt was finalized at its deadline."""
    _, ben, cat, dan = enrol(cohort, "ana", "ben", "cat", "dan")
    dans = started(assessment, dan, OPENS + timedelta(minutes=5))
    cats = started(assessment, cat, OPENS + timedelta(minutes=5))
    first = answer_first_case_right(cats, OPENS + timedelta(minutes=10))
    exams.submit(attempt=cats, now=OPENS + timedelta(minutes=20))
    exams.finalize_overdue(now=dans.deadline + timedelta(minutes=2))
    started(assessment, ben, OPENS + timedelta(minutes=100))
    return {"cat_attempt": cats, "cat_first": first}


def test_the_gradebook_says_each_learners_status_score_and_time(
    client, instructor, assessment, four
):
    at = OPENS + timedelta(minutes=110)
    rows = {row.learner.username: row for row in gradebook.gradebook(assessment, now=at)}
    assert {name: row.status_label for name, row in rows.items()} == {
        "ana": "Not started",
        "ben": "In progress",
        "cat": "Submitted",
        "dan": "Finalized at the deadline",
    }
    right = len(items_asked(four["cat_first"].content))
    asked = Response.objects.filter(attempt_case__attempt=four["cat_attempt"]).count()
    assert (rows["cat"].score, rows["cat"].asked) == (right, asked)
    assert rows["cat"].percentage == pytest.approx(100 * right / asked)
    assert (rows["dan"].score, rows["ana"].score, rows["ben"].score) == (0, None, None)
    assert rows["cat"].time_words == "15 min"
    assert rows["dan"].time_words == "1 h 00 min"
    assert (rows["ben"].time_words, rows["ben"].time_so_far) == ("10 min", True)

    with time_machine.travel(at, tick=False):
        client.force_login(instructor)
        page = client.get(reverse("teach:assessment_gradebook", args=[assessment.pk]))
    html = page.content.decode()
    for label in ("Not started", "In progress", "Submitted", "Finalized at the deadline"):
        assert label in html
    assert f"{right:.2f} / {asked}" in html
    assert "10 min so far" in html
    review = reverse("teach:assessment_attempt", args=[assessment.pk, four["cat_attempt"].pk])
    assert f'href="{review}"' in html


def test_the_gradebook_exports_as_csv(client, instructor, assessment, four):
    with time_machine.travel(OPENS + timedelta(minutes=110), tick=False):
        client.force_login(instructor)
        response = client.get(reverse("teach:assessment_gradebook_csv", args=[assessment.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="gradebook-{assessment.pk}.csv"'
    )
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert list(rows) == ["ana", "ben", "cat", "dan"]
    assert {name: r["status"] for name, r in rows.items()} == {
        "ana": "not_started",
        "ben": "in_progress",
        "cat": "submitted",
        "dan": "finalized_at_deadline",
    }
    right = len(items_asked(four["cat_first"].content))
    asked = Response.objects.filter(attempt_case__attempt=four["cat_attempt"]).count()
    assert (rows["cat"]["score"], rows["cat"]["items"]) == (f"{right:.2f}", str(asked))
    assert rows["cat"]["percent"] == f"{100 * right / asked:.1f}"
    assert rows["cat"]["minutes_used"] == "15.0"
    assert rows["dan"]["minutes_used"] == "60.0"
    assert rows["ben"]["minutes_used"] == "10.0" and rows["ben"]["score"] == ""
    assert rows["ana"]["attempts"] == "0" and rows["ana"]["started_at"] == ""
    assert rows["cat"]["email"] == "cat@example.org"
    assert rows["cat"]["completed_at"] == "2027-03-01T09:20:00+00:00"


def test_an_attempt_in_review_shows_what_was_given_the_key_and_the_explanations(
    client, instructor, assessment, four
):
    client.force_login(instructor)
    url = reverse("teach:assessment_attempt", args=[assessment.pk, four["cat_attempt"].pk])
    html = client.get(url).content.decode()
    assert "cat\N{RIGHT SINGLE QUOTATION MARK}s attempt" in html
    for title in ("Sudden weakness of one side", "A wasted hand and brisk reflexes"):
        assert title in html
    # The stroke case's teaching point and next step's rationale, as the learner reads them.
    assert "SECRET-TEACHING a capsular lesion is a UMN lesion." in html
    assert "SECRET-RATIONALE-A first." in html
    assert "Explanation and references" in html
    # What was given, in words, beside the key.
    assert "No answer" in html
    assert "Upper motor neuron" in html and "MRI brain" in html
    assert "Spasticity" in html


def test_an_attempt_in_progress_is_not_graded_in_review(client, instructor, assessment, cohort):
    (eve,) = enrol(cohort, "eve")
    attempt = started(assessment, eve, OPENS + timedelta(minutes=5))
    client.force_login(instructor)
    url = reverse("teach:assessment_attempt", args=[assessment.pk, attempt.pk])
    html = client.get(url).content.decode()
    assert "still in progress" in html
    assert "Explanation and references" not in html


# Item analysis, with results built in bulk --------------------------------------------------


def _wrong(item: str, key):
    """A wrong answer to an item, for its key."""
    if item in (grading.LOCALIZATION, grading.REVISED):
        return "other" if key != "other" else "umn"
    if item == grading.SITE:
        return "muscle" if key != "muscle" else "nerve"
    if item == grading.FINDINGS:
        return {code: ("neither" if sign != "neither" else "umn") for code, sign in key.items()}
    return key + 1 if key == 1 else 1


def _key(item: str, content: dict):
    case = content["case"]
    if item in (grading.LOCALIZATION, grading.REVISED):
        return case["answer"]
    if item == grading.SITE:
        return case["site"]
    if item == grading.FINDINGS:
        return {f["code"]: sign_key(f["code"]) for f in content["findings"] if f["present"]}
    return next(o["id"] for o in content["next_step"]["options"] if o["correct"])


def bulk_results(assessment, count: int, score, *, asked=None, reverse_odd=True):
    """`count` learners of the cohort, each with a finished first attempt: `score(i, case,
    item)` gives learner i's score on an item (right or wrong answers to match), `asked(i,
    case)` whether they were asked the case. Odd learners meet the cases in reverse."""
    cases = list(assessment.quiz.cases.order_by("quizcase__position"))
    contents = case_snapshots([c.pk for c in cases])
    learners = UserFactory.create_batch(count)
    Membership.objects.bulk_create(
        Membership(cohort=assessment.cohort, user=u, how="added") for u in learners
    )
    attempts = Attempt.objects.bulk_create(
        Attempt(
            user=u,
            assessment=assessment,
            title=assessment.title,
            case_count=len(cases),
            deadline=OPENS + timedelta(hours=1),
            completed_at=OPENS + timedelta(minutes=30),
            ended="submitted",
        )
        for u in learners
    )
    planned = []
    for i, attempt in enumerate(attempts):
        mine = [c for c in cases if asked is None or asked(i, c)]
        if reverse_odd and i % 2:
            mine.reverse()
        planned += [
            (
                i,
                case,
                AttemptCase(attempt=attempt, case=case, position=p, content=contents[case.pk]),
            )
            for p, case in enumerate(mine, start=1)
        ]
    AttemptCase.objects.bulk_create(ac for _, _, ac in planned)
    responses = []
    for i, case, attempt_case in planned:
        for item in items_asked(attempt_case.content):
            key = _key(item, attempt_case.content)
            value = score(i, case, item)
            responses.append(
                Response(
                    attempt_case=attempt_case,
                    item=item,
                    given=key if value == 1 else _wrong(item, key),
                    key=key,
                    score=value,
                    explanation={"points": []},
                )
            )
    Response.objects.bulk_create(responses)
    return learners, cases


def _pattern(i, case, item) -> float:
    # Varied enough that every figure is defined: a learner's ability, an item's difficulty.
    return 1.0 if (i * 7 + case.pk * 3 + grading.ITEMS.index(item) * 5) % 11 < 6 + i % 3 else 0.0


def test_the_item_analysis_is_item_analysis_over_first_attempts_keyed_by_case(assessment):
    # Learner 0 was not asked the last case: its items score 0 for them.
    _, cases = bulk_results(
        assessment, 7, _pattern, asked=lambda i, case: i != 0 or case.slug != "fatigable"
    )
    contents = case_snapshots([c.pk for c in cases])
    items = [(case, item) for case in cases for item in items_asked(contents[case.pk])]
    rows = [
        [
            0.0 if i == 0 and case.slug == "fatigable" else _pattern(i, case, item)
            for case, item in items
        ]
        for i in range(7)
    ]
    expected = item_analysis(rows)

    report = gradebook.analysis(assessment)
    assert report.n == 7 and report.max_score == len(items)
    for name in ("mean", "median", "sd", "alpha", "sem"):
        assert getattr(report, name) == pytest.approx(expected[name]), name
    assert [(i.case_id, i.kind) for i in report.items] == [(c.pk, item) for c, item in items]
    for got, want in zip(report.items, expected["items"], strict=True):
        assert got.facility == pytest.approx(want["facility"])
        assert got.sd == pytest.approx(want["sd"])
        assert got.discrimination == pytest.approx(want["discrimination"])
    assert sum(bar.count for bar in report.histogram) == 7


def test_only_each_learners_first_finished_attempt_counts_in_the_analysis(assessment, cohort):
    assessment.attempts_allowed = 2
    assessment.save()
    (fay,) = enrol(cohort, "fay")
    first = started(assessment, fay, OPENS + timedelta(minutes=5))
    exams.submit(attempt=first, now=OPENS + timedelta(minutes=10))
    second = started(assessment, fay, OPENS + timedelta(minutes=15))
    answer_first_case_right(second, OPENS + timedelta(minutes=20))
    exams.submit(attempt=second, now=OPENS + timedelta(minutes=25))
    # The gradebook scores the latest; the analysis reads the first, all unanswered.
    (row,) = gradebook.gradebook(assessment)
    assert row.graded.pk == second.pk and row.score > 0 and row.attempts == 2
    report = gradebook.analysis(assessment)
    assert (report.n, report.mean) == (1, 0)


def test_the_answers_chosen_are_counted_by_what_they_say_with_the_key_marked(assessment, bank):
    stroke = bank[0]

    def score(i, case, item):
        # Learners 0 and 1 right everywhere; 2 and 3 wrong on the stroke case.
        return 0.0 if i >= 2 and case == stroke else 1.0

    bulk_results(assessment, 4, score, reverse_odd=False)
    # Learner 3 gave no localization; learner 1 met the next step's options reversed (its
    # option 2 is "MRI brain") and chose it.
    responses = Response.objects.filter(attempt_case__case=stroke)
    learners = list(Attempt.objects.order_by("pk").values_list("pk", flat=True))
    third = responses.filter(attempt_case__attempt=learners[3])
    third.filter(item="localization").update(given="")
    second_case = AttemptCase.objects.get(attempt=learners[1], case=stroke)
    content = second_case.content
    options = content["next_step"]["options"]
    options.reverse()
    for number, option in enumerate(options, start=1):
        option["id"] = number
    second_case.content = content
    second_case.save()
    responses.filter(attempt_case=second_case, item="next_step").update(given=2, key=2)

    report = gradebook.analysis(assessment)
    by_item = {(i.case_id, i.kind): i for i in report.items}
    localization = by_item[(stroke.pk, "localization")]
    assert [(a.label, a.count, a.is_key) for a in localization.answers] == [
        ("Upper motor neuron", 2, True),
        ("Lower motor neuron", 0, False),
        ("Both: mixed UMN and LMN", 0, False),
        ("Neither: no upper or lower motor neuron lesion", 1, False),
        ("No answer", 1, False),
    ]
    next_step = by_item[(stroke.pk, "next_step")]
    assert [(a.label, a.count, a.is_key) for a in next_step.answers] == [
        ("MRI brain", 2, True),
        ("Spine MRI", 2, False),
    ]
    site = by_item[(stroke.pk, "site")]
    assert [(a.label, a.count, a.is_key) for a in site.answers] == [
        ("Cerebral hemispheres or thalamus", 2, True),
        ("Muscle", 2, False),
    ]
    assert by_item[(stroke.pk, "findings")].answers == ()
    # What the cohort misses: the stroke's two signs, each misread by half; UMN cases
    # (the stroke alone) localized wrong once before the tests, and left blank once (a
    # blank is not counted as wrong).
    misses = [(m.label.partition(":")[0], m.wrong, m.asked) for m in report.findings]
    # The most missed first.
    assert misses[:3] == [
        ("Extensor plantar response (Babinski sign)", 2, 4),
        ("Spasticity", 2, 4),
        ("Brisk (exaggerated) tendon reflexes", 0, 4),
    ]
    umn = next(k for k in report.keys if k.label == "Upper motor neuron")
    assert (umn.before.wrong, umn.before.asked, umn.before.blank) == (1, 3, 1)
    assert round(umn.before.percent) == 33


def test_the_analysis_page_draws_both_charts_with_text_alternatives_and_exports_csv(
    client, instructor, assessment
):
    bulk_results(assessment, 6, _pattern)
    client.force_login(instructor)
    html = client.get(reverse("teach:assessment_analysis", args=[assessment.pk])).content.decode()
    report = gradebook.analysis(assessment)
    for part in (
        '<title id="histogram-svg-title">',
        '<desc id="histogram-svg-desc">',
        '<title id="scatter-svg-title">',
        '<desc id="scatter-svg-desc">',
        "The histogram as a table",
        f"{len(report.scatter)} of {report.max_score} items plotted",
    ):
        assert part in html, part
    assert html.count("<rect ") == gradebook.BINS
    assert html.count("<circle ") == len(report.scatter) > 0
    assert "Findings the cohort misclassifies" in html
    assert f"{report.alpha:.2f}" in html

    response = client.get(reverse("teach:assessment_analysis_csv", args=[assessment.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == report.max_score
    first = report.items[0]
    assert rows[0]["item"] == f"case {first.case_id}: localization"
    assert rows[0]["facility"] == f"{first.facility:.3f}"
    assert "(key)" in rows[0]["answers"]


def test_no_analysis_before_anyone_finishes(client, instructor, assessment):
    client.force_login(instructor)
    html = client.get(reverse("teach:assessment_analysis", args=[assessment.pk])).content.decode()
    assert "No learner of the cohort has finished a first attempt yet" in html


def test_the_histogram_bands_scores_by_tenths_the_last_taking_full_marks():
    bars = gradebook.histogram([0, 0.5, 5, 9.99, 10], 10)
    assert [b.count for b in bars] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert (bars[0].label, bars[-1].label) == ("0\N{EN DASH}9%", "90\N{EN DASH}100%")
    assert bars[0].height == gradebook.PLOT_BOTTOM - gradebook.PLOT_TOP


# Pinned query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 60])
def test_the_gradebook_runs_a_fixed_number_of_queries(
    client, instructor, assessment, count, django_assert_num_queries
):
    bulk_results(assessment, count, _pattern)
    client.force_login(instructor)
    url = reverse("teach:assessment_gradebook", args=[assessment.pk])
    # Session, user, instructor check, the assessment, the learners, their attempts scored.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["rows"]) == count
    with django_assert_num_queries(6):
        client.get(reverse("teach:assessment_gradebook_csv", args=[assessment.pk]))


@pytest.mark.parametrize("count", [5, 60])
def test_the_item_analysis_runs_a_fixed_number_of_queries(
    client, instructor, assessment, count, django_assert_num_queries
):
    bulk_results(assessment, count, _pattern)
    client.force_login(instructor)
    url = reverse("teach:assessment_analysis", args=[assessment.pk])
    # Session, user, instructor check, the assessment; first attempts, one snapshot per
    # case, the cases asked, the quiz's order, the responses.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["report"].n == count
    with django_assert_num_queries(9):
        client.get(reverse("teach:assessment_analysis_csv", args=[assessment.pk]))
