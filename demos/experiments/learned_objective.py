"""Experiment ``learned-objective``: reading and editing the learned planner's objective.

Chapter 3 (the paper's section 3: the mesa-objective is not specified by the programmers; its
section 5 lists interpretability among the ways to learn what it is). Ours: reading it with probes
and moving it with an edit of the state. The learned planner (:mod:`demos.agents.learned_search`)
has no reward map; its goal, whatever it is, lives in its hidden state. Two questions:

- **Reading.** Linear probes (:mod:`demos.analysis.probes`, logistic, scored top-1 on held-out
  mazes) for "this cell is the exit" and "this cell is the marker", on the state after a few
  iterations and after many, on mazes where the two are apart, each next to a shuffled-label
  control. What the model keeps in its state, the probe reads; reading is not wanting.
- **Editing.** Steering (:mod:`demos.analysis.steering`): the goal direction (mean state at exits
  minus elsewhere) added at another cell B after every iteration, with or without subtracting it
  at the real exit, at several scales; and the state at B overwritten by the mean goal state.
  Where do the greedy agents settle: on B, on the exit, or neither (the search broken)?

By default the committed main model of the seed is used (marker on the exit in training); the
objective-drift models of ``learned-proxy-shift`` can be read instead (``model="drift"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.analysis.activations import learned_search_activations
from demos.analysis.probes import ProbeReport, fit_probe
from demos.analysis.steering import (
    SteerOutcome,
    goal_vector,
    mean_states,
    nearer_share,
    random_far_cells,
    steer,
)
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.core.runtime import seeded
from demos.experiments import register
from demos.training.learned_checkpoints import drift_spec, main_spec, obtain
from demos.training.learned_search_training import held_out_levels
from demos.worlds.mazes import Levels

MODELS = ("main", "drift")
"""Which committed model is read: the main learned planner, or an objective-drift model."""

SIZE = 9
"""Side of the mazes probed and steered (the training side)."""

_PROBE_STREAM, _STEER_STREAM, _VECTOR_STREAM = 4, 5, 6


@dataclass(frozen=True)
class LearnedObjectiveConfig(Config):
    """Settings of the ``learned-objective`` experiment."""

    model: str = choice("main", MODELS)
    """"main": the learned planner of chapter 2; "drift": the model trained with a share q of
    decorrelated levels (``decorrelated_fraction``) of ``learned-proxy-shift``."""
    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """The drift model's q (committed: 0, 0.02, 0.05); unused for the main model."""
    retrain: bool = False
    """Train the model from scratch (a few minutes) instead of loading the committed weights."""
    probe_levels: int = ranged(200, 4, 5000)
    """Mazes (marker away from the exit) the probes are fitted on (half) and scored on (half)."""
    probe_iterations: tuple[int, ...] = ranged((1, 64), 1, 10_000, increasing=True)
    """Iterations after which the state is probed."""
    steer_levels: int = ranged(100, 1, 5000)
    """Mazes (marker on the exit, as in training) the edits are tried on."""
    iterations: int = ranged(64, 1, 10_000)
    """Iterations K of the steered runs (and of the goal direction's reading)."""
    scales: tuple[float, ...] = ranged((1.0, 2.0, 4.0), 0.0, 100.0, increasing=True)
    """Multiples of the goal direction added at B."""
    min_distance: int = ranged(3, 0, 100)
    """The cell B is at least this many steps from both the exit and the start."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the model (committed: 0 to 4), of the cells B and of the probes' splits."""


@dataclass
class LearnedObjectiveResult:
    """Probe scores and where steered agents went."""

    config: LearnedObjectiveConfig
    """The settings of the run."""
    probes: dict[tuple[str, int], ProbeReport] = field(repr=False)
    """``(target, iteration) -> ProbeReport`` for targets "exit" and "marker"."""
    chance: float
    """Top-1 score of a uniform guess: the mean of 1 / free cells."""
    steering: dict[str, SteerOutcome] = field(repr=False)
    """Edit name (e.g. "add x2", "add and erase x2", "patch and erase") -> outcome; "none" is the
    unedited model."""
    vector_norm: float
    """Euclidean norm of the goal direction."""
    nearer_b_share: float
    """Share of steering mazes whose start is nearer B than the exit."""
    model: torch.nn.Module = field(repr=False)
    """The model read."""
    steer_levels: Levels = field(repr=False)
    """The mazes steered."""
    cells_b: np.ndarray = field(repr=False)
    """(n, 2) the cell B of each steering maze."""

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {}
        for (target, k), report in self.probes.items():
            out[f"{target}_probe_top1_k{k}"] = round(report.test_score, 4)
            out[f"{target}_probe_control_k{k}"] = round(report.control_score, 4)
        out["probe_chance"] = round(self.chance, 4)
        for part in ("on_b", "on_exit", "neither"):
            out[f"steer_{part}"] = {
                name: round(getattr(outcome, part), 4) for name, outcome in self.steering.items()
            }
        out["nearer_b_share"] = round(self.nearer_b_share, 4)
        out["goal_vector_norm"] = round(self.vector_norm, 4)
        return out


def edit_names(scales) -> list[str]:
    """The edits tried, in order, for the given scales."""
    names = ["none"]
    names += [f"add x{s:g}" for s in scales] + [f"add and erase x{s:g}" for s in scales]
    return names + ["patch", "patch and erase"]


@register(
    "learned-objective",
    LearnedObjectiveConfig,
    "Linear probes for the exit and the marker in the learned planner's state, with shuffled "
    "controls; steering its search to another cell by editing the state.",
)
def run_learned_objective(
    config: LearnedObjectiveConfig, progress: bool = False
) -> LearnedObjectiveResult:
    """Probe the learned planner's state for exit and marker, then steer it.

    Args:
        config: LearnedObjectiveConfig.
        progress: show a progress bar while training (with ``retrain``).

    Returns:
        LearnedObjectiveResult.
    """
    if not isinstance(config, LearnedObjectiveConfig):
        raise ValueError(f"config must be a LearnedObjectiveConfig, got {type(config).__name__}")
    if config.model == "main":
        spec = main_spec(config.seed)
    else:
        spec = drift_spec(config.decorrelated_fraction, config.seed)
    trained = obtain(spec, config.retrain, progress)
    model, recipe = trained.model, spec.recipe
    apart = held_out_levels(
        recipe, SIZE, config.probe_levels, _PROBE_STREAM, decorrelated_fraction=1.0
    )
    free = ~np.array(apart.walls, dtype=bool)
    states = learned_search_activations(model, apart, config.probe_iterations)
    probes = {}
    for target in ("exit", "marker"):
        cells = getattr(apart, target)
        labels = np.zeros(free.shape, dtype=bool)
        labels[np.arange(len(apart)), cells[:, 0], cells[:, 1]] = True
        for k in config.probe_iterations:
            probes[(target, k)] = fit_probe(
                states[f"iteration {k}"], labels, free, "logistic", seed=config.seed
            )
    chance = float((1.0 / free.reshape(len(apart), -1).sum(axis=1)).mean())

    like_training = held_out_levels(recipe, SIZE, config.steer_levels, _STEER_STREAM)
    vector_levels = held_out_levels(recipe, SIZE, config.steer_levels, _VECTOR_STREAM)
    cells_b = random_far_cells(like_training, config.min_distance, seeded(config.seed).numpy)
    vector = goal_vector(model, vector_levels, config.iterations)
    means = mean_states(model, vector_levels, config.iterations)
    k, steering = config.iterations, {}
    edits = [("none", "add", 0.0)]
    edits += [(f"add x{scale:g}", "add", scale) for scale in config.scales]
    edits += [(f"add and erase x{scale:g}", "add_and_erase", scale) for scale in config.scales]
    edits += [("patch", "patch", 1.0), ("patch and erase", "patch_and_erase", 1.0)]
    for name, mode, scale in tqdm(edits, desc="edits", disable=not progress, leave=False):
        steering[name] = steer(
            model,
            like_training,
            cells_b,
            k,
            mode,
            vector=vector,
            scale=scale,
            goal_state=means["goal"],
            corridor_state=means["corridor"],
        )
    return LearnedObjectiveResult(
        config=config,
        probes=probes,
        chance=chance,
        steering=steering,
        vector_norm=float(np.linalg.norm(vector)),
        nearer_b_share=nearer_share(like_training, cells_b),
        model=model,
        steer_levels=like_training,
        cells_b=cells_b,
    )
