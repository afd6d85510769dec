"""One look for the whole book: colours, symbols, fonts, figure size and PNG output.

Colours come from the Okabe-Ito palette (:mod:`demos.core.palette`), which stays distinct under
the common forms of colour blindness, and every item that colour marks also has its own symbol or
line style (the exit is a star, the marker a diamond, the start a ring, the agent a dot).
Heatmaps use "viridis", which is perceptually uniform and prints readably in greyscale. The
drawing primitives built on this look are in :mod:`demos.figures.drawing`.

:func:`new_figure` builds a ``matplotlib.figure.Figure`` directly, without pyplot's global state:
nothing leaks between cells, and an unused figure is simply garbage collected. :func:`style_axes`
gives an Axes the book's titles, labels and grid; :func:`to_png` and :func:`as_image` turn a
figure into the PNG a notebook shows or glues.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from demos.core.palette import COLORS, OKABE_ITO
from demos.core.validation import check_int

__all__ = ["COLORS", "OKABE_ITO"]  # re-exported: figures import every style name from here


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

FONT = {"title": 12, "label": 11, "tick": 9, "legend": 9}
"""Font sizes in points."""

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


def style_axes(
    ax: Axes,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    grid: bool = True,
) -> Axes:
    """The book's axis look: title, axis labels and ticks in :data:`FONT` sizes, a light grid."""
    if title:
        ax.set_title(title, fontsize=FONT["title"])
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=FONT["label"])
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    if grid:
        ax.grid(alpha=0.3)
    return ax


def to_png(figure: Figure, tight: bool = True) -> bytes:
    """PNG bytes of ``figure`` at its own dpi; ``tight`` trims the empty margin around it."""
    if not isinstance(figure, Figure):
        raise ValueError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, bbox_inches="tight" if tight else None)
    return buffer.getvalue()


def as_image(figure: Figure, tight: bool = True):
    """``figure`` as an ``IPython.display.Image``, so a notebook can show (or ``glue``) a figure
    built without pyplot; the cell's metadata or the glue directive gives caption and alt text."""
    from IPython.display import Image

    return Image(data=to_png(figure, tight), format="png")


def figure_to_array(figure: Figure) -> np.ndarray:
    """Render ``figure`` to an (height, width, 3) uint8 RGB array (for ``render()`` and videos)."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else None
    canvas = canvas or FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
