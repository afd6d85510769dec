"""Experiment ``planning-budget``: how much search a planner needs, and what memory saves.

The paper (section 2.2) names the amount of computation a model may spend as a lever on
mesa-optimization: the more a model can compute, the wider its algorithmic range, and a penalty on
computation time disfavours search. Our planner's search is K steps of value iteration, so we
train one planner per K (hard-coded search, linear reward head, imitation of the BFS expert) on
mazes of each size and record how often it reaches the exit. With a cost per step
(:func:`demos.training.compute_cost.best_steps`) the notebook finds the K that still pays.

A second part measures *statefulness*. The planner trained with the largest K is run with one
planning step per move, once forgetting its values between moves and once keeping them
(:func:`demos.training.step_budget.stateful_rollout`). Kept values add up to a long search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.analysis import compute_cost
from demos.core.runtime import seeded
from demos.core.validation import check_float, check_int
from demos.experiments import register
from demos.training import rollouts, step_budget
from demos.worlds.mazes import LevelConfig, default_horizon, generate_levels


@dataclass(frozen=True)
class PlanningBudgetConfig:
    """Settings of the ``planning-budget`` experiment."""

    sizes: tuple[int, ...] = (7, 11)
    """Maze sides to test (each 4 to 32); bigger mazes have longer paths."""
    planning_steps: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 10, 12, 16, 20)
    """Values of K, strictly increasing, each 1 to 1000: one planner is trained per K and size."""
    wall_density: float = 0.3
    """Share of cells that are walls, in [0, 0.6]."""
    train_levels: int = 48
    """Training mazes per size (1 to 100000)."""
    test_levels: int = 200
    """Test mazes per size (1 to 100000)."""
    train_steps: int = 40
    """Adam steps of imitation per planner (1 to 100000)."""
    learning_rate: float = 0.1
    """Adam's step size, in (0, 10]."""
    seed: int = 0
    """Seed for mazes and initial weights."""

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "sizes", tuple(check_int("sizes", s, 4, 32) for s in self.sizes))
        if not self.sizes:
            raise ValueError("sizes must hold at least one maze size, got ()")
        steps = tuple(check_int("planning_steps", k, 1, 1000) for k in self.planning_steps)
        if not steps or any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
            raise ValueError(f"planning_steps must be strictly increasing, got {steps}")
        set_(self, "planning_steps", steps)
        set_(self, "wall_density", check_float("wall_density", self.wall_density, 0.0, 0.6))
        set_(self, "train_levels", check_int("train_levels", self.train_levels, 1, 100_000))
        set_(self, "test_levels", check_int("test_levels", self.test_levels, 1, 100_000))
        set_(self, "train_steps", check_int("train_steps", self.train_steps, 1, 100_000))
        set_(self, "learning_rate", check_float("learning_rate", self.learning_rate, 1e-6, 10.0))
        set_(self, "seed", check_int("seed", self.seed, 0, 2**32 - 1))


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

    def summary(self) -> dict:
        """The figures the command line prints."""
        figures = {}
        sufficient = self.smallest_sufficient_steps()
        for i, size in enumerate(self.config.sizes):
            figures[f"size{size}_test_success_K1"] = round(float(self.test_success[i, 0]), 4)
            figures[f"size{size}_test_success_Kmax"] = round(float(self.test_success[i, -1]), 4)
            figures[f"size{size}_smallest_sufficient_K"] = int(sufficient[i])
            figures[f"size{size}_break_even_cost"] = round(
                compute_cost.break_even_cost(self.train_success[i], self.planning_steps), 4
            )
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
