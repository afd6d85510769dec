"""Experiment ``planner-vs-reactive``: search that scales with the maze, heuristics that do not.

Two models learn the same task by imitation of the BFS expert
(:func:`demos.training.base_optimizers.imitate`) on mazes of one size (default 7x7; the marker sits
on the exit in every level, so there is no proxy to confuse them):

- a :class:`demos.agents.planners.Planner` (a learned linear reward head, the mesa-objective, then
  hard-coded value iteration): a model that *searches*;
- a :class:`demos.agents.reactive.ReactivePolicy` (a CNN with many more parameters and no planning
  loop): a model that reacts to what it sees within a fixed radius.

Both are then tested on fresh mazes of the training size and on mazes about twice as large. On the
training size both do well. On the large mazes the planner is given more value-iteration steps, in
proportion to the side (:func:`planning_steps_for`), and keeps finding the exit. The CNN's
receptive field covers a whole training maze but not a large one, and it has no loop to run longer:
where the exit lies beyond its view from the start it almost never arrives
(``reactive_success_large_exit_out_of_view``). A wider field is no cure by itself: a CNN with
``reactive_depth = 14``, trained on the same 7x7 mazes, never saw an exit more than six rows away
and does about as badly. The book uses this as the paper's point about why a base optimizer facing
diverse tasks may favour a learned optimizer over a bag of heuristics.

Test mazes depend only on the seed, the size, the number of levels and the wall density
(:func:`fresh_levels`), not on the training settings: runs that differ in ``train_levels`` (the
task diversity) are scored on the very same test mazes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents import planners
from demos.agents.reactive import ReactivePolicy, parameter_count
from demos.core.runtime import seeded
from demos.core.validation import check_float, check_int
from demos.experiments import register
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import LevelConfig, Levels, generate_levels

MIN_SIZE, MAX_SIZE = 4, 32
"""Maze sides this experiment accepts."""

_TEST_STREAM, _REACTIVE_STREAM = 1, 2
"""Tags that give the test mazes and the reactive model's randomness their own seed streams."""


@dataclass(frozen=True)
class PlannerVsReactiveConfig:
    """Settings of the ``planner-vs-reactive`` experiment."""

    train_size: int = 7
    """Side of the training mazes (4 to 32)."""
    large_size: int = 14
    """Side of the large test mazes, from train_size to 32 (about twice train_size)."""
    wall_density: float = 0.3
    """Share of cells that are walls, in [0, 0.6], at every size."""
    train_levels: int = 256
    """Number of distinct training mazes (1 to 100000): the task diversity the models see."""
    test_levels: int = 500
    """Number of fresh test mazes at each size (1 to 100000)."""
    train_steps: int = 150
    """Adam steps of imitation for each model (1 to 100000)."""
    batch_size: int = 64
    """Training mazes per Adam step (1 to 100000; capped at train_levels), so a step costs the
    same whatever the task diversity."""
    planner_learning_rate: float = 0.1
    """Adam's step size for the planner, in (0, 10]."""
    reactive_learning_rate: float = 0.01
    """Adam's step size for the reactive CNN, in (0, 10]."""
    planning_steps: int = 14
    """Value-iteration steps K of the planner on train_size mazes (1 to 1000). On a maze of side
    s the planner runs ceil(K * s / train_size) steps."""
    reactive_width: int = 16
    """Channels of the reactive CNN's hidden layers (1 to 256)."""
    reactive_depth: int = 6
    """3x3 convolutions of the reactive CNN (1 to 64), which is also its receptive-field radius
    in cells (6 sees all of a 7x7 maze from any cell)."""
    seed: int = 0
    """Seed for mazes, initial weights and mini-batches."""

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "train_size", check_int("train_size", self.train_size, MIN_SIZE, MAX_SIZE))
        set_(
            self,
            "large_size",
            check_int("large_size", self.large_size, self.train_size, MAX_SIZE),
        )
        set_(self, "wall_density", check_float("wall_density", self.wall_density, 0.0, 0.6))
        set_(self, "train_levels", check_int("train_levels", self.train_levels, 1, 100_000))
        set_(self, "test_levels", check_int("test_levels", self.test_levels, 1, 100_000))
        set_(self, "train_steps", check_int("train_steps", self.train_steps, 1, 100_000))
        set_(self, "batch_size", check_int("batch_size", self.batch_size, 1, 100_000))
        for name in ("planner_learning_rate", "reactive_learning_rate"):
            set_(self, name, check_float(name, getattr(self, name), 1e-6, 10.0))
        set_(self, "planning_steps", check_int("planning_steps", self.planning_steps, 1, 1000))
        set_(self, "reactive_width", check_int("reactive_width", self.reactive_width, 1, 256))
        set_(self, "reactive_depth", check_int("reactive_depth", self.reactive_depth, 1, 64))
        set_(self, "seed", check_int("seed", self.seed, 0, 2**32 - 1))

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


def exit_in_view(levels: Levels, radius: int) -> np.ndarray:
    """(n,) bool: whether the exit lies within ``radius`` rows and columns of the start, i.e.
    inside the reactive CNN's receptive field at the start cell."""
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    radius = check_int("radius", radius, 0)
    return np.abs(levels.start - levels.exit).max(axis=1) <= radius


@dataclass
class PlannerVsReactiveResult:
    """What ``run_planner_vs_reactive`` measured, plus both models, the mazes and the histories."""

    config: PlannerVsReactiveConfig
    """The settings of the run."""
    success: dict[str, dict[str, float]]
    """Share of mazes on which each greedy agent reaches the exit:
    ``{"planner" | "reactive": {"train_levels" | "train_size" | "large": rate}}``, where
    ``train_levels`` are the training mazes themselves and the other two fresh test mazes."""
    reactive_success_large_exit_out_of_view: float
    """The reactive agent's success on the large mazes whose exit lies outside its receptive
    field at the start (NaN if there are none; None in :meth:`summary`)."""
    large_exit_out_of_view_share: float
    """Share of the large test mazes whose exit lies outside that field at the start."""
    train_seconds: dict[str, float]
    """Wall-clock seconds of each model's imitation updates: ``{"planner": , "reactive": }``."""
    planner: planners.Planner = field(repr=False)
    """The trained planner (hard-coded search, linear reward head)."""
    reactive: ReactivePolicy = field(repr=False)
    """The trained reactive CNN."""
    train_levels: Levels = field(repr=False)
    """The training mazes."""
    test_levels: dict[int, Levels] = field(repr=False)
    """The fresh test mazes by side: ``{train_size: , large_size: }``."""
    histories: dict[str, base_optimizers.TrainingHistory] = field(repr=False)
    """Imitation loss during training: ``{"planner": , "reactive": }``."""

    @property
    def parameters(self) -> dict[str, int]:
        """Trainable scalars of each model: ``{"planner": , "reactive": }``."""
        return {
            "planner": parameter_count(self.planner),
            "reactive": parameter_count(self.reactive),
        }

    def success_by_size(self, sizes: Sequence[int]) -> dict[str, list[float]]:
        """Both models' success on fresh test mazes of each side in ``sizes``.

        The planner runs :func:`planning_steps_for` steps at each size. The mazes are those of
        :func:`fresh_levels`, so results of runs with the same seed but, say, different
        ``train_levels`` are scored on identical mazes.

        Args:
            sizes: non-empty sequence of ints in [4, 32].

        Returns:
            Columns ``{"size": [...], "planner": [...], "reactive": [...]}``, ready for
            :func:`demos.figures.style.draw_curves` with ``x="size"``.
        """
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
            raise ValueError(f"sizes must be a non-empty sequence of ints, got {sizes!r}")
        sizes = [check_int("sizes", size, MIN_SIZE, MAX_SIZE) for size in sizes]
        columns: dict[str, list[float]] = {"size": [], "planner": [], "reactive": []}
        for size in sizes:
            levels = fresh_levels(self.config, size)
            columns["size"].append(size)
            columns["planner"].append(
                rollouts.success_rate(self.planner, levels, planning_steps_for(self.config, size))
            )
            columns["reactive"].append(rollouts.success_rate(self.reactive, levels))
        return columns

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {}
        for model in ("planner", "reactive"):
            for where in ("train_size", "large", "train_levels"):
                out[f"{model}_success_{where}"] = round(self.success[model][where], 4)
        out_of_view = self.reactive_success_large_exit_out_of_view
        out["reactive_success_large_exit_out_of_view"] = (
            None if math.isnan(out_of_view) else round(out_of_view, 4)
        )
        out["large_exit_out_of_view_share"] = round(self.large_exit_out_of_view_share, 4)
        out["planner_steps_train_size"] = planning_steps_for(self.config, self.config.train_size)
        out["planner_steps_large"] = planning_steps_for(self.config, self.config.large_size)
        out["reactive_receptive_radius"] = self.reactive.radius
        out["planner_parameters"] = self.parameters["planner"]
        out["reactive_parameters"] = self.parameters["reactive"]
        out["planner_train_seconds"] = round(self.train_seconds["planner"], 3)
        out["reactive_train_seconds"] = round(self.train_seconds["reactive"], 3)
        return out


def make_planner(config: PlannerVsReactiveConfig, generator: torch.Generator) -> planners.Planner:
    """The untrained planner: hard-coded value iteration, linear reward head."""
    return planners.Planner(variant="hard-coded", steps=config.planning_steps, generator=generator)


def make_reactive(config: PlannerVsReactiveConfig, generator: torch.Generator) -> ReactivePolicy:
    """The untrained reactive CNN of ``config``."""
    return ReactivePolicy(
        width=config.reactive_width, depth=config.reactive_depth, generator=generator
    )


def _stream(seed: int, tag: int) -> torch.Generator:
    """A torch generator for seed stream ``tag`` of ``seed``, independent of the other streams."""
    state = np.random.SeedSequence((seed, tag)).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))


@register(
    "planner-vs-reactive",
    PlannerVsReactiveConfig,
    "Train a planner and a reactive CNN on small mazes; test both on mazes twice the size.",
)
def run_planner_vs_reactive(
    config: PlannerVsReactiveConfig, progress: bool = False
) -> PlannerVsReactiveResult:
    """Train both models by imitation on small mazes, then test them at both sizes.

    Args:
        config: PlannerVsReactiveConfig.
        progress: show progress bars over each model's training steps.

    Returns:
        PlannerVsReactiveResult.
    """
    if not isinstance(config, PlannerVsReactiveConfig):
        raise ValueError(f"config must be a PlannerVsReactiveConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    train = generate_levels(config.level_config(), config.train_levels, seeds.numpy)
    batch_size = min(config.batch_size, config.train_levels)
    reactive_generator = _stream(config.seed, _REACTIVE_STREAM)
    models = {
        "planner": make_planner(config, seeds.torch),
        "reactive": make_reactive(config, reactive_generator),
    }
    training = {
        "planner": (config.planner_learning_rate, seeds.torch),
        "reactive": (config.reactive_learning_rate, reactive_generator),
    }
    histories = {}
    for name, model in models.items():
        learning_rate, generator = training[name]
        histories[name] = base_optimizers.imitate(
            model,
            train,
            steps=config.train_steps,
            learning_rate=learning_rate,
            batch_size=batch_size,
            generator=generator,
            progress=progress,
        )

    sizes = {"train_size": config.train_size, "large": config.large_size}
    test = {size: fresh_levels(config, size) for size in sizes.values()}
    success: dict[str, dict[str, float]] = {}
    for name, model in models.items():
        success[name] = {"train_levels": rollouts.success_rate(model, train, config.planning_steps)}
        for where, size in sizes.items():
            success[name][where] = rollouts.success_rate(
                model, test[size], planning_steps_for(config, size)
            )

    large = test[config.large_size]
    out_of_view = ~exit_in_view(large, models["reactive"].radius)
    if out_of_view.any():
        reactive_out = rollouts.success_rate(models["reactive"], large.subset(out_of_view))
    else:
        reactive_out = float("nan")
    return PlannerVsReactiveResult(
        config=config,
        success=success,
        reactive_success_large_exit_out_of_view=reactive_out,
        large_exit_out_of_view_share=float(out_of_view.mean()),
        train_seconds={name: history.train_seconds for name, history in histories.items()},
        planner=models["planner"],
        reactive=models["reactive"],
        train_levels=train,
        test_levels=test,
        histories=histories,
    )
