"""Agents of the keys-and-chests world: the exact expert and a planner with a learned reward.

Used by chapter 3 (the paper's section 3.1, proxy alignment). The world is
:mod:`demos.worlds.keys_chests`; the planner is trained by :mod:`demos.training.keys_imitation`.

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

In the paper's terms (section 3.1): the planner is proxy aligned, and of the side-effect kind. In
the causal graph of the training levels, keys collected sit upstream of chests opened (a key is
what lets a chest open); the mesa-objective counts keys directly, so pursuing it raises the base
objective as a consequence, and on the training distribution pursuing keys never cost a chest,
so nothing told the two apart. (The instrumental kind has the arrow the other way round: the
base objective is the cause of what the model wants; see :mod:`demos.worlds.paying_exit`.)

Where the toy differs from Langosco et al. (2022): they trained a deep reinforcement-learning
agent from pixels on procedurally generated mazes and inferred what it valued from its
behaviour. Here the agent is trained by imitation of an optimal expert (no reward reaches the
learner), on tiny grids, with a hand-built planner whose mesa-objective is read straight off two
parameters rather than inferred; the hoarding is bounded by the planner's ``max_keys`` layers
(plus keys it happens to walk over). It shows the same failure in a far simpler setting, not
their result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from demos.agents import planners
from demos.core.validation import check_float, check_int, check_shape
from demos.worlds.keys_chests import BASE_DISCOUNT, CHEST, KEY, State, Worlds, initial_state
from demos.worlds.mazes import ACTIONS

N_ACTIONS = len(ACTIONS)


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
        batch, layers, actions, cells = reward.shape

        # bellman_backups works on (batch, A, S) with states S = (layer, cell), layer-major.
        def states_last(tensor: torch.Tensor) -> torch.Tensor:
            return tensor.transpose(1, 2).reshape(batch, actions, layers * cells)

        next_state = states_last(inputs.target.view(batch, layers, actions, cells))
        q_values = planners.bellman_backups(
            states_last(reward),
            next_state.reshape(batch, -1),
            self.steps,
            states_last(inputs.carry),
        )
        return q_values.view(batch, actions, layers, cells).transpose(1, 2)

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
