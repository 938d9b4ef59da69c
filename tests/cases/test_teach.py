"""The instructor area: only instructors see it; the case list searches, filters, sorts and
pages in a fixed number of queries."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.models import Case
from neurolocalize.accounts import INSTRUCTORS
from tests.factories import CaseFactory, CaseFindingFactory, UserFactory

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor_client(client, instructor):
    client.login(username="teacher", password=PASSWORD)
    return client


@pytest.mark.parametrize("name", ["teach:home", "teach:cases"])
def test_a_visitor_is_asked_to_log_in_and_a_learner_finds_nothing(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    UserFactory(username="learner")
    client.login(username="learner", password=PASSWORD)
    assert client.get(url).status_code == 404


def test_an_instructor_lands_in_the_instructor_area_and_a_learner_on_the_dashboard(
    client, instructor
):
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert client.get(response.url).url == reverse("teach:home")
    client.logout()
    UserFactory(username="learner")
    response = client.post(reverse("login"), {"username": "learner", "password": PASSWORD})
    assert client.get(response.url).url == reverse("quizzes:dashboard")


def test_the_overview_counts_cases_by_status(instructor_client):
    CaseFactory.create_batch(2, status=Case.Status.DRAFT)
    CaseFactory(status=Case.Status.PUBLISHED)
    response = instructor_client.get(reverse("teach:home"))
    statuses = {value: count for value, _, count in response.context["statuses"]}
    assert statuses == {"draft": 2, "review": 0, "published": 1, "retired": 0}
    assert f'href="{reverse("teach:cases")}?status=draft"' in response.content.decode()


def test_the_overview_says_what_waits_for_review_and_the_open_reports(instructor_client):
    from cases.models import CaseVersion

    case = CaseFactory(status=Case.Status.REVIEW)
    CaseVersion.objects.create(case=case, number=1, state="review", content={})
    response = instructor_client.get(reverse("teach:home"))
    assert response.context["waiting"] == {"reviews": 1, "reports": 0}
    assert "1 version waiting for review" in response.content.decode()


def test_the_case_list_searches_filters_and_sorts(instructor_client, instructor):
    cord = CaseFactory(title="A stiff walk", answer="umn", site="spinal_cord", author=instructor)
    CaseFactory(title="Wasted hands", answer="lmn", site="motor_neuron")
    url = reverse("teach:cases")

    def titles(**query) -> list[str]:
        return [c.title for c in instructor_client.get(url, query).context["page"].object_list]

    assert titles() == ["A stiff walk", "Wasted hands"]
    assert titles(q="wasted") == ["Wasted hands"]
    assert titles(answer="umn") == ["A stiff walk"]
    assert titles(site="motor_neuron") == ["Wasted hands"]
    assert titles(author="teacher") == ["A stiff walk"]
    assert titles(sort="answer") == ["Wasted hands", "A stiff walk"]  # lmn before umn
    # Findings are named, never shown by code alone.
    code = CaseFindingFactory(case=cord).finding
    html = instructor_client.get(url).content.decode()
    assert f'<option value="{code.code}">{code.name}</option>' in html
    assert titles(finding=code.code) == ["A stiff walk"]


def test_an_unknown_filter_value_is_named_and_the_list_shows_unfiltered_by_it(
    instructor_client,
):
    CaseFactory(title="Only case")
    response = instructor_client.get(reverse("teach:cases"), {"status": "lost", "sort": "x"})
    html = response.content.decode()
    assert "Select a valid choice." in html
    assert [c.title for c in response.context["page"].object_list] == ["Only case"]


def test_the_case_list_pages_and_keeps_its_filters(instructor_client):
    CaseFactory.create_batch(30, answer="umn")
    response = instructor_client.get(reverse("teach:cases"), {"answer": "umn", "page": 2})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == 5
    assert 'href="?answer=umn&amp;page=1"' in response.content.decode()


@pytest.mark.parametrize("size", [50, 500])
def test_the_case_list_runs_a_fixed_number_of_queries(
    instructor_client, size, django_assert_num_queries
):
    CaseFactory.create_batch(size)
    # Session, user, the group check, the filter form's findings, tags and authors, the
    # count, the page.
    with django_assert_num_queries(8):
        assert instructor_client.get(reverse("teach:cases")).status_code == 200


# Problem reports ------------------------------------------------------------------------


@pytest.fixture
def answered_case(client, kb):
    """A learner's answered case, through the quiz flow."""
    from cases.services import import_bank
    from quizzes.models import Quiz, QuizCase
    from quizzes.services import start_attempt
    from tests.quizzes.conftest import stroke_entry
    from tests.quizzes.test_flow import answer

    import_bank(data={"cases": [stroke_entry()]})
    quiz = Quiz.objects.create(slug="one", title="One")
    QuizCase.objects.create(quiz=quiz, case=Case.objects.get(slug="capsule"), position=1)
    learner = UserFactory(username="learner")
    attempt = start_attempt(user=learner, quiz=quiz)[0]
    client.login(username="learner", password=PASSWORD)
    answer(client, attempt, 1)
    return attempt.attempt_cases.get()


def report_url(attempt_case) -> str:
    return reverse("quizzes:report", args=[attempt_case.attempt_id, attempt_case.position])


def test_a_learner_reports_a_problem_from_the_results_and_an_instructor_resolves_it(
    client, answered_case, instructor
):
    from quizzes.models import ProblemReport

    case_url = reverse("quizzes:case", args=[answered_case.attempt_id, 1])
    assert "Report a problem with this case" in client.get(case_url).content.decode()
    sent = client.post(
        report_url(answered_case),
        {"kind": "typo", "text": "Sudden is misspelt."},
        HTTP_HX_REQUEST="true",
    )
    assert "your report reached the instructors" in sent.content.decode()
    report = ProblemReport.objects.get()
    assert (report.case.slug, report.kind, report.reporter.username) == (
        "capsule",
        "typo",
        "learner",
    )
    # Learners see no reports list.
    assert client.get(reverse("teach:reports")).status_code == 404

    client.logout()
    client.login(username="teacher", password=PASSWORD)
    listed = client.get(reverse("teach:reports")).content.decode()
    assert "A typo or unclear wording" in listed and "Sudden is misspelt." in listed
    cases = client.get(reverse("teach:cases")).context["page"].object_list
    assert [c.open_reports for c in cases] == [1]
    refused = client.post(reverse("teach:resolve_report", args=[report.pk]), {"resolution": " "})
    assert refused.status_code == 302
    report.refresh_from_db()
    assert report.is_open  # a resolution must say how
    client.post(reverse("teach:resolve_report", args=[report.pk]), {"resolution": "Fixed."})
    report.refresh_from_db()
    assert (report.resolved_by.username, report.resolution) == ("teacher", "Fixed.")
    assert report.resolved_at is not None
    again = client.post(
        reverse("teach:resolve_report", args=[report.pk]), {"resolution": "Again."}, follow=True
    )
    assert "resolved already" in again.content.decode()
    report.refresh_from_db()
    assert report.resolution == "Fixed."


def test_a_report_needs_its_kind_and_keeps_what_was_typed(client, answered_case):
    from quizzes.models import ProblemReport

    response = client.post(report_url(answered_case), {"text": "The MRI line is cut off."})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose what kind of problem it is." in html and "The MRI line is cut off." in html
    assert not ProblemReport.objects.exists()


def test_only_the_learner_can_report_on_their_case_and_only_once_it_is_answered(
    client, answered_case
):
    from quizzes.models import ProblemReport

    client.logout()
    UserFactory(username="outsider")
    client.login(username="outsider", password=PASSWORD)
    assert client.post(report_url(answered_case), {"kind": "key"}).status_code == 404
    assert not ProblemReport.objects.exists()


def test_a_case_not_yet_answered_cannot_be_reported(client, kb, learner_with_open_case):
    from quizzes.models import ProblemReport

    attempt_case = learner_with_open_case
    response = client.post(report_url(attempt_case), {"kind": "key"})
    assert response.status_code == 302
    assert not ProblemReport.objects.exists()


@pytest.fixture
def learner_with_open_case(client, kb):
    from cases.services import import_bank
    from quizzes.models import Quiz, QuizCase
    from quizzes.services import start_attempt
    from tests.quizzes.conftest import stroke_entry

    import_bank(data={"cases": [stroke_entry()]})
    quiz = Quiz.objects.create(slug="one", title="One")
    QuizCase.objects.create(quiz=quiz, case=Case.objects.get(slug="capsule"), position=1)
    learner = UserFactory(username="learner")
    client.login(username="learner", password=PASSWORD)
    return start_attempt(user=learner, quiz=quiz)[0].attempt_cases.get()


@pytest.mark.parametrize("size", [5, 50])
def test_the_reports_list_runs_a_fixed_number_of_queries(
    client, answered_case, instructor, size, django_assert_num_queries
):
    from quizzes.models import ProblemReport

    ProblemReport.objects.bulk_create(
        ProblemReport(
            attempt_case=answered_case,
            case=answered_case.case,
            reporter=answered_case.attempt.user,
            kind="typo",
        )
        for _ in range(size)
    )
    client.logout()
    client.login(username="teacher", password=PASSWORD)
    # Session, user, the group check, the count, the page with its case and people.
    with django_assert_num_queries(5):
        assert client.get(reverse("teach:reports")).status_code == 200


# Every URL of the instructor area, as each kind of user ----------------------------------


TEACH_PAGES: list[tuple[str, str, list]] = [
    ("get", "teach:home", []),
    ("get", "teach:cases", []),
    ("get", "teach:reports", []),
    ("get", "teach:quizzes", []),
    ("get", "teach:quiz_new", []),
    ("get", "teach:sources", []),
    ("get", "teach:source_new", []),
    ("get", "teach:bank", []),
    ("get", "teach:bank_download", []),
]


@pytest.mark.parametrize(("method", "name", "args"), TEACH_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("visitor", 302), ("learner", 404), ("instructor", 200), ("superuser", 200)],
)
def test_every_instructor_page_as_each_kind_of_user(client, method, name, args, who, expected):
    if who == "instructor":
        user = UserFactory(username="teacher")
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    elif who != "visitor":
        UserFactory(username=who, is_superuser=who == "superuser", is_staff=who == "superuser")
    if who != "visitor":
        client.login(username="teacher" if who == "instructor" else who, password=PASSWORD)
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == expected
    if who == "visitor":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("who", "expected"), [("visitor", 302), ("learner", 404)])
def test_resolving_a_report_is_for_instructors_only(client, answered_case, who, expected):
    from quizzes.models import ProblemReport

    report = ProblemReport.objects.create(
        attempt_case=answered_case,
        case=answered_case.case,
        reporter=answered_case.attempt.user,
        kind="key",
    )
    if who == "visitor":
        client.logout()
    url = reverse("teach:resolve_report", args=[report.pk])
    assert client.post(url, {"resolution": "Closed."}).status_code == expected
    report.refresh_from_db()
    assert report.is_open
    # A GET never resolves anything.
    client.logout()
    UserFactory(username="teacher2").groups.add(Group.objects.get_or_create(name=INSTRUCTORS)[0])
    client.login(username="teacher2", password=PASSWORD)
    assert client.get(url).status_code == 405


def _every_teach_url() -> list[str]:
    """Every URL of the instructor area, read from its URLconf, with made-up ids: the
    check that refuses outsiders runs before any object is looked up."""
    from django.urls.converters import IntConverter

    from cases.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        kwargs = {
            name: 1 if isinstance(converter, IntConverter) else "approve"
            for name, converter in pattern.pattern.converters.items()
        }
        urls.append(reverse(f"teach:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_no_url_of_the_instructor_area_answers_a_visitor_or_a_learner(client, who):
    urls = _every_teach_url()
    assert len(urls) == len(set(urls)) >= 29
    if who == "learner":
        UserFactory(username="learner")
        client.login(username="learner", password=PASSWORD)
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if who == "visitor":
                assert response.status_code == 302, (method, url)
                assert response.url.startswith(reverse("login")), (method, url)
            else:
                assert response.status_code == 404, (method, url)
