"""Experiment ``unidentifiability``: equally good training fits, different mesa-objectives.

Used by chapter 3 (the paper's sections 3.2 and 3.3).

Several planners are trained with the same settings and different seeds (so different initial
weights), by imitation of the BFS expert of the exit, on levels where the marker (the proxy) always
sits on the exit (q = 0) and, by default, shows exactly as brightly as the exit. The training data
then cannot tell "go to the exit" from "go to the marker": every run fits it about equally well.
Yet the runs hold different mesa-objectives, read off their reward heads
(:func:`demos.analysis.objectives.read_objective`): some value the exit more, some the marker, and
they behave differently on test levels where the two are apart.

The result also compares two ways of choosing one model among the runs: by training loss (what
the base optimizer and any output-only test on the training distribution can see) and by the
internals (:func:`demos.training.adversarial.select_by_internals`, possible here because the
objective can be read). It also reads each run's *initial* weights: under Adam, when exit and
marker always appear together, both weights receive identical updates, so with equal saliences the
sign of the preference a run ends with is the sign its random initial weights started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from demos.analysis.objectives import (
    ObjectiveReading,
    read_objective_for,
    select_by_internals,
    select_by_training,
)
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register
from demos.training.proxy_training import (
    ProxyRun,
    chapter_config,
    initial_planner,
    trained,
)


@dataclass(frozen=True)
class UnidentifiabilityConfig(Config):
    """Settings of the ``unidentifiability`` experiment."""

    n_seeds: int = ranged(5, 2, 100)
    """Runs, with seeds seed, seed + 1, ..."""
    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """Share q of training levels whose marker is not on the exit."""
    exit_salience: float = ranged(1.0, 0.0, 1.0, above=True)
    """Brightness of the exit; the marker's is 1, so 1 makes them equally visible."""
    train_levels: int = ranged(128, 1, 100_000)
    """Training levels per run."""
    test_levels: int = ranged(500, 1, 100_000)
    """Test levels per run, marker and exit apart in each."""
    train_steps: int = ranged(150, 1, 100_000)
    """Imitation steps per run."""
    seed: int = ranged(0, 0, MAX_SEED - 100)
    """First seed."""

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds of the runs."""
        return tuple(range(self.seed, self.seed + self.n_seeds))


@dataclass
class UnidentifiabilityResult:
    """Per run: the training fit, the mesa-objective and the test behaviour."""

    config: UnidentifiabilityConfig
    """The settings."""
    seeds: tuple[int, ...]
    """The seed of each run."""
    train_success: np.ndarray
    """(n,) float. Share of training levels on which each run's greedy agent reaches the exit."""
    train_loss: np.ndarray
    """(n,) float. Each run's final training loss (imitation cross-entropy)."""
    readings: list[ObjectiveReading]
    """Each run's mesa-objective: what it pays for floor, exit and marker."""
    initial_readings: list[ObjectiveReading]
    """The same reading of each run's untrained planner (its random initial weights)."""
    test_exit_rate: np.ndarray
    """(n,) float. Share of test episodes settling on the exit."""
    test_proxy_rate: np.ndarray
    """(n,) float. Share of test episodes settling on the marker."""
    runs: list[ProxyRun] = field(repr=False)
    """The full ``proxy-shift`` results, with models."""

    @property
    def preferences(self) -> np.ndarray:
        """(n,) float. Each run's exit value minus marker value (positive: prefers the exit)."""
        return np.array([reading.preference for reading in self.readings])

    @property
    def initial_preferences(self) -> np.ndarray:
        """(n,) float. The exit-minus-marker value of each run's initial weights."""
        return np.array([reading.preference for reading in self.initial_readings])

    @property
    def by_internals(self) -> int:
        """Index of the run chosen by reading the objectives (largest exit preference)."""
        return select_by_internals(self.readings)

    @property
    def by_training(self) -> int:
        """Index of the run chosen by the lowest training loss."""
        return select_by_training(self.train_loss)

    def summary(self) -> dict:
        """The spread of fits, objectives and behaviours across seeds, and the two selections."""
        return {
            "runs": len(self.seeds),
            "train_success_min": round(float(self.train_success.min()), 4),
            "train_success_max": round(float(self.train_success.max()), 4),
            "train_loss_min": round(float(self.train_loss.min()), 4),
            "train_loss_max": round(float(self.train_loss.max()), 4),
            "preference_min": round(float(self.preferences.min()), 4),
            "preference_max": round(float(self.preferences.max()), 4),
            "runs_preferring_exit": int((self.preferences > 0).sum()),
            "runs_keeping_initial_preference": int(
                (np.sign(self.preferences) == np.sign(self.initial_preferences)).sum()
            ),
            "test_exit_rate_min": round(float(self.test_exit_rate.min()), 4),
            "test_exit_rate_max": round(float(self.test_exit_rate.max()), 4),
            "selected_by_training_exit_rate": round(
                float(self.test_exit_rate[self.by_training]), 4
            ),
            "selected_by_internals_exit_rate": round(
                float(self.test_exit_rate[self.by_internals]), 4
            ),
        }


@register(
    "unidentifiability",
    UnidentifiabilityConfig,
    "Train one planner per seed where exit and marker coincide: same fit, different objectives.",
)
def run_unidentifiability(
    config: UnidentifiabilityConfig, progress: bool = False
) -> UnidentifiabilityResult:
    """Train one planner per seed and read each one's mesa-objective.

    Args:
        config: UnidentifiabilityConfig.
        progress: show a progress bar over runs.

    Returns:
        UnidentifiabilityResult.
    """
    if not isinstance(config, UnidentifiabilityConfig):
        raise ValueError(f"config must be an UnidentifiabilityConfig, got {type(config).__name__}")
    runs, initial = [], []
    for seed in tqdm(config.seeds, desc="unidentifiability", disable=not progress):
        run_config = chapter_config(
            decorrelated_fraction=config.decorrelated_fraction,
            exit_salience=config.exit_salience,
            train_levels=config.train_levels,
            test_levels=config.test_levels,
            train_steps=config.train_steps,
            seed=seed,
        )
        runs.append(trained(run_config))
        initial.append(initial_planner(run_config))
    return UnidentifiabilityResult(
        config=config,
        seeds=config.seeds,
        train_success=np.array([run.train_success for run in runs]),
        train_loss=np.array([run.history.last("loss") for run in runs]),
        readings=[read_objective_for(run.model, run.test_levels.config) for run in runs],
        initial_readings=[
            read_objective_for(model, run.test_levels.config)
            for model, run in zip(initial, runs, strict=True)
        ],
        test_exit_rate=np.array([run.test_rates["exit"] for run in runs]),
        test_proxy_rate=np.array([run.test_rates["proxy"] for run in runs]),
        runs=runs,
    )
