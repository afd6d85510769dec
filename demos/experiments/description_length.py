"""Experiment ``description-length``: a table of answers against a planner, in bits.

The paper (section 2.1) argues that search compresses: a policy that lists what to do in each of
N task instances grows with N, an objective plus a search procedure does not. We measure both for
the book's mazes (see :mod:`demos.analysis.compression`):

- an :class:`demos.analysis.compression.AnswerTable` that memorises the BFS expert's action at
  every free cell of each maze; its size after n mazes is
  :func:`demos.analysis.compression.table_bits`;
- a hard-coded planner with a linear reward head, trained by imitation on a few mazes; its size is
  its weights plus its compressed search code, and it does not grow.

The result says where the two curves cross, and checks that both descriptions are real policies:
the planner solves mazes it never saw, and the table solves exactly the mazes it stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.agents import planners
from demos.analysis import compression
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.experiments import register
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import LevelConfig, Levels, generate_levels


@dataclass(frozen=True)
class DescriptionLengthConfig(Config):
    """Settings of the ``description-length`` experiment."""

    size: int = ranged(7, 4, 32)
    """Side of the square mazes."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls."""
    mazes: int = ranged(512, 2, 100_000)
    """Most distinct mazes the table is asked to hold; counts double up to it."""
    planner_train_levels: int = ranged(32, 1, 10_000)
    """Mazes the planner is trained on by imitation; it is tested on all of them."""
    train_steps: int = ranged(60, 1, 100_000)
    """Adam steps of the planner's imitation training."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size."""
    planning_steps: int = ranged(24, 1, 1000)
    """Value-iteration steps K of the planner; enough to cross the mazes."""
    fresh_mazes: int = ranged(200, 1, 100_000)
    """New mazes, in neither the table nor the planner's training set, to test both on."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for mazes and initial weights."""

    def counts(self) -> list[int]:
        """Numbers of mazes at which the table is measured: 1, 2, 4, ... and ``mazes``."""
        counts = [2**k for k in range(int(np.log2(self.mazes)) + 1)]
        return counts if counts[-1] == self.mazes else counts + [self.mazes]


@dataclass
class DescriptionLengthResult:
    """What ``run_description_length`` measured."""

    config: DescriptionLengthConfig
    """The settings of the run."""
    counts: np.ndarray
    """(k,) int. Numbers of distinct mazes the table holds."""
    table_bits_uncompressed: np.ndarray
    """(k,) float. Table size at log2(5) bits per stored answer."""
    table_bits_lzma: np.ndarray
    """(k,) float. Table size with its answers compressed by LZMA."""
    planner_parameter_bits: int
    """The planner's weights at 32 bits each."""
    planner_program_bits: int
    """The planner's search code, compressed (see
    :func:`demos.analysis.compression.program_bits`)."""
    crossover_uncompressed: float
    """Mazes at which the uncompressed table reaches the planner's size (nan: never)."""
    crossover_lzma: float
    """Mazes at which the compressed table reaches the planner's size (nan: never)."""
    planner_success: float
    """Share of the ``mazes`` mazes the trained planner solves (most never seen in training)."""
    planner_fresh_success: float
    """Share of fresh mazes the planner solves."""
    table_success_stored: float
    """Share of its stored mazes the full table solves (1 by construction: a sanity check)."""
    table_success_fresh: float
    """Share of fresh mazes the full table solves: it has no entry for them."""
    train_seconds: float
    """Wall-clock seconds of the planner's training."""
    levels: Levels = field(repr=False)
    """The ``mazes`` mazes, in the order the table stores them."""
    planner: planners.Planner = field(repr=False)
    """The trained planner."""

    @property
    def planner_bits(self) -> int:
        """The planner's whole description: weights plus code."""
        return self.planner_parameter_bits + self.planner_program_bits

    def summary(self) -> dict:
        """The figures the command line prints."""
        return {
            "planner_bits": int(self.planner_bits),
            "planner_parameter_bits": int(self.planner_parameter_bits),
            "table_bits_per_maze_lzma": round(float(self.table_bits_lzma[-1] / self.counts[-1]), 2),
            "crossover_uncompressed": round(self.crossover_uncompressed, 1),
            "crossover_lzma": round(self.crossover_lzma, 1),
            "planner_success": round(self.planner_success, 4),
            "planner_fresh_success": round(self.planner_fresh_success, 4),
            "table_success_stored": round(self.table_success_stored, 4),
            "table_success_fresh": round(self.table_success_fresh, 4),
            "train_seconds": round(self.train_seconds, 3),
        }


@register(
    "description-length",
    DescriptionLengthConfig,
    "Bits of a policy that stores answers per maze against a planner, as mazes grow in number.",
)
def run_description_length(
    config: DescriptionLengthConfig, progress: bool = False
) -> DescriptionLengthResult:
    """Measure both descriptions and test both policies.

    Args:
        config: DescriptionLengthConfig.
        progress: show a progress bar over the planner's training.

    Returns:
        DescriptionLengthResult.
    """
    if not isinstance(config, DescriptionLengthConfig):
        raise ValueError(f"config must be a DescriptionLengthConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    level_config = LevelConfig(size=config.size, wall_density=config.wall_density)
    levels = generate_levels(level_config, config.mazes, seeds.numpy)
    fresh = generate_levels(level_config, config.fresh_mazes, seeds.numpy)
    counts = config.counts()

    planner = planners.Planner(steps=config.planning_steps, generator=seeds.torch)
    train = levels.subset(slice(0, min(config.planner_train_levels, config.mazes)))
    history = base_optimizers.imitate(
        planner,
        train,
        steps=config.train_steps,
        learning_rate=config.learning_rate,
        progress=progress,
    )
    program = compression.program_bits()
    parameters = compression.parameter_bits(planner)
    uncompressed = compression.table_bits(levels, counts, "uncompressed")
    packed = compression.table_bits(levels, counts, "lzma")
    table = compression.AnswerTable(levels)
    return DescriptionLengthResult(
        config=config,
        counts=np.array(counts),
        table_bits_uncompressed=uncompressed,
        table_bits_lzma=packed,
        planner_parameter_bits=parameters,
        planner_program_bits=program,
        crossover_uncompressed=compression.crossover(counts, uncompressed, program + parameters),
        crossover_lzma=compression.crossover(counts, packed, program + parameters),
        planner_success=rollouts.success_rate(planner, levels),
        planner_fresh_success=rollouts.success_rate(planner, fresh),
        table_success_stored=rollouts.success_rate(table, levels),
        table_success_fresh=rollouts.success_rate(table, fresh),
        train_seconds=history.train_seconds,
        levels=levels,
        planner=planner,
    )
