"""The learned planner's figures: each draws, its alt text states the figures drawn, and the
explorables offer only frames that exist."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from demos.experiments.learned_frontier import LearnedFrontierConfig, run_learned_frontier
from demos.experiments.learned_objective import LearnedObjectiveConfig, run_learned_objective
from demos.experiments.learned_planner import LearnedPlannerConfig, run_learned_planner
from demos.experiments.learned_proxy_shift import (
    LearnedProxyShiftConfig,
    run_learned_proxy_shift,
)
from demos.figures import learned_search as figures
from demos.figures.maze_raster import mask_shade, maze_rgb
from demos.figures.style import new_figure


@pytest.fixture(scope="module")
def planner():
    config = LearnedPlannerConfig(test_levels=20, large_test_levels=12, large_iterations=(8, 64))
    return run_learned_planner(config)


@pytest.fixture(scope="module")
def frontier():
    config = LearnedFrontierConfig(
        size=9,
        iterations=32,
        shown_iterations=(4, 32),
        fit_levels=8,
        test_levels=3,
        forming_iterations=16,
        forming_shown=8,
        forming_fit_levels=6,
        forming_test_levels=3,
    )
    return run_learned_frontier(config)


def test_success_figures_draw_and_say_their_numbers(planner):
    _, ax = new_figure()
    figures.draw_success_by_iterations(ax, [planner, planner])
    assert len(ax.get_lines()) >= 4
    text = figures.describe_success_by_iterations(planner)
    assert f"{100 * planner.success_large[64]:.0f}%" in text
    _, ax = new_figure()
    figures.draw_success_by_distance(ax, planner)
    assert "feed-forward" in figures.describe_success_by_distance(planner)


def test_the_iterations_explorable_walks_the_showcase_maze(planner):
    explorable = figures.iterations_explorable(planner)
    assert explorable.grid["k"] == [8, 64]
    figure = explorable.draw(k=64)
    assert len(figure.axes) == 2
    assert "K = 64" in explorable.describe(k=64)


def test_the_frontier_frames_shade_what_the_result_covers(frontier):
    masks = figures.frontiers(frontier, 4, 0)
    free = frontier.reading.dist[0] >= 0
    assert np.array_equal(masks["value_iteration"], free & (frontier.reading.dist[0] <= 4))
    dist = frontier.reading.dist
    reachable = dist >= 0
    within = ((dist <= 4) & reachable).sum() / reachable.sum()
    assert frontier.covered(4)["value_iteration"] == pytest.approx(within)
    explorable = figures.frontier_explorable(frontier)
    assert max(explorable.grid["k"]) == 32
    explorable.draw(k=4)
    share = masks["learned"][free].mean()
    assert f"{100 * share:.0f}%" in figures.describe_frontier(frontier, 4, 0)


def test_the_forming_explorable_steps_through_the_snapshots(frontier):
    explorable = figures.forming_explorable(frontier)
    assert explorable.grid["step"] == [f.step for f in frontier.forming]
    figure = explorable.draw(step=1000)
    assert "1000 training steps" in figure.texts[0].get_text()
    with pytest.raises(ValueError, match="step"):
        figures.render_forming(Figure(), frontier, 150)


def test_drift_and_steering_figures():
    results = [
        run_learned_proxy_shift(LearnedProxyShiftConfig(decorrelated_fraction=q, test_levels=20))
        for q in (0.0, 0.05)
    ]
    table = figures.drift_rates(results)
    assert set(table) == {0.0, 0.05} and set(table[0.0]) == {"learned", "hand-written"}
    assert sum(table[0.05]["learned"].values()) == pytest.approx(1.0)
    figure = Figure(figsize=(7, 3.6))
    figures.render_drift(figure, results)
    assert len(figure.axes) == 2 and "q = 0.05" in figures.describe_drift(results)
    objective = run_learned_objective(
        LearnedObjectiveConfig(
            probe_levels=20, probe_iterations=(64,), steer_levels=6, scales=(2.0,)
        )
    )
    _, ax = new_figure()
    figures.draw_steering(ax, objective)
    explorable = figures.steering_explorable(objective)
    assert explorable.grid["edit"] == list(objective.steering)
    explorable.draw(edit="add and erase x2", maze=1)


def test_the_raster_blends_a_shade_on_free_cells_only():
    walls = np.array([[True, False], [False, False]])
    shade = mask_shade(np.ones((2, 2), dtype=bool), "#0000FF", alpha=1.0)
    image = maze_rgb(walls, shade)
    assert image[0, 1].tolist() == [0.0, 0.0, 1.0] and image[0, 0].tolist() != [0.0, 0.0, 1.0]


def test_value_iteration_share_counts_cells_within_k_moves_of_the_exit():
    # a corridor: exit at the left end, cells 1..4 moves away, one wall
    dist = np.array([[0, 1, 2, 3, 4, -1]])
    shares = figures.value_iteration_by_k(dist, 5)
    assert shares.tolist() == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_the_showcase_maze_from_stored_walks_is_the_one_recomputed(planner):
    import dataclasses

    recomputed = figures.showcase_index(dataclasses.replace(planner, large_reached={}))
    assert figures.showcase_index(planner) == recomputed
