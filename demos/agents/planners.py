"""The learned planner: a readable mesa-objective, then search, then a policy.

Used by chapters 1 to 3: the planner is the book's mesa-optimizer with a readable objective.

A :class:`Planner` turns a level into an action for every cell in three stages:

1. **Reward head** (:class:`RewardHead`). A small per-cell network maps the level's features
   (walls, exit, marker) to a number for every cell: the ``reward_map``. This is the model's
   *mesa-objective*, what it is trying to reach. Because it is an explicit map, a reader can plot
   it, compare it with the base objective and even edit it.
2. **Search** (value iteration). ``steps`` rounds of Bellman backups spread the reward through the
   maze: after them, a cell's value is the discounted reward of the best path of at most ``steps``
   moves that starts there. Two variants:

   - ``"hard-coded"`` (:func:`value_iteration`): the four-neighbour moves of the gridworld and
     its walls are built in. Only the objective is learned: the paper's *hard-coded optimization*.
   - ``"learned"`` (:class:`LearnedBackup`, a Value Iteration Network after Tamar et al. 2016):
     each action's backup is a learned 3x3 kernel saying where the action lands among the cells
     around the agent. The base optimizer must discover the planning step as well as the
     objective. :func:`kernel_distance` says how close the learned kernels are to the true backup.

3. **Policy readout**. The action values at each cell become the logits of the policy at that
   cell: times a learned inverse temperature for the hard-coded variant, through a learned 1x1
   map from channels to actions for the learned one. The greedy policy is the argmax.

The planner never sees the agent: it plans from every cell at once and the rollout reads the
action at the agent's cell (:mod:`demos.training.rollouts`). That is the same as observing the
agent's position, and it lets the base optimizer learn from every cell of a level in one pass.

Shapes: ``batch`` levels of side ``H = W``; :data:`N_ACTIONS` = 5 actions in the order of
:data:`demos.worlds.mazes.ACTIONS` (stay, up, down, left, right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import as_numpy, check_choice, check_float, check_int, check_shape
from demos.worlds.mazes import ACTIONS, Levels

N_ACTIONS = len(ACTIONS)
"""Actions per cell: stay, up, down, left, right."""

FEATURES = ("walls", "exit", "marker")
"""Observation channels the reward head reads (the agent channel is not needed: see above)."""

VARIANTS = ("hard-coded", "learned")
"""Planning steps a :class:`Planner` can use: built-in transitions or a learned kernel."""

WALL_VALUE = -5.0
"""What a wall cell, or a cell beyond the grid's edge, is worth to the learned backup.

Low enough that landing there is worse than any free cell of the planners trained here (their
values stay within a few units of zero), and moderate, so that the little mass an untrained kernel
puts on walls does not swamp its gradients as a huge penalty such as -1e4 would."""


@dataclass(frozen=True)
class LevelTensors:
    """The tensors a planner reads from a batch of levels, computed once by :func:`encode`."""

    features: torch.Tensor
    """(batch, 3, H, W) float32. Channels :data:`FEATURES` with the levels' saliences."""
    walls: torch.Tensor
    """(batch, H, W) bool. True where the agent cannot stand."""
    next_cell: torch.Tensor
    """(batch, 5 * H * W) int64. For action ``a`` and cell ``i`` (row-major), entry
    ``a * H * W + i`` is the cell the move leads to: the neighbour, or ``i`` itself where the
    grid's edge or a wall blocks the move."""

    @property
    def size(self) -> int:
        """Side H = W of the grid."""
        return self.walls.shape[-1]

    def __len__(self) -> int:
        return self.walls.shape[0]


def encode(levels: Levels | LevelTensors) -> LevelTensors:
    """The planner's view of ``levels`` (returned unchanged if already encoded).

    The features are the observation of :meth:`demos.worlds.mazes.Levels.observe` without its agent
    channel.
    """
    if isinstance(levels, LevelTensors):
        return levels
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    features = torch.from_numpy(levels.observe()[:, : len(FEATURES)])
    walls = torch.from_numpy(np.array(levels.walls, dtype=bool))
    return LevelTensors(features=features, walls=walls, next_cell=next_cells(walls))


def next_cells(walls) -> torch.Tensor:
    """Where each action leads from each cell.

    Args:
        walls: (batch, H, W) bool.

    Returns:
        (batch, 5 * H * W) int64 flat cell indices (see :attr:`LevelTensors.next_cell`). A move
        that would leave the grid or enter a wall leads back to the cell itself.
    """
    if isinstance(walls, np.ndarray):
        walls = np.array(walls, dtype=bool)  # a writable copy: Levels' arrays are read-only
    walls = torch.as_tensor(walls, dtype=torch.bool)
    check_shape("walls", tuple(walls.shape), "(batch, H, W)", walls.ndim == 3)
    batch, height, width = walls.shape
    rows = torch.arange(height).view(height, 1)
    cols = torch.arange(width).view(1, width)
    here = (rows * width + cols).expand(batch, height, width)
    padded = nn.functional.pad(walls, (1, 1, 1, 1), value=True)
    moves = []
    for dr, dc in ACTIONS.tolist():
        target = (rows + dr).clamp(0, height - 1) * width + (cols + dc).clamp(0, width - 1)
        blocked = padded[:, 1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
        moves.append(torch.where(blocked, here, target.expand(batch, height, width)))
    return torch.stack(moves, dim=1).reshape(batch, -1)


def value_iteration(
    reward_map: torch.Tensor,
    walls: torch.Tensor,
    steps: int,
    discount: float = 0.9,
    next_cell: torch.Tensor | None = None,
) -> torch.Tensor:
    """Run value iteration on a reward map with the gridworld's true moves (hard-coded search).

    The agent collects ``reward_map`` at the cell it stands on after each move; staying put
    collects it again. Starting from ``V = 0``, each of ``steps`` backups computes::

        Q[a](s) = reward_map(next(s, a)) + discount * V(next(s, a))
        V(s)    = max_a Q[a](s)

    so after ``k`` backups ``Q[a](s)`` is the best discounted reward of a ``k``-move path whose
    first move is ``a``. A target more than ``steps`` moves away is invisible to the planner.

    Args:
        reward_map: (batch, H, W) float. The mesa-objective: what the model wants in each cell.
        walls: (batch, H, W) bool. True where the agent cannot stand.
        steps: int >= 1. Planning iterations K; the planner sees at most K cells ahead.
        discount: float in (0, 1]. How much a reward one move later is worth.
        next_cell: optional (batch, 5 * H * W) int64 from :func:`next_cells` (computed from
            ``walls`` when None; pass it to save the work in a training loop).

    Returns:
        q_values: (batch, 5, H, W) float. Action values at every cell; on wall cells they are
        meaningless (no agent stands there).
    """
    steps = check_int("steps", steps, 1, 10_000)
    discount = check_float("discount", discount, 0.0, 1.0)
    if discount == 0.0:
        raise ValueError("discount must be a number in (0, 1], got 0.0")
    reward_map, walls = _check_map_and_walls(reward_map, walls)
    batch, height, width = reward_map.shape
    if next_cell is None:
        next_cell = next_cells(walls)
    check_shape(
        "next_cell",
        tuple(next_cell.shape),
        f"({batch}, {N_ACTIONS * height * width})",
        tuple(next_cell.shape) == (batch, N_ACTIONS * height * width),
    )
    arrive = reward_map.reshape(batch, -1).gather(1, next_cell).view(batch, N_ACTIONS, -1)
    q_values = bellman_backups(arrive, next_cell, steps, discount)
    return q_values.view(batch, N_ACTIONS, height, width)


def bellman_backups(
    arrive: torch.Tensor, next_state: torch.Tensor, steps: int, carry: float | torch.Tensor
) -> torch.Tensor:
    """Value iteration on a batch of finite graphs: the search every hard-coded planner runs.

    Starting from ``V = 0``, each of ``steps`` backups computes::

        Q[a](s) = arrive[a](s) + carry[a](s) * V(next_state[a](s))
        V(s)    = max_a Q[a](s)

    The maze planner (:func:`value_iteration`) runs it over cells with a constant discount; the
    keys-and-chests planner (:class:`demos.agents.keys_chests.KeyChestPlanner`) over (keys held,
    cell) pairs, with a carry of 0 where opening a chest ends its plan.

    Args:
        arrive: (batch, A, S) float. Reward for taking action a in state s.
        next_state: (batch, A * S) int64. Flat index ``a * S + s`` holds the state action a leads
            to from s.
        steps: int >= 1. Backups K.
        carry: float, or (batch, A, S) float: the weight of the next state's value (the discount;
            0 ends the plan).

    Returns:
        q_values: (batch, A, S) float.

    The search itself is :func:`bellman_loop`. When ``arrive`` needs a gradient, the backward
    pass through it is written out by hand (:class:`_Backups`): the operations autograd would
    run, in the same order, so the gradients are the same bit for bit, without autograd
    recording five operations per backup. A training step of the chapters' planners takes about
    a fifth less time; the trained planners are unchanged.
    """
    if isinstance(carry, torch.Tensor) and carry.requires_grad:
        raise ValueError(
            "carry must not require a gradient: bellman_backups only differentiates "
            "with respect to arrive"
        )
    if torch.is_grad_enabled() and arrive.requires_grad:
        return _Backups.apply(arrive, next_state, steps, carry)
    return bellman_loop(arrive, next_state, steps, carry)[0]


def bellman_loop(
    arrive: torch.Tensor, next_state: torch.Tensor, steps: int, carry: float | torch.Tensor
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The backups of :func:`bellman_backups` (same arguments), and the action each one chose.

    Returns:
        ``(q_values, choices)``: q_values (batch, A, S) float after the last backup; choices, one
        (batch, S) int64 per backup, the action whose value ``V(s)`` took (the first of tied
        actions).
    """
    batch, actions, states = arrive.shape
    values = arrive.new_zeros(batch, states)
    q_values, choices = arrive, []
    for _ in range(steps):
        q_values = arrive + carry * values.gather(1, next_state).view(batch, actions, states)
        values, choice = q_values.max(dim=1)
        choices.append(choice)
    return q_values, choices


class _Backups(torch.autograd.Function):
    """:func:`bellman_backups` with its backward written out.

    Backward, from the last backup to the first: the gradient of ``Q`` flows to ``arrive``
    directly; through ``carry * V(next)`` to the next states (a scatter-add, as for ``gather``);
    and through the max to the action it chose (as for ``max``). The same operations in the same
    order as autograd's, so the gradients are identical (checked in ``tests/test_planners.py``).
    """

    @staticmethod
    def forward(ctx, arrive, next_state, steps, carry):
        q_values, choices = bellman_loop(arrive, next_state, steps, carry)
        ctx.save_for_backward(next_state, *choices[:-1])  # the last backup's V is not used
        ctx.carry = carry
        return q_values

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_q):
        next_state, *choices = ctx.saved_tensors
        batch, actions, states = grad_q.shape
        grad_arrive = grad_q
        for choice in reversed(choices):
            grad_next = (grad_q * ctx.carry).view(batch, actions * states)
            grad_values = grad_q.new_zeros(batch, states).scatter_add_(1, next_state, grad_next)
            grad_q = grad_q.new_zeros(batch, actions, states)
            grad_q.scatter_(1, choice.unsqueeze(1), grad_values.unsqueeze(1))
            grad_arrive = grad_arrive + grad_q
        return grad_arrive, None, None, None


class RewardHead(nn.Module):
    """Features of each cell -> the reward the model wants there (the mesa-objective).

    A network of 1x1 convolutions, so each cell's reward depends on that cell's features only:
    ``reward(cell) = f(walls, exit, marker at the cell)``. With ``hidden = 0`` it is linear, one
    weight per feature plus a bias, which a reader can read directly off :attr:`layers`.

    Args:
        hidden: int >= 0. Width of the hidden layer (0: a single linear layer).
        in_channels: int >= 1. Number of feature channels (3 for :data:`FEATURES`).
    """

    def __init__(self, hidden: int = 0, in_channels: int = len(FEATURES)) -> None:
        super().__init__()
        self.hidden = check_int("hidden", hidden, 0, 1024)
        self.in_channels = check_int("in_channels", in_channels, 1, 64)
        if self.hidden:
            self.layers = nn.Sequential(
                nn.Conv2d(self.in_channels, self.hidden, 1),
                nn.Tanh(),
                nn.Conv2d(self.hidden, 1, 1),
            )
        else:
            self.layers = nn.Conv2d(self.in_channels, 1, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """features: (batch, C, H, W) float -> reward_map: (batch, H, W) float."""
        check_shape(
            "features",
            tuple(features.shape),
            f"(batch, {self.in_channels}, H, W)",
            features.ndim == 4 and features.shape[1] == self.in_channels,
        )
        return self.layers(features).squeeze(1)


class LearnedBackup(nn.Module):
    """A Value Iteration Network's planning step: each action's backup is a learned 3x3 kernel.

    What is learned: for each of ``n_channels`` action channels, a 3x3 kernel ``P[a]`` saying
    where the action lands, as a probability distribution over the cell and its eight neighbours
    (a softmax of the learned :attr:`kernel_logits`). Each of ``steps`` backups computes::

        U(s)    = reward_map(s) + V(s)              (WALL_VALUE on walls and off the grid)
        Q[a](s) = discount * sum_j P[a](j) * U(s + j)
        V(s)    = max_a Q[a](s)

    starting from ``V = 0``. With the true kernels (:func:`true_kernels`: all of action ``a``'s
    mass on the cell it moves to) this is exactly the gridworld's value iteration, with action
    values ``discount`` times those of :func:`value_iteration`, so the greedy moves agree.

    What is hard-coded: the Bellman form (the same kernel reads the reward and the value of the
    cell an action lands on), the ``discount``, that each kernel is a probability distribution
    (so every backup is a contraction and the values stay bounded however large K is), the max
    over channels, and the wall mask: walls and the cells beyond the grid's edge read as
    :data:`WALL_VALUE`, so a kernel that lands on them is worth little. Which neighbour each
    channel looks at is not given: the kernels start close to uniform and the base optimizer must
    find the moves.

    Attributes:
        kernel_logits: (A, 1, 3, 3) learned parameter; :meth:`kernels` turns it into the backup.

    Args:
        n_channels: int in [1, 64]. Number of action channels (5: one per move of the gridworld).
        discount: float in (0, 1]. How much what lies one move away is worth.
        init_scale: float >= 0. Standard deviation of the initial kernel logits (0: every kernel
            starts uniform over its 9 cells).
        generator: optional torch.Generator for the initial logits.
    """

    def __init__(
        self,
        n_channels: int = N_ACTIONS,
        discount: float = 0.9,
        init_scale: float = 0.1,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.n_channels = check_int("n_channels", n_channels, 1, 64)
        self.discount = check_float("discount", discount, 1e-6, 1.0)
        init_scale = check_float("init_scale", init_scale, 0.0, 10.0)
        shape = (self.n_channels, 1, 3, 3)
        self.kernel_logits = nn.Parameter(init_scale * torch.randn(shape, generator=generator))

    def kernels(self) -> torch.Tensor:
        """(A, 1, 3, 3) float: ``discount`` times each channel's landing distribution."""
        flat = self.kernel_logits.reshape(self.n_channels, 9)
        return self.discount * torch.softmax(flat, dim=1).view_as(self.kernel_logits)

    def load_kernels(self, kernels) -> LearnedBackup:
        """Set the logits so that :meth:`kernels` gives ``kernels`` (e.g. :func:`true_kernels`).

        Args:
            kernels: (A, 3, 3) or (A, 1, 3, 3) array or tensor of weights >= 0 with a positive
                sum per channel; each channel is rescaled to sum to ``discount``. A zero weight
                becomes a logit of -inf, so one-hot kernels are loaded exactly.

        Returns:
            self, changed in place.
        """
        weights = _kernel_array("kernels", kernels, self.n_channels)
        if np.any(weights < 0) or np.any(weights.reshape(len(weights), -1).sum(axis=1) <= 0):
            raise ValueError("kernels must be >= 0 with a positive sum in every channel")
        with np.errstate(divide="ignore"):
            logits = np.log(weights)
        with torch.no_grad():
            self.kernel_logits.copy_(torch.as_tensor(logits, dtype=torch.float32).view(-1, 1, 3, 3))
        return self

    def forward(self, reward_map: torch.Tensor, walls: torch.Tensor, steps: int) -> torch.Tensor:
        """Run ``steps`` learned backups.

        Args:
            reward_map: (batch, H, W) float. The mesa-objective: what the model wants in each cell.
            walls: (batch, H, W) bool. True where the agent cannot stand.
            steps: int >= 1. Planning iterations K.

        Returns:
            q_values: (batch, A, H, W) float. Channel values at every cell (meaningless on walls).
        """
        steps = check_int("steps", steps, 1, 10_000)
        reward_map, walls = _check_map_and_walls(reward_map, walls)
        kernels = self.kernels()
        reward = reward_map.unsqueeze(1)
        wall_mask = walls.unsqueeze(1)
        values = torch.zeros_like(reward)
        q_values = reward
        for _ in range(steps):
            landing = (reward + values).masked_fill(wall_mask, WALL_VALUE)
            # Off-grid cells must read like walls: pad with WALL_VALUE, never with conv2d's zeros.
            landing = nn.functional.pad(landing, (1, 1, 1, 1), value=WALL_VALUE)
            q_values = nn.functional.conv2d(landing, kernels)
            values = q_values.max(dim=1, keepdim=True).values
        return q_values


def true_kernels(discount: float = 0.9) -> np.ndarray:
    """The gridworld's true backup as 3x3 kernels: (5, 3, 3) float, one per action.

    Kernel ``a`` is ``discount`` on the cell that action ``a`` moves to (the centre for "stay")
    and 0 elsewhere: what :meth:`LearnedBackup.kernels` gives once it has learned the exact
    four-neighbour moves (in the order of :data:`demos.worlds.mazes.ACTIONS`).
    """
    discount = check_float("discount", discount, 0.0, 1.0)
    kernels = np.zeros((N_ACTIONS, 3, 3))
    for action, (dr, dc) in enumerate(ACTIONS.tolist()):
        kernels[action, 1 + dr, 1 + dc] = discount
    return kernels


def match_kernels(kernels) -> tuple[tuple[int, ...], np.ndarray]:
    """Which learned channel plays each true move, and how far it is from it.

    A channel's distance to a move is the share of its absolute weight that is not positive
    weight on the cell the move leads to: ``1 - max(w[target], 0) / sum(|w|)``. It bounds how
    much of the channel's backup comes from the wrong cells, is 0 exactly when the kernel is a
    positive multiple of the true one, and is 1 when the target cell gets no positive weight (an
    all-zero channel counts as 1). Channels are matched to the five moves one-to-one, by the
    assignment with the smallest total distance (learned channels carry no names; the readout
    learns which is which). Extra channels (A > 5) are left unmatched.

    Args:
        kernels: (A, 3, 3) or (A, 1, 3, 3) array or tensor, A in [5, 64].

    Returns:
        channels: tuple of 5 ints, the channel matched to stay, up, down, left, right.
        distances: (5,) float in [0, 1], each move's distance to its channel.
    """
    weights = _kernel_array("kernels", kernels)
    count = len(weights)
    flat = weights.reshape(count, 9)
    total = np.abs(flat).sum(axis=1)
    targets = [(1 + dr) * 3 + (1 + dc) for dr, dc in ACTIONS.tolist()]
    on_target = np.maximum(flat[:, targets], 0.0)
    share = np.divide(
        on_target, total[:, None], out=np.zeros((count, N_ACTIONS)), where=total[:, None] > 0
    )
    cost = 1.0 - share  # cost[c, m]: distance of channel c to move m
    # Exact assignment by dynamic programming over the set of moves already matched.
    best = {0: (0.0, ())}
    for channel in range(count):
        grown = dict(best)
        for used, (total_cost, pairs) in best.items():
            for move in range(N_ACTIONS):
                if used & (1 << move):
                    continue
                key, value = used | (1 << move), total_cost + cost[channel, move]
                if key not in grown or value < grown[key][0] - 1e-12:
                    grown[key] = (value, pairs + ((move, channel),))
        best = grown
    pairs = dict(best[(1 << N_ACTIONS) - 1][1])
    channels = tuple(pairs[move] for move in range(N_ACTIONS))
    return channels, cost[list(channels), range(N_ACTIONS)]


def kernel_distance(kernels) -> float:
    """How far a learned backup is from the true four-neighbour backup: 0 means identical.

    The mean over the five true moves of :func:`match_kernels`' distances: the share of each
    matched channel's absolute weight that is not on the cell its move leads to. Scale is
    ignored (a kernel of 0.5 on the right cell is as good as ``discount`` there), a sign is not
    (a negative weight on the right cell counts as off-target).

    Reference values: 0 for :func:`true_kernels` at any discount, any permutation of its
    channels or any positive rescaling; 8/9 for kernels uniform over their 9 cells; 1 when no
    channel puts positive weight on any move's cell. For :class:`LearnedBackup`, whose kernels
    are probability distributions, it is the mean probability a move lands on a wrong cell.

    Args:
        kernels: (A, 3, 3) or (A, 1, 3, 3) array or tensor, A in [5, 64], e.g.
            ``planner.backup.kernels()``.

    Returns:
        float in [0, 1].
    """
    return float(match_kernels(kernels)[1].mean())


def _kernel_array(name: str, kernels, channels: int | None = None) -> np.ndarray:
    """(A, 3, 3) float64 copy of ``kernels`` ((A, 3, 3) or (A, 1, 3, 3)), checked."""
    array = np.array(as_numpy(kernels), dtype=float)
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if channels is None:
        expected = f"(A, 3, 3) or (A, 1, 3, 3) with A in [{N_ACTIONS}, 64]"
        ok = array.ndim == 3 and array.shape[1:] == (3, 3) and N_ACTIONS <= len(array) <= 64
    else:
        expected = f"({channels}, 3, 3) or ({channels}, 1, 3, 3)"
        ok = array.shape == (channels, 3, 3)
    check_shape(name, array.shape, expected, ok)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


@dataclass
class Plan:
    """Everything a planner computed for a batch of levels."""

    reward_map: torch.Tensor
    """(batch, H, W) float. The mesa-objective: the reward the model wants in each cell."""
    q_values: torch.Tensor
    """(batch, A, H, W) float. Action values after the planning steps (A channels)."""
    logits: torch.Tensor
    """(batch, 5, H, W) float. Policy logits at every cell; softmax over dim 1."""


class Planner(nn.Module):
    """Reward head, then value iteration, then a policy readout.

    Args:
        variant: "hard-coded" (the gridworld's moves built in) or "learned" (a Value Iteration
            Network's learned 3x3 backup kernels).
        steps: int >= 1. Planning iterations K used when :meth:`forward` is not told otherwise.
        hidden: int >= 0. Hidden width of the reward head (0: linear in the features).
        discount: float in (0, 1]. Discount of the value iteration (in the learned variant, the
            weight each learned kernel sums to).
        generator: optional torch.Generator for the initial weights (the reward head is
            initialised from torch's global generator, seeded by :func:`demos.core.runtime.seeded`,
            when it is None).

    The readout is ``logits = temperature * q_values`` for the hard-coded variant, where
    ``temperature`` is one learned scalar; for the learned variant a learned 1x1 convolution maps
    the kernel channels to the five actions, since a learned channel carries no action name. The
    learned variant starts with a zero reward map and an identity readout (see
    :class:`LearnedBackup` for what it learns and what is built in).
    """

    def __init__(
        self,
        variant: str = "hard-coded",
        steps: int = 14,
        hidden: int = 0,
        discount: float = 0.9,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.variant = check_choice("variant", variant, VARIANTS)
        self.steps = check_int("steps", steps, 1, 10_000)
        self.discount = check_float("discount", discount, 1e-6, 1.0)
        self.reward_head = RewardHead(hidden)
        if generator is not None:
            with torch.no_grad():
                for parameter in self.reward_head.parameters():
                    bound = 1.0 / math.sqrt(max(parameter.shape[1:].numel(), 1))
                    parameter.copy_(
                        (torch.rand(parameter.shape, generator=generator) * 2 - 1) * bound
                    )
        self.log_temperature = nn.Parameter(torch.zeros(()))
        if self.variant == "learned":
            self.backup = LearnedBackup(discount=self.discount, generator=generator)
            self.readout = nn.Conv2d(self.backup.n_channels, N_ACTIONS, 1)
            _start_learned_variant(self.reward_head, self.readout)
        else:
            self.backup = None
            self.readout = None

    def forward(self, levels: Levels | LevelTensors, steps: int | None = None) -> Plan:
        """Plan in ``levels`` with ``steps`` planning iterations (default :attr:`steps`)."""
        steps = self.steps if steps is None else check_int("steps", steps, 1, 10_000)
        tensors = encode(levels)
        reward_map = self.reward_head(tensors.features)
        if self.backup is None:
            q_values = value_iteration(
                reward_map, tensors.walls, steps, self.discount, tensors.next_cell
            )
            logits = self.log_temperature.exp() * q_values
        else:
            q_values = self.backup(reward_map, tensors.walls, steps)
            logits = self.readout(q_values)
        return Plan(reward_map=reward_map, q_values=q_values, logits=logits)

    def policy(self, levels: Levels | LevelTensors, steps: int | None = None) -> torch.Tensor:
        """(batch, 5, H, W) float policy logits at every cell (see :class:`Plan`)."""
        return self.forward(levels, steps).logits

    def mesa_objective(self, levels: Levels | LevelTensors) -> np.ndarray:
        """(batch, H, W) float numpy: the reward map the planner pursues in ``levels``."""
        with torch.no_grad():
            return self.reward_head(encode(levels).features).numpy()


def _start_learned_variant(reward_head: RewardHead, readout: nn.Conv2d) -> None:
    """Initial weights of the learned variant: a blank mesa-objective and a named readout.

    The reward head's last layer starts at zero, so the reward map is 0 everywhere: the first
    gradients then come from the walls alone, which tell each kernel which cells its action can
    never land on. (With a random reward head, a run whose exit starts out less rewarding than
    the floor can settle on kernels that avoid their own move.) The readout starts as the
    identity, channel ``a`` voting for action ``a``, and stays learned.
    """
    last = reward_head.layers[-1] if isinstance(reward_head.layers, nn.Sequential) else None
    last = reward_head.layers if last is None else last
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
        readout.weight.zero_()
        readout.bias.zero_()
        for action in range(min(N_ACTIONS, readout.in_channels)):
            readout.weight[action, action] = 1.0


def _check_map_and_walls(reward_map, walls) -> tuple[torch.Tensor, torch.Tensor]:
    # numpy arrays are copied: Levels' arrays are read-only, which torch warns about.
    if isinstance(reward_map, np.ndarray):
        reward_map = np.array(reward_map, dtype=np.float32)
    if isinstance(walls, np.ndarray):
        walls = np.array(walls, dtype=bool)
    reward_map = torch.as_tensor(reward_map, dtype=torch.float32)
    walls = torch.as_tensor(walls, dtype=torch.bool)
    check_shape("reward_map", tuple(reward_map.shape), "(batch, H, W)", reward_map.ndim == 3)
    check_shape(
        "walls",
        tuple(walls.shape),
        f"{tuple(reward_map.shape)} like reward_map",
        walls.shape == reward_map.shape,
    )
    if not torch.isfinite(reward_map).all():
        raise ValueError("reward_map must be finite")
    return reward_map, walls
