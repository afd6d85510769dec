"""Experiment ``bottle-cap``: an optimized policy against an optimizer, on one maze and its edits.

Used by chapter 1 (the paper's section 1.1: optimized against optimizer).

Two models learn the same hand-drawn maze by imitation of the BFS expert until both solve it
from every cell:

- a :class:`demos.agents.lookup.LookupPolicy`, a table of actions per cell (optimized, like a bottle
  cap, but searching for nothing);
- a :class:`demos.agents.planners.Planner`, whose reward head (the mesa-objective) feeds a
  value-iteration search: an optimizer in the paper's sense.

Then the maze is edited (:data:`EDITS`): the start moves, the exit moves, a wall closes the
route, or a wall opens a shortcut. The planner searches again on the edited maze; the table
answers as it always did. The experiment records, for each edit, whether each model reaches the
exit and in how many steps, against the shortest path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents import lookup, planners
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.experiments import register
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import Levels, parse_level, step

TRAINED_MAZE = (
    ".......",
    ".###.#.",
    ".#...#.",
    "S#.E.#.",
    ".#...#.",
    ".##.##.",
    ".......",
)
"""The one maze both models learn: the exit sits in a room with a door below (the short way,
9 steps) and a door above (11 steps). ``S`` start, ``E`` exit (the marker sits on it), ``#``
wall."""


def _edit(picture, changes) -> tuple[str, ...]:
    rows = [list(row) for row in picture]
    for (row, col), symbol in changes.items():
        rows[row][col] = symbol
    return tuple("".join(row) for row in rows)


EDITS = {
    "as trained": TRAINED_MAZE,
    "start moved": _edit(TRAINED_MAZE, {(3, 0): ".", (0, 6): "S"}),
    "exit moved": _edit(TRAINED_MAZE, {(3, 3): ".", (0, 6): "E"}),
    "wall added": _edit(TRAINED_MAZE, {(5, 3): "#"}),
    "wall removed": _edit(TRAINED_MAZE, {(3, 1): "."}),
}
"""The menu of mazes both models are tested on, by name: the trained maze and four edits of it.
"wall added" closes the lower door (the way both models learned); "wall removed" opens the
room's left wall next to the start, a 3-step shortcut."""

EDIT_DESCRIPTIONS = {
    "as trained": "the maze both models were trained on",
    "start moved": "the start moved to the top-right corner",
    "exit moved": "the exit (with its marker) moved to the top-right corner",
    "wall added": "a wall closes the lower door of the exit's room",
    "wall removed": "a wall removed, opening a shortcut from the start into the room",
}
"""One phrase per edit, for captions and alt text."""

MODELS = ("lookup", "planner")
"""The two models compared: the lookup table (optimized) and the planner (an optimizer)."""


@dataclass(frozen=True)
class BottleCapConfig(Config):
    """Settings of the ``bottle-cap`` experiment."""

    planner_steps: int = ranged(80, 1, 10_000)
    """Adam steps that train the planner on the one maze."""
    planner_learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size for the planner."""
    lookup_steps: int = ranged(60, 1, 10_000)
    """Adam steps that fit the lookup table to the one maze."""
    lookup_learning_rate: float = ranged(0.5, 1e-6, 10.0)
    """Adam's step size for the lookup table."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the planner; every route here is shorter."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for the initial weights."""


@dataclass
class Outcome:
    """How one model did on one maze."""

    reached: bool
    """Whether the greedy agent stood on the exit within the rollout."""
    steps: int
    """The step on which it first stood on the exit; -1 if never."""
    shortest: int
    """BFS steps from start to exit: the best possible."""
    path: np.ndarray = field(repr=False)
    """(T + 1, 2) int64 (row, col): the cells the agent visited."""

    @property
    def extra_steps(self) -> float:
        """Steps beyond the shortest path (NaN if the exit was never reached)."""
        return float(self.steps - self.shortest) if self.reached else float("nan")


@dataclass
class BottleCapResult:
    """What ``run_bottle_cap`` measured, plus the models and mazes for figures."""

    config: BottleCapConfig
    """The settings of the run."""
    outcomes: dict[str, dict[str, Outcome]]
    """``outcomes[edit][model]`` for every edit of :data:`EDITS` and model of :data:`MODELS`."""
    train_cell_accuracy: dict[str, float]
    """Share of the trained maze's free cells where each model's greedy action is an expert
    (shortest-path) action."""
    levels: dict[str, Levels] = field(repr=False)
    """The maze of every edit (a Levels of length 1)."""
    lookup_actions: np.ndarray = field(repr=False)
    """(H, W) int64: the lookup table's greedy action at every cell (the same for every maze)."""
    reward_maps: dict[str, np.ndarray] = field(repr=False)
    """``reward_maps[edit]``: (H, W) float, the planner's mesa-objective on that maze."""
    lookup: lookup.LookupPolicy = field(repr=False)
    """The trained lookup table."""
    planner: planners.Planner = field(repr=False)
    """The trained planner."""

    def success(self, model: str) -> dict[str, bool]:
        """``{edit: reached}`` for ``model`` ("lookup" or "planner")."""
        if model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
        return {edit: outcome[model].reached for edit, outcome in self.outcomes.items()}

    def solved(self, model: str) -> list[str]:
        """The edits on which ``model`` reaches the exit, in the order of :data:`EDITS`."""
        return [edit for edit, reached in self.success(model).items() if reached]

    def always_shortest(self, model: str) -> bool:
        """Whether ``model`` reaches the exit by a shortest path on every maze of :data:`EDITS`."""
        if model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
        return all(
            by_model[model].reached and by_model[model].steps == by_model[model].shortest
            for by_model in self.outcomes.values()
        )

    def summary(self) -> dict:
        """The figures the command line prints: reach and steps per edit and model."""
        figures: dict = {
            f"{model}_train_cell_accuracy": round(self.train_cell_accuracy[model], 4)
            for model in MODELS
        }
        for edit, by_model in self.outcomes.items():
            key = edit.replace(" ", "_")
            figures[f"{key}_shortest"] = by_model["planner"].shortest
            for model in MODELS:
                figures[f"{key}_{model}_steps"] = by_model[model].steps
        return figures


def expert_agreement(model, level: Levels) -> float:
    """Share of free cells of ``level`` (length 1) where ``model``'s greedy action is optimal.

    An action is optimal when it lowers the BFS distance to the exit by one (or stays on the
    exit); ties between several shortest paths all count.
    """
    with torch.no_grad():
        chosen = model.policy(level).argmax(dim=1)[0].numpy()
    distance = level.distances("exit")[0]
    free = distance >= 0
    rows, cols = np.nonzero(free)

    walls = np.repeat(level.walls, len(rows), axis=0)
    landed = step(walls, np.stack([rows, cols], 1), chosen[rows, cols])
    after = distance[landed[:, 0], landed[:, 1]]
    before = distance[rows, cols]
    good = np.where(before == 0, after == 0, after == before - 1)
    return float(good.mean())


@register(
    "bottle-cap",
    BottleCapConfig,
    "A lookup table and a planner learn one maze; only the planner copes when the maze changes.",
)
def run_bottle_cap(config: BottleCapConfig, progress: bool = False) -> BottleCapResult:
    """Train both models on :data:`TRAINED_MAZE`, then roll them out on every edit of it.

    Args:
        config: BottleCapConfig.
        progress: accepted for the command line; the run takes well under a second.

    Returns:
        BottleCapResult.
    """
    if not isinstance(config, BottleCapConfig):
        raise ValueError(f"config must be a BottleCapConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    mazes = {name: parse_level(picture) for name, picture in EDITS.items()}
    trained = mazes["as trained"]
    table = lookup.LookupPolicy(trained.size, generator=seeds.torch)
    base_optimizers.imitate(
        table, trained, steps=config.lookup_steps, learning_rate=config.lookup_learning_rate
    )
    planner = planners.Planner(steps=config.planning_steps, generator=seeds.torch)
    base_optimizers.imitate(
        planner, trained, steps=config.planner_steps, learning_rate=config.planner_learning_rate
    )
    outcomes: dict[str, dict[str, Outcome]] = {}
    reward_maps = {}
    for name, maze in mazes.items():
        shortest = int(maze.distances("exit")[0][tuple(maze.start[0])])
        outcomes[name] = {}
        for model_name, model in (("lookup", table), ("planner", planner)):
            with torch.no_grad():
                walk = rollouts.rollout(maze, model.policy(maze))
            outcomes[name][model_name] = Outcome(
                reached=bool(walk.reached_exit[0]),
                steps=int(walk.first_exit_step[0]),
                shortest=shortest,
                path=walk.paths[0],
            )
        reward_maps[name] = planner.mesa_objective(maze)[0]
    return BottleCapResult(
        config=config,
        outcomes=outcomes,
        train_cell_accuracy={
            "lookup": expert_agreement(table, trained),
            "planner": expert_agreement(planner, trained),
        },
        levels=mazes,
        lookup_actions=table.actions(),
        reward_maps=reward_maps,
        lookup=table,
        planner=planner,
    )
