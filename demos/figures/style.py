"""One drawing style for the whole book: mazes, reward maps, curves and rates.

Colours come from the Okabe-Ito palette, which stays distinct under the common forms of colour
blindness, and every item that colour marks also has its own symbol or line style (the exit is
a star, the marker a diamond, the start a ring, the agent a dot). Heatmaps use "viridis", which is
perceptually uniform and prints readably in greyscale.

Figures are laid out in CSS pixels (a figure's ``dpi``, 80 by default, is its CSS pixels per
inch) and saved for the site with :data:`PIXEL_RATIO` pixels per CSS pixel, so they stay crisp on
high-density screens: :func:`to_png` and :func:`as_image` do that, and record the smallest text in
the figure so the browser tests can check it stays legible where the page shows it.

Every ``draw_*`` function draws into a matplotlib ``Axes`` it is given and returns it, so the
explorable figures can redraw one figure many times. :func:`new_figure` builds a
``matplotlib.figure.Figure`` directly, without pyplot's global state: nothing leaks between
cells, and an unused figure is simply garbage collected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from demos.core.validation import check_int, check_shape

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The eight colours of the Okabe-Ito palette."""

COLORS = {
    "exit": OKABE_ITO["bluish_green"],
    "marker": OKABE_ITO["orange"],
    "proxy": OKABE_ITO["orange"],
    "agent": OKABE_ITO["blue"],
    "start": OKABE_ITO["blue"],
    "path": OKABE_ITO["sky_blue"],
    "wall": "#4A4A4A",
    "free": "#FFFFFF",
    "grid": "#C8C8C8",
    "neither": "#999999",
    "base_objective": OKABE_ITO["bluish_green"],
    "mesa_objective": OKABE_ITO["reddish_purple"],
    "behavioral_objective": OKABE_ITO["sky_blue"],
    "intended_goal": OKABE_ITO["black"],
    "planner": OKABE_ITO["blue"],
    "reactive": OKABE_ITO["vermillion"],
}
"""Named colours. The exit and the base objective share a colour, as do the marker and the proxy."""

SYMBOLS = {"exit": "*", "marker": "D", "start": "o", "agent": "o"}
"""Matplotlib marker symbols, so no item is told apart by colour alone."""

CURVE_COLORS = tuple(
    OKABE_ITO[name]
    for name in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue")
)
"""Colours of successive curves in :func:`draw_curves`, when a curve's name has no colour."""
LINE_STYLES = ("-", "--", "-.", ":")
"""Line styles of successive curves, so they differ in greyscale too."""

HEATMAP = "viridis"
"""Colormap of reward maps and other heatmaps."""

FONT = {"title": 13, "label": 12, "tick": 11, "legend": 11}
"""Font sizes in points. At a figure's default 80 dpi one point is 1.11 CSS pixels, so the smallest
(11 pt) is about 12 px where the figure is shown at its full width."""

PIXEL_RATIO = 2
"""Pixels per CSS pixel in the images of the site (2 = crisp on high-density screens)."""

PNG_PIXEL_RATIO_KEY = "demos-pixel-ratio"
"""PNG text chunk naming the pixel ratio, read by the book's build to size the image."""
PNG_MIN_TEXT_KEY = "demos-min-text-px"
"""PNG text chunk with the smallest text of the figure in CSS pixels, read by the browser tests."""

LABELS = {
    "exit": "exit (base objective)",
    "marker": "marker (proxy)",
    "start": "start",
    "agent": "agent",
    "path": "path",
}


def new_figure(
    ncols: int = 1,
    nrows: int = 1,
    width: float | None = None,
    height: float | None = None,
    dpi: int = 80,
    layout: str | None = None,
) -> tuple[Figure, Any]:
    """A figure with a grid of axes, made without pyplot.

    Args:
        ncols, nrows: int >= 1, the grid of panels.
        width, height: inches; default 4 per column and 3.6 per row.
        dpi: int >= 20, dots per inch for display and PNG output.
        layout: None for fixed margins that fit titles, axis labels and colour bars (fast), or
            "constrained" to let matplotlib fit them exactly (about 50 ms more per draw).

    Returns:
        ``(figure, axes)``: a single ``Axes`` for one panel, else a numpy array of them
        (1-D for one row or column, 2-D otherwise).
    """
    ncols = check_int("ncols", ncols, 1, 12)
    nrows = check_int("nrows", nrows, 1, 12)
    dpi = check_int("dpi", dpi, 20, 600)
    width = 4.0 * ncols if width is None else float(width)
    height = 3.6 * nrows if height is None else float(height)
    if not (0 < width <= 40 and 0 < height <= 40):
        raise ValueError(f"width and height must be in (0, 40] inches, got {width}, {height}")
    if layout not in (None, "constrained"):
        raise ValueError(f"layout must be one of None, 'constrained', got {layout!r}")
    figure = Figure(figsize=(width, height), dpi=dpi, layout=layout)
    FigureCanvasAgg(figure)
    axes = figure.subplots(nrows, ncols, squeeze=True)
    if layout is None:
        inch_w, inch_h = 1.0 / width, 1.0 / height
        figure.subplots_adjust(
            left=0.7 * inch_w,
            right=1 - 0.7 * inch_w,
            bottom=0.6 * inch_h,
            top=1 - 0.4 * inch_h,
            wspace=0.45,
            hspace=0.45,
        )
    return figure, axes


def min_text_points(figure: Figure) -> float:
    """The smallest font size, in points, of any visible, non-empty text of ``figure`` (inf if
    it has none). Call it after the figure was drawn, so tick labels exist."""
    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and text.figure is not None
    ]
    return float(min(sizes)) if sizes else float("inf")


def to_png(
    figure: Figure, pixel_ratio: int = PIXEL_RATIO, tight: bool = False, compact: bool = True
) -> bytes:
    """PNG bytes of ``figure`` with ``pixel_ratio`` pixels per CSS pixel.

    The PNG records the ratio and the figure's smallest text (in CSS pixels) in two text chunks
    (:data:`PNG_PIXEL_RATIO_KEY`, :data:`PNG_MIN_TEXT_KEY`): the book's build shows the image at
    its CSS size, and the browser tests check the text stays legible.

    Args:
        figure: a drawn or undrawn figure; its ``dpi`` is its CSS pixels per inch.
        pixel_ratio: int in [1, 4]; 2 suits high-density screens.
        tight: crop to the drawn content (``bbox_inches="tight"``).
        compact: re-encode with a 256-colour palette (about a third of the size, same look).
    """
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    pixel_ratio = check_int("pixel_ratio", pixel_ratio, 1, 4)
    buffer = io.BytesIO()
    options = {"bbox_inches": "tight"} if tight else {}
    figure.savefig(buffer, format="png", dpi=figure.dpi * pixel_ratio, **options)
    smallest = min_text_points(figure) * figure.dpi / 72
    info = PngInfo()
    info.add_text(PNG_PIXEL_RATIO_KEY, str(pixel_ratio))
    if np.isfinite(smallest):
        info.add_text(PNG_MIN_TEXT_KEY, f"{smallest:.1f}")
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        image.load()
        out = io.BytesIO()
        if compact:
            image = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        image.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def png_css_size(data: bytes) -> tuple[int, int]:
    """(width, height) in CSS pixels at which PNG bytes made by :func:`to_png` are shown."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        ratio = int(image.info.get(PNG_PIXEL_RATIO_KEY, 1))
        return round(image.width / ratio), round(image.height / ratio)


def as_image(figure: Figure, tight: bool = False):
    """``figure`` as an ``IPython.display.Image`` for a notebook cell or ``glue``: PNG from
    :func:`to_png`, shown at its CSS size in Jupyter and on the site."""
    from IPython.display import Image

    data = to_png(figure, tight=tight)
    width, _height = png_css_size(data)  # a width alone, so the image scales without distortion
    return Image(data=data, format="png", width=width)


def figure_to_array(figure: Figure) -> np.ndarray:
    """Render ``figure`` to an (height, width, 3) uint8 RGB array (for ``render()`` and videos)."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else None
    canvas = canvas or FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


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
    walls = np.asarray(levels.walls[index])
    size = walls.shape[0]
    ax.imshow(
        walls,
        cmap=ListedColormap([COLORS["free"], COLORS["wall"]]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    draw_grid(ax, size)
    scale = 7.0 / size  # symbols shrink as the grid grows
    exit_ = levels.exit[index]
    marker = levels.marker[index]
    start = levels.start[index]
    _symbol(ax, "marker", marker, 16 * scale)
    _symbol(ax, "exit", exit_, (14 if np.array_equal(exit_, marker) else 20) * scale)
    ax.plot(
        start[1],
        start[0],
        SYMBOLS["start"],
        ms=14 * scale,
        mfc="none",
        mec=COLORS["start"],
        mew=2,
        label=LABELS["start"],
        linestyle="none",
    )
    if path is not None:
        path = np.asarray(path)
        check_shape("path", path.shape, "(T, 2)", path.ndim == 2 and path.shape[1] == 2)
        ax.plot(
            path[:, 1], path[:, 0], color=COLORS["path"], lw=2.5, alpha=0.9, label=LABELS["path"]
        )
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
    colorbar: bool = True,
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
        colorbar: whether to add a colour bar labelled ``label`` beside the panel.
        label: the colour bar's label.
        vmin, vmax: the values at the ends of the colour scale; default the map's own range.
            Fix both when frames are compared (a replay over training), so a colour means the
            same value in every frame.
    """
    if vmin is not None and vmax is not None and not vmin < vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin}, vmax={vmax}")
    values = _numpy(reward_map).astype(float)
    if values.ndim == 3 and values.shape[0] == 1:
        values = values[0]
    check_shape("reward_map", values.shape, "(H, W)", values.ndim == 2)
    if levels is not None:
        index = check_int("index", index, 0, len(levels) - 1)
        if walls is None:
            walls = levels.walls[index]
    if walls is not None:
        walls = _numpy(walls).astype(bool)
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
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        bar.set_label(label, fontsize=FONT["label"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return ax


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
    """Bar chart of outcome shares, e.g. :func:`demos.analysis.metrics.settle_rates`.

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


def _symbol(ax: Axes, name: str, cell, size: float, edge: str = "black") -> None:
    ax.plot(
        cell[1],
        cell[0],
        SYMBOLS[name],
        ms=size,
        color=COLORS[name],
        mec=edge,
        mew=0.8,
        linestyle="none",
        label=LABELS[name],
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


def _numpy(array) -> np.ndarray:
    if hasattr(array, "detach"):
        array = array.detach().cpu().numpy()
    return np.asarray(array)
