"""Browser tests of the built site, as a reader meets it: offline and with a clean console, at
desktop and phone width, in light and dark mode. They need `make book` first and Debian's
Chromium (see tests/conftest.py)."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.browser

SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static", "wheels"}
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
WIDE_SIDEBAR = 992  # sphinx-book-theme collapses the sidebar in place at or above this width

# Pages allowed to show a raw dict as a cell's last value, with how many: none, since every result
# is shown through demos.figures.tables.summary_table. Kept so a known exception can be recorded.
RAW_DICT_OUTPUTS_PENDING: dict[str, int] = {}


def content_pages(site_dir: Path) -> list[str]:
    pages = []
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir)
        if relative.parts[0] in SKIP_DIRS or relative.name in {"genindex.html", "search.html"}:
            continue
        pages.append(relative.as_posix())
    return pages


def chapter_pages(site_dir: Path) -> list[str]:
    return [page for page in content_pages(site_dir) if page.startswith("notebooks/")]


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


def open_page(browser, site_url: str, relative: str, viewport=DESKTOP, scheme="light"):
    # A first visit (empty local storage), so the theme follows the reader's colour scheme.
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    watcher = PageWatcher(page, site_url)
    page.goto(f"{site_url}/{relative}", wait_until="networkidle")
    return context, page, watcher


_PAGE_FACTS = """() => {
  const meta = name => {
    const m = document.querySelector(name);
    return m && m.getAttribute('content');
  };
  const next = document.querySelector('a.right-next');
  return {
    numbers: [...document.querySelectorAll('.caption-number')].map(e => e.innerText.trim()),
    explorables: document.querySelectorAll('figure.explorable').length,
    numberedExplorables:
      document.querySelectorAll('figure.explorable-figure .caption-number').length,
    numrefs: [...document.querySelectorAll('a .std-numref')].map(e => {
      const href = e.closest('a').getAttribute('href');
      const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
      const caption = target && target.querySelector('.caption-number');
      return [e.innerText, href, caption ? caption.innerText : null];
    }),
    title: document.title,
    description: meta('meta[name="description"]'),
    ogTitle: meta('meta[property="og:title"]'),
    rawDicts: [...document.querySelectorAll('.cell_output pre')]
      .filter(e => /^\\s*\\{['"]/.test(e.innerText)).length,
    mentionsNextChapter: /\\bthe next chapter\\b/i.test(
      (document.querySelector('article') || document.body).innerText),
    next: next ? next.getAttribute('href') : null,
    colab: [...document.querySelectorAll('a.btn-colab')].map(a => a.getAttribute('href')),
    pdfButtons: document.querySelectorAll('.btn-download-pdf-button').length,
    ipynbDownloads: [...document.querySelectorAll('.dropdown-download-buttons a')]
      .filter(a => a.innerText.includes('.ipynb')).length,
  };
}"""


AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
"""axe-core's options: no preloading of stylesheets, which resolves `@import`s against the page
instead of the stylesheet (a 404 for the theme's "../basic.css" on the 404 page)."""


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def visits(browser, site_url, site_dir):
    """One visit of every page at desktop width in light mode, as a new reader: what the page
    requested, its console, axe-core's serious findings, and the facts several tests check."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), {}
    for relative in content_pages(site_dir):
        context, page, watcher = open_page(browser, site_url, relative)
        facts = page.evaluate(_PAGE_FACTS)
        if relative.startswith("notebooks/"):
            facts["images"] = _image_facts(page)
            facts["smallPrint"] = small_print_px(page)
            for image in facts["images"]:
                image["pngText"] = None if image["minText"] else _png_text_px(context, image["src"])
        facts["axe"] = _serious(axe.run(page, options=AXE_OPTIONS))
        facts["foreign"], facts["errors"] = watcher.foreign, watcher.errors
        found[relative] = facts
        context.close()
    return found


# ---------------------------------------------------------------------------- offline, console


def test_every_page_is_offline_and_its_console_clean(visits):
    assert "book/preface.html" in visits and "notebooks/00_how_to_use.html" in visits
    assert "404.html" in visits
    problems = {
        page: {"requests elsewhere": facts["foreign"], "console": facts["errors"]}
        for page, facts in visits.items()
        if facts["foreign"] or facts["errors"]
    }
    assert not problems, problems


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


# ---------------------------------------------------------------------------- explorables


def test_explorable_swaps_frames_without_a_kernel(browser, site_url):
    context, page, watcher = open_page(browser, site_url, "notebooks/00_how_to_use.html")
    figure = page.locator("figure.explorable").first
    image = figure.locator("img")
    before_src, before_alt = image.get_attribute("src"), image.get_attribute("alt")
    assert before_src.startswith("data:image/") and before_alt

    slider = figure.locator('input[type="range"]').first
    slider.focus()
    page.keyboard.press("ArrowRight")
    after_src, after_alt = image.get_attribute("src"), image.get_attribute("alt")
    assert after_src != before_src, "moving the slider must show another frame"
    assert after_alt != before_alt, "each frame carries its own alt text"
    shown = slider.locator("xpath=following-sibling::output[1]").inner_text()
    assert slider.get_attribute("aria-valuetext") == shown

    menu = figure.locator("select").first
    menu.select_option(index=1)
    assert image.get_attribute("src") not in (before_src, after_src)

    assert watcher.foreign == [], watcher.foreign
    assert watcher.errors == [], watcher.errors
    context.close()


def test_every_explorable_on_every_chapter_swaps_frames(browser, site_url, site_dir):
    chapters = chapter_pages(site_dir)
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


def test_controls_have_visible_labels_apart_from_them(browser, site_url, site_dir):
    for scheme in ("light", "dark"):
        context, page, _ = open_page(
            browser, site_url, "notebooks/01_introduction.html", scheme=scheme
        )
        gaps = page.evaluate(
            """() => [...document.querySelectorAll('.explorable-control')].map(box => {
                const label = box.querySelector('label');
                const control = document.getElementById(label.htmlFor);
                const a = label.getBoundingClientRect(), b = control.getBoundingClientRect();
                const style = getComputedStyle(label);
                return {text: label.innerText, gap: Math.max(b.left - a.right, b.top - a.bottom),
                        visible: a.width > 0 && style.visibility !== 'hidden',
                        labelled: control.labels.length === 1};
            })"""
        )
        assert gaps, "chapter 1 has explorables"
        for item in gaps:
            assert item["visible"] and item["labelled"] and item["text"], item
            assert item["gap"] >= 6, f"{scheme}: label {item['text']!r} touches its control"
        context.close()


# ---------------------------------------------------------------------------- navigation


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET, PHONE], ids=["desktop", "tablet", "phone"])
def test_sidebar_and_page_contents_toggles_work(browser, site_url, viewport):
    context, page, watcher = open_page(
        browser, site_url, "notebooks/02_conditions.html", viewport=viewport
    )
    assert page.locator(".primary-toggle").count() == 1, "one toggle, so the theme binds it"
    primary = page.locator(".primary-toggle")
    assert primary.is_visible()
    sidebar = page.locator("#pst-primary-sidebar")
    if viewport["width"] >= WIDE_SIDEBAR:
        assert sidebar.is_visible()
        primary.click()
        page.wait_for_timeout(400)
        assert not sidebar.is_visible() or sidebar.bounding_box()["width"] < 5
        primary.click()
        page.wait_for_timeout(400)
        assert sidebar.is_visible()
    else:
        dialog = page.locator("#pst-primary-sidebar-modal")
        assert not dialog.is_visible()
        primary.click()
        dialog.wait_for(state="visible", timeout=3000)
        assert dialog.get_by_role("link", name=re.compile("Glossary")).is_visible()
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=3000)

    contents = page.locator("#pst-secondary-sidebar")
    if contents.is_visible():  # desktop: the page's contents are already shown
        assert contents.get_by_role("link", name=re.compile("Exercises")).count() == 1
    else:
        toggle = page.locator(".secondary-toggle")
        assert toggle.count() == 1 and toggle.is_visible()
        toggle.click()
        dialog = page.locator("#pst-secondary-sidebar-modal")
        dialog.wait_for(state="visible", timeout=3000)
        assert dialog.get_by_role("link", name=re.compile("Exercises")).is_visible()
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=3000)
    assert watcher.errors == [], watcher.errors
    context.close()


def test_no_top_bar_and_one_search(browser, site_url):
    context, page, _ = open_page(browser, site_url, "notebooks/01_introduction.html")
    header = page.locator("#pst-header")
    assert header.locator("button, input, .search-button-field").count() == 0
    assert (
        header.count() == 0 or header.bounding_box() is None or header.bounding_box()["height"] < 2
    )
    visible = [
        box
        for box in page.locator(".search-button-field, .search-button").all()
        if box.is_visible()
    ]
    assert len(visible) <= 2  # the sidebar's field and the article header's button
    context.close()


def test_next_chapter_mentions_reach_a_chapter(visits):
    for page, facts in visits.items():
        if page.startswith("notebooks/") and facts["mentionsNextChapter"]:
            assert facts["next"] and "notebooks/" in facts["next"], (
                f"{page} mentions the next chapter, but Next leads to {facts['next']}"
            )


# ---------------------------------------------------------------------------- figures


def _image_facts(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll(
                '.bd-article figure img, .bd-article .cell_output img')]
            .map(img => ({
                src: img.currentSrc || img.src,
                natural: img.naturalWidth,
                css: parseFloat(img.getAttribute('width')) || parseFloat(img.style.width)
                     || img.naturalWidth,
                shown: img.getBoundingClientRect().width,
                minText: parseFloat((img.closest('figure.explorable') || {dataset: {}})
                                    .dataset.minTextPx) || null,
                explorable: !!img.closest('figure.explorable'),
            }))"""
    )


def _png_text_px(context, src: str) -> float | None:
    """The smallest text of a PNG made by demos.figures.style.to_png, in CSS pixels."""
    from PIL import Image

    if src.startswith("data:"):  # an image inline in the page (base64 after the comma)
        data = base64.b64decode(src.split(",", 1)[1])
    else:
        data = context.request.get(src).body()
    with Image.open(io.BytesIO(data)) as image:
        value = image.info.get("demos-min-text-px")
    return float(value) if value else None


def small_print_px(page) -> float:
    """The page's small print: the smallest text of its prose (code, captions, controls)."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll(
                '.bd-article p, .bd-article li, .bd-article figcaption, .bd-article pre, '
                + '.bd-article td')]
            .filter(e => e.offsetParent && e.innerText.trim())
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )


def test_figures_are_high_density_and_their_text_legible_on_a_desktop(visits):
    report, problems = [], []
    for page, facts in visits.items():
        for image in facts.get("images", []):
            if image["src"].endswith(".svg"):
                continue
            if image["natural"] < 1.9 * image["css"]:
                problems.append(f"{page}: {image['src'][:60]} is not high-density")
            text = image["minText"] or image["pngText"]
            if text is None:
                problems.append(f"{page}: {image['src'][:60]} has no record of its text size")
                continue
            shown = text * image["shown"] / image["css"]
            report.append((page, round(shown, 1)))
            if shown < LEGIBLE_FRACTION * facts["smallPrint"]:
                problems.append(
                    f"{page}: figure text {shown:.1f} px, small print {facts['smallPrint']:.1f} px"
                )
    print("smallest figure text (CSS px) at 1366 px:", report)
    assert report and not problems, problems


LEGIBLE_FRACTION = 0.75
"""Figure text must reach this share of the page's small print (14 px: code and captions)."""


def test_every_chapter_page_is_within_the_weight_budget(site_dir):
    from demos.bench import page_weights

    weights = {row["page"]: row["bytes"] / 1e6 for row in page_weights(site_dir)}
    print("page weights (MB):", {page: round(mb, 2) for page, mb in weights.items()})
    assert weights and all(mb <= 4.0 for mb in weights.values()), weights


def test_figures_can_be_enlarged_on_a_phone(browser, site_url):
    context, page, _ = open_page(
        browser, site_url, "notebooks/03_inner_alignment.html", viewport=PHONE
    )
    small = small_print_px(page)
    buttons = page.locator("button.figure-enlarge:visible")
    assert buttons.count() >= 3
    for i in range(buttons.count()):
        button = buttons.nth(i)
        frame = page.locator(f"#{button.get_attribute('aria-controls')}")
        image = frame.locator("img")
        before = image.bounding_box()["width"]
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        css = float(
            image.get_attribute("width") or image.evaluate("i => parseFloat(i.style.width)")
        )
        assert image.bounding_box()["width"] == pytest.approx(css, abs=2) and css > before
        assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
        assert frame.get_attribute("tabindex") == "0"  # keyboard readers can scroll it
        src = image.get_attribute("src")
        text = frame.evaluate(
            "f => parseFloat((f.closest('figure.explorable') || {dataset: {}}).dataset.minTextPx)"
            " || null"
        ) or _png_text_px(context, page.evaluate("s => new URL(s, location.href).href", src))
        assert text >= LEGIBLE_FRACTION * small
        button.click()
        assert image.bounding_box()["width"] == pytest.approx(before, abs=2)
    context.close()


# ---------------------------------------------------------------------------- numbering


def test_figures_explorables_and_exercises_are_numbered_per_chapter(visits):
    for page, facts in visits.items():
        chapter = re.match(r"notebooks/0*(\d+)_", page)
        prefix = f"{chapter.group(1)}." if chapter and chapter.group(1) != "0" else ""
        by_kind: dict[str, list[str]] = {}
        for text in facts["numbers"]:
            kind, number = text.split(" ", 1)
            by_kind.setdefault(kind, []).append(number)
        for kind, found in by_kind.items():
            expected = [f"{prefix}{i}" for i in range(1, len(found) + 1)]
            assert found == expected, (page, kind, found)
        assert facts["numberedExplorables"] == facts["explorables"], page
        for shown, href, caption in facts["numrefs"]:  # references by label show the number
            if href.startswith("#"):
                number = re.search(r"\d+(\.\d+)?", shown).group(0)
                assert caption and number in caption, (page, href, shown, caption)
    chapters = [facts for page, facts in visits.items() if page.startswith("notebooks/0")]
    assert sum(facts["explorables"] for facts in chapters) >= 8


# ---------------------------------------------------------------------------- accessibility


def test_no_serious_accessibility_violations_on_any_page(visits):
    found = {page: facts["axe"] for page, facts in visits.items() if facts["axe"]}
    assert not found, json.dumps(found, indent=1)


COLOUR_RULES = ["color-contrast", "link-in-text-block"]
"""The axe-core rules whose outcome depends on the colour scheme."""


def test_no_serious_contrast_violations_in_dark_mode(browser, site_url, site_dir):
    """Dark mode changes colours only: every page, checked with axe-core's colour rules."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), {}
    options = AXE_OPTIONS | {"runOnly": COLOUR_RULES}
    for relative in content_pages(site_dir):
        context, page, _ = open_page(browser, site_url, relative, scheme="dark")
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        serious = _serious(axe.run(page, options=options))
        if serious:
            found[relative] = serious
        context.close()
    assert not found, json.dumps(found, indent=1)


def test_no_serious_accessibility_violations_on_a_phone(browser, site_url, site_dir):
    """The phone layout of the chapters (wide formulas, figures, controls), with every rule."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), {}
    for relative in chapter_pages(site_dir):
        context, page, _ = open_page(browser, site_url, relative, viewport=PHONE)
        serious = _serious(axe.run(page, options=AXE_OPTIONS))
        if serious:
            found[relative] = serious
        context.close()
    assert not found, json.dumps(found, indent=1)


def test_formulas_are_not_tab_stops(browser, site_url):
    context, page, _ = open_page(browser, site_url, "notebooks/02_conditions.html")
    page.wait_for_selector("mjx-container", timeout=15000)
    assert page.locator("mjx-container").count() > 10
    assert page.locator('mjx-container[tabindex="0"]').count() == 0
    landed = 0
    for _ in range(120):
        page.keyboard.press("Tab")
        landed += page.evaluate("() => !!document.activeElement.closest('mjx-container')")
    assert landed == 0
    context.close()


def test_dark_mode_captions_and_controls_contrast(browser, site_url):
    context, page, _ = open_page(browser, site_url, "notebooks/01_introduction.html", scheme="dark")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context={"include": [["figure.explorable-figure"]]},
        options={"runOnly": ["color-contrast"], "preload": False},
    )
    assert results.violations_count == 0, results.generate_report()
    context.close()


# ---------------------------------------------------------------------------- what a reader sees


def test_results_are_tables_not_raw_dicts(visits):
    for page, facts in visits.items():
        assert facts["rawDicts"] <= RAW_DICT_OUTPUTS_PENDING.get(page, 0), (page, facts["rawDicts"])


def test_search_puts_the_matching_section_first(browser, site_url):
    context, page, watcher = open_page(browser, site_url, "search.html?q=adversarial+training")
    page.wait_for_selector("#search-results .search-summary", timeout=20000)
    first = page.locator("#search-results ul.search li a").first
    assert first.get_attribute("href").endswith("#adversarial-training"), first.inner_text()
    assert watcher.errors == [] and watcher.foreign == []
    context.close()


def test_glued_numbers_look_like_the_text_around_them(browser, site_url):
    context, page, _ = open_page(browser, site_url, "notebooks/00_how_to_use.html")
    weights = page.evaluate(
        """() => [...document.querySelectorAll('span.pasted-text')].map(e =>
            [getComputedStyle(e).fontWeight, getComputedStyle(e.parentElement).fontWeight])"""
    )
    assert weights and all(mine == around for mine, around in weights), weights
    context.close()


def test_citations_and_bibliography_share_one_style(browser, site_url):
    context, page, _ = open_page(browser, site_url, "book/bibliography.html")
    labels = page.evaluate(
        "() => [...document.querySelectorAll('.citation .label')].map(e => e.innerText.trim())"
    )
    context.close()
    assert labels and not any(re.fullmatch(r"\[?\d+\]?", label) for label in labels), labels[:5]
    label_set = {label.strip("[]").replace("\xa0", " ") for label in labels}
    context, page, _ = open_page(browser, site_url, "notebooks/01_introduction.html")
    cited = page.evaluate(
        """() => [...document.querySelectorAll('.bibtex-citation')]
            .map(e => e.innerText.trim()).filter(t => t.startsWith('['))"""
    )
    context.close()
    assert cited
    for text in cited:
        assert text.strip("[]").replace("\xa0", " ") in label_set, text


def test_footer_names_the_book_and_its_licence(browser, site_url):
    context, page, _ = open_page(browser, site_url, "book/preface.html")
    footer = page.locator(".bd-footer-content").inner_text()
    assert "Risks from Learned Optimization" in footer and "CC BY 4.0" in footer
    assert "By The contributors" not in page.content()
    context.close()


def test_pages_have_titles_and_descriptions_for_link_previews(visits):
    for page, facts in visits.items():
        if page in ("404.html", "index.html"):
            continue
        assert facts["title"] and facts["ogTitle"], page
        assert len(facts["description"] or "") > 40, page


def test_the_404_page_works_at_any_depth(browser, site_url, site_dir):
    """GitHub Pages serves 404.html for a missing address at any depth: its links are absolute."""
    html = (site_dir / "404.html").read_text("utf-8")
    assert "Page not found" in html
    context, page, watcher = open_page(browser, site_url, "404.html")
    assert page.locator("link[rel=stylesheet]").count() > 2
    home = page.get_by_role("link", name="preface")
    assert home.get_attribute("href").startswith("/")
    home.click()
    page.wait_for_url("**/book/preface.html")
    assert watcher.errors == [] and watcher.foreign == []
    context.close()


def test_glossary_terms_show_their_definition_on_hover_and_focus(browser, site_url):
    context, page, watcher = open_page(browser, site_url, "notebooks/01_introduction.html")
    term = page.locator("a[href*='glossary.html#term-'] .std-term").first
    link = term.locator("xpath=ancestor::a[1]")
    link.hover()
    tip = page.locator("[data-tippy-root]")
    tip.first.wait_for(state="visible", timeout=3000)
    assert len(tip.first.inner_text()) > 40
    page.mouse.move(0, 0)
    page.keyboard.press("Escape")
    page.locator("[data-tippy-root]").first.wait_for(state="hidden", timeout=3000)
    link.focus()
    page.locator("[data-tippy-root]").first.wait_for(state="visible", timeout=3000)
    assert watcher.foreign == [] and watcher.errors == []
    context.close()


# ---------------------------------------------------------------------------- run it, print it


def test_every_chapter_has_a_colab_button_for_the_served_notebook(visits, site_url, site_dir):
    import urllib.request

    for page, facts in visits.items():
        if not page.startswith("notebooks/"):
            continue
        assert len(facts["colab"]) == 1, page
        href = facts["colab"][0]
        assert href.startswith("https://colab.research.google.com/#fileId="), href
        target = unquote(href.split("#fileId=", 1)[1])
        assert target == f"{site_url}/_sources/{page[:-5]}.ipynb", target
        with urllib.request.urlopen(target) as response:
            notebook = json.loads(response.read())
        assert "install-demos" in notebook["cells"][0]["metadata"]["tags"]
        code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        assert all(cell.get("outputs", []) == [] for cell in code)
        assert facts["ipynbDownloads"] >= 1
        assert facts["pdfButtons"] == 0, "no PDF button that only prints"


def test_printing_shows_each_explorable_current_frame_and_no_controls(browser, site_url):
    context, page, _ = open_page(browser, site_url, "notebooks/01_introduction.html")
    figure = page.locator("figure.explorable").first
    control = figure.locator("[data-param]").first
    if control.evaluate("e => e.tagName") == "SELECT":
        control.select_option(index=1)
    else:
        control.focus()
        page.keyboard.press("ArrowRight")
    current = figure.locator("img").get_attribute("src")
    page.emulate_media(media="print")
    assert figure.locator("img").is_visible()
    assert figure.locator("img").get_attribute("src") == current
    assert not figure.locator("input, select").first.is_visible()
    outputs = figure.locator("output")
    assert all(output.is_visible() and output.inner_text() for output in outputs.all())
    assert page.locator("details.hide.above-input:visible").count() == 0
    assert page.locator("button.figure-enlarge:visible").count() == 0
    pdf = page.pdf(format="A4")
    assert len(pdf) > 50_000
    context.close()
