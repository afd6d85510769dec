"""Experiment ``planning-budget``: how much search a planner needs, and what memory saves.

Used by chapter 2. The paper (section 2.2) names the amount of computation a model may spend as
a lever on mesa-optimization: a model that may compute more can hold a longer search (its
capacity), and a penalty on computation time disfavours search. Our planner's search is K steps
of value iteration, so we train one planner per K (hard-coded search, linear reward head,
imitation of the BFS expert) on mazes of each size and record how often it reaches the exit. With
a cost per step
(:meth:`PlanningBudgetResult.best_steps`, through :mod:`demos.analysis.compute_cost`) the result
gives the K that still pays.

A second part measures *statefulness*. The planner trained with the largest K is run with one
planning step per move, once forgetting its values between moves and once keeping them
(:func:`demos.training.step_budget.stateful_rollout`). Kept values add up to a long search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.analysis import compute_cost
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.core.validation import check_float
from demos.experiments import register
from demos.training import rollouts, step_budget
from demos.worlds.mazes import LevelConfig, default_horizon, generate_levels


@dataclass(frozen=True)
class PlanningBudgetConfig(Config):
    """Settings of the ``planning-budget`` experiment."""

    sizes: tuple[int, ...] = ranged((7, 11), 4, 32)
    """Maze sides to test; bigger mazes have longer paths."""
    planning_steps: tuple[int, ...] = ranged(
        (1, 2, 3, 4, 6, 8, 10, 12, 16, 20), 1, 1000, increasing=True
    )
    """Values of K: one planner is trained per K and size."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls."""
    train_levels: int = ranged(48, 1, 100_000)
    """Training mazes per size."""
    test_levels: int = ranged(200, 1, 100_000)
    """Test mazes per size."""
    train_steps: int = ranged(40, 1, 100_000)
    """Adam steps of imitation per planner."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for mazes and initial weights."""


@dataclass
class PlanningBudgetResult:
    """What ``run_planning_budget`` measured."""

    config: PlanningBudgetConfig
    """The settings of the run."""
    planning_steps: np.ndarray
    """(k,) int. The values of K."""
    train_success: np.ndarray
    """(sizes, k) float. Share of training mazes solved by the planner trained with each K."""
    test_success: np.ndarray
    """(sizes, k) float. Share of test mazes solved."""
    path_lengths: np.ndarray
    """(sizes,) float. Mean shortest-path length from start to exit on the test mazes."""
    stateless_one_step: np.ndarray
    """(sizes,) float. Test success of the largest-K planner's objective searched with one
    planning step per move, values forgotten between moves."""
    stateful_one_step: np.ndarray
    """(sizes,) float. The same with values kept between moves (one step per move still)."""
    stateful_moves: np.ndarray
    """(sizes,) int. Moves each statefulness episode may take (4 times the maze side)."""
    train_seconds: float
    """Wall-clock seconds of the whole run."""
    models: list = field(repr=False)
    """models[i][j]: the planner of size i, K index j."""

    def smallest_sufficient_steps(self, threshold: float = 0.99) -> np.ndarray:
        """(sizes,) int: the smallest K whose training success reaches ``threshold`` (-1: none)."""
        threshold = check_float("threshold", threshold, 0.0, 1.0)
        out = []
        for row in self.train_success:
            enough = np.flatnonzero(row >= threshold)
            out.append(int(self.planning_steps[enough[0]]) if len(enough) else -1)
        return np.array(out)

    def net_value(self, size_index: int, cost_per_step: float) -> dict[str, np.ndarray]:
        """Training success and success minus ``cost_per_step`` times K, at K = 0 (no search,
        success 0) and every trained K, for the mazes of ``config.sizes[size_index]``.

        Returns:
            ``{"steps": (k + 1,) int, "success": (k + 1,) float, "value": (k + 1,) float}``.
        """
        success = self.train_success[size_index]
        steps = np.concatenate([[0], self.planning_steps])
        with_zero = np.concatenate([[0.0], success])
        return {
            "steps": steps,
            "success": with_zero,
            "value": compute_cost.net_value(with_zero, steps, cost_per_step),
        }

    def best_steps(self, size_index: int, cost_per_step: float) -> int:
        """The K a base optimizer charging ``cost_per_step`` per step would keep (0: none)."""
        return compute_cost.best_steps(
            self.train_success[size_index], self.planning_steps, cost_per_step
        )

    def break_even_costs(self) -> np.ndarray:
        """(sizes,) float: the cost per step above which no search pays, per maze size."""
        return np.array(
            [compute_cost.break_even_cost(row, self.planning_steps) for row in self.train_success]
        )

    def summary(self) -> dict:
        """The figures the command line prints."""
        figures = {}
        sufficient = self.smallest_sufficient_steps()
        for i, size in enumerate(self.config.sizes):
            figures[f"size{size}_test_success_K1"] = round(float(self.test_success[i, 0]), 4)
            figures[f"size{size}_test_success_Kmax"] = round(float(self.test_success[i, -1]), 4)
            figures[f"size{size}_smallest_sufficient_K"] = int(sufficient[i])
            figures[f"size{size}_break_even_cost"] = round(float(self.break_even_costs()[i]), 4)
            figures[f"size{size}_mean_path"] = round(float(self.path_lengths[i]), 4)
            figures[f"size{size}_stateless_one_step"] = round(float(self.stateless_one_step[i]), 4)
            figures[f"size{size}_stateful_one_step"] = round(float(self.stateful_one_step[i]), 4)
        figures["train_seconds"] = round(self.train_seconds, 3)
        return figures


@register(
    "planning-budget",
    PlanningBudgetConfig,
    "Success against planning steps K per maze size, and what keeping values between moves buys.",
)
def run_planning_budget(
    config: PlanningBudgetConfig, progress: bool = False
) -> PlanningBudgetResult:
    """Train a planner per size and K, then run the statefulness comparison.

    Args:
        config: PlanningBudgetConfig.
        progress: show a progress bar over sizes.

    Returns:
        PlanningBudgetResult.
    """
    if not isinstance(config, PlanningBudgetConfig):
        raise ValueError(f"config must be a PlanningBudgetConfig, got {type(config).__name__}")
    import time

    from tqdm.auto import tqdm

    began = time.perf_counter()
    seeds = seeded(config.seed)
    train_rows, test_rows, paths, models = [], [], [], []
    stateless, stateful, moves = [], [], []
    for size in tqdm(config.sizes, desc="maze sizes", disable=not progress):
        level_config = LevelConfig(size=size, wall_density=config.wall_density)
        train = generate_levels(level_config, config.train_levels, seeds.numpy)
        test = generate_levels(level_config, config.test_levels, seeds.numpy)
        found = step_budget.train_by_planning_steps(
            train,
            test,
            config.planning_steps,
            train_steps=config.train_steps,
            learning_rate=config.learning_rate,
            generator=seeds.torch,
        )
        train_rows.append(found["train_success"])
        test_rows.append(found["test_success"])
        models.append(found["models"])
        distances = test.distances("exit")[np.arange(len(test)), test.start[:, 0], test.start[:, 1]]
        paths.append(float(distances.mean()))

        planner = found["models"][-1]
        horizon = default_horizon(size)
        with torch.no_grad():
            one_step = planner.policy(test, steps=1)
        stateless.append(rollouts.rollout(test, one_step, steps=horizon).success_rate())
        walk = step_budget.stateful_rollout(
            test, planner.mesa_objective(test), 1, horizon, planner.discount
        )
        stateful.append(walk.success_rate())
        moves.append(horizon)
    return PlanningBudgetResult(
        config=config,
        planning_steps=np.array(config.planning_steps),
        train_success=np.array(train_rows),
        test_success=np.array(test_rows),
        path_lengths=np.array(paths),
        stateless_one_step=np.array(stateless),
        stateful_one_step=np.array(stateful),
        stateful_moves=np.array(moves),
        train_seconds=time.perf_counter() - began,
        models=models,
    )
