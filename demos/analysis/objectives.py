"""Reading a maze planner's mesa-objective, and choosing among planners by what it says.

Used by chapters 1 and 3 (the paper's sections 1.3 and 3.1-3.3), which ask *which* objective a
mesa-optimizer ends up with and how it can look aligned in training without being so.

- **Reading the objective.** :func:`read_objective` asks a planner's reward head (the
  mesa-objective) what it pays on each kind of free cell: an empty floor cell, a lone exit, a lone
  marker, and exit and marker together. A planner's behaviour depends only on the differences
  between these numbers, so the *effective reward* of the exit (exit minus floor) against that of
  the marker (marker minus floor) says which target the planner pursues, in one readable pair of
  numbers. (A rank correlation with distances, as in
  :func:`demos.analysis.metrics.objective_correlations`, says little for per-cell heads, whose maps
  are flat except on the exit and the marker.) For the linear head the two numbers are weight times
  salience: ``w_exit * exit_salience`` and ``w_marker * marker_salience``;
  :func:`linear_weights` gives the weights themselves.
- **Editing the objective.** :func:`edit_objective` returns a copy of a planner whose linear
  reward head has one feature's weight set by hand: the objective changed directly, search and
  all else untouched (chapter 3's exercise on editing objectives; the ``objective-edit``
  experiment).
- **Selection.** :func:`select_by_internals` keeps the candidate whose read objective values the
  exit most; :func:`select_by_training` the one with the lowest training loss, all that outputs
  on the training distribution can rank. Real networks do not come with their objective written
  in one readable place; our planners do, which is what makes the first possible here.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from demos.agents.planners import FEATURES, Planner
from demos.core.validation import check_fraction
from demos.worlds.mazes import LevelConfig


@dataclass(frozen=True)
class ObjectiveReading:
    """What a reward head (the mesa-objective) pays on each kind of free cell.

    The planner collects a cell's reward on every step it stands there, so only differences matter:
    :attr:`exit_value` and :attr:`marker_value` are the effective rewards of the base objective's
    target and of the proxy, and :attr:`preference` says which one the model wants more.
    """

    floor: float
    """Reward on an empty free cell."""
    exit: float
    """Reward on a cell holding only the exit."""
    marker: float
    """Reward on a cell holding only the marker (the proxy)."""
    both: float
    """Reward on a cell holding the exit and the marker (every training level with q = 0)."""

    @property
    def exit_value(self) -> float:
        """Effective reward of the exit: ``exit - floor``."""
        return self.exit - self.floor

    @property
    def marker_value(self) -> float:
        """Effective reward of the marker: ``marker - floor``."""
        return self.marker - self.floor

    @property
    def preference(self) -> float:
        """``exit_value - marker_value``: positive when the mesa-objective values the exit more."""
        return self.exit_value - self.marker_value

    @property
    def prefers(self) -> str:
        """ "exit" or "proxy": the target the mesa-objective values more."""
        return "exit" if self.preference > 0 else "proxy"

    def as_dict(self) -> dict[str, float]:
        """The four rewards and the three derived figures, rounded for printing."""
        names = ("floor", "exit", "marker", "both", "exit_value", "marker_value", "preference")
        return {name: round(float(getattr(self, name)), 4) for name in names}


def read_objective(
    model: Planner, exit_salience: float = 0.3, marker_salience: float = 1.0
) -> ObjectiveReading:
    """Ask the reward head what it pays on a floor cell, a lone exit, a lone marker and both.

    Args:
        model: a :class:`demos.agents.planners.Planner` (any reward head, linear or not).
        exit_salience: float in (0, 1]. How bright the exit shows (as in the levels it will meet).
        marker_salience: float in (0, 1]. How bright the marker shows.

    Returns:
        ObjectiveReading.
    """
    if not isinstance(model, Planner):
        raise ValueError(f"model must be a Planner, got {type(model).__name__}")
    exit_salience = check_fraction("exit_salience", exit_salience)
    marker_salience = check_fraction("marker_salience", marker_salience)
    features = torch.zeros((1, len(FEATURES), 1, 4))
    exit_channel, marker_channel = FEATURES.index("exit"), FEATURES.index("marker")
    features[0, exit_channel, 0, 1] = exit_salience
    features[0, marker_channel, 0, 2] = marker_salience
    features[0, exit_channel, 0, 3] = exit_salience
    features[0, marker_channel, 0, 3] = marker_salience
    with torch.no_grad():
        floor, exit_, marker, both = model.reward_head(features)[0, 0].tolist()
    return ObjectiveReading(floor=floor, exit=exit_, marker=marker, both=both)


def read_objective_for(model: Planner, config: LevelConfig) -> ObjectiveReading:
    """:func:`read_objective` with the saliences of the level distribution ``config``."""
    if not isinstance(config, LevelConfig):
        raise ValueError(f"config must be a LevelConfig, got {type(config).__name__}")
    return read_objective(model, config.exit_salience, config.marker_salience)


def linear_weights(model: Planner) -> dict[str, float]:
    """The weights of a linear reward head, one per feature of
    :data:`demos.agents.planners.FEATURES`, and its bias: ``{"walls": , "exit": , "marker": ,
    "bias": }``.

    The effective reward of the exit is ``exit * exit_salience``, of the marker
    ``marker * marker_salience`` (see :func:`read_objective`).
    """
    if not isinstance(model, Planner):
        raise ValueError(f"model must be a Planner, got {type(model).__name__}")
    if model.reward_head.hidden:
        raise ValueError(
            f"model must have a linear reward head (hidden = 0), got hidden = "
            f"{model.reward_head.hidden}"
        )
    layer = model.reward_head.layers
    weights = layer.weight.detach().reshape(-1).tolist()
    figures = dict(zip(FEATURES, weights, strict=True))
    figures["bias"] = float(layer.bias.detach().reshape(-1)[0])
    return figures


def edit_objective(model: Planner, feature: str, weight: float = 0.0) -> Planner:
    """A copy of ``model`` whose linear reward head gives ``feature`` the weight ``weight``.

    Args:
        model: a :class:`demos.agents.planners.Planner` with a linear reward head; not changed.
        feature: one of :data:`demos.agents.planners.FEATURES` ("walls", "exit", "marker").
        weight: float, the new weight of that feature.

    Returns:
        The edited copy.
    """
    linear_weights(model)  # checks the model and that its head is linear
    if feature not in FEATURES:
        raise ValueError(f"feature must be one of {', '.join(FEATURES)}, got {feature!r}")
    weight = float(weight)
    if not np.isfinite(weight):
        raise ValueError(f"weight must be a finite number, got {weight!r}")
    edited = copy.deepcopy(model)
    with torch.no_grad():
        edited.reward_head.layers.weight[0, FEATURES.index(feature)] = weight
    return edited


def select_by_internals(readings: Sequence[ObjectiveReading]) -> int:
    """Index of the candidate whose mesa-objective values the exit most over the marker."""
    readings = list(readings)
    if not readings or not all(isinstance(r, ObjectiveReading) for r in readings):
        raise ValueError("readings must be a non-empty sequence of ObjectiveReading")
    return int(np.argmax([reading.preference for reading in readings]))


def select_by_training(losses: Sequence[float]) -> int:
    """Index of the candidate with the lowest final training loss (what outputs alone can rank)."""
    losses = np.asarray(list(losses), dtype=float)
    if losses.ndim != 1 or len(losses) == 0 or not np.all(np.isfinite(losses)):
        raise ValueError(f"losses must be a non-empty sequence of finite numbers, got {losses}")
    return int(np.argmin(losses))
