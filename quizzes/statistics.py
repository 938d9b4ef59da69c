"""Item analysis of an assessment, as assessment teams expect from Moodle's statistics
report. Pure: plain lists in, a plain dict out; no Django.

`rows` holds one list per learner (their first attempt), each the scores of the same items
in the same order, every score in [0, 1] (an unanswered item scores 0).
"""

import math
from collections.abc import Sequence
from statistics import fmean, median

Scores = Sequence[float]


def _sample_variance(values: Scores) -> float | None:
    if len(values) < 2:
        return None
    mean = fmean(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _sd(values: Scores) -> float | None:
    variance = _sample_variance(values)
    return None if variance is None else math.sqrt(variance)


def _pearson(xs: Scores, ys: Scores) -> float | None:
    """The correlation of two equally long lists; None where one does not vary."""
    if len(xs) < 2:
        return None
    mx, my = fmean(xs), fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def _check(rows: Sequence[Scores]) -> int:
    """The number of items; raises ValueError for ragged rows or a score outside [0, 1]."""
    lengths = {len(row) for row in rows}
    if len(lengths) > 1:
        raise ValueError("every learner's row must list the same items")
    for row in rows:
        for score in row:
            if isinstance(score, bool) or not 0 <= score <= 1:
                raise ValueError(f"an item score must be a number from 0 to 1, not {score!r}")
    return lengths.pop() if lengths else 0


def item_analysis(rows: Sequence[Scores]) -> dict:
    """Test and item statistics for `rows` (learners by items).

    Returns `n` (learners), `mean`, `median` and `sd` of the total score (sample standard
    deviation), `alpha` (Cronbach's alpha, which equals KR-20 for 0/1 items), `sem`
    (sd x sqrt(1 - alpha)), and `items`: per item its `facility` (mean score), `sd`
    (sample) and `discrimination` (the corrected item-total correlation: the Pearson
    correlation of the item with the total of the other items). A figure the data cannot
    define (one learner, an item everyone scored alike) is None.
    """
    k = _check(rows)
    n = len(rows)
    totals = [sum(row) for row in rows]
    columns = [[row[i] for row in rows] for i in range(k)]
    sd = _sd(totals)
    total_variance = _sample_variance(totals)
    item_variances = [_sample_variance(column) for column in columns]
    alpha = None
    if k >= 2 and total_variance and all(v is not None for v in item_variances):
        alpha = k / (k - 1) * (1 - sum(v for v in item_variances if v is not None) / total_variance)
    return {
        "n": n,
        "mean": fmean(totals) if n else None,
        "median": median(totals) if n else None,
        "sd": sd,
        "alpha": alpha,
        "sem": None if sd is None or alpha is None else sd * math.sqrt(1 - alpha),
        "items": [
            {
                "facility": fmean(column) if n else None,
                "sd": _sd(column),
                "discrimination": _pearson(
                    column, [total - score for total, score in zip(totals, column, strict=True)]
                ),
            }
            for column in columns
        ],
    }
