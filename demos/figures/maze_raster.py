"""Mazes drawn as one image each, several side by side in one Axes: fast enough to redraw live.

The learned planner's explorables (:mod:`demos.figures.learned_search`, chapters 1 to 3) redraw
one or three mazes per update. :func:`demos.figures.drawing.draw_maze` gives each maze its own
Axes with grid lines, which costs more than a live update may (150 ms). Here a maze is one RGB
raster (walls dark, free cells white, an optional shade per cell blended in), copies sit side by
side in a single Axes with a one-cell gap, and the exit (star), the marker (diamond, when it is
not on the exit) and the start (ring) are drawn with one call each for all copies. Colours and
symbols are those of :mod:`demos.figures.style`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from demos.core.validation import check_int, check_shape
from demos.figures.style import COLORS, FONT, SYMBOLS


def maze_rgb(walls: np.ndarray, shade: np.ndarray | None = None) -> np.ndarray:
    """(H, W, 3) float image of a maze: walls dark grey, free cells white, and where ``shade``
    (an (H, W, 4) RGBA array, alpha in [0, 1]) has alpha, its colour blended over free cells."""
    walls = np.asarray(walls, dtype=bool)
    check_shape("walls", walls.shape, "(H, W)", walls.ndim == 2)
    image = np.where(walls[..., None], np.array(to_rgb(COLORS["wall"])), 1.0)
    if shade is not None:
        shade = np.asarray(shade, dtype=float)
        check_shape(
            "shade", shade.shape, f"{walls.shape + (4,)}", shade.shape == walls.shape + (4,)
        )
        alpha = np.where(walls, 0.0, shade[..., 3])[..., None]
        image = image * (1 - alpha) + shade[..., :3] * alpha
    return image


def mask_shade(mask: np.ndarray, colour: str, alpha: float = 0.8) -> np.ndarray:
    """(H, W, 4) RGBA: ``colour`` at ``alpha`` where ``mask`` is True, transparent elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    shade = np.zeros(mask.shape + (4,))
    shade[mask] = (*to_rgb(colour), alpha)
    return shade


def draw_maze_row(
    ax: Axes,
    levels,
    index: int,
    shades: Sequence[np.ndarray | None],
    titles: Sequence[str],
    paths: Sequence[np.ndarray | None] | None = None,
    extra: Sequence[tuple[np.ndarray, dict]] = (),
) -> Axes:
    """Copies of level ``index`` side by side in ``ax``, one per shade, each titled.

    Args:
        ax: the Axes (its ticks are removed).
        levels: a :class:`demos.worlds.mazes.Levels`.
        index: which level.
        shades: per copy, an (H, W, 4) RGBA shade (see :func:`mask_shade`) or None.
        titles: per copy, the text above it.
        paths: optional per copy, (T, 2) cells walked, drawn as a line.
        extra: ``(cell, style)`` pairs: one more symbol in every copy (``style`` goes to
            ``ax.plot``), e.g. a steering target.
    """
    index = check_int("index", index, 0, len(levels) - 1)
    if len(titles) != len(shades):
        raise ValueError(f"titles must have one entry per shade ({len(shades)}), got {len(titles)}")
    size = levels.size
    walls = np.asarray(levels.walls[index])
    step = size + 1
    blocks = []
    for i, shade in enumerate(shades):
        blocks.append(maze_rgb(walls, shade))
        if i < len(shades) - 1:
            blocks.append(np.ones((size, 1, 3)))
    ax.imshow(np.concatenate(blocks, axis=1), interpolation="nearest")
    offsets = np.arange(len(shades)) * step
    scale = 7.0 / size
    exit_, marker, start = levels.exit[index], levels.marker[index], levels.start[index]

    def symbols(cell, name, ms, **style):
        ax.plot(cell[1] + offsets, np.full(len(offsets), cell[0]), SYMBOLS[name], ms=ms,
                linestyle="none", **style)  # fmt: skip

    if not np.array_equal(exit_, marker):
        symbols(marker, "marker", 16 * scale, color=COLORS["marker"], mec="black", mew=0.8)
    symbols(exit_, "exit", 20 * scale, color=COLORS["exit"], mec="black", mew=0.8)
    symbols(start, "start", 14 * scale, mfc="none", mec=COLORS["start"], mew=2)
    for cell, style in extra:
        ax.plot(np.asarray(cell)[1] + offsets, np.full(len(offsets), cell[0]), linestyle="none",
                **style)  # fmt: skip
    for offset, path in zip(offsets, paths or [None] * len(shades), strict=True):
        if path is not None:
            ax.plot(path[:, 1] + offset, path[:, 0], color=COLORS["path"], lw=2.5, alpha=0.9)
    for offset in offsets:
        ax.add_patch(Rectangle((offset - 0.5, -0.5), size, size, fill=False, lw=1.2,
                               edgecolor=COLORS["wall"]))  # fmt: skip
    for offset, title in zip(offsets, titles, strict=True):
        ax.text(offset + (size - 1) / 2, -0.9, title, ha="center", va="bottom",
                fontsize=FONT["title"])  # fmt: skip
    ax.set_xlim(-0.5, offsets[-1] + size - 0.5)
    ax.set_ylim(size - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_frame_on(False)
    return ax
