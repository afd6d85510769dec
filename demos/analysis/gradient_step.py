"""One step of gradient descent on a prompt: what chapter 2 reads its attention layer against.

Start at ``w = 0`` and take one step of size ``eta`` on the in-context loss
``L(w) = 1/(2N) sum_i (w . x_i - y_i)**2``. The gradient at zero is ``-(1/N) sum_i y_i x_i``, so the
step lands on ``w_1 = (eta / N) sum_i y_i x_i`` and predicts
``y_hat = (eta / N) sum_i y_i (x_i . x_query)`` (:func:`gd_one_step_predict`). A
:class:`demos.agents.linear_attention.LinearSelfAttention` layer computes exactly this when ``Q``
has the identity in its top-left ``d x d`` block (zeros elsewhere) and ``P`` is zero except
``P[d, d] = eta`` (:func:`gd_matrices`).

:func:`evaluate_layer` and :func:`compare_matrices` measure how close a trained layer is to that
construction, in its predictions and in its weights; :func:`construction_shares` says in two
numbers how much of each matrix looks like it.
"""

from __future__ import annotations

import numpy as np
import torch

from demos.agents.linear_attention import LinearSelfAttention, layer_matrices
from demos.core.validation import check_float, check_int, check_shape
from demos.worlds.regression_tasks import RegressionTasks, check_prompt, sample_tasks


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
    check_prompt(xs, ys, query)
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


def construction_shares(learned: dict[str, np.ndarray]) -> dict[str, float]:
    """How much a layer's matrices look like the GD construction, in two numbers in [-1, 1].

    - ``key_query_identity``: the cosine between ``Q[:d, :d]`` and the identity (1 when that block
      is a positive multiple of the identity, whatever the rest of ``Q`` holds);
    - ``value_corner``: ``P[d, d]`` divided by the Frobenius norm of ``P`` (1 in absolute value
      when the corner is ``P``'s only nonzero entry).

    Args:
        learned: a dict from :func:`demos.agents.linear_attention.layer_matrices` (or a snapshot).
    """
    key_query = np.asarray(learned["key_query"], dtype=float)
    value = np.asarray(learned["value"], dtype=float)
    check_shape(
        "key_query",
        key_query.shape,
        "(d + 1, d + 1) with d >= 1",
        key_query.ndim == 2 and key_query.shape[0] == key_query.shape[1] >= 2,
    )
    check_shape(
        "value", value.shape, f"{key_query.shape} like key_query", value.shape == key_query.shape
    )
    d = key_query.shape[0] - 1
    block = key_query[:d, :d]
    block_norm = float(np.linalg.norm(block))
    value_norm = float(np.linalg.norm(value))
    return {
        "key_query_identity": float(np.trace(block) / (np.sqrt(d) * block_norm))
        if block_norm
        else 0.0,
        "value_corner": float(value[d, d] / value_norm) if value_norm else 0.0,
    }
