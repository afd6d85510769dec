"""Claims that chapters 1 and 2 state about their results, checked here instead of in the pages.

Each test is seeded, small, and compares against an independent reference (a brute-force scan,
BFS distances, a closed form) or asserts the direction of an effect.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from demos.agents.linear_attention import layer_from_matrices, layer_matrices
from demos.analysis import behavioral, gradient_step
from demos.analysis import optimization_power as toy
from demos.analysis.metrics import hidden_window
from demos.experiments.behavioral_objective import (
    BehavioralObjectiveConfig,
    run_behavioral_objective,
)
from demos.experiments.bottle_cap import EDITS, BottleCapConfig, run_bottle_cap
from demos.experiments.description_length import DescriptionLengthConfig, run_description_length
from demos.experiments.incontext_gd import IncontextGDConfig, run_incontext_gd
from demos.experiments.optimization_power import OptimizationPowerConfig, run_optimization_power
from demos.experiments.vin_kernel import VinKernelConfig, run_vin_kernel
from demos.training import step_budget
from demos.training.base_optimizers import TrainingHistory
from demos.training.rollouts import rollout
from demos.worlds.mazes import LevelConfig, expert_actions, generate_levels


@pytest.mark.parametrize("kind", toy.COSTS)
def test_the_budget_runs_out_where_a_brute_force_scan_says(kind):
    budget, scale = 100.0, 4.0
    cap = toy.max_mesa_power(budget, kind, scale)
    tasks = np.linspace(1.0, 200.0, 19_901)  # steps of 0.01
    spent = [toy.optimal_mesa_power(budget, n, kind, scale) >= cap - 1e-9 for n in tasks]
    first = tasks[int(np.argmax(spent))]
    assert first == pytest.approx(toy.exhausting_tasks(budget, kind, scale), abs=0.011)


def test_the_drawn_curves_peak_at_the_closed_form_optimum():
    result = run_optimization_power(OptimizationPowerConfig())
    for (budget, tasks, kind), (xs, power) in result.curves.items():
        best = result.optimum[(budget, tasks, kind)]
        step = xs[1] - xs[0]
        assert abs(xs[int(np.argmax(power))] - best) <= step + 1e-9 or math.isclose(
            power.max(), float(toy.power_per_task(best, budget, tasks, kind, 4.0)), rel_tol=1e-6
        )
    assert result.budget_runs_out(100.0, "quadratic") == 100.0  # first grid N at or above 40
    assert result.exhausting_tasks(100.0, "quadratic") == pytest.approx(40.0)


@pytest.mark.parametrize("backups", [1, 2, 4])
def test_a_planner_with_memory_arrives_after_ceil_d_over_b_plus_d_minus_one_moves(backups):
    levels = generate_levels(LevelConfig(size=7), 60, np.random.default_rng(5))
    reward = np.zeros((60, 7, 7))
    reward[np.arange(60), levels.exit[:, 0], levels.exit[:, 1]] = 1.0
    distance = levels.distances("exit")[np.arange(60), levels.start[:, 0], levels.start[:, 1]]
    walk = step_budget.stateful_rollout(levels, reward, backups, 28)
    assert walk.reached_exit.all()
    expected = np.ceil(distance / backups) + distance - 1  # BFS distances, the reference
    assert np.array_equal(walk.first_exit_step, expected.astype(int))


def test_the_crossing_falls_like_one_over_the_squared_side():
    runs = {
        size: run_description_length(DescriptionLengthConfig(size=size, mazes=128, train_steps=20))
        for size in (11, 15)
    }
    estimate = runs[11].crossover_lzma * (11 / 15) ** 2
    assert 0.6 * estimate < runs[15].crossover_lzma < 1.4 * estimate


def test_the_planner_needs_as_many_steps_as_the_longest_shortest_path():
    result = run_description_length(DescriptionLengthConfig(mazes=64, planner_train_levels=16))
    assert result.planner_success == 1.0
    levels = result.levels
    longest = levels.distances("exit")[
        np.arange(len(levels)), levels.start[:, 0], levels.start[:, 1]
    ]
    assert result.planner_steps_needed == int(longest.max())  # BFS, the reference
    ratios = [result.boundaries[n] for n in sorted(result.boundaries)]
    assert ratios == sorted(ratios, reverse=True)  # more mazes, the planner wins sooner
    assert result.funnel_bits == 2 * result.planner_bits


def test_a_weaker_search_solves_exactly_the_mazes_within_its_reach():
    full = run_bottle_cap(BottleCapConfig(seed=1))
    weak = run_bottle_cap(BottleCapConfig(planning_steps=6, seed=1))
    within = [edit for edit, out in weak.outcomes.items() if out["planner"].shortest <= 6]
    assert weak.solved("planner") == within
    assert all(weak.success("lookup")[edit] == full.success("lookup")[edit] for edit in EDITS)
    assert full.always_shortest("planner") and not weak.always_shortest("planner")


def test_the_best_blend_recovers_a_planted_goal():
    levels = generate_levels(LevelConfig(decorrelated_fraction=1.0), 20, np.random.default_rng(2))
    angles = np.linspace(0, np.pi / 2, 7)
    for target, side in (("exit", -1), ("marker", 1)):
        actions = expert_actions(levels, target)
        logits = torch.full((20, 5, 7, 7), -1.0)
        rows, r, c = np.nonzero(actions >= 0)
        logits[rows, actions[rows, r, c], r, c] = 1.0
        paths = rollout(levels, logits).paths
        angle = behavioral.best_mixture_angle(levels, paths, angles)
        assert side * (angle - 45.0) > 0  # the planted goal's side of the blend
    maps = behavioral.feature_mixture_maps(levels, [0.0, np.pi / 2])
    assert maps[:, 0].sum() == pytest.approx(20.0) and maps[:, 1].sum() == pytest.approx(20.0)
    with pytest.raises(ValueError, match="angles"):
        behavioral.feature_mixture_maps(levels, [2.0])


def test_the_few_training_mazes_missed_mid_training_are_the_decorrelated_ones():
    result = run_behavioral_objective(BehavioralObjectiveConfig(decorrelated_fraction=0.05, seed=1))
    failures = result.failures_at(18)
    assert failures["failed"] > 0 and failures["failed"] == failures["decorrelated"]
    assert result.replay.first_step_reaching(0.9) <= 5
    step, share = result.replay.peak_test_proxy()
    assert share > 0.9 and step < result.config.train_steps
    assert result.mixture_angle["test"] < 45


def test_the_vin_replay_shows_success_rising_along_training():
    result = run_vin_kernel(
        VinKernelConfig(
            train_steps=60,
            snapshot_every=20,
            replay_steps=(0, 20, 40, 60, 70),
            test_sizes=(11,),
            test_levels=40,
            hard_coded_steps=40,
        )
    )
    assert [frame["step"] for frame in result.replay] == [0, 20, 40, 60]  # 70 has no snapshot
    assert result.replay[-1]["success"][-1] > result.replay[0]["success"][-1]
    assert result.replay[-1]["distance"] < result.replay[0]["distance"]
    hard = [result.hard_coded_success_by_k[k] for k in result.config.test_ks]
    assert hard[-1] >= 0.95 and hard[0] < hard[-1]


def test_the_gd_construction_has_both_shares_at_one_and_training_approaches_it():
    constructed = gradient_step.gd_matrices(4, 0.7, 2.0)
    shares = gradient_step.construction_shares(constructed)
    assert shares == {"key_query_identity": pytest.approx(1.0), "value_corner": pytest.approx(1.0)}
    layer = layer_from_matrices(constructed)
    assert np.allclose(layer_matrices(layer)["key_query"], constructed["key_query"])
    result = run_incontext_gd(
        IncontextGDConfig(
            dim=4, train_steps=300, batch_size=128, snapshot_every=100, eval_tasks=512
        )
    )
    assert result.replay[0]["cosine"] < 0.5 < 0.99 < result.replay[-1]["cosine"]
    trained = result.construction_shares()
    assert trained["key_query_identity"] > 0.95 and trained["value_corner"] > 0.9
    assert result.first_step_with_cosine(0.99) in [frame["step"] for frame in result.replay]


def test_hidden_window_counts_steps_against_the_given_proxy_level():
    history = TrainingHistory(
        rows=[
            {"step": 0, "loss": 1.0, "train_success": 0.2, "test_proxy_rate": 0.9},
            {"step": 5, "loss": 0.5, "train_success": 0.97, "test_proxy_rate": 0.6},
            {"step": 10, "loss": 0.2, "train_success": 1.0, "test_proxy_rate": 0.3},
        ]
    )
    assert hidden_window(history, 0.95, 0.5)["hidden_steps"] == 1
    assert hidden_window(history, 0.95, 0.25)["hidden_steps"] == 2
    assert hidden_window(history, 0.95, 0.25)["logged_steps"] == 3
    with pytest.raises(ValueError, match="proxy_level"):
        hidden_window(history, 0.95, 1.5)
