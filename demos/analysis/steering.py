"""Editing the learned planner's objective: push its state at another cell towards "goal".

Chapter 3 (the paper's section 5 asks whether a mesa-objective could be read and changed). The
learned planner (:mod:`demos.agents.learned_search`) has no reward map to rewrite, only a hidden
state at every cell. Its goal is written into that state somehow; these edits test how:

- :func:`goal_vector`: the mean state at exit cells minus the mean state at the other free cells,
  on training-like levels: the direction in which "goal" cells differ, in the model's own code.
- :func:`steer`: after every iteration, add that direction (times ``scale``) to the state at a
  chosen cell B ("add"); also subtract it at the real exit ("add_and_erase"); or overwrite B's
  state with the mean goal state ("patch"), and the exit's with the mean corridor state
  ("patch_and_erase"). Then walk the greedy agents and count where they settle.
- :func:`random_far_cells`: a cell B per level, away from both the exit and the start.

An edit that sends agents to B shows the direction carries the goal, as the network uses it. An
edit too large breaks the search instead: agents then settle on neither cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.learned_search import LearnedSearch
from demos.analysis.search_success import horizon
from demos.core.validation import check_choice, check_float, check_int, check_shape
from demos.training.rollouts import Rollout, rollout
from demos.worlds.mazes import Levels, bfs_distances

EDITS = ("add", "add_and_erase", "patch", "patch_and_erase")
"""How :func:`steer` edits the state (see the module docstring)."""


def _states_at(model: LearnedSearch, levels: Levels, iteration: int) -> np.ndarray:
    if not isinstance(model, LearnedSearch):
        raise ValueError(f"model must be a LearnedSearch, got {type(model).__name__}")
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    iteration = check_int("iteration", iteration, 1)
    with torch.no_grad():
        return model.trajectory(levels, [iteration], keep_states=True)[iteration]["h"].numpy()


def mean_states(model: LearnedSearch, levels: Levels, iteration: int) -> dict[str, np.ndarray]:
    """``{"goal": (width,), "corridor": (width,)}``: the mean state at the exit cells and at the
    other free cells of ``levels``, after ``iteration`` iterations."""
    h = _states_at(model, levels, iteration)
    rows = np.arange(len(levels))
    goal = h[rows, :, levels.exit[:, 0], levels.exit[:, 1]].mean(axis=0)
    free = ~np.array(levels.walls, dtype=bool)
    free[rows, levels.exit[:, 0], levels.exit[:, 1]] = False
    return {"goal": goal, "corridor": np.moveaxis(h, 1, -1)[free].mean(axis=0)}


def goal_vector(model: LearnedSearch, levels: Levels, iteration: int) -> np.ndarray:
    """(width,) the mean state at the exit cells minus the mean state at the other free cells."""
    means = mean_states(model, levels, iteration)
    return means["goal"] - means["corridor"]


@dataclass
class SteerOutcome:
    """Where the agents went under one edit."""

    on_b: float
    """Share of agents settling on the cell B the edit pointed at."""
    on_exit: float
    """Share settling on the real exit."""
    neither: float
    """Share settling elsewhere (stuck on the way, or oscillating)."""
    visited_b: float
    """Share that stood on B at some step."""
    walk: Rollout = field(repr=False)
    """The agents' walks."""

    def rates(self) -> dict[str, float]:
        """``{"on_b", "on_exit", "neither", "visited_b"}``."""
        return {
            "on_b": self.on_b,
            "on_exit": self.on_exit,
            "neither": self.neither,
            "visited_b": self.visited_b,
        }


def steer(
    model: LearnedSearch,
    levels: Levels,
    cells: np.ndarray,
    iterations: int,
    mode: str = "add",
    vector: np.ndarray | None = None,
    scale: float = 1.0,
    goal_state: np.ndarray | None = None,
    corridor_state: np.ndarray | None = None,
) -> SteerOutcome:
    """Edit the state at the cells B (and perhaps at the exits) after every iteration; walk.

    Args:
        model: the learned planner.
        levels: n levels.
        cells: (n, 2) int, the cell B of each level the edit points the search at.
        iterations: int >= 1, the iterations K run.
        mode: one of :data:`EDITS`.
        vector: (width,) the steering direction (modes "add", "add_and_erase").
        scale: float, multiplies ``vector``.
        goal_state, corridor_state: (width,) states the patching modes write.

    Returns:
        SteerOutcome.
    """
    check_choice("mode", mode, EDITS)
    iterations = check_int("iterations", iterations, 1)
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    cells = np.asarray(cells)
    n = len(levels)
    check_shape("cells", cells.shape, f"({n}, 2)", cells.shape == (n, 2))
    rows = torch.arange(n)
    b_r, b_c = torch.tensor(cells[:, 0]), torch.tensor(cells[:, 1])
    e_r, e_c = torch.tensor(levels.exit[:, 0]), torch.tensor(levels.exit[:, 1])
    if mode.startswith("add"):
        if vector is None:
            raise ValueError(f"vector must be given for mode {mode!r}, got None")
        scale = check_float("scale", scale)
        delta = torch.as_tensor(np.asarray(vector) * scale, dtype=torch.float32)
    else:
        if goal_state is None or (mode == "patch_and_erase" and corridor_state is None):
            raise ValueError(
                f"goal_state (and corridor_state to erase) must be given for mode {mode!r}"
            )
        goal = torch.as_tensor(goal_state, dtype=torch.float32)
        corridor = None if corridor_state is None else torch.as_tensor(corridor_state).float()

    def edit(_k: int, h: torch.Tensor) -> torch.Tensor:
        h = h.clone()
        if mode.startswith("add"):
            h[rows, :, b_r, b_c] += delta
            if mode == "add_and_erase":
                h[rows, :, e_r, e_c] -= delta
        else:
            h[rows, :, b_r, b_c] = goal
            if mode == "patch_and_erase":
                h[rows, :, e_r, e_c] = corridor
        return h

    with torch.no_grad():
        logits = model.trajectory(levels, [iterations], edit=edit)[iterations]["logits"]
    walked = rollout(levels, logits, steps=horizon(levels.size))
    final = walked.final_positions
    on_b = np.all(final == cells, axis=1)
    on_exit = np.all(final == levels.exit, axis=1)
    visited = np.any(np.all(walked.paths == cells[:, None, :], axis=2), axis=1)
    return SteerOutcome(
        on_b=float(on_b.mean()),
        on_exit=float(on_exit.mean()),
        neither=float((~on_b & ~on_exit).mean()),
        visited_b=float(visited.mean()),
        walk=walked,
    )


def random_far_cells(levels: Levels, min_distance: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 2): a uniformly random free cell per level at least ``min_distance`` BFS steps from
    both the exit and the start (the cell farthest from the exit where there is none)."""
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    min_distance = check_int("min_distance", min_distance, 0)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    to_exit = levels.distances("exit")
    n, size = len(levels), levels.size
    to_start = bfs_distances(np.asarray(levels.walls), levels.start)
    allowed = ((to_exit >= min_distance) & (to_start >= min_distance)).reshape(n, -1)
    fallback = to_exit.reshape(n, -1).argmax(axis=1)
    keys = rng.random(allowed.shape)
    keys[~allowed] = -1.0
    pick = np.where(allowed.any(axis=1), keys.argmax(axis=1), fallback)
    return np.stack(np.divmod(pick, size), axis=1)


def nearer_share(levels: Levels, cells: np.ndarray) -> float:
    """Share of levels whose start is strictly nearer (BFS) to ``cells`` (n, 2) than to the exit:
    what "two goals, go to the nearer" would put on B."""
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    rows = np.arange(len(levels))
    start = levels.start
    to_b = bfs_distances(np.asarray(levels.walls), np.asarray(cells))[
        rows, start[:, 0], start[:, 1]
    ]
    to_exit = levels.distances("exit")[rows, start[:, 0], start[:, 1]]
    return float((to_b < to_exit).mean())
