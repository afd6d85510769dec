"""Two-armed Bernoulli bandits drawn from a family: the tasks a learned learner is meta-trained on.

Chapter 5 (the paper's section 5, meta-learning) uses this world. One *task* is a two-armed bandit:
pulling arm ``a`` pays 1 with probability ``means[a]`` and 0 otherwise, for ``horizon`` pulls. A
*family* of tasks is a distribution over the pair of means. A learner that plays one task does not
know its means; it must learn them from its own pulls within the episode, trading exploring the arm
it knows less about against exploiting the one that looks better.

Task family:
    Both means come from :data:`ARM_MEANS` (0.1, 0.2, ..., 0.9). A task draws two distinct values
    uniformly (each of the 36 unordered pairs with probability 1/36), then gives the larger one to
    arm 0 with probability ``favoured_share`` and to arm 1 otherwise. ``favoured_share = 0.5`` is
    the symmetric family; 0.85 is a family in which arm 0 is usually the better one; 0.15 the same
    family with the arms' roles swapped, the distributional shift of the chapter.

Base objective of the meta-learner:
    The expected total reward over the episode, or equivalently minus the *pseudo-regret*
    ``sum_t (max(means) - means[a_t])``: what the learner loses, in expectation, by not pulling the
    better arm every time. Regret removes the luck of the Bernoulli draws and of the task, so
    learners can be compared on the same tasks.

Randomness:
    Only from the ``numpy.random.Generator`` (or the policy's own generator) passed in.

Shapes: ``n`` tasks, ``T`` = ``horizon`` pulls, two arms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from demos.core.config import Config, ranged
from demos.core.validation import check_int, check_shape

ARM_MEANS = tuple(round(0.1 * k, 1) for k in range(1, 10))
"""The values an arm's probability of paying out can take: 0.1, 0.2, ..., 0.9."""

N_ARMS = 2
"""Arms per task."""


@dataclass(frozen=True)
class BanditFamily(Config):
    """A family of two-armed Bernoulli bandits (see the module docstring)."""

    favoured_share: float = ranged(0.85, 0.0, 1.0)
    """Probability that arm 0 is the better arm of a task (0.5: the arms are symmetric)."""
    horizon: int = ranged(20, 1, 200)
    """Pulls per episode T."""


def draw_tasks(family: BanditFamily, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` tasks of ``family``.

    Args:
        family: the task distribution.
        n: int >= 1. Number of tasks.
        rng: numpy Generator, the only source of randomness.

    Returns:
        (n, 2) float64: each task's probability of payout on arm 0 and on arm 1.
    """
    _check_family(family)
    n = check_int("n", n, 1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    values = np.array(ARM_MEANS)
    first = rng.integers(0, len(values), n)
    second = (first + rng.integers(1, len(values), n)) % len(values)  # a different value
    low = np.minimum(values[first], values[second])
    high = np.maximum(values[first], values[second])
    favoured = rng.random(n) < family.favoured_share
    return np.stack([np.where(favoured, high, low), np.where(favoured, low, high)], axis=1)


def task_prior(family: BanditFamily) -> tuple[np.ndarray, np.ndarray]:
    """The family as an explicit distribution over its 72 possible tasks.

    Returns:
        means: (72, 2) float64, every ordered pair of distinct values of :data:`ARM_MEANS`.
        weights: (72,) float64, the probability :func:`draw_tasks` gives each (sums to 1).
    """
    _check_family(family)
    means, weights = [], []
    pairs = len(ARM_MEANS) * (len(ARM_MEANS) - 1) // 2
    for first in ARM_MEANS:
        for second in ARM_MEANS:
            if first == second:
                continue
            share = family.favoured_share if first > second else 1.0 - family.favoured_share
            means.append((first, second))
            weights.append(share / pairs)
    return np.array(means), np.array(weights)


@dataclass
class Episodes:
    """What a learner did on ``n`` tasks: its pulls, what they paid, and the tasks' means."""

    means: np.ndarray
    """(n, 2) float: each task's payout probabilities."""
    actions: np.ndarray
    """(n, T) int: the arm pulled at each step."""
    rewards: np.ndarray
    """(n, T) int: 1 where the pull paid out."""

    def __post_init__(self):
        self.means = np.asarray(self.means, dtype=float)
        self.actions = np.asarray(self.actions, dtype=np.int64)
        self.rewards = np.asarray(self.rewards, dtype=np.int64)
        n = len(self.means)
        check_shape("means", self.means.shape, "(n, 2)", self.means.shape == (n, N_ARMS))
        check_shape(
            "actions",
            self.actions.shape,
            f"({n}, T)",
            self.actions.ndim == 2 and len(self.actions) == n,
        )
        same = self.rewards.shape == self.actions.shape
        check_shape("rewards", self.rewards.shape, str(self.actions.shape), same)
        if self.actions.size and (self.actions.min() < 0 or self.actions.max() >= N_ARMS):
            raise ValueError("actions must be arm indices 0 or 1")

    @property
    def horizon(self) -> int:
        """Pulls per episode T."""
        return self.actions.shape[1]

    def step_regret(self) -> np.ndarray:
        """(n, T) float: ``max(means) - means[a_t]``, the expected loss of each pull."""
        chosen = np.take_along_axis(self.means, self.actions, axis=1)
        return self.means.max(axis=1, keepdims=True) - chosen

    def regret_curve(self) -> np.ndarray:
        """(T,) float: mean cumulative pseudo-regret after each pull."""
        return self.step_regret().cumsum(axis=1).mean(axis=0)

    def regret(self) -> float:
        """Mean pseudo-regret over the whole episode (the last point of :meth:`regret_curve`)."""
        return float(self.step_regret().sum(axis=1).mean())

    def better_arm_share(self) -> np.ndarray:
        """(T,) float: share of tasks in which the pull at each step went to the better arm."""
        better = self.means.argmax(axis=1)[:, None]
        return (self.actions == better).mean(axis=0)

    def arm_share(self, arm: int = 0) -> np.ndarray:
        """(T,) float: share of tasks in which the pull at each step went to ``arm``."""
        arm = check_int("arm", arm, 0, N_ARMS - 1)
        return (self.actions == arm).mean(axis=0)


class BanditPolicy(Protocol):
    """What :func:`play` needs of a learner: it starts fresh, chooses, and hears the result."""

    def start(self, n: int) -> None:
        """Forget everything: ``n`` new tasks begin."""

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        """(n,) int arms to pull now (``rng`` for any randomness of the policy)."""

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None:
        """Hear what the pulls ``actions`` ((n,) int) paid: ``rewards`` ((n,) int, 0 or 1)."""


def play(
    policy: BanditPolicy, means: np.ndarray, horizon: int, rng: np.random.Generator
) -> Episodes:
    """Let ``policy`` play every task of ``means`` for ``horizon`` pulls.

    The payouts are drawn up front, one per task, step and arm, so two policies played with
    generators in the same state meet the same luck on the arms they both pull.

    Args:
        policy: a :class:`BanditPolicy`.
        means: (n, 2) float in [0, 1], the tasks.
        horizon: int >= 1, pulls per episode.
        rng: numpy Generator for the payouts and for the policy's own randomness.

    Returns:
        Episodes.
    """
    means = _check_means(means)
    horizon = check_int("horizon", horizon, 1, 10_000)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    n = len(means)
    payouts = (rng.random((horizon, n, N_ARMS)) < means).astype(np.int64)
    rows = np.arange(n)
    actions = np.empty((n, horizon), dtype=np.int64)
    rewards = np.empty((n, horizon), dtype=np.int64)
    policy.start(n)
    for t in range(horizon):
        chosen = np.asarray(policy.choose(rng), dtype=np.int64)
        check_shape("policy.choose()", chosen.shape, f"({n},)", chosen.shape == (n,))
        paid = payouts[t, rows, chosen]
        policy.update(chosen, paid)
        actions[:, t], rewards[:, t] = chosen, paid
    return Episodes(means=means, actions=actions, rewards=rewards)


def _check_family(family) -> None:
    if not isinstance(family, BanditFamily):
        raise ValueError(f"family must be a BanditFamily, got {type(family).__name__}")


def _check_means(means) -> np.ndarray:
    array = np.asarray(means, dtype=float)
    ok = array.ndim == 2 and array.shape[0] >= 1 and array.shape[1] == N_ARMS
    check_shape("means", array.shape, "(n, 2) with n >= 1", ok)
    if not np.all((array >= 0) & (array <= 1)):
        raise ValueError("means must be probabilities in [0, 1]")
    return array
