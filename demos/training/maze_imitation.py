"""Training the searcher and the reactive network on the same mazes, by imitation.

The setting of chapter 2's comparisons (the paper's section 2.1): two models learn the same task by
imitation of the BFS expert (:func:`demos.training.base_optimizers.imitate`) on mazes of one size,
with the marker on the exit in every level (no proxy to confuse them):

- a :class:`demos.agents.planners.Planner` (learned linear reward head, hard-coded value
  iteration): a model that *searches*;
- a :class:`demos.agents.reactive.ReactivePolicy` (a CNN with many more parameters and no planning
  loop): a model that reacts to what it sees within a fixed radius.

:func:`train_pair` trains both; :func:`success_by_size` scores them on fresh mazes of any side,
the planner running :func:`planning_steps_for` steps there. Test mazes depend only on the seed,
the size, the number of levels and the wall density (:func:`fresh_levels`), not on the training
settings, so runs that differ in ``train_levels`` (the task diversity) meet the very same tests.
The ``planner-vs-reactive`` and ``task-diversity`` experiments build on this module.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents import planners
from demos.agents.reactive import ReactivePolicy
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seed_stream, seeded
from demos.core.validation import check_int
from demos.training import rollouts
from demos.training.base_optimizers import TrainingHistory
from demos.training.maze_learners import train_both
from demos.worlds.mazes import LevelConfig, Levels, generate_levels

MIN_SIZE, MAX_SIZE = 4, 32
"""Maze sides this experiment accepts."""

_TEST_STREAM, _REACTIVE_STREAM = 1, 2
"""Tags that give the test mazes and the reactive model's randomness their own seed streams."""


@dataclass(frozen=True)
class PlannerVsReactiveConfig(Config):
    """Settings of a planner and a reactive network trained on the same mazes."""

    train_size: int = ranged(7, MIN_SIZE, MAX_SIZE)
    """Side of the training mazes."""
    large_size: int = ranged(14, MIN_SIZE, MAX_SIZE)
    """Side of the large test mazes, at least train_size (about twice train_size)."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls, at every size."""
    train_levels: int = ranged(256, 1, 100_000)
    """Number of distinct training mazes: the task diversity the models see."""
    test_levels: int = ranged(500, 1, 100_000)
    """Number of fresh test mazes at each size."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation for each model."""
    batch_size: int = ranged(64, 1, 100_000)
    """Training mazes per Adam step (capped at train_levels), so a step costs the same whatever
    the task diversity."""
    planner_learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size for the planner."""
    reactive_learning_rate: float = ranged(0.01, 1e-6, 10.0)
    """Adam's step size for the reactive CNN."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the planner on train_size mazes. On a maze of side s the planner
    runs ceil(K * s / train_size) steps."""
    reactive_width: int = ranged(16, 1, 256)
    """Channels of the reactive CNN's hidden layers."""
    reactive_depth: int = ranged(6, 1, 64)
    """3x3 convolutions of the reactive CNN, which is also its receptive-field radius in cells (6
    sees all of a 7x7 maze from any cell)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for mazes, initial weights and mini-batches."""

    def validate(self) -> None:
        check_int("large_size", self.large_size, self.train_size, MAX_SIZE)

    def level_config(self, size: int | None = None) -> LevelConfig:
        """The maze distribution at side ``size`` (default ``train_size``): marker on the exit
        in every level (``decorrelated_fraction = 0``)."""
        size = self.train_size if size is None else check_int("size", size, MIN_SIZE, MAX_SIZE)
        return LevelConfig(size=size, wall_density=self.wall_density, decorrelated_fraction=0.0)


def planning_steps_for(config: PlannerVsReactiveConfig, size: int) -> int:
    """Value-iteration steps the planner runs on mazes of side ``size``.

    The rule: ``ceil(planning_steps * size / train_size)``. K grows in proportion to the side,
    so the planner looks as far, relative to the maze, as it did in training; with the defaults
    that is K = 2 * side (14 at 7, 28 at 14), longer than the shortest path from any start to
    the exit in these mazes (at most 13 at 7x7 and 26 at 14x14 in 500 levels of each).
    """
    if not isinstance(config, PlannerVsReactiveConfig):
        raise ValueError(f"config must be a PlannerVsReactiveConfig, got {type(config).__name__}")
    size = check_int("size", size, MIN_SIZE, MAX_SIZE)
    return math.ceil(config.planning_steps * size / config.train_size)


@functools.lru_cache(maxsize=64)
def _cached_test_levels(size: int, n: int, wall_density: float, seed: int) -> Levels:
    level_config = LevelConfig(size=size, wall_density=wall_density, decorrelated_fraction=0.0)
    return generate_levels(level_config, n, np.random.default_rng((seed, _TEST_STREAM, size)))


def fresh_levels(config: PlannerVsReactiveConfig, size: int) -> Levels:
    """The fresh test mazes of side ``size`` for ``config``: ``config.test_levels`` of them.

    They depend only on ``seed``, ``size``, ``test_levels`` and ``wall_density``, drawn from a
    seed stream of their own (not the training mazes' one), and are cached: levels are read-only.
    """
    if not isinstance(config, PlannerVsReactiveConfig):
        raise ValueError(f"config must be a PlannerVsReactiveConfig, got {type(config).__name__}")
    size = check_int("size", size, MIN_SIZE, MAX_SIZE)
    return _cached_test_levels(size, config.test_levels, config.wall_density, config.seed)


@dataclass
class TrainedPair:
    """The two models of one :class:`PlannerVsReactiveConfig`, trained on the same mazes."""

    config: PlannerVsReactiveConfig
    """The settings of the run."""
    planner: planners.Planner = field(repr=False)
    """The trained planner (hard-coded search, linear reward head)."""
    reactive: ReactivePolicy = field(repr=False)
    """The trained reactive CNN."""
    train_levels: Levels = field(repr=False)
    """The training mazes."""
    histories: dict[str, TrainingHistory] = field(repr=False)
    """Imitation loss during training: ``{"planner": , "reactive": }``."""

    @property
    def models(self) -> dict[str, torch.nn.Module]:
        """``{"planner": , "reactive": }``."""
        return {"planner": self.planner, "reactive": self.reactive}


def train_pair(config: PlannerVsReactiveConfig, progress: bool = False) -> TrainedPair:
    """Draw the training mazes of ``config`` and train both models on them by imitation.

    Args:
        config: PlannerVsReactiveConfig.
        progress: show progress bars over each model's training steps.

    Returns:
        TrainedPair.
    """
    if not isinstance(config, PlannerVsReactiveConfig):
        raise ValueError(f"config must be a PlannerVsReactiveConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    train = generate_levels(config.level_config(), config.train_levels, seeds.numpy)
    batch_size = min(config.batch_size, config.train_levels)
    models, histories = train_both(
        train,
        config,
        seeds.torch,
        seed_stream(config.seed, _REACTIVE_STREAM),
        batch_size=batch_size,
        progress=progress,
    )
    return TrainedPair(
        config=config,
        planner=models["planner"],
        reactive=models["reactive"],
        train_levels=train,
        histories=histories,
    )


def success_by_size(trained: TrainedPair, sizes: Sequence[int]) -> dict[str, list[float]]:
    """Both models' success on fresh test mazes of each side in ``sizes``.

    The planner runs :func:`planning_steps_for` steps at each size. The mazes are those of
    :func:`fresh_levels`, so results of runs with the same seed but, say, different
    ``train_levels`` are scored on identical mazes.

    Args:
        sizes: non-empty sequence of ints in [4, 32].

    Returns:
        Columns ``{"size": [...], "planner": [...], "reactive": [...]}``, ready for
        :func:`demos.figures.drawing.draw_curves` with ``x="size"``.
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
        raise ValueError(f"sizes must be a non-empty sequence of ints, got {sizes!r}")
    sizes = [check_int("sizes", size, MIN_SIZE, MAX_SIZE) for size in sizes]
    columns: dict[str, list[float]] = {"size": [], "planner": [], "reactive": []}
    for size in sizes:
        levels = fresh_levels(trained.config, size)
        columns["size"].append(size)
        columns["planner"].append(
            rollouts.success_rate(trained.planner, levels, planning_steps_for(trained.config, size))
        )
        columns["reactive"].append(rollouts.success_rate(trained.reactive, levels))
    return columns
