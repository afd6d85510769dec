"""One look for the whole book: colours, symbols, fonts, figure size and PNG output.

Colours come from the Okabe-Ito palette (:mod:`demos.core.palette`), which stays distinct under
the common forms of colour blindness, and every item that colour marks also has its own symbol or
line style (the exit is a star, the marker a diamond, the start a ring, the agent a dot).
Heatmaps use "viridis", which is perceptually uniform and prints readably in greyscale. The
drawing primitives built on this look are in :mod:`demos.figures.drawing`.

Figures are laid out in CSS pixels (a figure's ``dpi``, 80 by default, is its CSS pixels per
inch) and saved for the site with :data:`PIXEL_RATIO` pixels per CSS pixel, so they stay crisp on
high-density screens: :func:`to_png` and :func:`as_image` do that, and record the smallest text in
the figure so the browser tests can check it stays legible where the page shows it.

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
from matplotlib.text import Text

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

FONT = {"title": 13, "label": 12, "tick": 11, "legend": 11}
"""Font sizes in points. At a figure's default 80 dpi one point is 1.11 CSS pixels, so the smallest
(11 pt) is about 12 px where the figure is shown at its full width."""

PIXEL_RATIO = 2
"""Pixels per CSS pixel in the images of the site (2 = crisp on high-density screens)."""

PNG_PIXEL_RATIO_KEY = "demos-pixel-ratio"
"""PNG text chunk naming the pixel ratio, read by the book's build to size the image."""
PNG_MIN_TEXT_KEY = "demos-min-text-px"
"""PNG text chunk with the smallest text of the figure in CSS pixels, read by the browser tests."""

FAST_RC = {"axes.titley": 1.0}
"""Matplotlib settings under which explorables draw, for speed without a visible change: a title
at a fixed height (1.0, then its usual padding) spares matplotlib measuring every tick label of an
axes on each draw to see whether the title must move up, which it never must in the book's
figures (their x ticks are at the bottom)."""

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

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    if not isinstance(figure, Figure):
        raise ValueError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
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

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        ratio = int(image.info.get(PNG_PIXEL_RATIO_KEY, 1))
        return round(image.width / ratio), round(image.height / ratio)


def as_image(figure: Figure, tight: bool = True):
    """``figure`` as an ``IPython.display.Image`` for a notebook cell or ``glue``: PNG from
    :func:`to_png` (cropped to what is drawn unless ``tight`` is False), shown at its CSS size in
    Jupyter and on the site; the cell's metadata or the glue directive gives caption and alt
    text."""
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
