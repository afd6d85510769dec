"""A Gymnasium environment over one level of :mod:`demos.worlds.mazes` at a time.

Description:
    The agent walks a grid from its start. The reward pays for reaching the exit; a coloured
    marker, on the exit in most levels of a low ``decorrelated_fraction``, is the proxy a learner
    may pick up instead. The batched experiments of the book use :mod:`demos.worlds.mazes`
    directly; this class wraps the same world in the standard interface for readers who want to try
    their own agents.

Observation:
    ``Box(0, 1, (4, H, W), float32)``, channels ``walls, exit, marker, agent``
    (see :func:`demos.worlds.mazes.Levels.observe`).

Actions:
    ``Discrete(5)``: 0 stay, 1 up, 2 down, 3 left, 4 right. Walls and the grid's edge block moves.

Reward (base objective):
    +1 on the step the agent enters the exit, 0 otherwise.

Hidden measures:
    ``info["on_marker"]``: whether the agent stands on the marker (the proxy). The reward never
    sees it. ``info["optimal_steps"]``: BFS steps from the start to the exit, to compare against.

Termination:
    ``terminated`` on reaching the exit; ``truncated`` after ``max_steps`` steps (default
    :func:`demos.worlds.mazes.default_horizon`) without reaching it.

Randomness:
    Levels come from ``self.np_random``, seeded by ``reset(seed=...)``.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from demos.core.palette import COLORS
from demos.core.validation import check_choice, check_int
from demos.worlds import mazes
from demos.worlds.mazes import LevelConfig, Levels


class MazeEnv(gym.Env):
    """One level of :mod:`demos.worlds.mazes` per episode; see the module docstring for the
    sections."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(
        self,
        config: LevelConfig | None = None,
        max_steps: int | None = None,
        render_mode: str | None = None,
    ):
        """
        Args:
            config: the level distribution; default ``LevelConfig()``.
            max_steps: int >= 1, steps before truncation; default
            :func:`demos.worlds.mazes.default_horizon`. render_mode: None or "rgb_array".
        """
        config = LevelConfig() if config is None else config
        if not isinstance(config, LevelConfig):
            raise ValueError(f"config must be a LevelConfig, got {type(config).__name__}")
        self.config = config
        size = config.size
        self.max_steps = (
            mazes.default_horizon(size)
            if max_steps is None
            else check_int("max_steps", max_steps, 1)
        )
        if render_mode is not None:
            check_choice("render_mode", render_mode, self.metadata["render_modes"])
        self.render_mode = render_mode
        self.observation_space = spaces.Box(0.0, 1.0, (4, size, size), np.float32)
        self.action_space = spaces.Discrete(5)
        self.level: Levels | None = None
        self.position = np.zeros(2, dtype=np.int64)
        self.steps = 0
        self.path: list[np.ndarray] = []
        self._optimal_steps = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode on a new random level, or on ``options["levels"]`` (a Levels of one)."""
        super().reset(seed=seed)
        options = options or {}
        unknown = set(options) - {"levels"}
        if unknown:
            raise ValueError(f"options may only hold 'levels', got {sorted(unknown)}")
        level = options.get("levels")
        if level is None:
            level = mazes.generate_levels(self.config, 1, self.np_random)
        elif not isinstance(level, Levels) or len(level) != 1:
            raise ValueError("options['levels'] must be a Levels of length 1")
        elif level.size != self.config.size:
            raise ValueError(
                f"options['levels'] must have size {self.config.size}, got {level.size}"
            )
        self.level = level
        self.position = level.start[0].copy()
        self.steps = 0
        self.path = [self.position.copy()]
        distances = level.distances("exit")[0]
        self._optimal_steps = int(distances[tuple(self.position)])
        return self._observation(), self._info()

    def step(self, action):
        """Move; return ``(obs, reward, terminated, truncated, info)``."""
        if self.level is None:
            raise RuntimeError("call reset() before step()")
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an integer in [0, 4], got {action!r}")
        moved = mazes.step(self.level.walls, self.position[None], np.array([int(action)]))
        self.position = moved[0]
        self.steps += 1
        self.path.append(self.position.copy())
        on_exit = bool(np.array_equal(self.position, self.level.exit[0]))
        reward = 1.0 if on_exit else 0.0
        truncated = not on_exit and self.steps >= self.max_steps
        return self._observation(), reward, on_exit, truncated, self._info()

    def render(self):
        """An (H * 16, W * 16, 3) uint8 raster of the level: walls dark, the path so far light
        blue, the exit green, the marker orange, the start and the agent blue (colours from
        :mod:`demos.core.palette`). A plain picture for a reader's own agents; the book's
        figures draw mazes with :func:`demos.figures.drawing.draw_maze`."""
        if self.render_mode != "rgb_array" or self.level is None:
            return None
        size = self.level.size
        cells = np.empty((size, size, 3), dtype=np.uint8)
        cells[:] = _rgb(COLORS["free"])
        cells[self.level.walls[0]] = _rgb(COLORS["wall"])
        for row, col in self.path:
            cells[row, col] = _rgb(COLORS["path"])
        for name, cell in (
            ("marker", self.level.marker[0]),
            ("exit", self.level.exit[0]),
            ("agent", self.position),
        ):
            cells[tuple(cell)] = _rgb(COLORS[name])
        picture = np.kron(cells, np.ones((_CELL_PIXELS, _CELL_PIXELS, 1), dtype=np.uint8))
        picture[::_CELL_PIXELS] = _rgb(COLORS["grid"])  # a line between rows of cells
        picture[:, ::_CELL_PIXELS] = _rgb(COLORS["grid"])
        return picture

    def _observation(self) -> np.ndarray:
        return self.level.observe(self.position[None])[0]

    def _info(self) -> dict:
        return {
            "on_marker": bool(np.array_equal(self.position, self.level.marker[0])),
            "on_exit": bool(np.array_equal(self.position, self.level.exit[0])),
            "optimal_steps": self._optimal_steps,
            "decorrelated": bool(self.level.decorrelated[0]),
            "steps": self.steps,
        }


_CELL_PIXELS = 16
"""Side of a cell in :meth:`MazeEnv.render`'s raster, in pixels."""


def _rgb(colour: str) -> tuple[int, int, int]:
    """ "#RRGGBB" -> (r, g, b) ints."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
