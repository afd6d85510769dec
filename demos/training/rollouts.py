"""Running a policy in a batch of levels: where agents go, where they settle, whether they succeed.

Used by chapters 1 to 3: every experiment walks its agents with it.

Every model in the book (planner or reactive) gives an action distribution for *every cell* of a
level at once: ``logits`` of shape (batch, 5, H, W). A rollout starts each agent on its level's
start cell and, at each step, takes the action the policy gives at the agent's cell.

Rollouts here run a fixed number of steps and do **not** stop at the exit, so the last cell is where
the agent *settles* (see :mod:`demos.analysis.metrics`). ``reached_exit`` and ``first_exit_step``
record the base objective's view: whether, and when, the agent first stood on the exit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_int, check_shape
from demos.worlds import outcomes
from demos.worlds.mazes import Levels, default_horizon, step


@dataclass
class Rollout:
    """The trajectories of a batch of agents, one per level."""

    levels: Levels
    """The n levels the agents walked."""
    paths: np.ndarray
    """(n, T + 1, 2) int64 (row, col): the start cell, then the cell after each of T steps."""
    reached_exit: np.ndarray
    """(n,) bool. Whether the agent stood on the exit at some step (the base objective)."""
    first_exit_step: np.ndarray
    """(n,) int64. The first step on which the agent stood on the exit; -1 if never."""

    @property
    def final_positions(self) -> np.ndarray:
        """(n, 2) int64: where each agent settled."""
        return self.paths[:, -1]

    def success_rate(self) -> float:
        """Share of agents that reached the exit."""
        return outcomes.success_rate(self.reached_exit)

    def settle_rates(self) -> dict[str, float]:
        """Share of agents settling on the exit, on the marker (proxy) or elsewhere."""
        return outcomes.settle_rates(self.levels, self.final_positions)

    def optimality_gap(self) -> float:
        """Mean extra steps over the shortest path to the exit, among successes (NaN if none)."""
        return outcomes.optimality_gap(self.levels, self.first_exit_step, self.reached_exit)


def rollout(
    levels: Levels,
    logits,
    steps: int | None = None,
    greedy: bool = True,
    generator: torch.Generator | None = None,
) -> Rollout:
    """Walk every level with the policy given by ``logits``.

    Args:
        levels: n levels.
        logits: (n, 5, H, W) float tensor or array. Policy logits at every cell.
        steps: int >= 1, steps to run (default :func:`demos.worlds.mazes.default_horizon` of the
        level size). greedy: take the most likely action (True) or sample from the softmax (False).
        generator: torch.Generator for sampling (used only when ``greedy`` is False).

    Returns:
        Rollout.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    n, size = len(levels), levels.size
    steps = default_horizon(size) if steps is None else check_int("steps", steps, 1, 100_000)
    logits = torch.as_tensor(logits).detach()
    check_shape(
        "logits",
        tuple(logits.shape),
        f"({n}, 5, {size}, {size})",
        logits.shape == (n, 5, size, size),
    )
    if greedy:
        actions_map = logits.argmax(dim=1).numpy()
    else:
        probabilities = torch.softmax(logits.float(), dim=1)
    rows = np.arange(n)
    position = levels.start.copy()
    paths = np.empty((n, steps + 1, 2), dtype=np.int64)
    paths[:, 0] = position
    first_exit = np.full(n, -1, dtype=np.int64)
    for t in range(1, steps + 1):
        if greedy:
            actions = actions_map[rows, position[:, 0], position[:, 1]]
        else:
            cell_probs = probabilities[rows, :, position[:, 0], position[:, 1]]
            actions = torch.multinomial(cell_probs, 1, generator=generator)[:, 0].numpy()
        position = step(levels.walls, position, actions)
        paths[:, t] = position
        arrived = (first_exit < 0) & np.all(position == levels.exit, axis=1)
        first_exit[arrived] = t
    return Rollout(
        levels=levels, paths=paths, reached_exit=first_exit >= 0, first_exit_step=first_exit
    )


def greedy_rollout(
    model, levels: Levels, planning_steps: int | None = None, tensors=None, steps: int | None = None
) -> Rollout:
    """Walk every level with the model's greedy agent, without tracking gradients.

    Args:
        model: anything with ``policy(levels, steps=None) -> (n, 5, H, W)`` logits (a planner,
            a reactive network, a lookup table, ...).
        levels: n levels.
        planning_steps: passed to ``model.policy`` as its ``steps`` (a planner's K; models
            without a planning loop ignore it); None for the model's own default.
        tensors: optional encoded ``levels`` (:func:`demos.agents.planners.encode`) to pass to the
            model instead of ``levels``, to save encoding them again.
        steps: moves the agent makes (default :func:`demos.worlds.mazes.default_horizon`).

    Returns:
        Rollout.
    """
    with torch.no_grad():
        logits = model.policy(levels if tensors is None else tensors, planning_steps)
    return rollout(levels, logits, steps=steps)


def success_rate(model, levels: Levels, planning_steps: int | None = None, tensors=None) -> float:
    """Share of ``levels`` on which the model's greedy agent reaches the exit (see
    :func:`greedy_rollout` for the arguments). The book's one "how often does it succeed"."""
    return greedy_rollout(model, levels, planning_steps, tensors).success_rate()
