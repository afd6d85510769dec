"""Reading the mesa-objective of a maze planner: where its reward map peaks, how it ranks cells.

Used by chapters 1 and 3. Where an agent *settles* (its behaviour) is measured by
:mod:`demos.worlds.outcomes`; this module measures the learned reward map itself:

- :func:`reward_peaks`, :func:`peak_rates`: where a learned reward map peaks (on the exit, on the
  marker, or elsewhere);
- :func:`objective_correlations` (built on :func:`rank_correlation`): how well the map ranks cells
  like a candidate objective does;
- :func:`hidden_window`: when, in a training history, a near-perfect training score sat next to
  a proxy-seeker at test.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import as_numpy, check_float, check_shape
from demos.worlds.mazes import Levels, bfs_distances
from demos.worlds.outcomes import settle_rates


def reward_peaks(reward_map: np.ndarray, walls: np.ndarray) -> np.ndarray:
    """The free cell where each reward map is highest.

    Args:
        reward_map: (n, H, W) float. The mesa-objective: what the model wants in each cell.
        walls: (n, H, W) bool. Wall cells are never the peak.

    Returns:
        (n, 2) int64 (row, col) of the maximum over free cells; ties go to the first cell in
        row-major order.
    """
    reward_map, walls = _check_maps(reward_map, walls)
    n, _, width = reward_map.shape
    masked = np.where(walls, -np.inf, reward_map).reshape(n, -1)
    flat = masked.argmax(axis=1)
    return np.stack(np.divmod(flat, width), axis=1).astype(np.int64)


def peak_rates(levels: Levels, reward_map: np.ndarray) -> dict[str, float]:
    """Share of levels whose mesa-objective peaks on the exit, on the marker, or elsewhere.

    Args:
        levels: n levels (use decorrelated ones to tell exit from marker).
        reward_map: (n, H, W) float, the mesa-objective.

    Returns:
        ``{"exit": , "proxy": , "neither": }`` (keys of :data:`SETTLE_OUTCOMES`; "proxy" is the
        marker), summing to 1. A peak on a correlated level's exit-and-marker counts as "exit".
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    peaks = reward_peaks(reward_map, levels.walls)
    return settle_rates(levels, peaks)


def rank_correlation(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of ``a`` and ``b`` per level, over the cells in ``mask``.

    Ties get the average of the ranks they span; the result is the Pearson correlation of the
    ranks. Computed for all levels at once in numpy.

    Args:
        a, b: (n, ...) float, the same shape.
        mask: (n, ...) bool, the same shape. Cells to compare.

    Returns:
        (n,) float in [-1, 1]; NaN for a level with fewer than 2 masked cells or where ``a`` or
        ``b`` is constant over them.
    """
    a, b, mask = as_numpy(a).astype(float), as_numpy(b).astype(float), as_numpy(mask)
    check_shape("a", a.shape, "(n, ...)", a.ndim >= 1)
    check_shape("b", b.shape, f"{a.shape} like a", b.shape == a.shape)
    check_shape("mask", mask.shape, f"{a.shape} like a", mask.shape == a.shape)
    n = a.shape[0]
    a, b, mask = a.reshape(n, -1), b.reshape(n, -1), mask.reshape(n, -1).astype(bool)
    if not (np.all(np.isfinite(a[mask])) and np.all(np.isfinite(b[mask]))):
        raise ValueError("a and b must be finite on the masked cells")
    rows, cols = np.nonzero(mask)
    rank_a = _average_ranks(rows, a[rows, cols], n)
    rank_b = _average_ranks(rows, b[rows, cols], n)
    count = np.bincount(rows, minlength=n).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        da = rank_a - (np.bincount(rows, rank_a, minlength=n) / count)[rows]
        db = rank_b - (np.bincount(rows, rank_b, minlength=n) / count)[rows]
        cov = np.bincount(rows, da * db, minlength=n)
        var_a = np.bincount(rows, da * da, minlength=n)
        var_b = np.bincount(rows, db * db, minlength=n)
        corr = cov / np.sqrt(var_a * var_b)
    tiny = 1e-12
    corr[(count < 2) | (var_a < tiny) | (var_b < tiny)] = np.nan
    return np.clip(corr, -1.0, 1.0)


def _average_ranks(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """1-based ranks of ``values`` within each row (ties averaged), in the input order."""
    if len(values) == 0:
        return values.astype(float)
    order = np.lexsort((values, rows))
    sorted_rows, sorted_values = rows[order], values[order]
    new_group = np.ones(len(values), dtype=bool)
    new_group[1:] = (sorted_rows[1:] != sorted_rows[:-1]) | (
        sorted_values[1:] != sorted_values[:-1]
    )
    group = np.cumsum(new_group) - 1
    row_start = np.searchsorted(sorted_rows, np.arange(n))
    position = np.arange(len(values)) - row_start[sorted_rows] + 1.0
    average = np.bincount(group, position) / np.bincount(group)
    ranks = np.empty(len(values))
    ranks[order] = average[group]
    return ranks


def objective_correlations(levels: Levels, reward_map: np.ndarray) -> dict[str, np.ndarray]:
    """How well the mesa-objective ranks cells like each candidate objective.

    Each candidate objective scores a cell by its negative BFS distance to a target (closer is
    better), which orders every free cell rather than only marking one. The indicator of the
    target alone would tie all other cells and say little.

    Args:
        levels: n levels.
        reward_map: (n, H, W) float, the mesa-objective.

    Returns:
        ``{"base_objective": (n,), "proxy": (n,)}``: per level, the Spearman correlation over
        free cells of ``reward_map`` with minus the distance to the exit, and to the marker.
        In a correlated level the two are equal.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    reward_map, walls = _check_maps(reward_map, levels.walls)
    to_exit = bfs_distances(walls, levels.exit)
    to_marker = bfs_distances(walls, levels.marker)
    mask = (to_exit >= 0) & (to_marker >= 0)
    return {
        "base_objective": rank_correlation(reward_map, -to_exit, mask),
        "proxy": rank_correlation(reward_map, -to_marker, mask),
    }


def _check_maps(reward_map, walls) -> tuple[np.ndarray, np.ndarray]:
    reward_map = as_numpy(reward_map).astype(float)
    walls = as_numpy(walls).astype(bool)
    check_shape("reward_map", reward_map.shape, "(n, H, W)", reward_map.ndim == 3)
    check_shape(
        "walls", walls.shape, f"{reward_map.shape} like reward_map", walls.shape == reward_map.shape
    )
    if np.isnan(reward_map).any():
        raise ValueError("reward_map must not contain NaN")
    if np.any(walls.reshape(len(walls), -1).all(axis=1)):
        raise ValueError("walls must leave at least one free cell in every level")
    return reward_map, walls


def hidden_window(history, threshold: float = 0.95, proxy_level: float = 0.5) -> dict[str, float]:
    """When, during training, a near-perfect training score sat next to a proxy-seeker at test.

    Args:
        history: a :class:`demos.training.base_optimizers.TrainingHistory` with the columns
            ``train_success`` and ``test_proxy_rate`` (``proxy-shift`` with ``eval_every > 0``).
        threshold: float in [0, 1]. Training success that counts as near-perfect.
        proxy_level: float in [0, 1]. Test proxy rate that counts as a proxy-seeker.

    Returns:
        ``{"peak_step", "peak_proxy", "train_at_peak", "hidden_steps", "logged_steps",
        "final_proxy", "final_train", "threshold", "proxy_level"}``: the logged step with the
        highest test proxy rate, that rate and the training success then; how many of the
        ``logged_steps`` had training success of at least ``threshold`` and a test proxy rate of
        at least ``proxy_level``; the last logged figures; and the two levels used.
    """
    threshold = check_float("threshold", threshold, 0.0, 1.0)
    proxy_level = check_float("proxy_level", proxy_level, 0.0, 1.0)
    steps, train = history.column("train_success")
    _, proxy = history.column("test_proxy_rate")
    peak = int(np.argmax(proxy))
    hidden = int(np.sum((train >= threshold) & (proxy >= proxy_level)))
    return {
        "peak_step": int(steps[peak]),
        "peak_proxy": float(proxy[peak]),
        "train_at_peak": float(train[peak]),
        "hidden_steps": hidden,
        "logged_steps": len(steps),
        "final_proxy": float(proxy[-1]),
        "final_train": float(train[-1]),
        "threshold": threshold,
        "proxy_level": proxy_level,
    }
