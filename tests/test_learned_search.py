"""The learned planner's parts: perfect mazes, the model, its baseline, probes and readings.

Every expected value here comes from an independent computation (a flood fill and an edge count
written here, a brute-force recursion, least squares in numpy), not from the function under test.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
import torch

from demos.agents.feedforward import FeedForward, FeedForwardConfig, feedforward_parameters
from demos.agents.learned_search import (
    LearnedSearch,
    LearnedSearchConfig,
    encode,
    initialise_uniform,
    parameter_count,
)
from demos.analysis.probes import fit_class_probe, fit_on, fit_probe, r_squared
from demos.analysis.search_frontier import (
    arrival_times,
    dead_end_frontier,
    frontier_radius,
    subtree_heights,
    value_iteration_frontier,
)
from demos.analysis.search_success import split_by_distance, success_by_iterations
from demos.training import rollouts
from demos.training.learned_checkpoints import main_spec, obtain
from demos.worlds.mazes import LevelConfig, parse_level
from demos.worlds.perfect_mazes import always_free, generate_perfect_levels, maze_walls

MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1))


def flood(walls: np.ndarray, start) -> np.ndarray:
    """Steps from ``start`` to every cell by breadth-first search (-1: wall or unreachable)."""
    size = walls.shape[0]
    dist = np.full(walls.shape, -1)
    dist[tuple(start)] = 0
    queue = deque([tuple(start)])
    while queue:
        r, c = queue.popleft()
        for dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if 0 <= nr < size and 0 <= nc < size and not walls[nr, nc] and dist[nr, nc] < 0:
                dist[nr, nc] = dist[r, c] + 1
                queue.append((nr, nc))
    return dist


@pytest.mark.parametrize("size", [5, 6, 9, 10, 13])
def test_perfect_mazes_are_trees(size):
    walls = maze_walls(size, 12, np.random.default_rng(size))
    for grid in walls:
        free = ~grid
        edges = int((free[1:] & free[:-1]).sum() + (free[:, 1:] & free[:, :-1]).sum())
        cells = int(free.sum())
        assert edges == cells - 1  # a connected graph with one edge fewer than nodes: a tree
        first = np.argwhere(free)[0]
        assert (flood(grid, first) >= 0).sum() == cells  # connected
        assert grid[1::2, 1::2].all()  # cells with both coordinates odd are never free


def test_the_levels_follow_the_book_rules():
    config = LevelConfig(size=9, decorrelated_fraction=0.5)
    levels = generate_perfect_levels(config, 80, np.random.default_rng(1))
    apart = levels.decorrelated
    assert 0.3 < apart.mean() < 0.7
    for i in range(len(levels)):
        dist = flood(np.asarray(levels.walls[i]), levels.exit[i])
        assert dist[tuple(levels.start[i])] > 0
        assert not np.array_equal(levels.start[i], levels.marker[i])
        if apart[i]:
            assert dist[tuple(levels.marker[i])] >= config.min_exit_marker_distance
    again = generate_perfect_levels(config, 80, np.random.default_rng(1))
    assert np.array_equal(again.walls, levels.walls) and np.array_equal(again.start, levels.start)


def test_exits_can_be_pinned_to_a_corner_with_a_share_elsewhere():
    config = LevelConfig(size=9)
    pinned = generate_perfect_levels(config, 30, np.random.default_rng(2), exit_at=(0, 8))
    assert (pinned.exit == [0, 8]).all()
    mixed = generate_perfect_levels(
        config, 400, np.random.default_rng(3), exit_at=(0, 8), exit_elsewhere_fraction=0.5
    )
    away = np.any(mixed.exit != [0, 8], axis=1).mean()
    assert 0.4 < away < 0.6  # the rest land on the corner by chance only rarely
    with pytest.raises(ValueError, match="exit_at"):
        generate_perfect_levels(config, 3, np.random.default_rng(0), exit_at=(1, 1))


@pytest.mark.parametrize("size", [7, 8])
def test_always_free_cells_are_free_in_every_layout(size):
    walls = maze_walls(size, 200, np.random.default_rng(4))
    never_wall = ~walls.any(axis=0)
    claimed = np.array([[always_free((r, c), size) for c in range(size)] for r in range(size)])
    assert np.array_equal(claimed, never_wall)


def test_encoding_matches_the_observation():
    levels = generate_perfect_levels(LevelConfig(size=7), 3, np.random.default_rng(0))
    x = encode(levels).numpy()
    obs = levels.observe()
    assert x.shape == (3, 4, 7, 7)
    assert np.array_equal(x[:, 0], obs[:, 0]) and np.array_equal(x[:, 1], 1 - obs[:, 0])
    assert np.array_equal(x[:, 2:], obs[:, 1:3])


def test_the_model_plugs_into_the_rollouts_and_its_trajectory_matches_policy():
    levels = generate_perfect_levels(LevelConfig(size=7), 4, np.random.default_rng(0))
    model = LearnedSearch(LearnedSearchConfig(width=8), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits = model.policy(levels, 5)
        run = model.trajectory(levels, [2, 5], keep_states=True)
    assert logits.shape == (4, 5, 7, 7) and run[5]["h"].shape == (4, 8, 7, 7)
    assert torch.equal(run[5]["logits"], logits)
    assert 0.0 <= run[2]["h"].min() and run[2]["h"].max() <= 1.0  # the clipped state
    walk = rollouts.greedy_rollout(model, levels, planning_steps=5)
    assert walk.paths.shape[0] == 4
    assert parameter_count(model) == 9 * (8 + 4) * 8 + 8 + 9 * 8 * 5 + 5


def test_initial_weights_follow_the_seed_and_the_default_bounds():
    config = LearnedSearchConfig(width=6)
    a = LearnedSearch(config, generator=torch.Generator().manual_seed(3))
    b = LearnedSearch(config, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    bound = 1 / np.sqrt((6 + 4) * 9)
    assert a.step_conv.weight.abs().max() <= bound
    with pytest.raises(ValueError, match="generator"):
        initialise_uniform(a, 3)


def test_the_baseline_has_the_parameters_it_claims_and_a_fixed_depth():
    model = FeedForward(FeedForwardConfig(depth=4, width=3))
    assert parameter_count(model) == feedforward_parameters(4, 3)
    levels = generate_perfect_levels(LevelConfig(size=7), 2, np.random.default_rng(0))
    assert model.policy(levels).shape == (2, 5, 7, 7)
    with pytest.raises(ValueError, match="steps"):
        model.policy(levels, 5)


def test_the_committed_search_is_stable_far_beyond_its_training_iterations():
    model = obtain(main_spec(0)).model
    levels = generate_perfect_levels(LevelConfig(size=18), 3, np.random.default_rng(5))
    with torch.no_grad():
        run = model.trajectory(levels, [200, 400], keep_states=True)
    for k in (200, 400):
        assert torch.isfinite(run[k]["logits"]).all() and run[k]["h"].max() <= 1.0
    free = torch.from_numpy(~np.asarray(levels.walls))
    same = run[200]["logits"].argmax(1) == run[400]["logits"].argmax(1)
    assert same[free].float().mean() > 0.99  # a fixed point: more iterations change nothing


def test_success_by_iterations_agrees_with_walking_each_k():
    model = obtain(main_spec(0)).model
    levels = generate_perfect_levels(LevelConfig(size=9), 20, np.random.default_rng(6))
    rates = success_by_iterations(model, levels, [4, 40])
    for k in (4, 40):
        with torch.no_grad():
            walk = rollouts.rollout(levels, model.policy(levels, k), steps=81)
        assert rates[k] == walk.reached_exit.mean()


def test_split_by_distance_counts_near_and_far():
    split = split_by_distance(np.array([1, 0, 1, 1]), np.array([3, 4, 10, 12]), near=5)
    assert split == {"near": 0.5, "far": 1.0, "near_share": 0.5}


def test_probes_recover_planted_classes_and_read_equals_predict():
    rng = np.random.default_rng(0)
    activations = rng.normal(size=(30, 6, 5, 5))
    classes = np.argmax(activations[:, :3], axis=1)  # the class is the largest of 3 channels
    probe = fit_class_probe(activations, classes, n_classes=3)
    assert (probe.predict(activations) == classes).mean() > 0.7
    target = 1.5 * activations[:, 4] - activations[:, 0] + 0.5
    linear = fit_on(activations, target, l2=0.0)
    assert r_squared(linear.predict(activations), target) == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(linear.read(activations), linear.predict(activations), atol=1e-4)
    assert r_squared(np.zeros(4), np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(
        1 - 30 / 5.0
    )  # residual 1+4+9+16 over total variance 5


def test_a_distance_probe_with_a_shuffled_control_on_a_planted_signal():
    rng = np.random.default_rng(1)
    h = rng.normal(size=(40, 4, 6, 6))
    report = fit_probe(h, 3 * h[:, 2], kind="linear", seed=2)
    assert report.test_score > 0.99 and report.control_score < 0.1


TREE = """
#S#.#
#.#.#
#...#
##.##
##E##
"""


def test_subtree_heights_match_a_recursion():
    level = parse_level(TREE)
    dist = level.distances("exit")
    heights = subtree_heights(dist)
    # by hand: from the exit one corridor climbs to a fork at (2, 2), whose two arms are three
    # cells long each and end in the dead ends (0, 1) and (0, 3)
    assert heights[0, 4, 2] == 5 and heights[0, 3, 2] == 4 and heights[0, 2, 2] == 3
    assert heights[0, 2, 1] == 2 and heights[0, 1, 1] == 1 and heights[0, 0, 1] == 0
    assert heights[0, 0, 3] == 0 and heights[0, 0, 0] == -1


def test_arrival_is_the_first_iteration_right_for_good():
    truth = np.array([[[1, 2, -1]]])
    moves = np.array([[[[1, 0, 0]]], [[[0, 2, 0]]], [[[1, 2, 0]]]])  # T = 3 readings
    assert arrival_times(moves, truth).tolist() == [[[3, 2, -1]]]
    assert frontier_radius(np.array([True, True, False]), np.array([0, 1, 2])) == 1


def test_value_iteration_reaches_the_cells_within_k_moves():
    levels = generate_perfect_levels(LevelConfig(size=9), 5, np.random.default_rng(7))
    found = value_iteration_frontier(levels, [1, 6])
    for i in range(5):
        dist = flood(np.asarray(levels.walls[i]), levels.exit[i])
        for k in (1, 6):
            assert np.array_equal(found[k][i], (dist >= 0) & (dist <= k))
    heights = subtree_heights(levels.distances("exit"))
    assert dead_end_frontier(heights, 1).sum() == (heights == 0).sum()
