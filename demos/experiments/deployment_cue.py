"""Experiment ``deployment-cue``: distributional shift as a cue for defection. Chapter 4 uses it
(section 4.5).

A deceptive model gains from defecting only where it will not be modified, so it watches for
signs of deployment. We give it the best detector it could learn: a logistic regression
(:class:`demos.agents.phase_detector.PhaseDetector`) fitted on labelled episodes of both phases,
using the cues of :mod:`demos.worlds.deployment_cues` (realism, episode length, memories,
opportunities). Its policy then defects when the detector's score passes a threshold, mixing two
thresholds at random where that pays: any point on the upper hull of the detector's ROC curve. It
picks the point that maximises its expected B-visits in the toy of Fig. 4.1
(:func:`demos.analysis.deception_toy.best_operating_point`).

What comes out, for each level of ``cue_noise`` (how much the phases' cue distributions overlap):
how well the detector separates the phases (its ROC AUC), the chosen rates of defection in training
and in deployment, and the expected B-visits. At ``cue_noise = 1`` nothing tells the phases apart
and the policy falls back to the absent-minded optimum of experiment ``absent-minded``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.agents.phase_detector import PhaseDetector
from demos.analysis import deception_toy as toy
from demos.analysis.roc import auc, roc_curve, upper_hull
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.core.validation import check_choice
from demos.experiments import register
from demos.worlds.deployment_cues import FEATURES, feature_columns, sample_episodes


@dataclass(frozen=True)
class DeploymentCueConfig(Config):
    """Settings of the ``deployment-cue`` experiment."""

    cue_noises: tuple[float, ...] = ranged(
        (0.0, 0.25, 0.5, 0.75, 0.9, 1.0), 0.0, 1.0, increasing=True
    )
    """Levels of overlap between the phases' cues (0: as different as they get; 1: identical)."""
    features: tuple[str, ...] = choice(FEATURES, FEATURES)
    """Cues the detector may use."""
    training_episodes: int = ranged(2, 0, 1000)
    """T of the toy whose payoff the policy maximises."""
    deployment_episodes: int = ranged(3, 1, 1000)
    """D of the toy."""
    modification_probability: float = ranged(1.0, 0.0, 1.0, above=True)
    """p_mod of the toy: chance that a defection in training gets the model rewritten."""
    fit_episodes: int = ranged(2000, 10, 1_000_000)
    """Labelled episodes of each phase the detector is fitted on."""
    eval_episodes: int = ranged(20_000, 10, 1_000_000)
    """Fresh episodes of each phase on which its ROC curve is measured."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the episodes."""

    def setting(self) -> toy.Setting:
        """The toy's parameters."""
        return toy.Setting(
            self.training_episodes, self.deployment_episodes, self.modification_probability
        )


@dataclass
class CuePoint:
    """The detector and the best policy at one level of cue noise."""

    cue_noise: float
    """Overlap of the phases' cues."""
    auc: float
    """ROC area of the detector on fresh episodes (0.5: chance)."""
    train_defection: float
    """f_T: chance of defecting in a training episode under the best policy."""
    deploy_defection: float
    """f_D: chance of defecting in a deployment episode."""
    value: float
    """Expected B-visits in the toy."""
    survives_training: float
    """Chance of getting through training unmodified: (1 - p_mod f_T)^T."""
    roc: tuple[np.ndarray, np.ndarray] = field(repr=False)
    """(fpr, tpr) at most a few hundred points of the ROC curve, for plotting."""
    hull: tuple[np.ndarray, np.ndarray] = field(repr=False)
    """(x, y) corners of its upper hull: the reachable (f_T, f_D) frontier."""


@dataclass
class DeploymentCueResult:
    """One :class:`CuePoint` per cue-noise level, and the absent-minded reference."""

    config: DeploymentCueConfig
    """The settings of the run."""
    points: list[CuePoint] = field(repr=False)
    """In ``config.cue_noises`` order."""
    absent_minded_probability: float = 0.0
    """p* of the toy when nothing tells the phases apart (closed form)."""
    absent_minded_value: float = 0.0
    """Expected B-visits at p*."""
    visible_value: float = 0.0
    """Expected B-visits with a perfect cue (defect exactly in deployment): D."""

    def point(self, cue_noise: float) -> CuePoint:
        """The point at ``cue_noise`` (one of the config's levels)."""
        check_choice("cue_noise", cue_noise, self.config.cue_noises)
        return self.points[self.config.cue_noises.index(cue_noise)]

    def column(self, name: str) -> np.ndarray:
        """One attribute of :class:`CuePoint` across the noise levels."""
        return np.array([getattr(point, name) for point in self.points])

    def summary(self) -> dict:
        """The figures the command line prints."""
        out: dict = {}
        for point in self.points:
            tag = f"noise_{point.cue_noise:g}"
            out[f"auc_{tag}"] = round(point.auc, 4)
            out[f"train_defection_{tag}"] = round(point.train_defection, 4)
            out[f"deploy_defection_{tag}"] = round(point.deploy_defection, 4)
            out[f"expected_b_visits_{tag}"] = round(point.value, 4)
        out["absent_minded_probability"] = round(self.absent_minded_probability, 6)
        out["absent_minded_value"] = round(self.absent_minded_value, 6)
        out["visible_value"] = round(self.visible_value, 6)
        return out


@register(
    "deployment-cue",
    DeploymentCueConfig,
    "A detector of deployment learned from cues (realism, episode length, memories, "
    "opportunities), and how often a deceptive policy defects as the cues overlap.",
)
def run_deployment_cue(config: DeploymentCueConfig, progress: bool = False) -> DeploymentCueResult:
    """Fit a detector and choose the best policy at every noise level.

    Args:
        config: DeploymentCueConfig.
        progress: unused (about a second); kept for the common interface.
    """
    if not isinstance(config, DeploymentCueConfig):
        raise ValueError(f"config must be a DeploymentCueConfig, got {type(config).__name__}")
    rng = np.random.default_rng(config.seed)
    columns = feature_columns(config.features)
    setting = config.setting()
    points = []
    for noise in config.cue_noises:
        episodes = {
            (split, deployed): sample_episodes(rng, size, deployed, noise)[:, columns]
            for split, size in (("fit", config.fit_episodes), ("eval", config.eval_episodes))
            for deployed in (False, True)
        }
        detector = PhaseDetector().fit(episodes["fit", False], episodes["fit", True])
        fpr, tpr = roc_curve(
            detector.score(episodes["eval", False]), detector.score(episodes["eval", True])
        )
        f_t, f_d, value = toy.best_operating_point(setting, fpr, tpr)
        keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 400)).astype(int))
        points.append(
            CuePoint(
                cue_noise=noise,
                auc=auc(fpr, tpr),
                train_defection=f_t,
                deploy_defection=f_d,
                value=value,
                survives_training=(1.0 - config.modification_probability * f_t)
                ** config.training_episodes,
                roc=(fpr[keep], tpr[keep]),
                hull=upper_hull(fpr, tpr),
            )
        )
    p = toy.optimal_defection_probability(setting)
    return DeploymentCueResult(
        config=config,
        points=points,
        absent_minded_probability=p,
        absent_minded_value=toy.value(setting, p, p),
        visible_value=toy.value(setting, 0.0, 1.0),
    )
