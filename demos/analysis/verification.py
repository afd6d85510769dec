"""Exhaustive verification of a maze agent on every maze of a tiny size, and how the cases grow.

Chapter 5 (the paper's section 5, verification) checks a behavioural property of a trained agent,
not on a sample of test mazes but on *all* of them:

    from every start, the agent's greedy path stands on the exit within ``d + slack`` steps,
    where ``d`` is the shortest-path distance from that start to the exit.

A *maze* here is a wall layout whose free cells form one connected region of at least two cells,
with one free cell as the exit (the marker on the exit); a *case* is a maze and a start cell other
than the exit. :func:`connected_layouts` enumerates every layout of a ``size x size`` grid (2 to
the number of cells subsets, tested for connectivity by bit-parallel flood fill), and
:func:`verify` runs a policy on every maze of them at once and follows its greedy moves from every
start. Because the book's models compute an action for every cell in one pass, one pass per maze
covers all its starts.

For sizes too large to enumerate, :func:`estimate_cases` counts the cases by sampling: for each
number of walls ``k`` it estimates the share of layouts with ``k`` walls that are connected, and
weights it by the number of such layouts, C(cells, k), and the cases each has, (cells - k) *
(cells - k - 1).

Shapes: ``L`` layouts of side ``size``; ``m`` mazes (layout, exit).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import next_cells
from demos.core.validation import check_int
from demos.worlds.mazes import LevelConfig, Levels, bfs_distances

MAX_ENUMERATED_SIZE = 4
"""Largest side whose layouts :func:`connected_layouts` enumerates (2^16 subsets at 4 x 4)."""

PolicyFn = Callable[[Levels], torch.Tensor]
"""``policy(levels) -> (n, 5, H, W)`` logits, e.g. ``model.policy``."""


def connected_layouts(size: int) -> np.ndarray:
    """Every wall layout of a ``size x size`` grid whose free cells are connected (>= 2 of them).

    Args:
        size: int in [1, :data:`MAX_ENUMERATED_SIZE`].

    Returns:
        (L, size, size) bool walls, in increasing order of the free-cell bitmask (cell
        ``r * size + c`` is bit ``r * size + c``).
    """
    size = check_int("size", size, 1, MAX_ENUMERATED_SIZE)
    cells = size * size
    free = np.arange(1 << cells, dtype=np.uint32)
    full = np.uint32((1 << cells) - 1)
    left_column = np.uint32(sum(1 << (r * size) for r in range(size)))
    right_column = np.uint32(sum(1 << (r * size + size - 1) for r in range(size)))
    shift_row, one = np.uint32(size), np.uint32(1)
    reached = free & (~free + one)  # the lowest free cell of each layout
    while True:
        grown = (
            reached
            | (reached >> shift_row)
            | ((reached << shift_row) & full)
            | ((reached & ~left_column) >> one)
            | ((reached & ~right_column) << one)
        ) & free
        if np.array_equal(grown, reached):
            break
        reached = grown
    bits = (free[:, None] >> np.arange(cells, dtype=np.uint32)) & one  # (2^cells, cells)
    keep = (reached == free) & (bits.sum(axis=1) >= 2)
    return (bits[keep] == 0).reshape(-1, size, size)


def count_cases(layouts: np.ndarray) -> int:
    """Cases (layout, exit, start != exit) of ``layouts``: the sum of f * (f - 1) over free-cell
    counts f."""
    free = (~np.asarray(layouts, dtype=bool)).reshape(len(layouts), -1).sum(axis=1)
    return int((free * (free - 1)).sum())


def estimate_cases(size: int, samples: int, rng: np.random.Generator) -> float:
    """Estimated number of cases of side ``size`` (see the module docstring), by sampling.

    Args:
        size: int in [2, 12].
        samples: int >= 1. Random layouts tested per number of walls.
        rng: numpy Generator.

    Returns:
        float: the estimated count (exact for the terms with at most one wall).
    """
    size = check_int("size", size, 2, 12)
    samples = check_int("samples", samples, 1, 1_000_000)
    cells = size * size
    total = 0.0
    for walls in range(cells - 1):
        free = cells - walls
        if walls <= 1:  # a grid graph stays connected after losing any one cell
            share = 1.0
        else:
            share = _connected_share(size, walls, samples, rng)
        total += math.comb(cells, walls) * share * free * (free - 1)
    return total


def _connected_share(size: int, walls: int, samples: int, rng: np.random.Generator) -> float:
    cells = size * size
    keys = rng.random((samples, cells))
    walled = np.argsort(keys, axis=1)[:, :walls]
    grids = np.zeros((samples, cells), dtype=bool)
    np.put_along_axis(grids, walled, True, axis=1)
    grids = grids.reshape(samples, size, size)
    seed = (~grids).reshape(samples, -1).argmax(axis=1)
    distance = bfs_distances(grids, np.stack(np.divmod(seed, size), axis=1))
    connected = (distance >= 0).reshape(samples, -1).sum(axis=1) == cells - walls
    return float(connected.mean())


@dataclass
class Verification:
    """The outcome of checking one policy on every case of a set of layouts."""

    cases: int
    """Cases checked (layout, exit, start)."""
    violations: int
    """Cases where the property fails."""
    cases_by_walls: np.ndarray
    """(cells + 1,) int: cases per number of walls in the layout."""
    violations_by_walls: np.ndarray
    """(cells + 1,) int: violations per number of walls."""
    examples: dict[int, list[Levels]] = field(repr=False)
    """Counterexamples by the number of walls of their layout, up to ``keep_examples`` of each;
    each is a one-level Levels whose start is the start from which the property fails."""
    seconds: float = 0.0
    """Wall-clock seconds of the check."""

    @property
    def holds(self) -> bool:
        """True if no case violates the property: the property is verified."""
        return self.violations == 0

    @property
    def violation_rate(self) -> float:
        """Share of cases that violate the property."""
        return self.violations / self.cases if self.cases else float("nan")


def verify(
    policy: PolicyFn,
    layouts: np.ndarray,
    slack: int = 0,
    batch: int = 8192,
    keep_examples: int = 2,
    config: LevelConfig | None = None,
) -> Verification:
    """Check "the greedy agent reaches the exit within ``d + slack`` steps" on every case.

    Args:
        policy: ``policy(levels) -> (n, 5, H, W)`` logits.
        layouts: (L, size, size) bool walls, e.g. from :func:`connected_layouts`.
        slack: int >= 0. Extra steps allowed over the shortest path.
        batch: int >= 1. Mazes per call of ``policy``.
        keep_examples: int >= 0. Counterexamples to keep per number of walls.
        config: the LevelConfig the mazes are given to the policy with (saliences); default
            ``LevelConfig(size=size)``.

    Returns:
        Verification.
    """
    layouts = np.asarray(layouts, dtype=bool)
    if layouts.ndim != 3 or layouts.shape[1] != layouts.shape[2] or len(layouts) == 0:
        raise ValueError(
            f"layouts must have shape (L, size, size) with L >= 1, got {layouts.shape}"
        )
    size = layouts.shape[1]
    config = LevelConfig(size=size) if config is None else config
    if config.size != size:
        raise ValueError(f"config.size must equal the layouts' size {size}, got {config.size}")
    slack = check_int("slack", slack, 0, 10_000)
    batch = check_int("batch", batch, 1, 1_000_000)
    keep_examples = check_int("keep_examples", keep_examples, 0, 10_000)
    cells = size * size
    layout_index, exit_flat = np.nonzero(~layouts.reshape(len(layouts), -1))
    walls_count = layouts.reshape(len(layouts), -1).sum(axis=1)
    cases_by_walls = np.zeros(cells + 1, dtype=np.int64)
    violations_by_walls = np.zeros(cells + 1, dtype=np.int64)
    examples: dict[int, list[Levels]] = {}
    began = time.perf_counter()
    for first in range(0, len(layout_index), batch):
        chosen = layout_index[first : first + batch]
        exit_cells = np.stack(np.divmod(exit_flat[first : first + batch], size), axis=1)
        mazes = Levels(
            walls=layouts[chosen],
            start=exit_cells,
            exit=exit_cells,
            marker=exit_cells,
            config=config,
        )
        with torch.no_grad():
            actions = policy(mazes).argmax(dim=1).reshape(len(chosen), cells)
        arrival, distance, free = _arrivals(mazes, actions, slack)
        is_case = free & (distance > 0)
        failed = is_case & (arrival > distance + slack)
        np.add.at(cases_by_walls, walls_count[chosen], is_case.sum(axis=1))
        np.add.at(violations_by_walls, walls_count[chosen], failed.sum(axis=1))
        for row, start_flat in zip(*np.nonzero(failed), strict=True):
            kept = examples.setdefault(int(walls_count[chosen[row]]), [])
            if len(kept) >= keep_examples:
                continue
            start = np.array([divmod(int(start_flat), size)])
            kept.append(
                Levels(
                    walls=mazes.walls[row : row + 1],
                    start=start,
                    exit=mazes.exit[row : row + 1],
                    marker=mazes.exit[row : row + 1],
                    config=config,
                )
            )
    return Verification(
        cases=int(cases_by_walls.sum()),
        violations=int(violations_by_walls.sum()),
        cases_by_walls=cases_by_walls,
        violations_by_walls=violations_by_walls,
        examples=examples,
        seconds=time.perf_counter() - began,
    )


def _arrivals(mazes: Levels, actions: torch.Tensor, slack: int):
    """First step at which the greedy walk from each cell stands on the exit (a large number if
    not within the longest bound), the BFS distance of each cell, and the free-cell mask."""
    n, size = len(mazes), mazes.size
    cells = size * size
    walls = np.asarray(mazes.walls, dtype=bool)
    distance = bfs_distances(walls, mazes.exit).reshape(n, cells)
    moves = next_cells(torch.from_numpy(walls.copy())).view(n, 5, cells)
    successor = moves.gather(1, actions[:, None, :])[:, 0].numpy()  # (n, cells)
    exit_flat = mazes.exit[:, 0] * size + mazes.exit[:, 1]
    never = np.iinfo(np.int64).max // 2
    arrival = np.where(np.arange(cells) == exit_flat[:, None], 0, never)
    position = np.tile(np.arange(cells), (n, 1))
    rows = np.arange(n)[:, None]
    for step in range(1, int(distance.max()) + slack + 1):
        position = successor[rows, position]
        arrived = (position == exit_flat[:, None]) & (arrival == never)
        arrival[arrived] = step
    return arrival, distance, ~walls.reshape(n, cells)


def count_cases_farther(layouts: np.ndarray, distance: int) -> int:
    """Cases (layout, exit, start) of ``layouts`` whose start is more than ``distance`` steps
    from the exit: the cases a planner that searches ``distance`` steps cannot see the exit from.

    Args:
        layouts: (L, size, size) bool walls.
        distance: int >= 0.

    Returns:
        int.
    """
    layouts = np.asarray(layouts, dtype=bool)
    if layouts.ndim != 3 or layouts.shape[1] != layouts.shape[2]:
        raise ValueError(f"layouts must have shape (L, size, size), got {layouts.shape}")
    distance = check_int("distance", distance, 0)
    size = layouts.shape[1]
    layout_index, exit_flat = np.nonzero(~layouts.reshape(len(layouts), -1))
    exits = np.stack(np.divmod(exit_flat, size), axis=1)
    steps = bfs_distances(layouts[layout_index], exits)
    return int((steps > distance).sum())
