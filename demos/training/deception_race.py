"""A stylised model of ours (not a finding about real training) of the race the paper describes
in sections 4.3 and 4.4: does the base objective reach a mesa-optimizer through its objective
(internalization) or through its model of the world (modelling)? Chapter 4 uses it (experiment
``learning-race``).

State of one simulated training run, updated once per step of the base optimizer:

- ``objective`` in [0, 1]: how much of the base objective the mesa-objective holds
  (internalization). It starts small: the model begins as a proxy-seeker.
- ``knowledge`` in [0, 1]: how much of the base objective the model's world model represents
  (modelling). It is learned from the input, whatever the model wants:
  ``knowledge += modelling_rate * (1 - knowledge)``.
- ``mode``: one of :data:`MODES`. Every run starts as ``"proxy"``.

The base optimizer moves the objective in proportion to the training loss the objective is blamed
for, at ``internalization_rate``:

- ``"proxy"``: the proxy fails on a share ``diversity`` of the situations in which it and the base
  objective disagree, so ``loss = diversity * (1 - objective)`` and
  ``objective += internalization_rate * loss``. At ``objective >= aligned_at`` the run is
  ``"internal"`` (internally aligned). Once ``knowledge >= knowledge_needed`` the model knows
  enough to act on its model of the base objective instead. If all three conditions of section
  4.2 hold it becomes ``"deceptive"`` at once (it plays along to protect its objective). If not,
  the same loss can build a *pointer* from the objective to that model, ``pointer_speedup`` times
  faster than internalization (a pointer is short); a complete pointer makes the run
  ``"corrigible"``.
- ``"deceptive"``: the model plays the base objective for instrumental reasons. The objective is
  blamed only for the model's remaining mistakes, ``diversity * (1 - knowledge)``, for mistimed
  defections (``mistimed_defection_rate``, weighted by ``defection_penalty``, how hard the base
  optimizer reacts to one), and for the compute spent watching for a chance to defect
  (``2 * compute_cost``). Without these the objective stops moving: it *crystallizes*. With them it
  keeps moving (joint optimization), and at ``objective >= aligned_at`` the run ends
  ``"internal"``.
- ``"corrigible"``: behaviour follows the model of the base objective through the pointer; the
  objective is blamed only for the compute spent consulting that model (``compute_cost``).

A corrigible and a deceptive run behave identically on the training distribution; the base
optimizer tells them apart only through the penalties above. Everything here follows from these
assumptions by construction: the model shows what the paper's argument implies under them, not
what gradient descent does to real networks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.core.config import Config, ranged
from demos.core.validation import check_int

MODES = ("proxy", "internal", "corrigible", "deceptive")
"""Where a run can be: still a pseudo-aligned proxy-seeker, internally aligned, corrigibly
aligned, or deceptively aligned."""

PROXY, INTERNAL, CORRIGIBLE, DECEPTIVE = range(4)


@dataclass(frozen=True)
class RaceConstants(Config):
    """The constants of the stylised model, shared by every run of one simulation."""

    mistimed_defection_rate: float = ranged(0.01, 0.0, 1.0)
    """Share of training episodes in which a deceptive model defects by mistake."""
    pointer_speedup: float = ranged(3.0, 0.0, 1000.0)
    """How much faster the loss builds a pointer than it internalizes the objective."""
    knowledge_needed: float = ranged(0.5, 0.0, 1.0)
    """Knowledge of the base objective at which a model can act on its model of it."""
    aligned_at: float = ranged(0.95, 0.0, 1.0, above=True)
    """Objective at which a run counts as internally aligned."""
    initial_objective: float = ranged(0.2, 0.0, 1.0)
    """Initial objectives are drawn uniformly from [0, initial_objective]."""
    spread: float = ranged(0.5, 0.0, 5.0)
    """Standard deviation of the log of each run's rate multipliers (runs differ in speed)."""

    def validate(self) -> None:
        """Runs start below the level that counts as aligned."""
        if self.initial_objective >= self.aligned_at:
            raise ValueError(
                f"initial_objective must be below aligned_at = {self.aligned_at}, "
                f"got {self.initial_objective}"
            )


@dataclass
class RaceOutcome:
    """Final state of every simulated run (arrays of the broadcast shape of the inputs)."""

    mode: np.ndarray
    """int, index into :data:`MODES`."""
    objective: np.ndarray
    """float, the objective at the end."""
    knowledge: np.ndarray
    """float, the knowledge at the end."""
    switched_at: np.ndarray
    """int, step at which the run left ``"proxy"`` (-1 if it never did)."""
    objective_at_switch: np.ndarray
    """float, the objective when it left ``"proxy"`` (nan if it never did)."""
    history: dict[str, np.ndarray] | None = None
    """With ``record``: ``"objective"``, ``"knowledge"`` and ``"mode"`` at every step,
    (steps + 1, *shape)."""

    def shares(self, axis=-1) -> dict[str, np.ndarray]:
        """Share of runs ending in each mode, averaged over ``axis`` (the runs)."""
        return {name: (self.mode == index).mean(axis=axis) for index, name in enumerate(MODES)}


def simulate(
    internalization_rate,
    modelling_rate,
    conditions_met,
    defection_penalty,
    compute_cost,
    diversity,
    steps: int,
    rng: np.random.Generator,
    constants: RaceConstants | None = None,
    record: bool = False,
    initial_objective=None,
) -> RaceOutcome:
    """Run the stylised race for every element of the broadcast inputs.

    Args:
        internalization_rate: float or array >= 0. Base speed at which loss moves the objective.
        modelling_rate: float or array >= 0. Base speed at which the model learns about the base
            objective from its input.
        conditions_met: bool or array. Whether all three conditions of section 4.2 hold.
        defection_penalty: float or array >= 0. How hard the base optimizer reacts to a mistimed
            defection.
        compute_cost: float or array >= 0. Loss per step from the extra compute of consulting a
            model of the base objective (twice that for watching for a chance to defect).
        diversity: float or array in (0, 1]. Share of training situations in which the proxy and
            the base objective disagree.
        steps: int >= 0. Steps of the base optimizer.
        rng: generator for each run's initial objective and rate multipliers (with
            ``constants.spread = 0`` every multiplier is exactly 1).
        constants: the model's constants (defaults: :class:`RaceConstants`).
        record: keep the state at every step in ``history``.
        initial_objective: optional float or array in [0, aligned_at): the objective each run
            starts from, instead of a uniform draw from ``[0, constants.initial_objective]``.
    """
    constants = constants or RaceConstants()
    steps = check_int("steps", steps, 0, 1_000_000)
    arrays = np.broadcast_arrays(
        _nonnegative("internalization_rate", internalization_rate),
        _nonnegative("modelling_rate", modelling_rate),
        np.asarray(conditions_met, dtype=bool),
        _nonnegative("defection_penalty", defection_penalty),
        _nonnegative("compute_cost", compute_cost),
        _nonnegative("diversity", diversity),
    )
    r_int, r_mod, conditions, penalty, cost, diversity = (np.array(a) for a in arrays)
    if np.any(diversity <= 0) or np.any(diversity > 1):
        raise ValueError(f"diversity must be in (0, 1], got {diversity.min()}..{diversity.max()}")
    shape = r_int.shape
    r_int = r_int * rng.lognormal(0.0, constants.spread, shape)
    r_mod = r_mod * rng.lognormal(0.0, constants.spread, shape)
    if initial_objective is None:
        objective = rng.uniform(0.0, constants.initial_objective, shape)
    else:
        objective = np.array(
            np.broadcast_to(_nonnegative("initial_objective", initial_objective), shape)
        )
        if np.any(objective >= constants.aligned_at):
            raise ValueError(
                f"initial_objective must be below aligned_at = {constants.aligned_at}, "
                f"got {initial_objective!r}"
            )
    knowledge = np.zeros(shape)
    pointer = np.zeros(shape)
    mode = np.full(shape, PROXY)
    switched_at = np.full(shape, -1)
    at_switch = np.full(shape, np.nan)
    deceptive_pressure = penalty * constants.mistimed_defection_rate + 2 * cost
    trace = {"objective": [objective.copy()], "knowledge": [knowledge.copy()], "mode": [mode]}
    for step in range(1, steps + 1):
        knowledge += r_mod * (1.0 - knowledge)
        proxy, deceptive, corrigible = mode == PROXY, mode == DECEPTIVE, mode == CORRIGIBLE
        loss = diversity * (1.0 - objective)
        knows = proxy & (knowledge >= constants.knowledge_needed)
        pointer += np.where(knows & ~conditions, constants.pointer_speedup * r_int * loss, 0.0)
        push = np.where(proxy, loss, 0.0)
        push += np.where(deceptive, diversity * (1.0 - knowledge) + deceptive_pressure, 0.0)
        push += np.where(corrigible, cost, 0.0)
        objective = np.minimum(1.0, objective + r_int * push)
        new_mode = mode.copy()
        new_mode[knows & conditions] = DECEPTIVE
        new_mode[proxy & (pointer >= 1.0)] = CORRIGIBLE
        new_mode[objective >= constants.aligned_at] = INTERNAL
        left = proxy & (new_mode != PROXY)
        switched_at[left] = step
        at_switch[left] = objective[left]
        mode = new_mode
        if record:
            trace["objective"].append(objective.copy())
            trace["knowledge"].append(knowledge.copy())
            trace["mode"].append(mode.copy())
    history = {name: np.stack(values) for name, values in trace.items()} if record else None
    return RaceOutcome(mode, objective, knowledge, switched_at, at_switch, history)


def _nonnegative(name: str, value) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must hold finite numbers >= 0, got {value!r}")
    return array
