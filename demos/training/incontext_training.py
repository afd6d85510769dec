"""The base optimizer of chapter 2's in-context example: Adam on fresh regression prompts.

Its base objective is the squared error on each prompt's query target
(:mod:`demos.worlds.regression_tasks`); the model it trains is one layer of linear self-attention
(:mod:`demos.agents.linear_attention`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents.linear_attention import LinearSelfAttention, layer_matrices
from demos.core.validation import check_float, check_int
from demos.worlds.regression_tasks import sample_tasks


@dataclass
class TrainingRun:
    """What :func:`train_layer` returns."""

    layer: LinearSelfAttention
    """The trained layer."""
    history: list[dict]
    """One dict per logged step: ``step``, ``loss`` (the base objective on that step's batch)
    and, every ``eval_every`` steps, the figures of ``evaluate``."""
    snapshots: list[tuple[int, dict[str, np.ndarray]]]
    """``(step, layer_matrices)`` at step 0, every ``snapshot_every`` steps, and the last step."""
    train_seconds: float
    """Wall-clock seconds spent in the training loop."""


def train_layer(
    dim: int = 5,
    context_size: int = 20,
    generator: torch.Generator | None = None,
    train_steps: int = 1000,
    batch_size: int = 256,
    learning_rate: float = 0.01,
    input_scale: float = 1.0,
    noise_std: float = 0.0,
    init_scale: float = 0.01,
    evaluate: Callable[[LinearSelfAttention], dict[str, float]] | None = None,
    eval_every: int = 50,
    snapshot_every: int = 0,
    log_every: int = 10,
    anneal: bool = True,
    progress: bool = False,
) -> TrainingRun:
    """Train a :class:`LinearSelfAttention` layer with Adam on fresh task batches.

    The base objective is the mean squared error on each prompt's query target.

    Args:
        dim: int in [1, 256]. Input dimension d.
        context_size: int >= 1. Context pairs N per prompt.
        generator: torch.Generator for the initial weights and every task batch.
        train_steps: int >= 1. Adam steps, one fresh batch each.
        batch_size: int >= 1. Prompts per step.
        learning_rate: float > 0. Adam's step size.
        input_scale: float > 0. Training input standard deviation s.
        noise_std: float >= 0. Target noise.
        init_scale: float >= 0. Standard deviation of the initial weights.
        evaluate: optional ``evaluate(layer) -> dict`` of figures logged every ``eval_every``
            steps (chapter 2 logs the cosine to one gradient step,
            :func:`demos.analysis.gradient_step.evaluate_layer`).
        eval_every: int >= 1. Steps between evaluations.
        snapshot_every: int >= 0. Steps between matrix snapshots (0: first and last only).
        log_every: int >= 1. Steps between history entries (the last step is always logged).
        anneal: if true, Adam's step size follows a half cosine from ``learning_rate`` down to 0
            over the run, so the final weights are not jittering around the optimum.
        progress: show a tqdm progress bar.

    Returns:
        TrainingRun.
    """
    dim = check_int("dim", dim, 1, 256)
    context_size = check_int("context_size", context_size, 1, 10_000)
    train_steps = check_int("train_steps", train_steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    learning_rate = check_float("learning_rate", learning_rate, 1e-8)
    eval_every = check_int("eval_every", eval_every, 1)
    snapshot_every = check_int("snapshot_every", snapshot_every, 0)
    log_every = check_int("log_every", log_every, 1)
    if generator is None:
        generator = torch.Generator().manual_seed(0)

    layer = LinearSelfAttention(dim, init_scale, generator)
    optimizer = torch.optim.Adam(layer.parameters(), lr=learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda done: 0.5 * (1 + math.cos(math.pi * done / train_steps)) if anneal else 1.0,
    )
    history: list[dict] = []
    snapshots = [(0, layer_matrices(layer))]

    start = time.perf_counter()
    for step in tqdm(range(1, train_steps + 1), disable=not progress, desc="in-context layer"):
        batch = sample_tasks(batch_size, dim, context_size, generator, input_scale, noise_std)
        prediction = layer(batch.xs, batch.ys, batch.query)
        base_objective = ((prediction - batch.target) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        base_objective.backward()
        optimizer.step()
        schedule.step()
        last = step == train_steps
        if step % log_every == 0 or last:
            entry = {"step": step, "loss": float(base_objective.detach())}
            if evaluate is not None and (step % eval_every == 0 or last):
                with torch.no_grad():
                    entry.update(evaluate(layer))
            history.append(entry)
        if (snapshot_every and step % snapshot_every == 0) or last:
            if snapshots[-1][0] != step:
                snapshots.append((step, layer_matrices(layer)))
    train_seconds = time.perf_counter() - start
    return TrainingRun(layer, history, snapshots, train_seconds)
