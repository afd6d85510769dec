"""The behavioral objective: what an agent seems to want, recovered from its behaviour alone.

Used by chapter 1 (the paper's section 1.1, the behavioral objective).

The paper defines a system's *behavioral objective* as the objective that perfect inverse
reinforcement learning would recover from what the system does. This module does a small, exact
version of that for the book's mazes, by *inverse planning*:

1. **Candidates.** A family of reward maps that might explain the behaviour. The default family,
   :func:`goal_maps`, has one candidate per cell: "reward 1 for standing on cell c, 0 elsewhere".
   Any other family of ``(n, m, H, W)`` maps can be scored too (e.g. "exit only" against
   "marker only").
2. **A model of a rational agent.** For each candidate, value iteration with the gridworld's true
   moves (:func:`demos.agents.planners.value_iteration`) gives action values ``Q``; a
   *Boltzmann-rational* agent with rationality ``beta`` picks action ``a`` with probability
   proportional to ``exp(beta * Q(s, a))``. Large ``beta`` is a near-perfect planner, small
   ``beta`` a noisy one.
3. **Likelihood.** The probability of the observed path under that agent. Only cells are
   observed, not actions: a step from ``s`` to ``s'`` has probability
   ``sum_a pi(a | s) [next(s, a) = s']`` (a bump into a wall looks like staying put). The
   rationality is not known either, so the likelihood is averaged over a grid of ``beta`` values
   (a uniform prior on the grid).
4. **Posterior.** With a uniform prior over candidates, the posterior is the normalised
   likelihood. Its most probable candidate is the recovered behavioral objective.

Nothing here looks inside the agent: the input is ``levels`` and ``paths`` only. That is what
lets the book compare the recovered objective with the mesa-objective read from the model's
reward head, and with the base objective (the exit).

Shapes: ``n`` levels of side ``H = W``; ``paths`` is ``(n, T + 1, 2)`` (row, col), as in
:class:`demos.training.rollouts.Rollout`; ``m`` candidates per level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import N_ACTIONS, next_cells, value_iteration
from demos.analysis import metrics
from demos.core.validation import check_cells, check_float, check_int, check_shape
from demos.worlds import outcomes
from demos.worlds.mazes import Levels, bfs_distances, default_horizon

DEFAULT_RATIONALITY = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
"""Rationality values ``beta`` the likelihood is averaged over (a uniform prior on this grid)."""


def goal_maps(levels: Levels) -> np.ndarray:
    """The "go to cell c" family: one candidate reward map per cell of the grid.

    Args:
        levels: n levels of side H = W.

    Returns:
        (n, H * W, H, W) float32. Candidate ``k`` is 1 on cell ``divmod(k, W)`` and 0 elsewhere.
        Candidates on wall cells are kept (so the candidate axis is the same for every level) but
        describe no goal an agent could reach; :func:`infer_goal` rules them out.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    n, size = len(levels), levels.size
    eye = np.eye(size * size, dtype=np.float32).reshape(size * size, size, size)
    return np.broadcast_to(eye, (n, size * size, size, size))


def path_log_likelihood(
    levels: Levels,
    paths: np.ndarray,
    reward_maps: np.ndarray,
    rationality: Sequence[float] = DEFAULT_RATIONALITY,
    horizon: int | None = None,
    discount: float = 0.9,
) -> np.ndarray:
    """Log-probability of each observed path under each candidate objective.

    Args:
        levels: n levels.
        paths: (n, T + 1, 2) int (row, col). The cells an agent visited, start first; T >= 1.
        reward_maps: (n, m, H, W) float. Candidate objectives for each level, m >= 1.
        rationality: non-empty sequence of floats > 0. The ``beta`` grid the likelihood is
            averaged over.
        horizon: int >= 1, value-iteration steps of the modelled agent (default
            :func:`demos.worlds.mazes.default_horizon` of the size: a far-sighted planner).
        discount: float in (0, 1]. Discount of the modelled agent.

    Returns:
        (n, m) float64. ``log mean_beta prod_t P_beta(s_{t+1} | s_t, candidate)``.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    n, size = len(levels), levels.size
    paths = _check_paths(paths, n, size)
    maps = np.asarray(reward_maps, dtype=np.float32)
    check_shape(
        "reward_maps",
        maps.shape,
        f"({n}, m, {size}, {size}) with m >= 1",
        maps.ndim == 4
        and maps.shape[0] == n
        and maps.shape[1] >= 1
        and maps.shape[2:] == (size,) * 2,
    )
    if not np.all(np.isfinite(maps)):
        raise ValueError("reward_maps must be finite")
    betas = _check_rationality(rationality)
    horizon = default_horizon(size) if horizon is None else check_int("horizon", horizon, 1, 10_000)
    discount = check_float("discount", discount, 0.0, 1.0)
    if discount == 0.0:
        raise ValueError("discount must be a number in (0, 1], got 0.0")

    walls = torch.from_numpy(np.array(levels.walls, dtype=bool))
    moves = next_cells(walls)  # (n, 5 * H * W)
    m = maps.shape[1]
    with torch.no_grad():
        q_values = value_iteration(
            torch.from_numpy(maps.reshape(n * m, size, size)),
            walls.repeat_interleave(m, dim=0),
            horizon,
            discount,
            moves.repeat_interleave(m, dim=0),
        ).view(n, m, N_ACTIONS, size * size)
    return _score_paths(q_values, moves, paths, size, betas)


def goal_q_values(levels: Levels, horizon: int | None = None, discount: float = 0.9) -> np.ndarray:
    """Action values of a planner rewarded for standing on one cell, for every cell, in closed form.

    For the candidate "reward 1 on cell g" of :func:`goal_maps`, the best plan is to walk a
    shortest path to g and stay there, so value iteration has a closed form in the BFS distance
    ``d`` to g: with ``k`` backups, ``V_k(s) = sum_{t = max(d(s), 1)}^{k} discount^(t - 1)``
    (0 when ``d(s) > k`` or g is unreachable), and ``Q(s, a) = [s' = g] + discount *
    V_{k-1}(s')`` for the cell ``s'`` that action ``a`` leads to. This equals
    :func:`demos.agents.planners.value_iteration` on :func:`goal_maps` (the tests check it) at a
    fraction of the cost: one batched BFS instead of ``horizon`` backups per candidate.

    Args:
        levels: n levels.
        horizon: int >= 1, backups K (default :func:`demos.worlds.mazes.default_horizon`).
        discount: float in (0, 1].

    Returns:
        (n, H * W, 5, H * W) float32. ``[i, g, a, s]``: value of action ``a`` at cell ``s`` of
        level ``i`` for the goal cell ``g`` (row-major). Goals on walls get all zeros.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    horizon = (
        default_horizon(levels.size)
        if horizon is None
        else check_int("horizon", horizon, 1, 10_000)
    )
    discount = check_float("discount", discount, 0.0, 1.0)
    if discount == 0.0:
        raise ValueError("discount must be a number in (0, 1], got 0.0")
    n, size = len(levels), levels.size
    cells = size * size
    walls = np.asarray(levels.walls, dtype=bool)
    level_of, goal = np.nonzero(~walls.reshape(n, cells))  # every free cell as a goal
    targets = np.stack(np.divmod(goal, size), axis=1)
    distance = bfs_distances(walls[level_of], targets).reshape(len(goal), cells)
    moves = next_cells(torch.from_numpy(walls.copy())).numpy().reshape(n, N_ACTIONS, cells)
    landing = moves[level_of]  # (goals, 5, cells): the cell each action leads to
    d_next = np.take_along_axis(distance[:, None, :], landing, axis=2)  # distance after the move

    # V_{K-1} as a table over the BFS distance d = -1 (unreachable), 0, 1, ..., cells.
    d = np.arange(-1, cells + 1)
    first = np.maximum(d, 1)
    k = horizon - 1
    if discount == 1.0:
        total = k - first + 1.0
    else:
        total = (discount ** (first - 1.0) - discount**k) / (1.0 - discount)
    value_table = np.where((d >= 0) & (first <= k), total, 0.0)
    q = (d_next == 0) + discount * value_table[d_next + 1]
    out = np.zeros((n, cells, N_ACTIONS, cells), dtype=np.float32)
    out[level_of, goal] = q
    return out


def _score_paths(q_values: torch.Tensor, moves: torch.Tensor, paths: np.ndarray, size: int, betas):
    """log mean_beta P(path | candidate) from action values (n, m, 5, H * W) at every cell."""
    n, m = q_values.shape[:2]
    cells = size * size
    here = torch.from_numpy(paths[:, :-1, 0] * size + paths[:, :-1, 1])  # (n, T)
    there = torch.from_numpy(paths[:, 1:, 0] * size + paths[:, 1:, 1])  # (n, T)
    # consistent[i, a, t]: action a, taken at the t-th cell of path i, leads to its next cell.
    landing = moves.view(n, N_ACTIONS, cells).gather(2, here.unsqueeze(1).expand(n, N_ACTIONS, -1))
    consistent = landing == there.unsqueeze(1)  # (n, 5, T)
    if not bool(consistent.any(dim=1).all()):
        bad = np.argwhere(~consistent.any(dim=1).numpy())[0]
        raise ValueError(
            f"paths must move one cell per step along free cells; path {bad[0]} jumps at step "
            f"{bad[1]} from {paths[bad[0], bad[1]].tolist()} to "
            f"{paths[bad[0], bad[1] + 1].tolist()}"
        )
    with torch.no_grad():
        index = here.view(n, 1, 1, -1).expand(n, m, N_ACTIONS, -1)
        q_on_path = q_values.gather(3, index).double()  # (n, m, 5, T)
        mask = consistent.unsqueeze(1)  # (n, 1, 5, T)
        per_beta = []
        for beta in betas:
            log_policy = torch.log_softmax(beta * q_on_path, dim=2)
            step = torch.logsumexp(log_policy.masked_fill(~mask, -np.inf), dim=2)  # (n, m, T)
            per_beta.append(step.sum(dim=2))
        stacked = torch.stack(per_beta)  # (len(betas), n, m)
        log_likelihood = torch.logsumexp(stacked, dim=0) - np.log(len(betas))
    return log_likelihood.numpy()


@dataclass
class GoalInference:
    """The recovered behavioral objective of the "go to cell c" family, for n levels."""

    levels: Levels = field(repr=False)
    """The n levels the paths were observed in."""
    log_likelihood: np.ndarray = field(repr=False)
    """(n, H, W) float. log P(path | goal cell), averaged over rationality; -inf on walls."""
    posterior: np.ndarray = field(repr=False)
    """(n, H, W) float. P(goal cell | path) under a uniform prior over free cells; sums to 1
    per level, 0 on walls."""

    @property
    def goal_cells(self) -> np.ndarray:
        """(n, 2) int64 (row, col): the most probable goal cell per level (the MAP estimate)."""
        return metrics.reward_peaks(self.log_likelihood, self.levels.walls)

    @property
    def confidence(self) -> np.ndarray:
        """(n,) float in (0, 1]: posterior probability of the most probable goal cell."""
        return self.posterior.reshape(len(self.levels), -1).max(axis=1)

    def rates(self) -> dict[str, float]:
        """Share of levels whose recovered goal is the exit, the marker (proxy), or neither.

        A correlated level's marker is on its exit; a goal there counts as "exit".
        """
        return outcomes.settle_rates(self.levels, self.goal_cells)

    def probability_at(self, cells: np.ndarray) -> np.ndarray:
        """(n,) float: posterior probability that the goal is ``cells`` ((n, 2) int (row, col))."""
        cells = check_cells("cells", cells, len(self.levels), self.levels.size)
        return self.posterior[np.arange(len(self.levels)), cells[:, 0], cells[:, 1]]

    def matches(self, cells: np.ndarray) -> np.ndarray:
        """(n,) bool: whether the recovered goal is ``cells`` ((n, 2) int (row, col))."""
        cells = check_cells("cells", cells, len(self.levels), self.levels.size)
        return np.all(self.goal_cells == cells, axis=1)


def infer_goal(
    levels: Levels,
    paths: np.ndarray,
    rationality: Sequence[float] = DEFAULT_RATIONALITY,
    horizon: int | None = None,
    discount: float = 0.9,
) -> GoalInference:
    """Recover which cell an agent is heading for, from its paths alone (inverse planning).

    Scores every free cell as a candidate goal with :func:`path_log_likelihood` over the
    :func:`goal_maps` family and normalises with a uniform prior over free cells.

    Args:
        levels: n levels.
        paths: (n, T + 1, 2) int (row, col), e.g. ``rollout.paths``.
        rationality, horizon, discount: as in :func:`path_log_likelihood`.

    Returns:
        GoalInference.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    n, size = len(levels), levels.size
    paths = _check_paths(paths, n, size)
    betas = _check_rationality(rationality)
    q_values = torch.from_numpy(goal_q_values(levels, horizon, discount))
    moves = next_cells(torch.from_numpy(np.array(levels.walls, dtype=bool)))
    log_likelihood = _score_paths(q_values, moves, paths, size, betas).reshape(n, size, size)
    walls = np.asarray(levels.walls, dtype=bool)
    log_likelihood = np.where(walls, -np.inf, log_likelihood)
    shifted = log_likelihood - log_likelihood.reshape(n, -1).max(axis=1)[:, None, None]
    weights = np.exp(shifted)
    posterior = weights / weights.reshape(n, -1).sum(axis=1)[:, None, None]
    return GoalInference(levels=levels, log_likelihood=log_likelihood, posterior=posterior)


def exit_or_marker(
    levels: Levels,
    paths: np.ndarray,
    rationality: Sequence[float] = DEFAULT_RATIONALITY,
    horizon: int | None = None,
    discount: float = 0.9,
) -> np.ndarray:
    """Log-likelihood ratio of "the agent wants the exit" over "it wants the marker", per level.

    The two candidates are reward 1 on the exit and reward 1 on the marker. On a level where the
    marker sits on the exit they are the same map, so the ratio is exactly 0: behaviour there
    cannot tell the base objective from the proxy.

    Returns:
        (n,) float. Positive: the path is better explained by the exit; negative: by the marker.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    n, size = len(levels), levels.size
    maps = np.zeros((n, 2, size, size), dtype=np.float32)
    rows = np.arange(n)
    maps[rows, 0, levels.exit[:, 0], levels.exit[:, 1]] = 1.0
    maps[rows, 1, levels.marker[:, 0], levels.marker[:, 1]] = 1.0
    scores = path_log_likelihood(levels, paths, maps, rationality, horizon, discount)
    return scores[:, 0] - scores[:, 1]


def feature_mixture_maps(levels: Levels, angles: Sequence[float]) -> np.ndarray:
    """Candidates that blend the features: ``cos(a)`` on the exit, ``sin(a)`` on the marker.

    Angle 0 is "the exit only", a right angle "the marker only", and the angles between are the
    blends. On a level whose marker sits on the exit both rewards land on the same cell, so the
    candidates differ there only through ``cos(a) + sin(a)``.

    Args:
        levels: n levels.
        angles: non-empty sequence of floats in [0, pi / 2], in radians.

    Returns:
        (n, len(angles), H, W) float32 candidate reward maps.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    angles = _check_angles(angles)
    n, size = len(levels), levels.size
    maps = np.zeros((n, len(angles), size, size), dtype=np.float32)
    level, candidate = np.arange(n)[:, None], np.arange(len(angles))[None]
    exit_, marker = levels.exit[:, None], levels.marker[:, None]
    maps[level, candidate, exit_[..., 0], exit_[..., 1]] += np.cos(angles).astype(np.float32)
    maps[level, candidate, marker[..., 0], marker[..., 1]] += np.sin(angles).astype(np.float32)
    return maps


def best_mixture_angle(
    levels: Levels,
    paths: np.ndarray,
    angles: Sequence[float],
    rationality: Sequence[float] = DEFAULT_RATIONALITY,
    horizon: int | None = None,
    discount: float = 0.9,
) -> float:
    """The blend of exit and marker that best explains all the paths at once, in degrees.

    Scores every candidate of :func:`feature_mixture_maps` with :func:`path_log_likelihood`, sums
    the log-likelihoods over the levels (one objective shared by every level), and returns the
    angle of the best candidate: 0 means "the exit only", 90 "the marker only".

    Args:
        levels, paths: as in :func:`path_log_likelihood`.
        angles: non-empty sequence of floats in [0, pi / 2], in radians.
        rationality, horizon, discount: as in :func:`path_log_likelihood`.

    Returns:
        float in [0, 90].
    """
    angles = _check_angles(angles)
    maps = feature_mixture_maps(levels, angles)
    scores = path_log_likelihood(levels, paths, maps, rationality, horizon, discount)
    return float(np.degrees(angles[int(np.argmax(scores.sum(axis=0)))]))


def _check_angles(angles) -> np.ndarray:
    values = np.asarray(list(angles) if not np.isscalar(angles) else [angles], dtype=float)
    if values.ndim != 1 or not len(values):
        raise ValueError(f"angles must be a non-empty sequence of numbers, got {angles!r}")
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > np.pi / 2 + 1e-9:
        raise ValueError(f"angles must be numbers in [0, pi / 2] (radians), got {values.tolist()}")
    return values


def _check_paths(paths, n: int, size: int) -> np.ndarray:
    array = np.asarray(paths)
    check_shape(
        "paths",
        array.shape,
        f"({n}, T + 1, 2) with T >= 1",
        array.ndim == 3 and array.shape[0] == n and array.shape[1] >= 2 and array.shape[2] == 2,
    )
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"paths must hold integer (row, col) cells, got dtype {array.dtype}")
    if array.min() < 0 or array.max() >= size:
        raise ValueError(f"paths must hold cells inside the {size}x{size} grid")
    return array.astype(np.int64)


def _check_rationality(rationality) -> list[float]:
    if isinstance(rationality, (int, float)):
        rationality = [rationality]
    values = list(rationality)
    if not values:
        raise ValueError("rationality must hold at least one number > 0, got []")
    checked = [check_float("rationality", value, 0.0, 1e6) for value in values]
    if min(checked) <= 0:
        raise ValueError(f"rationality values must be numbers in (0, 1e6], got {values}")
    return checked
