"""The reactive baseline: a convolutional policy with no planning loop.

Used by chapter 2: the learned algorithm without search that the planner is compared with.

A :class:`ReactivePolicy` reads the same features as the planner (walls, exit, marker: see
:func:`demos.agents.planners.encode`) and maps them straight to policy logits at every cell,
through a fixed stack of 3x3 convolutions. There is no reward map to read and no search to run more
of: the network computes a fixed function of a fixed neighbourhood, the paper's contrast between a
learned algorithm that *searches* and one that has compiled good behaviour into heuristics.

Architecture (``width`` channels, ``depth`` 3x3 convolutions):

1. The features get a one-cell border whose walls channel is 1: the grid's edge blocks moves just
   as a wall does, so the network sees it as one. A 3x3 convolution without padding then maps the
   padded grid back to H x W, followed by a ReLU.
2. ``depth - 1`` residual blocks ``h <- h + relu(conv3x3(h))``, zero-padded to keep H x W.
3. A 1x1 convolution reads the five action logits out of ``h`` at each cell.

Receptive field: every 3x3 convolution lets a cell see one more cell in each direction, so the
logits at a cell depend only on the features in the square of cells at Chebyshev distance at most
:attr:`ReactivePolicy.radius` = ``depth`` from it (a (2 * depth + 1)-cell square). The default
``depth = 6`` lets every cell of a 7x7 maze see the whole maze. On a larger maze a cell farther than
``depth`` rows or columns from the exit sees no exit at all, and no amount of extra computation at
test time changes that, since the network has no iteration count to raise. A planner's value
iteration, in contrast, runs as many steps as it is given.

The network is fully convolutional, so one set of weights runs on mazes of any size.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from demos.agents.planners import FEATURES, N_ACTIONS, LevelTensors, encode
from demos.core.validation import check_int, check_shape
from demos.worlds.mazes import Levels

WALLS_CHANNEL = FEATURES.index("walls")
"""Index of the walls channel in the features, set to 1 on the border the network adds."""


class ReactivePolicy(nn.Module):
    """A plain CNN policy: features of a maze -> action logits at every cell, no planning loop.

    Args:
        width: int in [1, 256]. Channels of every hidden layer.
        depth: int in [1, 64]. Number of 3x3 convolutions; also the receptive-field radius.
        generator: optional torch.Generator for the initial weights. When None, torch's global
            generator is used (seeded by :func:`demos.core.runtime.seeded`), so a model built after
            ``seeded(seed)`` is reproducible too.

    Every weight and bias starts uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` (torch's default
    bound for convolutions), drawn from ``generator``.

    Shapes: features (batch, 3, H, W) float, channels :data:`demos.agents.planners.FEATURES`;
    logits (batch, 5, H, W) float, actions in the order of :data:`demos.worlds.mazes.ACTIONS`.
    """

    def __init__(
        self, width: int = 16, depth: int = 6, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.width = check_int("width", width, 1, 256)
        self.depth = check_int("depth", depth, 1, 64)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise ValueError(
                f"generator must be a torch.Generator or None, got {type(generator).__name__}"
            )
        self.stem = nn.Conv2d(len(FEATURES), self.width, 3)
        self.blocks = nn.ModuleList(
            nn.Conv2d(self.width, self.width, 3, padding=1) for _ in range(self.depth - 1)
        )
        self.readout = nn.Conv2d(self.width, N_ACTIONS, 1)
        with torch.no_grad():
            for module in (self.stem, *self.blocks, self.readout):
                bound = 1.0 / math.sqrt(module.weight.shape[1:].numel())
                for parameter in (module.weight, module.bias):
                    parameter.copy_(
                        (torch.rand(parameter.shape, generator=generator) * 2 - 1) * bound
                    )

    @property
    def radius(self) -> int:
        """Receptive-field radius: a cell's logits depend only on cells at most this many rows
        and columns away (Chebyshev distance), i.e. ``depth``."""
        return self.depth

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """features: (batch, 3, H, W) float -> logits: (batch, 5, H, W) float."""
        if not isinstance(features, torch.Tensor):
            raise ValueError(f"features must be a torch.Tensor, got {type(features).__name__}")
        check_shape(
            "features",
            tuple(features.shape),
            f"(batch, {len(FEATURES)}, H, W) with batch, H, W >= 1",
            features.ndim == 4 and features.shape[1] == len(FEATURES) and features.numel() > 0,
        )
        if not torch.isfinite(features).all():
            raise ValueError("features must be finite")
        # A one-cell border that is a wall in the walls channel and empty in the others: shift
        # the walls channel down by 1, pad with zeros, shift it back up.
        border = torch.zeros(len(FEATURES), 1, 1, dtype=features.dtype)
        border[WALLS_CHANNEL] = 1.0
        padded = nn.functional.pad(features - border, (1, 1, 1, 1)) + border
        hidden = torch.relu(self.stem(padded))
        for block in self.blocks:
            hidden = hidden + torch.relu(block(hidden))
        return self.readout(hidden)

    def policy(self, levels: Levels | LevelTensors, steps: int | None = None) -> torch.Tensor:
        """(batch, 5, H, W) float policy logits at every cell of ``levels``.

        Same signature as :meth:`demos.agents.planners.Planner.policy`, so the base optimizers and
        the rollouts take either model. ``steps`` is accepted and ignored: the planner's ``steps``
        sets how many value-iteration rounds it runs, and this network has no such loop; its
        computation, and so its :attr:`radius`, is fixed by its architecture.
        """
        if steps is not None:
            check_int("steps", steps, 1, 10_000)
        return self.forward(encode(levels).features)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``.

    The book's planner (linear reward head, hard-coded search) has 5: three feature weights, a
    bias and the readout's temperature. The default :class:`ReactivePolicy` has 12,133.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)
