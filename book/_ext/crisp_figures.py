"""Show high-density figures at their CSS size.

``demos.figures.style.to_png`` saves figures with two pixels per CSS pixel and names that ratio in
a PNG text chunk. A notebook may show such a PNG without a width (``IPython.display.Image(png)``);
a browser would then draw it twice as large as it was laid out. This extension reads the chunk of
every PNG image in the book and gives the image its CSS width, unless a width is already set.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
RATIO_KEY = "demos-pixel-ratio"  # demos.figures.style.PNG_PIXEL_RATIO_KEY


def png_ratio_and_size(path: Path) -> tuple[int, int, int] | None:
    """(pixel ratio, width, height) of a PNG made by ``demos.figures.style.to_png``, else None."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            ratio = image.info.get(RATIO_KEY)
            return (int(ratio), image.width, image.height) if ratio else None
    except (OSError, ValueError):
        return None


def size_images(app, doctree, docname: str) -> None:
    for image in doctree.findall(nodes.image):
        if "width" in image or "height" in image or "scale" in image:
            continue
        uri = image.get("candidates", {}).get("*") or image.get("uri", "")
        if not uri.lower().endswith(".png") or "://" in uri:
            continue
        found = png_ratio_and_size(Path(app.srcdir, uri))
        if found is None:
            continue
        ratio, width, _height = found
        image["width"] = f"{round(width / ratio)}px"


def setup(app):
    # Glued figures become images only in myst-nb's post-transforms: size them after those.
    app.connect("doctree-resolved", size_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
