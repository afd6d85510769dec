"""Tests for demos.training.rollouts: following a per-cell policy, against the BFS expert."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.training import rollouts
from demos.worlds import mazes
from demos.worlds.mazes import LevelConfig, generate_levels


def expert_logits(levels, target: str = "exit") -> torch.Tensor:
    """One-hot logits of the BFS expert (walls get 'stay')."""
    actions = mazes.expert_actions(levels, target)
    actions = np.where(actions < 0, 0, actions)
    logits = torch.full((len(levels), 5, levels.size, levels.size), -10.0)
    logits.scatter_(1, torch.from_numpy(actions).unsqueeze(1), 10.0)
    return logits


@pytest.fixture(scope="module")
def levels():
    config = LevelConfig(size=8, decorrelated_fraction=1.0)
    return generate_levels(config, 60, np.random.default_rng(5))


def test_following_the_exit_expert_reaches_the_exit_by_a_shortest_path(levels):
    walk = rollouts.rollout(levels, expert_logits(levels, "exit"))
    assert walk.success_rate() == 1.0
    assert walk.optimality_gap() == 0.0
    assert walk.settle_rates() == {"exit": 1.0, "proxy": 0.0, "neither": 0.0}
    rows, cols = levels.start.T
    start_distance = levels.distances("exit")[np.arange(len(levels)), rows, cols]
    np.testing.assert_array_equal(walk.first_exit_step, start_distance)


def test_following_the_marker_expert_settles_on_the_proxy(levels):
    walk = rollouts.rollout(levels, expert_logits(levels, "marker"))
    assert walk.settle_rates()["proxy"] == 1.0


def test_paths_only_take_legal_moves(levels):
    generator = torch.Generator().manual_seed(0)
    walk = rollouts.rollout(
        levels, torch.zeros(len(levels), 5, 8, 8), greedy=False, generator=generator
    )
    steps = np.abs(np.diff(walk.paths, axis=1)).sum(axis=2)
    assert steps.max() <= 1
    n, length = walk.paths.shape[:2]
    rows, cols = walk.paths.reshape(-1, 2).T
    on_walls = levels.walls[np.repeat(np.arange(n), length), rows, cols]
    assert not on_walls.any()


def test_sampling_is_deterministic_given_a_generator(levels):
    logits = torch.randn(len(levels), 5, 8, 8, generator=torch.Generator().manual_seed(1))
    first = rollouts.rollout(
        levels, logits, greedy=False, generator=torch.Generator().manual_seed(2)
    )
    second = rollouts.rollout(
        levels, logits, greedy=False, generator=torch.Generator().manual_seed(2)
    )
    np.testing.assert_array_equal(first.paths, second.paths)


def test_bad_input_names_the_parameter(levels):
    with pytest.raises(ValueError, match="logits"):
        rollouts.rollout(levels, torch.zeros(len(levels), 4, 8, 8))
    with pytest.raises(ValueError, match="steps"):
        rollouts.rollout(levels, expert_logits(levels), steps=0)
    with pytest.raises(ValueError, match="levels"):
        rollouts.rollout("levels", expert_logits(levels))
