"""Written learners for two-armed bandits: UCB1, Thompson sampling and the Bayes-optimal policy.

Chapter 5 (the paper's section 5, meta-learning) compares a learner that was *learned* (a recurrent
network meta-trained on a family of bandits, :mod:`demos.agents.recurrent_learner`) with learners
that were *written*:

- :class:`UCB1` (Auer, Cesa-Bianchi and Fischer 2002): pull each arm once, then the arm with the
  highest mean payout plus ``sqrt(2 ln t / pulls)``. It assumes nothing about the tasks.
- :class:`ThompsonSampling` (Thompson 1933): keep a Beta(1 + wins, 1 + losses) belief about each
  arm, draw one sample from each, pull the arm whose sample is larger. Its prior is uniform: it too
  assumes nothing about the family.
- :class:`BayesOptimal`: the policy that maximises the expected total payout *for one known family*
  (:func:`demos.worlds.bandits.task_prior`), found by dynamic programming over the counts of pulls
  and wins. It is the best any learner can do on average over that family, and it is what a
  meta-learned learner should approach. Given tasks from another family, it still acts on its own
  prior: a reference for how a learned prior misleads.

All three follow :class:`demos.worlds.bandits.BanditPolicy`, so :func:`demos.worlds.bandits.play`
runs them on a batch of ``n`` tasks at once.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_int, check_shape
from demos.worlds.bandits import N_ARMS, BanditFamily, task_prior

TIE = 2
"""Entry of :attr:`BayesOptimal.table` where both arms have the same value."""


class _Counts:
    """Pulls and wins of each arm in each of ``n`` tasks."""

    def start(self, n: int) -> None:
        n = check_int("n", n, 1)
        self.pulls = np.zeros((n, N_ARMS), dtype=np.int64)
        self.wins = np.zeros((n, N_ARMS), dtype=np.int64)

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None:
        rows = np.arange(len(self.pulls))
        self.pulls[rows, actions] += 1
        self.wins[rows, actions] += np.asarray(rewards, dtype=np.int64)


class UCB1(_Counts):
    """Upper confidence bound: optimism in the face of uncertainty, no prior over tasks."""

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        """Each untried arm first (arm 0 before arm 1), then the largest upper bound (ties: 0)."""
        total = self.pulls.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = self.wins / self.pulls + np.sqrt(
                2.0 * np.log(np.maximum(total, 1)) / self.pulls
            )
        bound = np.where(self.pulls == 0, np.inf, bound)
        return bound.argmax(axis=1)


class ThompsonSampling(_Counts):
    """Probability matching with a uniform Beta(1, 1) prior on each arm's payout probability."""

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        """The arm whose sample from its Beta posterior is larger."""
        samples = rng.beta(1 + self.wins, 1 + self.pulls - self.wins)
        return samples.argmax(axis=1)


class BayesOptimal(_Counts):
    """The optimal policy for a known prior over tasks, by dynamic programming over counts.

    A state is ``(pulls of arm 0, wins of arm 0, pulls of arm 1, wins of arm 1)``; the posterior
    over the prior's tasks, and so the expected payout of each arm, depends on nothing else. Going
    backwards from the last pull, the value of a state is the larger, over the two arms, of the
    arm's posterior mean payout plus the expected value of the state that pull leads to. Where the
    two arms are worth the same, the policy picks one at random (a fixed choice would be a
    preference the prior does not hold: always opening with arm 0, say).

    Args:
        means: (K, 2) float. The tasks the prior puts weight on.
        weights: (K,) float >= 0 with a positive sum. Their prior probabilities (normalised here).
        horizon: int >= 1. Pulls per episode.

    Attributes:
        table: (T + 1, T + 1, T + 1, T + 1) int8. The arm to pull in each state, indexed
            ``[pulls0, wins0, pulls1, wins1]``: 0 or 1, or :data:`TIE` where both arms are worth
            the same (entries that are not states are 0).
        value: float. Expected total payout of the policy under its own prior.
    """

    def __init__(self, means: np.ndarray, weights: np.ndarray, horizon: int) -> None:
        means = np.asarray(means, dtype=float)
        weights = np.asarray(weights, dtype=float)
        check_shape("means", means.shape, "(K, 2)", means.ndim == 2 and means.shape[1] == N_ARMS)
        check_shape("weights", weights.shape, f"({len(means)},)", weights.shape == (len(means),))
        if not np.all((means > 0) & (means < 1)):
            raise ValueError("means must be probabilities strictly between 0 and 1")
        if np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError("weights must be >= 0 with a positive sum")
        self.horizon = check_int("horizon", horizon, 1, 200)
        self.prior_means = means
        self.prior_weights = weights / weights.sum()
        self.table, self.value = _solve(self.prior_means, self.prior_weights, self.horizon)

    @classmethod
    def for_family(cls, family: BanditFamily) -> BayesOptimal:
        """The Bayes-optimal policy for ``family`` (its prior and its horizon)."""
        means, weights = task_prior(family)
        return cls(means, weights, family.horizon)

    def expected_regret_under_prior(self) -> float:
        """Expected pseudo-regret over the policy's own prior, from the dynamic programme."""
        best = float(self.prior_weights @ self.prior_means.max(axis=1))
        return best * self.horizon - self.value

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        """The table's arm for each task's current counts (a fair coin where the arms tie)."""
        if int(self.pulls[0].sum()) >= self.horizon:
            raise ValueError(f"the policy was solved for {self.horizon} pulls; no pulls are left")
        pulls, wins = self.pulls, self.wins
        arms = self.table[pulls[:, 0], wins[:, 0], pulls[:, 1], wins[:, 1]].astype(np.int64)
        tied = arms == TIE
        arms[tied] = rng.integers(0, N_ARMS, int(tied.sum()))
        return arms

    def expected_regret(self, means: np.ndarray, weights: np.ndarray | None = None) -> float:
        """Exact expected pseudo-regret of this policy on tasks ``means``, by forward recursion.

        Unlike a simulation, this sums over every sequence of payouts with its probability.

        Args:
            means: (K, 2) float, the tasks.
            weights: (K,) float >= 0, their probabilities (default: equal).

        Returns:
            float: ``sum_k weights_k * E[sum_t max(means_k) - means_k[a_t]]``.
        """
        means = np.asarray(means, dtype=float)
        check_shape("means", means.shape, "(K, 2)", means.ndim == 2 and means.shape[1] == N_ARMS)
        k = len(means)
        weights = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, dtype=float)
        check_shape("weights", weights.shape, f"({k},)", weights.shape == (k,))
        weights = weights / weights.sum()
        size = self.horizon + 1
        # probability[k, pulls0, wins0, wins1] at time t (pulls1 = t - pulls0)
        probability = np.zeros((k, size + 1, size + 1, size + 1))
        probability[:, 0, 0, 0] = 1.0
        gap = means.max(axis=1, keepdims=True) - means  # (K, 2) regret of each arm
        p0 = means[:, 0, None, None, None]
        p1 = means[:, 1, None, None, None]
        total = np.zeros(k)
        pulls0 = np.arange(size + 1)[:, None, None]
        wins0 = np.arange(size + 1)[None, :, None]
        wins1 = np.arange(size + 1)[None, None, :]
        for t in range(self.horizon):
            pulls1 = np.clip(t - pulls0, 0, self.horizon)
            valid = (pulls0 <= t) & (wins0 <= pulls0) & (wins1 <= pulls1)
            arm = np.where(
                valid,
                self.table[
                    np.minimum(pulls0, self.horizon),
                    np.minimum(wins0, self.horizon),
                    pulls1,
                    np.minimum(wins1, self.horizon),
                ],
                0,
            )
            tie = 0.5 * ((arm == TIE) & valid)
            first = ((arm == 0) & valid) + tie
            second = ((arm == 1) & valid) + tie
            total += (probability * first).sum(axis=(1, 2, 3)) * gap[:, 0]
            total += (probability * second).sum(axis=(1, 2, 3)) * gap[:, 1]
            moved = np.zeros_like(probability)
            on_first = probability * first
            moved[:, 1:, 1:, :] += (on_first * p0)[:, :-1, :-1, :]  # arm 0 pays
            moved[:, 1:, :, :] += (on_first * (1 - p0))[:, :-1, :, :]  # arm 0 does not
            on_second = probability * second
            moved[:, :, :, 1:] += (on_second * p1)[:, :, :, :-1]  # arm 1 pays
            moved += on_second * (1 - p1)  # arm 1 does not
            probability = moved
        return float(weights @ total)


def _solve(means: np.ndarray, weights: np.ndarray, horizon: int) -> tuple[np.ndarray, float]:
    """Backward induction over count states; returns the action table and the start value."""
    size = horizon + 1
    value = np.zeros((size + 1,) * 4)
    table = np.zeros((size,) * 4, dtype=np.int8)
    log_win, log_loss = np.log(means), np.log1p(-means)
    for t in range(horizon - 1, -1, -1):
        for pulls0 in range(t + 1):
            pulls1 = t - pulls0
            wins0 = np.arange(pulls0 + 1)[:, None]
            wins1 = np.arange(pulls1 + 1)[None, :]
            log_like = (
                wins0[..., None] * log_win[:, 0]
                + (pulls0 - wins0)[..., None] * log_loss[:, 0]
                + wins1[..., None] * log_win[:, 1]
                + (pulls1 - wins1)[..., None] * log_loss[:, 1]
            )
            posterior = weights * np.exp(log_like - log_like.max(axis=-1, keepdims=True))
            posterior /= posterior.sum(axis=-1, keepdims=True)
            mean0, mean1 = posterior @ means[:, 0], posterior @ means[:, 1]
            w0, w1 = np.broadcast_arrays(wins0, wins1)
            q0 = (
                mean0
                + mean0 * value[pulls0 + 1, w0 + 1, pulls1, w1]
                + (1 - mean0) * value[pulls0 + 1, w0, pulls1, w1]
            )
            q1 = (
                mean1
                + mean1 * value[pulls0, w0, pulls1 + 1, w1 + 1]
                + (1 - mean1) * value[pulls0, w0, pulls1 + 1, w1]
            )
            value[pulls0, w0, pulls1, w1] = np.maximum(q0, q1)
            table[pulls0, w0, pulls1, w1] = np.where(
                np.abs(q1 - q0) <= 1e-12 * np.maximum(np.abs(q0), 1.0), TIE, q1 > q0
            )
    return table, float(value[0, 0, 0, 0])
