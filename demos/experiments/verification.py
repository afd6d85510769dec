"""Experiment ``verification``: check a trained agent on every maze of a tiny size; count the cases.

Chapter 5 (the paper's section 5, verification). A planner (learned reward head, hard-coded value
iteration) and a reactive CNN are trained by imitation of the shortest-path expert on random 4 x 4
mazes (marker on the exit). Then the property "from every start, the greedy agent stands on the exit
within d + slack steps, d the shortest distance" is checked on *every* 4 x 4 maze: every connected
wall layout, every exit, every start (:mod:`demos.analysis.verification`). A test set samples the
mazes one expects; exhaustive checking also reaches the mazes nobody thought to sample (here, wall
densities far from the training one).

The second half counts the cases at each size: exactly where the layouts can be enumerated, by
sampling beyond, and turns the measured time per case into the time an exhaustive check would take.
That growth is why verifiers for neural networks reason about sets of inputs at once instead of
enumerating them, and why they are hard to scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import Planner
from demos.agents.reactive import ReactivePolicy
from demos.analysis.verification import (
    MAX_ENUMERATED_SIZE,
    Verification,
    connected_layouts,
    count_cases,
    estimate_cases,
    verify,
)
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seed_stream, seeded
from demos.experiments import register
from demos.training import rollouts
from demos.training.maze_learners import train_both
from demos.worlds.mazes import LevelConfig, Levels, generate_levels

SIZE = 4
"""Side of the mazes checked exhaustively (the smallest the book's levels allow)."""

MODELS = ("planner", "reactive")
"""The two models, in the order figures list them."""

_PLANNER_STREAM, _REACTIVE_STREAM, _COUNT_STREAM, _TEST_STREAM = 2, 3, 4, 5
"""Tags of the seed streams of each model, of the case-count sampling and of the test mazes."""


@dataclass(frozen=True)
class VerificationConfig(Config):
    """Settings of the ``verification`` experiment."""

    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of walls in the random 4 x 4 training (and test) mazes."""
    train_levels: int = ranged(256, 1, 100_000)
    """Training mazes."""
    test_levels: int = ranged(500, 1, 100_000)
    """Random test mazes of the training distribution, for the usual sampled figure."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation per model."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the planner (the longest shortest path in a 4 x 4 maze is 11)."""
    planner_learning_rate: float = ranged(0.1, 0.0, 10.0, above=True)
    """Adam's step size for the planner."""
    reactive_learning_rate: float = ranged(0.01, 0.0, 10.0, above=True)
    """Adam's step size for the reactive CNN."""
    reactive_width: int = ranged(16, 1, 256)
    """Channels of the reactive CNN's hidden layers."""
    reactive_depth: int = ranged(6, 1, 64)
    """3x3 convolutions of the reactive CNN."""
    layouts: int = ranged(0, 0, 100_000)
    """Check only the first this many connected 4 x 4 layouts (0: all of them, 11,490)."""
    slack: int = ranged(0, 0, 100)
    """Extra steps the property allows over the shortest path."""
    count_sizes: tuple[int, ...] = ranged((2, 3, 4, 5, 6, 7), 2, 12, increasing=True)
    """Maze sides whose cases are counted (exactly up to 4, by sampling above)."""
    count_samples: int = ranged(500, 1, 1_000_000)
    """Random layouts per number of walls when a count is estimated."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for mazes, weights, mini-batches and the sampled counts."""

    def level_config(self) -> LevelConfig:
        """The random 4 x 4 mazes the models train on (marker on the exit)."""
        return LevelConfig(size=SIZE, wall_density=self.wall_density, min_exit_marker_distance=1)


@dataclass
class VerificationResult:
    """What ``run_verification`` measured, plus the models and the layouts."""

    config: VerificationConfig
    """The settings of the run."""
    checks: dict[str, Verification] = field(repr=False)
    """Per model: the exhaustive check on every 4 x 4 maze."""
    sampled_holds: dict[str, float]
    """Per model: share of random test mazes of the training distribution (each with its own
    start) on which the property holds: the usual test-set figure, for comparison."""
    layouts: np.ndarray = field(repr=False)
    """(L, 4, 4) bool: the connected 4 x 4 layouts checked (all of them by default)."""
    case_counts: dict[int, float]
    """Cases per maze side, exact up to :data:`MAX_ENUMERATED_SIZE`, estimated above."""
    exact_sizes: tuple[int, ...]
    """The sides whose count is exact."""
    models: dict[str, Planner | ReactivePolicy] = field(repr=False)
    """The trained models."""

    @property
    def seconds_per_case(self) -> float:
        """Mean wall-clock seconds per case of the two exhaustive checks."""
        checks = self.checks.values()
        return sum(c.seconds for c in checks) / sum(c.cases for c in checks)

    def years_to_check(self, size: int) -> float:
        """Years one exhaustive check of side ``size`` would take at :attr:`seconds_per_case`."""
        return self.case_counts[size] * self.seconds_per_case / (365.25 * 24 * 3600)

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {"layouts": len(self.layouts), "mazes": int((~self.layouts).sum())}
        for model in MODELS:
            check = self.checks[model]
            out[f"{model}_cases"] = check.cases
            out[f"{model}_violations"] = check.violations
            out[f"{model}_violation_rate"] = round(check.violation_rate, 6)
            out[f"{model}_sampled_holds"] = round(self.sampled_holds[model], 4)
            out[f"{model}_check_seconds"] = round(check.seconds, 3)
        for size, count in self.case_counts.items():
            exact = size in self.exact_sizes
            out[f"cases_{size}x{size}"] = int(count) if exact else float(f"{count:.3g}")
        largest = max(self.case_counts)
        out[f"years_to_check_{largest}x{largest}"] = float(f"{self.years_to_check(largest):.3g}")
        return out


def property_holds(model, levels: Levels, slack: int = 0) -> np.ndarray:
    """(n,) bool: whether the model's greedy agent, from each level's own start, stands on the exit
    within the shortest distance plus ``slack`` steps (the property, checked by a rollout)."""
    with torch.no_grad():
        walk = rollouts.rollout(levels, model.policy(levels))
    rows = np.arange(len(levels))
    shortest = levels.distances("exit")[rows, levels.start[:, 0], levels.start[:, 1]]
    return walk.reached_exit & (walk.first_exit_step <= shortest + slack)


@register(
    "verification",
    VerificationConfig,
    "Check a trained planner and a reactive CNN on every 4x4 maze; count how the cases grow with "
    "the maze size.",
)
def run_verification(config: VerificationConfig, progress: bool = False) -> VerificationResult:
    """Train both models on 4 x 4 mazes, verify each on every 4 x 4 maze, count cases by size.

    Args:
        config: VerificationConfig.
        progress: show progress bars over each model's training steps.

    Returns:
        VerificationResult.
    """
    if not isinstance(config, VerificationConfig):
        raise ValueError(f"config must be a VerificationConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    level_config = config.level_config()
    train = generate_levels(level_config, config.train_levels, seeds.numpy)
    test = generate_levels(
        level_config, config.test_levels, np.random.default_rng((config.seed, _TEST_STREAM))
    )
    models, _ = train_both(
        train,
        config,
        seed_stream(config.seed, _PLANNER_STREAM),
        seed_stream(config.seed, _REACTIVE_STREAM),
        progress=progress,
    )
    layouts = connected_layouts(SIZE)
    if config.layouts:
        layouts = layouts[: config.layouts]
    checks, sampled = {}, {}
    for name, model in models.items():
        checks[name] = verify(model.policy, layouts, config.slack, config=level_config)
        sampled[name] = float(property_holds(model, test, config.slack).mean())
    counting = np.random.default_rng((config.seed, _COUNT_STREAM))
    counts: dict[int, float] = {}
    exact = []
    for size in config.count_sizes:
        if size <= MAX_ENUMERATED_SIZE:
            counts[size] = float(count_cases(connected_layouts(size)))
            exact.append(size)
        else:
            counts[size] = estimate_cases(size, config.count_samples, counting)
    return VerificationResult(
        config=config,
        checks=checks,
        sampled_holds=sampled,
        layouts=layouts,
        case_counts=counts,
        exact_sizes=tuple(exact),
        models=models,
    )
