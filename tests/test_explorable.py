"""The explorable mechanism: one frame per grid point, clear errors, and both display forms."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from demos.figures import explorable as ex
from demos.figures.explorable import Explorable, ExplorableRenderError


def render_line(fig, slope, colour="black"):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, slope], color=colour)
    ax.set_ylim(-3, 3)
    ax.set_title(f"slope {slope}")


def frame_data(html: str) -> dict:
    payload = re.search(
        r'<script type="application/json" class="explorable-data">(.*?)</script>', html
    )
    return json.loads(payload.group(1))


def test_one_distinct_frame_per_grid_point():
    figure = Explorable(
        render_line, {"slope": [-2, 0, 2], "colour": ["black", "red"]}, alt="slope {slope} {colour}"
    )
    frames = figure.frames()
    assert len(frames) == 6 == len(figure.points)
    assert len(set(frames)) == 6, "every grid point must draw a different picture"
    magic = {"webp": b"RIFF", "png": b"\x89PNG"}[ex.frame_format()]
    assert all(frame.startswith(magic) for frame in frames)


def test_frames_follow_the_grid_order_and_strides():
    figure = Explorable(
        render_line, {"slope": [-2, 0, 2], "colour": ["black", "red"]}, alt="slope {slope} {colour}"
    )
    data = frame_data(figure.to_html())
    assert data["strides"] == [2, 1]
    # the frame for slope=2, colour=red sits at 2 * 2 + 1 = 5
    expected = _pixels(figure.png(slope=2, colour="red", pixel_ratio=ex.PIXEL_RATIO)).astype(int)
    distances = [
        np.abs(_pixels(base64.b64decode(frame)).astype(int) - expected).mean()
        for frame in data["frames"]
    ]
    assert int(np.argmin(distances)) == 5  # frames are palette-compressed, so nearest, not equal
    assert data["alts"][5] == "slope 2 red"


def test_site_frames_are_high_density_and_shown_at_their_css_size():
    figure = Explorable(render_line, {"slope": [0, 1]}, alt="x", figsize=(4.0, 3.0), dpi=80)
    (frame,) = frame_data(figure.to_html())["frames"][:1]
    assert _pixels(base64.b64decode(frame)).shape[:2] == (3 * 80 * 2, 4 * 80 * 2)
    html = figure.to_html()
    assert 'width="320" height="240"' in html  # CSS pixels: the browser halves the frame
    assert _pixels(figure.png(slope=0)).shape[:2] == (240, 320)  # the live form stays at 1x
    # the smallest text is the tick labels, at matplotlib's default 10 pt: 10 * 80 / 72 px
    assert figure.min_text_px == pytest.approx(10 * 80 / 72, abs=0.05)
    assert 'data-min-text-px="11.1"' in html


def test_label_and_caption_are_written_for_the_book_to_number():
    figure = Explorable(render_line, {"slope": [0, 1]}, alt="x", caption="A & B", label="fig-slope")
    html = figure.to_html()
    assert 'data-label="fig-slope"' in html
    assert '<figcaption class="explorable-caption">A &amp; B</figcaption>' in html
    with pytest.raises(ValueError, match="label must be lower-case"):
        Explorable(render_line, {"slope": [0, 1]}, alt="x", label="Fig 1")


def test_every_control_has_its_own_visible_label():
    html = Explorable(
        render_line,
        {"slope": [0, 1], "colour": ["black", "red"]},
        alt="x",
        labels={"slope": "steepness"},
    ).to_html()
    ids = re.findall(r'<label for="([^"]+)">([^<]+)</label>', html)
    assert [text for _, text in ids] == ["steepness", "colour"]
    for ident, _ in ids:
        assert html.count(f'id="{ident}"') == 1
    assert 'aria-valuetext="0"' in html  # a screen reader hears the value, not its index


def test_html_is_self_contained():
    html = Explorable(render_line, {"slope": [0, 1]}, alt="a line of slope {slope}").to_html()
    assert "http://" not in html and "https://" not in html
    assert 'type="range"' in html and 'alt="a line of slope 0"' in html  # middle of [0, 1] is 0


def test_non_numeric_values_get_a_menu():
    html = Explorable(render_line, {"slope": [1], "colour": ["black", "red"]}, alt="x").to_html()
    assert "<select" in html and ">red</option>" in html


@pytest.mark.parametrize(
    "grid, message",
    [
        ({}, "grid must be a non-empty mapping"),
        ({"slope": []}, "grid['slope'] must hold at least one value"),
        ({"slope": "abc"}, "grid['slope'] must be a sequence"),
        ({"slope": [1, 1]}, "grid['slope'] must hold distinct values"),
        ({"not a name": [1]}, "identifiers"),
        ({"slope": list(range(200))}, "at most 160 points"),
    ],
)
def test_bad_grids_name_the_parameter(grid, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Explorable(render_line, grid, alt="x")


def test_bad_initial_value_is_rejected():
    with pytest.raises(ValueError, match=r"initial\['slope'\] must be one of the grid values"):
        Explorable(render_line, {"slope": [0, 1]}, alt="x", initial={"slope": 5})


def test_empty_alt_text_is_rejected():
    with pytest.raises(ValueError, match="alt"):
        Explorable(render_line, {"slope": [0, 1]}, alt=" ")


def test_render_errors_name_the_parameter_values():
    def broken(fig, slope):
        if slope > 0:
            raise ZeroDivisionError("no good")
        render_line(fig, slope)

    figure = Explorable(broken, {"slope": [0, 1]}, alt="x")
    with pytest.raises(
        ExplorableRenderError, match=r"failed for slope=1: ZeroDivisionError: no good"
    ):
        figure.frames()


def test_display_form_follows_the_environment(monkeypatch):
    figure = Explorable(render_line, {"slope": [0, 1]}, alt="slope {slope}")
    monkeypatch.setenv(ex.STATIC_ENV, "1")
    static = figure._repr_mimebundle_()
    assert "text/html" in static and "application/vnd.jupyter.widget-view+json" not in static
    monkeypatch.delenv(ex.STATIC_ENV)
    live = figure._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in live and "text/html" not in live


def test_live_widget_offers_only_grid_values_and_redraws():
    figure = Explorable(render_line, {"slope": [-2, 0, 2]}, alt="slope {slope}")
    box = figure.widget()
    control = box.controls["slope"]
    assert [value for _, value in control.options] == [-2, 0, 2]
    image = box.children[1]
    before = image.value
    control.value = 2
    assert image.value != before
    assert np.array_equal(_pixels(image.value), _pixels(figure.png(slope=2)))


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


def test_fixed_title_height_draws_what_matplotlib_draws_by_default():
    """FAST_RC only skips matplotlib's search for a title position: on the book's kind of figure
    (titles, axis labels, bottom ticks, a colour bar) the pixels are those of a default draw."""
    import io

    import matplotlib as mpl
    from matplotlib.figure import Figure

    def render(fig, scale):
        left, right = fig.subplots(1, 2)
        left.plot([0, 1, 2], [0, scale, 4 * scale], label="line")
        left.legend()
        left.set_title(f"A long title at scale {scale}")
        left.set_xlabel("x")
        left.set_ylabel("value")
        image = right.imshow(np.arange(16.0).reshape(4, 4) * scale)
        fig.colorbar(image, ax=right)
        right.set_title("Heatmap")

    figure = Explorable(render, {"scale": [1.0, 1000.0]}, alt="x")
    for scale in figure.grid["scale"]:
        default = Figure(figsize=figure.figsize, dpi=figure.dpi)
        with mpl.rc_context({"axes.titley": None}):
            render(default, scale)
        buffer = io.BytesIO()
        default.savefig(buffer, format="png", dpi=figure.dpi)
        assert np.array_equal(_pixels(figure.png(scale=scale)), _pixels(buffer.getvalue()))


# ---------------------------------------------------------------------------- kept figure (layout)


def two_panels(fig):
    return fig.subplots(1, 2)


def render_changing(axes, slope, scale, note):
    """Changes, from frame to frame, most of what an Axes keeps: title, limits set or left to
    autoscaling, scale, fixed ticks, legends, texts, images, a figure title."""
    left, right = axes
    left.plot([1, 2, 3], [1, 1 + slope, 1 + 2 * slope], label=f"slope {slope}")
    if scale == "log":
        left.set_yscale("log")
        left.set_xticks([1, 2, 3], ["one", "two", "three"])
    else:
        left.set_ylim(0, 10)
    if note == "yes":
        left.set_title(f"slope {slope}")
        left.text(1.5, 2, "a note")
        left.legend(loc="upper left")
        right.set_xlabel("columns")
        left.figure.suptitle("with a note")
    right.imshow(np.arange(12.0).reshape(3, 4) * slope, vmin=0, vmax=40)
    right.axhline(slope / 3, color="red")


def _fresh_and_kept_pixels(figure, points):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    kept, fresh = [], []
    for point in points:
        canvas = ex._agg_canvas(figure._drawn(point, figure.dpi))
        canvas.draw()
        kept.append(np.array(canvas.buffer_rgba()))
    for point in points:
        canvas = FigureCanvasAgg(figure._drawn(point, figure.dpi, fresh=True))
        canvas.draw()
        fresh.append(np.array(canvas.buffer_rgba()))
    return kept, fresh


def test_a_kept_figure_draws_every_point_as_a_fresh_figure_does():
    grid = {"slope": [1, 2, 3], "scale": ["linear", "log"], "note": ["yes", "no"]}
    figure = Explorable(render_changing, grid, layout=two_panels, alt="x", dpi=40)
    points = figure.points
    order = [points[i] for i in np.random.default_rng(0).permutation(len(points))]
    order += order[::-1]  # every change of state followed by its reverse
    kept, fresh = _fresh_and_kept_pixels(figure, order)
    assert len({frame.tobytes() for frame in fresh}) == len(points)  # the frames do differ
    for point, a, b in zip(order, kept, fresh, strict=True):
        assert np.array_equal(a, b), f"kept figure differs at {point}"
    assert figure.draw(**points[0]) is figure.draw(**points[1])  # one figure, redrawn
    assert len(figure.frames()) == len(points)  # and the site's own check agrees


def test_a_kept_figure_is_as_the_live_form_and_the_site_show_it():
    figure = Explorable(
        lambda ax, slope: ax.plot([0, 1], [0, slope]),
        {"slope": [0, 1, 2]},
        layout=lambda fig: fig.add_subplot(),
        alt="x",
    )
    plain = Explorable(lambda fig, slope: fig.add_subplot().plot([0, 1], [0, slope]),
                       {"slope": [0, 1, 2]}, alt="x")  # fmt: skip
    for slope in (2, 0, 1):
        assert np.array_equal(_pixels(figure.png(slope=slope)), _pixels(plain.png(slope=slope)))


def test_leftovers_the_layout_cannot_restore_fail_the_site_build():
    def leaky(ax, slope):
        ax.plot([0, 1], [0, slope])
        if slope == 0:
            ax.tick_params(labelsize=20)  # tick parameters outlive the frame

    figure = Explorable(
        leaky, {"slope": [0, 1, 2]}, layout=lambda fig: fig.add_subplot(), alt="x", dpi=40
    )
    with pytest.raises(ExplorableRenderError, match="differently on the kept figure"):
        figure.frames()


def test_axes_belong_in_the_layout():
    def with_colour_bar(ax, slope):
        image = ax.imshow(np.eye(3) * slope)
        ax.figure.colorbar(image, ax=ax)

    figure = Explorable(
        with_colour_bar, {"slope": [1, 2]}, layout=lambda fig: fig.add_subplot(), alt="x"
    )
    with pytest.raises(ExplorableRenderError, match="make every axes .* in the layout"):
        figure.png(slope=1)
    with pytest.raises(ValueError, match="layout must be callable"):
        Explorable(render_line, {"slope": [1]}, layout="two panels", alt="x")


def test_a_colour_bar_redrawn_on_a_kept_figure_does_not_pile_up():
    def layout(fig):
        ax = fig.add_subplot()
        cax = fig.add_axes((0.92, 0.1, 0.02, 0.8))
        return ax, cax

    def render(axes, scale):
        ax, cax = axes
        ax.figure.colorbar(ax.imshow(np.eye(3) * scale), cax=cax)

    figure = Explorable(render, {"scale": [1, 2, 3]}, layout=layout, alt="x", dpi=30)
    figure.png(scale=1)
    cax = figure.draw().axes[1]
    hooks, locator = len(cax.callbacks.callbacks.get("ylim_changed", {})), cax.get_axes_locator()
    for scale in [2, 3, 1] * 5:
        figure.png(scale=scale)
    assert len(cax.callbacks.callbacks.get("ylim_changed", {})) == hooks
    assert type(cax.get_axes_locator()) is type(locator)
    assert len(figure.frames()) == 3  # and every frame as a fresh figure draws it
