"""Pure parts of the TUI: item selection, the heatmap's difference and colours, the calendar levels."""

from __future__ import annotations

import math

from quiz.tui.session import ItemResult, PracticeConfig, Session, select_items
from quiz.tui.widgets.calendar import level
from quiz.tui.widgets.heatmap import Heatmap, color_cell, difference
from tests.tui.bank import fixed_items


def test_select_filters_orders_and_limits() -> None:
    items = fixed_items()
    easy = select_items(items, PracticeConfig(difficulty="easy", count=10), seed=1)
    assert {i.id for i in easy} == {"t.flash", "t.mcq", "t.numeric", "t.shape"}
    due_first = select_items(items, PracticeConfig(order="due", count=2), due_ids=["t.shape", "t.multi"], seed=1)
    assert [i.id for i in due_first] == ["t.shape", "t.multi"]
    weakest = select_items(items, PracticeConfig(order="weakest", count=1),
                           accuracy={"normalisation": 0.1, "activations": 0.9}, seed=1)
    assert weakest[0].topic == "normalisation"
    only = select_items(items, PracticeConfig(only_ids=("t.mcq", "nope"), count=5))
    assert [i.id for i in only] == ["t.mcq"]


def test_session_scores_by_topic_and_lists_what_to_review() -> None:
    items = fixed_items()
    s = Session(items[:3])
    s.record(ItemResult(items[0], None, 2, 10.0))
    s.record(ItemResult(items[1], True, None, 5.0))
    s.record(ItemResult(items[2], False, None, 7.0))
    assert not s.done and s.current is items[2]  # the wrong one comes back before the session ends
    s.record(ItemResult(items[2], True, None, 3.0))
    assert s.done and s.score == (2, 3) and s.relearned == 1  # the score counts first answers
    assert s.by_topic()["normalisation"] == (0, 1)
    assert [i.id for i in s.review_next()] == ["t.multi", "t.flash"]


def test_difference_of_a_transposed_grid_is_symmetric() -> None:
    expected = [[1.0, 2.0], [3.0, 4.0]]
    got = [[1.0, 3.0], [2.0, 4.0]]
    assert difference(expected, got) == [[0.0, 1.0], [1.0, 0.0]]
    assert difference(expected, [[1.0, 2.0, 3.0]]) is None


def test_a_report_preview_with_missing_values_shows_them_as_not_finite() -> None:
    heatmap = Heatmap("p", [[1.0, 2.0]], [[1.0, None]])  # None: the submission's value was NaN or inf
    assert heatmap.got[0][0] == 1.0 and math.isnan(heatmap.got[0][1])
    assert heatmap.diff is not None and heatmap.diff[0][0] == 0.0 and math.isinf(heatmap.diff[0][1])
    assert color_cell(heatmap.diff[0][1], 1.0, False) == "#ff00ff"


def test_colours() -> None:
    assert color_cell(float("nan"), 1.0, False) == "#ff00ff"
    assert color_cell(0.0, 1.0, False) != color_cell(1.0, 1.0, False)
    assert level(0, 10) == 0 and level(10, 10) == 4 and level(1, 10) == 1
