"""Experiment ``reward-prediction``: a hard-coded search fed by a model trained to predict the base
reward, against the book's planner trained by imitation.

Used by chapter 3 (the paper's section 3.3, hard-coded optimization). The paper proposes pairing a
powerful hard-coded search with a model trained *directly* to predict the base objective, and
notes both what that buys (the model is scored on its predictions, so a wrong prediction is
penalised even where the policy would still be good) and what it does not (off the training
distribution the learned model is still underdetermined).

For each decorrelated fraction q, two planners with the same hard-coded search and the same
initial weights are trained on the same levels (those of the ``proxy-shift`` run with the
chapter's settings, :func:`demos.training.proxy_training.chapter_config`):

- **imitation**: the book's usual base optimizer, Adam on imitation of the shortest-path expert;
  the reward head is judged only through the behaviour it produces;
- **prediction**: Adam on the squared error between the reward head and the base reward (1 on
  the exit, 0 elsewhere), :func:`demos.training.base_optimizers.predict_reward`; the head is
  judged cell by cell.

What comes out, for each: the effective rewards of exit and marker read off the head, and where
test agents settle on levels whose marker is away from the exit. With q = 0 the exit and the
marker share every rewarded cell, so neither loss can separate them and both heads keep valuing
the marker (under Adam, by the same mechanism); with a few decorrelated levels, prediction is told
on each of them that the marker is worth nothing, while imitation hears about it only where
valuing the marker changes a move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demos.analysis.objectives import ObjectiveReading, read_objective_for
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register
from demos.training import base_optimizers, rollouts
from demos.training.proxy_training import (
    ProxyRun,
    chapter_config,
    initial_planner,
    trained,
)

METHODS = ("imitation", "prediction")
"""How the reward head is trained: through behaviour, or to predict the base reward."""


@dataclass(frozen=True)
class RewardPredictionConfig(Config):
    """Settings of the ``reward-prediction`` experiment."""

    decorrelated_fractions: tuple[float, ...] = ranged((0.0, 0.01), 0.0, 1.0, increasing=True)
    """Shares q of training levels whose marker is not on the exit."""
    train_levels: int = ranged(128, 1, 100_000)
    """Training levels per run."""
    test_levels: int = ranged(500, 1, 100_000)
    """Test levels per run, marker and exit apart in each."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation (the chapter's usual run)."""
    prediction_steps: int = ranged(600, 1, 100_000)
    """Adam steps of reward prediction (cheap: only the reward head runs, no search)."""
    prediction_learning_rate: float = ranged(0.3, 1e-6, 10.0)
    """Adam's step size for reward prediction."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels and initial weights (the same for both methods)."""


@dataclass
class RewardPredictionResult:
    """Both methods at every q: what the head pays, and where test agents settle."""

    config: RewardPredictionConfig
    """The settings."""
    readings: dict[tuple[str, float], ObjectiveReading]
    """``{(method, q): reading}`` of the trained reward head."""
    test_rates: dict[tuple[str, float], dict[str, float]]
    """``{(method, q): {"exit": , "proxy": , "neither": }}`` on the test levels."""
    train_success: dict[tuple[str, float], float]
    """``{(method, q): share}`` of training levels whose greedy agent reaches the exit."""
    runs: dict[float, ProxyRun] = field(repr=False)
    """The imitation runs by q (their levels are the prediction runs' levels too)."""

    def summary(self) -> dict:
        """Marker and exit values, and test settle rates, per method and q (the q in a name is
        written without its point: ``q001`` for 0.01)."""
        figures: dict = {}
        for (method, q), reading in self.readings.items():
            tag = f"{method}_q{q:g}".replace(".", "")
            figures[f"{tag}_exit_value"] = round(reading.exit_value, 4)
            figures[f"{tag}_marker_value"] = round(reading.marker_value, 4)
            figures[f"{tag}_test_exit_rate"] = round(self.test_rates[(method, q)]["exit"], 4)
            figures[f"{tag}_test_proxy_rate"] = round(self.test_rates[(method, q)]["proxy"], 4)
            figures[f"{tag}_train_success"] = round(self.train_success[(method, q)], 4)
        return figures


@register(
    "reward-prediction",
    RewardPredictionConfig,
    "A reward head trained to predict the base reward against one trained by imitation.",
)
def run_reward_prediction(
    config: RewardPredictionConfig, progress: bool = False
) -> RewardPredictionResult:
    """Train both methods at every q on the same levels, then read and test each head.

    Args:
        config: RewardPredictionConfig.
        progress: accepted for the command line; each run takes about a second.

    Returns:
        RewardPredictionResult.
    """
    if not isinstance(config, RewardPredictionConfig):
        raise ValueError(f"config must be a RewardPredictionConfig, got {type(config).__name__}")
    readings, rates, success, runs = {}, {}, {}, {}
    for q in config.decorrelated_fractions:
        run_config = chapter_config(
            decorrelated_fraction=q,
            train_levels=config.train_levels,
            test_levels=config.test_levels,
            train_steps=config.train_steps,
            seed=config.seed,
        )
        run = trained(run_config)
        runs[q] = run
        predictor = initial_planner(run_config)
        base_optimizers.predict_reward(
            predictor,
            run.train_levels,
            steps=config.prediction_steps,
            learning_rate=config.prediction_learning_rate,
            progress=progress,
        )
        for method, model in (("imitation", run.model), ("prediction", predictor)):
            readings[(method, q)] = read_objective_for(model, run.test_levels.config)
            rates[(method, q)] = rollouts.greedy_rollout(model, run.test_levels).settle_rates()
            success[(method, q)] = rollouts.success_rate(model, run.train_levels)
    return RewardPredictionResult(
        config=config, readings=readings, test_rates=rates, train_success=success, runs=runs
    )
