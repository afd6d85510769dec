"""Planning steps as a resource: what search buys, what it costs, and how state spreads it out.

Hubinger et al. (2019, section 2.2) list inductive biases that push a base optimizer towards or
away from mesa-optimizers. A search takes many sequential steps, so a penalty on computation time
works against it; a search is short to describe, so a penalty on description length works for it.
This module makes both trade-offs computable for the book's planner, whose amount of search is one
number: the planning steps K of value iteration (:func:`demos.agents.planners.value_iteration`).

- :func:`train_by_planning_steps` trains one hard-coded planner per K and records how often each
  reaches the exit. A planner with K steps sees K cells ahead, so success rises with K until K
  covers the mazes' paths: K is the model's capacity for search.
- :func:`net_value`, :func:`best_steps` and :func:`break_even_cost` charge ``cost_per_step`` for
  every planning step and find the K that is still worth it. ``K = 0`` means no search at all,
  with success 0 (an agent that cannot look ahead stays where it starts, which is never the exit).
- :func:`simplicity_time_boundary` weighs bits (a simplicity pressure) against steps (a time
  pressure) for the planner and an answer table (:mod:`demos.analysis.compression`).
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


def net_value(success, planning_steps, cost_per_step: float) -> np.ndarray:
    """``success - cost_per_step * K``: what a planner is worth once its steps are paid for.

    Args:
        success: (k,) float in [0, 1], success at each K.
        planning_steps: (k,) int >= 0, the values of K.
        cost_per_step: float >= 0, the penalty for one planning step.

    Returns:
        (k,) float.
    """
    success, steps = _check_curve(success, planning_steps)
    cost_per_step = check_float("cost_per_step", cost_per_step, 0.0)
    return success - cost_per_step * steps


def best_steps(success, planning_steps, cost_per_step: float) -> int:
    """The K with the highest :func:`net_value`, counting "no search" (K = 0, success 0) too.

    Ties go to the smaller K: the base optimizer buys no step it does not need.
    """
    success, steps = _check_curve(success, planning_steps)
    steps = np.concatenate([[0], steps])
    values = net_value(np.concatenate([[0.0], success]), steps, cost_per_step)
    best = values.max()
    return int(steps[np.flatnonzero(values >= best - 1e-12)].min())


def break_even_cost(success, planning_steps) -> float:
    """The cost per step above which no amount of search pays: ``max_K success(K) / K``.

    Below it some K has positive net value and beats not searching; above it, K = 0 wins.
    """
    success, steps = _check_curve(success, planning_steps)
    if np.any(steps < 1):
        raise ValueError("planning_steps must be >= 1 for break_even_cost")
    return float(np.max(success / steps))


def simplicity_time_boundary(
    table_bits: float, planner_bits: float, planner_steps: int, table_steps: int = 1
) -> float:
    """The simplicity weight per time weight above which the planner is the cheaper policy.

    Both policies solve the training mazes; a base optimizer that charges ``alpha`` per bit of
    description and ``lam`` per sequential step of computation pays
    ``alpha * bits + lam * steps`` for each. The planner is cheaper when
    ``alpha * (table_bits - planner_bits) > lam * (planner_steps - table_steps)``, that is when
    ``alpha / lam`` exceeds the returned ratio.

    Args:
        table_bits: float > 0. Bits of the answer table.
        planner_bits: float > 0. Bits of the planner.
        planner_steps: int >= 1. The planner's sequential steps per move (its K).
        table_steps: int >= 1. The table's steps per move (one lookup).

    Returns:
        float ``alpha / lam`` on the boundary: ``inf`` if the table is also the shorter
        description (then it wins at any weights), 0 if the planner is also the faster one.
    """
    table_bits = check_float("table_bits", table_bits, 0.0)
    planner_bits = check_float("planner_bits", planner_bits, 0.0)
    planner_steps = check_int("planner_steps", planner_steps, 1)
    table_steps = check_int("table_steps", table_steps, 1)
    extra_steps = planner_steps - table_steps
    saved_bits = table_bits - planner_bits
    if extra_steps <= 0:
        return 0.0 if saved_bits > 0 else float("inf")
    if saved_bits <= 0:
        return float("inf")
    return extra_steps / saved_bits


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


def _check_curve(success, planning_steps) -> tuple[np.ndarray, np.ndarray]:
    success = np.asarray(success, dtype=float)
    steps = np.asarray(planning_steps)
    check_shape("success", success.shape, "(k,) with k >= 1", success.ndim == 1 and success.size)
    check_shape(
        "planning_steps", steps.shape, f"{success.shape} like success", steps.shape == success.shape
    )
    if np.any(steps < 0) or not np.issubdtype(steps.dtype, np.integer):
        raise ValueError(f"planning_steps must be integers >= 0, got {steps}")
    if np.any((success < 0) | (success > 1)):
        raise ValueError(f"success must be in [0, 1], got {success}")
    return success, steps.astype(np.int64)
