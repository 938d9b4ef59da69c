from cases.markdown import render_markdown
from tests.factories import CaseFactory


def test_it_renders_markdown():
    html = render_markdown("A **brisk** jaw jerk.\n\n- one\n- two")
    assert "<strong>brisk</strong>" in html
    assert "<li>one</li>" in html


def test_it_removes_script_tags():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "alert" not in html


def test_it_removes_event_handlers():
    html = render_markdown('<img src="x.png" onerror="alert(1)"><p onclick="steal()">Hi</p>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert "<p>Hi</p>" in html


def test_it_removes_javascript_urls():
    html = render_markdown("[click](javascript:alert(1)) and <a href='JaVaScRiPt:alert(2)'>x</a>")
    assert "javascript:" not in html.lower()
    assert "click" in html


def test_it_keeps_safe_links_with_noopener():
    html = render_markdown("[guide](https://example.org/guide)")
    assert 'href="https://example.org/guide"' in html
    assert 'rel="noopener noreferrer"' in html


def test_it_drops_iframes_styles_and_forms():
    html = render_markdown(
        '<iframe src="https://x"></iframe><style>p{}</style><form><input></form>ok'
    )
    for tag in ("<iframe", "<style", "<form", "<input"):
        assert tag not in html
    assert "ok" in html


def test_case_stem_html_is_sanitized(db):
    case = CaseFactory(stem='Weak <b onmouseover="x()">left</b> arm <script>bad()</script>')
    assert case.stem_html == "<p>Weak <b>left</b> arm </p>"
