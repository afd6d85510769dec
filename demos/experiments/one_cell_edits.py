"""Experiment ``one-cell-edits``: the smallest change to a maze that flips a trained agent.

Chapter 5 (the paper's section 5, robustness and distributional shift). A planner (learned reward
head, hard-coded value iteration) and a reactive CNN (no planning loop) are trained by imitation of
the shortest-path expert on the same mazes, with the marker on the exit in every level, so there is
no proxy to tell apart. On fresh test mazes of the same distribution, every single-cell edit that
keeps the maze solvable is tried (:mod:`demos.analysis.cell_edits`), in the spirit of the one-pixel
attack on image classifiers: a test maze one cell away from one the agent solves, on which it fails.

What comes out, for each model: its success on the test mazes, the share of solved mazes that have
at least one breaking cell, how many breaking cells a solved maze has on average, and how many of
the breaking edits leave the shortest path exactly as long (the task is no harder, yet the agent
fails). The planner's search re-plans around any wall it is given, so it is broken only where an
edit pushes the exit beyond its K planning steps; the reactive network's behaviour is a fixed
function of what it sees, and single cells far from its route can change it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import Planner
from demos.agents.reactive import ReactivePolicy
from demos.analysis.cell_edits import CellEdits, EditOutcomes, edit_outcomes, single_cell_edits
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seed_stream, seeded
from demos.experiments import register
from demos.training.maze_learners import train_both
from demos.worlds.mazes import LevelConfig, Levels, generate_levels

MODELS = ("planner", "reactive")
"""The two models, in the order figures list them."""

_TEST_STREAM, _PLANNER_STREAM, _REACTIVE_STREAM = 1, 2, 3
"""Tags of the seed streams of the test mazes and of each model."""


@dataclass(frozen=True)
class OneCellEditsConfig(Config):
    """Settings of the ``one-cell-edits`` experiment."""

    size: int = ranged(7, 4, 16)
    """Side of the square mazes."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls."""
    train_levels: int = ranged(256, 1, 100_000)
    """Training mazes (the marker sits on the exit in all of them)."""
    test_levels: int = ranged(200, 1, 10_000)
    """Test mazes whose single-cell edits are all tried."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation for each model."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the planner."""
    planner_learning_rate: float = ranged(0.1, 0.0, 10.0, above=True)
    """Adam's step size for the planner."""
    reactive_learning_rate: float = ranged(0.01, 0.0, 10.0, above=True)
    """Adam's step size for the reactive CNN."""
    reactive_width: int = ranged(16, 1, 256)
    """Channels of the reactive CNN's hidden layers."""
    reactive_depth: int = ranged(6, 1, 64)
    """3x3 convolutions of the reactive CNN (its receptive-field radius)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for mazes, weights and mini-batches."""

    def level_config(self) -> LevelConfig:
        """The maze distribution, for training and testing: marker on the exit everywhere."""
        return LevelConfig(size=self.size, wall_density=self.wall_density)


@dataclass
class OneCellEditsResult:
    """What ``run_one_cell_edits`` measured, plus the models, the edits and the outcomes."""

    config: OneCellEditsConfig
    """The settings of the run."""
    figures: dict[str, dict[str, float]]
    """Per model: the figures of :meth:`demos.analysis.cell_edits.EditOutcomes.figures`."""
    edits: CellEdits = field(repr=False)
    """Every valid single-cell edit of the test mazes."""
    outcomes: dict[str, EditOutcomes] = field(repr=False)
    """Per model: success on every original and every edit."""
    models: dict[str, Planner | ReactivePolicy] = field(repr=False)
    """The trained planner and reactive CNN."""
    train_seconds: dict[str, float] = field(default_factory=dict)
    """Per model: wall-clock seconds of training."""

    @property
    def test_levels(self) -> Levels:
        """The test mazes."""
        return self.edits.originals

    @property
    def beyond_horizon(self) -> np.ndarray:
        """(m,) bool: edits after which the exit lies more than the planner's K steps from the
        start, so that no K-step search from the start can see it."""
        return self.edits.distance_after > self.config.planning_steps

    def showcase(self, model: str = "reactive", count: int = 4) -> list[int]:
        """Up to ``count`` test mazes to draw: those with the most breaking cells for ``model``
        (ties: the lower index), among mazes it solves."""
        per_level = self.outcomes[model].breaking_per_level()
        order = np.argsort(-per_level, kind="stable")
        return [int(i) for i in order[:count] if per_level[i] > 0]

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {}
        for model in MODELS:
            for name, value in self.figures[model].items():
                out[f"{model}_{name}"] = None if np.isnan(value) else round(value, 4)
        solved = self.outcomes["planner"].original_success[self.edits.source]
        out["edits_beyond_horizon"] = int((self.beyond_horizon & solved).sum())
        out["planner_breaking_beyond_horizon"] = int(
            (self.outcomes["planner"].breaking & self.beyond_horizon).sum()
        )
        out["valid_edits"] = len(self.edits)
        out["valid_edits_per_level"] = round(len(self.edits) / len(self.test_levels), 2)
        for model in MODELS:
            out[f"{model}_train_seconds"] = round(self.train_seconds[model], 3)
        return out


@register(
    "one-cell-edits",
    OneCellEditsConfig,
    "Try every single-cell edit of test mazes; count the cells that flip a trained planner and a "
    "reactive CNN from success to failure.",
)
def run_one_cell_edits(config: OneCellEditsConfig, progress: bool = False) -> OneCellEditsResult:
    """Train both models, then try every single-cell edit of the test mazes on each.

    Args:
        config: OneCellEditsConfig.
        progress: show progress bars over each model's training steps.

    Returns:
        OneCellEditsResult.
    """
    if not isinstance(config, OneCellEditsConfig):
        raise ValueError(f"config must be a OneCellEditsConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    level_config = config.level_config()
    train = generate_levels(level_config, config.train_levels, seeds.numpy)
    test = generate_levels(
        level_config, config.test_levels, np.random.default_rng((config.seed, _TEST_STREAM))
    )
    models, histories = train_both(
        train,
        config,
        seed_stream(config.seed, _PLANNER_STREAM),
        seed_stream(config.seed, _REACTIVE_STREAM),
        progress=progress,
    )
    edits = single_cell_edits(test)
    with torch.no_grad():
        outcomes = {name: edit_outcomes(model.policy, edits) for name, model in models.items()}
    return OneCellEditsResult(
        config=config,
        figures={name: outcome.figures() for name, outcome in outcomes.items()},
        edits=edits,
        outcomes=outcomes,
        models=models,
        train_seconds={
            "planner": histories["planner"].train_seconds,
            "reactive": histories["reactive"].train_seconds,
        },
    )
