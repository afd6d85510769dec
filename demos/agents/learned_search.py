"""A planner whose search is learned: a weight-tied recurrent convolution with no search written in.

Chapters 1, 2 and 3 use it as the book's mesa-optimizer found by a base optimizer. The book's
:class:`demos.agents.planners.Planner` learns only a reward map and runs a hand-written value
iteration on it: in the paper's terms, *hard-coded optimization*. :class:`LearnedSearch` has no
max over actions, no Bellman backup and no built-in moves. It is one 3x3 convolution applied over
and over to a hidden state, with the level read again at every iteration::

    x         = features of the level                 (walls, free, exit, marker)
    h_0       = 0
    h_{k+1}   = act(conv3x3([h_k, x]))                k = 0 .. K-1 (the same weights every time)
    logits    = conv3x3(h_K)                          5 action logits at every cell

``act`` is ``min(max(z, 0), 1)``, a ReLU clipped at 1 (plain ReLU is an option). The clip keeps
the state bounded however many iterations run, and lets a unit hold a value (a "this cell is
settled" flag, say) without growing or fading.

Gradient descent (:mod:`demos.training.learned_search_training`) fits it to the BFS expert's move
at every cell. Whether what it finds is a search is a question for the measurements
(:mod:`demos.analysis.search_success`, :mod:`demos.analysis.search_frontier`), not something the
architecture states. What the architecture does give is an *inductive bias* towards iterative,
local computation: an iteration moves information by one cell at most, and the same rule is
applied every time.

The model plans from every cell at once and never sees the agent, like the book's planners:
``policy(levels)`` returns ``(batch, 5, H, W)`` logits and
``demos.training.rollouts.rollout(levels, model.policy(levels))`` walks the agents.

Shapes: ``batch`` levels of side ``H = W``; :data:`N_ACTIONS` = 5 actions in the order of
:data:`demos.worlds.mazes.ACTIONS` (stay, up, down, left, right); ``width`` hidden channels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from demos.agents.planners import LevelTensors
from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.config import Config, choice, ranged
from demos.core.validation import check_int, check_shape
from demos.worlds.mazes import ACTIONS, Levels

N_ACTIONS = len(ACTIONS)
"""Actions per cell: stay, up, down, left, right."""

INPUTS = ("walls", "free", "exit", "marker")
"""Input channels of the network. ``free`` is 1 on free cells: with it the zero padding of the
convolutions (0 in every channel) reads differently from any cell of the grid, so the grid's edge
acts as a wall without being drawn."""

ACTIVATIONS = ("relu", "clipped")
"""Nonlinearities the iteration can use (see :attr:`LearnedSearchConfig.activation`)."""

MAX_ITERATIONS = 100_000
"""Most iterations K a caller may ask for (a guard against typos)."""

Edit = Callable[[int, torch.Tensor], torch.Tensor]
"""``edit(k, h) -> h``: a change to the state after iteration k (steering, patching)."""


@dataclass(frozen=True)
class LearnedSearchConfig(Config):
    """The shape of a :class:`LearnedSearch`."""

    width: int = ranged(32, 4, 256)
    """Hidden channels of the state ``h``; the parameters grow as ``9 * width**2``."""
    iterations: int = ranged(64, 1, MAX_ITERATIONS)
    """Iterations K run when ``policy`` is not told otherwise. Larger mazes need more:
    information moves one cell per iteration."""
    head_kernel: int = choice(3, (1, 3))
    """Side of the readout convolution from ``h`` to the 5 action logits."""
    activation: str = choice("clipped", ACTIVATIONS)
    """Nonlinearity of the iteration: "relu" (unbounded above) or "clipped" (``min(max(z, 0),
    1)``, so the state is bounded at any K and a unit can latch at 1 without growing)."""
    recall: bool = True
    """Read the level again at every iteration (concatenate the input to ``h``). Without it one
    input convolution makes ``h_0`` and the state must carry the level from then on (an
    ablation)."""

    def to_dict(self) -> dict:
        """The fields as a plain dict (stored next to the weights in a checkpoint)."""
        return dataclasses.asdict(self)


def encode(levels) -> torch.Tensor:
    """The network's input for ``levels``.

    Args:
        levels: a :class:`demos.worlds.mazes.Levels`; a :class:`demos.agents.planners.LevelTensors`;
            a float tensor or array of shape (batch, 3, H, W) with the channels walls, exit,
            marker (the first three of :meth:`demos.worlds.mazes.Levels.observe`); or an encoded
            (batch, 4, H, W) tensor of :data:`INPUTS`, returned as float32.

    Returns:
        x: (batch, 4, H, W) float32, channels :data:`INPUTS`: walls 1 on walls; free 1 on free
        cells; exit ``exit_salience`` on the exit; marker ``marker_salience`` on the marker.
    """
    if isinstance(levels, Levels):
        features = torch.from_numpy(levels.observe()[:, :3])
    elif isinstance(levels, LevelTensors):
        features = levels.features
    elif isinstance(levels, (torch.Tensor, np.ndarray)):
        features = torch.as_tensor(levels)
        check_shape(
            "levels",
            tuple(features.shape),
            "(batch, 3, H, W) or (batch, 4, H, W)",
            features.ndim == 4 and features.shape[1] in (3, 4) and features.shape[0] >= 1,
        )
        if features.shape[1] == 4:
            return features.float()
    else:
        raise ValueError(
            "levels must be a Levels, a LevelTensors or a (batch, 3, H, W) tensor, got "
            f"{type(levels).__name__}"
        )
    features = features.float()
    walls, goal = features[:, :1], features[:, 1:]
    return torch.cat([walls, 1.0 - walls, goal], dim=1)


def hide_goal(x: torch.Tensor) -> torch.Tensor:
    """A copy of encoded inputs ``x: (batch, 4, H, W)`` with the exit and marker channels zeroed:
    the maze as the network sees it before the goal is revealed."""
    hidden = x.clone()
    hidden[:, 2:] = 0.0
    return hidden


class LearnedSearch(nn.Module):
    """A weight-tied recurrent convolutional planner (see the module docstring).

    Args:
        config: a :class:`LearnedSearchConfig` (default: its defaults).
        generator: optional torch.Generator for the initial weights (see
            :func:`initialise_uniform`); torch's global generator when None.

    Attributes:
        step_conv: the 3x3 convolution applied at every iteration, ``width + 4`` channels in,
            ``width`` out.
        head: the readout, ``width`` channels in, 5 action logits out.
    """

    def __init__(
        self, config: LearnedSearchConfig | None = None, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        config = LearnedSearchConfig() if config is None else config
        if not isinstance(config, LearnedSearchConfig):
            raise ValueError(f"config must be a LearnedSearchConfig, got {type(config).__name__}")
        self.config = config
        extra = len(INPUTS) if config.recall else 0
        self.input_conv = None if config.recall else nn.Conv2d(len(INPUTS), config.width, 3, 1, 1)
        self.step_conv = nn.Conv2d(config.width + extra, config.width, 3, padding=1)
        pad = config.head_kernel // 2
        self.head = nn.Conv2d(config.width, N_ACTIONS, config.head_kernel, padding=pad)
        if generator is not None:
            initialise_uniform(self, generator)

    @property
    def width(self) -> int:
        """Hidden channels of ``h``."""
        return self.config.width

    def initial_state(self, x: torch.Tensor) -> torch.Tensor:
        """h_0 for inputs ``x: (batch, 4, H, W)``: zeros (batch, width, H, W), or, without recall,
        one convolution of the input."""
        if self.input_conv is not None:
            return torch.relu(self.input_conv(x))
        batch, _, height, width = x.shape
        return x.new_zeros((batch, self.config.width, height, width))

    def iterate(self, h: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """One iteration: ``h: (batch, width, H, W)`` and ``x: (batch, 4, H, W)`` -> the next h."""
        z = self.step_conv(torch.cat([h, x], dim=1) if self.config.recall else h)
        return z.clamp(0.0, 1.0) if self.config.activation == "clipped" else torch.relu(z)

    def readout(self, h: torch.Tensor) -> torch.Tensor:
        """``h: (batch, width, H, W)`` -> logits ``(batch, 5, H, W)``."""
        return self.head(h)

    def forward(self, levels, steps: int | None = None) -> torch.Tensor:
        """Policy logits after ``steps`` iterations (default ``config.iterations``).

        Args:
            levels: anything :func:`encode` accepts.
            steps: int >= 1, the iterations K.

        Returns:
            logits: (batch, 5, H, W) float; a softmax over dim 1 gives the move at each cell.
        """
        steps = self._steps(steps)
        x = encode(levels)
        h = self.initial_state(x)
        for _ in range(steps):
            h = self.iterate(h, x)
        return self.readout(h)

    def policy(self, levels, steps: int | None = None) -> torch.Tensor:
        """(batch, 5, H, W) policy logits at every cell, as :meth:`forward`: the interface of
        :meth:`demos.agents.planners.Planner.policy`, so ``rollout(levels, model.policy(levels))``
        walks the greedy agents."""
        return self.forward(levels, steps)

    def trajectory(
        self,
        levels,
        checkpoints: Iterable[int],
        keep_states: bool = False,
        edit: Edit | None = None,
    ) -> dict[int, dict[str, torch.Tensor]]:
        """Run once up to the largest checkpoint and read the model at each checkpoint.

        Cheaper than one :meth:`policy` call per K: the iterations are shared.

        Args:
            levels: anything :func:`encode` accepts.
            checkpoints: iterations K >= 1 at which to read the logits (any order; repeats are
                ignored).
            keep_states: also return the state h at each checkpoint.
            edit: optional ``edit(k, h) -> h`` applied to the state after iteration k (1-based),
                before it is read or iterated again: the hook of steering and patching
                (:mod:`demos.analysis.steering`).

        Returns:
            ``{K: {"logits": (batch, 5, H, W), "h": (batch, width, H, W) if keep_states}}``.
        """
        wanted = sorted({self._steps(k) for k in checkpoints})
        if not wanted:
            raise ValueError("checkpoints must hold at least one iteration count, got none")
        x = encode(levels)
        h = self.initial_state(x)
        out: dict[int, dict[str, torch.Tensor]] = {}
        for k in range(1, wanted[-1] + 1):
            h = self.iterate(h, x)
            if edit is not None:
                h = edit(k, h)
            if k in wanted:
                out[k] = {"logits": self.readout(h)}
                if keep_states:
                    out[k]["h"] = h
        return out

    def states(self, levels, last: int):
        """Yield ``(k, h)`` after each iteration k = 1 .. ``last``, without keeping them all.

        Args:
            levels: anything :func:`encode` accepts.
            last: int >= 1, the last iteration.
        """
        last = self._steps(last)
        x = encode(levels)
        h = self.initial_state(x)
        for k in range(1, last + 1):
            h = self.iterate(h, x)
            yield k, h

    def _steps(self, steps: int | None) -> int:
        if steps is None:
            return self.config.iterations
        return check_int("steps", steps, 1, MAX_ITERATIONS)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def initialise_uniform(model: nn.Module, generator: torch.Generator) -> None:
    """torch's default Conv2d initialisation (uniform in +-1/sqrt(fan_in), weights and biases),
    drawn from ``generator`` in module order so that a seed fixes the weights."""
    if not isinstance(generator, torch.Generator):
        raise ValueError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                fan_in = module.weight.shape[1:].numel()
                bound = 1.0 / np.sqrt(fan_in)
                for parameter in (module.weight, module.bias):
                    parameter.copy_(
                        (torch.rand(parameter.shape, generator=generator) * 2 - 1) * bound
                    )
