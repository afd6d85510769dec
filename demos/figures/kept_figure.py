"""A figure laid out once and redrawn for each frame of an explorable.

Most of a live explorable update used to go on building a fresh figure: every new Axes makes its
ticks, tick labels and spines anew, and those are the same in every frame. A :class:`KeptFigure`
runs a ``layout(fig)`` function once (the axes, their positions, whatever every frame shares),
remembers the state of each Axes, and before each frame puts every Axes back in that state, so a
``render(handles, **params)`` function draws on a figure that looks as the layout left it:

- artists the previous frame added (lines, images, collections, patches, texts, tables, legends,
  containers, figure-level texts and legends) are removed;
- titles, axis labels, limits and their autoscaling, scales, tick locators and formatters, the
  aspect, whether the axis is shown, the colour cycle, the axes locator and the callbacks are put
  back as the layout left them (so a colour bar drawn each frame into Axes made by the layout, with
  ``fig.colorbar(image, cax=cax)``, does not pile up on the last one);
- the data limits are recomputed from what remains, so autoscaling sees only the new frame.

Anything else a render function changes on an Axes (tick parameters, grid lines, spine colours)
stays for the next frame. Render functions should therefore set such things in the layout, or in
every frame alike. :meth:`demos.figures.explorable.Explorable.frames` checks this as it
pre-renders the site's frames: it draws some points on a fresh figure too and raises if the two
differ by a single pixel.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

_FIGURE_GROUPS = ("texts", "legends", "lines", "patches", "images", "artists")
"""Figure attributes holding artists drawn on the figure itself (suptitle, fig.text, fig.legend)."""
_TICKERS = (
    ("major", "locator"),
    ("major", "formatter"),
    ("minor", "locator"),
    ("minor", "formatter"),
)
_DEFAULT_FLAGS = ("majloc", "majfmt", "minloc", "minfmt")
_ARTIST_GROUPS = ("lines", "collections", "patches", "texts", "images", "artists", "tables")


@dataclass
class _AxisState:
    label: str
    scale: str
    limits: tuple[float, float]
    autoscale: bool
    tickers: tuple[Any, ...]  # the locators and formatters of _TICKERS
    defaults: tuple[bool, ...]  # the axis's isDefault_* flags of _DEFAULT_FLAGS

    @classmethod
    def of(cls, axes: Axes, name: str) -> _AxisState:
        axis = getattr(axes, f"{name}axis")
        return cls(
            label=axis.label.get_text(),
            scale=axis.get_scale(),
            limits=tuple(getattr(axes, f"get_{name}lim")()),
            autoscale=getattr(axes, f"get_autoscale{name}_on")(),
            tickers=tuple(getattr(getattr(axis, level), kind) for level, kind in _TICKERS),
            defaults=tuple(getattr(axis, f"isDefault_{flag}") for flag in _DEFAULT_FLAGS),
        )

    def restore(self, axes: Axes, name: str) -> None:
        axis = getattr(axes, f"{name}axis")
        axis.label.set_text(self.label)
        if axis.get_scale() != self.scale:
            getattr(axes, f"set_{name}scale")(self.scale)
        for (level, kind), ticker in zip(_TICKERS, self.tickers, strict=True):
            setattr(getattr(axis, level), kind, ticker)
        for flag, value in zip(_DEFAULT_FLAGS, self.defaults, strict=True):
            setattr(axis, f"isDefault_{flag}", value)
        getattr(axes, f"set_{name}lim")(self.limits, auto=None)
        getattr(axes, f"set_autoscale{name}_on")(self.autoscale)


@dataclass
class _AxesState:
    artists: set[int]  # ids of the artists the layout added
    containers: list[Any]
    cycles: tuple[Any, Any]  # where the colour cycles of lines and of filled shapes stand
    legend: Any
    titles: tuple[str, str, str]  # centre, left, right
    x: _AxisState
    y: _AxisState
    aspect: Any
    adjustable: str
    axis_on: bool
    locator: Any  # the axes locator (a colour bar drawn into a kept Axes wraps it in its own)
    callbacks: set[int]  # ids of the Axes' callbacks (a colour bar adds two per frame)

    @classmethod
    def of(cls, axes: Axes) -> _AxesState:
        return cls(
            artists={id(artist) for artist in _artists(axes)},
            containers=list(axes.containers),
            cycles=copy.deepcopy((axes._get_lines, axes._get_patches_for_fill)),
            legend=axes.legend_,
            titles=tuple(axes.get_title(loc) for loc in ("center", "left", "right")),
            x=_AxisState.of(axes, "x"),
            y=_AxisState.of(axes, "y"),
            aspect=axes.get_aspect(),
            adjustable=axes.get_adjustable(),
            axis_on=axes.axison,
            locator=axes.get_axes_locator(),
            callbacks=_callback_ids(axes),
        )

    def restore(self, axes: Axes) -> None:
        for artist in _artists(axes):
            if id(artist) not in self.artists:
                artist.remove()
        axes.containers[:] = self.containers
        axes._get_lines, axes._get_patches_for_fill = copy.deepcopy(self.cycles)
        if axes.legend_ is not None and axes.legend_ is not self.legend:
            axes.legend_.remove()
        axes.legend_ = self.legend
        for loc, title in zip(("center", "left", "right"), self.titles, strict=True):
            if axes.get_title(loc) != title:
                axes.set_title(title, loc=loc)
        self.x.restore(axes, "x")
        self.y.restore(axes, "y")
        if axes.get_aspect() != self.aspect or axes.get_adjustable() != self.adjustable:
            axes.set_aspect(self.aspect, adjustable=self.adjustable)
        axes.axison = self.axis_on
        if axes.get_axes_locator() is not self.locator:
            axes.set_axes_locator(self.locator)
        for cid in _callback_ids(axes) - self.callbacks:
            axes.callbacks.disconnect(cid)
        axes.relim()


def _callback_ids(axes: Axes) -> set[int]:
    return {cid for by_id in axes.callbacks.callbacks.values() for cid in by_id}


def _artists(axes: Axes) -> list[Any]:
    return [artist for group in _ARTIST_GROUPS for artist in getattr(axes, group)]


class KeptFigure:
    """One figure, laid out once by ``layout(fig) -> handles`` and redrawn by
    ``render(handles, **params)`` for each frame.

    Args:
        layout: builds what every frame shares on the new, empty figure it is given and returns
            the handles ``render`` draws into (say, a tuple of Axes). It may add axes; ``render``
            may not (a colour bar, for one, belongs in the layout).
        figsize: (width, height) in inches.
        dpi: pixels per inch.

    The figure carries an Agg canvas from the start, so each draw reuses one renderer and its
    cache of text sizes.
    """

    def __init__(
        self, layout: Callable[[Figure], Any], figsize: tuple[float, float], dpi: int
    ) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.handles = layout(self.figure)
        self._axes = list(self.figure.axes)
        self._states = [_AxesState.of(axes) for axes in self._axes]
        self._figure_artists = {
            group: {id(artist) for artist in getattr(self.figure, group)}
            for group in _FIGURE_GROUPS
        }
        self._suptitle = self.figure._suptitle

    def redraw(self, render: Callable[..., Any], params: dict[str, Any]) -> Figure:
        """Put the figure back as the layout left it, draw ``params`` with ``render``, and return
        the figure (the same object every time)."""
        for axes, state in zip(self._axes, self._states, strict=True):
            state.restore(axes)
        for group, kept in self._figure_artists.items():
            for artist in list(getattr(self.figure, group)):
                if id(artist) not in kept:
                    artist.remove()
        self.figure._suptitle = self._suptitle
        render(self.handles, **params)
        if list(self.figure.axes) != self._axes:
            raise ValueError(
                "render added or removed axes on a kept figure; make every axes (colour bars "
                "included) in the layout function"
            )
        return self.figure
