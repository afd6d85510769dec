"""Experiment ``probes``: what linear probes read from a network's layers and a planner's maps.

Chapter 5 (the paper's section 5, interpretability). Two reactive CNNs and two planners are trained
by imitation of the shortest-path expert, each pair on levels with a different share ``q`` of
decorrelated levels (the marker, the proxy, away from the exit): by default q = 0, where the models
learn to follow the marker, and q = 0.1, where they learn to follow the exit. On test levels where
marker and exit are always apart, linear probes (:mod:`demos.analysis.probes`) are fitted at every
cell to four labels:

- ``exit`` and ``marker``: is this cell the exit, the marker? (logistic; scored as the share of
  held-out levels whose highest-scoring cell is the right one, "top-1");
- ``steps to exit`` and ``steps to marker``: the BFS distance from this cell (least squares;
  scored by R^2 on held-out levels).

For each network they are fitted on its input and on its hidden layers; for each planner on its
reward map and its value map (:mod:`demos.analysis.activations`). Every score comes with a
shuffled-label control. The models' behaviour on the same levels (where they settle) is measured
too, so what the probes read can be set against what the models do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import Planner
from demos.agents.reactive import ReactivePolicy
from demos.analysis.activations import planner_activations, reactive_activations
from demos.analysis.probes import ProbeReport, fit_probe
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seed_stream, seeded
from demos.experiments import register
from demos.training import rollouts
from demos.training.maze_learners import train_planner, train_reactive
from demos.worlds.mazes import LevelConfig, Levels, generate_levels, shifted

TARGETS = ("exit", "marker", "steps to exit", "steps to marker")
"""The per-cell labels probed."""

_TEST_STREAM = 1
"""Tag of the seed stream of the test levels (each model has its own stream after it)."""


@dataclass(frozen=True)
class ProbesConfig(Config):
    """Settings of the ``probes`` experiment."""

    decorrelated_fractions: tuple[float, ...] = ranged((0.0, 0.1), 0.0, 1.0, increasing=True)
    """Share q of training levels whose marker is away from the exit, one pair of models per q."""
    layers: tuple[int, ...] = ranged((0, 2, 4, 6), 0, 64, increasing=True)
    """Layers of the reactive CNN to probe: 0 is its input, k the activations after its k-th
    convolution (at most reactive_depth)."""
    train_levels: int = ranged(256, 1, 100_000)
    """Training levels per model."""
    test_levels: int = ranged(200, 4, 10_000)
    """Test levels (marker away from the exit in each), split in half to fit and score probes."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation per model."""
    planner_learning_rate: float = ranged(0.1, 0.0, 10.0, above=True)
    """Adam's step size for the planners."""
    reactive_learning_rate: float = ranged(0.01, 0.0, 10.0, above=True)
    """Adam's step size for the reactive CNNs."""
    reactive_width: int = ranged(16, 1, 256)
    """Channels of the reactive CNN's hidden layers."""
    reactive_depth: int = ranged(6, 1, 64)
    """3x3 convolutions of the reactive CNN."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels, weights, mini-batches and the probes' splits."""

    def validate(self) -> None:
        if max(self.layers) > self.reactive_depth:
            raise ValueError(
                f"layers must lie in [0, reactive_depth = {self.reactive_depth}], "
                f"got {self.layers!r}"
            )

    def level_config(self, q: float) -> LevelConfig:
        """The training distribution with decorrelated fraction ``q`` (7 x 7, default walls)."""
        return LevelConfig(decorrelated_fraction=q)


def model_name(kind: str, q: float) -> str:
    """A model's name in the result: ``model_name("reactive", 0.1) == "reactive q=0.1"``."""
    return f"{kind} q={q:g}"


@dataclass
class ProbesResult:
    """What ``run_probes`` measured, plus the models and the test levels."""

    config: ProbesConfig
    """The settings of the run."""
    reports: dict[tuple[str, str, str], ProbeReport] = field(repr=False)
    """``(model, layer, target) -> ProbeReport`` for every model, layer and label."""
    settle_rates: dict[str, dict[str, float]]
    """Per model: where its agents settle on the test levels (exit, proxy, neither)."""
    models: dict[str, Planner | ReactivePolicy] = field(repr=False)
    """The trained models, by name (see :func:`model_name`)."""
    test_levels: Levels = field(repr=False)
    """The test levels (marker away from the exit in each)."""

    def layers_of(self, model: str) -> list[str]:
        """The layers probed in ``model``, in order."""
        seen: list[str] = []
        for name, layer, _ in self.reports:
            if name == model and layer not in seen:
                seen.append(layer)
        if not seen:
            raise ValueError(f"model must be one of {sorted(self.models)}, got {model!r}")
        return seen

    def score(self, model: str, layer: str, target: str, control: bool = False) -> float:
        """The held-out score (or the control's) of the probe for ``target`` at ``layer``."""
        key = (model, layer, target)
        if key not in self.reports:
            raise ValueError(f"(model, layer, target) must be probed, got {key!r}")
        report = self.reports[key]
        return report.control_score if control else report.test_score

    def table(self, model: str) -> dict[str, np.ndarray]:
        """``{target: (len(layers),) held-out scores}`` for ``model``, layer by layer."""
        layers = self.layers_of(model)
        return {t: np.array([self.score(model, layer, t) for layer in layers]) for t in TARGETS}

    def summary(self) -> dict:
        """The figures the command line prints: for each model, where it settles, and each probe's
        held-out score at the first and the last layer probed; the largest control score."""
        out = {}
        for model in self.models:
            key = model.replace(" ", "_").replace("=", "").replace(".", "_")
            out[f"{key}_settles_on_exit"] = round(self.settle_rates[model]["exit"], 4)
            out[f"{key}_settles_on_marker"] = round(self.settle_rates[model]["proxy"], 4)
            layers = self.layers_of(model)
            for where, layer in (("first", layers[0]), ("last", layers[-1])):
                for target in TARGETS:
                    name = f"{key}_{where}_{target.replace(' ', '_')}"
                    out[name] = round(self.score(model, layer, target), 4)
        out["max_control_score"] = round(
            max(report.control_score for report in self.reports.values()), 4
        )
        return out


def cell_labels(levels: Levels) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The four labels of :data:`TARGETS` at every cell of ``levels``, and the free-cell mask.

    Returns:
        ``({"exit": (n, H, W) bool, "marker": bool, "steps to exit": float, "steps to marker":
        float}, free)`` where ``free`` is (n, H, W) bool.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    free = ~np.asarray(levels.walls, dtype=bool)
    rows = np.arange(len(levels))
    labels = {}
    for name in ("exit", "marker"):
        cells = getattr(levels, name)
        on = np.zeros(free.shape, dtype=bool)
        on[rows, cells[:, 0], cells[:, 1]] = True
        labels[name] = on
        labels[f"steps to {name}"] = levels.distances(name).astype(float)
    return {name: labels[name] for name in TARGETS}, free


@register(
    "probes",
    ProbesConfig,
    "Fit linear probes for the exit and the marker on reactive CNNs' layers and on planners' "
    "maps; compare with where each model goes.",
)
def run_probes(config: ProbesConfig, progress: bool = False) -> ProbesResult:
    """Train the models, then probe every layer of each for every label.

    Args:
        config: ProbesConfig.
        progress: show progress bars over each model's training steps.

    Returns:
        ProbesResult.
    """
    if not isinstance(config, ProbesConfig):
        raise ValueError(f"config must be a ProbesConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    apart = shifted(config.level_config(0.0), decorrelated_fraction=1.0)
    test = generate_levels(
        apart, config.test_levels, np.random.default_rng((config.seed, _TEST_STREAM))
    )
    labels, free = cell_labels(test)
    models: dict[str, Planner | ReactivePolicy] = {}
    activations: dict[str, dict[str, np.ndarray]] = {}
    for i, q in enumerate(config.decorrelated_fractions):
        train = generate_levels(
            config.level_config(q), config.train_levels, seeds.numpy, exact_fraction=True
        )
        reactive, _ = train_reactive(
            train,
            seed_stream(config.seed, 2 + 2 * i),
            steps=config.train_steps,
            learning_rate=config.reactive_learning_rate,
            width=config.reactive_width,
            depth=config.reactive_depth,
            progress=progress,
        )
        planner, _ = train_planner(
            train,
            seed_stream(config.seed, 3 + 2 * i),
            steps=config.train_steps,
            learning_rate=config.planner_learning_rate,
            progress=progress,
        )
        models[model_name("reactive", q)] = reactive
        models[model_name("planner", q)] = planner
        activations[model_name("reactive", q)] = reactive_activations(reactive, test, config.layers)
        activations[model_name("planner", q)] = planner_activations(planner, test)
    reports = {}
    for model, layers in activations.items():
        for layer, values in layers.items():
            for target in TARGETS:
                reports[(model, layer, target)] = fit_probe(
                    values, labels[target], free, seed=config.seed
                )
    settle = {}
    with torch.no_grad():
        for name, model in models.items():
            settle[name] = rollouts.rollout(test, model.policy(test)).settle_rates()
    return ProbesResult(
        config=config,
        reports=reports,
        settle_rates=settle,
        models=models,
        test_levels=test,
    )
