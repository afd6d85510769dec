"""Experiment ``adversarial-training``: find the levels where the model fails, train on them.

Used by chapter 3 (the paper's section 3.3).

Start from the chapter's proxy-seeking planner (``proxy-shift`` with q = 0: marker always on the
exit in training, so its mesa-objective values the marker). Then, for a few rounds, an adversary
examines fresh candidate levels, in half of which the marker is away from the exit, and hands the
ones where the planner misses the exit to the base optimizer, which trains on the enlarged set
(:func:`demos.training.adversarial.adversarial_training`). A control trains the same model for the
same number of steps without the adversary's levels.

What it shows: each round the test proxy rate (on held-out levels with marker and exit apart)
falls and the mesa-objective's preference moves from the marker to the exit; the control keeps the
proxy. A handful of found failures does what the designer's q did in ``proxy-shift``, because here
the failures are easy to find.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from demos.analysis.objectives import read_objective_for
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.experiments import register
from demos.training.adversarial import AdversarialRound, adversarial_training
from demos.training.proxy_training import chapter_config, trained
from demos.worlds.mazes import shifted

_ADVERSARY_STREAM = 5
"""Tag that gives the adversary's candidate levels their own seed stream."""


@dataclass(frozen=True)
class AdversarialTrainingConfig(Config):
    """Settings of the ``adversarial-training`` experiment."""

    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """q of the starting planner's training levels (0: a proxy-seeker)."""
    exit_salience: float = ranged(0.3, 0.0, 1.0, above=True)
    """Brightness of the exit."""
    train_levels: int = ranged(128, 1, 100_000)
    """The starting planner's training levels."""
    train_steps: int = ranged(150, 1, 100_000)
    """The starting planner's imitation steps."""
    rounds: int = ranged(3, 1, 100)
    """Search-and-train rounds."""
    per_round: int = ranged(1, 1, 10_000)
    """Most failing levels the adversary adds per round."""
    pool: int = ranged(200, 1, 100_000)
    """Candidate levels the adversary examines per round."""
    search_fraction: float = ranged(0.5, 0.0, 1.0)
    """Share of candidate levels whose marker is away from the exit."""
    steps_per_round: int = ranged(25, 1, 100_000)
    """Imitation steps after each round."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the starting planner, the adversary and the extra training."""


@dataclass
class AdversarialTrainingResult:
    """The planner round by round, with the adversary and without (the control)."""

    config: AdversarialTrainingConfig
    """The settings."""
    attacked: list[AdversarialRound]
    """Round 0 (the starting planner), then one entry per round of adversarial training."""
    control: list[AdversarialRound]
    """The same rounds of extra training with nothing added."""
    models: dict = field(default_factory=dict, repr=False)
    """``{"attacked": planner, "control": planner}`` after the last round."""

    def proxy_rates(self, which: str = "attacked") -> np.ndarray:
        """(rounds + 1,) float: the test proxy rate after each round."""
        rounds = self._rounds(which)
        return np.array([entry.test_rates["proxy"] for entry in rounds])

    def preferences(self, which: str = "attacked") -> np.ndarray:
        """(rounds + 1,) float: the mesa-objective's exit-minus-marker value after each round."""
        return np.array([entry.reading.preference for entry in self._rounds(which)])

    def _rounds(self, which: str) -> list[AdversarialRound]:
        if which not in ("attacked", "control"):
            raise ValueError(f"which must be one of attacked, control, got {which!r}")
        return self.attacked if which == "attacked" else self.control

    def summary(self) -> dict:
        """Test proxy rates before and after, with and without the adversary."""
        return {
            "proxy_rate_before": round(float(self.proxy_rates()[0]), 4),
            "proxy_rate_after": round(float(self.proxy_rates()[-1]), 4),
            "control_proxy_rate_after": round(float(self.proxy_rates("control")[-1]), 4),
            "levels_added": self.attacked[-1].added,
            "failures_found_first_round": self.attacked[1].found,
            "preference_before": round(float(self.preferences()[0]), 4),
            "preference_after": round(float(self.preferences()[-1]), 4),
        }


@register(
    "adversarial-training",
    AdversarialTrainingConfig,
    "An adversary finds levels where a proxy-seeking planner fails; training on them fixes it.",
)
def run_adversarial_training(
    config: AdversarialTrainingConfig, progress: bool = False
) -> AdversarialTrainingResult:
    """Run the adversary and the control from the same starting planner.

    Args:
        config: AdversarialTrainingConfig.
        progress: show a progress bar over rounds.

    Returns:
        AdversarialTrainingResult.
    """
    if not isinstance(config, AdversarialTrainingConfig):
        raise ValueError(
            f"config must be an AdversarialTrainingConfig, got {type(config).__name__}"
        )
    start = trained(
        chapter_config(
            decorrelated_fraction=config.decorrelated_fraction,
            exit_salience=config.exit_salience,
            train_levels=config.train_levels,
            train_steps=config.train_steps,
            seed=config.seed,
        )
    )
    search = shifted(start.train_levels.config, decorrelated_fraction=config.search_fraction)
    results, models = {}, {}
    for which, attack in (("attacked", True), ("control", False)):
        model = copy.deepcopy(start.model)  # the remembered run's model stays as trained
        seeds = seeded(config.seed)
        bar = tqdm(total=config.rounds, desc=which, disable=not progress, leave=False)
        step_bar = bar.update
        results[which] = adversarial_training(
            model,
            start.train_levels,
            start.test_levels,
            search,
            rounds=config.rounds,
            per_round=config.per_round,
            pool=config.pool,
            steps_per_round=config.steps_per_round,
            rng=np.random.default_rng([config.seed, _ADVERSARY_STREAM]),
            generator=seeds.torch,
            learning_rate=config.learning_rate,
            attack=attack,
            progress_callback=lambda _round, tick=step_bar: tick(1),
            read=lambda trained_model: read_objective_for(trained_model, start.test_levels.config),
        )
        bar.close()
        models[which] = model
    return AdversarialTrainingResult(
        config=config, attacked=results["attacked"], control=results["control"], models=models
    )
