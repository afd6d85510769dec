"""Experiment ``description-length``: a table of answers against a planner, in bits.

Used by chapter 2 (the paper's sections 2.1 and 2.2).

The paper (section 2.1) argues that search compresses: a policy that lists what to do in each of
N task instances grows with N, an objective plus a search procedure does not. We measure both for
the book's mazes (see :mod:`demos.analysis.compression`):

- an :class:`demos.analysis.compression.AnswerTable` that memorises the BFS expert's action at
  every free cell of each maze; its size after n mazes is
  :func:`demos.analysis.compression.table_bits`;
- a hard-coded planner with a linear reward head, trained by imitation on a few mazes; its size is
  its weights plus its compressed search code, and it does not grow.

The result says where the two curves cross, and checks that both descriptions are real policies:
the planner solves mazes it never saw, and the table solves exactly the mazes it stored. It also
prices the two policies in time as well as bits (:func:`demos.analysis.compute_cost.
simplicity_time_boundary`: the ratio of the weight on bits to the weight on planning steps above
which the planner is the cheaper policy, at the ``boundary_counts``), and reads the paper's
information funnel off the same numbers: how many mazes' table fits through a channel
``funnel_factor`` times the planner's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.agents import planners
from demos.analysis import compression, compute_cost
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
    boundary_counts: tuple[int, ...] = ranged((128, 256, 512), 1, 100_000, increasing=True)
    """Numbers of mazes at which bits are weighed against planning steps; those that are not
    measured counts (a power of two up to ``mazes``, or ``mazes``) are left out."""
    funnel_factor: float = ranged(2.0, 1.0, 1e6)
    """Size of the information funnel, in multiples of the planner's description."""
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
    planner_steps_needed: int
    """The fewest planning steps K with which the trained planner solves as many of the ``mazes``
    mazes as with its full K: the sequential steps it needs per move."""
    boundaries: dict[int, float]
    """``{n: alpha / lam}`` at each of ``boundary_counts``: above this ratio of the weight per bit
    to the weight per planning step, the planner is the cheaper policy than a table of n mazes."""
    funnel_mazes: float
    """Mazes whose table fits through a channel of ``funnel_factor`` times the planner's bits."""
    levels: Levels = field(repr=False)
    """The ``mazes`` mazes, in the order the table stores them."""
    planner: planners.Planner = field(repr=False)
    """The trained planner."""

    @property
    def planner_bits(self) -> int:
        """The planner's whole description: weights plus code."""
        return self.planner_parameter_bits + self.planner_program_bits

    @property
    def funnel_bits(self) -> float:
        """The information funnel's size: ``funnel_factor`` times the planner's bits."""
        return self.config.funnel_factor * self.planner_bits

    @property
    def table_bits_per_maze(self) -> float:
        """The compressed table's bits per maze, at the largest count."""
        return float(self.table_bits_lzma[-1] / self.counts[-1])

    def summary(self) -> dict:
        """The figures the command line prints."""
        return {
            "planner_bits": int(self.planner_bits),
            "planner_parameter_bits": int(self.planner_parameter_bits),
            "planner_program_bits": int(self.planner_program_bits),
            "table_bits_per_maze_lzma": round(self.table_bits_per_maze, 2),
            "crossover_uncompressed": round(self.crossover_uncompressed, 1),
            "crossover_lzma": round(self.crossover_lzma, 1),
            "planner_success": round(self.planner_success, 4),
            "planner_fresh_success": round(self.planner_fresh_success, 4),
            "table_success_stored": round(self.table_success_stored, 4),
            "table_success_fresh": round(self.table_success_fresh, 4),
            "planner_steps_needed": int(self.planner_steps_needed),
            **{f"boundary_n{n}": round(ratio, 8) for n, ratio in self.boundaries.items()},
            "funnel_bits": round(self.funnel_bits, 1),
            "funnel_mazes": round(self.funnel_mazes, 1),
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
    planner_success = rollouts.success_rate(planner, levels)
    needed = steps_needed(planner, levels, planner_success, config.planning_steps)
    planner_total = program + parameters
    return DescriptionLengthResult(
        config=config,
        counts=np.array(counts),
        table_bits_uncompressed=uncompressed,
        table_bits_lzma=packed,
        planner_parameter_bits=parameters,
        planner_program_bits=program,
        crossover_uncompressed=compression.crossover(counts, uncompressed, program + parameters),
        crossover_lzma=compression.crossover(counts, packed, program + parameters),
        planner_success=planner_success,
        planner_fresh_success=rollouts.success_rate(planner, fresh),
        table_success_stored=rollouts.success_rate(table, levels),
        table_success_fresh=rollouts.success_rate(table, fresh),
        train_seconds=history.train_seconds,
        planner_steps_needed=needed,
        boundaries={
            n: compute_cost.simplicity_time_boundary(packed[counts.index(n)], planner_total, needed)
            for n in config.boundary_counts
            if n in counts
        },
        funnel_mazes=compression.crossover(counts, packed, config.funnel_factor * planner_total),
        levels=levels,
        planner=planner,
    )


def steps_needed(planner: planners.Planner, levels: Levels, success: float, most: int) -> int:
    """The fewest planning steps K <= ``most`` with which ``planner`` solves at least the share
    ``success`` of ``levels`` (``most`` if no fewer do)."""
    tensors = planners.encode(levels)
    for k in range(1, most):
        if rollouts.success_rate(planner, levels, k, tensors) >= success:
            return k
    return most
