"""Hidden activations of the book's maze models, at every cell, for probing.

Chapter 5 (the paper's section 5, interpretability) probes what the models compute
(:mod:`demos.analysis.probes`). A probe needs activations of shape ``(batch, C, H, W)``: ``C``
numbers per cell. This module reads them out of the two models the book has:

- :func:`reactive_activations`: the reactive CNN (:class:`demos.agents.reactive.ReactivePolicy`)
  after its first convolution and after each residual block (``layer 1`` ... ``layer depth``),
  and its input features (``input``). Computed by repeating the network's forward pass step by
  step, so the model itself is not changed;
- :func:`planner_activations`: the planner's two internal maps, the learned reward map (its
  mesa-objective) and the value of each cell after value iteration (its search's result), each a
  single channel;
- :func:`learned_search_activations`: the state of the learned planner
  (:class:`demos.agents.learned_search.LearnedSearch`, chapters 1 to 3) after chosen iterations.

A model added later (for instance a planner found by gradient descent with no search written in)
only needs a function of the same shape to be probed by the same code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from demos.agents.learned_search import LearnedSearch
from demos.agents.planners import FEATURES, Planner, encode
from demos.agents.reactive import WALLS_CHANNEL, ReactivePolicy
from demos.core.validation import check_int
from demos.worlds.mazes import Levels


def reactive_activations(
    model: ReactivePolicy, levels: Levels, layers: Sequence[int] | None = None
) -> dict[str, np.ndarray]:
    """The reactive CNN's input and hidden activations on ``levels``.

    Args:
        model: a :class:`demos.agents.reactive.ReactivePolicy`.
        levels: n levels.
        layers: which to return: 0 for the input features, k in [1, depth] for the activations
            after the k-th 3x3 convolution (the first one, then each residual block). Default all.

    Returns:
        ``{"input": (n, 3, H, W), "layer 1": (n, width, H, W), ...}`` float32 arrays, in the order
        of ``layers``. The last layer is what the network's 1x1 readout turns into action logits.
    """
    if not isinstance(model, ReactivePolicy):
        raise ValueError(f"model must be a ReactivePolicy, got {type(model).__name__}")
    layers = list(range(model.depth + 1)) if layers is None else list(layers)
    if not layers:
        raise ValueError("layers must name at least one layer, got []")
    layers = [check_int("layers", layer, 0, model.depth) for layer in layers]
    features = encode(levels).features
    found: dict[int, torch.Tensor] = {0: features}
    border = torch.zeros(len(FEATURES), 1, 1)
    border[WALLS_CHANNEL] = 1.0  # the grid's edge reads as a wall, as in ReactivePolicy.forward
    with torch.no_grad():
        hidden = torch.relu(model.stem(nn.functional.pad(features - border, (1,) * 4) + border))
        found[1] = hidden
        for k, block in enumerate(model.blocks, start=2):
            if k > max(layers):
                break
            hidden = hidden + torch.relu(block(hidden))
            found[k] = hidden
    return {_layer_name(layer): found[layer].numpy() for layer in layers}


def planner_activations(model: Planner, levels: Levels) -> dict[str, np.ndarray]:
    """The planner's reward map and value map on ``levels``, each as one channel.

    Returns:
        ``{"reward map": (n, 1, H, W), "value map": (n, 1, H, W)}`` float32: the learned reward of
        each cell (the mesa-objective) and the best action value there after the planner's K
        value-iteration steps.
    """
    if not isinstance(model, Planner):
        raise ValueError(f"model must be a Planner, got {type(model).__name__}")
    with torch.no_grad():
        plan = model(levels)
    return {
        "reward map": plan.reward_map[:, None].numpy(),
        "value map": plan.q_values.max(dim=1).values[:, None].numpy(),
    }


def learned_search_activations(
    model: LearnedSearch, levels, iterations: Sequence[int], edit=None
) -> dict[str, np.ndarray]:
    """The learned planner's state after each of ``iterations``, from one run.

    Args:
        model: a :class:`demos.agents.learned_search.LearnedSearch`.
        levels: n levels (anything its ``encode`` accepts).
        iterations: iterations k >= 1 to read.
        edit: optional ``edit(k, h) -> h`` applied after every iteration (see
            :meth:`~demos.agents.learned_search.LearnedSearch.trajectory`).

    Returns:
        ``{"iteration k": (n, width, H, W) float32}`` in increasing k.
    """
    if not isinstance(model, LearnedSearch):
        raise ValueError(f"model must be a LearnedSearch, got {type(model).__name__}")
    with torch.no_grad():
        run = model.trajectory(levels, iterations, keep_states=True, edit=edit)
    return {f"iteration {k}": run[k]["h"].numpy() for k in sorted(run)}


def _layer_name(layer: int) -> str:
    return "input" if layer == 0 else f"layer {layer}"
