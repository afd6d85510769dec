"""Browser tests of the built site: explorables work without a kernel, pages stay offline and
their consoles stay clean. They need `make book` first and Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}


def content_pages(site_dir: Path) -> list[str]:
    pages = []
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir)
        if relative.parts[0] in SKIP_DIRS or relative.name in {"genindex.html", "search.html"}:
            continue
        pages.append(relative.as_posix())
    return pages


class PageWatcher:
    """Records every request and every console error or page error of one page."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.foreign: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.errors.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        page.on(
            "console", lambda message: message.type == "error" and self.errors.append(message.text)
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _request(self, request):
        url = request.url
        if not (url.startswith(self.origin + "/") or url.startswith(("data:", "blob:", "about:"))):
            self.foreign.append(url)


def open_page(browser, site_url: str, relative: str):
    context = browser.new_context()  # a first visit: empty local storage
    page = context.new_page()
    watcher = PageWatcher(page, site_url)
    page.goto(f"{site_url}/{relative}", wait_until="networkidle")
    return context, page, watcher


def test_every_page_is_offline_and_its_console_clean(browser, site_url, site_dir):
    pages = content_pages(site_dir)
    assert "book/preface.html" in pages and "notebooks/00_how_to_use.html" in pages
    problems = {}
    for relative in pages:
        context, _page, watcher = open_page(browser, site_url, relative)
        if watcher.foreign or watcher.errors:
            problems[relative] = {"requests elsewhere": watcher.foreign, "console": watcher.errors}
        context.close()
    assert not problems, problems


def test_explorable_swaps_frames_without_a_kernel(browser, site_url):
    context, page, watcher = open_page(browser, site_url, "notebooks/00_how_to_use.html")
    figure = page.locator("figure.explorable").first
    image = figure.locator("img")
    before_src, before_alt = image.get_attribute("src"), image.get_attribute("alt")
    assert before_src.startswith("data:image/png;base64,") and before_alt

    slider = figure.locator('input[type="range"]').first
    slider.focus()
    page.keyboard.press("ArrowRight")
    after_src, after_alt = image.get_attribute("src"), image.get_attribute("alt")
    assert after_src != before_src, "moving the slider must show another frame"
    assert after_alt != before_alt, "each frame carries its own alt text"

    menu = figure.locator("select").first
    menu.select_option(index=1)
    assert image.get_attribute("src") not in (before_src, after_src)

    assert watcher.foreign == [], watcher.foreign
    assert watcher.errors == [], watcher.errors
    context.close()


def test_formulas_render_from_the_vendored_mathjax(browser, site_url):
    context, page, watcher = open_page(browser, site_url, "notebooks/00_how_to_use.html")
    page.wait_for_selector("mjx-container", timeout=15000)
    assert page.locator("mjx-container").count() >= 2
    assert watcher.foreign == []
    context.close()


def test_the_root_redirect_and_its_favicon_resolve(browser, site_url):
    """Chromium asks for /favicon.ico on the bare redirect page; a 404 there reaches the console
    on some visits and not others, so check the file directly."""
    context, page, watcher = open_page(browser, site_url, "index.html")
    page.wait_for_url("**/book/preface.html")
    assert context.request.get(f"{site_url}/favicon.ico").status == 200
    assert watcher.errors == [], watcher.errors
    context.close()


def test_every_explorable_on_every_chapter_swaps_frames(browser, site_url, site_dir):
    chapters = [page for page in content_pages(site_dir) if page.startswith("notebooks/")]
    checked = 0
    for relative in chapters:
        context, page, watcher = open_page(browser, site_url, relative)
        figures = page.locator("figure.explorable")
        for i in range(figures.count()):
            figure = figures.nth(i)
            image = figure.locator("img")
            before = image.get_attribute("src")
            control = figure.locator("[data-param]").first
            if control.evaluate("element => element.tagName") == "SELECT":
                options = control.locator("option").count()
                current = int(control.input_value())
                control.select_option(index=(current + 1) % options)
            else:
                control.focus()
                low = control.input_value() == control.get_attribute("max")
                page.keyboard.press("ArrowLeft" if low else "ArrowRight")
            assert image.get_attribute("src") != before, f"{relative}: explorable {i} did not swap"
            assert image.get_attribute("alt"), f"{relative}: explorable {i} lost its alt text"
            checked += 1
        assert watcher.errors == [] and watcher.foreign == [], (relative, watcher.errors)
        context.close()
    assert checked >= 2 * (len(chapters) - 1), f"only {checked} explorables on {chapters}"
