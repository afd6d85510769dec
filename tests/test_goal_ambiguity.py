"""Goal ambiguity: exactly flat likelihoods where the proxy sits on the exit; chosen tests win."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.agents.planners import next_cells, value_iteration
from demos.analysis.goal_ambiguity import (
    candidate_log_likelihood,
    mixture_maps,
    observe,
    predicted_outcomes,
)
from demos.experiments.goal_ambiguity import GoalAmbiguityConfig, run_goal_ambiguity
from demos.training import rollouts
from demos.worlds.mazes import LevelConfig, generate_levels, shifted

LAMBDAS = np.linspace(-0.5, 1.5, 21)


def _agent_paths(levels, lam: float, steps: int = 14):
    """Greedy paths of a value-iteration planner wanting 1 - lam on the exit, lam on the marker."""
    maps = torch.from_numpy(mixture_maps(levels, [lam])[:, 0])
    walls = torch.from_numpy(np.array(levels.walls, dtype=bool))
    q_values = value_iteration(maps, walls, steps, 0.9, next_cells(walls))
    return rollouts.rollout(levels, q_values).paths


def test_every_candidate_is_the_same_map_where_the_marker_is_on_the_exit():
    levels = generate_levels(LevelConfig(), 30, np.random.default_rng(0))
    assert not levels.decorrelated.any()
    maps = mixture_maps(levels, LAMBDAS)
    assert (maps == maps[:, :1]).all()
    scores = candidate_log_likelihood(levels, _agent_paths(levels, 0.8), LAMBDAS)
    assert np.abs(scores - scores[:, :1]).max() < 1e-9  # equal up to floating-point rounding


def test_predicted_outcomes_follow_the_objective():
    levels = generate_levels(
        shifted(LevelConfig(), decorrelated_fraction=1.0), 60, np.random.default_rng(1)
    )
    codes = predicted_outcomes(levels, [0.0, 1.0], planning_steps=30)
    assert (codes[:, 0] == 0).all()  # the exit only: always the exit
    assert (codes[:, 1] == 1).all()  # the marker only: always the marker


def test_chosen_mazes_identify_a_known_objective_at_least_as_fast_as_random_ones():
    levels = generate_levels(
        shifted(LevelConfig(), decorrelated_fraction=1.0), 120, np.random.default_rng(2)
    )
    true_lambda = 0.8
    scores = candidate_log_likelihood(levels, _agent_paths(levels, true_lambda), LAMBDAS)
    outcomes = predicted_outcomes(levels, LAMBDAS)
    seen = {
        s: observe(scores, outcomes, s, 8, np.random.default_rng(3)) for s in ("random", "chosen")
    }
    for observation in seen.values():
        observation.lambdas = LAMBDAS
    assert abs(seen["chosen"].map_estimate()[-1] - true_lambda) <= 0.1 + 1e-9
    assert seen["chosen"].entropy()[-1] <= seen["random"].entropy()[-1]
    assert seen["chosen"].entropy()[0] == pytest.approx(np.log2(len(LAMBDAS)))


def test_the_experiment_learns_nothing_from_training_like_mazes():
    result = run_goal_ambiguity(
        GoalAmbiguityConfig(pool_levels=40, rounds=5, train_levels=96, train_steps=80)
    )
    assert result.flat_gap < 1e-9
    for agent in result.agent_names:
        flat = result.observations[(agent, "training-like")]
        assert np.isnan(flat.map_estimate()).all()
        chosen = result.observations[(agent, "chosen")]
        assert chosen.entropy()[-1] < flat.entropy()[-1] - 1.0


def test_bad_input():
    scores = np.zeros((3, 4))
    with pytest.raises(ValueError, match="strategy"):
        observe(scores, np.zeros((3, 4), int), "clever", 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rounds"):
        observe(scores, np.zeros((3, 4), int), "random", 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rounds"):
        GoalAmbiguityConfig(pool_levels=10, rounds=11)
