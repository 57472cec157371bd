"""The site for every reader (issue #16): phones and desktops, light and dark, with every
request outside the local server blocked.

The interactions, each on one page of each kind it behaves differently on: the chapter
list and "on this page" on a phone and a tablet, the desktop sidebar, back to top, a
tap on a figure, search snippets, the download menu's PDF. Every page in every view
(390 px phone and 1280 px, light and dark): test_sweep.py, one load per page and view.
Phone views are saved to test-artifacts/screenshots/phone/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from optlearn_site import (BOOK_SRC, CHAPTERS, DESKTOP, FIGURE_PAGES, PAGES, PHONE, SCREENSHOTS, TABLET,
                           open_page, page_params)

pytestmark = pytest.mark.browser



def _shot(pg, name: str):
    folder = SCREENSHOTS / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(folder / (re.sub(r"[^\w.-]+", "_", name) + ".png")))


# ----------------------------------------------------------------------- 1. navigation
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [PHONE, TABLET])
@pytest.mark.parametrize("toc_page", page_params(PAGES[:1] + CHAPTERS[:1]))
def test_phone_chapter_list_opens_and_closes(make_page, toc_page, width, scheme):
    pg = make_page(width, scheme)
    open_page(pg, toc_page.html, wait_math=False)
    button = pg.locator(".primary-toggle:visible").first
    assert button.count() == 1, "no visible 'chapters' button at this width"
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pg.touchscreen.tap(x, y) if width == PHONE else pg.mouse.click(x, y)
    drawer = pg.locator("#pst-primary-sidebar-modal")
    pg.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open", timeout=3000)
    links = drawer.locator("nav.bd-links a.reference")
    assert links.count() >= len(PAGES) - 1, f"the drawer lists {links.count()} pages"
    for p in CHAPTERS:
        entry = drawer.locator(f"nav.bd-links a[href$='{p.stem}.html'], nav.bd-links a[href='#']").first
        assert entry.is_visible(), f"chapter {p.docname} not visible in the drawer"
    if width == PHONE:
        _shot(pg, f"nav-open-{toc_page.stem}-{scheme}")
    # the same button is still uncovered: a second tap on it closes the drawer
    top = pg.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.tagName }", [x, y])
    assert top in ("DIALOG", "BUTTON", "SPAN", "I"), f"the drawer covers the button (element there: {top})"
    pg.touchscreen.tap(x, y) if width == PHONE else pg.mouse.click(x, y)
    pg.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open", timeout=3000)
    # the drawer is hidden once its closing transition ends (a loaded machine paints late)
    pg.locator("#pst-primary-sidebar-modal nav.bd-links").wait_for(state="hidden", timeout=3000)
    assert not pg.log.problems(), pg.log.problems()


@pytest.mark.parametrize("width", [PHONE, TABLET])
def test_phone_on_this_page_opens(make_page, width):
    pg = make_page(width)
    open_page(pg, CHAPTERS[0].html, wait_math=False)
    button = pg.locator(".secondary-toggle:visible").first
    assert button.count() == 1, "no visible 'on this page' button"
    button.tap() if width == PHONE else button.click()
    pg.wait_for_function("() => document.querySelector('#pst-secondary-sidebar-modal').open", timeout=3000)
    assert pg.locator("#pst-secondary-sidebar-modal .toc-entry a").first.is_visible()


def test_desktop_sidebar_collapses_and_returns(make_page):
    pg = make_page(DESKTOP)
    open_page(pg, CHAPTERS[0].html, wait_math=False)
    sidebar = pg.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    pg.locator(".primary-toggle:visible").first.click()
    pg.wait_for_timeout(400)
    assert not sidebar.is_visible(), "the visible 'toggle sidebar' button does not collapse the sidebar"
    pg.locator(".primary-toggle:visible").first.click()
    pg.wait_for_timeout(400)
    assert sidebar.is_visible(), "the sidebar does not come back"


# ----------------------------------------------------------------------- 2. self-contained
# Every page offline: no console error, no failed or third-party request, maths typeset,
# header icons drawn by webfonts: test_sweep.py (every page, every view).


# ----------------------------------------------------------------------- 3. fits the screen
# Every page, 390 and 1280 px, light and dark, every solution open: nothing clipped
# without a scroll container, no sideways scrolling: test_sweep.py.


def test_back_to_top_stays_in_the_corner(make_page):
    pg = make_page(PHONE)
    open_page(pg, CHAPTERS[0].html, wait_math=False)
    pg.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 2)")
    pg.mouse.wheel(0, -300)   # the theme shows the button while scrolling up
    pg.wait_for_timeout(500)
    btn = pg.locator("#pst-back-to-top")
    if btn.is_visible():
        b = btn.bounding_box()
        assert b["x"] + b["width"] >= PHONE - 80 and b["width"] <= 60, f"back-to-top button at {b}"
        _shot(pg, "back-to-top")


# ----------------------------------------------------------------------- 4. figures
# Every figure of every page stored at 2x with a link to an existing full-size file, every
# animation fitting and filling its column: test_sweep.py. The tap itself (the same plain
# link on every page: optlearn.js's a.optlearn-figure-link or Sphinx's own link of a
# scaled image) on the first page with figures.
@pytest.mark.parametrize("toc_page", page_params(FIGURE_PAGES[:1]))
def test_figure_opens_full_size(make_page, toc_page):
    pg = make_page(PHONE)
    open_page(pg, toc_page.html, wait_math=False)
    pg.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=15000)
    first = pg.locator(".cell_output a:has(img), article figure a:has(img)").first
    href = first.get_attribute("href")
    assert href and not href.startswith("data:"), f"{toc_page.html}: first figure links to {href!r}"
    first.scroll_into_view_if_needed()
    shown = first.locator("img").first.bounding_box()["width"]
    first.tap()
    pg.wait_for_url(re.compile(re.escape(href.split("/")[-1]) + "$"), timeout=5000)
    nat = pg.evaluate("() => document.images[0] && document.images[0].naturalWidth")
    assert nat >= 1.9 * shown and nat > PHONE, f"full-size figure is {nat}px wide"


# ----------------------------------------------------------------------- 5. light pages
# The bytes a first visit of every chapter and of a page without maths transfers: test_sweep.py.


def test_search_snippets_are_clean(make_page):
    pg = make_page(DESKTOP)
    open_page(pg, "search.html?q=Adam", wait_math=False)
    pg.wait_for_function("() => document.querySelectorAll('#search-results ul.search li p.context').length > 2",
                         timeout=20000)
    snippets = pg.eval_on_selector_all("#search-results ul.search li p.context", "els => els.map(e => e.textContent)")
    dirty = [s for s in snippets if re.search(r"\\\(|\\\)|\\\[|\.ipynb|\.pdf|Contents\s|Print to PDF|Toggle", s)]
    assert not dirty, f"search snippets with raw LaTeX or button text: {dirty[:3]}"


# ----------------------------------------------------------------------- 6. the PDF
def test_download_menu_offers_the_book_pdf(make_page, site):
    assert (site / "optlearn.pdf").is_file(), \
        "the site has no optlearn.pdf: build it (README, 'The book as a PDF') and copy it into _build/html"
    pg = make_page(DESKTOP)
    open_page(pg, CHAPTERS[0].html, wait_math=False)
    pg.locator(".dropdown-download-buttons button").first.click()
    link = pg.locator(".dropdown-download-buttons a[href$='optlearn.pdf']")
    link.wait_for(state="visible", timeout=3000)
    resp = pg.request.get(pg.url.rsplit("/", 1)[0] + "/" + link.get_attribute("href"))
    assert resp.status == 200 and resp.body()[:5] == b"%PDF-"


# ----------------------------------------------------------------------- 7. launching
def repository_url() -> str:
    cfg = yaml.safe_load((BOOK_SRC / "_config.yml").read_text())
    return cfg["repository"]["url"].rstrip("/")


@pytest.mark.parametrize("toc_page", page_params([p for p in PAGES if p.source and p.source.suffix == ".ipynb"]))
def test_launch_links_use_the_configured_repository(site, toc_page):
    html = (site / toc_page.html).read_text(errors="replace")
    org_repo = urlparse(repository_url()).path.strip("/")
    links = re.findall(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]+)"', html)
    assert len(links) >= 2, f"{toc_page.html}: launch links missing"
    bad = [u for u in links if "/./" in u or org_repo not in u.replace("%2F", "/")]
    assert not bad, f"{toc_page.html}: launch links not built from the configured repository: {bad}"
    colab = [u for u in links if "colab" in u][0]
    assert colab.endswith(f"/blob/{yaml.safe_load((BOOK_SRC / '_config.yml').read_text())['repository']['branch']}/{toc_page.docname}.ipynb")
