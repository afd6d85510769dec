"""Goal ambiguity: which objectives explain an agent's behaviour, and which mazes tell them apart.

Chapter 5 (the paper's section 5, unidentifiability and goal ambiguity). An observer watches a maze
agent and asks what it wants, among a one-parameter family of objectives:

    candidate lambda: reward 1 - lambda on the exit and lambda on the marker (0 elsewhere),

so lambda = 0 is "the exit" (the base objective), lambda = 1 is "the marker" (the proxy), values
between are blends and values outside put a negative reward on one of them. Where the marker sits on
the exit, every candidate pays exactly 1 on the shared cell and nothing elsewhere: all candidates
are the same objective there, and behaviour on such mazes cannot separate them at all. The
likelihood of a path under a candidate is that of a Boltzmann-rational planner
(:func:`demos.analysis.behavioral.path_log_likelihood`), averaged over its rationality.

Which mazes the observer gets to watch then decides what it can learn. :func:`observe` runs three
ways of choosing them, in the spirit of Amin and Singh's proposal to resolve unidentifiability in
inverse reinforcement learning by choosing the environments the agent is observed in:

- ``"training-like"``: mazes from the training distribution, marker on the exit: nothing is learned;
- ``"random"``: mazes with the marker away from the exit, in a random order;
- ``"chosen"``: from the same pool, each time the maze on which the candidates that are still
  plausible disagree most about where the agent will end up (the largest entropy of the predicted
  outcome: exit, marker or neither, each candidate's prediction being the greedy path of a planner
  with that objective). The outcome is then the most informative thing the observer can hope to see.

Shapes: ``n`` mazes of side ``H = W``; ``m`` candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import next_cells, value_iteration
from demos.analysis.behavioral import path_log_likelihood
from demos.core.validation import check_choice, check_int
from demos.training import rollouts
from demos.worlds.mazes import Levels

STRATEGIES = ("training-like", "random", "chosen")
"""Ways of choosing the mazes the agent is observed in."""

OUTCOMES = ("exit", "marker", "neither")
"""Where a path can end, as coded by :func:`predicted_outcomes` (0, 1, 2)."""


def mixture_maps(levels: Levels, lambdas: Sequence[float]) -> np.ndarray:
    """Candidate reward maps: ``1 - lambda`` on the exit plus ``lambda`` on the marker.

    Args:
        levels: n levels.
        lambdas: m floats.

    Returns:
        (n, m, H, W) float32. On a level whose marker is on the exit every candidate is 1 there and
        0 elsewhere: the same map.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    weights = _check_lambdas(lambdas)
    n, size, m = len(levels), levels.size, len(weights)
    maps = np.zeros((n, m, size, size), dtype=np.float32)
    rows = np.arange(n)[:, None]
    columns = np.arange(m)[None, :]
    maps[rows, columns, levels.exit[:, None, 0], levels.exit[:, None, 1]] = 1.0 - weights
    maps[rows, columns, levels.marker[:, None, 0], levels.marker[:, None, 1]] = weights
    shared = ~levels.decorrelated  # written as exactly 1, not as a rounded (1 - lambda) + lambda
    maps[shared, :, levels.exit[shared, 0], levels.exit[shared, 1]] = 1.0
    return maps


def predicted_outcomes(
    levels: Levels, lambdas: Sequence[float], planning_steps: int = 14, discount: float = 0.9
) -> np.ndarray:
    """Where a greedy planner with each candidate objective ends up in each level.

    Args:
        levels: n levels.
        lambdas: m floats.
        planning_steps: int >= 1. Value-iteration steps K of the predicted planner.
        discount: float in (0, 1].

    Returns:
        (n, m) int64: 0 exit, 1 marker, 2 neither (an exit shared with the marker counts as exit).
    """
    maps = mixture_maps(levels, lambdas)
    n, m, size = maps.shape[0], maps.shape[1], levels.size
    planning_steps = check_int("planning_steps", planning_steps, 1, 10_000)
    repeated = levels.subset(np.repeat(np.arange(n), m))
    walls = torch.from_numpy(np.array(repeated.walls, dtype=bool))
    with torch.no_grad():
        q_values = value_iteration(
            torch.from_numpy(maps.reshape(n * m, size, size)),
            walls,
            planning_steps,
            discount,
            next_cells(walls),
        )
    final = rollouts.rollout(repeated, q_values).final_positions
    on_exit = np.all(final == repeated.exit, axis=1)
    on_marker = np.all(final == repeated.marker, axis=1)
    codes = np.where(on_exit, 0, np.where(on_marker, 1, 2))
    return codes.reshape(n, m)


@dataclass
class Observation:
    """The observer's belief about the agent's objective after each maze it watched."""

    strategy: str
    """How the mazes were chosen (one of :data:`STRATEGIES`)."""
    lambdas: np.ndarray
    """(m,) float: the candidates."""
    order: np.ndarray
    """(rounds,) int64: the pool index of the maze watched in each round."""
    posteriors: np.ndarray = field(repr=False)
    """(rounds + 1, m) float: the belief before any maze, then after each (uniform prior)."""

    def entropy(self) -> np.ndarray:
        """(rounds + 1,) float: the belief's entropy in bits (log2 m before any maze)."""
        p = np.clip(self.posteriors, 1e-300, 1.0)
        return -(self.posteriors * np.log2(p)).sum(axis=1)

    def map_estimate(self) -> np.ndarray:
        """(rounds + 1,) float: the most probable candidate after each round (NaN while the
        belief is still uniform, when no candidate is more probable than another)."""
        flat = np.ptp(self.posteriors, axis=1) <= 1e-12
        return np.where(flat, np.nan, self.lambdas[self.posteriors.argmax(axis=1)])

    def mass_near(self, value: float, width: float = 0.15) -> np.ndarray:
        """(rounds + 1,) float: belief within ``width`` of ``value`` after each round."""
        near = np.abs(self.lambdas - value) <= width + 1e-9
        return self.posteriors[:, near].sum(axis=1)


def observe(
    log_likelihood: np.ndarray,
    outcomes: np.ndarray,
    strategy: str,
    rounds: int,
    rng: np.random.Generator,
) -> Observation:
    """Watch ``rounds`` mazes of a pool, chosen by ``strategy``; update the belief after each.

    Args:
        log_likelihood: (n, m) float, log P(the agent's path in maze i | candidate j), e.g. from
            :func:`demos.analysis.behavioral.path_log_likelihood` on :func:`mixture_maps`.
        outcomes: (n, m) int, :func:`predicted_outcomes` of the pool (used by "chosen").
        strategy: one of :data:`STRATEGIES`. "training-like" and "random" take the pool in a
            random order (the pool decides what they can learn); "chosen" picks, each round, the
            unwatched maze whose predicted outcome is most uncertain under the current belief
            (ties: the lowest index).
        rounds: int in [1, n]. Mazes watched.
        rng: numpy Generator for the random order.

    Returns:
        Observation (its ``lambdas`` are the column indices 0..m-1 until the caller sets them).
    """
    check_choice("strategy", strategy, STRATEGIES)
    scores = np.asarray(log_likelihood, dtype=float)
    codes = np.asarray(outcomes)
    if scores.ndim != 2 or codes.shape != scores.shape:
        raise ValueError(
            f"log_likelihood and outcomes must both have shape (n, m), got {scores.shape} and "
            f"{codes.shape}"
        )
    n, m = scores.shape
    rounds = check_int("rounds", rounds, 1, n)
    log_belief = np.zeros(m)
    beliefs = [np.full(m, 1.0 / m)]
    random_order = rng.permutation(n)
    watched: list[int] = []
    available = np.ones(n, dtype=bool)
    for r in range(rounds):
        if strategy == "chosen":
            belief = beliefs[-1]
            predicted = np.stack([(codes == k) @ belief for k in range(len(OUTCOMES))], axis=1)
            entropy = -(predicted * np.log(np.clip(predicted, 1e-300, 1.0))).sum(axis=1)
            entropy[~available] = -np.inf
            pick = int(np.argmax(entropy))
        else:
            pick = int(random_order[r])
        available[pick] = False
        watched.append(pick)
        log_belief = log_belief + scores[pick]
        shifted = np.exp(log_belief - log_belief.max())
        beliefs.append(shifted / shifted.sum())
    return Observation(
        strategy=strategy,
        lambdas=np.arange(m, dtype=float),
        order=np.array(watched, dtype=np.int64),
        posteriors=np.stack(beliefs),
    )


def candidate_log_likelihood(
    levels: Levels, paths: np.ndarray, lambdas: Sequence[float]
) -> np.ndarray:
    """(n, m) float: log-likelihood of each path under each candidate of :func:`mixture_maps`."""
    return path_log_likelihood(levels, paths, mixture_maps(levels, lambdas))


def _check_lambdas(lambdas) -> np.ndarray:
    values = np.asarray(lambdas, dtype=np.float32)
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"lambdas must be a non-empty sequence of finite numbers, got {lambdas!r}")
    return values
