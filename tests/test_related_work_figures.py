"""Chapter 5's figure helpers: durations, tables and the literature map's rows."""

from __future__ import annotations

from types import SimpleNamespace

from demos.analysis.literature import LiteratureMap, Work
from demos.figures.related_work import duration_text, growth_markdown, literature_figure


def test_duration_text_picks_a_readable_unit():
    assert duration_text(0.25) == "0.25 s"
    assert duration_text(90) == "1.5 min"
    assert duration_text(7200) == "2 h"
    assert duration_text(3 * 86400) == "3 days"
    assert duration_text(560 * 365.25 * 86400) == "560 years"


def test_growth_table_marks_exact_and_sampled_counts():
    result = SimpleNamespace(
        case_counts={2: 44.0, 5: 5.2e8}, exact_sizes=(2,), seconds_per_case=1e-6
    )
    lines = growth_markdown(result).splitlines()
    assert lines[2] == "| 2 × 2 | 44 | exact | 4.4e-05 s |"
    assert lines[3] == "| 5 × 5 | 5.2e+08 | sampled | 8.7 min |"
    result.case_counts[3] = 4928.0
    result.exact_sizes = (2, 3)
    assert "| 3 × 3 | 4,928 | exact |" in growth_markdown(result)


def test_the_literature_figure_has_a_row_per_work_and_per_theme():
    works = {
        key: Work(key, f"Title {key}", "Author", "2020", theme, in_paper=key == "a")
        for key, theme in (("a", "One"), ("b", "One"), ("c", "Two"))
    }
    literature = LiteratureMap(works=works, citations=[], titles={1: "1. One", 5: "5. Five"})
    figure = literature_figure(SimpleNamespace(map=literature))
    ax = figure.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == [
        "One",
        "Author (2020): Title a",
        "Author (2020): Title b",
        "Two",
        "Author (2020): Title c",
    ]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["ch. 1", "ch. 5"]
