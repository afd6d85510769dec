"""The book's gridworld: levels, observations, the BFS expert and the batched transition.

Used by every chapter: the maze is the book's running example (chapters 1 to 3 train on it).

Description:
    A square grid of side ``size``. Some cells are walls; the agent stands on a free cell and
    moves one cell per step. Each level holds a start cell, an exit and a coloured marker. In most
    training levels the marker sits on the exit, so "go to the marker" and "go to the exit" are
    the same behaviour; in a ``decorrelated_fraction`` of levels the marker sits elsewhere, which
    tells a model that learned the proxy apart from one that learned the base objective.

Observation:
    ``Levels.observe`` gives a ``(n, 4, H, W)`` float32 array with the channels of
    :data:`CHANNELS`: ``walls`` (1 on walls), ``exit`` (``exit_salience`` on the exit), ``marker``
    (``marker_salience`` on the marker) and ``agent`` (1 on the agent). The exit is drawn fainter
    than the marker by default, so the marker is the easier feature to pick up.

Actions:
    ``Discrete(5)``, the rows of :data:`ACTIONS`: 0 stay, 1 up, 2 down, 3 left, 4 right. A move
    into a wall or off the grid leaves the agent where it was (there is no border of walls; the
    grid's edge blocks).

Reward (the base objective):
    Reaching the exit. :mod:`demos.worlds.env` pays +1 on the step the agent enters the exit, 0
    otherwise.

Hidden measures (the proxy):
    Whether the agent stands on the marker. The reward never sees it; it is what a misaligned
    mesa-optimizer may pursue instead of the exit. :mod:`demos.analysis.metrics` measures where
    agents settle: on the exit, on the marker, or neither.

Termination:
    The environment ends an episode on the exit or after ``max_steps``. The batched rollouts of
    the learners run a fixed number of steps without stopping at the exit, so the cell an agent
    ends on is where it settles.

Randomness:
    Only from the ``numpy.random.Generator`` passed to :func:`generate_levels`; the same generator
    state gives the same levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.core.config import Config, ranged
from demos.core.validation import (
    check_cells,
    check_choice,
    check_int,
    check_shape,
    read_only,
)

ACTIONS = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
"""(5, 2) int64: the (row, col) offset of each action: stay, up, down, left, right."""
ACTIONS.setflags(write=False)

ACTION_NAMES = ("stay", "up", "down", "left", "right")
"""Names of the actions, in the order of :data:`ACTIONS`."""

CHANNELS = ("walls", "exit", "marker", "agent")
"""Observation channels, in order."""

STAY, UP, DOWN, LEFT, RIGHT = range(5)

MAX_SIZE = 64
_MAX_ROUNDS = 40
"""Rounds of candidate layouts :func:`generate_levels` draws before it gives up."""


@dataclass(frozen=True)
class LevelConfig(Config):
    """What a batch of levels looks like. Validated on construction."""

    size: int = ranged(7, 4, MAX_SIZE)
    """Side H = W of the square grid. Moves off the grid are blocked."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls (exactly round(wall_density * size**2) walls). The free cells
    always form one connected region."""
    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """Share of levels whose marker (the proxy) is NOT on the exit. Each level is decorrelated
    independently with this probability."""
    exit_salience: float = ranged(0.3, 0.0, 1.0, above=True)
    """Value of the exit channel on the exit: how visible the base objective's target is."""
    marker_salience: float = ranged(1.0, 0.0, 1.0, above=True)
    """Value of the marker channel on the marker: how visible the proxy is."""
    min_exit_marker_distance: int = ranged(3, 1)
    """When the marker is away from the exit, it is at least this many BFS steps from it (and
    less than the number of cells)."""

    def validate(self) -> None:
        check_int("min_exit_marker_distance", self.min_exit_marker_distance, 1, self.size**2 - 1)


def default_horizon(size: int) -> int:
    """Steps an episode lasts by default in a grid of side ``size``: ``3 * size``.

    Enough for the shortest path of every level the book draws (the longest seen is under
    ``2 * size``), with room to spare; the one horizon of every world, rollout and base optimizer
    in the book.
    """
    return 3 * check_int("size", size, 1)


def shifted(config: LevelConfig, **changes) -> LevelConfig:
    """A copy of ``config`` with ``changes`` applied and validated, e.g. a distribution shift.

    ``shifted(train_config, decorrelated_fraction=1.0)`` gives the test distribution where the
    marker never sits on the exit. Unknown field names raise ``ValueError`` listing the valid ones.
    """
    if not isinstance(config, LevelConfig):
        raise ValueError(f"config must be a LevelConfig, got {type(config).__name__}")
    return config.replace(**changes)


@dataclass(frozen=True, eq=False)
class Levels:
    """A batch of ``n`` levels of one :class:`LevelConfig`. Arrays are read-only views."""

    walls: np.ndarray
    """(n, H, W) bool. True where the agent cannot stand."""
    start: np.ndarray
    """(n, 2) int64 (row, col). The agent's start: a free cell, neither the exit nor the marker."""
    exit: np.ndarray
    """(n, 2) int64 (row, col). The exit: what the base objective rewards."""
    marker: np.ndarray
    """(n, 2) int64 (row, col). The coloured marker, the proxy. Equal to ``exit`` in correlated
    levels."""
    config: LevelConfig
    """The configuration the levels were drawn from (size, saliences, ...)."""

    def __post_init__(self):
        if not isinstance(self.config, LevelConfig):
            raise ValueError(f"config must be a LevelConfig, got {type(self.config).__name__}")
        walls = np.asarray(self.walls, dtype=bool)
        size = self.config.size
        check_shape(
            "walls",
            walls.shape,
            f"(n, {size}, {size})",
            walls.ndim == 3 and walls.shape[1:] == (size, size),
        )
        n = walls.shape[0]
        object.__setattr__(self, "walls", read_only(walls))
        for name in ("start", "exit", "marker"):
            cells = check_cells(name, getattr(self, name), n, size)
            if np.any(walls[np.arange(n), cells[:, 0], cells[:, 1]]):
                raise ValueError(f"{name} must lie on free cells, but some {name} cells are walls")
            object.__setattr__(self, name, read_only(cells))

    def __len__(self) -> int:
        return self.walls.shape[0]

    @property
    def size(self) -> int:
        """Side H = W of the grid."""
        return self.config.size

    @property
    def decorrelated(self) -> np.ndarray:
        """(n,) bool. True where the marker (the proxy) is not on the exit."""
        return np.any(self.marker != self.exit, axis=1)

    def subset(self, index) -> Levels:
        """The levels picked by ``index`` (int, slice, int array or (n,) bool mask) as a Levels.

        An int gives a batch of one level, so the result always has the batch dimension.
        """
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
            index = check_int("index", index, -len(self), len(self) - 1)
            index = [index]
        elif not isinstance(index, slice):
            index = np.asarray(index)
            if index.dtype == bool:
                check_shape("index", index.shape, f"({len(self)},)", index.shape == (len(self),))
            elif index.size and not np.issubdtype(index.dtype, np.integer):
                raise ValueError(
                    f"index must be an int, slice, int array or bool mask, got {index}"
                )
            elif index.size and (index.min() < -len(self) or index.max() >= len(self)):
                raise ValueError(f"index values must be in [{-len(self)}, {len(self) - 1}]")
        return Levels(
            walls=self.walls[index],
            start=self.start[index],
            exit=self.exit[index],
            marker=self.marker[index],
            config=self.config,
        )

    def observe(self, agent: np.ndarray | None = None) -> np.ndarray:
        """The observation of every level with the agent at ``agent``.

        Args:
            agent: (n, 2) int (row, col) or None for the start cells.

        Returns:
            (n, 4, H, W) float32, channels :data:`CHANNELS`: walls 1 on walls; exit
            ``exit_salience`` on the exit; marker ``marker_salience`` on the marker; agent 1 on
            the agent. Zero elsewhere.
        """
        agent = self.start if agent is None else check_cells("agent", agent, len(self), self.size)
        n, size = len(self), self.size
        rows = np.arange(n)
        obs = np.zeros((n, len(CHANNELS), size, size), dtype=np.float32)
        obs[:, 0] = self.walls
        obs[rows, 1, self.exit[:, 0], self.exit[:, 1]] = self.config.exit_salience
        obs[rows, 2, self.marker[:, 0], self.marker[:, 1]] = self.config.marker_salience
        obs[rows, 3, agent[:, 0], agent[:, 1]] = 1.0
        return obs

    def distances(self, target: str = "exit") -> np.ndarray:
        """(n, H, W) int64 BFS steps to ``target`` ("exit" or "marker"); -1 on walls."""
        check_choice("target", target, ("exit", "marker"))
        return bfs_distances(self.walls, getattr(self, target))


def decorrelated_levels(
    fraction: float, n: int, rng: np.random.Generator, exact_fraction: bool = False
) -> np.ndarray:
    """Which of ``n`` levels are decorrelated: (n,) bool.

    With ``exact_fraction`` exactly ``round(fraction * n)`` of them, at random places; otherwise
    each one independently with probability ``fraction``. Both maze generators draw this first,
    from the same ``rng``, so a seed picks the same levels in both.
    """
    if exact_fraction:
        decorrelated = np.zeros(n, dtype=bool)
        decorrelated[rng.permutation(n)[: int(round(fraction * n))]] = True
        return decorrelated
    return rng.random(n) < fraction


def generate_levels(
    config: LevelConfig, n: int, rng: np.random.Generator, exact_fraction: bool = False
) -> Levels:
    """Draw ``n`` random levels of ``config``.

    Each candidate layout starts as an open grid and has walls added one at a time at random
    cells, skipping any cell that would cut the free region in two, until it holds exactly
    ``round(wall_density * size**2)`` walls; so every free cell is reachable from every other.
    The exit is a uniformly random free cell. A candidate is kept if some cell lies at least
    ``min_exit_marker_distance`` BFS steps from the exit. Every level must pass this test,
    decorrelated or not, so the layouts do not depend on ``decorrelated_fraction`` (a model
    cannot tell a decorrelated level by its walls).

    Each level is decorrelated independently with probability ``decorrelated_fraction`` (one
    Bernoulli draw per level from ``rng``; the realised share varies around the fraction). With
    ``exact_fraction=True``, exactly ``round(decorrelated_fraction * n)`` levels, at random
    places in the batch, are decorrelated instead: use it when a small fraction of a small
    training set must not come out as zero by chance. A
    decorrelated level's marker is uniform over the cells at least ``min_exit_marker_distance``
    from the exit; otherwise the marker is on the exit. The start is uniform over the free cells
    that are neither the exit nor the marker.

    Args:
        config: the level distribution.
        n: int >= 1, number of levels.
        rng: numpy Generator, the only source of randomness.
        exact_fraction: bool. Fix the number of decorrelated levels rather than draw it.

    Returns:
        Levels of length ``n``.

    Raises:
        ValueError: bad arguments, or a layout the config cannot satisfy (e.g. a
            ``min_exit_marker_distance`` too large for the size) after many attempts.
    """
    if not isinstance(config, LevelConfig):
        raise ValueError(f"config must be a LevelConfig, got {type(config).__name__}")
    n = check_int("n", n, 1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    size = config.size
    cells = size * size
    n_walls = int(round(config.wall_density * cells))
    far = config.min_exit_marker_distance

    decorrelated = decorrelated_levels(config.decorrelated_fraction, n, rng, exact_fraction)
    kept_walls, kept_exit, kept_dist = [], [], []
    found, tried, acceptance = 0, 0, 0.9
    for _ in range(_MAX_ROUNDS):
        missing = n - found
        batch = int(min(max(1.1 * missing / max(acceptance, 0.02) + 8, 16), 200_000))
        walls, exit_, dist = _candidate_layouts(size, n_walls, batch, rng)
        reachable = (dist >= 0).reshape(batch, -1).sum(axis=1)
        ok = (reachable >= 3) & (dist.reshape(batch, -1).max(axis=1) >= far)
        tried += batch
        found_now = int(ok.sum())
        acceptance = max(found_now / batch, 0.5 * acceptance)
        take = np.flatnonzero(ok)[:missing]
        kept_walls.append(walls[take])
        kept_exit.append(exit_[take])
        kept_dist.append(dist[take])
        found += len(take)
        if found == n or (found == 0 and tried >= 5000):
            break
    if found < n:
        raise ValueError(
            f"could not generate levels: only {found} of {tried} candidate layouts had a free "
            f"cell min_exit_marker_distance={far} BFS steps from the exit (size={size}, "
            f"wall_density={config.wall_density}); lower min_exit_marker_distance or wall_density"
        )

    walls = np.concatenate(kept_walls)
    exit_ = np.concatenate(kept_exit)
    dist = np.concatenate(kept_dist)
    flat_dist = dist.reshape(n, -1)
    marker_flat = uniform_choice(flat_dist >= far, rng)
    exit_flat = exit_[:, 0] * size + exit_[:, 1]
    marker_flat = np.where(decorrelated, marker_flat, exit_flat)
    allowed = flat_dist >= 0
    rows = np.arange(n)
    allowed[rows, exit_flat] = False
    allowed[rows, marker_flat] = False
    start_flat = uniform_choice(allowed, rng)
    return Levels(
        walls=walls,
        start=np.stack(np.divmod(start_flat, size), axis=1),
        exit=exit_,
        marker=np.stack(np.divmod(marker_flat, size), axis=1),
        config=config,
    )


def _candidate_layouts(size: int, n_walls: int, batch: int, rng: np.random.Generator):
    """``batch`` random layouts: walls, exit (batch, 2), BFS distance to the exit (batch, H, W).

    Layouts that did not reach ``n_walls`` walls come back with distances of -1 everywhere,
    so the caller's acceptance test rejects them.
    """
    walls, done = _carve_walls(size, n_walls, batch, rng)
    exit_flat = uniform_choice(~walls.reshape(batch, -1), rng)
    exit_ = np.stack(np.divmod(exit_flat, size), axis=1)
    dist = _bfs(walls, exit_)
    dist[~done] = -1
    walls |= dist < 0  # no-op for finished layouts, whose free cells are all connected
    return walls, exit_, dist


_RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))
"""The 8 cells around a cell, in cyclic order (N, NE, E, SE, S, SW, W, NW)."""


def _carve_walls(size: int, n_walls: int, batch: int, rng: np.random.Generator):
    """Turn ``n_walls`` cells of an open grid into walls, one at a time, keeping it connected.

    Each step walls a uniformly random free cell whose free 4-neighbours stay connected through
    the ring of 8 cells around it (a local test that is enough for the whole free region to stay
    connected). A layout where no cell passes the test (its free cells are all on loops) walls a
    random free cell instead if a flood fill shows the rest stays connected.

    Returns:
        walls: (batch, H, W) bool. done: (batch,) bool, False for layouts that ran out of tries.
    """
    free = np.ones((batch, size, size), dtype=bool)
    flat_free = free.reshape(batch, -1)
    count = np.zeros(batch, dtype=np.int64)
    padded = np.zeros((batch, size + 2, size + 2), dtype=bool)
    for _ in range(2 * n_walls + 20):
        need = count < n_walls
        if not need.any():
            break
        padded[:, 1:-1, 1:-1] = free
        ring = [padded[:, 1 + dr : 1 + dr + size, 1 + dc : 1 + dc + size] for dr, dc in _RING]
        runs = np.zeros(free.shape, dtype=np.int8)
        for i in range(8):
            runs += ring[i] & ~ring[i - 1]
        for i in (1, 3, 5, 7):  # a free corner between two walled sides touches no neighbour
            runs -= ring[i] & ~ring[i - 1] & ~ring[(i + 1) % 8]
        all_free = np.logical_and.reduce(ring)
        removable = (free & (runs + all_free == 1)).reshape(batch, -1)
        removable &= need[:, None]
        pick = uniform_choice(removable, rng)
        rows = np.flatnonzero(removable.any(axis=1))
        flat_free[rows, pick[rows]] = False
        count[rows] += 1
        stuck = np.flatnonzero(need & ~removable.any(axis=1))
        if len(stuck):
            trial = flat_free[stuck].copy()
            trial[np.arange(len(stuck)), uniform_choice(trial, rng)] = False
            seed = trial.argmax(axis=1)
            reached = _bfs(~trial.reshape(-1, size, size), np.stack(np.divmod(seed, size), 1))
            connected = (reached >= 0).reshape(len(stuck), -1).sum(axis=1) == trial.sum(axis=1)
            flat_free[stuck[connected]] = trial[connected]
            count[stuck[connected]] += 1
    return ~free, count == n_walls


def uniform_choice(allowed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(m, k) bool -> (m,) index of a uniformly random True entry per row (each row needs one)."""
    keys = rng.random(allowed.shape)
    keys[~allowed] = -1.0
    return keys.argmax(axis=1)


def bfs_distances(walls: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Shortest-path steps from every cell to ``target``, for a batch of grids.

    Args:
        walls: (n, H, W) bool. True where the agent cannot stand.
        target: (n, 2) int (row, col). A free cell of each grid.

    Returns:
        (n, H, W) int64. Steps (4-neighbour moves) from each cell to the target; 0 on the target,
        -1 on walls and on free cells that cannot reach it.
    """
    walls = np.asarray(walls)
    check_shape("walls", walls.shape, "(n, H, W)", walls.ndim == 3 and walls.shape[0] >= 1)
    walls = walls.astype(bool, copy=False)
    n, height, width = walls.shape
    if height != width:
        raise ValueError(f"walls must be square grids (H == W), got shape {walls.shape}")
    target = check_cells("target", target, n, height)
    if np.any(walls[np.arange(n), target[:, 0], target[:, 1]]):
        raise ValueError("target must lie on free cells, but some target cells are walls")
    return _bfs(walls, target)


def _bfs(walls: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Batched breadth-first search by frontier dilation (inputs already checked)."""
    n, height, width = walls.shape
    free = ~walls
    dist = np.full(walls.shape, -1, dtype=np.int64)
    frontier = np.zeros(walls.shape, dtype=bool)
    frontier[np.arange(n), target[:, 0], target[:, 1]] = True
    unvisited = free.copy()
    unvisited &= ~frontier
    dist[frontier] = 0
    step_count = 0
    grown = np.empty_like(frontier)
    while True:
        step_count += 1
        grown[:] = False
        grown[:, 1:, :] |= frontier[:, :-1, :]
        grown[:, :-1, :] |= frontier[:, 1:, :]
        grown[:, :, 1:] |= frontier[:, :, :-1]
        grown[:, :, :-1] |= frontier[:, :, 1:]
        grown &= unvisited
        if not grown.any():
            return dist
        dist[grown] = step_count
        unvisited &= ~grown
        frontier, grown = grown, frontier


def expert_actions(levels: Levels, target: str = "exit") -> np.ndarray:
    """The BFS expert: an optimal action from every free cell toward ``target``.

    Args:
        levels: a batch of n levels.
        target: "exit" (the base objective) or "marker" (the proxy).

    Returns:
        (n, H, W) int64 action index into :data:`ACTIONS`. STAY (0) on the target; -1 on walls and
        unreachable cells. Where several moves are optimal, the lowest action index wins
        (up before down before left before right), so the expert is deterministic.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    dist = levels.distances(target)
    actions = np.where(dist == 0, STAY, -1).astype(np.int64)
    wanted = dist - 1
    for action in (RIGHT, LEFT, DOWN, UP):  # reversed, so the lowest index is written last
        neighbour = _neighbour_values(dist, ACTIONS[action], fill=-2)
        better = (dist > 0) & (neighbour == wanted)
        actions[better] = action
    return actions


def _neighbour_values(grid: np.ndarray, offset: np.ndarray, fill) -> np.ndarray:
    """value[b, r, c] = grid[b, r + dr, c + dc], or ``fill`` where that cell is off the grid."""
    dr, dc = int(offset[0]), int(offset[1])
    out = np.full_like(grid, fill)
    height, width = grid.shape[1:]
    out[:, max(0, -dr) : height - max(0, dr), max(0, -dc) : width - max(0, dc)] = grid[
        :, max(0, dr) : height - max(0, -dr), max(0, dc) : width - max(0, -dc)
    ]
    return out


def step(walls: np.ndarray, positions: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """One batched transition.

    Args:
        walls: (n, H, W) bool. True where the agent cannot stand.
        positions: (n, 2) int (row, col). Current cells.
        actions: (n,) int in [0, 4], indices into :data:`ACTIONS`.

    Returns:
        (n, 2) int64 new cells. A move off the grid or into a wall leaves the agent in place.
    """
    walls = np.asarray(walls)
    check_shape("walls", walls.shape, "(n, H, W)", walls.ndim == 3)
    n, height, width = walls.shape
    positions = check_cells("positions", positions, n, height, width)
    actions = np.asarray(actions)
    check_shape("actions", actions.shape, f"({n},)", actions.shape == (n,))
    if actions.size and (
        not np.issubdtype(actions.dtype, np.integer) or actions.min() < 0 or actions.max() > 4
    ):
        raise ValueError(f"actions must be integers in [0, 4], got {actions}")
    moved = positions + ACTIONS[actions]
    inside = (
        (moved[:, 0] >= 0) & (moved[:, 0] < height) & (moved[:, 1] >= 0) & (moved[:, 1] < width)
    )
    clipped = np.where(inside[:, None], moved, positions)
    blocked = walls.astype(bool, copy=False)[np.arange(n), clipped[:, 0], clipped[:, 1]]
    return np.where((inside & ~blocked)[:, None], moved, positions)


def parse_level(picture: str | list[str], config: LevelConfig | None = None) -> Levels:
    """A single hand-drawn level, for tests and the book's worked examples.

    ``picture`` is rows of equal length (a multi-line string or a list of strings): ``#`` wall,
    ``.`` free, ``S`` start, ``E`` exit, ``M`` marker (leave ``M`` out to put the marker on the
    exit). ``config`` defaults to ``LevelConfig(size=H)``; its size must match the picture.

    Returns:
        Levels of length 1.
    """
    rows = picture.split() if isinstance(picture, str) else list(picture)
    size = len(rows)
    if size == 0 or any(len(row) != size for row in rows):
        raise ValueError(f"picture must be a square of characters, got rows {rows!r}")
    bad = set("".join(rows)) - set("#.SEM")
    if bad:
        raise ValueError(f"picture may only hold the characters '#.SEM', got {sorted(bad)}")
    config = LevelConfig(size=size) if config is None else config
    if config.size != size:
        raise ValueError(f"config.size must equal the picture's size {size}, got {config.size}")
    grid = np.array([list(row) for row in rows])
    found = {}
    for symbol in "SEM":
        where = np.argwhere(grid == symbol)
        if len(where) > 1 or (symbol != "M" and len(where) == 0):
            raise ValueError(f"picture must hold exactly one {symbol!r}, got {len(where)}")
        found[symbol] = where
    marker = found["M"] if len(found["M"]) else found["E"]
    return Levels(
        walls=(grid == "#")[None],
        start=found["S"],
        exit=found["E"],
        marker=marker,
        config=config,
    )
