"""Experiment ``learned-frontier``: the learned search watched from inside, and watched forming.

Chapters 1 and 2 (the paper's section 1 calls a system an optimizer when it searches internally;
its section 5 wishes for interpretability methods that tell whether a system optimizes and for
what). Linear probes
(:mod:`demos.analysis.search_frontier`) read the learned planner's state after every iteration on
held-out mazes larger than any it was trained on: when does each cell's state come to hold the
right move to the exit, for good? The cells that have "arrived" by iteration k are set next to
the hand-written planner's search (value iteration: the cells within k moves of the exit) and to
dead-end filling (the cells whose branch behind them is shallower than k). A probe for the
distance to the exit, what value iteration computes, is fitted too, with a shuffled-label
control.

The same reading is repeated on the snapshots of the weights taken every 100 steps while gradient
descent trained the model (committed for seed 0): the search forming, step by step, with the
success it brings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from demos.analysis.search_frontier import (
    SearchReading,
    arrival_summary,
    dead_end_frontier,
    frontier_radius,
    read_search,
    value_iteration_frontier,
)
from demos.analysis.search_success import horizon
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register
from demos.training.learned_checkpoints import main_spec, obtain, snapshot_models
from demos.training.learned_search_training import MAIN_RECIPE, held_out_levels
from demos.training.rollouts import rollout
from demos.worlds.mazes import Levels

_FIT_STREAM, _TEST_STREAM = 2, 3
"""Streams of the held-out levels the probes are fitted on and read on."""


@dataclass(frozen=True)
class LearnedFrontierConfig(Config):
    """Settings of the ``learned-frontier`` experiment."""

    retrain: bool = False
    """Train the learned planner from scratch, keeping snapshots (a few minutes), instead of
    loading the committed weights and snapshots."""
    size: int = ranged(15, 5, 64)
    """Side of the mazes the search is watched on (the model trained on 9 and 10)."""
    fit_levels: int = ranged(40, 4, 5000)
    """Mazes the probes are fitted on."""
    test_levels: int = ranged(30, 1, 5000)
    """Other mazes the probes are read on."""
    iterations: int = ranged(128, 1, 10_000)
    """The last iteration read; the probes are fitted on the state after it."""
    shown_iterations: tuple[int, ...] = ranged(
        (2, 4, 8, 16, 32, 64, 128), 1, 10_000, increasing=True
    )
    """Iterations at which the covered region is reported (each at most ``iterations``)."""
    forming: bool = True
    """Also read the snapshots taken during training (committed for seed 0 only)."""
    forming_size: int = ranged(9, 5, 64)
    """Side of the mazes the snapshots are read on."""
    forming_iterations: int = ranged(48, 1, 10_000)
    """Iterations each snapshot runs (the probes are fitted after them)."""
    forming_shown: int = ranged(16, 1, 10_000)
    """Iteration at which each snapshot's covered region is reported."""
    forming_fit_levels: int = ranged(24, 4, 5000)
    """Mazes each snapshot's probes are fitted on."""
    forming_test_levels: int = ranged(20, 1, 5000)
    """Mazes each snapshot's probes are read on (and its success measured on)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the model (committed: 0 to 4; snapshots: 0)."""

    def validate(self) -> None:
        if self.forming and not self.retrain and self.seed != 0:
            raise ValueError(
                "seed must be 0 for forming (snapshots are committed for seed 0 only) unless "
                f"retrain=True; pass forming=False for seed {self.seed}"
            )
        if max(self.shown_iterations) > self.iterations:
            raise ValueError(
                f"shown_iterations must be at most iterations={self.iterations}, "
                f"got {self.shown_iterations!r}"
            )
        if self.forming_shown > self.forming_iterations:
            raise ValueError(
                f"forming_shown must be at most forming_iterations={self.forming_iterations}, "
                f"got {self.forming_shown!r}"
            )


@dataclass
class FormingStep:
    """One training snapshot, read."""

    step: int
    """Training step of the snapshot."""
    success: float
    """Its greedy success on the snapshot test mazes after ``forming_iterations``."""
    reading: SearchReading = field(repr=False)
    """Its probes read after every iteration."""
    figures: dict[str, float]
    """:func:`demos.analysis.search_frontier.arrival_summary` of its probe reading (NaN where too
    few cells arrive); ``covered``: the share of free cells the probe has arrived at by
    ``forming_shown``; ``own_right``: the share whose own greedy move is right after
    ``forming_shown`` iterations."""


@dataclass
class LearnedFrontierResult:
    """The learned search read from inside (and, optionally, over its training)."""

    config: LearnedFrontierConfig
    """The settings of the run."""
    reading: SearchReading = field(repr=False)
    """The trained model's probe reading on the test mazes."""
    figures: dict[str, float]
    """Arrival against distance and subtree height, for the probe (plain names) and the model's
    own moves (``own_`` names)."""
    value_iteration: dict[int, np.ndarray] = field(repr=False)
    """k -> (n, H, W) bool: value iteration's frontier on the test mazes."""
    levels: Levels = field(repr=False)
    """The test mazes."""
    forming: list[FormingStep] = field(repr=False)
    """The snapshots read, by step (empty without ``forming``)."""
    forming_levels: Levels | None = field(repr=False)
    """The snapshot test mazes."""
    train_seconds: float
    """Seconds the model's training took (recorded when it was trained)."""
    train_steps: int
    """Steps of its training (to turn snapshot steps into seconds)."""

    def covered(self, iteration: int) -> dict[str, float]:
        """Shares of free test cells covered by ``iteration``: ``{"learned", "own_moves",
        "value_iteration", "dead_end_filling"}``."""
        free = self.reading.dist >= 0
        vi = value_iteration_frontier(self.levels, [iteration])[iteration]
        return {
            "learned": float(self.reading.arrived(iteration)[free].mean()),
            "own_moves": float(self.reading.arrived(iteration, own=True)[free].mean()),
            "value_iteration": float(vi[free].mean()),
            "dead_end_filling": float(
                dead_end_frontier(self.reading.heights, iteration)[free].mean()
            ),
        }

    def summary(self) -> dict:
        """The figures the command line prints."""
        reading, shown = self.reading, self.config.shown_iterations
        out = {
            "probe_move_accuracy": round(reading.probe_accuracy, 4),
            "own_move_accuracy": round(reading.own_accuracy, 4),
            **{key: round(value, 3) for key, value in self.figures.items()},
            "distance_probe_r2": round(reading.distance_report.test_score, 3),
            "distance_probe_control_r2": round(reading.distance_report.control_score, 3),
            "distance_probe_best_r2": round(float(np.max(reading.distance_r2)), 3),
            "learned_radius_by_k": {
                k: frontier_radius(reading.arrived(k), reading.dist) for k in shown
            },
            "value_iteration_radius_by_k": {
                k: frontier_radius(self.value_iteration[k], reading.dist) for k in shown
            },
            "learned_covered_by_k": {k: round(self.covered(k)["learned"], 3) for k in shown},
            "dead_end_covered_by_k": {
                k: round(self.covered(k)["dead_end_filling"], 3) for k in shown
            },
        }
        if self.forming:
            out["success_by_step"] = {f.step: round(f.success, 3) for f in self.forming}
            out["corr_min_by_step"] = {
                f.step: round(f.figures["corr_min"], 3) for f in self.forming
            }
            out["covered_by_step"] = {f.step: round(f.figures["covered"], 3) for f in self.forming}
            out["own_right_by_step"] = {
                f.step: round(f.figures["own_right"], 3) for f in self.forming
            }
            first = next((f.step for f in self.forming if f.success >= 0.95), -1)
            out["first_step_95"] = first
            per_step = self.train_seconds / self.train_steps
            out["seconds_to_95"] = round(first * per_step, 1) if first >= 0 else -1.0
        out["train_seconds"] = round(self.train_seconds, 1)
        return out


def _reading_figures(reading: SearchReading, own: bool = False) -> dict[str, float]:
    arrival = reading.own_arrival if own else reading.probe_arrival
    try:
        return arrival_summary(arrival, reading.dist, reading.heights)
    except ValueError:  # too few cells arrive (an untrained snapshot): nothing to correlate
        keys = ("arrived_share", "corr_distance", "corr_height", "corr_min")
        return {key: float("nan") for key in keys} | {"slope_min": np.nan, "error_min": np.nan}


@register(
    "learned-frontier",
    LearnedFrontierConfig,
    "The learned planner's search read from inside, iteration by iteration, next to value "
    "iteration's frontier; and the search forming over training.",
)
def run_learned_frontier(
    config: LearnedFrontierConfig, progress: bool = False
) -> LearnedFrontierResult:
    """Read the learned planner's state after every iteration (and its training snapshots).

    Args:
        config: LearnedFrontierConfig.
        progress: show a progress bar while training (with ``retrain``).

    Returns:
        LearnedFrontierResult.
    """
    if not isinstance(config, LearnedFrontierConfig):
        raise ValueError(f"config must be a LearnedFrontierConfig, got {type(config).__name__}")
    spec = main_spec(config.seed)
    trained = obtain(spec, config.retrain, progress, snapshots=config.forming)
    steps = snapshot_models(trained) if config.forming else []
    fit = held_out_levels(MAIN_RECIPE, config.size, config.fit_levels, stream=_FIT_STREAM)
    test = held_out_levels(MAIN_RECIPE, config.size, config.test_levels, stream=_TEST_STREAM)
    reading = read_search(trained.model, fit, test, config.iterations, seed=config.seed)
    figures = _reading_figures(reading)
    figures.update({f"own_{k}": v for k, v in _reading_figures(reading, own=True).items()})
    forming, forming_test = [], None
    if config.forming:
        size = config.forming_size
        forming_fit = held_out_levels(MAIN_RECIPE, size, config.forming_fit_levels, _FIT_STREAM)
        forming_test = held_out_levels(MAIN_RECIPE, size, config.forming_test_levels, _TEST_STREAM)
        for step, model in tqdm(steps, desc="snapshots", disable=not progress, leave=False):
            snap = read_search(model, forming_fit, forming_test, config.forming_iterations)
            free = snap.dist >= 0
            row = _reading_figures(snap)
            row["covered"] = float(snap.arrived(config.forming_shown)[free].mean())
            row["own_right"] = float(snap.own_accuracy_by_k[config.forming_shown - 1])
            walked = rollout(forming_test, snap.final_logits, steps=horizon(size))
            rate = walked.success_rate()
            forming.append(FormingStep(step=step, success=rate, reading=snap, figures=row))
    return LearnedFrontierResult(
        config=config,
        reading=reading,
        figures=figures,
        value_iteration=value_iteration_frontier(test, config.shown_iterations),
        levels=test,
        forming=forming,
        forming_levels=forming_test,
        train_seconds=trained.train_seconds,
        train_steps=spec.recipe.steps,
    )
