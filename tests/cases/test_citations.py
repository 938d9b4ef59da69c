"""Citation hygiene over the curated bank.

Every teaching point, rationale, lesson and finding explanation either cites guideline
statements that support it or marks what goes beyond them with "Beyond this guideline:".
The labelled ones are listed in REVIEWED with a fingerprint of their text: each was read
against its named source (or found to need none). A new or changed labelled text fails
here until it has been reviewed the same way and its line updated (`print_labelled()` below,
run in `manage.py shell`, prints the current list).
"""

import hashlib

from cases.schema import BEYOND
from cases.services import read_curated


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def cited_texts(data: dict):
    """(location, text, statements, sites) for everything a learner reads that cites."""
    for lesson in data["lessons"]:
        yield f"lessons[{lesson['key']}]", lesson["text"], lesson["statements"], None
    for finding in data["findings"]:
        if finding.get("explanation"):
            yield (
                f"findings[{finding['code']}].explanation",
                finding["explanation"],
                finding["statements"],
                None,
            )
    for case in data["cases"]:
        sites = {case["site"], *case.get("differential", [])}
        for i, point in enumerate(case["teaching_points"]):
            where = f"{case['slug']}.teaching_points[{i}]"
            yield where, point["text"], point["statements"], sites
        for k, option in enumerate((case["next_step"] or {}).get("options", [])):
            where = f"{case['slug']}.next_step.options[{k}]"
            yield where, option["rationale"], option["statements"], sites


def labelled() -> dict[str, str]:
    return {
        where: fingerprint(text)
        for where, text, _, _ in cited_texts(read_curated())
        if BEYOND in text
    }


def test_every_text_cites_a_statement_or_says_it_goes_beyond_the_guideline():
    for where, text, statements, _ in cited_texts(read_curated()):
        if where.startswith("findings["):
            continue  # a finding's own statements are cited on its line when in scope
        assert statements or text.startswith(BEYOND), where


def test_the_label_opens_the_part_that_goes_beyond():
    for where, text, _, _ in cited_texts(read_curated()):
        if BEYOND in text:
            before = text.split(BEYOND, 1)[0]
            assert before == "" or before.endswith((". ", ".) ", ": ", "; ")), where
            assert text.count(BEYOND) == 1, where


# Points that cite a lesson about motor neuron disease to say that it does not apply here.
CONTRASTS = {
    "acute-stroke-flaccid-hemiplegia.teaching_points[2]",
}


def test_what_a_case_teaches_as_true_cites_only_statements_true_for_its_site():
    """Teaching points and the best option's rationale; a wrong option's rationale may cite
    a rule to say it does not apply here."""
    data = read_curated()
    scopes = {s["key"]: set(s["scope"]) for s in data["statements"]}
    correct = {
        f"{case['slug']}.next_step.options[{k}]"
        for case in data["cases"]
        for k, option in enumerate((case["next_step"] or {}).get("options", []))
        if option["correct"]
    }
    for where, _, statements, sites in cited_texts(data):
        if sites is None or where in CONTRASTS:
            continue
        if ".teaching_points[" not in where and where not in correct:
            continue
        for key in statements:
            assert not scopes[key] or scopes[key] & sites, f"{where} cites {key}"


def test_a_lesson_is_scoped_no_wider_than_the_statements_it_cites():
    data = read_curated()
    scopes = {s["key"]: set(s["scope"]) for s in data["statements"]}
    for lesson in data["lessons"]:
        for key in lesson["statements"]:
            if scopes[key]:
                assert lesson["scope"] and set(lesson["scope"]) <= scopes[key], (
                    f"lesson {lesson['key']} cites {key}"
                )


def test_every_labelled_text_has_been_reviewed():
    current = labelled()
    assert {k: v for k, v in current.items() if REVIEWED.get(k) != v} == {}
    assert sorted(set(REVIEWED) - set(current)) == []


def print_labelled() -> None:
    for where, mark in sorted(labelled().items()):
        print(f'    "{where}": "{mark}",')


REVIEWED: dict[str, str] = {}
