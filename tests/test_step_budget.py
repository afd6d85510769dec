"""Planning steps with a cost per step: closed forms, statefulness, and the seeded claims."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.agents import planners
from demos.analysis import compute_cost
from demos.experiments.planning_budget import PlanningBudgetConfig, run_planning_budget
from demos.training import step_budget
from demos.worlds.mazes import LevelConfig, generate_levels, parse_level

CORRIDOR = """
S......
######.
.......
.######
.......
######.
E......
"""


def test_best_steps_matches_a_brute_force_over_costs():
    success = np.array([0.1, 0.3, 0.7, 0.95, 1.0])
    steps = np.array([1, 2, 4, 8, 16])
    for cost in np.linspace(0.0, 0.3, 61):
        values = {0: 0.0} | {int(k): s - cost * k for k, s in zip(steps, success, strict=True)}
        best = max(values.values())
        expected = min(k for k, v in values.items() if v >= best - 1e-12)
        assert compute_cost.best_steps(success, steps, cost) == expected


def test_break_even_cost_is_where_search_stops_paying():
    success = np.array([0.1, 0.3, 0.7, 0.95, 1.0])
    steps = np.array([1, 2, 4, 8, 16])
    edge = compute_cost.break_even_cost(success, steps)
    assert edge == pytest.approx(0.7 / 4)
    assert compute_cost.best_steps(success, steps, edge * 0.99) > 0
    assert compute_cost.best_steps(success, steps, edge * 1.01) == 0


def test_best_steps_shrink_as_each_step_costs_more():
    success = np.array([0.05, 0.15, 0.4, 0.7, 0.9, 1.0, 1.0])
    steps = np.array([1, 2, 4, 6, 8, 12, 16])
    chosen = [compute_cost.best_steps(success, steps, c) for c in np.linspace(0, 0.2, 41)]
    assert chosen[0] == 12 and chosen[-1] == 0
    assert np.all(np.diff(chosen) <= 0)


def test_simplicity_time_boundary_by_hand():
    # Planner: 1000 bits, 10 steps. Table: 3000 bits, 1 step. Planner cheaper iff
    # alpha * 2000 > lam * 9, i.e. alpha / lam > 9 / 2000.
    assert compute_cost.simplicity_time_boundary(3000, 1000, 10) == pytest.approx(9 / 2000)
    assert compute_cost.simplicity_time_boundary(500, 1000, 10) == float(
        "inf"
    )  # table shorter and faster
    assert (
        compute_cost.simplicity_time_boundary(3000, 1000, 1) == 0.0
    )  # planner shorter and as fast


def test_stateful_values_equal_value_iteration_with_as_many_steps():
    # Independent reference: planners.value_iteration with t steps from zero.
    level = parse_level(CORRIDOR)
    reward = np.where(np.arange(49).reshape(1, 7, 7) == 6 * 7, 1.0, -0.01)  # exit at (6, 0)
    walk = step_budget.stateful_rollout(level, reward, backups_per_move=1, moves=60)
    distance = int(level.distances("exit")[0][0, 0])
    assert distance == 30  # BFS, the independent reference
    # With one backup per move the start cell first sees the exit after `distance` backups, so the
    # agent waits until then and walks the shortest path after.
    assert walk.reached_exit[0]
    assert walk.first_exit_step[0] == 2 * distance - 1
    q = planners.value_iteration(
        torch.tensor(reward, dtype=torch.float32), np.array(level.walls), distance
    )
    assert q[0, :, 0, 0].argmax().item() != 0  # K = distance: a move, not "stay", is best
    q_short = planners.value_iteration(
        torch.tensor(reward, dtype=torch.float32), np.array(level.walls), distance - 1
    )
    assert q_short[0, :, 0, 0].argmax().item() == 0  # one step less: the exit is out of sight


def test_stateless_one_step_planner_never_leaves_a_long_corridor():
    level = parse_level(CORRIDOR)
    reward = np.where(np.arange(49).reshape(1, 7, 7) == 6 * 7, 1.0, -0.01)
    walk = step_budget.stateful_rollout(level, reward, backups_per_move=40, moves=40)
    assert walk.first_exit_step[0] == 30  # enough search per move: the shortest path at once
    stateless = planners.value_iteration(
        torch.tensor(reward, dtype=torch.float32), np.array(level.walls), 1
    )
    assert stateless[0, :, 0, 0].argmax().item() == 0


def test_claim_success_rises_with_planning_steps_and_bigger_mazes_need_more():
    """The paper's claim (2.2): more computation widens the algorithmic range; a time penalty
    bites harder where search must be long. Seeded, small scale."""
    result = run_planning_budget(
        PlanningBudgetConfig(
            sizes=(7, 11),
            planning_steps=(1, 4, 8, 12, 16, 24),
            train_levels=32,
            test_levels=100,
            train_steps=40,
            seed=1,
        )
    )
    for row in result.test_success:
        assert row[0] < 0.2 and row[-1] > 0.95
        assert np.all(np.diff(row) >= -0.03)  # rises with K, up to noise
    small, large = result.test_success
    assert np.all(large[1:4] < small[1:4])  # at K = 4, 8 and 12 the bigger mazes lag
    sufficient = result.smallest_sufficient_steps(0.95)
    assert sufficient[1] >= sufficient[0]
    edge = [compute_cost.break_even_cost(r, result.planning_steps) for r in result.train_success]
    assert edge[1] < edge[0]  # longer search is priced out by a smaller cost per step


def test_claim_memory_turns_one_step_per_move_into_a_long_search():
    """The paper's claim (2.2, statefulness): kept state relaxes the limit on computation."""
    result = run_planning_budget(
        PlanningBudgetConfig(
            sizes=(9,), planning_steps=(20,), train_levels=32, test_levels=100, train_steps=40
        )
    )
    assert result.stateless_one_step[0] < 0.2
    assert result.stateful_one_step[0] > 0.95


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="planning_steps"):
        PlanningBudgetConfig(planning_steps=(4, 2))
    with pytest.raises(ValueError, match="cost_per_step"):
        compute_cost.net_value([0.5], [2], -1.0)
    with pytest.raises(ValueError, match="success"):
        compute_cost.best_steps([1.5], [2], 0.1)
    levels = generate_levels(LevelConfig(size=5), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="reward_map"):
        step_budget.stateful_rollout(levels, np.zeros((2, 4, 4)))
