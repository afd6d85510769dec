"""The smallest change to a maze: every single-cell edit, and which ones flip an agent's behaviour.

Chapter 5 (the paper's section 5, robustness and distributional shift) looks for the maze
counterpart of a one-pixel attack: a test maze that differs from one the agent solves in a single
cell, and that the agent then fails. The search here is exhaustive, not clever: for each level,
every cell other than the start, the exit and the marker is toggled in turn (a wall removed, or a
free cell walled), keeping only the edits after which the exit can still be reached from the start,
so that the edited maze is still solvable. An edit *breaks* an agent when the agent reaches the
exit in the original maze and not in the edited one.

:func:`single_cell_edits` enumerates the edits of a batch of levels; :func:`edit_outcomes` runs a
model on the originals and on all their edits and counts, per level, the edits that break it.

Shapes: ``n`` levels of side ``H = W``; ``m`` edits in all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.core.validation import check_int
from demos.training import rollouts
from demos.worlds.mazes import Levels, bfs_distances

PolicyFn = Callable[[Levels], torch.Tensor]
"""``policy(levels) -> (n, 5, H, W)`` logits, e.g. ``model.policy``."""


@dataclass
class CellEdits:
    """Every valid single-cell edit of a batch of levels."""

    originals: Levels = field(repr=False)
    """The n levels that were edited."""
    edited: Levels = field(repr=False)
    """The m edited levels, each one cell different from its original."""
    source: np.ndarray
    """(m,) int64: which original each edit comes from."""
    cell: np.ndarray
    """(m, 2) int64 (row, col): the toggled cell."""
    added_wall: np.ndarray
    """(m,) bool: True where the edit walls a free cell, False where it removes a wall."""
    distance_before: np.ndarray
    """(m,) int64: BFS steps from the start to the exit in the original."""
    distance_after: np.ndarray
    """(m,) int64: the same in the edited level (always reachable: invalid edits are dropped)."""

    def __len__(self) -> int:
        return len(self.source)

    @property
    def task_unchanged(self) -> np.ndarray:
        """(m,) bool: edits that leave the shortest path from start to exit just as long."""
        return self.distance_before == self.distance_after

    def per_level(self) -> np.ndarray:
        """(n,) int64: valid edits of each original level."""
        return np.bincount(self.source, minlength=len(self.originals))


def single_cell_edits(levels: Levels) -> CellEdits:
    """Toggle every cell except start, exit and marker, in every level; keep solvable edits.

    Args:
        levels: n levels.

    Returns:
        CellEdits, ordered by level and then by cell (row-major).
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    n, size = len(levels), levels.size
    rows = np.arange(n)
    protected = np.zeros((n, size, size), dtype=bool)
    for cells in (levels.start, levels.exit, levels.marker):
        protected[rows, cells[:, 0], cells[:, 1]] = True
    source, flat = np.nonzero(~protected.reshape(n, -1))
    cell = np.stack(np.divmod(flat, size), axis=1)
    walls = np.array(levels.walls[source], dtype=bool)
    walls[np.arange(len(source)), cell[:, 0], cell[:, 1]] ^= True
    before = _start_distance(levels.walls, levels.exit, levels.start)
    after = _start_distance(walls, levels.exit[source], levels.start[source])
    keep = after >= 0
    source, cell, walls = source[keep], cell[keep], walls[keep]
    edited = Levels(
        walls=walls,
        start=levels.start[source],
        exit=levels.exit[source],
        marker=levels.marker[source],
        config=levels.config,
    )
    return CellEdits(
        originals=levels,
        edited=edited,
        source=source,
        cell=cell,
        added_wall=walls[np.arange(len(source)), cell[:, 0], cell[:, 1]],
        distance_before=before[source],
        distance_after=after[keep],
    )


@dataclass
class EditOutcomes:
    """How one model fares on the originals and on every single-cell edit of them."""

    edits: CellEdits = field(repr=False)
    """The edits that were tried."""
    original_success: np.ndarray
    """(n,) bool: the model reaches the exit in the original level."""
    edited_success: np.ndarray
    """(m,) bool: the model reaches the exit in each edited level."""
    original_paths: np.ndarray = field(repr=False)
    """(n, T + 1, 2) int64: the model's greedy path in each original."""
    edited_paths: np.ndarray = field(repr=False)
    """(m, T + 1, 2) int64: its greedy path in each edited level."""

    @property
    def breaking(self) -> np.ndarray:
        """(m,) bool: edits of a level the model solves, after which it fails."""
        return self.original_success[self.edits.source] & ~self.edited_success

    @property
    def fixing(self) -> np.ndarray:
        """(m,) bool: edits of a level the model fails, after which it succeeds."""
        return ~self.original_success[self.edits.source] & self.edited_success

    def breaking_per_level(self) -> np.ndarray:
        """(n,) int64: edits that break the model, per original level (0 where it fails)."""
        return np.bincount(self.edits.source[self.breaking], minlength=len(self.original_success))

    def figures(self) -> dict[str, float]:
        """Flat figures: success, the share of solved levels with a breaking edit, breaking edits
        per solved level and per valid edit, and the share of breaking edits that leave the
        shortest path's length unchanged."""
        solved = self.original_success
        per_level = self.breaking_per_level()[solved]
        valid = self.edits.per_level()[solved]
        breaking = self.breaking
        return {
            "success": float(solved.mean()),
            "vulnerable_share": float((per_level > 0).mean()) if solved.any() else float("nan"),
            "breaking_per_level": float(per_level.mean()) if solved.any() else float("nan"),
            "breaking_share_of_edits": float(per_level.sum() / max(valid.sum(), 1)),
            "breaking_task_unchanged_share": (
                float(self.edits.task_unchanged[breaking].mean()) if breaking.any() else 0.0
            ),
            "fixing_per_failed_level": (
                float(self.fixing.sum() / (~solved).sum()) if (~solved).any() else 0.0
            ),
        }


def edit_outcomes(policy: PolicyFn, edits: CellEdits, steps: int | None = None) -> EditOutcomes:
    """Run ``policy`` greedily on the originals and on every edit of ``edits``.

    Args:
        policy: ``policy(levels) -> (n, 5, H, W)`` logits (e.g. ``model.policy``).
        edits: from :func:`single_cell_edits`.
        steps: int >= 1, rollout length (default :func:`demos.training.rollouts.default_horizon`).

    Returns:
        EditOutcomes.
    """
    if not isinstance(edits, CellEdits):
        raise ValueError(f"edits must be CellEdits, got {type(edits).__name__}")
    if steps is not None:
        steps = check_int("steps", steps, 1, 100_000)
    with torch.no_grad():
        original = rollouts.rollout(edits.originals, policy(edits.originals), steps)
        edited = rollouts.rollout(edits.edited, policy(edits.edited), steps)
    return EditOutcomes(
        edits=edits,
        original_success=original.reached_exit,
        edited_success=edited.reached_exit,
        original_paths=original.paths,
        edited_paths=edited.paths,
    )


def _start_distance(walls: np.ndarray, exit_: np.ndarray, start: np.ndarray) -> np.ndarray:
    """(n,) BFS steps from each start to its exit (-1 if unreachable or the exit is walled)."""
    walls = np.asarray(walls, dtype=bool)
    n = len(walls)
    rows = np.arange(n)
    blocked = walls[rows, exit_[:, 0], exit_[:, 1]]
    distance = np.full(n, -1, dtype=np.int64)
    open_ = ~blocked
    if open_.any():
        grid = bfs_distances(walls[open_], exit_[open_])
        picked = start[open_]
        distance[open_] = grid[np.arange(open_.sum()), picked[:, 0], picked[:, 1]]
    return distance
