"""The book's one mechanism for interactive figures, live in Jupyter and kernel-free on the site.

An :class:`Explorable` is a render function plus a small grid of parameter values. Displayed in a
notebook it becomes:

- **in Jupyter** (a live kernel): ipywidgets controls that offer only the grid's values and draw
  the chosen point on every change. Nothing is pre-rendered, so a reader never waits for
  frames they will not look at.
- **on the published site** (no kernel): one pre-rendered frame per grid point, inline in the page,
  with plain HTML controls and a few lines of inline JavaScript that swap frames at once. Each
  frame carries its own alt text. The page requests nothing from any other host.

On the site every frame carries :data:`demos.figures.style.PIXEL_RATIO` pixels per CSS pixel, so it
stays crisp on high-density screens; the live form draws at one pixel per CSS pixel, which keeps a
redraw within the latency budget. A ``label`` makes the figure a numbered figure of the book that
prose can cite with ``{numref}`` (the book's Sphinx extension ``book/_ext/chapter_numbering.py``
wraps it).

Why both: an ipywidgets slider on a static page moves but its plot cannot change (there is no
kernel to recompute it), and the widget JavaScript is fetched from a CDN, so offline it shows
nothing at all.

Which form a cell produces is decided when it is displayed: the kernel-free HTML when the
environment variable :data:`STATIC_ENV` is set (``make book`` sets it, and the kernel that executes
the notebooks inherits the builder's environment), the live widget otherwise. ``_config.yml`` ranks
``text/html`` first for the html builder and stops myst-nb from adding widget scripts.

Example::

    def render(fig, learning_rate):
        ax = fig.add_subplot()
        ax.plot(...)

    Explorable(render, {"learning_rate": [0.01, 0.1, 0.5]},
               alt="Path of gradient descent with learning rate {learning_rate}.")

A ``layout`` cuts a live update by a quarter to a half: ``layout(fig)`` builds once what every frame
shares (the axes, above all, whose ticks are costly to make) and returns them, and
``render(axes, **params)`` draws one point into them (:mod:`demos.figures.kept_figure`)::

    Explorable(lambda ax, learning_rate: ax.plot(...), {"learning_rate": [0.01, 0.1, 0.5]},
               layout=lambda fig: fig.add_subplot(), alt=...)
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import os
import re
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from numbers import Number
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from demos.figures.kept_figure import KeptFigure
from demos.figures.style import FAST_RC, PIXEL_RATIO, min_text_points

STATIC_ENV = "DEMOS_STATIC_EXPLORABLES"
"""Environment variable: when set to a non-empty value other than "0", explorables render
kernel-free HTML instead of live widgets."""

LATENCY_LOG_ENV = "DEMOS_LATENCY_LOG"
"""Environment variable: a file path to which each displayed explorable appends its measured live
update latency (one JSON line). Set by the benchmark, ``python -m demos.bench``."""

LIVE_PNG = {"compress_level": 1}
"""Pillow's PNG settings for the live form: light compression, since the image only crosses to
the browser on the reader's own machine (a few milliseconds of each update saved)."""

REUSE_CHECKS = 2
"""How many of an explorable's frames :meth:`Explorable.frames` also draws on a fresh figure, when
the explorable has a layout, to check that the kept figure draws the same pixels."""

MAX_FRAMES = 160
"""Most grid points one explorable may pre-render (frames are inline, so they weigh on the page)."""

LABEL_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")
"""What a label may look like: the form Sphinx keeps unchanged as a figure's name."""


class ExplorableRenderError(RuntimeError):
    """The render function raised; the message names the parameter values that caused it."""


def static_mode() -> bool:
    """True when explorables should produce their kernel-free HTML (the book is being built)."""
    return os.environ.get(STATIC_ENV, "") not in ("", "0")


class Explorable:
    """An interactive figure over a small grid of parameter values.

    Args:
        render: ``render(fig, **params)`` draws into ``fig``, a new, empty
            ``matplotlib.figure.Figure`` for every frame; or, with a ``layout``,
            ``render(handles, **params)`` draws into what the layout returned. It must not call
            ``pyplot``. One keyword argument per grid parameter.
        grid: mapping from parameter name (a Python identifier, the keyword ``render`` receives)
            to a non-empty sequence of distinct values; numbers get a slider, anything else a menu.
        alt: alt text for each frame: a format string over the parameters, e.g.
            ``"Loss curve for learning rate {learning_rate}"``, or a callable ``alt(**params)``.
        caption: one or two sentences shown under the figure on the site.
        label: optional name by which prose refers to the figure, e.g. ``"fig-training-replay"``
            for ``{numref}`fig-training-replay```: lower-case letters, digits, ``-`` and ``_``.
            On the site the figure is then numbered with the chapter's figures (Fig. 1.2).
        labels: optional display names of the parameters (defaults to the names with ``_`` as
            spaces).
        formats: optional per-parameter format strings for values, e.g. ``{"q": "{:.0%}"}``.
        initial: optional starting values (default: the middle of each grid axis).
        figsize: figure size in inches (width, height).
        dpi: CSS pixels per inch of the figure (the layout). The site's frames carry
            :data:`~demos.figures.style.PIXEL_RATIO` times as many pixels; the live form draws at
            ``dpi``, which keeps updates fast.
        max_frames: cap on the number of grid points (the product of the axis lengths).
        layout: optional ``layout(fig) -> handles`` that builds, once, what every frame shares
            (see :class:`~demos.figures.kept_figure.KeptFigure`); frames are then redrawn on one
            kept figure instead of a new one, which cuts a live update by a quarter to a half.
    """

    def __init__(
        self,
        render: Callable[..., Any],
        grid: Mapping[str, Sequence[Any]],
        *,
        alt: str | Callable[..., str],
        caption: str = "",
        label: str | None = None,
        labels: Mapping[str, str] | None = None,
        formats: Mapping[str, str] | None = None,
        initial: Mapping[str, Any] | None = None,
        figsize: tuple[float, float] = (8.0, 3.6),
        dpi: int = 80,
        max_frames: int = MAX_FRAMES,
        layout: Callable[[Figure], Any] | None = None,
    ) -> None:
        if not callable(render):
            raise ValueError(f"render must be callable, got {render!r}")
        if layout is not None and not callable(layout):
            raise ValueError(f"layout must be callable or None, got {layout!r}")
        self.render = render
        self.layout = layout
        self._kept: dict[int, KeptFigure] = {}  # one kept figure per dpi, made on first use
        self.grid = _validate_grid(grid, max_frames)
        if isinstance(alt, str):
            if not alt.strip():
                raise ValueError("alt must be a non-empty description of the figure, got ''")
        elif not callable(alt):
            raise ValueError(f"alt must be a format string or a callable, got {alt!r}")
        self.alt = alt
        self.caption = caption
        if label is not None and not (isinstance(label, str) and LABEL_PATTERN.fullmatch(label)):
            raise ValueError(
                "label must be lower-case letters, digits, '-' and '_', starting with a letter "
                f"(e.g. 'fig-training-replay'), got {label!r}"
            )
        self.label = label
        self.labels = {name: name.replace("_", " ") for name in self.grid}
        for name, label in (labels or {}).items():
            self._check_known("labels", name)
            self.labels[name] = str(label)
        self.formats = dict(formats or {})
        for name in self.formats:
            self._check_known("formats", name)
        self.initial = {name: values[(len(values) - 1) // 2] for name, values in self.grid.items()}
        for name, value in (initial or {}).items():
            self._check_known("initial", name)
            if value not in self.grid[name]:
                raise ValueError(
                    f"initial[{name!r}] must be one of the grid values {list(self.grid[name])}, "
                    f"got {value!r}"
                )
            self.initial[name] = value
        if len(figsize) != 2 or min(figsize) <= 0:
            raise ValueError(f"figsize must be two positive numbers (inches), got {figsize!r}")
        self.figsize = (float(figsize[0]), float(figsize[1]))
        if not isinstance(dpi, int) or not 30 <= dpi <= 300:
            raise ValueError(f"dpi must be an integer in [30, 300], got {dpi!r}")
        self.dpi = dpi
        self.min_text_px: float | None = None

    # ------------------------------------------------------------------ rendering
    @property
    def points(self) -> list[dict[str, Any]]:
        """Every grid point, in the order the kernel-free frames are stored (last axis fastest)."""
        names = list(self.grid)
        return [
            dict(zip(names, values, strict=True))
            for values in itertools.product(*self.grid.values())
        ]

    def describe(self, **params: Any) -> str:
        """The alt text for one grid point."""
        if callable(self.alt):
            return str(self.alt(**params))
        return self.alt.format(**params)

    def format_value(self, name: str, value: Any) -> str:
        """How a parameter value is shown next to its control."""
        if name in self.formats:
            return self.formats[name].format(value)
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def draw(self, **params: Any) -> Figure:
        """The grid point ``params`` drawn at :attr:`dpi`: into a new figure, or, with a layout,
        into the explorable's kept figure (the same object on every call: copy what you need
        before the next draw)."""
        return self._drawn(params, self.dpi)

    def _drawn(self, params: Mapping[str, Any], dpi: int, fresh: bool = False) -> Figure:
        point = dict(self.initial)
        for name, value in params.items():
            self._check_known("params", name)
            point[name] = value
        try:
            with rc_context(FAST_RC):
                if self.layout is None:
                    # A new figure for every frame, not a cleared one: Figure.clear() resets every
                    # Axes before discarding it, which cost a fifth to two fifths of an update.
                    figure = Figure(figsize=self.figsize, dpi=dpi)
                    self.render(figure, **point)
                elif fresh:
                    figure = Figure(figsize=self.figsize, dpi=dpi)
                    self.render(self.layout(figure), **point)
                else:
                    if dpi not in self._kept:
                        self._kept[dpi] = KeptFigure(self.layout, self.figsize, dpi)
                    figure = self._kept[dpi].redraw(self.render, point)
        except Exception as error:
            shown = ", ".join(f"{name}={value!r}" for name, value in point.items())
            raise ExplorableRenderError(
                f"the render function {getattr(self.render, '__name__', self.render)!r} failed "
                f"for {shown}: {type(error).__name__}: {error}"
            ) from error
        return figure

    def png(self, *, pixel_ratio: int = 1, **params: Any) -> bytes:
        """The grid point ``params`` as PNG bytes, with ``pixel_ratio`` (1 to 4) pixels per CSS
        pixel: 1 for the live form, :data:`~demos.figures.style.PIXEL_RATIO` for the site."""
        if not isinstance(pixel_ratio, int) or not 1 <= pixel_ratio <= 4:
            raise ValueError(f"pixel_ratio must be an integer in [1, 4], got {pixel_ratio!r}")
        figure = self.draw(**params)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=self.dpi * pixel_ratio, pil_kwargs=LIVE_PNG)
        return buffer.getvalue()

    def frames(self, progress: bool = False) -> list[bytes]:
        """One compact frame per grid point (image type :func:`frame_format`), in :attr:`points`
        order, at the site's pixel ratio.

        Also records :attr:`min_text_px`, the smallest text drawn in any frame, in CSS pixels.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from tqdm.auto import tqdm

        # Drawn straight at the site's resolution and taken from the canvas's pixels: no PNG is
        # encoded and decoded again on the way (a third of the time of pre-rendering).
        dpi = self.dpi * PIXEL_RATIO
        points = self.points
        checked = _spread(len(points), REUSE_CHECKS) if self.layout is not None else []
        frames, smallest, drawn = [], math.inf, {}
        for index in tqdm(range(len(points)), desc="pre-rendering frames", disable=not progress):
            figure = self._drawn(points[index], dpi)
            canvas = _agg_canvas(figure)
            canvas.draw()
            frames.append(_compact_pixels(canvas.buffer_rgba()))
            if index in checked:
                drawn[index] = np.array(canvas.buffer_rgba())
            smallest = min(smallest, min_text_points(figure))
        for index, pixels in drawn.items():
            fresh = FigureCanvasAgg(self._drawn(points[index], dpi, fresh=True))
            fresh.draw()
            if not np.array_equal(np.asarray(fresh.buffer_rgba()), pixels):
                shown = ", ".join(f"{name}={value!r}" for name, value in points[index].items())
                raise ExplorableRenderError(
                    f"the render function {getattr(self.render, '__name__', self.render)!r} drew "
                    f"{shown} differently on the kept figure than on a fresh one: an earlier frame "
                    "left something behind that the layout does not restore (say, tick or grid "
                    "settings); set it in the layout, or in every frame alike"
                )
        self.min_text_px = smallest * self.dpi / 72 if math.isfinite(smallest) else None
        return frames

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of a frame in CSS pixels."""
        return round(self.figsize[0] * self.dpi), round(self.figsize[1] * self.dpi)

    # ------------------------------------------------------------------ kernel-free form
    def to_html(self, progress: bool = False) -> str:
        """Self-contained HTML: every frame inline, controls that swap frames, no network.

        The look (spacing, colours in light and dark mode, print) comes from the book's
        stylesheet, ``book/_static/site.css``; without it the figure still works.
        """
        names = list(self.grid)
        frames = [base64.b64encode(frame).decode("ascii") for frame in self.frames(progress)]
        alts = [self.describe(**point) for point in self.points]
        start = _index_of(self.grid, self.initial)
        ident = (
            "explorable-"
            + hashlib.sha1(
                (json.dumps(names) + "".join(frames[:1]) + str(len(frames))).encode()
            ).hexdigest()[:10]
        )
        strides = [math.prod(len(self.grid[n]) for n in names[i + 1 :]) for i in range(len(names))]
        controls = []
        for number, name in enumerate(names):
            values = self.grid[name]
            position = values.index(self.initial[name])
            shown = [self.format_value(name, value) for value in values]
            label = html.escape(self.labels[name])
            control_id = f"{ident}-{number}"
            current = html.escape(shown[position])
            if all(isinstance(value, Number) for value in values):
                control = (
                    f'<input type="range" id="{control_id}" min="0" max="{len(values) - 1}" '
                    f'step="1" value="{position}" data-param="{name}" '
                    f'aria-valuetext="{current}" '
                    f"data-values='{html.escape(json.dumps(shown))}'>"
                    f'<output for="{control_id}" aria-hidden="true">{current}</output>'
                )
            else:
                options = "".join(
                    f'<option value="{i}"{" selected" if i == position else ""}>'
                    f"{html.escape(text)}</option>"
                    for i, text in enumerate(shown)
                )
                control = (
                    f'<select id="{control_id}" data-param="{name}">{options}</select>'
                    f'<output for="{control_id}" class="explorable-print-only" '
                    f'aria-hidden="true">{current}</output>'
                )
            controls.append(
                f'<div class="explorable-control"><label for="{control_id}">{label}</label>'
                f"{control}</div>"
            )
        width, height = self.size_px
        caption = (
            f'<figcaption class="explorable-caption">{html.escape(self.caption)}</figcaption>'
            if self.caption
            else ""
        )
        label = f' data-label="{self.label}"' if self.label else ""
        smallest = (
            f' data-min-text-px="{self.min_text_px:.1f}"' if self.min_text_px is not None else ""
        )
        mime = "image/" + frame_format()
        payload = json.dumps({"frames": frames, "alts": alts, "strides": strides, "mime": mime})
        return (
            f'<figure class="explorable" id="{ident}"{label}{smallest}>'
            '<div class="explorable-controls">' + "".join(controls) + "</div>"
            '<div class="explorable-frame">'
            f'<img src="data:{mime};base64,{frames[start]}" alt="{html.escape(alts[start])}" '
            f'width="{width}" height="{height}" data-pixel-ratio="{PIXEL_RATIO}">'
            "</div>"
            + caption
            + f'<script type="application/json" class="explorable-data">{payload}</script>'
            + "<script>"
            + _SWAP_SCRIPT.replace("__ID__", ident)
            + "</script></figure>"
        )

    # ------------------------------------------------------------------ live form
    def widget(self):
        """The live form: controls above an image redrawn on each change (needs a kernel)."""
        import ipywidgets as widgets

        image = widgets.Image(format="png", value=self.png(**self.initial))
        description = widgets.HTML(
            value=f"<small>{html.escape(self.describe(**self.initial))}</small>"
        )
        controls = {}
        for name, values in self.grid.items():
            options = [(self.format_value(name, value), value) for value in values]
            if all(isinstance(value, Number) for value in values):
                control = widgets.SelectionSlider(
                    options=options,
                    value=self.initial[name],
                    description=self.labels[name],
                    continuous_update=True,
                    style={"description_width": "initial"},
                )
            else:
                control = widgets.Dropdown(
                    options=options,
                    value=self.initial[name],
                    description=self.labels[name],
                    style={"description_width": "initial"},
                )
            controls[name] = control

        def update(_change=None):
            point = {name: control.value for name, control in controls.items()}
            image.value = self.png(**point)
            description.value = f"<small>{html.escape(self.describe(**point))}</small>"

        for control in controls.values():
            control.observe(update, names="value")
        box = widgets.VBox(
            [widgets.HBox(list(controls.values())), image, description]
            + ([widgets.HTML(f"<em>{html.escape(self.caption)}</em>")] if self.caption else [])
        )
        box.update = update  # handy for tests and for measuring latency
        box.controls = controls
        return box

    def update_latency(self, updates: int = 12) -> float:
        """Median seconds of one live update (redraw + PNG encoding), cycling through the grid."""
        points = self.points
        self.png(**points[0])  # warm up fonts and caches
        timings = []
        for i in range(updates):
            began = time.perf_counter()
            self.png(**points[(i + 1) % len(points)])
            timings.append(time.perf_counter() - began)
        return statistics.median(timings)

    def _repr_mimebundle_(self, include=None, exclude=None):
        plain = f"<Explorable over {', '.join(f'{k} ({len(v)})' for k, v in self.grid.items())}>"
        if os.environ.get(LATENCY_LOG_ENV):
            began = time.perf_counter()
            latency = self.update_latency()
            record = {"median_seconds": latency, "measuring_seconds": time.perf_counter() - began}
            with open(os.environ[LATENCY_LOG_ENV], "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
        if static_mode():
            return {"text/html": self.to_html(), "text/plain": plain}
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = plain
        return data

    def _check_known(self, what: str, name: str) -> None:
        if name not in self.grid:
            raise ValueError(
                f"{what} names {name!r}, which is not a grid parameter ({list(self.grid)})"
            )


def _validate_grid(grid: Mapping[str, Sequence[Any]], max_frames: int) -> dict[str, list[Any]]:
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(
            f"grid must be a non-empty mapping from parameter names to values, got {grid!r}"
        )
    checked: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid parameter names must be Python identifiers, got {name!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise ValueError(f"grid[{name!r}] must be a sequence of values, got {values!r}")
        values = list(values)
        if not values:
            raise ValueError(f"grid[{name!r}] must hold at least one value, got []")
        if any(a == b for a, b in itertools.combinations(values, 2)):
            raise ValueError(f"grid[{name!r}] must hold distinct values, got {values!r}")
        checked[name] = values
    count = math.prod(len(values) for values in checked.values())
    if count > max_frames:
        sizes = " x ".join(f"{name} ({len(values)})" for name, values in checked.items())
        raise ValueError(
            f"grid must have at most {max_frames} points (max_frames), got {count} = {sizes}"
        )
    return checked


def _index_of(grid: Mapping[str, list[Any]], point: Mapping[str, Any]) -> int:
    index = 0
    for name, values in grid.items():
        index = index * len(values) + values.index(point[name])
    return index


def _spread(count: int, how_many: int) -> list[int]:
    """``how_many`` frame indices spread over ``count`` frames, the last one included (the kept
    figure has then been redrawn most often)."""
    return sorted({count - 1 - (count * i) // how_many for i in range(how_many)})


def _agg_canvas(figure: Figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas
    return canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)


def frame_format() -> str:
    """The image type of the site's frames: "webp" (lossless, about 40% smaller than an
    equivalent palette PNG, which matters for the page weight) where Pillow can write it, else
    "png"."""
    from PIL import features

    return "webp" if features.check("webp") else "png"


def _compact_pixels(rgba) -> bytes:
    """Encode a frame's (height, width, 4) RGBA pixels with an adaptive 256-colour palette,
    losslessly compressed in :func:`frame_format`: a fifth to a third of the size of matplotlib's
    PNG, and the same to the eye."""
    from PIL import Image

    image = Image.fromarray(np.asarray(rgba)[..., :3])
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    if frame_format() == "webp":
        palette.save(buffer, format="WEBP", lossless=True, method=2)
    else:
        palette.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# Swaps the frame when any control changes. Kept tiny and dependency-free; it only touches the
# figure it belongs to (found by id), so several explorables can share a page.
_SWAP_SCRIPT = """
(function () {
  var root = document.getElementById("__ID__");
  if (!root) return;
  var data = JSON.parse(root.querySelector("script.explorable-data").textContent);
  var img = root.querySelector("img");
  var controls = root.querySelectorAll("[data-param]");
  function update() {
    var index = 0;
    controls.forEach(function (control, i) {
      var position = parseInt(control.value, 10);
      index += position * data.strides[i];
      var shown = control.dataset.values
        ? JSON.parse(control.dataset.values)[position]
        : control.options[control.selectedIndex].text;
      if (control.dataset.values) control.setAttribute("aria-valuetext", shown);
      var output = control.parentNode.querySelector("output");
      if (output) output.textContent = shown;
    });
    img.src = "data:" + data.mime + ";base64," + data.frames[index];
    img.alt = data.alts[index];
    root.dataset.frame = String(index);
  }
  controls.forEach(function (control) {
    control.addEventListener("input", update);
    control.addEventListener("change", update);
  });
  update();
})();
"""
