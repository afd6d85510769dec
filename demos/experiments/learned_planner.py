"""Experiment ``learned-planner``: a search found by gradient descent, given more iterations.

Chapters 1 and 2. The paper's section 1.1 defines a mesa-optimizer as a learned model that is itself
an optimizer, found by a base optimizer; its section 2.1 argues that a search is a compressed policy
that copes with new task instances (its example is a maze), and its section 2.2 names recurrence and
weight sharing as biases that may favour one, and hard-coded optimization (the book's value-
iteration planner) as a way to need one less. The learned planner
(:mod:`demos.agents.learned_search`, a weight-tied recurrent convolution with no search written in)
was trained by imitation of the BFS expert on perfect mazes of side 9 and 10
(:mod:`demos.training.learned_search_training`). Here it is walked greedily on held-out mazes of
side 9 and of twice that side, after K iterations for several K. A lookup of answers would not
improve with K on mazes larger than any it saw; a search does. Next to it, a feed-forward network of
the same layers with untied weights, fixed depth 32 and about the same number of parameters
(:mod:`demos.agents.feedforward`), trained on the same stream of mazes. Success is also split by how
far the start is from the exit, so the baseline's few successes can be seen to come from short paths
(within its depth).

By default the committed weights of the seed are loaded (:mod:`demos.training.learned_checkpoints`)
and only the tests run (a few seconds); ``retrain`` trains both models from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents.learned_search import parameter_count
from demos.analysis.search_success import (
    reached_by_iterations,
    split_by_distance,
    start_distances,
    walk,
)
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register
from demos.training.learned_checkpoints import Trained, feedforward_spec, main_spec, obtain
from demos.training.learned_search_training import FEEDFORWARD_DEPTH, MAIN_RECIPE, held_out_levels
from demos.worlds.mazes import Levels

TRAIN_SIZE = MAIN_RECIPE.sizes[0]
"""The side of the training mazes the tests use (the recipe also trains on side 10)."""


@dataclass(frozen=True)
class LearnedPlannerConfig(Config):
    """Settings of the ``learned-planner`` experiment."""

    retrain: bool = False
    """Train both models from scratch (a few minutes, with a progress bar) instead of loading the
    committed weights of this seed."""
    save_checkpoint: bool = False
    """With retrain: write the new weights over the committed files (how they are regenerated)."""
    train_steps: int = ranged(1000, 1, 100_000)
    """Optimizer steps of the recipe; a value other than the committed 1000 needs retrain."""
    baseline: bool = True
    """Also test (and with retrain, train) the feed-forward baseline."""
    test_levels: int = ranged(200, 10, 10_000)
    """Held-out mazes of the training side (9)."""
    large_size: int = ranged(18, 5, 64)
    """Side of the larger held-out mazes (twice the training side by default)."""
    large_test_levels: int = ranged(100, 10, 10_000)
    """Held-out mazes of the larger side."""
    train_iterations: tuple[int, ...] = ranged((2, 4, 8, 16, 32, 64), 1, 10_000, increasing=True)
    """Test-time iterations K on the training side; the success at the last is the headline."""
    large_iterations: tuple[int, ...] = ranged(
        (8, 16, 32, 64, 100, 150, 200), 1, 10_000, increasing=True
    )
    """Test-time iterations K on the larger side."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the models (the committed ones are 0 to 4); the test mazes are the same for all."""

    def validate(self) -> None:
        if self.save_checkpoint and not self.retrain:
            raise ValueError("save_checkpoint needs retrain=True, got retrain=False")
        if self.save_checkpoint and self.train_steps != MAIN_RECIPE.steps:
            raise ValueError(
                "save_checkpoint writes the committed recipe only: train_steps must be "
                f"{MAIN_RECIPE.steps}, got {self.train_steps}"
            )


@dataclass
class LearnedPlannerResult:
    """What ``run_learned_planner`` measured, with the models and levels for figures."""

    config: LearnedPlannerConfig
    """The settings of the run."""
    success_train_size: dict[int, float]
    """K -> share of greedy agents reaching the exit on the training side."""
    success_large: dict[int, float]
    """K -> the same on the larger side."""
    large_split: dict[int, dict[str, float]]
    """K -> success among near and far starts on the larger side (near: at most the baseline's
    depth of steps from the exit), for K = the baseline's depth and the largest K."""
    feedforward_success: dict[str, float]
    """The baseline's success: ``{"train_size", "large", "near", "far", "near_share"}``."""
    parameters: int
    """Parameters of the learned planner."""
    feedforward_parameters: int
    """Parameters of the baseline (0 without it)."""
    train_seconds: float
    """Seconds the learned planner's training took (recorded when it was trained)."""
    feedforward_train_seconds: float
    """Seconds the baseline's training took (0 without it)."""
    retrained: bool
    """Whether the models were trained in this run rather than loaded."""
    model: torch.nn.Module = field(repr=False)
    """The learned planner."""
    feedforward: torch.nn.Module | None = field(repr=False)
    """The baseline (None without it)."""
    levels: dict[str, Levels] = field(repr=False)
    """``{"train_size": , "large": }`` the held-out levels."""
    large_reached: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    """K -> (n,) bool: which larger levels the greedy agent solved (for picking a maze to show)."""

    def summary(self) -> dict:
        """The figures the command line prints."""
        largest = max(self.success_large)
        best_k = max(self.success_large, key=lambda k: (self.success_large[k], -k))
        out = {
            "success_train_size": round(self.success_train_size[max(self.success_train_size)], 4),
            "success_train_size_by_k": _rounded(self.success_train_size),
            "success_large_by_k": _rounded(self.success_large),
            "success_large_best": round(self.success_large[best_k], 4),
            "success_large_best_k": best_k,
            "large_size": self.config.large_size,
            "large_near_share": round(self.large_split[largest]["near_share"], 4),
            "success_large_near_at_depth": round(self.large_split[FEEDFORWARD_DEPTH]["near"], 4),
            "success_large_far_at_depth": round(self.large_split[FEEDFORWARD_DEPTH]["far"], 4),
            "success_large_near_at_largest_k": round(self.large_split[largest]["near"], 4),
            "success_large_far_at_largest_k": round(self.large_split[largest]["far"], 4),
        }
        if self.feedforward is not None:
            ff = self.feedforward_success
            out.update(
                feedforward_success_train_size=round(ff["train_size"], 4),
                feedforward_success_large=round(ff["large"], 4),
                feedforward_success_large_near=round(ff["near"], 4),
                feedforward_success_large_far=round(ff["far"], 4),
                feedforward_parameters=self.feedforward_parameters,
                feedforward_train_seconds=round(self.feedforward_train_seconds, 1),
            )
        out.update(parameters=self.parameters, train_seconds=round(self.train_seconds, 1))
        return out


def _rounded(rates: dict[int, float]) -> dict[int, float]:
    return {k: round(v, 4) for k, v in rates.items()}


@register(
    "learned-planner",
    LearnedPlannerConfig,
    "A planner with no search written in, found by gradient descent: success against test-time "
    "iterations on mazes of the training side and twice it, next to a feed-forward network.",
)
def run_learned_planner(
    config: LearnedPlannerConfig, progress: bool = False
) -> LearnedPlannerResult:
    """Load (or train) the learned planner and its baseline; test both at several K.

    Args:
        config: LearnedPlannerConfig.
        progress: show progress bars while training (with ``retrain``).

    Returns:
        LearnedPlannerResult.
    """
    if not isinstance(config, LearnedPlannerConfig):
        raise ValueError(f"config must be a LearnedPlannerConfig, got {type(config).__name__}")
    changes = {"steps": config.train_steps}
    options = dict(retrain=config.retrain, progress=progress, write=config.save_checkpoint)
    learned: Trained = obtain(main_spec(config.seed, **changes), **options)
    small = held_out_levels(MAIN_RECIPE, TRAIN_SIZE, config.test_levels)
    large = held_out_levels(MAIN_RECIPE, config.large_size, config.large_test_levels)
    bar = tqdm(total=3 if config.baseline else 2, desc="tests", disable=not progress, leave=False)
    success_small = {
        k: float(r.mean())
        for k, r in reached_by_iterations(learned.model, small, config.train_iterations).items()
    }
    bar.update()
    largest = max(config.large_iterations)
    reached = reached_by_iterations(
        learned.model, large, set(config.large_iterations) | {FEEDFORWARD_DEPTH}
    )
    bar.update()
    distances = start_distances(large)
    split = {
        k: split_by_distance(reached[k], distances, FEEDFORWARD_DEPTH)
        for k in (FEEDFORWARD_DEPTH, largest)
    }
    feedforward, ff_success, ff_parameters, ff_seconds = None, {}, 0, 0.0
    if config.baseline:
        baseline = obtain(feedforward_spec(config.seed, **changes), **options)
        feedforward, ff_seconds = baseline.model, baseline.train_seconds
        ff_parameters = parameter_count(feedforward)
        ff_reached = walk(feedforward, large).reached_exit
        ff_success = {
            "train_size": walk(feedforward, small).success_rate(),
            "large": float(ff_reached.mean()),
            **split_by_distance(ff_reached, distances, FEEDFORWARD_DEPTH),
        }
        bar.update()
    bar.close()
    return LearnedPlannerResult(
        config=config,
        success_train_size=success_small,
        success_large={k: float(reached[k].mean()) for k in config.large_iterations},
        large_split=split,
        feedforward_success=ff_success,
        parameters=parameter_count(learned.model),
        feedforward_parameters=ff_parameters,
        train_seconds=learned.train_seconds,
        feedforward_train_seconds=ff_seconds,
        retrained=learned.retrained,
        model=learned.model,
        feedforward=feedforward,
        levels={"train_size": small, "large": large},
        large_reached={k: np.asarray(r) for k, r in reached.items()},
    )
