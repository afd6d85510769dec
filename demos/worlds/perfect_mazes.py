"""Perfect mazes (randomised depth-first search), as the book's :class:`~demos.worlds.mazes.Levels`.

Used by the learned planner of chapters 1, 2 and 3 (:mod:`demos.agents.learned_search`): a search
that gradient descent finds must be tested where search is needed, and these mazes need it.

Description:
    A square grid of side ``size`` laid out as a lattice. The cells whose row and column are both
    even are rooms; a cell between two rooms is a passage or a wall; a cell whose row and column
    are both odd is always a wall. A randomised depth-first search (the "recursive backtracker")
    opens passages until every room is connected. The result is a *perfect* maze: its free cells
    form a tree, so exactly one path joins any two of them, and corridors are long and winding.
    In the book's other mazes (:func:`demos.worlds.mazes.generate_levels`: random walls at a given
    density) most cells are a few steps from the exit and many shortest paths tie; here the BFS
    expert's move at a cell depends on the whole maze between the cell and the exit. That is why
    the learned planner needs many iterations on them, and why a network of fixed depth fails on
    large ones.

    An odd side uses the lattice as it is (rooms reach all four edges). An even side leaves the
    last row and the last column outside the lattice: each of their cells next to a room (even
    index) is opened as a dead end of length one hanging off that room, the others are walls. The
    layout stays a tree and every free cell is reachable.

    The exit, marker and start are placed by the rules of
    :func:`demos.worlds.mazes.generate_levels`; the ``wall_density`` of the
    :class:`~demos.worlds.mazes.LevelConfig` is ignored (the lattice fixes the share of walls,
    about a quarter on large grids).

Observation:
    As for every level of the book: :meth:`demos.worlds.mazes.Levels.observe` gives walls, exit
    (drawn at ``exit_salience``), marker (drawn at ``marker_salience``) and agent.

Actions:
    ``Discrete(5)``, :data:`demos.worlds.mazes.ACTIONS`: stay, up, down, left, right. A move into a
    wall or off the grid leaves the agent where it was.

Reward:
    The base objective of the book: reaching the exit.

Hidden measures:
    Whether the agent stands on the marker (the proxy); in the corner setting, whether it stands
    on the cell where every training exit was (:func:`generate_perfect_levels`'s ``exit_at``).

Termination:
    Not modelled here; rollouts (:mod:`demos.training.rollouts`) run a fixed number of steps.

Randomness:
    Only from the ``numpy.random.Generator`` passed in: the same generator state gives the same
    levels.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_float, check_int, check_shape
from demos.worlds.mazes import (
    MAX_SIZE,
    LevelConfig,
    Levels,
    bfs_distances,
    decorrelated_levels,
    uniform_choice,
)

MIN_SIZE = 5
"""Smallest side: a lattice of 3 x 3 rooms."""

_MAX_TRIES = 50
"""Rounds of redrawing a level's exit (or layout) before giving up on the exit-marker distance."""

_NEIGHBOURS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def maze_walls(size: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` perfect-maze layouts of side ``size``, by randomised depth-first search.

    Every room starts closed. The search starts at a uniformly random room and moves to a
    uniformly random unvisited neighbouring room, opening the passage between the two; when the
    current room has no unvisited neighbour it backs up one room. It stops when every room has
    been visited.

    Args:
        size: int in [5, 64]. Side of the grid.
        n: int >= 1. Number of layouts.
        rng: numpy Generator, the only source of randomness.

    Returns:
        (n, size, size) bool, True on walls.
    """
    size = check_int("size", size, MIN_SIZE, MAX_SIZE)
    n = check_int("n", n, 1)
    _check_rng(rng)
    rooms = (size + 1) // 2 if size % 2 else size // 2
    walls = np.ones((n, size, size), dtype=bool)
    walls[:, 0 : 2 * rooms : 2, 0 : 2 * rooms : 2] = False
    for index in range(n):
        _carve(walls[index], rooms, rng)
    if size % 2 == 0:  # dead ends of length one along the last row and column
        walls[:, size - 1, 0 : size - 1 : 2] = False
        walls[:, 0 : size - 1 : 2, size - 1] = False
    return walls


def _carve(grid: np.ndarray, rooms: int, rng: np.random.Generator) -> None:
    """Open the passages of one randomised depth-first search over a ``rooms`` x ``rooms``
    lattice of ``grid`` (changed in place)."""
    visited = np.zeros((rooms, rooms), dtype=bool)
    start = divmod(int(rng.integers(rooms * rooms)), rooms)
    visited[start] = True
    stack = [start]
    while stack:
        row, col = stack[-1]
        options = [
            (row + dr, col + dc)
            for dr, dc in _NEIGHBOURS
            if 0 <= row + dr < rooms and 0 <= col + dc < rooms and not visited[row + dr, col + dc]
        ]
        if not options:
            stack.pop()
            continue
        chosen = options[int(rng.integers(len(options)))]
        visited[chosen] = True
        grid[row + chosen[0], col + chosen[1]] = False  # the passage between the two rooms
        stack.append(chosen)


def always_free(cell, size: int) -> bool:
    """Whether ``cell`` (row, col) is free in every perfect-maze layout of side ``size``.

    Rooms (both coordinates even, inside the lattice) are always free; on an even side so are the
    dead ends of the last row and column at even positions, except the far corner.
    """
    size = check_int("size", size, MIN_SIZE, MAX_SIZE)
    row, col = (int(value) for value in cell)
    if not (0 <= row < size and 0 <= col < size):
        return False
    if size % 2 == 1:
        return row % 2 == 0 and col % 2 == 0
    if row == size - 1 and col == size - 1:
        return False
    if row == size - 1 or col == size - 1:
        return (col if row == size - 1 else row) % 2 == 0
    return row % 2 == 0 and col % 2 == 0


def generate_perfect_levels(
    config: LevelConfig,
    n: int,
    rng: np.random.Generator,
    exact_fraction: bool = False,
    exit_at: tuple[int, int] | None = None,
    exit_elsewhere_fraction: float = 0.0,
) -> Levels:
    """Draw ``n`` perfect-maze levels of ``config`` (a drop-in for ``generate_levels``).

    The exit is a uniformly random free cell (or ``exit_at``), redrawn until some free cell lies at
    least ``config.min_exit_marker_distance`` BFS steps from it. Each level is decorrelated with
    probability ``config.decorrelated_fraction`` (with ``exact_fraction=True``, exactly
    ``round(decorrelated_fraction * n)`` levels are, at random places in the batch). A
    decorrelated level's marker is uniform over the free cells at least
    ``min_exit_marker_distance`` steps from the exit; otherwise the marker is on the exit. The
    start is uniform over the free cells that are neither the exit nor the marker. These are the
    rules of :func:`demos.worlds.mazes.generate_levels`, so a model cannot tell a decorrelated
    level by its layout.

    Args:
        config: the level distribution; ``size`` must be at least 5, ``wall_density`` is ignored.
        n: int >= 1. Number of levels.
        rng: numpy Generator, the only source of randomness.
        exact_fraction: bool. Fix the number of decorrelated levels rather than draw it.
        exit_at: optional (row, col) of a cell free in every layout of this size
            (:func:`always_free`; e.g. a corner of an odd side): put the exits there, for the
            setting where the exit always sat in one place during training.
        exit_elsewhere_fraction: float in [0, 1], used with ``exit_at`` only: each level's exit
            is drawn uniformly instead with this probability (the corner setting's decorrelated
            levels).

    Returns:
        Levels of length ``n`` with ``config``.

    Raises:
        ValueError: bad arguments, or ``min_exit_marker_distance`` too large for the size.
    """
    if not isinstance(config, LevelConfig):
        raise ValueError(f"config must be a LevelConfig, got {type(config).__name__}")
    size = check_int("config.size", config.size, MIN_SIZE, MAX_SIZE)
    n = check_int("n", n, 1)
    _check_rng(rng)
    elsewhere_share = check_float("exit_elsewhere_fraction", exit_elsewhere_fraction, 0.0, 1.0)
    if exit_at is not None:
        cell = np.asarray(exit_at)
        check_shape("exit_at", cell.shape, "(2,)", cell.shape == (2,))
        if not np.issubdtype(cell.dtype, np.integer) or not always_free(cell, size):
            raise ValueError(
                f"exit_at must be a cell free in every {size}x{size} layout (both coordinates "
                f"even, inside the lattice), got {exit_at!r}"
            )
    elif elsewhere_share:
        raise ValueError(
            f"exit_elsewhere_fraction needs exit_at, got {exit_elsewhere_fraction!r} without it"
        )
    far = config.min_exit_marker_distance

    decorrelated = decorrelated_levels(config.decorrelated_fraction, n, rng, exact_fraction)
    pinned = np.zeros(n, dtype=bool)
    if exit_at is not None:
        pinned = rng.random(n) >= elsewhere_share if elsewhere_share else ~pinned

    walls = maze_walls(size, n, rng)
    flat_free = ~walls.reshape(n, -1)
    exit_flat = np.empty(n, dtype=np.int64)
    dist = np.empty((n, size, size), dtype=np.int64)
    pending = np.arange(n)
    pin = None if exit_at is None else int(exit_at[0]) * size + int(exit_at[1])
    for _ in range(_MAX_TRIES):
        if pin is None:
            exit_flat[pending] = uniform_choice(flat_free[pending], rng)
        else:
            loose = pending[~pinned[pending]]
            exit_flat[pending[pinned[pending]]] = pin
            if len(loose):
                exit_flat[loose] = uniform_choice(flat_free[loose], rng)
        cells = np.stack(np.divmod(exit_flat[pending], size), axis=1)
        dist[pending] = bfs_distances(walls[pending], cells)
        far_enough = dist[pending].reshape(len(pending), -1).max(axis=1) >= far
        pending = pending[~far_enough]
        if len(pending) == 0:
            break
        stuck = pending[pinned[pending]]
        if len(stuck):  # a pinned exit cannot be redrawn: draw new layouts instead
            walls[stuck] = maze_walls(size, len(stuck), rng)
            flat_free = ~walls.reshape(n, -1)
    if len(pending):
        raise ValueError(
            f"could not place the exit: no free cell was min_exit_marker_distance={far} steps "
            f"from it in {len(pending)} levels of size {size}; lower min_exit_marker_distance"
        )

    flat_dist = dist.reshape(n, -1)
    marker_flat = uniform_choice(flat_dist >= far, rng)
    marker_flat = np.where(decorrelated, marker_flat, exit_flat)
    allowed = flat_free.copy()
    rows = np.arange(n)
    allowed[rows, exit_flat] = False
    allowed[rows, marker_flat] = False
    start_flat = uniform_choice(allowed, rng)
    return Levels(
        walls=walls,
        start=np.stack(np.divmod(start_flat, size), axis=1),
        exit=np.stack(np.divmod(exit_flat, size), axis=1),
        marker=np.stack(np.divmod(marker_flat, size), axis=1),
        config=config,
    )


def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
