"""The site for every reader (issue #16): phones and desktops, light and dark, with every
request outside the local server blocked.

Each test runs at 390 px (a phone: touch, 2x pixels) and 1280 px, in the light and the
dark scheme, on every page that _toc.yml lists (so new chapters are covered). Phone views
are saved to test-artifacts/screenshots/phone/ for a person to look at.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from optlearn_site import (BOOK_SRC, CHAPTERS, FIGURE_PAGES, ANIMATION_PAGES, PAGES, SCREENSHOTS,
                           open_page, page_params)

pytestmark = pytest.mark.browser

PHONE, TABLET, DESKTOP = 390, 800, 1280
VIEWS = [pytest.param(w, s, id=f"{w}px-{s}") for w in (PHONE, DESKTOP) for s in ("light", "dark")]
RAW_MATH = re.compile(r"\$\$|\\frac|\\begin\{|\\end\{|\\\(|\\\[|\\sqrt|\\nabla|\\mathbf|\\left|\\mathrm")


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
    assert not pg.locator("#pst-primary-sidebar-modal nav.bd-links").is_visible()
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
def test_icons_drawn_from_webfonts(make_page):
    """The theme's 1.5 MB icon script is replaced (book/_static/scripts/fontawesome.js):
    its icons must still be drawn, by the theme's CSS webfonts."""
    pg = make_page(DESKTOP)
    open_page(pg, CHAPTERS[0].html, wait_math=False)
    pg.wait_for_function("() => document.fonts.status === 'loaded'")
    icons = pg.evaluate("""() => Array.from(document.querySelectorAll('.bd-header-article i.fa-solid, .bd-header-article i.fas, .bd-header-article i.fab'))
        .filter(i => i.offsetParent).map(i => ({cls: i.className, w: i.getBoundingClientRect().width,
            font: getComputedStyle(i, '::before').fontFamily, content: getComputedStyle(i, '::before').content}))""")
    assert len(icons) >= 3, f"header icons: {icons}"
    bad = [i for i in icons if i["w"] < 8 or "Font Awesome" not in i["font"] or i["content"] in ("none", "normal", '""')]
    assert not bad, f"icons not drawn: {bad}"
    fonts = pg.evaluate("() => Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Font Awesome" in f for f in fonts), fonts


# ----------------------------------------------------------------------- 3. fits the screen
OVERFLOW_JS = """() => {
  // MathJax's assistive MathML is visually hidden (clip: 1px) but Chromium lays it out with
  // its own width: measure the page without it, it is never what a reader sees.
  if (!document.getElementById('no-assistive-mml')) {
    const st = document.createElement('style'); st.id = 'no-assistive-mml';
    st.textContent = 'mjx-assistive-mml { display: none !important; }';
    document.head.appendChild(st);
  }
  const article = document.querySelector('article.bd-article') || document.querySelector('article');
  const aRect = article.getBoundingClientRect();
  const bad = [];
  const scrolls = new Set(['auto', 'scroll']);
  const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
  const hidden = e => { const r = e.getBoundingClientRect(); return r.width <= 1 || r.height <= 1; };
  for (const e of article.querySelectorAll('*')) {
    if (hidden(e) || e.closest('mjx-assistive-mml, .visually-hidden, .sr-only, dialog, script, style, .toggle-hidden')) continue;
    // MathJax's own glyph boxes clip by design (stretchy characters); its container is checked
    if (e.parentElement && e.parentElement.closest('mjx-container')) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const ox = cs.overflowX;
    if ((ox === 'hidden' || ox === 'clip') && e.scrollWidth > e.clientWidth + 2) {
      bad.push('clipped: ' + describe(e) + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
    }
    if (scrolls.has(ox) && e.scrollWidth > e.clientWidth + 2 && e.tagName !== 'PRE' && !e.closest('pre')) {
      const cue = cs.backgroundAttachment.includes('local') || cs.backgroundImage.includes('gradient');
      if (!cue) bad.push('scrolls without a cue: ' + describe(e));
    }
    // an element that sticks out of the article without a scrolling ancestor inside it
    const r = e.getBoundingClientRect();
    if (r.right > aRect.right + 2 || r.left < aRect.left - 2) {
      let anc = e.parentElement, contained = false;
      while (anc && anc !== article) {
        const o = getComputedStyle(anc).overflowX;
        if (scrolls.has(o)) { contained = true; break; }
        if (o === 'hidden' || o === 'clip') { contained = true; break; }   // reported above
        anc = anc.parentElement;
      }
      if (!contained) bad.push('sticks out of the column: ' + describe(e) + ' (' + Math.round(r.left) + '..' + Math.round(r.right) + ' vs ' + Math.round(aRect.left) + '..' + Math.round(aRect.right) + ')');
    }
  }
  return {bad: Array.from(new Set(bad)).slice(0, 25), docWidth: document.documentElement.scrollWidth,
          bodyWidth: document.body.scrollWidth, inner: window.innerWidth};
}"""


@pytest.mark.parametrize("width,scheme", VIEWS)
@pytest.mark.parametrize("toc_page", page_params(PAGES))
def test_page_offline_typeset_and_fits(make_page, toc_page, width, scheme):
    """One load of every page in every view, every request outside the local server
    blocked. Item 2: nothing leaves the site; maths (captions and quizzes included)
    typeset; no console error, no failed request. Item 3: no element of the article is
    clipped without a scroll container (wide ones scroll with a cue), and the document
    does not scroll sideways."""
    pg = make_page(width, scheme)
    open_page(pg, toc_page.html)
    pg.wait_for_timeout(300)
    text = pg.evaluate("""() => {
        const clone = (document.querySelector('article') || document.body).cloneNode(true);
        clone.querySelectorAll('pre, code, script, style, .highlight, mjx-container, mjx-assistive-mml, '
                               + 'textarea').forEach(e => e.remove());
        return clone.innerText; }""")
    raw = sorted({m.group(0) for m in RAW_MATH.finditer(text)})
    assert not raw, f"{toc_page.html}: raw LaTeX on the page: {raw}"
    untypeset = pg.evaluate("() => Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length")
    assert untypeset == 0, f"{toc_page.html}: {untypeset} maths not typeset"
    if "$" in (toc_page.source.read_text(errors="replace") if toc_page.source else ""):
        assert pg.locator("mjx-container").count() > 0, f"{toc_page.html}: its source has maths, none typeset"
        fonts = pg.evaluate("() => document.fonts.ready.then(() => Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family))")
        assert any("MJX" in f for f in fonts), f"{toc_page.html}: MathJax fonts not loaded: {fonts}"
    problems = pg.log.problems()
    assert not problems, f"{toc_page.html} ({width}px {scheme}):\n  " + "\n  ".join(problems)
    if width == PHONE and toc_page in (PAGES[:1] + CHAPTERS):
        _shot(pg, f"top-{toc_page.stem}-{scheme}")

    # item 3, with every solution open so that its equations are measured too
    pg.evaluate("""() => { document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
                           document.querySelectorAll('details').forEach(d => d.open = true);
                           window.dispatchEvent(new Event('resize')); }""")
    pg.wait_for_timeout(400)
    r = pg.evaluate(OVERFLOW_JS)
    assert r["docWidth"] <= r["inner"] and r["bodyWidth"] <= r["inner"], \
        f"{toc_page.html} at {width}px is {max(r['docWidth'], r['bodyWidth'])}px wide: the page scrolls sideways"
    assert not r["bad"], f"{toc_page.html} at {width}px:\n  " + "\n  ".join(r["bad"])
    if width == PHONE and scheme == "light":
        wide = pg.locator(".bd-content div.math, .bd-content .pst-scrollable-table-container")
        for i in range(wide.count()):
            el = wide.nth(i)
            if el.evaluate("e => e.scrollWidth > e.clientWidth + 2"):
                el.scroll_into_view_if_needed()
                _shot(pg, f"scroll-cue-{toc_page.stem}")
                break


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
@pytest.mark.parametrize("toc_page", page_params(FIGURE_PAGES))
def test_figures_are_2x_and_open_full_size(make_page, toc_page):
    pg = make_page(PHONE)
    open_page(pg, toc_page.html, wait_math=False)
    pg.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    pg.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=15000)
    figs = pg.evaluate("""() => Array.from(document.querySelectorAll('.cell_output img, article figure img'))
        .filter(i => !i.closest('.animation'))
        .map(i => ({src: i.getAttribute('src').slice(0, 60), nat: i.naturalWidth, css: i.getAttribute('width'),
                    shown: i.getBoundingClientRect().width, link: i.closest('a') ? i.closest('a').getAttribute('href') : null}))""")
    assert figs, f"{toc_page.html}: no figure"
    # myst-nb writes the stored display width as width="..." unless the cell sets image
    # options (alt text); then the figure is scaled to the column: 2x means twice the
    # pixels of what the phone's column shows.
    low = [f for f in figs if f["nat"] < 1.9 * (float(f["css"]) if f["css"] else f["shown"])]
    assert not low, (f"{toc_page.html}: figures not stored at 2x (natural width vs its CSS width; "
                     f"re-execute the notebook with optlearn imported): {low}")
    unlinked = [f for f in figs if not f["link"]]
    assert not unlinked, f"{toc_page.html}: figures a tap does not open: {unlinked}"
    # the link is optlearn.js's (a.optlearn-figure-link) or Sphinx's own for a scaled image
    first = pg.locator(".cell_output a:has(img), article figure a:has(img)").first
    href = first.get_attribute("href")
    if not href.startswith("data:"):
        first.scroll_into_view_if_needed()
        first.tap()
        pg.wait_for_url(re.compile(re.escape(href.split("/")[-1]) + "$"), timeout=5000)
        nat = pg.evaluate("() => document.images[0] && document.images[0].naturalWidth")
        assert nat >= 1.9 * figs[0]["shown"] and nat > PHONE, f"full-size figure is {nat}px wide"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("toc_page", page_params(ANIMATION_PAGES))
def test_animation_fits_and_fills_the_column(make_page, toc_page, width):
    pg = make_page(width)
    open_page(pg, toc_page.html, wait_math=False)
    anims = pg.locator("div.animation")
    assert anims.count() > 0
    for i in range(anims.count()):
        a = anims.nth(i)
        a.scroll_into_view_if_needed()
        r = a.evaluate("""e => { const col = e.closest('.cell_output') || e.parentElement;
            const img = e.querySelector('img'); const b = e.getBoundingClientRect(), c = col.getBoundingClientRect();
            return {right: b.right, colRight: c.right, left: b.left, colLeft: c.left, img: img.getBoundingClientRect().width,
                    col: c.width, nat: img.naturalWidth}; }""")
        assert r["right"] <= r["colRight"] + 1 and r["left"] >= r["colLeft"] - 1, f"animation {i} wider than its column: {r}"
        assert r["img"] >= min(0.9 * r["col"], r["nat"]), f"animation {i} frame is small for the column: {r}"
        if width == PHONE:
            _shot(pg, f"animation-{toc_page.stem}-{i}")


# ----------------------------------------------------------------------- 5. light pages
def _gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def transferred(make_page, site: Path, html: str, width=DESKTOP) -> tuple[int, dict]:
    """Bytes a first visit transfers (each local response gzip-compressed, as a static
    server with gzip sends it), after scrolling to the end so lazy images load."""
    pg = make_page(width)
    urls: list[str] = []
    pg.on("requestfinished", lambda req: urls.append(req.url))
    open_page(pg, html)
    pg.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    pg.wait_for_timeout(500)
    sizes = {}
    for u in dict.fromkeys(urls):
        if u.startswith("data:"):
            continue
        f = site / urlparse(u).path.lstrip("/")
        if f.is_file():
            sizes[f.relative_to(site).as_posix()] = _gzip_size(f)
    return sum(sizes.values()), sizes


LIGHT_PAGE_BYTES = 400 * 1000
CHAPTER_BYTES = 1500 * 1000


def test_page_without_maths_or_figures_is_light(make_page, site):
    plain = [p for p in PAGES if p.source and p.source.suffix == ".md" and "$" not in p.source.read_text()
             and "image/png" not in p.source.read_text()]
    assert plain, "no page without maths or figures"
    total, sizes = transferred(make_page, site, plain[0].html)
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
    assert total <= LIGHT_PAGE_BYTES, f"{plain[0].html} transfers {total / 1000:.0f} kB (gzip); heaviest: {top}"


@pytest.mark.parametrize("toc_page", page_params(CHAPTERS))
def test_chapter_weight(make_page, site, toc_page):
    total, sizes = transferred(make_page, site, toc_page.html)
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
    assert total <= CHAPTER_BYTES, f"{toc_page.html} transfers {total / 1e6:.2f} MB (gzip); heaviest: {top}"


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
