"""Meta-training: a base optimizer that searches for a learning algorithm.

Chapter 5 (the paper's section 5, meta-learning) trains a :class:`RecurrentLearner` here. Each step
of the base optimizer draws a batch of fresh tasks from a family of bandits
(:mod:`demos.worlds.bandits`), lets the network play every one of them from an empty memory, and
changes the weights so that the episodes earn more. Nothing in the update mentions exploration,
posteriors or confidence bounds; whatever learning the network does inside an episode is what this
outer search found to pay.

The base objective is the expected total payout of an episode, written as minus its pseudo-regret
(:meth:`demos.worlds.bandits.Episodes.step_regret`). The update is advantage actor-critic:

- the return from each pull on is the sum of ``means[a_k] - max(means)`` over the pulls that follow
  (the expected payout of each pull given the task, minus the best possible one). Using the
  expected payout rather than the 0/1 draw, and subtracting the task's best, removes noise that
  does not depend on the learner's choices; neither changes the expected gradient, since the pull
  at step t does not see the task beyond what its history shows;
- the value head predicts that return from the hidden state and is trained by squared error; the
  policy is pushed up on pulls whose return beat the prediction (the advantage);
- an entropy bonus, decayed linearly to zero over training, keeps the policy from settling on one
  arm before it has learned to use what it sees (without it the learner tends to stop at "always
  pull the usually better arm").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents.recurrent_learner import RecurrentLearner
from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_float, check_int
from demos.worlds.bandits import BanditFamily, draw_tasks


@dataclass
class MetaTrainingHistory:
    """What happened during meta-training, one row per step."""

    rows: list[dict[str, float]] = field(default_factory=list)
    """``{"step", "loss", "regret"}``: the batch's loss and its mean pseudo-regret per episode."""
    train_seconds: float = 0.0
    """Wall-clock seconds of the updates."""

    def column(self, name: str) -> np.ndarray:
        """The values of ``name`` over the steps."""
        if not self.rows or name not in self.rows[0]:
            known = ", ".join(self.rows[0]) if self.rows else "none"
            raise ValueError(f"name must be a column of the history ({known}), got {name!r}")
        return np.array([row[name] for row in self.rows])


def meta_train(
    learner: RecurrentLearner,
    family: BanditFamily,
    steps: int = 400,
    batch_size: int = 128,
    learning_rate: float = 0.02,
    entropy_bonus: float = 0.1,
    value_weight: float = 0.5,
    rng: np.random.Generator | None = None,
    generator: torch.Generator | None = None,
    progress: bool = False,
) -> MetaTrainingHistory:
    """Meta-train ``learner`` in place on tasks of ``family`` (advantage actor-critic, Adam).

    Args:
        learner: the network to train.
        family: where the training tasks come from (and the episode length).
        steps: int >= 1. Updates of the base optimizer.
        batch_size: int >= 1. Fresh tasks per update.
        learning_rate: float in (0, 1]. Adam's step size.
        entropy_bonus: float >= 0. Weight of the policy's entropy at the first step, decayed
            linearly to 0 at the last.
        value_weight: float >= 0. Weight of the value head's squared error.
        rng: numpy Generator for the tasks (a fresh unseeded one if None).
        generator: torch.Generator for payouts and action sampling.
        progress: show a progress bar.

    Returns:
        MetaTrainingHistory.
    """
    if not isinstance(learner, RecurrentLearner):
        raise ValueError(f"learner must be a RecurrentLearner, got {type(learner).__name__}")
    if not isinstance(family, BanditFamily):
        raise ValueError(f"family must be a BanditFamily, got {type(family).__name__}")
    steps = check_int("steps", steps, 1, 1_000_000)
    batch_size = check_int("batch_size", batch_size, 1, 1_000_000)
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 1.0)
    entropy_bonus = check_float("entropy_bonus", entropy_bonus, 0.0, 100.0)
    value_weight = check_float("value_weight", value_weight, 0.0, 100.0)
    rng = np.random.default_rng() if rng is None else rng
    optimizer = torch.optim.Adam(learner.parameters(), lr=learning_rate)
    history = MetaTrainingHistory()
    began = time.perf_counter()
    for step in tqdm(range(steps), desc="meta-training", disable=not progress, leave=False):
        means = draw_tasks(family, batch_size, rng)
        unroll = learner.unroll(means, family.horizon, generator)
        expected = torch.as_tensor(means, dtype=torch.float32)
        chosen = expected.gather(1, unroll.actions)  # (n, T) expected payout of each pull
        step_reward = chosen - expected.max(dim=1, keepdim=True).values  # minus the pull's regret
        to_go = step_reward.flip(1).cumsum(1).flip(1)  # return from each pull on
        advantage = (to_go - unroll.values).detach()
        log_policy = torch.log_softmax(unroll.logits, dim=2)
        taken = log_policy.gather(2, unroll.actions[..., None])[..., 0]
        entropy = -(log_policy.exp() * log_policy).sum(dim=2)
        weight = entropy_bonus * (1.0 - step / steps)
        loss = (
            -(taken * advantage).mean()
            + value_weight * ((to_go - unroll.values) ** 2).mean()
            - weight * entropy.mean()
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.rows.append(
            {"step": step, "loss": loss.item(), "regret": -step_reward.sum(1).mean().item()}
        )
    history.train_seconds = time.perf_counter() - began
    return history
