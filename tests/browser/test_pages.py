"""Every page of the table of contents, in Chromium: loads cleanly, maths typeset,
images loaded with alt text, solution dropdowns open, animations play, chapter numbers,
launch/download buttons, dark mode."""

from __future__ import annotations

import re

import pytest

from optlearn_site import (ANIMATION_PAGES, CHAPTERS, DROPDOWN_PAGES, FIGURE_PAGES, PAGES, REPOSITORY,
                           open_page, page_params)

pytestmark = pytest.mark.browser


def test_toc_lists_pages_and_chapters(site):
    assert PAGES, "_toc.yml lists no page"
    missing = [p.docname for p in PAGES if not (site / p.html).is_file()]
    assert not missing, f"pages of _toc.yml missing from the built site: {missing}"
    assert CHAPTERS, "no chapter (book/NN_topic.ipynb) in _toc.yml"


# Loading without errors and typeset maths: test_site.py::test_page_offline_typeset_and_fits,
# on every page at 390 and 1280 px, light and dark, offline.


@pytest.mark.parametrize("toc_page", page_params(PAGES))
def test_images_loaded_with_alt_text(page, toc_page):
    open_page(page, toc_page.html)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images
    page.wait_for_function(
        "() => Array.from(document.images).filter(i => i.getAttribute('src')).every(i => i.complete)",
        timeout=15000)
    images = page.evaluate("""() => Array.from(document.querySelectorAll('article img, .bd-content img'))
        .map(i => ({src: (i.getAttribute('src') || '').slice(0, 80), id: i.id,
                    w: i.naturalWidth, alt: (i.getAttribute('alt') || '').trim(),
                    hidden: i.getAttribute('aria-hidden') === 'true' || i.getAttribute('role') === 'presentation'}))""")
    not_loaded = [i for i in images if i["w"] == 0]
    no_alt = [i for i in images if not i["alt"] and not i["hidden"]]
    assert not not_loaded, f"{toc_page.html}: images that did not load: {not_loaded}"
    assert not no_alt, (f"{toc_page.html}: images without alt text (figures: cell metadata "
                        f"mystnb.image.alt; animations: an alt on the jshtml <img>): {no_alt}")


# ----------------------------------------------------------------------- dropdowns
def test_every_chapter_has_a_dropdown_solution():
    missing = [c.docname for c in CHAPTERS if c not in DROPDOWN_PAGES]
    assert not missing, f"chapters without a {{solution}} with :class: dropdown: {missing}"


@pytest.mark.parametrize("toc_page", page_params(DROPDOWN_PAGES))
def test_solution_dropdowns_open(page, toc_page):
    open_page(page, toc_page.html)
    n = page.locator(".solution.dropdown, .dropdown.admonition, details.solution").count()
    assert n > 0, f"{toc_page.html}: its source has a dropdown, the page shows none"
    for i in range(n):
        box = page.locator(".solution.dropdown, .dropdown.admonition, details.solution").nth(i)
        box.scroll_into_view_if_needed()
        if box.evaluate("e => e.tagName") == "DETAILS":
            assert not box.evaluate("e => e.open")
            box.locator("summary").first.click()
            assert box.evaluate("e => e.open"), f"dropdown {i} did not open"
            continue
        # sphinx-exercise 1.2.1 emits <div class="solution dropdown admonition">; the
        # togglebutton script hides its body (.toggle-hidden) until the title is clicked.
        body = box.locator(":scope > :not(.admonition-title)").first
        assert not body.is_visible(), f"dropdown {i} on {toc_page.html} is open before any click"
        box.locator(":scope > .admonition-title").click()
        page.wait_for_timeout(100)
        assert body.is_visible(), f"dropdown {i} on {toc_page.html} did not open when clicked"
        assert "toggle-hidden" not in (box.get_attribute("class") or "")


# ----------------------------------------------------------------------- animations
PLAYER = re.compile(r'<div class="animation[ "]')   # optlearn.player's block (class "animation optlearn-player")

def test_some_page_has_an_animation(site):
    pages = [p.html for p in PAGES if PLAYER.search((site / p.html).read_text(errors="replace"))]
    assert pages, "no page of the book has a matplotlib to_jshtml() animation"


@pytest.mark.parametrize("toc_page", page_params(ANIMATION_PAGES))
def test_animation_plays(page, site, toc_page):
    assert PLAYER.search((site / toc_page.html).read_text(errors="replace")), \
        f"{toc_page.html}: its source makes an animation, the page has no player"
    open_page(page, toc_page.html)
    anims = page.locator("div.animation")
    for i in range(anims.count()):
        anim = anims.nth(i)
        anim.scroll_into_view_if_needed()
        slider = anim.locator("input.anim-slider")
        img = anim.locator("img").first
        before = (slider.input_value(), img.get_attribute("src"))
        assert int(slider.get_attribute("max")) > 0, f"animation {i} has a single frame"
        anim.locator("button[title='Play']").click()
        page.wait_for_function(
            """([el, v, s]) => el.querySelector('input.anim-slider').value !== v
                               && el.querySelector('img').getAttribute('src') !== s""",
            arg=[anim.element_handle(), before[0], before[1]], timeout=5000)
        anim.locator("button[title='Pause']").click()


# ----------------------------------------------------------------------- numbering
NUMBERED = [p for p in PAGES if p.number]


@pytest.mark.parametrize("toc_page", page_params(NUMBERED))
def test_chapter_number_shown(page, toc_page):
    open_page(page, toc_page.html, wait_math=False)
    n = toc_page.number
    title = page.locator("article h1").first.inner_text().strip()
    assert re.match(rf"^{n}\.\s", title), f"{toc_page.html}: title {title!r} lacks its number '{n}.'"
    # the current page's own entry in the sidebar (its link is href="#", class "current")
    link = page.locator("nav.bd-links li.toctree-l1.current > a.current").first
    assert re.match(rf"^{n}\.\s", link.inner_text().strip()), \
        f"sidebar entry of {toc_page.html} is {link.inner_text()!r}, not numbered '{n}.'"
    # and the previous/next navigation at the bottom follows _toc.yml
    i = PAGES.index(toc_page)
    if i + 1 < len(PAGES):
        nxt = page.locator("a.right-next").first
        assert nxt.get_attribute("href").split("#")[0].endswith(PAGES[i + 1].stem + ".html"), \
            f"'next' on {toc_page.html} does not lead to {PAGES[i + 1].html}"


# ----------------------------------------------------------------------- launch buttons
@pytest.mark.parametrize("toc_page", page_params(CHAPTERS[:1]))
def test_launch_and_download_buttons(page, toc_page):
    open_page(page, toc_page.html, wait_math=False)
    nb = toc_page.source.name
    repo, branch = REPOSITORY   # _config.yml's repository.url / branch, the one place they are set
    colab = page.locator(f"a[href^='https://colab.research.google.com/github/{repo}/blob/{branch}/'][href$='{nb}']")
    binder = page.locator(f"a[href^='https://mybinder.org/v2/gh/{repo}/{branch}'][href*='{nb}']")
    download = page.locator(f"a[href$='_sources/{toc_page.docname}.ipynb']")
    assert colab.count() >= 1, "no 'open in Colab' launch button"
    assert binder.count() >= 1, "no 'open in Binder' launch button"
    assert download.count() >= 1, "no download button for the notebook"
    # the menus open and the download is served
    page.locator("button[aria-label='Launch interactive content']").click()
    assert colab.first.is_visible() and binder.first.is_visible()
    href = download.first.get_attribute("href")
    resp = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
    assert resp.status == 200 and b'"cells"' in resp.body(), f"download link {href} does not serve the notebook"


# ----------------------------------------------------------------------- dark mode
def _luminance(rgb: str) -> float | None:
    m = re.findall(r"[\d.]+", rgb)
    if len(m) < 3 or (len(m) == 4 and float(m[3]) == 0):
        return None  # transparent
    r, g, b = (float(x) / 255 for x in m[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("toc_page", page_params(FIGURE_PAGES))
def test_figures_light_in_dark_mode(page, toc_page):
    open_page(page, toc_page.html, wait_math=False)
    page.evaluate("""() => { localStorage.setItem('theme', 'dark'); localStorage.setItem('mode', 'dark');
        document.documentElement.dataset.mode = 'dark'; document.documentElement.dataset.theme = 'dark'; }""")
    page.wait_for_timeout(200)
    page_bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert (_luminance(page_bg) or 0) < 0.3, f"dark mode not applied (body background {page_bg})"
    figs = page.evaluate("""() => Array.from(document.querySelectorAll('.cell_output img, article figure img, div.animation img'))
        .map(i => ({src: (i.getAttribute('src') || '').slice(0, 60), bg: getComputedStyle(i).backgroundColor}))""")
    assert figs, f"{toc_page.html}: its source has figures, the page shows none"
    dark = [f for f in figs if (_luminance(f["bg"]) or 0) < 0.95]
    assert not dark, f"{toc_page.html}: figures without a light background in dark mode: {dark}"


def test_chapters_are_numbered():
    """Chapters sit in parts marked `numbered: true` in _toc.yml, so they show "N." prefixes."""
    unnumbered = [c.docname for c in CHAPTERS if not c.number]
    assert not unnumbered, f"chapters not in a `numbered: true` part of _toc.yml: {unnumbered}"
