"""Tests for demos.worlds.outcomes and demos.analysis.metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demos.analysis.metrics import (
    objective_correlations,
    peak_rates,
    rank_correlation,
    reward_peaks,
)
from demos.worlds.mazes import LevelConfig, Levels, generate_levels, parse_level
from demos.worlds.outcomes import (
    SETTLE_OUTCOMES,
    optimality_gap,
    settle_outcomes,
    settle_rates,
    success_rate,
)

DECORRELATED = """
S..#.
.#...
.#.#E
...#.
M....
"""
CORRELATED = """
S....
.#.#.
.....
.#.#.
....E
"""


def two_levels():
    a = parse_level(DECORRELATED)
    b = parse_level(CORRELATED)
    return Levels(
        walls=np.concatenate([a.walls, b.walls]),
        start=np.concatenate([a.start, b.start]),
        exit=np.concatenate([a.exit, b.exit]),
        marker=np.concatenate([a.marker, b.marker]),
        config=a.config,
    )


def test_settle_classification():
    levels = two_levels()
    assert SETTLE_OUTCOMES == ("exit", "proxy", "neither")
    cases = {
        ((2, 4), (4, 4)): [0, 0],  # on the exit in both (the correlated marker counts as exit)
        ((4, 0), (0, 0)): [1, 2],  # on the marker; at the start
        ((0, 1), (4, 3)): [2, 2],
    }
    for final, expected in cases.items():
        assert settle_outcomes(levels, np.array(final)).tolist() == expected
    rates = settle_rates(levels, np.array([[4, 0], [4, 4]]))
    assert rates == {"exit": 0.5, "proxy": 0.5, "neither": 0.0}


def test_success_rate_and_optimality_gap():
    assert success_rate(np.array([True, False, True, True])) == 0.75
    levels = two_levels()
    # shortest paths from start to exit: 6 in the decorrelated maze, 8 in the correlated one
    assert optimality_gap(levels, np.array([10, 8]), np.array([True, True])) == 2.0
    assert optimality_gap(levels, np.array([11, 99]), np.array([True, False])) == 5.0
    assert math.isnan(optimality_gap(levels, np.array([0, 0]), np.array([False, False])))
    with pytest.raises(ValueError, match="steps_taken"):
        optimality_gap(levels, np.array([3, 8]), np.array([True, True]))


def test_spearman_with_ties_matches_hand_computation():
    # level 0: a = 1, 2, 2, 3, 4 and b = 2, 1, 3, 3, 5 on the masked cells; ranks with ties
    # averaged are (1, 2.5, 2.5, 4, 5) and (2, 1, 3.5, 3.5, 5); rho = 7.25 / 9.5.
    a = np.array([[1.0, 2.0, 2.0, 3.0, 4.0, 100.0], [5.0, 5.0, 5.0, 1.0, 2.0, 3.0]])
    b = np.array([[2.0, 1.0, 3.0, 3.0, 5.0, -100.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    mask = np.array([[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]], dtype=bool)
    rho = rank_correlation(a, b, mask)
    assert rho[0] == pytest.approx(7.25 / 9.5)
    assert math.isnan(rho[1])  # a is constant over level 1's masked cells
    # perfect monotone relations give +1 and -1, whatever the scale
    x = np.array([[0.1, 0.5, 0.2, 9.0]])
    full = np.ones_like(x, dtype=bool)
    assert rank_correlation(x, np.exp(x), full)[0] == pytest.approx(1.0)
    assert rank_correlation(x, -(x**3), full)[0] == pytest.approx(-1.0)


def test_spearman_agrees_with_brute_force_on_random_data():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, size=(20, 9)).astype(float)  # many ties
    b = rng.normal(size=(20, 9))
    mask = rng.random((20, 9)) < 0.8
    got = rank_correlation(a, b, mask)
    for i in range(20):
        x, y = a[i][mask[i]], b[i][mask[i]]
        rx = np.array([np.sum(x < v) + (np.sum(x == v) + 1) / 2 for v in x])
        ry = np.array([np.sum(y < v) + (np.sum(y == v) + 1) / 2 for v in y])
        if len(x) < 2 or rx.std() == 0 or ry.std() == 0:
            assert math.isnan(got[i])
        else:
            assert got[i] == pytest.approx(np.corrcoef(rx, ry)[0, 1])


def test_reward_peaks_skip_walls_and_peak_rates():
    levels = two_levels()
    reward = np.zeros((2, 5, 5))
    reward[0, 0, 3] = 10.0  # a wall: must be ignored
    reward[0, 4, 0] = 5.0  # the marker
    reward[1, 4, 4] = 1.0  # the exit
    peaks = reward_peaks(reward, levels.walls)
    assert peaks.tolist() == [[4, 0], [4, 4]]
    assert peak_rates(levels, reward) == {"exit": 0.5, "proxy": 0.5, "neither": 0.0}
    flat = np.zeros((2, 5, 5))
    assert reward_peaks(flat, levels.walls).tolist() == [[0, 0], [0, 0]]  # first free cell


def test_objective_correlations_tell_exit_from_marker():
    config = LevelConfig(size=7, decorrelated_fraction=1.0)
    levels = generate_levels(config, 50, np.random.default_rng(3))
    wants_exit = -levels.distances("exit").astype(float)
    correlations = objective_correlations(levels, wants_exit)
    assert np.allclose(correlations["base_objective"], 1.0)
    assert np.all(correlations["proxy"] < 0.99)
    wants_marker = -levels.distances("marker").astype(float) * 3.0 + 1.0
    correlations = objective_correlations(levels, wants_marker)
    assert np.allclose(correlations["proxy"], 1.0)


def test_bad_inputs():
    levels = two_levels()
    with pytest.raises(ValueError, match="final_positions"):
        settle_outcomes(levels, np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match="reward_map"):
        reward_peaks(np.zeros((2, 5)), levels.walls)
    with pytest.raises(ValueError, match="mask"):
        rank_correlation(np.zeros((2, 3)), np.zeros((2, 3)), np.ones((2, 4), dtype=bool))
    with pytest.raises(ValueError, match="reached_exit"):
        success_rate(np.array([]))
