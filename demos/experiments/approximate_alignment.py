"""Experiment ``approximate-alignment``: a mesa-objective that fits the base objective only nearby.

Used by chapter 3 (the paper's sections 3.1 and 3.3).

The base objective is "reach the exit", however the exit looks. Here exits show at different
brightnesses: each training level's exit is drawn with its own brightness from a band
(``brightness_low`` to ``brightness_high``; :class:`demos.worlds.level_variants.DimmedLevels`), and
a few training levels (a share q) have the marker away from the exit. A planner whose reward head is
*linear* (the default, ``reward_hidden = 0``) is trained by imitation of the BFS expert.

A linear head cannot represent the base objective exactly: the base objective pays the same for an
exit of any brightness, a step in the exit channel, but a linear head's reward for the exit grows
in proportion to the brightness. Training fits the best compromise over the band. Normalise the
mesa-objective so an empty floor cell is worth 0 and the average training exit 1; the base
objective is then 1 for every exit and 0 for the marker. The *approximation error* at brightness b
is ``|exit_value(b) - 1| + |marker_value|`` in those units. It is small across the training band
and grows as the exit gets dimmer (or brighter) than anything in training. Once a dim exit is worth
less than the small value the head still gives the marker, agents head for the marker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents import planners
from demos.analysis.objectives import read_objective
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.core.validation import check_float
from demos.experiments import register
from demos.training import base_optimizers, rollouts
from demos.worlds.level_variants import DimmedLevels, with_exit_brightness
from demos.worlds.mazes import LevelConfig, Levels, generate_levels, shifted


@dataclass(frozen=True)
class ApproximateAlignmentConfig(Config):
    """Settings of the ``approximate-alignment`` experiment."""

    decorrelated_fraction: float = ranged(0.05, 0.0, 1.0)
    """Share q of training levels whose marker is not on the exit."""
    brightness_low: float = ranged(0.25, 0.0, 1.0, above=True)
    """Dimmest exit in training."""
    brightness_high: float = ranged(0.5, 0.0, 1.0, above=True)
    """Brightest exit in training, at least brightness_low."""
    test_brightnesses: tuple[float, ...] = ranged(
        (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0),
        0.0,
        1.0,
        above=True,
        increasing=True,
    )
    """Exit brightnesses at test."""
    reward_hidden: int = ranged(0, 0, 256)
    """Hidden width of the reward head (0: linear, the limited-capacity head of the chapter)."""
    train_levels: int = ranged(128, 1, 100_000)
    """Training levels."""
    test_levels: int = ranged(300, 1, 100_000)
    """Test levels per brightness, marker and exit apart."""
    train_steps: int = ranged(150, 1, 100_000)
    """Imitation steps."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels, brightnesses and initial weights."""

    def validate(self) -> None:
        check_float("brightness_high", self.brightness_high, self.brightness_low, 1.0)

    @property
    def band_centre(self) -> float:
        """The mean training brightness."""
        return (self.brightness_low + self.brightness_high) / 2


@dataclass
class ApproximateAlignmentResult:
    """The mesa-objective and the behaviour at each exit brightness."""

    config: ApproximateAlignmentConfig
    """The settings."""
    brightnesses: np.ndarray
    """(m,) float. The test brightnesses."""
    exit_values: np.ndarray
    """(m,) float. The exit's effective reward at each brightness, in units where a floor cell is
    0 and the average training exit 1 (the base objective's value is 1 at every brightness)."""
    marker_value: float
    """The marker's effective reward in the same units (the base objective's value is 0)."""
    errors: np.ndarray
    """(m,) float. The approximation error ``|exit_value - 1| + |marker_value|``."""
    train_errors: np.ndarray
    """(n_train,) float. The same error at each training level's own brightness."""
    exit_rates: np.ndarray
    """(m,) float. Share of test episodes settling on the exit."""
    proxy_rates: np.ndarray
    """(m,) float. Share of test episodes settling on the marker."""
    train_success: float
    """Share of training levels (their own brightnesses) on which the agent reaches the exit."""
    model: planners.Planner = field(repr=False)
    """The trained planner."""
    test_levels: Levels = field(repr=False)
    """The test layouts (shown at each brightness in turn)."""
    train_levels: DimmedLevels = field(repr=False)
    """The training levels, with their brightnesses."""

    @property
    def in_band(self) -> np.ndarray:
        """(m,) bool. Which test brightnesses lie inside the training band."""
        c = self.config
        return (self.brightnesses >= c.brightness_low) & (self.brightnesses <= c.brightness_high)

    def summary(self) -> dict:
        """Training fit, error and exit rate inside the band, and at the dimmest test exit."""
        band = self.in_band
        return {
            "train_success": round(self.train_success, 4),
            "train_error_mean": round(float(self.train_errors.mean()), 4),
            "train_error_max": round(float(self.train_errors.max()), 4),
            "marker_value": round(self.marker_value, 4),
            "band_exit_rate_min": round(float(self.exit_rates[band].min()), 4)
            if band.any()
            else None,
            "dimmest_brightness": float(self.brightnesses[0]),
            "dimmest_error": round(float(self.errors[0]), 4),
            "dimmest_exit_rate": round(float(self.exit_rates[0]), 4),
            "dimmest_proxy_rate": round(float(self.proxy_rates[0]), 4),
        }


@register(
    "approximate-alignment",
    ApproximateAlignmentConfig,
    "A linear reward head approximates 'reach the exit' over a band of exit brightnesses.",
)
def run_approximate_alignment(
    config: ApproximateAlignmentConfig, progress: bool = False
) -> ApproximateAlignmentResult:
    """Train on exits of varied brightness, then test exits dimmer and brighter than in training.

    Args:
        config: ApproximateAlignmentConfig.
        progress: show a progress bar over training steps.

    Returns:
        ApproximateAlignmentResult.
    """
    if not isinstance(config, ApproximateAlignmentConfig):
        raise ValueError(
            f"config must be an ApproximateAlignmentConfig, got {type(config).__name__}"
        )
    seeds = seeded(config.seed)
    level_config = LevelConfig(decorrelated_fraction=config.decorrelated_fraction)
    layouts = generate_levels(level_config, config.train_levels, seeds.numpy, exact_fraction=True)
    brightness = seeds.numpy.uniform(
        config.brightness_low, config.brightness_high, size=config.train_levels
    )
    train = with_exit_brightness(layouts, brightness)
    test = generate_levels(
        shifted(level_config, decorrelated_fraction=1.0), config.test_levels, seeds.numpy
    )
    model = planners.Planner(hidden=config.reward_hidden, generator=seeds.torch)
    base_optimizers.imitate(
        model,
        train,
        steps=config.train_steps,
        learning_rate=config.learning_rate,
        generator=seeds.torch,
        progress=progress,
    )
    with torch.no_grad():
        train_success = rollouts.rollout(train, model.policy(train)).success_rate()

    marker_salience = level_config.marker_salience
    scale = np.mean(
        [
            read_objective(model, b, marker_salience).exit_value
            for b in np.linspace(config.brightness_low, config.brightness_high, 9)
        ]
    )
    if not scale > 0:
        raise ValueError(
            "the trained reward head does not value the exit above the floor in the training band "
            f"(mean effective reward {scale:.3g}); train longer or with more decorrelated levels"
        )
    marker_value = read_objective(model, config.band_centre, marker_salience).marker_value / scale

    def error(b: float) -> tuple[float, float]:
        value = read_objective(model, float(b), marker_salience).exit_value / scale
        return value, abs(value - 1.0) + abs(marker_value)

    exit_values, errors, exit_rates, proxy_rates = [], [], [], []
    for b in config.test_brightnesses:
        value, err = error(b)
        exit_values.append(value)
        errors.append(err)
        shown = with_exit_brightness(test, b)
        with torch.no_grad():
            rates = rollouts.rollout(shown, model.policy(shown)).settle_rates()
        exit_rates.append(rates["exit"])
        proxy_rates.append(rates["proxy"])
    return ApproximateAlignmentResult(
        config=config,
        brightnesses=np.array(config.test_brightnesses),
        exit_values=np.array(exit_values),
        marker_value=float(marker_value),
        errors=np.array(errors),
        train_errors=np.array([error(b)[1] for b in brightness]),
        exit_rates=np.array(exit_rates),
        proxy_rates=np.array(proxy_rates),
        train_success=train_success,
        model=model,
        test_levels=test,
        train_levels=train,
    )
