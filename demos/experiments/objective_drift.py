"""Experiment ``objective-drift``: where the mesa-objective lands, over q, seeds and salience.

Used by chapter 3 (the paper's section 3.1).

A sweep of the ``proxy-shift`` experiment (:mod:`demos.experiments.proxy_shift`) in the chapter's
settings (:func:`demos.training.proxy_training.chapter_config`): for every decorrelated fraction q,
every seed and every exit salience, one planner is trained by imitation on levels where the marker
(the proxy) sits on the exit except in a share q of them, then tested on levels where the two are
always apart. For each run it keeps where the agents settle, where the reward map (the
mesa-objective) peaks, what the objective pays for the exit and for the marker
(:func:`read_objective`), and, for drawing, the reward map and the path on one test level.

What it shows: at q = 0 with a faint exit (salience 0.3 next to the marker's 1.0), every seed learns
to want the marker and settles there off distribution, while succeeding on every training level; a
few decorrelated training levels (q of 0.02 to 0.05) move the objective onto the exit. With an exit
as bright as the marker, which feature wins at q = 0 depends on the seed.

Runs go through :func:`demos.training.proxy_training.trained_many` (two processes on a 2-core
machine, the same runs as a serial loop), so after
:func:`demos.training.proxy_training.share_runs` a notebook that asks for the same run twice trains
it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.analysis import metrics
from demos.analysis.objectives import ObjectiveReading, linear_weights, read_objective_for
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.core.validation import check_choice
from demos.experiments import register
from demos.training import rollouts
from demos.training.proxy_training import (
    BASE_OPTIMIZERS,
    ProxyRun,
    chapter_config,
    initial_planner,
    trained_many,
)
from demos.worlds.level_variants import showcase_index
from demos.worlds.mazes import Levels


@dataclass(frozen=True)
class ObjectiveDriftConfig(Config):
    """Settings of the ``objective-drift`` sweep."""

    decorrelated_fractions: tuple[float, ...] = ranged((0.0, 0.02, 0.05), 0.0, 1.0, increasing=True)
    """Shares q of training levels whose marker is not on the exit."""
    exit_saliences: tuple[float, ...] = ranged((0.3,), 0.0, 1.0, above=True, increasing=True)
    """Exit brightnesses to sweep (the marker's is 1)."""
    n_seeds: int = ranged(1, 1, 100)
    """Seeds per setting: seed, seed + 1, ..."""
    train_levels: int = ranged(128, 1, 100_000)
    """Training levels per run."""
    test_levels: int = ranged(500, 1, 100_000)
    """Test levels per run, marker and exit apart in each."""
    train_steps: int = ranged(150, 1, 100_000)
    """Updates of the base optimizer per run."""
    base_optimizer: str = choice("imitation", BASE_OPTIMIZERS)
    """How each planner is trained (see demos.training.base_optimizers)."""
    seed: int = ranged(0, 0, MAX_SEED - 100)
    """First seed of the sweep."""

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds of the sweep."""
        return tuple(range(self.seed, self.seed + self.n_seeds))


@dataclass
class DriftPoint:
    """One run of the sweep: a trained planner, summarised."""

    decorrelated_fraction: float
    """q of the training levels."""
    seed: int
    """The run's seed."""
    exit_salience: float
    """Brightness of the exit in training and test levels."""
    train_success: float
    """Share of training levels on which the greedy agent reaches the exit."""
    test_rates: dict[str, float]
    """Where agents settle on the test levels: ``{"exit", "proxy", "neither"}`` shares."""
    peak_rates: dict[str, float]
    """Where the reward map (the mesa-objective) peaks on the test levels, same keys."""
    reading: ObjectiveReading
    """What the mesa-objective pays for floor, exit and marker cells."""
    weights: dict[str, float]
    """The trained linear reward head's weights (:func:`linear_weights`)."""
    initial_weights: dict[str, float]
    """The same head's weights before training."""
    showcase: Levels = field(repr=False)
    """One test level (a batch of one) for figures: see :func:`showcase_index`."""
    reward_map: np.ndarray = field(repr=False)
    """(H, W) float. The mesa-objective on the showcase level."""
    path: np.ndarray = field(repr=False)
    """(T + 1, 2) int64. The greedy agent's cells on the showcase level."""

    def weight_gap(self, initial: bool = False) -> float:
        """The exit weight minus the marker weight of the linear head, after training (or before
        it, with ``initial``)."""
        weights = self.initial_weights if initial else self.weights
        return weights["exit"] - weights["marker"]


@dataclass
class ObjectiveDriftResult:
    """Every run of the sweep, plus tables for the book."""

    config: ObjectiveDriftConfig
    """The settings of the sweep."""
    points: list[DriftPoint]
    """One per (q, seed, exit salience), in that nesting order."""
    train_seconds: float
    """Wall-clock seconds the base optimizer spent over all runs (runs remembered from earlier
    calls count with their original time)."""
    runs: dict[tuple[float, int, float], ProxyRun] = field(repr=False)
    """The full ``proxy-shift`` results (with models) by ``(q, seed, exit_salience)``."""

    def point(self, decorrelated_fraction: float, seed: int, exit_salience: float) -> DriftPoint:
        """The run at one grid point."""
        for point in self.points:
            if (point.decorrelated_fraction, point.seed, point.exit_salience) == (
                decorrelated_fraction,
                seed,
                exit_salience,
            ):
                return point
        raise ValueError(
            "(decorrelated_fraction, seed, exit_salience) must be a point of the sweep "
            f"(q in {self.config.decorrelated_fractions}, seeds {self.config.seeds}, exit "
            f"saliences {self.config.exit_saliences}), got "
            f"{(decorrelated_fraction, seed, exit_salience)}"
        )

    def curve(self, seed: int, exit_salience: float, outcome: str = "proxy") -> np.ndarray:
        """(len(q),) float: the test settle rate on ``outcome`` for each q, at one seed and
        salience."""
        check_choice("outcome", outcome, ("exit", "proxy", "neither"))
        return np.array(
            [
                self.point(q, seed, exit_salience).test_rates[outcome]
                for q in self.config.decorrelated_fractions
            ]
        )

    def decorrelated_levels(self, decorrelated_fraction: float) -> int:
        """How many of each run's training levels are decorrelated at q: round(q * levels)."""
        check_choice(
            "decorrelated_fraction", decorrelated_fraction, self.config.decorrelated_fractions
        )
        return int(round(decorrelated_fraction * self.config.train_levels))

    def stats(self, decorrelated_fraction: float, exit_salience: float | None = None) -> dict:
        """Over the seeds at one q and salience (default: the first swept): the mean, lowest and
        highest test share on the exit and on the marker, the mean share of reward-map peaks on
        the marker, and the lowest training success. Keys ``mean_exit``, ``min_exit``,
        ``max_exit``, ``mean_proxy``, ``min_proxy``, ``max_proxy``, ``mean_peak_on_proxy``,
        ``min_train_success``."""
        check_choice(
            "decorrelated_fraction", decorrelated_fraction, self.config.decorrelated_fractions
        )
        rows = [row for row in self.table(exit_salience) if row["q"] == decorrelated_fraction]
        figures = {}
        for outcome in ("exit", "proxy"):
            values = [row[outcome] for row in rows]
            figures[f"mean_{outcome}"] = float(np.mean(values))
            figures[f"min_{outcome}"] = float(np.min(values))
            figures[f"max_{outcome}"] = float(np.max(values))
        figures["mean_peak_on_proxy"] = float(np.mean([row["peak_on_proxy"] for row in rows]))
        figures["min_train_success"] = float(np.min([row["train_success"] for row in rows]))
        return figures

    def table(self, exit_salience: float | None = None) -> list[dict]:
        """One row per run at ``exit_salience`` (default: the first swept): q, seed, the test
        settle rates, the share of reward-map peaks on the marker, and training success."""
        salience = self.config.exit_saliences[0] if exit_salience is None else exit_salience
        check_choice("exit_salience", salience, self.config.exit_saliences)
        return [
            {
                "q": point.decorrelated_fraction,
                "seed": point.seed,
                "exit": point.test_rates["exit"],
                "proxy": point.test_rates["proxy"],
                "neither": point.test_rates["neither"],
                "peak_on_proxy": point.peak_rates["proxy"],
                "train_success": point.train_success,
            }
            for point in self.points
            if point.exit_salience == salience
        ]

    def summary(self) -> dict:
        """Mean test proxy and exit rates over seeds for each (exit salience, q), and the lowest
        training success of the sweep."""
        figures: dict = {}
        for salience in self.config.exit_saliences:
            for q in self.config.decorrelated_fractions:
                chosen = [
                    point
                    for point in self.points
                    if point.exit_salience == salience and point.decorrelated_fraction == q
                ]
                tag = f"s{salience:g}_q{q:g}"
                figures[f"proxy_rate_{tag}"] = round(
                    float(np.mean([p.test_rates["proxy"] for p in chosen])), 4
                )
                figures[f"exit_rate_{tag}"] = round(
                    float(np.mean([p.test_rates["exit"] for p in chosen])), 4
                )
        figures["min_train_success"] = round(min(p.train_success for p in self.points), 4)
        figures["max_proxy_rate"] = round(max(p.test_rates["proxy"] for p in self.points), 4)
        figures["train_seconds"] = round(self.train_seconds, 3)
        return figures


@register(
    "objective-drift",
    ObjectiveDriftConfig,
    "Sweep proxy-shift over q, seeds and exit salience: where the mesa-objective lands.",
)
def run_objective_drift(
    config: ObjectiveDriftConfig, progress: bool = False
) -> ObjectiveDriftResult:
    """Train one planner per (q, seed, exit salience) and summarise each.

    Args:
        config: ObjectiveDriftConfig.
        progress: show a progress bar over runs.

    Returns:
        ObjectiveDriftResult.
    """
    if not isinstance(config, ObjectiveDriftConfig):
        raise ValueError(f"config must be an ObjectiveDriftConfig, got {type(config).__name__}")
    grid = [
        (q, seed, salience)
        for q in config.decorrelated_fractions
        for seed in config.seeds
        for salience in config.exit_saliences
    ]
    configs = [
        chapter_config(
            decorrelated_fraction=q,
            seed=seed,
            exit_salience=salience,
            train_levels=config.train_levels,
            test_levels=config.test_levels,
            train_steps=config.train_steps,
            base_optimizer=config.base_optimizer,
        )
        for q, seed, salience in grid
    ]
    with tqdm(total=len(grid), desc="objective drift", disable=not progress) as bar:
        trained_runs = trained_many(configs, progress=bar.update)
    points, runs, seconds = [], {}, 0.0
    for (q, seed, salience), run in zip(grid, trained_runs, strict=True):
        runs[(q, seed, salience)] = run
        seconds += run.train_seconds
        points.append(summarise(run))
    return ObjectiveDriftResult(config=config, points=points, train_seconds=seconds, runs=runs)


def summarise(run: ProxyRun) -> DriftPoint:
    """A :class:`DriftPoint` from one ``proxy-shift`` result."""
    index = showcase_index(run.test_levels)
    showcase = run.test_levels.subset(index)
    with torch.no_grad():
        walk = rollouts.rollout(showcase, run.model.policy(showcase))
    return DriftPoint(
        decorrelated_fraction=run.config.decorrelated_fraction,
        seed=run.config.seed,
        exit_salience=run.config.exit_salience,
        train_success=run.train_success,
        test_rates=dict(run.test_rates),
        peak_rates=metrics.peak_rates(run.test_levels, run.model.mesa_objective(run.test_levels)),
        reading=read_objective_for(run.model, run.test_levels.config),
        weights=linear_weights(run.model),
        initial_weights=linear_weights(initial_planner(run.config)),
        showcase=showcase,
        reward_map=run.model.mesa_objective(showcase)[0],
        path=walk.paths[0],
    )
