"""A learned learner: a small recurrent network that plays a bandit from its own memory.

Chapter 5 (the paper's section 5, meta-learning) meta-trains this network on a family of two-armed
bandits (:mod:`demos.worlds.bandits`; the training is :mod:`demos.training.meta_learning`), in the
manner of RL^2 (Duan et al. 2016) and "Learning to reinforcement learn" (Wang et al. 2016). Its
weights are fixed once training ends; everything it learns about a new task it learns in its
hidden state, from the pulls and payouts it has seen in the episode. The learning algorithm it runs
was found by the base optimizer, not written by anyone.

Architecture (``hidden`` units):

- input at each pull: which arm was pulled last (one-hot, 2 numbers), whether it paid (1 number),
  and the time ``t / T`` (1 number); all zeros except the time before the first pull;
- a GRU cell carries the hidden state from pull to pull (the learner's memory);
- a policy head maps the hidden state to the two arms' logits; a value head to an estimate of the
  regret still to come, used only by the base optimizer (actor-critic).

Shapes: ``n`` tasks, ``T`` pulls, 2 arms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_int, check_shape
from demos.worlds.bandits import N_ARMS

INPUTS = 4
"""Inputs per pull: last arm (one-hot, 2), its payout, time t / T."""

_STEP_INPUT = torch.tensor(
    [[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]]
)
"""The input after a pull, indexed by ``2 * arm + payout`` (the time is added separately)."""


@dataclass
class Unroll:
    """One pass of the learner through ``n`` episodes (tensors keep their graph for training)."""

    logits: torch.Tensor
    """(n, T, 2) float: the policy's logits before each pull."""
    values: torch.Tensor
    """(n, T) float: the value head's estimate before each pull."""
    actions: torch.Tensor
    """(n, T) int64: the arms pulled."""
    rewards: torch.Tensor
    """(n, T) int64: 1 where the pull paid."""


class RecurrentLearner(nn.Module):
    """GRU memory, policy head and value head (see the module docstring).

    Args:
        hidden: int in [1, 512]. Units of the GRU's hidden state.
        generator: optional torch.Generator for the initial weights (uniform in
            ``[-1/sqrt(hidden), 1/sqrt(hidden)]``, torch's default bound for a GRU); torch's global
            generator when None.
    """

    def __init__(self, hidden: int = 16, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.hidden = check_int("hidden", hidden, 1, 512)
        self.cell = nn.GRUCell(INPUTS, self.hidden)
        self.policy_head = nn.Linear(self.hidden, N_ARMS)
        self.value_head = nn.Linear(self.hidden, 1)
        bound = 1.0 / math.sqrt(self.hidden)
        with torch.no_grad():
            for parameter in self.parameters():
                parameter.copy_((torch.rand(parameter.shape, generator=generator) * 2 - 1) * bound)

    def unroll(
        self,
        means: torch.Tensor | np.ndarray,
        horizon: int,
        generator: torch.Generator | None = None,
        greedy: bool = False,
    ) -> Unroll:
        """Play ``horizon`` pulls of every task in ``means``, sampling from the policy.

        Payouts and the Gumbel noise that samples the actions are drawn up front from
        ``generator``, so a run is reproducible.

        Args:
            means: (n, 2) float, the tasks' payout probabilities.
            horizon: int >= 1. Pulls per episode T.
            generator: torch.Generator for payouts and action sampling.
            greedy: pull the most likely arm instead of sampling.

        Returns:
            Unroll.
        """
        means = torch.as_tensor(np.asarray(means, dtype=np.float32))
        check_shape("means", tuple(means.shape), "(n, 2)", means.ndim == 2 and means.shape[1] == 2)
        horizon = check_int("horizon", horizon, 1, 10_000)
        n = means.shape[0]
        noise = torch.rand(horizon, n, N_ARMS, generator=generator).clamp_min(1e-12)
        gumbel = -torch.log(-torch.log(noise))
        payouts = (torch.rand(horizon, n, N_ARMS, generator=generator) < means).long()
        clock = torch.zeros(horizon, 1, INPUTS)
        clock[:, 0, 3] = torch.arange(horizon) / horizon
        state = torch.zeros(n, self.hidden)
        step_input = clock[0].expand(n, INPUTS)
        states, logits, actions, rewards = [], [], [], []
        for t in range(horizon):
            state = self.cell(step_input, state)
            scores = self.policy_head(state)
            choice = scores.detach() if greedy else scores.detach() + gumbel[t]
            action = choice.argmax(dim=1)
            paid = payouts[t].gather(1, action[:, None])[:, 0]
            if t + 1 < horizon:
                step_input = _STEP_INPUT[2 * action + paid] + clock[t + 1]
            states.append(state)
            logits.append(scores)
            actions.append(action)
            rewards.append(paid)
        hidden = torch.stack(states, dim=1)
        return Unroll(
            logits=torch.stack(logits, dim=1),
            values=self.value_head(hidden)[..., 0],
            actions=torch.stack(actions, dim=1),
            rewards=torch.stack(rewards, dim=1),
        )

    def as_policy(self, horizon: int, greedy: bool = False) -> LearnerPolicy:
        """This network as a :class:`demos.worlds.bandits.BanditPolicy`, for
        :func:`demos.worlds.bandits.play` (so it meets the same payouts as the other learners)."""
        return LearnerPolicy(self, horizon, greedy)


class LearnerPolicy:
    """A :class:`RecurrentLearner` stepped one pull at a time, sampling with numpy.

    Args:
        learner: the network (not changed).
        horizon: int >= 1. Pulls per episode T (the network reads the time as ``t / T``).
        greedy: pull the most likely arm instead of sampling.
    """

    def __init__(self, learner: RecurrentLearner, horizon: int, greedy: bool = False) -> None:
        if not isinstance(learner, RecurrentLearner):
            raise ValueError(f"learner must be a RecurrentLearner, got {type(learner).__name__}")
        self.learner = learner
        self.horizon = check_int("horizon", horizon, 1, 10_000)
        self.greedy = bool(greedy)

    def start(self, n: int) -> None:
        n = check_int("n", n, 1)
        self.t = 0
        self.state = torch.zeros(n, self.learner.hidden)
        self.input = torch.zeros(n, INPUTS)

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        with torch.no_grad():
            self.state = self.learner.cell(self.input, self.state)
            probabilities = torch.softmax(self.learner.policy_head(self.state), dim=1).numpy()
        if self.greedy:
            return probabilities.argmax(axis=1)
        return (rng.random(len(probabilities)) >= probabilities[:, 0]).astype(np.int64)

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None:
        self.t += 1
        index = torch.as_tensor(2 * np.asarray(actions) + np.asarray(rewards), dtype=torch.long)
        self.input = _STEP_INPUT[index].clone()
        self.input[:, 3] = self.t / self.horizon
