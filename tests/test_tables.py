"""Result summaries shown as small tables instead of raw dicts."""

from __future__ import annotations

import re

import numpy as np
import pytest

from demos.figures.tables import format_value, summary_table


def cells(html: str) -> list[list[str]]:
    return [
        re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)
    ]


def test_one_summary_is_a_two_column_table():
    table = summary_table({"train_success": 0.98765, "steps": 100, "name": "a<b"})
    assert cells(table._repr_html_()) == [
        ["quantity", "value"],
        ["train success", "0.988"],
        ["steps", "100"],
        ["name", "a&lt;b"],
    ]
    assert repr(table).splitlines()[1].split() == ["train", "success", "0.988"]


def test_several_summaries_share_rows_and_mark_what_is_missing():
    table = summary_table({"7x7": {"bits": 12000, "cross": 40.5}, "11x11": {"bits": 30000}})
    assert cells(table._repr_html_()) == [
        ["quantity", "7x7", "11x11"],
        ["bits", "12 000", "30 000"],
        ["cross", "40.5", "–"],
    ]


@pytest.mark.parametrize(
    "value, shown",
    [
        (np.float32(0.5), "0.5"),
        (np.int64(7), "7"),
        (True, "yes"),
        (None, "–"),
        (float("nan"), "–"),
        (2.5e-5, "2.50e-05"),
        ([0.25, 1], "0.25, 1"),
        ({"exit": 0.9, "proxy": 0.1}, "exit: 0.9; proxy: 0.1"),
    ],
)
def test_values_are_formatted_for_reading(value, shown):
    assert format_value(value) == shown


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="summary must be a non-empty dict"):
        summary_table({})
    with pytest.raises(ValueError, match=r"digits must be an integer in \[1, 12\], got 0"):
        summary_table({"a": 1.0}, digits=0)
