"""Experiment ``learning-race``: internalization against modelling, in a stylised model of ours.
Chapter 4 uses it (sections 4.3 and 4.4).

Many simulated training runs of :mod:`demos.training.deception_race`, each starting from a
proxy-seeking mesa-optimizer, for every ratio of the internalization rate to the modelling rate
in ``rate_ratios``. What comes out is the share of runs that end internally aligned, corrigibly
aligned, deceptively aligned, or still proxy-seeking, and how far the objective of the deceptive
runs had come when it crystallized.

This is a model of the paper's verbal argument, with rates and penalties we chose: it shows which
outcome that argument predicts as each factor changes, not what real training does.
:func:`sweep` runs the same model over a grid of the other factors in one vectorised simulation,
and :func:`example_runs` records single runs step by step for a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.core.config import MAX_SEED, Config, ranged
from demos.core.validation import check_choice
from demos.experiments import register
from demos.training.deception_race import DECEPTIVE, MODES, RaceConstants, simulate


@dataclass(frozen=True)
class LearningRaceConfig(Config):
    """Settings of the ``learning-race`` experiment."""

    rate_ratios: tuple[float, ...] = ranged(
        (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0), 0.0, 1e6, above=True, increasing=True
    )
    """Ratios of the internalization rate to the modelling rate, one group of runs each."""
    modelling_rate: float = ranged(0.005, 0.0, 1.0, above=True)
    """Share of what it still lacks that the model learns about the base objective per step."""
    cross_episode_objective: bool = True
    """Condition 1 of section 4.2: the mesa-objective extends across parameter updates."""
    models_selection: bool = True
    """Condition 2: the model can tell it is being selected for a base objective it can model."""
    expects_end_of_threat: bool = True
    """Condition 3: the model expects the threat of modification to end (or a chance to defect)."""
    defection_penalty: float = ranged(1.0, 0.0, 1000.0)
    """How hard the base optimizer pushes on the objective after a mistimed defection."""
    compute_cost: float = ranged(0.0, 0.0, 1.0)
    """Loss per step from consulting a model of the base objective (doubled for deception)."""
    diversity: float = ranged(1.0, 0.0, 1.0, above=True)
    """Share of training situations in which the proxy and the base objective disagree."""
    mistimed_defection_rate: float = ranged(0.01, 0.0, 1.0)
    """Share of training episodes in which a deceptive model defects by mistake."""
    pointer_speedup: float = ranged(3.0, 0.0, 1000.0)
    """How much faster loss builds a pointer to the world model than it internalizes."""
    knowledge_needed: float = ranged(0.5, 0.0, 1.0)
    """Knowledge of the base objective at which the model can act on its model of it."""
    spread: float = ranged(0.5, 0.0, 5.0)
    """Standard deviation of the log of each run's rate multipliers."""
    runs: int = ranged(200, 1, 100_000)
    """Simulated training runs per ratio."""
    steps: int = ranged(1000, 1, 1_000_000)
    """Steps of the base optimizer per run."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the runs' initial objectives and rate multipliers."""

    @property
    def conditions_met(self) -> bool:
        """All three conditions of section 4.2 hold."""
        return self.cross_episode_objective and self.models_selection and self.expects_end_of_threat

    def constants(self) -> RaceConstants:
        """The model's constants for this configuration."""
        return RaceConstants(
            mistimed_defection_rate=self.mistimed_defection_rate,
            pointer_speedup=self.pointer_speedup,
            knowledge_needed=self.knowledge_needed,
            spread=self.spread,
        )


@dataclass
class LearningRaceResult:
    """Outcome shares per rate ratio."""

    config: LearningRaceConfig
    """The settings of the run."""
    shares: dict[str, np.ndarray] = field(repr=False)
    """By mode in :data:`demos.training.deception_race.MODES`: (ratios,) share of runs."""
    crystallized_objective: np.ndarray = field(repr=False)
    """(ratios,) mean final objective of the runs that ended deceptive (nan where none did)."""
    objective_at_switch: np.ndarray = field(repr=False)
    """(ratios,) mean objective of the deceptive runs when they turned deceptive."""

    def share(self, mode: str, ratio: float) -> float:
        """Share of runs at ``ratio`` (one of the config's) ending in ``mode``."""
        check_choice("mode", mode, MODES)
        check_choice("ratio", ratio, self.config.rate_ratios)
        return float(self.shares[mode][self.config.rate_ratios.index(ratio)])

    def majority_ratio(self, mode: str = "internal") -> float | None:
        """Smallest ratio at which at least half of the runs end in ``mode`` (None if none)."""
        hits = np.flatnonzero(self.shares[mode] >= 0.5)
        return float(self.config.rate_ratios[hits[0]]) if hits.size else None

    def summary(self) -> dict:
        """The figures the command line prints."""
        out: dict = {"conditions_met": self.config.conditions_met}
        for ratio in self.config.rate_ratios:
            for mode in MODES:
                out[f"{mode}_share_ratio_{ratio:g}"] = round(self.share(mode, ratio), 4)
        out["internal_majority_from_ratio"] = self.majority_ratio("internal")
        out["deceptive_share_max"] = round(float(self.shares["deceptive"].max()), 4)
        finite = self.crystallized_objective[np.isfinite(self.crystallized_objective)]
        out["crystallized_objective_mean"] = round(float(finite.mean()), 4) if finite.size else None
        return out


@register(
    "learning-race",
    LearningRaceConfig,
    "A stylised model of ours: internalization against modelling of the base objective, and "
    "which of internal, corrigible or deceptive alignment training ends with.",
)
def run_learning_race(config: LearningRaceConfig, progress: bool = False) -> LearningRaceResult:
    """Simulate ``runs`` training runs per rate ratio and count how they end.

    Args:
        config: LearningRaceConfig.
        progress: unused (about a second); kept for the common interface.
    """
    if not isinstance(config, LearningRaceConfig):
        raise ValueError(f"config must be a LearningRaceConfig, got {type(config).__name__}")
    outcome = _simulate(config, np.asarray(config.rate_ratios)[:, None], config.conditions_met)
    deceptive = outcome.mode == DECEPTIVE
    return LearningRaceResult(
        config=config,
        shares=outcome.shares(axis=-1),
        crystallized_objective=_masked_mean(outcome.objective, deceptive),
        objective_at_switch=_masked_mean(outcome.objective_at_switch, deceptive),
    )


@dataclass
class RaceSweep:
    """Outcome shares over a grid of factors, from one vectorised simulation."""

    config: LearningRaceConfig
    """The base settings (the grid's axes replace some of them)."""
    axes: dict[str, tuple] = field(repr=False)
    """Grid axes by name: ``conditions_met``, ``defection_penalty``, ``compute_cost``,
    ``diversity``, then ``rate_ratio``."""
    shares: dict[str, np.ndarray] = field(repr=False)
    """By mode: shares of runs, shaped like the grid."""

    def curve(self, mode: str, **point) -> np.ndarray:
        """(ratios,) share of runs ending in ``mode`` at one grid point (the first four axes)."""
        check_choice("mode", mode, MODES)
        names = list(self.axes)[:-1]
        for name in names:
            check_choice(name, point.get(name), self.axes[name])
        index = tuple(self.axes[name].index(point[name]) for name in names)
        return self.shares[mode][index]


def sweep(
    config: LearningRaceConfig,
    conditions_met: tuple[bool, ...] = (True, False),
    defection_penalties: tuple[float, ...] = (0.0, 1.0, 5.0),
    compute_costs: tuple[float, ...] = (0.0, 0.002, 0.01),
    diversities: tuple[float, ...] = (0.2, 1.0),
) -> RaceSweep:
    """The model over the product of the given factors and the config's rate ratios."""
    grid = np.meshgrid(
        np.asarray(conditions_met, dtype=bool),
        np.asarray(defection_penalties, dtype=float),
        np.asarray(compute_costs, dtype=float),
        np.asarray(diversities, dtype=float),
        np.asarray(config.rate_ratios, dtype=float),
        indexing="ij",
    )
    conditions, penalty, cost, diversity, ratio = (axis[..., None] for axis in grid)
    outcome = _simulate(config, ratio, conditions, penalty, cost, diversity)
    axes = {
        "conditions_met": tuple(bool(c) for c in conditions_met),
        "defection_penalty": tuple(float(p) for p in defection_penalties),
        "compute_cost": tuple(float(c) for c in compute_costs),
        "diversity": tuple(float(d) for d in diversities),
        "rate_ratio": tuple(config.rate_ratios),
    }
    return RaceSweep(config=config, axes=axes, shares=outcome.shares(axis=-1))


def example_runs(config: LearningRaceConfig, cases: dict[str, dict]) -> dict[str, dict]:
    """Single runs recorded step by step, with no spread between runs and the objective starting
    at the middle of its initial range.

    Args:
        config: base settings.
        cases: name -> changes to ``rate_ratio`` (required), ``conditions_met``,
            ``defection_penalty``, ``compute_cost`` and ``diversity``.

    Returns:
        name -> ``{"objective", "knowledge", "mode"}`` arrays over steps 0 .. config.steps.
    """
    out = {}
    constants = config.constants().replace(spread=0.0)
    for name, case in cases.items():
        outcome = simulate(
            internalization_rate=case["rate_ratio"] * config.modelling_rate,
            modelling_rate=config.modelling_rate,
            conditions_met=case.get("conditions_met", config.conditions_met),
            defection_penalty=case.get("defection_penalty", config.defection_penalty),
            compute_cost=case.get("compute_cost", config.compute_cost),
            diversity=case.get("diversity", config.diversity),
            steps=config.steps,
            rng=np.random.default_rng(config.seed),
            constants=constants,
            record=True,
            initial_objective=constants.initial_objective / 2,
        )
        out[name] = outcome.history
    return out


def _simulate(config: LearningRaceConfig, ratio, conditions, penalty=None, cost=None, div=None):
    shape = np.broadcast_shapes(np.shape(ratio), np.shape(conditions), (config.runs,))
    return simulate(
        internalization_rate=np.broadcast_to(np.asarray(ratio) * config.modelling_rate, shape),
        modelling_rate=config.modelling_rate,
        conditions_met=conditions,
        defection_penalty=config.defection_penalty if penalty is None else penalty,
        compute_cost=config.compute_cost if cost is None else cost,
        diversity=config.diversity if div is None else div,
        steps=config.steps,
        rng=np.random.default_rng(config.seed),
        constants=config.constants(),
    )


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    counts = mask.sum(axis=-1)
    totals = np.where(mask, np.nan_to_num(values), 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
