from django import template

from quizzes import grading

register = template.Library()


@register.filter
def get_label(labels: dict, key) -> str:
    """The display label for a key, or the key itself."""
    return labels.get(key, key)


@register.filter
def bar_width(percent: int) -> int:
    """Round a percentage to the nearest 5 for the `.w-N` bar classes (no inline styles)."""
    return max(0, min(100, 5 * round(percent / 5)))


@register.filter
def attr_percent(tally) -> int:
    return getattr(tally, "percent", 0)


@register.simple_tag
def verdict_mark(score: float) -> str:
    """✓ right, ✗ wrong, ◐ partly right."""
    return "✓" if score == 1 else "✗" if score == 0 else "◐"


@register.simple_tag
def verdict_words(score: float) -> str:
    """What the mark says, for a screen reader."""
    return "Correct." if score == 1 else "Incorrect." if score == 0 else "Partly correct."


@register.simple_tag
def verdict_class(score: float) -> str:
    return "right" if score == 1 else "wrong" if score == 0 else "partial"


@register.simple_tag
def point_label(point: dict) -> str:
    return grading.point_label(point["kind"], point.get("correct"))
