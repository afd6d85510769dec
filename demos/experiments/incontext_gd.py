"""Experiment ``incontext-gd``: a base optimizer finds gradient descent inside a forward pass.

Used by chapter 2 (an optimizer found with nothing built in; our extension of the paper).

Adam (the base optimizer) trains one layer of linear self-attention to predict the query's target
in in-context linear regression (see :mod:`demos.agents.linear_attention`). The trained layer's
predictions then line up with those of one step of gradient descent on the prompt, with the step
size that is best on the training distribution: the model runs an optimizer of its own, a
mesa-optimizer in the paper's sense. Its step size, though, was fitted by the base optimizer to the
training inputs. When the inputs grow by ``shift_scale``, that step overshoots, and the layer does
many times worse than gradient descent with a step re-tuned for the new inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.linear_attention import LinearSelfAttention, layer_from_matrices
from demos.analysis import gradient_step
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.experiments import register
from demos.training.incontext_training import train_layer
from demos.worlds.regression_tasks import sample_tasks


@dataclass(frozen=True)
class IncontextGDConfig(Config):
    """Settings of the ``incontext-gd`` experiment."""

    dim: int = ranged(5, 1, 64)
    """Input dimension d of each regression task (tokens have d + 1 entries)."""
    context_size: int = ranged(20, 1, 1000)
    """Example pairs N in each prompt before the query."""
    train_steps: int = ranged(1000, 1, 100_000)
    """Adam steps of the base optimizer, each on a fresh batch of tasks."""
    batch_size: int = ranged(256, 1, 65_536)
    """Prompts per Adam step."""
    learning_rate: float = ranged(0.01, 1e-6, 1.0)
    """Adam's initial step size (annealed to 0 along a half cosine)."""
    init_scale: float = ranged(0.01, 0.0, 10.0)
    """Standard deviation of the layer's initial weights (small, as in von Oswald et al.)."""
    input_scale: float = ranged(1.0, 1e-3, 1e3)
    """Standard deviation of each input coordinate during training."""
    noise_std: float = ranged(0.0, 0.0, 1e3)
    """Standard deviation of the noise on every target (0: exact linear tasks)."""
    shift_scale: float = ranged(2.0, 1e-3, 1e3)
    """Factor by which the inputs grow in the distribution-shift test."""
    eval_tasks: int = ranged(4096, 16, 1_000_000)
    """Fresh prompts used to fit the GD step sizes and to measure every figure."""
    snapshot_every: int = ranged(100, 0, 100_000)
    """Training steps between snapshots of the layer's matrices (0: first and last only)."""
    replay_prompts: int = ranged(200, 1, 100_000)
    """Fresh prompts on which every snapshot is compared with one GD step, for the replay (drawn
    from a generator seeded with seed + 1)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for task sampling and weight initialisation."""


@dataclass
class IncontextGDResult:
    """What ``run_incontext_gd`` measured, plus the trained layer and its history for plots."""

    config: IncontextGDConfig
    """The settings of the run."""
    cosine_to_gd: float
    """Cosine between the layer's and best one-step GD's predictions on fresh training-scale
    prompts (1: the same predictor up to scale)."""
    loss_ratio_to_gd: float
    """Layer's query loss / best one-step GD's query loss on those prompts."""
    shift_loss_ratio_to_retuned_gd: float
    """On prompts with inputs scaled by ``shift_scale``: the layer's loss / the loss of one-step
    GD whose step is re-tuned for the shifted inputs."""
    shift_loss_ratio_to_fixed_gd: float
    """On the shifted prompts: the layer's loss / the loss of GD keeping the training step
    (about 1 when the layer runs GD with a step frozen at training time)."""
    gd_step_size: float
    """Best one-step GD step size on the training distribution (least squares)."""
    retuned_gd_step_size: float
    """Best one-step GD step size on the shifted distribution."""
    train_seconds: float
    """Wall-clock seconds of the training loop."""
    layer: LinearSelfAttention = field(repr=False)
    """The trained layer."""
    history: list[dict] = field(repr=False)
    """Training log: dicts with ``step``, ``loss`` and, every 50 steps, ``cosine_to_gd``."""
    snapshots: list[tuple[int, dict[str, np.ndarray]]] = field(repr=False)
    """``(step, matrices)`` during training; see
    :func:`demos.agents.linear_attention.layer_matrices`."""
    replay: list[dict] = field(default_factory=list, repr=False)
    """One dict per snapshot: ``step``, ``learned`` and ``constructed`` (matrix dicts, the GD
    construction scaled like the snapshot), ``layer`` and ``gd`` ((replay_prompts,) predictions
    on the same fresh prompts), ``target`` and ``cosine`` between the two predictions."""

    def replay_frame(self, step: int) -> dict:
        """The replay dict of snapshot step ``step``."""
        for frame in self.replay:
            if frame["step"] == step:
                return frame
        steps = [frame["step"] for frame in self.replay]
        raise ValueError(f"step must be one of the snapshot steps {steps}, got {step!r}")

    def first_step_with_cosine(self, threshold: float) -> int:
        """The first snapshot step whose cosine to GD on the replay prompts reaches ``threshold``
        (-1 if none does)."""
        for frame in self.replay:
            if frame["cosine"] >= threshold:
                return int(frame["step"])
        return -1

    def construction_shares(self) -> dict[str, float]:
        """:func:`demos.analysis.gradient_step.construction_shares` of the trained layer."""
        return gradient_step.construction_shares(self.matrices()[0])

    def matrices(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The trained layer's matrices and the GD construction scaled alike, for heatmaps."""
        return gradient_step.compare_matrices(self.layer, self.gd_step_size)

    def summary(self) -> dict:
        """The figures the command line prints."""
        return {
            "cosine_to_gd": round(self.cosine_to_gd, 4),
            "loss_ratio_to_gd": round(self.loss_ratio_to_gd, 4),
            "shift_loss_ratio_to_retuned_gd": round(self.shift_loss_ratio_to_retuned_gd, 4),
            "gd_step_size": round(self.gd_step_size, 4),
            **{name: round(value, 4) for name, value in self.construction_shares().items()},
            "train_seconds": round(self.train_seconds, 3),
        }


@register(
    "incontext-gd",
    IncontextGDConfig,
    "A linear self-attention layer trained by Adam computes one step of gradient descent.",
)
def run_incontext_gd(config: IncontextGDConfig, progress: bool = False) -> IncontextGDResult:
    """Train the layer, compare it with one-step GD, then shift the input scale.

    Args:
        config: IncontextGDConfig.
        progress: show a progress bar over training steps.

    Returns:
        IncontextGDResult.
    """
    if not isinstance(config, IncontextGDConfig):
        raise ValueError(f"config must be an IncontextGDConfig, got {type(config).__name__}")
    generator = seeded(config.seed).torch
    task_shape = dict(dim=config.dim, context_size=config.context_size, generator=generator)
    noise = config.noise_std

    # The reference optimizer, tuned on the training distribution before any training.
    fit_tasks = sample_tasks(
        config.eval_tasks, **task_shape, input_scale=config.input_scale, noise_std=noise
    )
    gd_step_size = gradient_step.fit_gd_step_size(fit_tasks)
    test_tasks = sample_tasks(
        config.eval_tasks, **task_shape, input_scale=config.input_scale, noise_std=noise
    )

    def cosine(layer) -> dict[str, float]:
        return {
            "cosine_to_gd": gradient_step.evaluate_layer(layer, test_tasks, gd_step_size)[
                "cosine_to_gd"
            ]
        }

    run = train_layer(
        **task_shape,
        train_steps=config.train_steps,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        input_scale=config.input_scale,
        noise_std=noise,
        init_scale=config.init_scale,
        evaluate=cosine,
        eval_every=50,
        snapshot_every=config.snapshot_every,
        progress=progress,
    )
    on_training_scale = gradient_step.evaluate_layer(run.layer, test_tasks, gd_step_size)

    # Off distribution: inputs shift_scale times larger. GD may re-tune its step; the layer cannot.
    shifted_scale = config.input_scale * config.shift_scale
    retune_tasks = sample_tasks(
        config.eval_tasks, **task_shape, input_scale=shifted_scale, noise_std=noise
    )
    retuned_step_size = gradient_step.fit_gd_step_size(retune_tasks)
    shifted_tasks = sample_tasks(
        config.eval_tasks, **task_shape, input_scale=shifted_scale, noise_std=noise
    )
    against_retuned = gradient_step.evaluate_layer(run.layer, shifted_tasks, retuned_step_size)
    against_fixed = gradient_step.evaluate_layer(run.layer, shifted_tasks, gd_step_size)

    replay = _replay(run.snapshots, gd_step_size, config)
    return IncontextGDResult(
        config=config,
        cosine_to_gd=on_training_scale["cosine_to_gd"],
        loss_ratio_to_gd=on_training_scale["loss_ratio_to_gd"],
        shift_loss_ratio_to_retuned_gd=against_retuned["loss_ratio_to_gd"],
        shift_loss_ratio_to_fixed_gd=against_fixed["loss_ratio_to_gd"],
        gd_step_size=gd_step_size,
        retuned_gd_step_size=retuned_step_size,
        train_seconds=run.train_seconds,
        layer=run.layer,
        history=run.history,
        snapshots=run.snapshots,
        replay=replay,
    )


def _replay(snapshots, gd_step_size: float, config: IncontextGDConfig) -> list[dict]:
    """Every snapshot's matrices, the matching GD construction, and both predictors' outputs on
    the same ``replay_prompts`` fresh prompts."""
    tasks = sample_tasks(
        config.replay_prompts,
        config.dim,
        config.context_size,
        torch.Generator().manual_seed(config.seed + 1),
        config.input_scale,
        config.noise_std,
    )
    gd = gradient_step.gd_one_step_predict(tasks.xs, tasks.ys, tasks.query, gd_step_size)
    frames = []
    for step, matrices in snapshots:
        with torch.no_grad():
            layer = layer_from_matrices(matrices)(tasks.xs, tasks.ys, tasks.query)
        frames.append(
            {
                "step": step,
                "learned": matrices,
                "constructed": gradient_step.matching_gd_matrices(matrices, gd_step_size),
                "layer": layer.numpy(),
                "gd": gd.numpy(),
                "cosine": gradient_step.cosine_similarity(layer, gd),
                "target": tasks.target.numpy(),
            }
        )
    return frames
