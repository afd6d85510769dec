"""Experiment ``planner-vs-reactive``: search that scales with the maze, heuristics that do not.

Used by chapter 2 (the paper's section 2.1).

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

The training is :func:`demos.training.maze_imitation.train_pair`, shared with ``task-diversity``;
this module adds the measurements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from demos.agents import planners
from demos.agents.reactive import ReactivePolicy, parameter_count
from demos.core.validation import check_int
from demos.experiments import register
from demos.training import rollouts
from demos.training.base_optimizers import TrainingHistory
from demos.training.maze_imitation import (
    PlannerVsReactiveConfig,
    TrainedPair,
    fresh_levels,
    planning_steps_for,
    success_by_size,
    train_pair,
)
from demos.worlds.mazes import Levels

__all__ = ["PlannerVsReactiveConfig", "PlannerVsReactiveResult", "run_planner_vs_reactive"]


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
    trained: TrainedPair = field(repr=False)
    """Both models with their training mazes and histories."""
    test_levels: dict[int, Levels] = field(repr=False)
    """The fresh test mazes by side: ``{train_size: , large_size: }``."""
    histories: dict[str, TrainingHistory] = field(repr=False)
    """Imitation loss during training: ``{"planner": , "reactive": }``."""
    reactive_success_large_exit_in_view: float = float("nan")
    """The reactive agent's success on the large mazes whose exit lies inside its receptive
    field at the start (NaN if there are none; None in :meth:`summary`)."""

    @property
    def parameters(self) -> dict[str, int]:
        """Trainable scalars of each model: ``{"planner": , "reactive": }``."""
        return {
            "planner": parameter_count(self.planner),
            "reactive": parameter_count(self.reactive),
        }

    def success_by_size(self, sizes: Sequence[int]) -> dict[str, list[float]]:
        """Both models' success on fresh test mazes of each side in ``sizes`` (see
        :func:`demos.training.maze_imitation.success_by_size`)."""
        return success_by_size(self.trained, sizes)

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
        in_view = self.reactive_success_large_exit_in_view
        out["reactive_success_large_exit_in_view"] = (
            None if math.isnan(in_view) else round(in_view, 4)
        )
        out["planner_steps_train_size"] = planning_steps_for(self.config, self.config.train_size)
        out["planner_steps_large"] = planning_steps_for(self.config, self.config.large_size)
        out["reactive_receptive_radius"] = self.reactive.radius
        out["planner_parameters"] = self.parameters["planner"]
        out["reactive_parameters"] = self.parameters["reactive"]
        out["planner_train_seconds"] = round(self.train_seconds["planner"], 3)
        out["reactive_train_seconds"] = round(self.train_seconds["reactive"], 3)
        return out


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
    pair = train_pair(config, progress)
    train, models, histories = pair.train_levels, pair.models, pair.histories

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
    if (~out_of_view).any():
        reactive_in = rollouts.success_rate(models["reactive"], large.subset(~out_of_view))
    else:
        reactive_in = float("nan")
    return PlannerVsReactiveResult(
        config=config,
        success=success,
        reactive_success_large_exit_out_of_view=reactive_out,
        large_exit_out_of_view_share=float(out_of_view.mean()),
        reactive_success_large_exit_in_view=reactive_in,
        train_seconds={name: history.train_seconds for name, history in histories.items()},
        planner=models["planner"],
        reactive=models["reactive"],
        train_levels=train,
        trained=pair,
        test_levels=test,
        histories=histories,
    )
