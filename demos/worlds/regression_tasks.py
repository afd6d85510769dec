"""In-context linear regression tasks: the world of chapter 2's linear self-attention layer.

Each task draws a weight vector ``w ~ N(0, I_d)`` and ``N + 1`` inputs ``x ~ N(0, s**2 I_d)``
(``s`` is the ``input_scale``); targets are ``y = w . x`` plus optional Gaussian noise. The first
``N`` pairs form the prompt's context; the last input is the query whose target a model must
predict. The base objective is the squared error on that target. All randomness comes from a
passed ``torch.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from demos.core.validation import check_float, check_int, check_shape


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


def check_prompt(xs: torch.Tensor, ys: torch.Tensor, query: torch.Tensor) -> None:
    """Raise a ValueError unless xs (batch, N, d), ys (batch, N), query (batch, d) agree."""
    for name, tensor in (("xs", xs), ("ys", ys), ("query", query)):
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    check_shape("xs", xs.shape, "(batch, N, d) with N, d >= 1", xs.ndim == 3 and min(xs.shape) > 0)
    batch, context, dim = xs.shape
    check_shape("ys", ys.shape, f"(batch, N) = ({batch}, {context})", ys.shape == (batch, context))
    check_shape("query", query.shape, f"(batch, d) = ({batch}, {dim})", query.shape == (batch, dim))
