"""Tests for demos.figures.style: every function draws, labels and titles without error."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from demos.figures.drawing import draw_curves, draw_maze, draw_rates, draw_reward_map
from demos.figures.style import COLORS, figure_to_array, new_figure
from demos.worlds.env import MazeEnv
from demos.worlds.mazes import LevelConfig, parse_level

LEVEL = """
S...#
.#...
.#.#E
...#.
M....
"""


@pytest.fixture
def level():
    return parse_level(LEVEL)


def test_colors_named():
    for name in ("exit", "marker", "proxy", "agent", "path", "wall"):
        assert name in COLORS
    for name in ("base_objective", "mesa_objective"):
        assert name in COLORS
    assert COLORS["exit"] != COLORS["marker"]


def test_new_figure_shapes():
    figure, ax = new_figure()
    assert isinstance(ax, Axes)
    figure, axes = new_figure(3, 2)
    assert axes.shape == (2, 3)
    with pytest.raises(ValueError, match="ncols"):
        new_figure(0)


def test_draw_maze_draws_symbols_path_and_title(level):
    figure, ax = new_figure()
    path = np.array([[0, 0], [0, 1], [0, 2], [1, 2]])
    assert draw_maze(ax, level, path=path, agent=path[-1], title="A maze", legend=True) is ax
    assert ax.get_title() == "A maze"
    colors = {to_hex(line.get_color()) for line in ax.get_lines()}
    assert {COLORS["exit"].lower(), COLORS["marker"].lower(), COLORS["path"].lower()} <= colors
    path_lines = [line for line in ax.get_lines() if line.get_label() == "path"]
    assert len(path_lines) == 1 and np.array_equal(path_lines[0].get_xydata(), path[:, ::-1])
    assert ax.get_legend() is not None and len(ax.get_images()) == 1
    figure.savefig(io.BytesIO(), format="png")


def test_draw_reward_map_heatmap_walls_and_colorbar(level):
    figure, ax = new_figure()
    reward = -level.distances("marker")[0].astype(float)
    draw_reward_map(ax, reward, levels=level)
    assert ax.get_title() == "Mesa-objective (learned reward)"
    image = ax.get_images()[0]
    data = image.get_array()
    assert np.array_equal(np.ma.getmaskarray(data), level.walls[0])  # walls greyed out
    assert len(figure.axes) == 2 and figure.axes[1].get_ylabel() == "learned reward"
    assert len(ax.patches) == 4  # exit and marker, each outlined twice (dark under light)
    figure.savefig(io.BytesIO(), format="png")


def test_draw_curves_from_rows_and_columns():
    figure, axes = new_figure(2)
    rows = [{"step": i, "base_objective": i * 0.1, "proxy": 1 - i * 0.1} for i in range(5)]
    draw_curves(axes[0], rows, ylabel="reward", title="Training")
    assert [line.get_label() for line in axes[0].get_lines()] == ["base objective", "proxy"]
    assert axes[0].get_xlabel() == "step" and axes[0].get_ylabel() == "reward"
    assert axes[0].get_legend() is not None
    columns = {"epoch": [0, 1, 2], "loss": [3.0, 2.0, 1.5]}
    draw_curves(axes[1], columns, x="epoch", labels=["imitation loss"])
    assert axes[1].get_lines()[0].get_label() == "imitation loss"
    assert axes[1].get_legend() is None
    with pytest.raises(ValueError, match="ys"):
        draw_curves(axes[1], columns, x="epoch", ys=["accuracy"])


def test_draw_rates_grouped():
    figure, ax = new_figure()
    rates = {
        "q = 0": {"exit": 0.1, "proxy": 0.85, "neither": 0.05},
        "q = 0.1": {"exit": 0.9, "proxy": 0.05, "neither": 0.05},
    }
    draw_rates(ax, rates, title="Where agents settle")
    assert len(ax.patches) == 6 and ax.get_title() == "Where agents settle"
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["q = 0", "q = 0.1"]


def test_env_render_gives_rgb_picture(level):
    env = MazeEnv(LevelConfig(size=5), render_mode="rgb_array")
    env.reset(options={"levels": level})
    env.step(4)
    picture = env.render()
    assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3
    figure, _ = new_figure(width=2, height=2, dpi=50)
    assert figure_to_array(figure).shape == (100, 100, 3)
