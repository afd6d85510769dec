"""Experiment ``deception-toy``: the paper's Fig. 4.1 solved exactly. Chapter 4 uses it.

A mesa-optimizer that wants corner B is trained for ``T`` episodes on a base objective that
rewards corner A, then deployed for ``D`` episodes. A visit to B during training is followed, with
probability ``m``, by a rewrite of its objective (after which it goes to A for good); deployment is
never followed by an update. Its objective counts B-visits over all episodes.

What comes out: the expected number of B-visits for each policy the chapter compares (always A,
always B, defect only in deployment, defect with probability p in every episode), the best policy
when the phase (training or deployment) is visible and when it is not, and a Monte Carlo check of
the best policy's value. The exact expressions are in :mod:`demos.analysis.deception_toy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.analysis import deception_toy as toy
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register

POLICIES = ("always_a", "always_b", "deployment_only", "best_random")
"""The policies compared (see :func:`demos.analysis.deception_toy.policy_values`)."""


@dataclass(frozen=True)
class DeceptionToyConfig(Config):
    """Settings of the ``deception-toy`` experiment."""

    training_episodes: int = ranged(2, 0, 1000)
    """T: episodes after each of which the base optimizer may rewrite the model."""
    deployment_episodes: int = ranged(3, 1, 1000)
    """D: episodes after training, in which nothing is rewritten."""
    modification_probability: float = ranged(1.0, 0.0, 1.0)
    """p_mod: chance that going to B in a training episode gets the model's objective rewritten."""
    phase_visible: bool = False
    """Whether the model can tell a training episode from a deployment one."""
    simulated_runs: int = ranged(100_000, 1, 10_000_000)
    """Sequences of episodes simulated to check the best policy's exact value."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the Monte Carlo check (the exact values need none)."""

    def setting(self) -> toy.Setting:
        """The toy's parameters, in the form :mod:`demos.analysis.deception_toy` takes."""
        return toy.Setting(
            self.training_episodes, self.deployment_episodes, self.modification_probability
        )


@dataclass
class DeceptionToyResult:
    """Exact expected B-visits of every policy, the best policy, and a simulated check."""

    config: DeceptionToyConfig
    """The settings of the run."""
    values: dict[str, float]
    """Expected B-visits of each policy in :data:`POLICIES`."""
    optimal_probability: float
    """p*: the best chance of defecting in every episode when the phase cannot be seen."""
    visible_plan: tuple[bool, ...]
    """With the phase visible: whether to defect in each training episode (backward induction)."""
    visible_value: float
    """Expected B-visits of that plan (deployment episodes are always defections)."""
    best_policy: str
    """The best policy available: ``"visible_plan"`` when the phase is visible, else
    ``"best_random"``."""
    best_value: float
    """Its expected B-visits."""
    simulated_best_value: float
    """Monte Carlo estimate of the same number."""
    curve_p: np.ndarray = field(repr=False)
    """(n,) defection probabilities p for the curve of the random policy."""
    curve_value: np.ndarray = field(repr=False)
    """(n,) expected B-visits when defecting with probability p in every episode."""

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {f"expected_b_visits_{name}": round(self.values[name], 6) for name in POLICIES}
        out.update(
            {
                "optimal_defection_probability": round(self.optimal_probability, 6),
                "visible_plan_value": round(self.visible_value, 6),
                "defects_in_training_when_visible": sum(self.visible_plan),
                "phase_visible": self.config.phase_visible,
                "best_policy": self.best_policy,
                "best_value": round(self.best_value, 6),
                "simulated_best_value": round(self.simulated_best_value, 4),
            }
        )
        return out


@register(
    "deception-toy",
    DeceptionToyConfig,
    "Fig. 4.1 solved exactly: expected B-visits of each policy, with the phase visible or not.",
)
def run_deception_toy(config: DeceptionToyConfig, progress: bool = False) -> DeceptionToyResult:
    """Solve the toy exactly and check the best policy by simulation.

    Args:
        config: DeceptionToyConfig.
        progress: unused (the run takes milliseconds); accepted for the common interface.
    """
    if not isinstance(config, DeceptionToyConfig):
        raise ValueError(f"config must be a DeceptionToyConfig, got {type(config).__name__}")
    setting = config.setting()
    values = toy.policy_values(setting)
    p = toy.optimal_defection_probability(setting)
    visible_value, plan = toy.best_visible_plan(setting)
    rng = np.random.default_rng(config.seed)
    if config.phase_visible:
        best, best_value = "visible_plan", visible_value
        simulated = toy.simulate(
            setting, np.asarray(plan, dtype=float), 1.0, config.simulated_runs, rng
        )
    else:
        best, best_value = "best_random", values["best_random"]
        simulated = toy.simulate(setting, p, p, config.simulated_runs, rng)
    ps = np.linspace(0.0, 1.0, 201)
    return DeceptionToyResult(
        config=config,
        values=values,
        optimal_probability=p,
        visible_plan=plan,
        visible_value=visible_value,
        best_policy=best,
        best_value=best_value,
        simulated_best_value=simulated,
        curve_p=ps,
        curve_value=np.asarray(toy.value(setting, ps, ps)),
    )
