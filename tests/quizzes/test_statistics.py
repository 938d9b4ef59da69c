"""Item analysis against figures worked out by hand on small fixed data sets."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.statistics import item_analysis

# Four learners, three items. Totals 3, 2, 1, 0: mean 1.5, sample variance 5/3. Item
# variances 1/4, 1/3, 1/4 (sum 5/6), so alpha = 3/2 x (1 - (5/6)/(5/3)) = 0.75 and
# SEM = sqrt(5/3) x sqrt(0.25). Corrected item-total correlations: item 1 against rests
# (2, 1, 0, 0) gives 0.75 / sqrt(0.75 x 2.75); item 2 against (2, 1, 1, 0) gives
# 1 / sqrt(2); item 3 against (2, 2, 1, 0) gives 0.75 / sqrt(0.75 x 2.75).
LADDER = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_the_test_statistics_match_the_hand_worked_values():
    result = item_analysis(LADDER)
    assert result["n"] == 4
    assert result["mean"] == 1.5 and result["median"] == 1.5
    assert result["sd"] == pytest.approx(math.sqrt(5 / 3))
    assert result["alpha"] == pytest.approx(0.75)
    assert result["sem"] == pytest.approx(math.sqrt(5 / 3) * 0.5)


def test_the_item_statistics_match_the_hand_worked_values():
    items = item_analysis(LADDER)["items"]
    assert [i["facility"] for i in items] == [0.75, 0.5, 0.25]
    assert [i["sd"] for i in items] == pytest.approx([0.5, math.sqrt(1 / 3), 0.5])
    assert [i["discrimination"] for i in items] == pytest.approx(
        [0.75 / math.sqrt(0.75 * 2.75), 1 / math.sqrt(2), 0.75 / math.sqrt(0.75 * 2.75)]
    )


def test_partial_credit_items_give_cronbachs_alpha():
    # Totals 1.5, 1, 0.5 (variance 0.25); item variances 0 and 0.25... the first item is
    # 0.5 for everyone, so it cannot discriminate and alpha is 2 x (1 - 0.25 / 0.25) = 0.
    rows = [[0.5, 1], [0.5, 0.5], [0.5, 0]]
    result = item_analysis(rows)
    assert result["alpha"] == pytest.approx(0.0)
    assert result["sem"] == pytest.approx(0.5)
    assert result["items"][0]["discrimination"] is None
    assert result["items"][1]["facility"] == 0.5


def test_figures_the_data_cannot_define_are_none():
    one = item_analysis([[1, 0, 1]])
    assert (one["n"], one["mean"], one["sd"], one["alpha"], one["sem"]) == (1, 2, None, None, None)
    assert one["items"][0] == {"facility": 1, "sd": None, "discrimination": None}
    empty = item_analysis([])
    assert empty == {
        "n": 0,
        "mean": None,
        "median": None,
        "sd": None,
        "alpha": None,
        "sem": None,
        "items": [],
    }
    # Everyone with the same total: no variance to explain.
    assert item_analysis([[1, 0], [0, 1]])["alpha"] is None


def test_ragged_rows_and_scores_outside_0_to_1_are_refused():
    with pytest.raises(ValueError, match="same items"):
        item_analysis([[1, 0], [1]])
    with pytest.raises(ValueError, match="from 0 to 1"):
        item_analysis([[1, 2]])
    with pytest.raises(ValueError, match="from 0 to 1"):
        item_analysis([[True, 0]])


@given(
    st.integers(min_value=2, max_value=8).flatmap(
        lambda k: st.lists(
            st.lists(st.sampled_from([0, 0.5, 1]), min_size=k, max_size=k),
            min_size=2,
            max_size=30,
        )
    )
)
def test_every_figure_stays_in_its_range_whatever_the_answers(rows):
    result = item_analysis(rows)
    k = len(rows[0])
    assert 0 <= result["mean"] <= k
    if result["alpha"] is not None:
        assert result["alpha"] <= 1 + 1e-9
    for item in result["items"]:
        assert 0 <= item["facility"] <= 1
        if item["discrimination"] is not None:
            assert -1 - 1e-9 <= item["discrimination"] <= 1 + 1e-9
