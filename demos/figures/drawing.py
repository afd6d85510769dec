"""The drawing primitives every chapter composes: mazes, reward maps, curves, rates and actions.

Every ``draw_*`` function draws into a matplotlib ``Axes`` it is given and returns it, so the
explorable figures can redraw one figure many times. Colours, symbols and font sizes come from
:mod:`demos.figures.style` (Okabe-Ito colours, and a symbol or line style as well as a colour for
every item, so nothing is told apart by colour alone):

- :func:`draw_maze`: walls, exit (star), marker (diamond), start (ring), a path and the agent;
  :func:`draw_grid` and :func:`maze_legend` are its parts that other drawings reuse.
- :func:`draw_reward_map`: a learned reward map (the mesa-objective) as a heatmap.
- :func:`draw_curves`, :func:`draw_rates`: training curves, and shares of outcomes as bars.
- :func:`draw_actions`: a table of actions as arrows (the lookup table of chapter 1).
- :func:`draw_world`: a keys-and-chests level (chapter 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import make_axes_gridspec
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from demos.core.validation import as_numpy, check_int, check_shape
from demos.figures.style import (
    COLORS,
    CURVE_COLORS,
    FONT,
    HEATMAP,
    LABELS,
    LINE_STYLES,
    OKABE_ITO,
    SYMBOLS,
)
from demos.worlds.keys_chests import Worlds, items_used
from demos.worlds.mazes import ACTIONS

N_ACTIONS = len(ACTIONS)


def draw_walls(ax: Axes, walls: np.ndarray) -> Axes:
    """Draw a grid's walls (dark) and free cells (white) with thin lines between the cells.

    Args:
        ax: the Axes to draw into.
        walls: (H, W) bool. True where the agent cannot stand.
    """
    walls = as_numpy(walls).astype(bool)
    check_shape(
        "walls", walls.shape, "(H, H)", walls.ndim == 2 and walls.shape[0] == walls.shape[1]
    )
    ax.imshow(
        walls,
        cmap=ListedColormap([COLORS["free"], COLORS["wall"]]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    draw_grid(ax, walls.shape[0])
    return ax


def draw_start(ax: Axes, cell, scale: float = 1.0) -> Axes:
    """Draw the start cell as a ring; ``scale`` shrinks symbols on larger grids."""
    ax.plot(
        cell[1],
        cell[0],
        SYMBOLS["start"],
        ms=14 * scale,
        mfc="none",
        mec=COLORS["start"],
        mew=2,
        label=LABELS["start"],
        linestyle="none",
    )
    return ax


def draw_path(
    ax: Axes,
    path: np.ndarray,
    label: str | None = LABELS["path"],
    halo: bool = False,
    end: str | None = None,
    scale: float = 1.0,
) -> Axes:
    """Draw an agent's path (the cells it visited) as a line through the cell centres.

    Args:
        ax: an Axes holding a grid drawn in (row, col) cell coordinates.
        path: (T + 1, 2) int (row, col): the start cell, then the cell after each step.
        label: legend label of the line, or None.
        halo: draw a white band under the line, so it shows on a heatmap.
        end: legend label of a filled dot on the last cell, or None for no dot.
        scale: symbol size factor (smaller on larger grids).
    """
    path = as_numpy(path)
    check_shape("path", path.shape, "(T, 2)", path.ndim == 2 and path.shape[1] == 2)
    if halo:
        ax.plot(path[:, 1], path[:, 0], color="white", lw=4.5, alpha=0.8, solid_capstyle="round")
    ax.plot(path[:, 1], path[:, 0], color=COLORS["path"], lw=2.5, alpha=0.9, label=label)
    if end is not None:
        _symbol(ax, "agent", path[-1], 9 * scale, edge="white" if halo else "black", label=end)
    return ax


def draw_maze(
    ax: Axes,
    levels,
    index: int = 0,
    path: np.ndarray | None = None,
    agent: np.ndarray | None = None,
    title: str | None = None,
    legend: bool = False,
) -> Axes:
    """Draw one level: walls, exit (star), marker (diamond), start (ring), optional path and agent.

    Args:
        ax: the Axes to draw into.
        levels: a :class:`demos.worlds.mazes.Levels` batch.
        index: which level of the batch.
        path: (T, 2) int (row, col) cells visited, drawn as a line through cell centres.
        agent: (2,) int (row, col), the agent's current cell, drawn as a filled dot.
        title: panel title; default "Level {index}".
        legend: whether to add a legend naming the symbols.
    """
    index = check_int("index", index, 0, len(levels) - 1)
    size = levels.size
    draw_walls(ax, levels.walls[index])
    scale = 7.0 / size  # symbols shrink as the grid grows
    exit_, marker = levels.exit[index], levels.marker[index]
    _symbol(ax, "marker", marker, 16 * scale)
    _symbol(ax, "exit", exit_, (14 if np.array_equal(exit_, marker) else 20) * scale)
    draw_start(ax, levels.start[index], scale)
    if path is not None:
        draw_path(ax, path)
    if agent is not None:
        agent = np.asarray(agent).reshape(-1)
        check_shape("agent", agent.shape, "(2,)", agent.shape == (2,))
        _symbol(ax, "agent", agent, 11 * scale)
    ax.set_title(f"Level {index}" if title is None else title, fontsize=FONT["title"])
    if legend:
        maze_legend(ax)
    return ax


def draw_reward_map(
    ax: Axes,
    reward_map: np.ndarray,
    walls: np.ndarray | None = None,
    levels=None,
    index: int = 0,
    title: str | None = "Mesa-objective (learned reward)",
    colorbar: bool | Axes = True,
    label: str = "learned reward",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Draw a reward map as a heatmap, walls greyed out, exit and marker cells outlined.

    Args:
        ax: the Axes to draw into.
        reward_map: (H, W) float (or (1, H, W)). The mesa-objective: what the model wants.
        walls: (H, W) bool, shown grey; default ``levels.walls[index]`` when ``levels`` is given.
        levels: optional :class:`demos.worlds.mazes.Levels`, for walls and the exit/marker outlines.
        index: which level of ``levels``.
        title: panel title (None for none).
        colorbar: whether to add a colour bar labelled ``label`` beside the panel; or the Axes
            to draw it into, made once by :func:`colour_bar_axes` (an explorable's layout).
        label: the colour bar's label.
        vmin, vmax: the values at the ends of the colour scale; default the map's own range.
            Fix both when frames are compared (a replay over training), so a colour means the
            same value in every frame.
    """
    if vmin is not None and vmax is not None and not vmin < vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin}, vmax={vmax}")
    values = as_numpy(reward_map).astype(float)
    if values.ndim == 3 and values.shape[0] == 1:
        values = values[0]
    check_shape("reward_map", values.shape, "(H, W)", values.ndim == 2)
    if levels is not None:
        index = check_int("index", index, 0, len(levels) - 1)
        if walls is None:
            walls = levels.walls[index]
    if walls is not None:
        walls = as_numpy(walls).astype(bool)
        check_shape(
            "walls", walls.shape, f"{values.shape} like reward_map", walls.shape == values.shape
        )
        values = np.ma.masked_array(values, mask=walls)
    cmap = _heatmap_cmap()
    image = ax.imshow(values, cmap=cmap, interpolation="nearest", vmin=vmin, vmax=vmax)
    size = values.shape[0]
    draw_grid(ax, size)
    if levels is not None:
        marker, exit_ = levels.marker[index], levels.exit[index]
        _outline(ax, marker, "--", LABELS["marker"])
        _outline(ax, exit_, "-", LABELS["exit"])
        _symbol(ax, "exit", exit_, 9 * 7.0 / size, edge="white")
        if not np.array_equal(exit_, marker):
            _symbol(ax, "marker", marker, 7 * 7.0 / size, edge="white")
    if title:
        ax.set_title(title, fontsize=FONT["title"])
    if isinstance(colorbar, Axes):
        bar = ax.figure.colorbar(image, cax=colorbar)
    elif colorbar:
        bar = ax.figure.colorbar(image, ax=ax, **_BAR_PLACE)
    if colorbar is not False:
        bar.set_label(label, fontsize=FONT["label"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return ax


_BAR_PLACE = {"fraction": 0.046, "pad": 0.04}
"""Where :func:`draw_reward_map` puts a colour bar: its share of the panel's width, and the gap."""


def colour_bar_axes(ax: Axes) -> Axes:
    """The Axes of a colour bar beside ``ax``, where :func:`draw_reward_map` would put its own:
    for a layout that makes it once (pass it as ``colorbar``)."""
    cax, _ = make_axes_gridspec(ax, **_BAR_PLACE)
    cax.grid(visible=False, which="both", axis="both")
    return cax


def draw_curves(
    ax: Axes,
    history: Mapping[str, Sequence] | Sequence[Mapping[str, Any]],
    x: str = "step",
    ys: Sequence[str] | None = None,
    labels: Sequence[str] | Mapping[str, str] | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    xlabel: str | None = None,
) -> Axes:
    """Draw one or more curves from a training history.

    Args:
        ax: the Axes to draw into.
        history: columns ``{"step": [...], "loss": [...]}`` or rows ``[{"step": 0, "loss": ..}]``.
        x: the column on the x axis; if absent, the row number is used.
        ys: columns to draw; default every column but ``x``. A column named like a key of
            :data:`COLORS` (e.g. "base_objective") gets that colour.
        labels: legend labels, a list parallel to ``ys`` or a dict by column; default the names.
        title, ylabel, xlabel: texts; ``xlabel`` defaults to ``x``.
    """
    columns = _columns(history)
    if ys is None:
        ys = [name for name in columns if name != x]
    ys = list(ys)
    if not ys:
        raise ValueError("ys must name at least one column of history, got none")
    missing = [name for name in ys if name not in columns]
    if missing:
        raise ValueError(f"ys must be columns of history ({', '.join(columns)}), got {missing}")
    if isinstance(labels, Mapping):
        names = [labels.get(name, name) for name in ys]
    elif labels is not None:
        names = list(labels)
        if len(names) != len(ys):
            raise ValueError(f"labels must have one entry per y ({len(ys)}), got {len(names)}")
    else:
        names = [name.replace("_", " ") for name in ys]
    for i, (name, text) in enumerate(zip(ys, names, strict=True)):
        values = np.asarray(columns[name], dtype=float)
        xs = np.asarray(columns[x], dtype=float) if x in columns else np.arange(len(values))
        if xs.shape != values.shape:
            raise ValueError(
                f"history column {name!r} must have the length of {x!r} ({len(xs)}), "
                f"got {len(values)}"
            )
        ax.plot(
            xs,
            values,
            color=COLORS.get(name, CURVE_COLORS[i % len(CURVE_COLORS)]),
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            lw=2,
            label=text,
        )
    ax.set_xlabel(x.replace("_", " ") if xlabel is None else xlabel, fontsize=FONT["label"])
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=FONT["label"])
    if title is not None:
        ax.set_title(title, fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    if len(ys) > 1:
        ax.legend(fontsize=FONT["legend"], frameon=False)
    return ax


def draw_rates(
    ax: Axes,
    rates: Mapping[str, float] | Mapping[str, Mapping[str, float]],
    title: str | None = None,
    ylabel: str = "share of levels",
) -> Axes:
    """Bar chart of outcome shares, e.g. :func:`demos.worlds.outcomes.settle_rates`.

    Args:
        rates: ``{"exit": .., "proxy": .., "neither": ..}``, or several such dicts by group name
            (e.g. ``{"q = 0": {...}, "q = 0.1": {...}}``), drawn as grouped bars.
    """
    groups = rates if all(isinstance(v, Mapping) for v in rates.values()) else {"": rates}
    outcomes = list(next(iter(groups.values())).keys())
    width = 0.8 / len(outcomes)
    hatches = ("", "//", "..", "xx", "\\\\")
    for j, outcome in enumerate(outcomes):
        heights = [float(group.get(outcome, np.nan)) for group in groups.values()]
        ax.bar(
            np.arange(len(groups)) + (j - (len(outcomes) - 1) / 2) * width,
            heights,
            width=width,
            color=COLORS.get(outcome, CURVE_COLORS[j % len(CURVE_COLORS)]),
            hatch=hatches[j % len(hatches)],
            edgecolor="white",
            label=outcome,
        )
    ax.set_xticks(np.arange(len(groups)), list(groups.keys()), fontsize=FONT["tick"])
    ax.set_ylim(0, 1)
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    if title is not None:
        ax.set_title(title, fontsize=FONT["title"])
    ax.legend(fontsize=FONT["legend"], frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ax


def maze_legend(ax: Axes) -> None:
    """The legend under a maze panel, naming its symbols in two compact columns."""
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        fontsize=FONT["legend"],
        markerscale=0.6,
        frameon=False,
        borderaxespad=0.0,
        columnspacing=1.0,
        handletextpad=0.3,
    )


def draw_grid(ax: Axes, size: int) -> None:
    """Thin lines between the cells of a ``size`` x ``size`` grid, no ticks, cell-centred limits."""
    edges = np.arange(0.5, size - 1, 1.0)
    ax.vlines(edges, -0.5, size - 0.5, colors=COLORS["grid"], lw=0.5)
    ax.hlines(edges, -0.5, size - 0.5, colors=COLORS["grid"], lw=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.5, size - 0.5)
    ax.set_ylim(size - 0.5, -0.5)


def _symbol(
    ax: Axes, name: str, cell, size: float, edge: str = "black", label: str | None = None
) -> None:
    ax.plot(
        cell[1],
        cell[0],
        SYMBOLS[name],
        ms=size,
        color=COLORS[name],
        mec=edge,
        mew=0.8,
        linestyle="none",
        label=LABELS[name] if label is None else label,
    )


def _outline(ax: Axes, cell, style: str, label: str) -> None:
    """A white frame (solid or dashed) on a black one: visible on every colour of the heatmap."""
    for color, width, line, text in (("black", 3.5, "-", None), ("white", 1.8, style, label)):
        ax.add_patch(
            Rectangle(
                (cell[1] - 0.45, cell[0] - 0.45),
                0.9,
                0.9,
                fill=False,
                edgecolor=color,
                linestyle=line,
                lw=width,
                label=text,
            )
        )


def _heatmap_cmap():
    from matplotlib import colormaps

    return colormaps[HEATMAP].with_extremes(bad=COLORS["wall"])


def _columns(history) -> dict[str, list]:
    if isinstance(history, Mapping):
        return {str(key): list(values) for key, values in history.items()}
    rows = list(history)
    if not rows or not all(isinstance(row, Mapping) for row in rows):
        raise ValueError("history must be a dict of lists or a non-empty list of dicts")
    names = list(dict.fromkeys(key for row in rows for key in row))
    return {name: [row.get(name, np.nan) for row in rows] for name in names}


def draw_actions(
    ax: Axes,
    actions: np.ndarray,
    walls: np.ndarray,
    color: str = COLORS["neither"],
) -> Axes:
    """Draw a table of actions as arrows (dots for "stay") on the free cells of a maze.

    Draw the maze first (:func:`draw_maze`), then call this on the same Axes.

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


KEY_STYLE = {"marker": "^", "color": OKABE_ITO["orange"], "label": "key (proxy)"}
"""How keys are drawn: the proxy's colour (orange), a triangle."""


CHEST_STYLE = {"marker": "s", "color": OKABE_ITO["bluish_green"], "label": "chest (base objective)"}
"""How chests are drawn: the base objective's colour (bluish green), a square."""


def draw_world(
    ax: Axes,
    worlds: Worlds,
    index: int = 0,
    path: np.ndarray | None = None,
    title: str | None = None,
    legend: bool = False,
) -> Axes:
    """Draw one keys-and-chests level: walls, keys (orange triangles), chests (green squares),
    start (ring).

    With a ``path``, the items the path used are drawn hollow (a key picked up, a chest opened),
    the path as a line through the cell centres, and the last cell as a filled dot.

    Args:
        ax: the Axes to draw into.
        worlds: a :class:`demos.worlds.keys_chests.Worlds` batch.
        index: which level.
        path: (T, 2) int (row, col) cells visited from the start, e.g. ``episodes.paths[index]``.
        title: panel title; default names the level and its counts of keys and chests.
        legend: whether to add a legend naming the symbols.
    """
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    index = check_int("index", index, 0, len(worlds) - 1)
    size = worlds.size
    draw_walls(ax, worlds.walls[index])
    scale = 6.0 / size
    used_keys = np.zeros((size, size), dtype=bool)
    used_chests = np.zeros((size, size), dtype=bool)
    if path is not None:
        used_keys, used_chests = items_used(worlds, index, path)
        draw_path(ax, path)
    for style, items, used in (
        (KEY_STYLE, worlds.keys[index], used_keys),
        (CHEST_STYLE, worlds.chests[index], used_chests),
    ):
        for hollow in (False, True):
            cells = np.argwhere(items & (used if hollow else ~used))
            if not len(cells):
                continue
            verb = "picked up" if style is KEY_STYLE else "opened"
            ax.plot(
                cells[:, 1],
                cells[:, 0],
                style["marker"],
                ms=15 * scale,
                color=style["color"],
                mfc="none" if hollow else style["color"],
                mec=style["color"] if hollow else "black",
                mew=2.0 if hollow else 0.8,
                linestyle="none",
                label=f"{style['label'].split(' (')[0]} {verb}" if hollow else style["label"],
            )
    draw_start(ax, worlds.start[index], scale)
    if path is not None:
        _symbol(ax, "agent", np.asarray(path)[-1], 9 * scale, label="agent (end)")
    if title is None:
        title = (
            f"Level {index}: {worlds.key_counts[index]} keys, {worlds.chest_counts[index]} chests"
        )
    ax.set_title(title, fontsize=FONT["title"])
    if legend:
        maze_legend(ax)
    return ax
