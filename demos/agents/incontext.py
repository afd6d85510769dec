"""In-context linear regression: a base optimizer that finds an optimizer inside a forward pass.

Chapter 2's smallest example of learned optimization, after von Oswald et al. (2023),
"Transformers learn in-context by gradient descent". The outer loop (Adam on fresh tasks) is the
*base optimizer*; its *base objective* is the squared error on a query. The model it trains, one
layer of linear self-attention, ends up computing the prediction that one step of gradient descent
on the prompt's own examples would make: an optimizer the base optimizer found, running inside each
forward pass.

Tasks. Each task draws a weight vector ``w ~ N(0, I_d)`` and ``N + 1`` inputs
``x ~ N(0, s**2 I_d)`` (``s`` is the ``input_scale``); targets are ``y = w . x`` plus optional
Gaussian noise. The first ``N`` pairs form the prompt's context, the last input is the query whose
target the model must predict.

Tokens. Pair ``i`` becomes the token ``z_i = (x_i, y_i)`` of size ``d + 1``; the query becomes
``(x_query, 0)``. The prediction is read from the last (the "y") slot of the query's output.

The layer. With ``P`` (the value projection) and ``Q`` (the key-query product ``W_K^T W_Q``), both
``(d + 1, d + 1)``, the query token's output is::

    out = z_query + (1 / N) * sum_i  P z_i  (z_i^T Q z_query)

The gradient-descent construction. Start at ``w = 0`` and take one step of size ``eta`` on the
in-context loss ``L(w) = 1/(2N) sum_i (w . x_i - y_i)**2``. The gradient at zero is
``-(1/N) sum_i y_i x_i``, so the step lands on ``w_1 = (eta / N) sum_i y_i x_i`` and predicts
``y_hat = (eta / N) sum_i y_i (x_i . x_query)``. The layer computes exactly this when ``Q`` has the
identity in its top-left ``d x d`` block (zeros elsewhere) and ``P`` is zero except
``P[d, d] = eta``.

Everything here is torch on one CPU thread; all randomness comes from a passed
``torch.Generator``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_float, check_int, check_shape

__all__ = [
    "RegressionTasks",
    "LinearSelfAttention",
    "sample_tasks",
    "gd_one_step_direction",
    "gd_one_step_predict",
    "fit_gd_step_size",
    "best_gd_step_size",
    "train_layer",
    "TrainingRun",
    "cosine_similarity",
    "mean_squared_error",
    "layer_matrices",
    "gd_matrices",
    "matching_gd_matrices",
    "compare_matrices",
    "evaluate_layer",
]


# --------------------------------------------------------------------------------------------
# Tasks


@dataclass(frozen=True)
class RegressionTasks:
    """A batch of in-context linear-regression prompts.

    Shapes use ``batch`` tasks, ``N`` context pairs and input dimension ``d``.
    """

    xs: torch.Tensor
    """(batch, N, d) float. Context inputs x_i."""
    ys: torch.Tensor
    """(batch, N) float. Context targets y_i = w . x_i (+ noise)."""
    query: torch.Tensor
    """(batch, d) float. The query input whose target the model must predict."""
    target: torch.Tensor
    """(batch,) float. The query's target w . x_query (+ noise): what the base objective scores."""
    weights: torch.Tensor
    """(batch, d) float. The hidden weight vector w of each task."""


def sample_tasks(
    batch: int,
    dim: int,
    context_size: int,
    generator: torch.Generator,
    input_scale: float = 1.0,
    noise_std: float = 0.0,
) -> RegressionTasks:
    """Draw ``batch`` fresh linear-regression prompts.

    Args:
        batch: int >= 1. Number of tasks.
        dim: int in [1, 256]. Input dimension d.
        context_size: int in [1, 10000]. Context pairs N per prompt.
        generator: torch.Generator. The only source of randomness.
        input_scale: float > 0. Standard deviation s of each input coordinate.
        noise_std: float >= 0. Standard deviation of Gaussian noise added to every target.

    Returns:
        RegressionTasks with xs (batch, N, d), ys (batch, N), query (batch, d), target (batch,),
        weights (batch, d).
    """
    batch = check_int("batch", batch, 1)
    dim = check_int("dim", dim, 1, 256)
    context_size = check_int("context_size", context_size, 1, 10_000)
    input_scale = check_float("input_scale", input_scale, 1e-6)
    noise_std = check_float("noise_std", noise_std, 0.0)
    if not isinstance(generator, torch.Generator):
        raise ValueError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    weights = torch.randn(batch, dim, generator=generator)
    inputs = input_scale * torch.randn(batch, context_size + 1, dim, generator=generator)
    targets = torch.einsum("bnd,bd->bn", inputs, weights)
    if noise_std > 0:
        targets = targets + noise_std * torch.randn(batch, context_size + 1, generator=generator)
    return RegressionTasks(
        xs=inputs[:, :-1],
        ys=targets[:, :-1],
        query=inputs[:, -1],
        target=targets[:, -1],
        weights=weights,
    )


def _check_prompt(xs: torch.Tensor, ys: torch.Tensor, query: torch.Tensor) -> None:
    """Raise a ValueError unless xs (batch, N, d), ys (batch, N), query (batch, d) agree."""
    for name, tensor in (("xs", xs), ("ys", ys), ("query", query)):
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    check_shape("xs", xs.shape, "(batch, N, d) with N, d >= 1", xs.ndim == 3 and min(xs.shape) > 0)
    batch, context, dim = xs.shape
    check_shape("ys", ys.shape, f"(batch, N) = ({batch}, {context})", ys.shape == (batch, context))
    check_shape("query", query.shape, f"(batch, d) = ({batch}, {dim})", query.shape == (batch, dim))


# --------------------------------------------------------------------------------------------
# The reference optimizer: one step of gradient descent from w = 0


def gd_one_step_direction(xs: torch.Tensor, ys: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """The one-step GD prediction for a unit step: ``(1/N) sum_i y_i (x_i . x_query)``.

    One step of size ``eta`` predicts ``eta`` times this, since the prediction is linear in eta.

    Args:
        xs: (batch, N, d) float. Context inputs.
        ys: (batch, N) float. Context targets.
        query: (batch, d) float. Query inputs.

    Returns:
        (batch,) float.
    """
    _check_prompt(xs, ys, query)
    step_direction = torch.einsum("bn,bnd->bd", ys, xs) / xs.shape[1]  # minus the gradient at w=0
    return (step_direction * query).sum(-1)


def gd_one_step_predict(
    xs: torch.Tensor, ys: torch.Tensor, query: torch.Tensor, eta: float
) -> torch.Tensor:
    """Predict the query's target after one GD step of size ``eta`` from ``w = 0``.

    The in-context loss is ``L(w) = 1/(2N) sum_i (w . x_i - y_i)**2``; its gradient at zero is
    ``-(1/N) sum_i y_i x_i``, so the prediction is ``(eta/N) sum_i y_i (x_i . x_query)``.

    Args:
        xs: (batch, N, d) float. Context inputs.
        ys: (batch, N) float. Context targets.
        query: (batch, d) float. Query inputs.
        eta: float. Step size.

    Returns:
        (batch,) float.
    """
    eta = check_float("eta", eta)
    return eta * gd_one_step_direction(xs, ys, query)


def fit_gd_step_size(tasks: RegressionTasks) -> float:
    """The step size eta that minimises the mean squared error of one-step GD on ``tasks``.

    The prediction is ``eta * g`` with ``g`` from :func:`gd_one_step_direction`, so least squares
    gives ``eta = sum(g * target) / sum(g * g)`` in closed form.
    """
    direction = gd_one_step_direction(tasks.xs, tasks.ys, tasks.query).double()
    denominator = float((direction * direction).sum())
    if denominator == 0.0:
        raise ValueError("tasks must have at least one nonzero context target to fit eta")
    return float((direction * tasks.target.double()).sum()) / denominator


def best_gd_step_size(
    dim: int,
    context_size: int,
    generator: torch.Generator,
    input_scale: float = 1.0,
    noise_std: float = 0.0,
    tasks: int = 8192,
) -> float:
    """ "Best one-step GD": eta fitted by least squares on ``tasks`` freshly sampled prompts.

    Call it with a shifted ``input_scale`` for the step re-tuned to the shifted distribution.
    For noiseless tasks the population optimum is ``1 / (s**2 (1 + (d + 1) / N))``.
    """
    batch = check_int("tasks", tasks, 1)
    sample = sample_tasks(batch, dim, context_size, generator, input_scale, noise_std)
    return fit_gd_step_size(sample)


# --------------------------------------------------------------------------------------------
# The model: one layer of linear self-attention


class LinearSelfAttention(torch.nn.Module):
    """One linear self-attention layer (no softmax) over tokens ``z_i = (x_i, y_i)``.

    Parameters (both ``(d + 1, d + 1)``):
        value: P, the value projection. Only its last row reaches the prediction.
        key_query: Q = W_K^T W_Q, the key-query product. Only its first d columns reach the
            prediction, since the query token's last slot is 0.

    The query's output is ``z_query + (1/N) sum_i P z_i (z_i^T Q z_query)``; the prediction is
    its last slot. With ``Q = [[I, 0], [0, 0]]`` and ``P = eta * e_y e_y^T`` this is one step of
    gradient descent of size eta (see the module docstring).
    """

    def __init__(
        self, dim: int, init_scale: float = 0.01, generator: torch.Generator | None = None
    ):
        """Args:
        dim: int in [1, 256]. Input dimension d (tokens have size d + 1).
        init_scale: float >= 0. Standard deviation of the Gaussian initial entries.
        generator: torch.Generator for the initial weights (torch's global one if None).
        """
        super().__init__()
        self.dim = check_int("dim", dim, 1, 256)
        init_scale = check_float("init_scale", init_scale, 0.0)
        size = self.dim + 1
        self.value = torch.nn.Parameter(init_scale * torch.randn(size, size, generator=generator))
        self.key_query = torch.nn.Parameter(
            init_scale * torch.randn(size, size, generator=generator)
        )

    def query_output(self, xs: torch.Tensor, ys: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        """The full output token at the query position.

        Args:
            xs: (batch, N, d) float. Context inputs.
            ys: (batch, N) float. Context targets.
            query: (batch, d) float. Query inputs.

        Returns:
            (batch, d + 1) float. ``z_query + (1/N) sum_i P z_i (z_i^T Q z_query)``.
        """
        _check_prompt(xs, ys, query)
        if xs.shape[2] != self.dim:
            raise ValueError(f"xs must have shape (batch, N, {self.dim}), got {tuple(xs.shape)}")
        tokens = torch.cat([xs, ys.unsqueeze(-1)], dim=-1)  # (batch, N, d + 1)
        query_token = torch.cat([query, torch.zeros_like(query[:, :1])], dim=-1)  # (batch, d + 1)
        scores = torch.einsum("bnk,kl,bl->bn", tokens, self.key_query, query_token)  # (batch, N)
        values = tokens @ self.value.T  # (batch, N, d + 1): P z_i
        update = torch.einsum("bn,bnk->bk", scores, values) / xs.shape[1]
        return query_token + update

    def forward(self, xs: torch.Tensor, ys: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        """Predict each query's target: the y-slot of :meth:`query_output`, shape (batch,)."""
        _check_prompt(xs, ys, query)
        if xs.shape[2] != self.dim:
            raise ValueError(f"xs must have shape (batch, N, {self.dim}), got {tuple(xs.shape)}")
        # Only the last row of P and the first d columns of Q reach the y-slot; computing just
        # those is the same number as query_output(...)[:, -1], at a fraction of the cost.
        tokens = torch.cat([xs, ys.unsqueeze(-1)], dim=-1)  # (batch, N, d + 1)
        scores = torch.einsum("bnk,kd,bd->bn", tokens, self.key_query[:, : self.dim], query)
        values = tokens @ self.value[-1]  # (batch, N)
        return (scores * values).mean(-1)


# --------------------------------------------------------------------------------------------
# Metrics


def mean_squared_error(prediction: torch.Tensor, target: torch.Tensor) -> float:
    """Mean of ``(prediction - target)**2`` over a batch, as a float."""
    return float(((prediction.double() - target.double()) ** 2).mean())


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> float:
    """Cosine of the angle between two batches of predictions, flattened to vectors."""
    a, b = a.double().flatten(), b.double().flatten()
    norms = float(a.norm() * b.norm())
    return float((a * b).sum()) / norms if norms > 0 else 0.0


@torch.no_grad()
def evaluate_layer(layer: LinearSelfAttention, tasks: RegressionTasks, eta: float) -> dict:
    """Compare the layer with one GD step of size ``eta`` on the same prompts.

    Returns:
        dict with ``cosine_to_gd`` (cosine between the two prediction vectors), ``layer_loss``,
        ``gd_loss`` (mean squared errors on the query targets) and ``loss_ratio_to_gd``.
    """
    layer_prediction = layer(tasks.xs, tasks.ys, tasks.query)
    gd_prediction = gd_one_step_predict(tasks.xs, tasks.ys, tasks.query, eta)
    layer_loss = mean_squared_error(layer_prediction, tasks.target)
    gd_loss = mean_squared_error(gd_prediction, tasks.target)
    return {
        "cosine_to_gd": cosine_similarity(layer_prediction, gd_prediction),
        "layer_loss": layer_loss,
        "gd_loss": gd_loss,
        "loss_ratio_to_gd": layer_loss / gd_loss if gd_loss > 0 else float("inf"),
    }


# --------------------------------------------------------------------------------------------
# Matrices for the side-by-side heatmaps


def layer_matrices(layer: LinearSelfAttention) -> dict[str, np.ndarray]:
    """The layer's learned matrices as numpy copies.

    Returns:
        dict with ``key_query`` (d+1, d+1) Q, ``value`` (d+1, d+1) P and ``step_matrix`` (d, d),
        ``P[d, d] * Q[:d, :d]``: the matrix Gamma in the layer's GD-like term
        ``(1/N) sum_i y_i x_i^T Gamma x_query`` (``eta * I`` for plain GD).
    """
    key_query = layer.key_query.detach().double().numpy().copy()
    value = layer.value.detach().double().numpy().copy()
    d = layer.dim
    return {
        "key_query": key_query,
        "value": value,
        "step_matrix": value[d, d] * key_query[:d, :d],
    }


def gd_matrices(dim: int, eta: float, key_scale: float = 1.0) -> dict[str, np.ndarray]:
    """The matrices with which the layer computes exactly one GD step of size ``eta``.

    P and Q enter the prediction only through their product, so the construction is defined up
    to a scale: ``Q = key_scale * [[I, 0], [0, 0]]`` and ``P[d, d] = eta / key_scale``.

    Returns:
        dict with the same keys and shapes as :func:`layer_matrices`.
    """
    dim = check_int("dim", dim, 1, 256)
    eta = check_float("eta", eta)
    key_scale = check_float("key_scale", key_scale)
    if key_scale == 0:
        raise ValueError("key_scale must be a nonzero number, got 0.0")
    key_query = np.zeros((dim + 1, dim + 1))
    key_query[:dim, :dim] = key_scale * np.eye(dim) + 0.0  # + 0.0 turns -0.0 into 0.0
    value = np.zeros((dim + 1, dim + 1))
    value[dim, dim] = eta / key_scale
    return {"key_query": key_query, "value": value, "step_matrix": eta * np.eye(dim)}


def matching_gd_matrices(learned: dict[str, np.ndarray], eta: float) -> dict[str, np.ndarray]:
    """The GD construction for step ``eta``, scaled like ``learned`` for side-by-side heatmaps.

    The construction's free scale is set to the mean diagonal of the learned ``Q[:d, :d]`` (1 if
    that is zero), so a layer that has learned GD looks like the construction entry by entry.

    Args:
        learned: a dict from :func:`layer_matrices` (e.g. one of the training snapshots).
        eta: float. The GD step size.
    """
    key_query = np.asarray(learned["key_query"])
    check_shape(
        "key_query",
        key_query.shape,
        "(d + 1, d + 1) with d >= 1",
        key_query.ndim == 2 and key_query.shape[0] == key_query.shape[1] >= 2,
    )
    d = key_query.shape[0] - 1
    key_scale = float(np.mean(np.diag(key_query[:d, :d])))
    if abs(key_scale) < 1e-12:
        key_scale = 1.0
    return gd_matrices(d, eta, key_scale)


def compare_matrices(
    layer: LinearSelfAttention, eta: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The layer's matrices and the GD construction scaled alike (see
    :func:`matching_gd_matrices`).

    Returns:
        (learned, constructed), two dicts with the keys of :func:`layer_matrices`.
    """
    learned = layer_matrices(layer)
    return learned, matching_gd_matrices(learned, eta)


# --------------------------------------------------------------------------------------------
# Training: the base optimizer


@dataclass
class TrainingRun:
    """What :func:`train_layer` returns."""

    layer: LinearSelfAttention
    """The trained layer."""
    history: list[dict]
    """One dict per logged step: ``step``, ``loss`` (the base objective on that step's batch)
    and, every ``eval_every`` steps when an ``eta`` was given, ``cosine_to_gd``."""
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
    eta: float | None = None,
    eval_tasks: RegressionTasks | None = None,
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
        eta: GD step size to compare with during training (cosine logged only if given).
        eval_tasks: fixed prompts for that comparison (required with ``eta``).
        eval_every: int >= 1. Steps between cosine evaluations.
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
    if eta is not None and eval_tasks is None:
        raise ValueError("eval_tasks must be given together with eta")

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
            if eta is not None and (step % eval_every == 0 or last):
                entry["cosine_to_gd"] = evaluate_layer(layer, eval_tasks, eta)["cosine_to_gd"]
            history.append(entry)
        if (snapshot_every and step % snapshot_every == 0) or last:
            if snapshots[-1][0] != step:
                snapshots.append((step, layer_matrices(layer)))
    train_seconds = time.perf_counter() - start
    return TrainingRun(layer, history, snapshots, train_seconds)
