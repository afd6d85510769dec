"""Experiment ``learned-proxy-shift``: the learned planner's objective under distributional shift.

Chapter 3 (the paper's section 3.1, proxy alignment: a mesa-optimizer that pursues a proxy which
matched the base objective in training), side by side with the hand-written planner of
``proxy-shift``. The learned planner (:mod:`demos.agents.learned_search`)
is trained (:data:`demos.training.learned_search_training.DRIFT_RECIPE`, 9 x 9 perfect mazes) in
one of two settings, and tested where the training correlation is broken:

- ``marker``: the book's proxy-shift setting. The coloured marker (the proxy, drawn brighter than
  the exit by default) sits on the exit in every training level but a share q; at test every
  marker is at least 3 steps from its exit. Next to it, the book's hand-written planner
  (value iteration on a learned reward map) in its own setting (7 x 7 random-wall mazes, the
  ``proxy-shift`` experiment's defaults) with the same q and seed.
- ``corner``: every training exit sits on the top-right cell but in a share q of levels (after
  the maze agent whose cheese was always near the top-right corner, studied by Langosco et al.
  2022 and Mini et al. 2023); at test the exit is anywhere else, and the "proxy" outcome is
  settling on that corner.

Agents walk greedily after K iterations; where they settle counts (exit, proxy, neither). By
default the committed weights of the seed and q are loaded
(:mod:`demos.training.learned_checkpoints`: seeds 0 to 4, q = 0, 0.02 and 0.05); ``retrain``
trains from scratch (a few minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.analysis.search_success import nearer_marker_share, settle_on_cell, settle_rates
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.experiments import register
from demos.training import proxy_training
from demos.training.learned_checkpoints import corner_spec, drift_spec, obtain
from demos.training.learned_search_training import DRIFT_RECIPE, held_out_levels
from demos.worlds.mazes import Levels

SETTINGS = ("marker", "corner")
"""What stands for the goal in training: the marker on the exit, or the corner cell."""

SIZE = DRIFT_RECIPE.sizes[0]
"""Side of the training and test mazes."""

CORNER = (0, SIZE - 1)
"""The top-right cell: where every training exit sits in the corner setting."""


@dataclass(frozen=True)
class LearnedProxyShiftConfig(Config):
    """Settings of the ``learned-proxy-shift`` experiment."""

    decorrelated_fraction: float = ranged(0.05, 0.0, 1.0)
    """Share q of training levels where the proxy is not the goal: the marker away from the exit
    (marker setting) or the exit away from the corner (corner setting). Committed: 0, 0.02, 0.05."""
    setting: str = choice("marker", SETTINGS)
    """"marker": the marker sits on the exit in training; "corner": the exit sits on the top-right
    cell."""
    retrain: bool = False
    """Train from scratch (a few minutes, with a progress bar) instead of loading the committed
    weights of this seed and q."""
    save_checkpoint: bool = False
    """With retrain: write the new weights over the committed file (how it is regenerated)."""
    train_steps: int = ranged(1200, 1, 100_000)
    """Optimizer steps of the recipe; a value other than the committed 1200 needs retrain."""
    test_levels: int = ranged(300, 10, 10_000)
    """Held-out test mazes (proxy and goal apart in every one)."""
    iterations: int = ranged(64, 1, 10_000)
    """Iterations K the learned planner runs at test."""
    handwritten: bool = True
    """Marker setting only: also train and test the book's hand-written planner (about a second)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the models (the committed ones are 0 to 4); the test mazes are the same for all."""

    def validate(self) -> None:
        if self.save_checkpoint and not self.retrain:
            raise ValueError("save_checkpoint needs retrain=True, got retrain=False")
        if self.save_checkpoint and self.train_steps != DRIFT_RECIPE.steps:
            raise ValueError(
                "save_checkpoint writes the committed recipe only: train_steps must be "
                f"{DRIFT_RECIPE.steps}, got {self.train_steps}"
            )


@dataclass
class LearnedProxyShiftResult:
    """Where the learned planner's agents settled, and the hand-written planner's next to it."""

    config: LearnedProxyShiftConfig
    """The settings of the run."""
    train_success: float
    """Share of training-distribution levels on which the greedy agent reaches the exit."""
    test_rates: dict[str, float]
    """On the test levels: ``{"exit": , "proxy": , "neither": }`` (proxy: the marker, or the
    corner cell)."""
    nearer_proxy_share: float
    """Share of test levels whose start is nearer the proxy than the exit (marker setting; NaN
    in the corner setting)."""
    train_seconds: float
    """Seconds the learned planner's training took (recorded when it was trained)."""
    handwritten: dict[str, float]
    """The hand-written planner's ``{"train_success", "exit", "proxy", "neither"}`` (empty when
    not run)."""
    retrained: bool
    """Whether the model was trained in this run rather than loaded."""
    model: torch.nn.Module = field(repr=False)
    """The learned planner."""
    test: Levels = field(repr=False)
    """The test levels."""

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {
            "train_success": round(self.train_success, 4),
            "test_exit_rate": round(self.test_rates["exit"], 4),
            "test_proxy_rate": round(self.test_rates["proxy"], 4),
            "test_neither_rate": round(self.test_rates["neither"], 4),
            "nearer_proxy_share": round(self.nearer_proxy_share, 4),
            "train_seconds": round(self.train_seconds, 1),
        }
        for key, value in self.handwritten.items():
            name = key if key == "train_success" else f"test_{key}_rate"
            out[f"handwritten_{name}"] = round(value, 4)
        return out


@register(
    "learned-proxy-shift",
    LearnedProxyShiftConfig,
    "The learned planner trained where a marker (or a corner) stands for the exit, tested where "
    "it does not; the hand-written planner beside it.",
)
def run_learned_proxy_shift(
    config: LearnedProxyShiftConfig, progress: bool = False
) -> LearnedProxyShiftResult:
    """Load (or train) the learned planner of this setting, q and seed; walk it on shifted levels.

    Args:
        config: LearnedProxyShiftConfig.
        progress: show a progress bar while training (with ``retrain``).

    Returns:
        LearnedProxyShiftResult.
    """
    if not isinstance(config, LearnedProxyShiftConfig):
        raise ValueError(f"config must be a LearnedProxyShiftConfig, got {type(config).__name__}")
    q = config.decorrelated_fraction
    make = drift_spec if config.setting == "marker" else corner_spec
    spec = make(q, config.seed, steps=config.train_steps)
    learned = obtain(spec, config.retrain, progress, config.save_checkpoint)
    model, k = learned.model, config.iterations
    like_training = held_out_levels(spec.recipe, SIZE, config.test_levels, stream=1)
    train_success = settle_rates(model, like_training, k)["success"]
    handwritten: dict[str, float] = {}
    if config.setting == "marker":
        test = held_out_levels(spec.recipe, SIZE, config.test_levels, decorrelated_fraction=1.0)
        rates = settle_rates(model, test, k)
        test_rates = {name: rates[name] for name in ("exit", "proxy", "neither")}
        nearer = nearer_marker_share(test)
        if config.handwritten:
            handwritten_config = proxy_training.ProxyShiftConfig(
                decorrelated_fraction=q, seed=config.seed
            )
            run = proxy_training.trained(handwritten_config)
            handwritten = {"train_success": run.train_success, **run.test_rates}
    else:
        anywhere = held_out_levels(DRIFT_RECIPE, SIZE, config.test_levels + config.test_levels // 4)
        away = ~((anywhere.exit[:, 0] == CORNER[0]) & (anywhere.exit[:, 1] == CORNER[1]))
        test = anywhere.subset(np.flatnonzero(away)[: config.test_levels])
        rates = settle_on_cell(model, test, CORNER, k)
        test_rates = {"exit": rates["exit"], "proxy": rates["cell"], "neither": rates["neither"]}
        nearer = float("nan")
    return LearnedProxyShiftResult(
        config=config,
        train_success=train_success,
        test_rates=test_rates,
        nearer_proxy_share=nearer,
        train_seconds=learned.train_seconds,
        handwritten=handwritten,
        retrained=learned.retrained,
        model=model,
        test=test,
    )
