"""The learned search watched from inside: when each cell's state comes to hold its way to the exit.

Chapters 1 and 2 show the learned planner (:mod:`demos.agents.learned_search`) searching. A linear
probe (:mod:`demos.analysis.probes`) fitted to the expert's move at every cell, on the state after
many iterations, is read after *every* iteration on other mazes. A cell *has arrived* at
iteration k when the decoded move is right from k on (:func:`arrival_times`); the arrived cells
at iteration k are the region the search has covered. The same is read off the model's own
greedy move (its readout), and compared with two reference searches:

- value iteration, the hand-written planner's search (:func:`value_iteration_frontier`): a cell has
  a non-zero value after k backups when the exit is at most k moves away, so its frontier spreads
  out of the exit along the corridors, one cell per iteration;
- dead-end filling (:func:`dead_end_frontier`): in a tree maze a cell's move is known once every
  branch behind it has been found to be a dead end, after as many iterations as the branch is
  deep (:func:`subtree_heights`); this front spreads inward from the leaves.

A probe for the distance to the exit (what value iteration's values encode) is fitted and read the
same way, with a shuffled-label control (:func:`read_search`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.learned_search import LearnedSearch
from demos.agents.planners import value_iteration
from demos.analysis.probes import ProbeReport, fit_class_probe, fit_probe, r_squared
from demos.core.validation import check_float, check_int
from demos.worlds.mazes import ACTIONS, Levels, expert_actions

_STEPS = tuple((int(dr), int(dc)) for dr, dc in ACTIONS[1:])


def subtree_heights(dist: np.ndarray) -> np.ndarray:
    """(n, H, W) height of each free cell's subtree in a tree maze rooted at the exit.

    In a perfect maze each free cell's neighbours are its parent (one step nearer the exit) and
    its children (one step further). The height is 0 at a dead end and 1 + the largest child's
    height otherwise: how many iterations a search that eliminates dead ends from the leaves
    inward needs before it knows every branch behind the cell leads nowhere. -1 on walls.

    Args:
        dist: (n, H, W) int BFS distances to the exit, -1 on walls
            (:meth:`demos.worlds.mazes.Levels.distances`).
    """
    dist = np.asarray(dist)
    if dist.ndim != 3:
        raise ValueError(f"dist must have shape (n, H, W), got {dist.shape}")
    _, height, width = dist.shape
    heights = np.where(dist >= 0, 0, -1)
    for value in range(int(dist.max()), 0, -1):
        child = dist == value
        for dr, dc in _STEPS:
            rows, rows_to = (
                slice(max(0, -dr), height - max(0, dr)),
                slice(max(0, dr), height - max(0, -dr)),
            )
            cols, cols_to = (
                slice(max(0, -dc), width - max(0, dc)),
                slice(max(0, dc), width - max(0, -dc)),
            )
            parent = np.zeros_like(child)
            lifted = np.full_like(heights, -1)
            # a child at (r, c) lifts its height + 1 onto the parent at (r + dr, c + dc)
            parent[:, rows_to, cols_to] = child[:, rows, cols]
            lifted[:, rows_to, cols_to] = heights[:, rows, cols] + 1
            is_parent = parent & (dist == value - 1)
            heights = np.where(is_parent, np.maximum(heights, lifted), heights)
    return heights


def arrival_times(moves: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(n, H, W) the first iteration (1-based) from which ``moves`` is right at every later one.

    Args:
        moves: (T, n, H, W) int, the move read after each iteration 1 .. T.
        truth: (n, H, W) int, the expert's move; -1 where there is none (walls).

    Returns:
        (n, H, W) int64: the arrival iteration; -1 where the move is still wrong at T, and on walls.
    """
    moves, truth = np.asarray(moves), np.asarray(truth)
    if moves.ndim != 4 or moves.shape[1:] != truth.shape:
        raise ValueError(f"moves must have shape (T, *{truth.shape}), got {moves.shape}")
    right = moves == truth[None]
    wrong_after = np.zeros(truth.shape, dtype=bool)
    arrival = np.full(truth.shape, -1, dtype=np.int64)
    for k in range(len(right) - 1, -1, -1):
        wrong_after |= ~right[k]
        arrival = np.where(~wrong_after, k + 1, arrival)
    arrival[truth < 0] = -1
    return arrival


def value_iteration_frontier(levels: Levels, iterations) -> dict[int, np.ndarray]:
    """The hand-written search's frontier: ``{k: (n, H, W) bool}``, the free cells whose value is
    non-zero after k backups of :func:`demos.agents.planners.value_iteration` with reward 1 on
    the exit and 0 elsewhere (the cells at most k moves from the exit)."""
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    ks = sorted({check_int("iterations", k, 1) for k in iterations})
    n, size = len(levels), levels.size
    reward = np.zeros((n, size, size), dtype=np.float32)
    reward[np.arange(n), levels.exit[:, 0], levels.exit[:, 1]] = 1.0
    walls = np.array(levels.walls, dtype=bool)
    out = {}
    for k in ks:
        q = value_iteration(torch.from_numpy(reward), torch.from_numpy(walls), k)
        out[k] = (q.max(dim=1).values.numpy() > 0) & ~walls
    return out


def dead_end_frontier(heights: np.ndarray, iteration: int) -> np.ndarray:
    """(n, H, W) bool: the cells dead-end filling has settled after ``iteration`` iterations
    (subtree height below it)."""
    iteration = check_int("iteration", iteration, 0)
    heights = np.asarray(heights)
    return (heights >= 0) & (heights < iteration)


def frontier_radius(covered: np.ndarray, dist: np.ndarray, coverage: float = 0.8) -> int:
    """The largest d such that, at every distance 0 .. d from the exit, at least ``coverage`` of
    the free cells are ``covered`` (-1 if not even the exit's distance 0 is)."""
    coverage = check_float("coverage", coverage, 0.0, 1.0)
    covered, dist = np.asarray(covered, dtype=bool), np.asarray(dist)
    radius = -1
    for value in range(int(dist.max()) + 1):
        at = dist == value
        if at.any() and covered[at].mean() < coverage:
            break
        radius = value
    return radius


def arrival_summary(arrival: np.ndarray, dist: np.ndarray, heights: np.ndarray) -> dict[str, float]:
    """How arrival times line up with the two reference searches, over the cells that arrive.

    Returns:
        ``{"arrived_share", "corr_distance", "corr_height", "corr_min", "slope_min",
        "intercept_min", "error_min"}``: the share of free cells that arrive; Pearson correlations
        of the arrival iteration with the distance to the exit, with the subtree height and with
        the smaller of the two; the least-squares line of arrival against that minimum and its
        mean absolute error in iterations.
    """
    free = np.asarray(dist) >= 0
    cells = free & (arrival >= 0)
    if cells.sum() < 3:
        raise ValueError("arrival must have at least 3 arrived free cells to correlate, got fewer")
    t = arrival[cells].astype(float)
    d = dist[cells].astype(float)
    e = heights[cells].astype(float)
    both = np.minimum(d, e)
    slope, intercept = np.polyfit(both, t, 1)
    return {
        "arrived_share": float(cells.sum() / free.sum()),
        "corr_distance": _correlation(d, t),
        "corr_height": _correlation(e, t),
        "corr_min": _correlation(both, t),
        "slope_min": float(slope),
        "intercept_min": float(intercept),
        "error_min": float(np.abs(np.polyval([slope, intercept], both) - t).mean()),
    }


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


@dataclass
class SearchReading:
    """A learned search read after every iteration (see :func:`read_search`)."""

    iterations: int
    """The last iteration read, where the probes were fitted."""
    probe_arrival: np.ndarray = field(repr=False)
    """(n, H, W) int: arrival iteration of the move probe's reading, -1 if never (test levels)."""
    own_arrival: np.ndarray = field(repr=False)
    """(n, H, W) int: arrival iteration of the model's own greedy move."""
    probe_accuracy: float
    """Share of the test levels' free cells whose move the probe decodes at the last iteration."""
    own_accuracy: float
    """Share of those cells where the model's own greedy move is the expert's, at the last one."""
    probe_accuracy_by_k: np.ndarray = field(repr=False)
    """(iterations,) the probe's share of right moves after each iteration 1 .. last."""
    own_accuracy_by_k: np.ndarray = field(repr=False)
    """(iterations,) the model's own share of right moves after each iteration: a search
    rises with k; a network that does not iterate towards an answer stays flat."""
    distance_r2: np.ndarray = field(repr=False)
    """(iterations,) R^2 of the distance probe (fitted at the last iteration) read after each."""
    distance_report: ProbeReport = field(repr=False)
    """The distance probe at the last iteration, held-out score and shuffled-label control."""
    dist: np.ndarray = field(repr=False)
    """(n, H, W) BFS distances to the exit of the test levels, -1 on walls."""
    heights: np.ndarray = field(repr=False)
    """(n, H, W) subtree heights of the test levels (:func:`subtree_heights`)."""
    final_logits: torch.Tensor = field(repr=False)
    """(n, 5, H, W) the model's logits after the last iteration (to walk its agents)."""

    def arrived(self, iteration: int, own: bool = False) -> np.ndarray:
        """(n, H, W) bool: the cells arrived by ``iteration`` (probe reading, or own moves)."""
        arrival = self.own_arrival if own else self.probe_arrival
        return (arrival >= 0) & (arrival <= check_int("iteration", iteration, 0))


def read_search(
    model: LearnedSearch,
    fit_levels: Levels,
    test_levels: Levels,
    iterations: int,
    l2: float = 1e-3,
    seed: int = 0,
) -> SearchReading:
    """Fit move and distance probes on ``fit_levels`` after ``iterations``; read both, and the
    model's own moves, after every iteration 1 .. ``iterations`` on ``test_levels``.

    Args:
        model: the learned planner.
        fit_levels, test_levels: levels of one size (the fitting and the reading ones apart).
        iterations: int >= 1, the last iteration (one where the model has converged).
        l2: ridge penalty of the probes.
        seed: seed of the distance probe's held-out split and shuffled control.
    """
    if not isinstance(model, LearnedSearch):
        raise ValueError(f"model must be a LearnedSearch, got {type(model).__name__}")
    for name, levels in (("fit_levels", fit_levels), ("test_levels", test_levels)):
        if not isinstance(levels, Levels):
            raise ValueError(f"{name} must be a Levels, got {type(levels).__name__}")
    iterations = check_int("iterations", iterations, 1)
    with torch.no_grad():
        h_fit = model.trajectory(fit_levels, [iterations], keep_states=True)[iterations]["h"]
    fit_moves = expert_actions(fit_levels, "exit")
    move_probe = fit_class_probe(h_fit.numpy(), fit_moves, fit_moves >= 0, len(ACTIONS), l2)
    fit_dist = fit_levels.distances("exit").astype(float)
    distance_report = fit_probe(h_fit.numpy(), fit_dist, fit_dist >= 0, "linear", l2=l2, seed=seed)

    truth = expert_actions(test_levels, "exit")
    dist = test_levels.distances("exit")
    decoded, own, r2 = [], [], []
    with torch.no_grad():
        for _, h in model.states(test_levels, iterations):
            values = h.numpy()
            decoded.append(move_probe.predict(values).astype(np.int8))
            logits = model.readout(h)
            own.append(logits.argmax(1).numpy().astype(np.int8))
            r2.append(r_squared(distance_report.probe.read(values), dist, dist >= 0))
    decoded, own = np.stack(decoded), np.stack(own)
    free = truth >= 0
    right_probe = (decoded == truth[None])[:, free].mean(axis=1)
    right_own = (own == truth[None])[:, free].mean(axis=1)
    return SearchReading(
        iterations=iterations,
        probe_arrival=arrival_times(decoded, truth),
        own_arrival=arrival_times(own, truth),
        probe_accuracy=float(right_probe[-1]),
        own_accuracy=float(right_own[-1]),
        probe_accuracy_by_k=right_probe,
        own_accuracy_by_k=right_own,
        distance_r2=np.array(r2),
        distance_report=distance_report,
        dist=dist,
        heights=subtree_heights(dist),
        final_logits=logits,
    )
