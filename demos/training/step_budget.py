"""Planning steps K as the amount of search: planners trained at each K, and a stateful planner.

Used by chapter 2 (the paper's section 2.2). The book's planner's amount of search is one number,
the planning steps K of value iteration (:func:`demos.agents.planners.value_iteration`):

- :func:`train_by_planning_steps` trains one hard-coded planner per K and records how often each
  reaches the exit. A planner with K steps sees K cells ahead, so success rises with K until K
  covers the mazes' paths: K is the model's capacity for search. What each K is worth, once
  computation costs something, is :mod:`demos.analysis.compute_cost`.
- :func:`stateful_rollout` keeps the value map from one move to the next (the paper's
  *statefulness*): one planning step per move then adds up to a long search over an episode.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from demos.agents import planners
from demos.core.validation import check_float, check_int, check_shape
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import Levels, default_horizon, step


def train_by_planning_steps(
    train: Levels,
    test: Levels,
    planning_steps: Sequence[int],
    train_steps: int = 60,
    learning_rate: float = 0.1,
    generator: torch.Generator | None = None,
) -> dict[str, np.ndarray | list]:
    """Train one hard-coded planner per number of planning steps K and measure it.

    Each planner (linear reward head, K steps of value iteration, in training and at test) is
    trained by imitation of the BFS expert (:func:`demos.training.base_optimizers.imitate`) on
    ``train``.

    Args:
        train: training mazes.
        test: test mazes of the same size.
        planning_steps: increasing ints >= 1, the values of K.
        train_steps: int >= 1. Adam steps per planner.
        learning_rate: float in (0, 10]. Adam's step size.
        generator: torch.Generator for the initial weights.

    Returns:
        dict with ``train_success`` and ``test_success``, (len(planning_steps),) float arrays of
        the share of mazes whose greedy agent reaches the exit, and ``models``, the planners.
    """
    if not isinstance(train, Levels) or not isinstance(test, Levels):
        raise ValueError("train and test must be Levels")
    planning_steps = _check_steps(planning_steps)
    train_tensors, test_tensors = planners.encode(train), planners.encode(test)
    found = {"train_success": [], "test_success": [], "models": []}
    for k in planning_steps:
        model = planners.Planner(steps=k, generator=generator)
        base_optimizers.imitate(model, train, steps=train_steps, learning_rate=learning_rate)
        with torch.no_grad():
            for name, levels, tensors in (
                ("train_success", train, train_tensors),
                ("test_success", test, test_tensors),
            ):
                found[name].append(rollouts.rollout(levels, model.policy(tensors)).success_rate())
        found["models"].append(model)
    found["train_success"] = np.array(found["train_success"])
    found["test_success"] = np.array(found["test_success"])
    return found


def stateful_rollout(
    levels: Levels,
    reward_map,
    backups_per_move: int = 1,
    moves: int | None = None,
    discount: float = 0.9,
) -> rollouts.Rollout:
    """Walk each level with a planner that keeps its value map between moves.

    Before each move the agent runs ``backups_per_move`` value-iteration backups, starting from
    the values it had after its last move instead of from zero, and takes the greedy action at
    its cell (ties to the lowest action index, as in :func:`demos.training.rollouts.rollout`). The
    reward map does not change during an episode, so after t moves its values are those of value
    iteration with ``t * backups_per_move`` steps: memory turns a little search per move into a
    long search per episode.

    Args:
        levels: n levels.
        reward_map: (n, H, W) float. The mesa-objective the agent plans for.
        backups_per_move: int >= 1. Planning steps per move.
        moves: int >= 1. Moves per episode (default
        :func:`demos.worlds.mazes.default_horizon`). discount: float in (0, 1].

    Returns:
        Rollout of the n agents.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    backups_per_move = check_int("backups_per_move", backups_per_move, 1, 10_000)
    size = levels.size
    moves = default_horizon(size) if moves is None else check_int("moves", moves, 1)
    discount = check_float("discount", discount, 1e-6, 1.0)
    reward = torch.as_tensor(np.asarray(reward_map), dtype=torch.float32)
    n = len(levels)
    check_shape(
        "reward_map", tuple(reward.shape), f"({n}, {size}, {size})", reward.shape == (n, size, size)
    )
    tensors = planners.encode(levels)
    next_cell = tensors.next_cell
    flat_reward = reward.reshape(n, -1)
    arrive = flat_reward.gather(1, next_cell).view(n, planners.N_ACTIONS, -1)
    values = torch.zeros_like(flat_reward)
    rows = np.arange(n)
    position = levels.start.copy()
    paths = np.empty((n, moves + 1, 2), dtype=np.int64)
    paths[:, 0] = position
    first_exit = np.full(n, -1, dtype=np.int64)
    for t in range(1, moves + 1):
        for _ in range(backups_per_move):
            q_values = arrive + discount * values.gather(1, next_cell).view(
                n, planners.N_ACTIONS, -1
            )
            values = q_values.max(dim=1).values
        cell = torch.from_numpy(position[:, 0] * size + position[:, 1])
        actions = q_values[torch.from_numpy(rows), :, cell].argmax(dim=1).numpy()
        position = step(levels.walls, position, actions)
        paths[:, t] = position
        arrived = (first_exit < 0) & np.all(position == levels.exit, axis=1)
        first_exit[arrived] = t
    return rollouts.Rollout(
        levels=levels, paths=paths, reached_exit=first_exit >= 0, first_exit_step=first_exit
    )


def _check_steps(planning_steps) -> list[int]:
    steps = [check_int("planning_steps", k, 1, 10_000) for k in planning_steps]
    if not steps or any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
        raise ValueError(f"planning_steps must be strictly increasing ints >= 1, got {steps}")
    return steps
