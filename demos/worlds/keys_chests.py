"""Keys and chests: an instrument of the base objective becomes an end of the mesa-objective.

A small gridworld in the spirit of the keys-and-chests environment of Langosco et al. (2022;
``langosco2022goal`` in ``book/references.bib``). Opening chests is the base objective, and each
chest uses up a key. In training levels keys are scarce and chests plentiful, so picking up a
key is always a step towards opening a chest. A planner whose reward head (the mesa-objective)
is trained by imitating an optimal expert learns to value keys *for themselves*: it gives a key a
reward of its own, on top of the chest the key unlocks. On test levels with many keys and few
chests it fills its pockets with keys it can never use and opens fewer chests than the expert.

Description:
    A square grid of side ``size``. Some cells are walls (the free cells form one connected
    region, drawn with :func:`demos.worlds.mazes.generate_levels`); the agent moves one cell per
    step. Each level holds a start cell, some keys and some chests, each on its own free cell.

Observation:
    :func:`observe` gives a ``(n, 4, H, W)`` float32 array with the channels of
    :data:`CHANNELS` (``walls``, ``keys``, ``chests``, ``agent``; 1 where present) and the
    ``(n,)`` int64 count of keys the agent holds (its inventory). Items leave the key and chest
    channels once picked up or opened. The planner reads the same maps and count.

Actions:
    ``Discrete(5)``, the rows of :data:`demos.worlds.mazes.ACTIONS`: 0 stay, 1 up, 2 down, 3 left,
    4 right. A move into a wall or off the grid leaves the agent where it was.

Reward (the base objective):
    +1 each time a chest is opened. After every move the item on the agent's cell acts: a key is
    picked up (keys held + 1, the key disappears); a chest is opened if the agent holds a key
    (keys held - 1, the chest disappears, reward +1), and otherwise stays shut where it is. The
    expert maximises the discounted sum of these rewards (:data:`BASE_DISCOUNT`); the figures
    report it and the plain number of chests opened within the horizon.

Hidden measures (keys collected beyond use):
    A key is worth nothing to the base objective except as the means to a chest. The reward
    never sees how many keys an agent collects; :class:`Episodes` records it, and
    ``keys_unused`` (keys still held when the episode ends: collected, never used) measures the
    pursuit of the proxy beyond its use.

Termination:
    An episode ends when no chest is left, or after ``steps`` moves (the horizon, by default
    :func:`demos.worlds.mazes.default_horizon`). An agent holding no key with no key left simply
    runs out the horizon.

Randomness:
    Only from the ``numpy.random.Generator`` passed to :func:`generate_worlds`. The expert, the
    planner and the rollouts are deterministic (ties go to the lowest action index).

The learner, :class:`KeyChestPlanner`, is a planner in the spirit of
:class:`demos.agents.planners.Planner`: a learned reward for each item kind (the mesa-objective, two
readable numbers: ``key_value`` for picking up a key, ``chest_value`` for opening a chest), then
hard-coded value iteration over the augmented state (keys held, cell), then a softmax readout.
Exact value iteration over (cell, keys held, items left) has ``H * W * 2**items`` states per
level: the :class:`Expert` uses it, but it is too big to differentiate through in a training
loop. The planner makes two documented simplifications instead:

- *One chest ahead.* Opening a chest ends the plan (it is worth the chest's reward and nothing
  after it). The agent re-plans whenever the items change, so it goes from chest to chest.
- *Items do not run out inside a plan.* The plan tracks keys held (up to ``max_keys``, 3; a key
  picked up at the cap earns nothing in the plan) but not which keys are gone, so a key stepped
  off and onto again counts twice. The real world consumes it and the next plan sees it gone.

With the base objective as its mesa-objective (``key_value = 0``, ``chest_value = 1``:
:func:`aligned_planner`) the same planner picks up a key only on its way to a chest and does as
well as the expert on both distributions, so the hoarding measured at test comes from the
learned key value, not from the simplifications.

Why a key value is learned at all: on the default training levels (one key, three chests) the
best imitation loss reachable with a positive key reward is a little lower than with none, and
the same for every positive key reward tried, from a twentieth of a chest to three chests
(:func:`key_value_landscape`). The demonstrations lean towards valuing keys and cannot say by
how much, because no training level ever shows the expert walking past a key. The planner
starts aligned (a key worth 0, a chest 1); Adam moves the key reward up from the first step (the
gradient's sign is the loss's preference; Adam's per-parameter step sizes set the speed) and
stops with a key worth about 0.7 of a chest. A few
training levels with spare keys, where the expert leaves keys on the floor, give the landscape a
clear minimum at zero, and the learned key value falls to about zero.

In the paper's terms (section 3.1): the planner is proxy aligned. Keys are instrumental to the
base objective (a means to chests); the mesa-objective holds them as an end, and on the training
distribution pursuing them never cost a chest, so nothing told the two apart.

Where the toy differs from Langosco et al. (2022): they trained a deep reinforcement-learning
agent from pixels on procedurally generated mazes and inferred what it valued from its
behaviour. Here the agent is trained by imitation of an optimal expert (no reward reaches the
learner), on tiny grids, with a hand-built planner whose mesa-objective is read straight off two
parameters rather than inferred; the hoarding is bounded by the planner's ``max_keys`` layers
(plus keys it happens to walk over). It shows the same failure in a far simpler setting, not
their result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from torch import nn

from demos.agents import planners
from demos.core.validation import check_cells, check_float, check_int, check_shape, read_only
from demos.figures.style import COLORS, FONT, OKABE_ITO, draw_grid, maze_legend
from demos.training import base_optimizers
from demos.training.base_optimizers import TrainingHistory
from demos.worlds import mazes
from demos.worlds.mazes import ACTIONS, LevelConfig

KEY, CHEST = 0, 1
ITEM_KINDS = ("key", "chest")
"""Names of the item kinds, in index order."""

CHANNELS = ("walls", "keys", "chests", "agent")
"""Observation channels of :func:`observe`, in order."""

BASE_DISCOUNT = 0.95
"""Discount of the base objective: the expert maximises the sum of ``BASE_DISCOUNT ** (t - 1)``
over the steps t (1 for the first move, 2, ...) on which it opens a chest."""

MAX_ITEMS = 10
"""Most items (keys plus chests) a level may hold: the expert's exact search has
``H * W * 2**items`` states per level."""

N_ACTIONS = len(ACTIONS)


# --------------------------------------------------------------------------------------------
# Levels


@dataclass(frozen=True)
class WorldConfig:
    """What a batch of keys-and-chests levels looks like. Validated on construction."""

    size: int = 6
    """Side H = W of the square grid (4 to 12)."""
    wall_density: float = 0.15
    """Share of cells that are walls, in [0, 0.4]; the free cells form one connected region."""
    keys: int = 1
    """Keys per level (0 to 8)."""
    chests: int = 3
    """Chests per level (1 to 8). Keys plus chests must be at most :data:`MAX_ITEMS` and fit on
    the free cells other than the start."""

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "size", check_int("size", self.size, 4, 12))
        set_(self, "wall_density", check_float("wall_density", self.wall_density, 0.0, 0.4))
        set_(self, "keys", check_int("keys", self.keys, 0, 8))
        set_(self, "chests", check_int("chests", self.chests, 1, 8))
        items = self.keys + self.chests
        free = self.size * self.size - int(round(self.wall_density * self.size**2)) - 1
        limit = min(MAX_ITEMS, free)
        if items > limit:
            raise ValueError(
                f"keys + chests must be at most {limit} for size={self.size} and "
                f"wall_density={self.wall_density}, got {self.keys} + {self.chests} = {items}"
            )


@dataclass(frozen=True, eq=False)
class Worlds:
    """A batch of ``n`` keys-and-chests levels of one grid size. Arrays are read-only."""

    walls: np.ndarray
    """(n, H, W) bool. True where the agent cannot stand."""
    start: np.ndarray
    """(n, 2) int64 (row, col). The agent's start: a free cell without an item."""
    keys: np.ndarray
    """(n, H, W) bool. True on the cells holding a key."""
    chests: np.ndarray
    """(n, H, W) bool. True on the cells holding a chest (never on a key's cell)."""

    def __post_init__(self):
        walls = np.asarray(self.walls, dtype=bool)
        check_shape(
            "walls",
            walls.shape,
            "(n, H, H) with n >= 1",
            walls.ndim == 3 and walls.shape[0] >= 1 and walls.shape[1] == walls.shape[2],
        )
        n, size = walls.shape[0], walls.shape[1]
        start = check_cells("start", self.start, n, size)
        if np.any(walls[np.arange(n), start[:, 0], start[:, 1]]):
            raise ValueError("start must lie on free cells, but some start cells are walls")
        maps = {}
        for name in ("keys", "chests"):
            array = np.asarray(getattr(self, name))
            check_shape(name, array.shape, str(walls.shape), array.shape == walls.shape)
            maps[name] = array.astype(bool)
            if np.any(maps[name] & walls):
                raise ValueError(f"{name} must lie on free cells, but some are on walls")
            if np.any(maps[name][np.arange(n), start[:, 0], start[:, 1]]):
                raise ValueError(f"{name} must not lie on the start cell")
        if np.any(maps["keys"] & maps["chests"]):
            raise ValueError("keys and chests must lie on different cells")
        items = (maps["keys"] | maps["chests"]).reshape(n, -1).sum(axis=1)
        if items.max() > MAX_ITEMS:
            raise ValueError(f"each level may hold at most {MAX_ITEMS} items, got {items.max()}")
        for name, value in (("walls", walls), ("start", start), *maps.items()):
            object.__setattr__(self, name, read_only(value))

    def __len__(self) -> int:
        return self.walls.shape[0]

    @property
    def size(self) -> int:
        """Side H = W of the grid."""
        return self.walls.shape[1]

    @property
    def key_counts(self) -> np.ndarray:
        """(n,) int64: keys in each level at the start."""
        return self.keys.reshape(len(self), -1).sum(axis=1)

    @property
    def chest_counts(self) -> np.ndarray:
        """(n,) int64: chests in each level at the start."""
        return self.chests.reshape(len(self), -1).sum(axis=1)

    def subset(self, index) -> Worlds:
        """The levels picked by ``index`` (int, slice, int array or (n,) bool mask)."""
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
            index = [check_int("index", index, -len(self), len(self) - 1)]
        elif not isinstance(index, slice):
            index = np.asarray(index)
            if index.dtype == bool:
                check_shape("index", index.shape, f"({len(self)},)", index.shape == (len(self),))
            elif index.size and (
                not np.issubdtype(index.dtype, np.integer)
                or index.min() < -len(self)
                or index.max() >= len(self)
            ):
                raise ValueError(
                    f"index must hold integers in [{-len(self)}, {len(self) - 1}], got {index}"
                )
        return Worlds(
            walls=self.walls[index],
            start=self.start[index],
            keys=self.keys[index],
            chests=self.chests[index],
        )


def generate_worlds(config: WorldConfig, n: int, rng: np.random.Generator) -> Worlds:
    """Draw ``n`` random levels of ``config``.

    The walls and the start come from :func:`demos.worlds.mazes.generate_levels` (walls added at
    random cells while the free region stays connected; a uniformly random free start). The keys and
    chests then go on distinct free cells other than the start, chosen uniformly at random.

    Args:
        config: the level distribution.
        n: int >= 1, number of levels.
        rng: numpy Generator, the only source of randomness.

    Returns:
        Worlds of length ``n``.
    """
    if not isinstance(config, WorldConfig):
        raise ValueError(f"config must be a WorldConfig, got {type(config).__name__}")
    n = check_int("n", n, 1, 1_000_000)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    size = config.size
    layout = mazes.generate_levels(
        LevelConfig(size=size, wall_density=config.wall_density, min_exit_marker_distance=1),
        n,
        rng,
    )
    walls = np.array(layout.walls)
    start = np.array(layout.start)
    allowed = ~walls.reshape(n, -1)
    allowed[np.arange(n), start[:, 0] * size + start[:, 1]] = False
    keys = np.zeros((n, size * size), dtype=bool)
    chests = np.zeros((n, size * size), dtype=bool)
    rows = np.arange(n)
    for item in range(config.keys + config.chests):
        cell = mazes.uniform_choice(allowed, rng)
        allowed[rows, cell] = False
        (keys if item < config.keys else chests)[rows, cell] = True
    shape = (n, size, size)
    return Worlds(walls=walls, start=start, keys=keys.reshape(shape), chests=chests.reshape(shape))


def concatenate(worlds: Sequence[Worlds]) -> Worlds:
    """One batch holding the levels of every batch in ``worlds``, in order (same grid size)."""
    worlds = list(worlds)
    if not worlds or not all(isinstance(batch, Worlds) for batch in worlds):
        raise ValueError("worlds must be a non-empty sequence of Worlds")
    sizes = sorted({batch.size for batch in worlds})
    if len(sizes) > 1:
        raise ValueError(f"worlds must share one grid size, got sizes {sizes}")
    return Worlds(
        walls=np.concatenate([batch.walls for batch in worlds]),
        start=np.concatenate([batch.start for batch in worlds]),
        keys=np.concatenate([batch.keys for batch in worlds]),
        chests=np.concatenate([batch.chests for batch in worlds]),
    )


def parse_world(picture: str | list[str]) -> Worlds:
    """A single hand-drawn level, for tests and worked examples.

    ``picture`` is rows of equal length (a multi-line string or a list of strings): ``#`` wall,
    ``.`` free, ``S`` start (exactly one), ``K`` key, ``C`` chest.

    Returns:
        Worlds of length 1.
    """
    rows = picture.split() if isinstance(picture, str) else list(picture)
    size = len(rows)
    if size == 0 or any(len(row) != size for row in rows):
        raise ValueError(f"picture must be a square of characters, got rows {rows!r}")
    bad = set("".join(rows)) - set("#.SKC")
    if bad:
        raise ValueError(f"picture may only hold the characters '#.SKC', got {sorted(bad)}")
    grid = np.array([list(row) for row in rows])
    start = np.argwhere(grid == "S")
    if len(start) != 1:
        raise ValueError(f"picture must hold exactly one 'S', got {len(start)}")
    return Worlds(
        walls=(grid == "#")[None],
        start=start,
        keys=(grid == "K")[None],
        chests=(grid == "C")[None],
    )


# --------------------------------------------------------------------------------------------
# The environment


@dataclass
class State:
    """Where a batch of episodes stands: the agents, their inventories, the items left."""

    position: np.ndarray
    """(n, 2) int64 (row, col): each agent's cell."""
    keys_held: np.ndarray
    """(n,) int64: keys each agent holds (collected and not yet used)."""
    keys: np.ndarray
    """(n, H, W) bool: keys still on the floor."""
    chests: np.ndarray
    """(n, H, W) bool: chests still shut."""
    done: np.ndarray
    """(n,) bool: True once no chest is left (the episode has ended)."""


def initial_state(worlds: Worlds) -> State:
    """The state of every level at the start: agent on the start cell, holding no key."""
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    n = len(worlds)
    return State(
        position=np.array(worlds.start),
        keys_held=np.zeros(n, dtype=np.int64),
        keys=np.array(worlds.keys),
        chests=np.array(worlds.chests),
        done=~worlds.chests.reshape(n, -1).any(axis=1),
    )


def step(worlds: Worlds, state: State, actions) -> tuple[State, np.ndarray, np.ndarray]:
    """One batched transition of the environment (the state is not modified; a new one returns).

    Args:
        worlds: the n levels.
        state: where the n episodes stand.
        actions: (n,) int in [0, 4], indices into :data:`demos.worlds.mazes.ACTIONS`. Ignored for
            episodes that are done.

    Returns:
        ``(state, opened, picked)``: the new State; (n,) bool, True where a chest was opened this
        step (the base objective's reward); (n,) bool, True where a key was picked up.
    """
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    if not isinstance(state, State):
        raise ValueError(f"state must be a State, got {type(state).__name__}")
    n = len(worlds)
    actions = np.asarray(actions)
    check_shape("actions", actions.shape, f"({n},)", actions.shape == (n,))
    if actions.size and (
        not np.issubdtype(actions.dtype, np.integer) or actions.min() < 0 or actions.max() > 4
    ):
        raise ValueError(f"actions must be integers in [0, 4], got {actions}")
    done = state.done
    position = mazes.step(worlds.walls, state.position, np.where(done, 0, actions))
    rows, r, c = np.arange(n), position[:, 0], position[:, 1]
    keys, chests = state.keys.copy(), state.chests.copy()
    picked = keys[rows, r, c] & ~done
    keys[rows[picked], r[picked], c[picked]] = False
    held = state.keys_held + picked
    opened = chests[rows, r, c] & (held >= 1) & ~done
    chests[rows[opened], r[opened], c[opened]] = False
    held = held - opened
    new = State(
        position=position,
        keys_held=held,
        keys=keys,
        chests=chests,
        done=done | ~chests.reshape(n, -1).any(axis=1),
    )
    return new, opened, picked


def observe(worlds: Worlds, state: State | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The agent's view: item and wall maps, and its inventory.

    Args:
        worlds: the n levels.
        state: where the episodes stand (default :func:`initial_state`).

    Returns:
        ``(maps, keys_held)``: (n, 4, H, W) float32 with the channels of :data:`CHANNELS` (1 on
        walls, on keys left, on chests left, on the agent); (n,) int64 keys held.
    """
    state = initial_state(worlds) if state is None else state
    n, size = len(worlds), worlds.size
    maps = np.zeros((n, len(CHANNELS), size, size), dtype=np.float32)
    maps[:, 0] = worlds.walls
    maps[:, 1] = state.keys
    maps[:, 2] = state.chests
    maps[np.arange(n), 3, state.position[:, 0], state.position[:, 1]] = 1.0
    return maps, np.array(state.keys_held)


# --------------------------------------------------------------------------------------------
# The expert: exact value iteration over (items remaining, cell)


class Expert:
    """The optimal agent for the base objective, by exact value iteration.

    For each level with m items, the state is (which items are gone: an m-bit mask, cell); the
    keys held follow from the mask (keys gone minus chests gone). Value iteration runs until the
    values stop changing, which happens once every optimal plan fits in the iterations, so the
    values are exact: ``values[mask, cell]`` is the largest discounted number of chests
    (``sum discount ** (t - 1)`` over the opening steps t = 1, 2, ...) any policy can get.

    Ties between actions go to the lowest action index (stay, up, down, left, right).

    Args:
        worlds: the levels the expert will act in.
        discount: float in (0, 1), the base objective's discount.
    """

    def __init__(self, worlds: Worlds, discount: float = BASE_DISCOUNT) -> None:
        if not isinstance(worlds, Worlds):
            raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
        self.discount = check_float("discount", discount, 1e-6, 1.0 - 1e-6)
        self.worlds = worlds
        n, size = len(worlds), worlds.size
        cells = size * size
        next_cell = planners.next_cells(np.array(worlds.walls)).numpy()
        next_cell = next_cell.reshape(n, N_ACTIONS, cells)
        self.item_cells: list[np.ndarray] = []
        self.item_kinds: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []
        self.held: list[np.ndarray] = []
        for i in range(n):
            key_cells = np.flatnonzero(worlds.keys[i].ravel())
            chest_cells = np.flatnonzero(worlds.chests[i].ravel())
            item_cells = np.concatenate([key_cells, chest_cells])
            kinds = np.array([KEY] * len(key_cells) + [CHEST] * len(chest_cells), dtype=np.int64)
            values, actions, held = _exact_values(next_cell[i], item_cells, kinds, self.discount)
            self.item_cells.append(item_cells)
            self.item_kinds.append(kinds)
            self.values.append(values)
            self.actions.append(actions)
            self.held.append(held)

    def masks(self, state: State) -> np.ndarray:
        """(n,) int64: the mask of items gone in each level of ``state``."""
        n = len(self.worlds)
        floor = (state.keys | state.chests).reshape(n, -1)
        masks = np.zeros(n, dtype=np.int64)
        for i in range(n):
            gone = ~floor[i, self.item_cells[i]]
            masks[i] = int(np.sum(gone.astype(np.int64) << np.arange(len(gone))))
        return masks

    def __call__(self, state: State) -> np.ndarray:
        """(n,) int64: the expert's action in each level of ``state``."""
        size = self.worlds.size
        flat = state.position[:, 0] * size + state.position[:, 1]
        masks = self.masks(state)
        return np.array(
            [self.actions[i][masks[i], flat[i]] for i in range(len(self.worlds))], dtype=np.int64
        )

    def start_values(self) -> np.ndarray:
        """(n,) float: the optimal discounted base objective from each level's start."""
        size = self.worlds.size
        flat = self.worlds.start[:, 0] * size + self.worlds.start[:, 1]
        return np.array([self.values[i][0, flat[i]] for i in range(len(self.worlds))])

    def action_map(self, index: int, mask: int) -> np.ndarray:
        """(H, W) int64: the expert's action at every cell of level ``index`` with items ``mask``
        gone (meaningless on walls)."""
        index = check_int("index", index, 0, len(self.worlds) - 1)
        mask = check_int("mask", mask, 0, 2 ** len(self.item_cells[index]) - 1)
        size = self.worlds.size
        return self.actions[index][mask].reshape(size, size).astype(np.int64)


def _exact_values(next_cell: np.ndarray, item_cells, kinds, discount: float):
    """Value iteration over (mask, cell) for one level.

    Args:
        next_cell: (5, HW) int, where each action leads from each cell.
        item_cells: (m,) flat cells of the items; kinds: (m,) KEY or CHEST.

    Returns:
        values (2**m, HW) float64, actions (2**m, HW) int8, held (2**m,) int64 keys held.
    """
    m = len(item_cells)
    cells = next_cell.shape[1]
    states = 2**m
    masks = np.arange(states, dtype=np.int64)
    bits = np.arange(m)
    gone = (masks[:, None] >> bits) & 1  # (S, m)
    held = gone[:, kinds == KEY].sum(axis=1) - gone[:, kinds == CHEST].sum(axis=1)
    item_at = np.full(cells, -1, dtype=np.int64)
    item_at[item_cells] = bits
    item = item_at[next_cell]  # (5, HW): the item on the cell each action leads to
    safe = np.maximum(item, 0)
    present = (item[None] >= 0) & (((masks[:, None, None] >> safe[None]) & 1) == 0)
    kind = kinds[safe][None] if m else np.zeros_like(safe)[None]
    picked = present & (kind == KEY)
    opened = present & (kind == CHEST) & (held[:, None, None] >= 1)
    new_mask = np.where(
        picked | opened, masks[:, None, None] | (1 << safe[None]), masks[:, None, None]
    )
    target = (new_mask * cells + next_cell[None]).reshape(-1)
    reward = opened.astype(np.float64)
    values = np.zeros(states * cells)
    for _ in range(states * cells + 1):
        q_values = reward + discount * values[target].reshape(states, N_ACTIONS, cells)
        new_values = q_values.max(axis=1).reshape(-1)
        if np.array_equal(new_values, values):
            break
        values = new_values
    best = q_values >= q_values.max(axis=1, keepdims=True) - 1e-9
    actions = best.argmax(axis=1).astype(np.int8)
    return values.reshape(states, cells), actions, held


# --------------------------------------------------------------------------------------------
# The learner: a reward per item kind (the mesa-objective), then value iteration


class KeyChestPlanner(nn.Module):
    """Learned item rewards (the mesa-objective), then value iteration over (keys held, cell).

    The mesa-objective is two numbers: :attr:`key_value`, the reward the planner expects for
    picking up a key, and :attr:`chest_value`, for opening a chest. The base objective would be
    ``key_value = 0, chest_value = 1``: keys worth only the chests they open.

    The planner's model of the world, over layers k = 0 .. ``max_keys`` of keys held:

    - moving onto a key (k < ``max_keys``) pays ``key_value`` and moves to layer k + 1;
    - moving onto a chest with k >= 1 pays ``chest_value`` and ends the plan;
    - anything else, staying put included, pays 0 and keeps k.

    From ``V = 0``, each of ``steps`` backups computes ``Q[k, a](s) = R[k, a](s) + discount *
    V[k', next(s, a)]`` (no continuation after a chest) and ``V = max_a Q``. The policy's logits
    are ``temperature * Q`` at the agent's layer ``min(keys held, max_keys)``. See the module
    docstring for why the plan ends at the first chest and how keys held saturate.

    By default the planner starts *aligned*: its initial mesa-objective is the base objective
    (``key_value = 0``, ``chest_value = 1``), so whatever key value it ends with, training put
    there. The initial values are fixed numbers, not random draws.

    Args:
        steps: int >= 1, value-iteration steps K (the planner sees at most K moves ahead).
        discount: float in (0, 1], the planner's own discount.
        max_keys: int >= 1, the largest keys-held layer.
        key_value: float, the initial reward for picking up a key.
        chest_value: float, the initial reward for opening a chest.
    """

    def __init__(
        self,
        steps: int = 12,
        discount: float = 0.9,
        max_keys: int = 3,
        key_value: float = 0.0,
        chest_value: float = 1.0,
    ) -> None:
        super().__init__()
        self.steps = check_int("steps", steps, 1, 1000)
        self.discount = check_float("discount", discount, 1e-6, 1.0)
        self.max_keys = check_int("max_keys", max_keys, 1, 8)
        key_value = check_float("key_value", key_value, -100.0, 100.0)
        chest_value = check_float("chest_value", chest_value, -100.0, 100.0)
        self.key_value = nn.Parameter(torch.tensor(key_value))
        """Scalar: the learned reward for picking up a key (the base objective's is 0)."""
        self.chest_value = nn.Parameter(torch.tensor(chest_value))
        """Scalar: the learned reward for opening a chest (the base objective's is 1)."""
        self.log_temperature = nn.Parameter(torch.zeros(()))
        """Scalar: log of the readout's inverse temperature (how sharply it acts on Q)."""

    def mesa_objective(self) -> dict[str, float]:
        """The learned item rewards: ``{"key": key_value, "chest": chest_value}``."""
        return {"key": float(self.key_value.detach()), "chest": float(self.chest_value.detach())}

    def reward_map(self, worlds: Worlds, state: State | None = None) -> np.ndarray:
        """(n, H, W) float: the mesa-objective laid on the cells, ``key_value`` on each key left
        and ``chest_value`` on each chest left (0 elsewhere); walls are 0."""
        if not isinstance(worlds, Worlds):
            raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
        state = initial_state(worlds) if state is None else state
        values = self.mesa_objective()
        return values["key"] * state.keys.astype(float) + values["chest"] * state.chests.astype(
            float
        )

    def plan_inputs(self, walls, keys, chests) -> PlanInputs:
        """The fixed part of value iteration for a batch of item layouts (see :class:`PlanInputs`).

        Args:
            walls, keys, chests: (b, H, W) bool arrays or tensors.
        """
        walls = torch.from_numpy(np.array(walls, dtype=bool))
        check_shape("walls", tuple(walls.shape), "(b, H, W)", walls.ndim == 3)
        batch, height, width = walls.shape
        cells = height * width
        maps = []
        for name, array in (("keys", keys), ("chests", chests)):
            array = torch.from_numpy(np.array(array, dtype=bool))
            check_shape(
                name, tuple(array.shape), str(tuple(walls.shape)), array.shape == walls.shape
            )
            maps.append(array.reshape(batch, cells))
        next_cell = planners.next_cells(walls)
        moves = torch.ones(N_ACTIONS, 1, dtype=torch.bool)
        moves[0] = False  # staying put never triggers an item in the plan
        key_ahead = maps[0].gather(1, next_cell).view(batch, N_ACTIONS, cells) & moves
        chest_ahead = maps[1].gather(1, next_cell).view(batch, N_ACTIONS, cells) & moves
        layers = torch.arange(self.max_keys + 1).view(1, -1, 1, 1)
        pick = key_ahead.unsqueeze(1) & (layers < self.max_keys)
        open_ = chest_ahead.unsqueeze(1) & (layers >= 1)
        target = (layers + pick.long()) * cells + next_cell.view(batch, 1, N_ACTIONS, cells)
        return PlanInputs(
            pick=pick.float(),
            open=open_.float(),
            target=target.reshape(batch, -1),
            carry=self.discount * (~open_).float(),
            shape=(height, width),
        )

    def q_values(self, inputs: PlanInputs) -> torch.Tensor:
        """(b, max_keys + 1, 5, H * W) float: action values in every layer and cell."""
        reward = self.key_value * inputs.pick + self.chest_value * inputs.open
        batch = reward.shape[0]
        values = torch.zeros(batch, inputs.target.shape[1] // N_ACTIONS)
        q_values = reward
        for _ in range(self.steps):
            ahead = values.gather(1, inputs.target).view(reward.shape)
            q_values = reward + inputs.carry * ahead
            values = q_values.amax(dim=2).reshape(batch, -1)
        return q_values

    def policy(self, inputs: PlanInputs, keys_held) -> torch.Tensor:
        """(b, 5, H, W) float: policy logits at every cell, in each batch row's keys-held layer.

        Args:
            inputs: from :meth:`plan_inputs`.
            keys_held: (b,) int, keys held (clipped to ``max_keys``).
        """
        q_values = self.q_values(inputs)
        batch = q_values.shape[0]
        layer = torch.as_tensor(np.asarray(keys_held), dtype=torch.long).clamp(0, self.max_keys)
        check_shape("keys_held", tuple(layer.shape), f"({batch},)", tuple(layer.shape) == (batch,))
        chosen = q_values[torch.arange(batch), layer]
        return (self.log_temperature.exp() * chosen).view(batch, N_ACTIONS, *inputs.shape)


@dataclass
class PlanInputs:
    """What value iteration needs about a batch of item layouts (everything but the rewards)."""

    pick: torch.Tensor
    """(b, L, 5, HW) float: 1 where the move picks up a key in layer k (L = max_keys + 1)."""
    open: torch.Tensor
    """(b, L, 5, HW) float: 1 where the move opens a chest in layer k."""
    target: torch.Tensor
    """(b, L * 5 * HW) int64: flat (layer, cell) index the move leads to."""
    carry: torch.Tensor
    """(b, L, 5, HW) float: the discount, or 0 where the move opens a chest (the plan ends)."""
    shape: tuple[int, int]
    """(H, W)."""


def aligned_planner(steps: int = 12, discount: float = 0.9, max_keys: int = 3) -> KeyChestPlanner:
    """The control: the same planner with the base objective as its mesa-objective (a key is
    worth 0, a chest 1), untrained. It picks up keys only on its way to a chest."""
    return KeyChestPlanner(
        steps=steps, discount=discount, max_keys=max_keys, key_value=0.0, chest_value=1.0
    )


class PlannerPolicy:
    """A :class:`KeyChestPlanner` acting greedily in ``worlds``, re-planning when items change.

    The plan depends only on the items left, so the greedy action maps of every keys-held layer
    are cached per level and recomputed only for levels whose items changed.
    """

    def __init__(self, model: KeyChestPlanner, worlds: Worlds) -> None:
        if not isinstance(model, KeyChestPlanner):
            raise ValueError(f"model must be a KeyChestPlanner, got {type(model).__name__}")
        if not isinstance(worlds, Worlds):
            raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
        self.model, self.worlds = model, worlds
        n, size = len(worlds), worlds.size
        self._keys = np.zeros((n, size, size), dtype=bool)
        self._chests = np.zeros((n, size, size), dtype=bool)
        self._actions = np.zeros((n, model.max_keys + 1, size * size), dtype=np.int64)
        self._fresh = np.zeros(n, dtype=bool)

    def __call__(self, state: State) -> np.ndarray:
        n, size = len(self.worlds), self.worlds.size
        changed = ~self._fresh | np.any(
            (state.keys != self._keys) | (state.chests != self._chests), axis=(1, 2)
        )
        rows = np.flatnonzero(changed)
        if len(rows):
            with torch.no_grad():
                inputs = self.model.plan_inputs(
                    self.worlds.walls[rows], state.keys[rows], state.chests[rows]
                )
                self._actions[rows] = self.model.q_values(inputs).argmax(dim=2).numpy()
            self._keys[rows], self._chests[rows] = state.keys[rows], state.chests[rows]
            self._fresh[rows] = True
        layer = np.minimum(state.keys_held, self.model.max_keys)
        flat = state.position[:, 0] * size + state.position[:, 1]
        return self._actions[np.arange(n), layer, flat]


# --------------------------------------------------------------------------------------------
# Rollouts and metrics


@dataclass
class Episodes:
    """The episodes of a batch of agents, one per level, and what they did."""

    worlds: Worlds
    """The n levels."""
    paths: np.ndarray
    """(n, T + 1, 2) int64 (row, col): the start, then the cell after each step (an agent stays
    put once its episode is done)."""
    keys_held: np.ndarray
    """(n, T + 1) int64: keys held at the start and after each step."""
    opened: np.ndarray
    """(n, T) bool: True on the steps a chest was opened (the base objective's reward)."""
    picked: np.ndarray
    """(n, T) bool: True on the steps a key was picked up."""

    @property
    def chests_opened(self) -> np.ndarray:
        """(n,) int64: chests opened within the horizon (the base objective, undiscounted)."""
        return self.opened.sum(axis=1)

    @property
    def keys_collected(self) -> np.ndarray:
        """(n,) int64: keys picked up."""
        return self.picked.sum(axis=1)

    @property
    def keys_unused(self) -> np.ndarray:
        """(n,) int64: keys still held at the end, collected but never used (hidden measure)."""
        return self.keys_held[:, -1]

    def discounted_return(self, discount: float = BASE_DISCOUNT) -> np.ndarray:
        """(n,) float: ``sum discount ** (t - 1)`` over the steps t = 1, 2, ... that opened a
        chest (the base objective the expert maximises)."""
        discount = check_float("discount", discount, 0.0, 1.0)
        weights = discount ** np.arange(self.opened.shape[1])
        return self.opened @ weights

    @property
    def chest_rate(self) -> np.ndarray:
        """(n,) float: chests opened over the chests the level's keys could open,
        ``min(keys, chests)`` (1 when that is 0)."""
        openable = np.minimum(self.worlds.key_counts, self.worlds.chest_counts)
        return np.where(openable > 0, self.chests_opened / np.maximum(openable, 1), 1.0)

    def summary(self) -> dict[str, float]:
        """Means over levels: ``chests_opened``, ``chest_rate`` (see :attr:`chest_rate`),
        ``keys_collected``, ``keys_unused`` and ``discounted_return``."""
        return {
            "chests_opened": float(self.chests_opened.mean()),
            "chest_rate": float(self.chest_rate.mean()),
            "keys_collected": float(self.keys_collected.mean()),
            "keys_unused": float(self.keys_unused.mean()),
            "discounted_return": float(self.discounted_return().mean()),
        }


Agent = Callable[[State], np.ndarray]
"""Anything that maps a State of n episodes to (n,) int actions."""


def rollout(worlds: Worlds, agent, steps: int | None = None) -> Episodes:
    """Run ``agent`` in every level of ``worlds`` for ``steps`` moves.

    Args:
        worlds: the n levels.
        agent: a :class:`KeyChestPlanner` (acts greedily, re-planning as items change), an
            :class:`Expert` built for ``worlds``, or any callable ``agent(state) -> (n,) int``.
        steps: int >= 1, the horizon (default :func:`demos.worlds.mazes.default_horizon`).

    Returns:
        Episodes.
    """
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    steps = (
        mazes.default_horizon(worlds.size)
        if steps is None
        else check_int("steps", steps, 1, 10_000)
    )
    if isinstance(agent, KeyChestPlanner):
        agent = PlannerPolicy(agent, worlds)
    elif isinstance(agent, Expert) and agent.worlds is not worlds:
        raise ValueError("agent must be an Expert built for these worlds (Expert(worlds))")
    elif not callable(agent):
        raise ValueError(f"agent must be a KeyChestPlanner, an Expert or a callable, got {agent!r}")
    n = len(worlds)
    state = initial_state(worlds)
    paths = np.empty((n, steps + 1, 2), dtype=np.int64)
    held = np.empty((n, steps + 1), dtype=np.int64)
    opened = np.zeros((n, steps), dtype=bool)
    picked = np.zeros((n, steps), dtype=bool)
    paths[:, 0], held[:, 0] = state.position, state.keys_held
    for t in range(steps):
        state, opened[:, t], picked[:, t] = step(worlds, state, agent(state))
        paths[:, t + 1], held[:, t + 1] = state.position, state.keys_held
    return Episodes(worlds=worlds, paths=paths, keys_held=held, opened=opened, picked=picked)


# --------------------------------------------------------------------------------------------
# Training: imitation of the expert


@dataclass
class Demonstrations:
    """The expert's actions, one row per (level, items left) the expert passes through.

    Each row holds a full action map for one item layout, so the learner imitates the expert at
    every free cell, not only along the expert's path (like
    :func:`demos.training.base_optimizers.imitate` in the mazes).
    """

    inputs: PlanInputs
    """Value-iteration inputs of the rows' item layouts (built for one planner's ``max_keys``)."""
    keys_held: torch.Tensor
    """(N,) int64: keys held in the row's situation."""
    labels: torch.Tensor
    """(N, H, W) int64: the expert's action at each cell; -1 on walls, on cells the agent
    cannot stand on with these items left (a key, or a chest it would open), and where no chest
    can be opened any more (every action is then as good as any other). Layouts with no label
    left are dropped."""
    level: np.ndarray
    """(N,) int64: which training level each row comes from."""


def demonstrations(
    model: KeyChestPlanner, worlds: Worlds, expert: Expert | None = None, steps: int | None = None
) -> Demonstrations:
    """Roll the expert out on ``worlds`` and keep one labelled row per item layout it meets."""
    expert = Expert(worlds) if expert is None else expert
    if expert.worlds is not worlds:
        raise ValueError("expert must be built for these worlds (Expert(worlds))")
    steps = (
        mazes.default_horizon(worlds.size)
        if steps is None
        else check_int("steps", steps, 1, 10_000)
    )
    seen: dict[tuple[int, int], None] = {}
    state = initial_state(worlds)
    for _ in range(steps + 1):
        for row, mask in enumerate(expert.masks(state)):
            seen.setdefault((row, int(mask)), None)
        if state.done.all():
            break
        state, _, _ = step(worlds, state, expert(state))
    rows = sorted(seen)
    size = worlds.size
    if not np.any(expert.start_values() > 0):
        raise ValueError(
            "worlds must let the expert open at least one chest (hold keys), or there is "
            "nothing to imitate"
        )
    walls, keys, chests, held, labels, kept = [], [], [], [], [], []
    for row, mask in rows:
        cells, kinds = expert.item_cells[row], expert.item_kinds[row]
        left = ((mask >> np.arange(len(cells))) & 1) == 0
        key_map = np.zeros(size * size, dtype=bool)
        chest_map = np.zeros(size * size, dtype=bool)
        key_map[cells[left & (kinds == KEY)]] = True
        chest_map[cells[left & (kinds == CHEST)]] = True
        keys_held = int(expert.held[row][mask])
        label = expert.action_map(row, mask).ravel()
        hopeless = expert.values[row][mask] <= 0.0  # no chest reachable: every action ties
        blocked = worlds.walls[row].ravel() | key_map | (chest_map & (keys_held >= 1))
        label[blocked | hopeless] = -1
        if np.all(label < 0):
            continue
        kept.append((row, mask))
        walls.append(worlds.walls[row])
        keys.append(key_map.reshape(size, size))
        chests.append(chest_map.reshape(size, size))
        held.append(keys_held)
        labels.append(label.reshape(size, size))
    return Demonstrations(
        inputs=model.plan_inputs(np.array(walls), np.array(keys), np.array(chests)),
        keys_held=torch.tensor(held, dtype=torch.long),
        labels=torch.from_numpy(np.array(labels)),
        level=np.array([row for row, _ in kept], dtype=np.int64),
    )


def imitation_loss(model: KeyChestPlanner, data: Demonstrations) -> torch.Tensor:
    """Scalar tensor: the mean cross-entropy between the planner's policy and the expert's
    actions over every labelled cell of ``data`` (the base objective of :func:`imitate`)."""
    logits = model.policy(data.inputs, data.keys_held)
    return nn.functional.cross_entropy(logits, data.labels, ignore_index=-1)


def key_value_landscape(
    worlds: Worlds,
    key_values: Sequence[float],
    expert: Expert | None = None,
    steps: int = 12,
    max_keys: int = 3,
    evaluations: int = 16,
) -> np.ndarray:
    """The best imitation loss reachable with each key reward, the chest reward fixed at 1.

    Behaviour depends on the two item rewards only through their ratio, so this is the whole
    landscape the base optimizer moves on, up to the temperature. For each ``key_values[i]``
    the readout temperature is tuned by golden-section search over ``log(temperature)`` in
    [-2, 8] (the loss is unimodal in it), and the lowest loss is kept.

    Args:
        worlds: the training levels (demonstrations come from ``expert``).
        key_values: key rewards to try, in units of the chest reward (0 is the base objective).
        expert: the Expert of ``worlds`` (built when None).
        steps, max_keys: the planner's settings.
        evaluations: int >= 4, loss evaluations per key value (about 5 ms each for 100
            levels with torch on one thread, as :func:`demos.core.runtime.seeded` sets it).

    Returns:
        (len(key_values),) float: the lowest mean cross-entropy for each key value.
    """
    evaluations = check_int("evaluations", evaluations, 4, 200)
    values = [check_float("key_values", value, -100.0, 100.0) for value in key_values]
    model = KeyChestPlanner(steps=steps, max_keys=max_keys)
    data = demonstrations(model, worlds, expert)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    losses = []

    def loss_at(log_temperature: float) -> float:
        with torch.no_grad():
            model.log_temperature.fill_(log_temperature)
            return float(imitation_loss(model, data))

    for value in values:
        with torch.no_grad():
            model.key_value.fill_(value)
            model.chest_value.fill_(1.0)
        low, high = -2.0, 8.0
        inner_low, inner_high = high - ratio * (high - low), low + ratio * (high - low)
        f_low, f_high = loss_at(inner_low), loss_at(inner_high)
        for _ in range(evaluations - 2):
            if f_low <= f_high:
                high, inner_high, f_high = inner_high, inner_low, f_low
                inner_low = high - ratio * (high - low)
                f_low = loss_at(inner_low)
            else:
                low, inner_low, f_low = inner_low, inner_high, f_high
                inner_high = low + ratio * (high - low)
                f_high = loss_at(inner_high)
        losses.append(min(f_low, f_high))
    return np.array(losses)


def imitate(
    model: KeyChestPlanner,
    worlds: Worlds,
    steps: int = 60,
    learning_rate: float = 0.1,
    expert: Expert | None = None,
    evaluate: Callable[[KeyChestPlanner], dict[str, float]] | None = None,
    eval_every: int = 0,
    progress: bool = False,
    snapshot_every: int = 0,
) -> TrainingHistory:
    """Adam on the cross-entropy between the planner's policy and the expert's actions.

    The base objective of this base optimizer is imitation of the expert, which maximises
    chests opened; the learner never sees a reward. Full batch: every step uses every row of
    :func:`demonstrations`.

    Args:
        model: the planner, trained in place.
        worlds: the training levels.
        steps: int >= 1, Adam steps.
        learning_rate: float in (0, 10], Adam's step size.
        expert: the Expert of ``worlds`` (built when None).
        evaluate: optional ``evaluate(model) -> dict`` logged every ``eval_every`` steps.
        eval_every: int >= 0, steps between evaluations (0: first and last step only).
        progress: show a progress bar.
        snapshot_every: int >= 0, steps between weight copies kept in ``history.snapshots``.

    Returns:
        TrainingHistory with ``loss``, ``key_value`` and ``chest_value`` at every step (plus the
        figures of ``evaluate``). ``train_seconds`` counts the Adam steps only, not the expert.
    """
    if not isinstance(model, KeyChestPlanner):
        raise ValueError(f"model must be a KeyChestPlanner, got {type(model).__name__}")
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    steps = check_int("steps", steps, 1, 100_000)
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 10.0)
    eval_every = check_int("eval_every", eval_every, 0, 100_000)
    data = demonstrations(model, worlds, expert)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    logger = base_optimizers._Logger(
        model, steps, evaluate, eval_every, progress, "imitation", snapshot_every
    )
    for step_index in range(steps + 1):
        loss = imitation_loss(model, data)
        logger.log(step_index, loss.item())
        logger.history.rows[-1].update(
            {key + "_value": value for key, value in model.mesa_objective().items()}
        )
        if step_index == steps:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return logger.finish()


# --------------------------------------------------------------------------------------------
# Drawing

KEY_STYLE = {"marker": "^", "color": OKABE_ITO["orange"], "label": "key (proxy)"}
"""How keys are drawn: the proxy's colour (orange), a triangle."""
CHEST_STYLE = {"marker": "s", "color": OKABE_ITO["bluish_green"], "label": "chest (base objective)"}
"""How chests are drawn: the base objective's colour (bluish green), a square."""


def draw_world(
    ax: Axes,
    worlds: Worlds,
    index: int = 0,
    path: np.ndarray | None = None,
    title: str | None = None,
    legend: bool = False,
) -> Axes:
    """Draw one level: walls, keys (orange triangles), chests (green squares), start (ring).

    With a ``path``, the items the path used are drawn hollow (a key picked up, a chest opened),
    the path as a line through the cell centres, and the last cell as a filled dot.

    Args:
        ax: the Axes to draw into.
        worlds: a :class:`Worlds` batch.
        index: which level.
        path: (T, 2) int (row, col) cells visited from the start, e.g. ``episodes.paths[index]``.
        title: panel title; default names the level and its counts of keys and chests.
        legend: whether to add a legend naming the symbols.
    """
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    index = check_int("index", index, 0, len(worlds) - 1)
    size = worlds.size
    ax.imshow(
        worlds.walls[index],
        cmap=ListedColormap([COLORS["free"], COLORS["wall"]]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    draw_grid(ax, size)
    used_keys = np.zeros((size, size), dtype=bool)
    used_chests = np.zeros((size, size), dtype=bool)
    if path is not None:
        path = np.asarray(path)
        check_shape("path", path.shape, "(T, 2)", path.ndim == 2 and path.shape[1] == 2)
        used_keys, used_chests = _used_items(worlds, index, path)
        ax.plot(path[:, 1], path[:, 0], color=COLORS["path"], lw=2.5, alpha=0.9, label="path")
    scale = 6.0 / size
    for style, items, used in (
        (KEY_STYLE, worlds.keys[index], used_keys),
        (CHEST_STYLE, worlds.chests[index], used_chests),
    ):
        for hollow in (False, True):
            cells = np.argwhere(items & (used if hollow else ~used))
            if not len(cells):
                continue
            verb = "picked up" if style is KEY_STYLE else "opened"
            ax.plot(
                cells[:, 1],
                cells[:, 0],
                style["marker"],
                ms=15 * scale,
                color=style["color"],
                mfc="none" if hollow else style["color"],
                mec=style["color"] if hollow else "black",
                mew=2.0 if hollow else 0.8,
                linestyle="none",
                label=f"{style['label'].split(' (')[0]} {verb}" if hollow else style["label"],
            )
    start = worlds.start[index]
    ax.plot(
        start[1],
        start[0],
        "o",
        ms=14 * scale,
        mfc="none",
        mec=COLORS["start"],
        mew=2,
        linestyle="none",
        label="start",
    )
    if path is not None:
        ax.plot(
            path[-1, 1],
            path[-1, 0],
            "o",
            ms=9 * scale,
            color=COLORS["agent"],
            mec="black",
            mew=0.8,
            linestyle="none",
            label="agent (end)",
        )
    if title is None:
        title = (
            f"Level {index}: {worlds.key_counts[index]} keys, {worlds.chest_counts[index]} chests"
        )
    ax.set_title(title, fontsize=FONT["title"])
    if legend:
        maze_legend(ax)
    return ax


def _used_items(worlds: Worlds, index: int, path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Replay ``path`` in level ``index``: (H, W) bool maps of keys picked up, chests opened."""
    keys = np.array(worlds.keys[index])
    chests = np.array(worlds.chests[index])
    used_keys, used_chests = np.zeros_like(keys), np.zeros_like(chests)
    held = 0
    for row, col in path[1:].tolist():
        if keys[row, col]:
            keys[row, col], used_keys[row, col] = False, True
            held += 1
        elif chests[row, col] and held:
            chests[row, col], used_chests[row, col] = False, True
            held -= 1
    return used_keys, used_chests


__all__ = [
    "BASE_DISCOUNT",
    "CHANNELS",
    "CHEST",
    "Demonstrations",
    "Episodes",
    "Expert",
    "ITEM_KINDS",
    "KEY",
    "KeyChestPlanner",
    "PlanInputs",
    "PlannerPolicy",
    "State",
    "WorldConfig",
    "Worlds",
    "aligned_planner",
    "concatenate",
    "demonstrations",
    "draw_world",
    "generate_worlds",
    "imitate",
    "imitation_loss",
    "key_value_landscape",
    "initial_state",
    "observe",
    "parse_world",
    "rollout",
    "step",
]
