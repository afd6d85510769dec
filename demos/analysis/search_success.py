"""How well a learned search does: success against test-time iterations K, and where agents settle.

Chapters 2 and 3 (the learned planner, :mod:`demos.agents.learned_search`). The evidence that a
network searches rather than looks answers up is that it does better on larger problems when it
is given more iterations; the evidence that a baseline of fixed depth does not is that it fails
exactly where a path is longer than its depth. Both are read here:

- :func:`reached_by_iterations`, :func:`success_by_iterations`: greedy success at many K, from one
  run of the model per batch of levels.
- :func:`start_distances`, :func:`split_by_distance`: success split by how far the start is from
  the exit.
- :func:`settle_rates`, :func:`settle_on_cell`: where greedy agents settle (exit, marker or
  neither; or on a given cell, for the corner setting).

Every walk uses :func:`demos.training.rollouts.rollout` with the horizon :func:`horizon`,
``size**2`` steps: a shortest path in a perfect maze can be far longer than the book's default
``3 * size``, and none is longer than the number of cells.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

from demos.core.validation import check_int, check_shape
from demos.training.rollouts import Rollout, rollout
from demos.worlds.mazes import Levels

CHUNK = 250
"""Levels per forward pass (bounds the memory of a run)."""


def horizon(size: int) -> int:
    """Rollout steps used for learned-search walks: ``size**2``, at least any shortest path."""
    return check_int("size", size, 1) ** 2


def reached_by_iterations(
    model, levels: Levels, iterations: Iterable[int]
) -> dict[int, np.ndarray]:
    """Whether each greedy agent reaches the exit, for each test-time K, from one run per chunk.

    Args:
        model: a model with ``trajectory(levels, ks)`` (a learned search).
        levels: n test levels.
        iterations: the K values to read (each >= 1).

    Returns:
        ``{K: (n,) bool}``.
    """
    _check_levels(levels)
    ks = sorted({check_int("iterations", k, 1) for k in iterations})
    if not ks:
        raise ValueError("iterations must hold at least one K, got none")
    reached: dict[int, list[np.ndarray]] = {k: [] for k in ks}
    with torch.no_grad():
        for begin in range(0, len(levels), CHUNK):
            part = levels.subset(slice(begin, begin + CHUNK))
            outputs = model.trajectory(part, ks)
            for k in ks:
                walk = rollout(part, outputs[k]["logits"], steps=horizon(levels.size))
                reached[k].append(walk.reached_exit)
    return {k: np.concatenate(reached[k]) for k in ks}


def success_by_iterations(model, levels: Levels, iterations: Iterable[int]) -> dict[int, float]:
    """``{K: share of greedy agents reaching the exit}`` (see :func:`reached_by_iterations`)."""
    return {k: float(r.mean()) for k, r in reached_by_iterations(model, levels, iterations).items()}


def walk(model, levels: Levels, steps: int | None = None) -> Rollout:
    """The greedy rollout of ``model`` on ``levels`` (``steps``: its iterations K, None for its
    default), with the horizon :func:`horizon`, in chunks."""
    _check_levels(levels)
    logits = []
    with torch.no_grad():
        for begin in range(0, len(levels), CHUNK):
            part = levels.subset(slice(begin, begin + CHUNK))
            logits.append(model.policy(part, steps))
    return rollout(levels, torch.cat(logits), steps=horizon(levels.size))


def success(model, levels: Levels, steps: int | None = None) -> float:
    """Share of ``levels`` on which the greedy agent reaches the exit (horizon ``size**2``)."""
    return walk(model, levels, steps).success_rate()


def start_distances(levels: Levels) -> np.ndarray:
    """(n,) int64: BFS steps from each level's start to its exit."""
    _check_levels(levels)
    rows = np.arange(len(levels))
    return levels.distances("exit")[rows, levels.start[:, 0], levels.start[:, 1]]


def split_by_distance(reached: np.ndarray, distances: np.ndarray, near: int) -> dict[str, float]:
    """Success among starts at most ``near`` steps from the exit, and among the others.

    Args:
        reached: (n,) bool, whether each agent reached the exit.
        distances: (n,) int, each start's distance to the exit (:func:`start_distances`).
        near: int >= 0, the largest distance counted as near.

    Returns:
        ``{"near": , "far": , "near_share": }``: success rates (NaN where a group is empty) and the
        share of levels that are near.
    """
    reached, distances = np.asarray(reached, dtype=bool), np.asarray(distances)
    check_shape("distances", distances.shape, f"{reached.shape}", distances.shape == reached.shape)
    near = check_int("near", near, 0)
    close = distances <= near
    return {
        "near": float(reached[close].mean()) if close.any() else float("nan"),
        "far": float(reached[~close].mean()) if (~close).any() else float("nan"),
        "near_share": float(close.mean()),
    }


def settle_rates(model, levels: Levels, steps: int | None = None) -> dict[str, float]:
    """Where greedy agents settle, ``{"exit", "proxy", "neither"}`` shares, and ``"success"``
    (whether they stood on the exit at some step). Measure on levels whose marker is away from
    the exit to tell the first two apart."""
    walked = walk(model, levels, steps)
    return {**walked.settle_rates(), "success": walked.success_rate()}


def settle_on_cell(model, levels: Levels, cell, steps: int | None = None) -> dict[str, float]:
    """Where greedy agents settle when one cell is special (the corner where every training exit
    sat): ``{"exit", "cell", "neither", "success"}`` shares. Use levels whose exit is not
    ``cell``."""
    cell = np.asarray(cell)
    check_shape("cell", cell.shape, "(2,)", cell.shape == (2,))
    walked = walk(model, levels, steps)
    final = walked.final_positions
    on_exit = np.all(final == levels.exit, axis=1)
    on_cell = np.all(final == cell, axis=1) & ~on_exit
    return {
        "exit": float(on_exit.mean()),
        "cell": float(on_cell.mean()),
        "neither": float((~on_exit & ~on_cell).mean()),
        "success": walked.success_rate(),
    }


def nearer_marker_share(levels: Levels) -> float:
    """Share of levels whose start is strictly nearer (BFS) to the marker than to the exit: what
    an agent heading for whichever of the two is closer would score on the marker."""
    _check_levels(levels)
    rows = np.arange(len(levels))
    to_exit = levels.distances("exit")[rows, levels.start[:, 0], levels.start[:, 1]]
    to_marker = levels.distances("marker")[rows, levels.start[:, 0], levels.start[:, 1]]
    return float((to_marker < to_exit).mean())


def _check_levels(levels) -> None:
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
