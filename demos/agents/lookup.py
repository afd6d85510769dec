"""A policy that was optimized but is not an optimizer: one table of actions for one maze.

Used by chapter 1: the optimized-but-not-an-optimizer side of the bottle-cap comparison.

The paper calls a system an *optimizer* when it searches, inside itself, over possible outputs
for ones that score well on an objective it represents. Filan's bottle cap is the contrast: it was
shaped by an optimization process to keep water in, yet it searches for nothing. A
:class:`LookupPolicy` is the gridworld's bottle cap. It holds one learned table of action logits
per cell, and it answers every level with that same table, whatever the level looks like. There
is no objective inside it and no search: only the result of the base optimizer's search,
frozen.

Trained by imitation on one maze (:func:`demos.training.base_optimizers.imitate`, as the
``bottle-cap`` experiment does), it solves that maze from every cell, exactly
like the book's planner. The difference shows only when the maze changes: the planner re-plans
towards the exit it sees, the table keeps answering for the maze it was fitted to.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from demos.agents.planners import N_ACTIONS, LevelTensors
from demos.core.validation import check_float, check_int
from demos.worlds.mazes import Levels


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
