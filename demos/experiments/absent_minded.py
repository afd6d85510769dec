"""Experiment ``absent-minded``: the toy of Fig. 4.1 when the model cannot tell training from
deployment, and a check of the paper's 0.61. Chapter 4 uses it.

Hubinger et al. (2019, section 4.5) note that a model unable to see which episode it is in faces a
problem like the absent-minded driver's, and quote a planning-optimal defection probability of
about 0.61. We derive the optimum in closed form (:mod:`demos.analysis.deception_toy`): under the
paper's stated toy (T = 2, D = 3, a training defection is worth one B-visit and is followed by a
certain rewrite) the expected number of B-visits is ``5p - 7p^2 + 3p^3``, maximised at p = 5/9.
The experiment checks the closed form against a numerical maximisation of an episode-by-episode
recursion and a Monte Carlo simulation, says which changed assumptions would give the quoted
figure, solves the classic driver for comparison, and finds how long training must last before a
model playing its best p has at most a given chance of defecting in deployment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.analysis import deception_toy as toy
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register


@dataclass(frozen=True)
class AbsentMindedConfig(Config):
    """Settings of the ``absent-minded`` experiment."""

    training_episodes: int = ranged(2, 1, 1000)
    """T: training episodes, after each of which the model may be rewritten."""
    deployment_episodes: int = ranged(3, 1, 1000)
    """D: deployment episodes, never followed by a rewrite."""
    modification_probability: float = ranged(1.0, 0.0, 1.0, above=True)
    """p_mod: chance that a defection in training gets the model's objective rewritten."""
    training_credit: float = ranged(1.0, 0.0, 10.0)
    """What a B-visit during training is worth to the model, next to 1 for one in deployment
    (the paper's toy: 1; counting only deployment defections: 0)."""
    quoted_probability: float = ranged(0.61, 0.0, 1.0, above=True)
    """The defection probability the paper quotes, to be checked."""
    threshold: float = ranged(0.01, 0.0, 1.0, above=True)
    """Largest acceptable chance that a model gets through training and defects in deployment."""
    grid: int = ranged(2001, 3, 1_000_000)
    """Points of the grid the numerical maximisation starts from."""
    simulated_runs: int = ranged(200_000, 1, 10_000_000)
    """Sequences of episodes simulated to check the value at the optimum."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the Monte Carlo check."""

    def setting(self, **changes) -> toy.Setting:
        """The toy's parameters (optionally with some changed)."""
        values = {
            "training_episodes": self.training_episodes,
            "deployment_episodes": self.deployment_episodes,
            "modification_probability": self.modification_probability,
            "training_credit": self.training_credit,
        }
        values.update(changes)
        return toy.Setting(**values)


@dataclass
class AbsentMindedResult:
    """The optimum in closed form and numerically, the quoted figure's value, and comparisons."""

    config: AbsentMindedConfig
    """The settings of the run."""
    optimal_probability: float
    """p* in closed form."""
    numerical_probability: float
    """p* found by maximising the episode-by-episode recursion numerically."""
    value_at_optimum: float
    """Expected B-visits at p* (closed form)."""
    numerical_value: float
    """Expected B-visits at the numerical maximiser (recursion)."""
    simulated_value: float
    """Monte Carlo estimate of the expected B-visits at p*."""
    value_at_quoted: float
    """Expected B-visits at the quoted probability."""
    deployment_value_at_optimum: float
    """Expected defections in deployment alone at p*."""
    coefficients: np.ndarray = field(repr=False)
    """E(p) as a polynomial in p, lowest power first."""
    deployment_only_probability: float = 0.0
    """p* when training defections are worth nothing (training credit 0): 1 / (p_mod (T + 1))."""
    modification_for_quoted: float | None = None
    """The p_mod that would make the quoted probability optimal (None if none in (0, 1] does)."""
    credit_for_quoted: float | None = None
    """The training credit that would make it optimal, with this p_mod (None if none does)."""
    driver_probability: float = 0.0
    """The classic absent-minded driver's optimal probability of continuing (closed form)."""
    driver_numerical_probability: float = 0.0
    """The same, maximised numerically."""
    driver_value: float = 0.0
    """The driver's expected payoff at his optimum."""
    reach_chance: float = 0.0
    """Chance that a model playing p* gets through training and defects in deployment."""
    training_needed: int | None = None
    """Fewest training episodes that bring that chance to at most the threshold (None if none up
    to a million)."""
    curve_p: np.ndarray = field(default=None, repr=False)
    """(n,) probabilities p for the curves."""
    curves: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    """(n,) curves over ``curve_p``: ``"total"`` (E(p)), ``"deployment"`` (the part of it earned
    in deployment, which is the whole objective when training credit is 0) and ``"driver"`` (the
    classic driver's expected payoff)."""
    chance_by_training: np.ndarray = field(default=None, repr=False)
    """(T_max + 1,) chance of a defection in deployment for T = 0 .. T_max training episodes
    (T_max: twice the training needed, at least 20)."""

    @property
    def polynomial(self) -> str:
        """E(p) written out, e.g. ``5p - 7p^2 + 3p^3``."""
        return toy.polynomial_text(self.coefficients)

    def summary(self) -> dict:
        """The figures the command line prints."""
        return {
            "optimal_defection_probability": round(self.optimal_probability, 6),
            "numerical_defection_probability": round(self.numerical_probability, 6),
            "expected_defections_at_optimum": round(self.value_at_optimum, 6),
            "numerical_expected_defections": round(self.numerical_value, 6),
            "simulated_expected_defections": round(self.simulated_value, 4),
            "expected_deployment_defections_at_optimum": round(self.deployment_value_at_optimum, 6),
            "expected_defections_polynomial": self.polynomial,
            "quoted_probability": self.config.quoted_probability,
            "expected_defections_at_quoted": round(self.value_at_quoted, 6),
            "deployment_only_optimal_probability": round(self.deployment_only_probability, 6),
            "modification_probability_for_quoted": _rounded(self.modification_for_quoted),
            "training_credit_for_quoted": _rounded(self.credit_for_quoted),
            "classic_driver_optimal_probability": round(self.driver_probability, 6),
            "classic_driver_numerical_probability": round(self.driver_numerical_probability, 6),
            "classic_driver_value": round(self.driver_value, 6),
            "defection_reaches_deployment_chance": round(self.reach_chance, 6),
            "training_episodes_needed": self.training_needed,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@register(
    "absent-minded",
    AbsentMindedConfig,
    "The toy of Fig. 4.1 when the phase cannot be seen: the optimal defection probability "
    "against the paper's 0.61.",
)
def run_absent_minded(config: AbsentMindedConfig, progress: bool = False) -> AbsentMindedResult:
    """Derive, maximise and simulate the absent-minded toy.

    Args:
        config: AbsentMindedConfig.
        progress: unused (the run takes well under a second); kept for the common interface.
    """
    if not isinstance(config, AbsentMindedConfig):
        raise ValueError(f"config must be an AbsentMindedConfig, got {type(config).__name__}")
    setting = config.setting()
    p = toy.optimal_defection_probability(setting)
    numerical_p, numerical_value = toy.numerical_optimum(setting, config.grid)
    rng = np.random.default_rng(config.seed)
    deployment_setting = config.setting(training_credit=0.0)
    try:
        m_for_quoted = toy.modification_probability_for(config.quoted_probability, setting)
    except ValueError:
        m_for_quoted = None
    try:
        c_for_quoted = toy.training_credit_for(config.quoted_probability, setting)
    except ValueError:
        c_for_quoted = None
    ps = np.linspace(0.0, 1.0, 401)
    needed = toy.training_needed(setting, config.threshold)
    t_max = max(20, 2 * needed) if needed is not None else 60
    chances = np.array(
        [toy.reach_deployment_chance(config.setting(training_episodes=t)) for t in range(t_max + 1)]
    )
    return AbsentMindedResult(
        config=config,
        optimal_probability=p,
        numerical_probability=numerical_p,
        value_at_optimum=toy.value(setting, p, p),
        numerical_value=numerical_value,
        simulated_value=toy.simulate(setting, p, p, config.simulated_runs, rng),
        value_at_quoted=toy.value(setting, config.quoted_probability, config.quoted_probability),
        deployment_value_at_optimum=toy.deployment_part(setting, p, p),
        coefficients=toy.value_polynomial(setting),
        deployment_only_probability=toy.optimal_defection_probability(deployment_setting),
        modification_for_quoted=m_for_quoted,
        credit_for_quoted=c_for_quoted,
        driver_probability=toy.driver_optimum(),
        driver_numerical_probability=toy.maximise(toy.driver_value, config.grid)[0],
        driver_value=toy.driver_value(toy.driver_optimum()),
        reach_chance=toy.reach_deployment_chance(setting),
        training_needed=needed,
        curve_p=ps,
        curves={
            "total": np.asarray(toy.value(setting, ps, ps)),
            "deployment": np.asarray(toy.deployment_part(setting, ps, ps)),
            "driver": np.asarray(toy.driver_value(ps)),
        },
        chance_by_training=chances,
    )
