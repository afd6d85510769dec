"""The learned planner's baseline: the same layers unrolled into a feed-forward network, untied.

Chapter 2 sets it against :class:`demos.agents.learned_search.LearnedSearch` on mazes twice the
training side. :class:`FeedForward` has the recurrent network's layer (the level read again by
every layer, the same nonlinearity, 3x3 convolutions) run a fixed number of times, but each layer
has weights of its own::

    x       = features of the level                 (walls, free, exit, marker)
    h_0     = 0
    h_{l+1} = act(conv3x3_l([h_l, x]))              l = 0 .. depth-1 (its own weights each)
    logits  = conv3x3(h_depth)

With the parameter count held equal (:func:`matched_width`), untying the weights makes every layer
much narrower than the recurrent network's one layer, and the depth is fixed: at test time it
cannot run longer on a larger maze. Its receptive field reaches ``depth + 1`` cells in each
direction, so a cell further than that from the exit cannot know where the exit is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from demos.agents.learned_search import (
    ACTIVATIONS,
    INPUTS,
    N_ACTIONS,
    encode,
    initialise_uniform,
)
from demos.core.config import Config, choice, ranged
from demos.core.validation import check_int


@dataclass(frozen=True)
class FeedForwardConfig(Config):
    """The shape of a :class:`FeedForward`."""

    depth: int = ranged(32, 1, 1000)
    """Hidden 3x3 layers: the iterations of the recurrent network it stands in for."""
    width: int = ranged(5, 1, 256)
    """Hidden channels of every layer."""
    activation: str = choice("clipped", ACTIVATIONS)
    """Nonlinearity, as :attr:`demos.agents.learned_search.LearnedSearchConfig.activation`."""

    def to_dict(self) -> dict:
        """The fields as a plain dict (stored next to the weights in a checkpoint)."""
        return dataclasses.asdict(self)


def feedforward_parameters(depth: int, width: int) -> int:
    """Parameters (weights and biases) of a :class:`FeedForward` of this shape."""
    depth, width = check_int("depth", depth, 1), check_int("width", width, 1)
    per_layer = (width + len(INPUTS)) * width * 9 + width
    return depth * per_layer + width * N_ACTIONS * 9 + N_ACTIONS


def matched_width(depth: int, parameters: int) -> int:
    """The width whose :class:`FeedForward` of ``depth`` layers has the parameter count closest
    to ``parameters`` (the narrower one on a tie)."""
    depth = check_int("depth", depth, 1)
    parameters = check_int("parameters", parameters, 1)
    return min(range(1, 257), key=lambda w: abs(feedforward_parameters(depth, w) - parameters))


class FeedForward(nn.Module):
    """A fixed-depth convolutional policy with untied weights (see the module docstring).

    Args:
        config: a :class:`FeedForwardConfig`.
        generator: optional torch.Generator for the initial weights.
    """

    def __init__(
        self, config: FeedForwardConfig | None = None, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        config = FeedForwardConfig() if config is None else config
        if not isinstance(config, FeedForwardConfig):
            raise ValueError(f"config must be a FeedForwardConfig, got {type(config).__name__}")
        self.config = config
        self.layers = nn.ModuleList(
            nn.Conv2d(config.width + len(INPUTS), config.width, 3, padding=1)
            for _ in range(config.depth)
        )
        self.head = nn.Conv2d(config.width, N_ACTIONS, 3, padding=1)
        if generator is not None:
            initialise_uniform(self, generator)

    def policy(self, levels, steps: int | None = None) -> torch.Tensor:
        """(batch, 5, H, W) float logits at every cell.

        Args:
            levels: anything :func:`demos.agents.learned_search.encode` accepts.
            steps: accepted for the planners' interface; None or the fixed ``depth`` (the depth
                cannot change at test time).
        """
        if steps is not None and check_int("steps", steps, 1) != self.config.depth:
            raise ValueError(
                f"steps must be None or the fixed depth {self.config.depth}, got {steps!r}"
            )
        x = encode(levels)
        batch, _, height, width = x.shape
        h = x.new_zeros((batch, self.config.width, height, width))
        for layer in self.layers:
            z = layer(torch.cat([h, x], dim=1))
            h = z.clamp(0.0, 1.0) if self.config.activation == "clipped" else torch.relu(z)
        return self.head(h)

    def forward(self, levels, steps: int | None = None) -> torch.Tensor:
        """Same as :meth:`policy`."""
        return self.policy(levels, steps)
