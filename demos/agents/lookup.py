"""A policy that was optimized but is not an optimizer: one table of actions for one maze.

The paper calls a system an *optimizer* when it searches, inside itself, over possible outputs
for ones that score well on an objective it represents. Filan's bottle cap is the contrast: it was
shaped by an optimization process to keep water in, yet it searches for nothing. A
:class:`LookupPolicy` is the gridworld's bottle cap. It holds one learned table of action logits
per cell, and it answers every level with that same table, whatever the level looks like. There
is no objective inside it and no search: only the result of the base optimizer's search,
frozen.

Trained by imitation on one maze (:func:`memorise`), it solves that maze from every cell, exactly
like the book's planner. The difference shows only when the maze changes: the planner re-plans
towards the exit it sees, the table keeps answering for the maze it was fitted to.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from demos.agents.planners import N_ACTIONS, LevelTensors
from demos.core.validation import check_float, check_int, check_shape
from demos.figures.style import COLORS
from demos.training import base_optimizers
from demos.worlds.mazes import ACTIONS, Levels


class LookupPolicy(nn.Module):
    """A table of action logits, one row per cell, that ignores what the level looks like.

    Args:
        size: int in [4, 64]. Side H = W of the mazes it answers.
        init_scale: float >= 0. Standard deviation of the initial logits.
        generator: optional torch.Generator for the initial logits.

    Attributes:
        table: (5, H, W) float parameter. Logits of the five actions (stay, up, down, left,
            right) at every cell.
    """

    def __init__(
        self, size: int, init_scale: float = 0.01, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.size = check_int("size", size, 4, 64)
        init_scale = check_float("init_scale", init_scale, 0.0, 10.0)
        shape = (N_ACTIONS, self.size, self.size)
        self.table = nn.Parameter(init_scale * torch.randn(shape, generator=generator))

    def policy(self, levels: Levels | LevelTensors, steps: int | None = None) -> torch.Tensor:
        """(batch, 5, H, W) float logits: the same table for every level (``steps`` is ignored;
        it is accepted so the base optimizers can treat this like a planner)."""
        if not isinstance(levels, (Levels, LevelTensors)):
            raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
        if levels.size != self.size:
            raise ValueError(
                f"levels must have size {self.size} (the table's size), got {levels.size}"
            )
        return self.table.unsqueeze(0).expand(len(levels), -1, -1, -1)

    def actions(self) -> np.ndarray:
        """(H, W) int64: the table's greedy action at every cell (index into ACTIONS)."""
        with torch.no_grad():
            return self.table.argmax(dim=0).numpy()


def memorise(
    level: Levels,
    steps: int = 60,
    learning_rate: float = 0.5,
    generator: torch.Generator | None = None,
) -> tuple[LookupPolicy, base_optimizers.TrainingHistory]:
    """Fit a :class:`LookupPolicy` to the BFS expert of one maze, by imitation with Adam.

    Args:
        level: Levels of length 1, the maze to memorise.
        steps: int >= 1. Adam steps.
        learning_rate: float in (0, 10]. Adam's step size.
        generator: optional torch.Generator for the initial table.

    Returns:
        ``(policy, history)``. The expert's action is imitated at every free cell, so the table
        answers from any start in this maze.
    """
    if not isinstance(level, Levels) or len(level) != 1:
        shown = len(level) if isinstance(level, Levels) else type(level).__name__
        raise ValueError(f"level must be a Levels of length 1, got {shown}")
    policy = LookupPolicy(level.size, generator=generator)
    history = base_optimizers.imitate(policy, level, steps=steps, learning_rate=learning_rate)
    return policy, history


def draw_actions(
    ax: Axes,
    actions: np.ndarray,
    walls: np.ndarray,
    color: str = COLORS["neither"],
) -> Axes:
    """Draw a table of actions as arrows (dots for "stay") on the free cells of a maze.

    Draw the maze first (:func:`demos.figures.style.draw_maze`), then call this on the same Axes.

    Args:
        ax: the Axes holding the maze.
        actions: (H, W) int in [0, 4]. Action per cell (index into
        :data:`demos.worlds.mazes.ACTIONS`). walls: (H, W) bool. No arrow is drawn on walls.
        color: arrow colour.
    """
    actions = np.asarray(actions)
    walls = np.asarray(walls, dtype=bool)
    check_shape("actions", actions.shape, "(H, W)", actions.ndim == 2)
    check_shape("walls", walls.shape, f"{actions.shape} like actions", walls.shape == actions.shape)
    if actions.size and (actions.min() < 0 or actions.max() >= N_ACTIONS):
        raise ValueError(f"actions must be integers in [0, {N_ACTIONS - 1}]")
    rows, cols = np.nonzero(~walls)
    chosen = actions[rows, cols]
    moving = chosen != 0
    offsets = ACTIONS[chosen].astype(float)
    ax.quiver(
        cols[moving],
        rows[moving],
        0.5 * offsets[moving, 1],
        0.5 * offsets[moving, 0],  # angles="xy": data units, and the rows axis points down
        color=color,
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.012,
        pivot="middle",
        zorder=1,
    )
    ax.plot(cols[~moving], rows[~moving], ".", color=color, ms=4, zorder=1, linestyle="none")
    return ax
