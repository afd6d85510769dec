"""Experiment ``meta-learning``: a learned learner, its hidden prior, and the shift that exposes it.

Chapter 5 (the paper's section 5, meta-learning). A :class:`RecurrentLearner` is meta-trained
(:func:`demos.training.meta_learning.meta_train`) on two-armed bandits from a family in which arm 0
is the better arm in a share ``favoured_share`` of tasks (:mod:`demos.worlds.bandits`). Inside an
episode its weights are fixed: what it learns about the task, it learns in its memory. It is then
tested, with three written learners, on fresh tasks of the training family and of other families,
down to the shifted one in which arm 0 is usually the *worse* arm:

- ``learned``: the meta-trained network, sampling from its policy;
- ``bayes``: the Bayes-optimal policy for the *training* family
  (:class:`demos.agents.bandit_policies.BayesOptimal`), the best any learner can do there;
- ``thompson``: Thompson sampling with a uniform prior;
- ``ucb``: UCB1.

All four play the same tasks with the same payouts (:func:`demos.worlds.bandits.play`). What comes
out: each learner's mean pseudo-regret per episode on each family, how it splits its pulls over an
episode, and the training history. On the training family the learned learner beats the written
ones that assume nothing about the tasks and comes close to the Bayes-optimal policy; on the shifted
family the prior it learned sends it to the wrong arm first, and its regret rises above theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.bandit_policies import UCB1, BayesOptimal, ThompsonSampling
from demos.agents.recurrent_learner import RecurrentLearner
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.experiments import register
from demos.training.meta_learning import MetaTrainingHistory, meta_train
from demos.worlds.bandits import BanditFamily, draw_tasks, play, task_prior

POLICIES = ("learned", "bayes", "thompson", "ucb")
"""The learners compared, in the order figures list them."""

POLICY_NAMES = {
    "learned": "learned learner (GRU)",
    "bayes": "Bayes-optimal for the training family",
    "thompson": "Thompson sampling",
    "ucb": "UCB1",
}
"""How figures and prose name each learner."""

_TASK_STREAM, _PAYOUT_STREAM = 1, 2
"""Tags of the seed streams of the test tasks and of their payouts."""


@dataclass(frozen=True)
class MetaLearningConfig(Config):
    """Settings of the ``meta-learning`` experiment."""

    favoured_share: float = ranged(0.85, 0.0, 1.0)
    """Training family: probability that arm 0 is a task's better arm."""
    shifted_share: float = ranged(0.15, 0.0, 1.0)
    """Shifted test family: probability that arm 0 is the better arm there."""
    test_shares: tuple[float, ...] = ranged(
        (0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95), 0.0, 1.0, increasing=True
    )
    """Further test families (values of the share of tasks whose better arm is arm 0)."""
    horizon: int = ranged(20, 2, 100)
    """Pulls per episode T."""
    hidden: int = ranged(16, 1, 256)
    """Units of the learner's GRU memory."""
    train_steps: int = ranged(400, 1, 100_000)
    """Updates of the base optimizer (advantage actor-critic with Adam)."""
    batch_size: int = ranged(128, 1, 100_000)
    """Fresh training tasks per update."""
    learning_rate: float = ranged(0.02, 0.0, 1.0, above=True)
    """Adam's step size."""
    entropy_bonus: float = ranged(0.1, 0.0, 10.0)
    """Weight of the policy's entropy at the start of training, decayed linearly to zero."""
    test_tasks: int = ranged(2000, 1, 1_000_000)
    """Test tasks per family."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for training tasks, weights, sampling and test tasks."""

    def family(self, share: float | None = None) -> BanditFamily:
        """The family with ``share`` (default: the training family's ``favoured_share``)."""
        share = self.favoured_share if share is None else share
        return BanditFamily(favoured_share=share, horizon=self.horizon)

    @property
    def shares(self) -> tuple[float, ...]:
        """Every family the learners are tested on: ``test_shares`` plus the training and the
        shifted family, in increasing order."""
        return tuple(sorted({*self.test_shares, self.favoured_share, self.shifted_share}))


@dataclass
class MetaLearningResult:
    """What ``run_meta_learning`` measured, plus the trained learner and its history."""

    config: MetaLearningConfig
    """The settings of the run."""
    regret: dict[str, np.ndarray]
    """Mean pseudo-regret per episode: policy -> (len(shares),) over ``config.shares``."""
    regret_curves: dict[str, np.ndarray]
    """Mean cumulative regret after each pull: policy -> (len(shares), T)."""
    better_arm_share: dict[str, np.ndarray]
    """Share of tasks whose pull at each step went to the better arm: policy -> (len(shares), T)."""
    favoured_arm_share: dict[str, np.ndarray]
    """Share of tasks whose pull at each step went to arm 0: policy -> (len(shares), T)."""
    switch_share: dict[str, np.ndarray]
    """Among the tasks whose better arm is arm 1 (the arm the training family disfavours), the
    share whose pull at each step went to arm 1: policy -> (len(shares), T)."""
    bayes_exact_regret: dict[float, float]
    """Exact expected regret of the Bayes-optimal policy (for the training family) on the training
    and the shifted family, by summing over all payout sequences: a check on the simulation."""
    train_seconds: float
    """Wall-clock seconds of meta-training."""
    learner: RecurrentLearner = field(repr=False)
    """The meta-trained network."""
    history: MetaTrainingHistory = field(repr=False)
    """Loss and batch regret at every training step."""

    @property
    def shares(self) -> tuple[float, ...]:
        """The test families' shares, as in ``config.shares``."""
        return self.config.shares

    def index(self, share: float) -> int:
        """Position of the family with ``share`` in :attr:`shares`."""
        for i, value in enumerate(self.shares):
            if abs(value - share) < 1e-9:
                return i
        raise ValueError(f"share must be one of the tested families {self.shares}, got {share!r}")

    def regret_at(self, policy: str, share: float) -> float:
        """Mean pseudo-regret of ``policy`` on the family with ``share``."""
        if policy not in self.regret:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}")
        return float(self.regret[policy][self.index(share)])

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {}
        families = (
            ("training", self.config.favoured_share),
            ("shifted", self.config.shifted_share),
        )
        for label, share in families:
            for policy in POLICIES:
                out[f"{policy}_regret_{label}"] = round(self.regret_at(policy, share), 4)
        for label, share in families:
            out[f"learned_first_pull_arm0_{label}"] = round(
                float(self.favoured_arm_share["learned"][self.index(share), 0]), 4
            )
            out[f"learned_last_pull_better_{label}"] = round(
                float(self.better_arm_share["learned"][self.index(share), -1]), 4
            )
            out[f"learned_last_pull_switched_{label}"] = round(
                float(self.switch_share["learned"][self.index(share), -1]), 4
            )
        out["bayes_exact_regret_training"] = round(
            self.bayes_exact_regret[self.config.favoured_share], 4
        )
        out["train_seconds"] = round(self.train_seconds, 3)
        return out


def evaluate(
    learner: RecurrentLearner, config: MetaLearningConfig
) -> tuple[dict, dict, dict, dict, dict, dict]:
    """Play the four learners on ``config.test_tasks`` tasks of every family of ``config.shares``.

    Every learner meets the same tasks and the same payouts (seed streams of ``config.seed``).

    Returns:
        ``(regret, regret_curves, better_arm_share, favoured_arm_share, switch_share,
        bayes_exact_regret)`` as in :class:`MetaLearningResult`.
    """
    bayes = BayesOptimal.for_family(config.family())
    learners = {
        "learned": learner.as_policy(config.horizon),
        "bayes": bayes,
        "thompson": ThompsonSampling(),
        "ucb": UCB1(),
    }
    shares = config.shares
    regret = {name: np.zeros(len(shares)) for name in POLICIES}
    curves = {name: np.zeros((len(shares), config.horizon)) for name in POLICIES}
    better = {name: np.zeros((len(shares), config.horizon)) for name in POLICIES}
    favoured = {name: np.zeros((len(shares), config.horizon)) for name in POLICIES}
    switched = {name: np.full((len(shares), config.horizon), np.nan) for name in POLICIES}
    exact = {}
    for i, share in enumerate(shares):
        family = config.family(share)
        tasks = draw_tasks(
            family, config.test_tasks, np.random.default_rng((config.seed, _TASK_STREAM, i))
        )
        for name in POLICIES:
            payouts = np.random.default_rng((config.seed, _PAYOUT_STREAM, i))
            episodes = play(learners[name], tasks, config.horizon, payouts)
            regret[name][i] = episodes.regret()
            curves[name][i] = episodes.regret_curve()
            better[name][i] = episodes.better_arm_share()
            favoured[name][i] = episodes.arm_share(0)
            unfavoured = tasks[:, 1] > tasks[:, 0]
            if unfavoured.any():
                switched[name][i] = (episodes.actions[unfavoured] == 1).mean(axis=0)
        if share in (config.favoured_share, config.shifted_share):
            exact[share] = bayes.expected_regret(*task_prior(family))
    return regret, curves, better, favoured, switched, exact


@register(
    "meta-learning",
    MetaLearningConfig,
    "Meta-train a recurrent bandit learner; compare its regret with UCB and Thompson sampling "
    "on its training family and on a shifted one.",
)
def run_meta_learning(config: MetaLearningConfig, progress: bool = False) -> MetaLearningResult:
    """Meta-train the recurrent learner, then test it and three written learners.

    Args:
        config: MetaLearningConfig.
        progress: show a progress bar over meta-training steps.

    Returns:
        MetaLearningResult.
    """
    if not isinstance(config, MetaLearningConfig):
        raise ValueError(f"config must be a MetaLearningConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    learner = RecurrentLearner(config.hidden, generator=seeds.torch)
    history = meta_train(
        learner,
        config.family(),
        steps=config.train_steps,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        entropy_bonus=config.entropy_bonus,
        rng=seeds.numpy,
        generator=seeds.torch,
        progress=progress,
    )
    with torch.no_grad():
        regret, curves, better, favoured, switched, exact = evaluate(learner, config)
    return MetaLearningResult(
        config=config,
        regret=regret,
        regret_curves=curves,
        better_arm_share=better,
        favoured_arm_share=favoured,
        switch_share=switched,
        bayes_exact_regret=exact,
        train_seconds=history.train_seconds,
        learner=learner,
        history=history,
    )
