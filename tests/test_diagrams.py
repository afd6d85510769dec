"""Chapter 1's figures: the alignment diagram and the explorable panels."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from demos.experiments.bottle_cap import BottleCapConfig, run_bottle_cap
from demos.figures import diagrams, introduction, style
from demos.figures.style import new_figure
from demos.worlds.mazes import LevelConfig, generate_levels

PARTS = ("Intended goal", "Base objective", "Mesa-objective", "Behavioral objective")


def texts(figure: Figure) -> str:
    return " | ".join(text.get_text() for ax in figure.axes for text in ax.texts)


@pytest.mark.parametrize("example", diagrams.EXAMPLES)
def test_the_diagram_places_every_objective_and_both_alignment_problems(example):
    figure = diagrams.alignment_diagram(example)
    shown = texts(figure)
    for part in (*PARTS, "outer\nalignment", "inner\nalignment", "mesa-optimizer", "unintended"):
        assert part in shown
    for part in ("intended goal", "base objective", "mesa-objective", "behavioral objective"):
        assert part in diagrams.ALIGNMENT_ALT
    for part in ("outer alignment", "inner alignment", "unintended optimization"):
        assert part in diagrams.ALIGNMENT_ALT
    png = style.to_png(figure)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_diagram_rejects_bad_input():
    with pytest.raises(ValueError, match="example"):
        diagrams.alignment_diagram("cartoon")
    with pytest.raises(ValueError, match="dpi"):
        diagrams.alignment_diagram(dpi=5)
    with pytest.raises(ValueError, match="figure"):
        style.to_png("not a figure")


def test_base_objective_map_is_one_on_the_exit_only():
    levels = generate_levels(LevelConfig(decorrelated_fraction=1.0), 3, np.random.default_rng(0))
    reward = introduction.base_objective_map(levels, 2)
    assert reward.sum() == 1.0 and reward[tuple(levels.exit[2])] == 1.0
    with pytest.raises(ValueError, match="index"):
        introduction.base_objective_map(levels, 3)


def test_objective_panels_need_three_axes():
    levels = generate_levels(LevelConfig(), 1, np.random.default_rng(0))
    figure, axes = new_figure(ncols=2)
    with pytest.raises(ValueError, match="axes"):
        introduction.draw_objective_panels(axes, levels, 0, levels.start, np.zeros((7, 7)))


def test_training_curve_checks_lengths_and_marks_the_step():
    figure, ax = new_figure()
    introduction.draw_training_curve(ax, np.array([0, 1, 5]), {"exit": [0, 0.5, 1]}, current=1)
    assert len(ax.lines) == 2  # the curve and the marker of the current step
    with pytest.raises(ValueError, match="curves"):
        introduction.draw_training_curve(ax, np.array([0, 1]), {"exit": [0, 0.5, 1]}, current=None)


def test_bottle_cap_frame_reports_each_models_outcome():
    result = run_bottle_cap(BottleCapConfig())
    figure = Figure(figsize=(10, 3.7), dpi=40)
    introduction.draw_bottle_cap_frame(figure, result, "exit moved")
    titles = [" ".join(ax.get_title().split()) for ax in figure.axes]  # titles may wrap
    assert titles[0] == "Lookup table: never reaches the exit"
    assert titles[1].startswith("Planner: exit in") and titles[1].endswith("(shortest)")
    with pytest.raises(ValueError, match="edit"):
        introduction.draw_bottle_cap_frame(Figure(), result, "maze flipped")


def test_bottle_cap_alt_text_says_who_arrives():
    result = run_bottle_cap(BottleCapConfig())
    text = introduction.describe_bottle_cap_frame(result, "exit moved")
    assert "it never reaches the exit" in text
    assert "reaches the exit in 9 steps, a shortest path" in text
    assert "the exit (with its marker) moved" in text
