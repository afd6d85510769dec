"""One layer of linear self-attention: the model chapter 2 trains on in-context regression.

After von Oswald et al. (2023), "Transformers learn in-context by gradient descent". The tasks are
:mod:`demos.worlds.regression_tasks`; the base optimizer (Adam on fresh tasks) is
:mod:`demos.training.incontext_training`; the one step of gradient descent it is compared with is
:mod:`demos.analysis.gradient_step`.

Tokens. Pair ``i`` of a prompt becomes the token ``z_i = (x_i, y_i)`` of size ``d + 1``; the query
becomes ``(x_query, 0)``. The prediction is read from the last (the "y") slot of the query's
output.

The layer. With ``P`` (the value projection) and ``Q`` (the key-query product ``W_K^T W_Q``), both
``(d + 1, d + 1)``, the query token's output is::

    out = z_query + (1 / N) * sum_i  P z_i  (z_i^T Q z_query)

Nothing in the layer says "gradient descent": any ``P`` and ``Q`` are allowed, and the base
optimizer picks them. All randomness comes from a passed ``torch.Generator``.
"""

from __future__ import annotations

import numpy as np
import torch

from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_float, check_int
from demos.worlds.regression_tasks import check_prompt


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
        check_prompt(xs, ys, query)
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
        check_prompt(xs, ys, query)
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


def layer_from_matrices(matrices) -> LinearSelfAttention:
    """A layer holding given ``value`` and ``key_query`` matrices (each (d + 1, d + 1)), e.g. a
    training snapshot's: the inverse of :func:`layer_matrices`."""
    key_query = np.asarray(matrices["key_query"], dtype=np.float32)
    value = np.asarray(matrices["value"], dtype=np.float32)
    if key_query.ndim != 2 or key_query.shape[0] != key_query.shape[1] or key_query.shape[0] < 2:
        raise ValueError(f"key_query must be (d + 1, d + 1) with d >= 1, got {key_query.shape}")
    if value.shape != key_query.shape:
        raise ValueError(f"value must have key_query's shape {key_query.shape}, got {value.shape}")
    layer = LinearSelfAttention(key_query.shape[0] - 1, init_scale=0.0)
    with torch.no_grad():
        layer.key_query.copy_(torch.from_numpy(key_query))
        layer.value.copy_(torch.from_numpy(value))
    return layer
