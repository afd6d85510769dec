"""Planning steps as a cost: which amount of search is still worth it, and bits against steps.

Used by chapter 2 (the paper's section 2.2, on the inductive biases for and against search). A
search takes many sequential steps, so a penalty on computation time works against it; a search
is short to describe, so a penalty on description length works for it. Given a planner's success
at each number of planning steps K (from
:func:`demos.training.step_budget.train_by_planning_steps`):

- :func:`net_value`, :func:`best_steps` and :func:`break_even_cost` charge ``cost_per_step`` for
  every planning step and find the K that is still worth it. ``K = 0`` means no search at all,
  with success 0 (an agent that cannot look ahead stays where it starts, which is never the exit).
- :func:`simplicity_time_boundary` weighs bits (a simplicity pressure) against steps (a time
  pressure) for the planner and an answer table (:mod:`demos.analysis.compression`).
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_float, check_int, check_shape


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
