"""The table of contents and the interactions of a book page in Chromium: solution
dropdowns open on a click, an animation plays, the launch and download buttons work.
Per-page checks: test_sweep.py."""

from __future__ import annotations

import re

import pytest

from optlearn_site import (ANIMATION_PAGES, CHAPTERS, DROPDOWN_PAGES, PAGES, REPOSITORY,
                           open_page, page_params)

pytestmark = pytest.mark.browser


def test_toc_lists_pages_and_chapters(site):
    assert PAGES, "_toc.yml lists no page"
    missing = [p.docname for p in PAGES if not (site / p.html).is_file()]
    assert not missing, f"pages of _toc.yml missing from the built site: {missing}"
    assert CHAPTERS, "no chapter (book/NN_topic.ipynb) in _toc.yml"


# Loading without errors and typeset maths: test_site.py::test_page_offline_typeset_and_fits,
# on every page at 390 and 1280 px, light and dark, offline.


# Per-page checks (maths, images and alt text, figures, dark mode, numbering, dropdowns
# closed, quizzes, accessibility) run on one load per page and view: test_sweep.py.


# ----------------------------------------------------------------------- dropdowns
def test_every_chapter_has_a_dropdown_solution():
    missing = [c.docname for c in CHAPTERS if c not in DROPDOWN_PAGES]
    assert not missing, f"chapters without a {{solution}} with :class: dropdown: {missing}"


# A click opens every dropdown: on the first page that has them (sphinx-exercise and
# togglebutton behave the same on every page; test_sweep.py checks every page's start closed).
@pytest.mark.parametrize("toc_page", page_params(DROPDOWN_PAGES[:1]))
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


# The player (optlearn.player) is the same on every page: played on the first page that
# has one; test_sweep.py checks every animation's frames, size and play button.
@pytest.mark.parametrize("toc_page", page_params(ANIMATION_PAGES[:1]))
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


def test_chapters_are_numbered():
    """Chapters sit in parts marked `numbered: true` in _toc.yml, so they show "N." prefixes."""
    unnumbered = [c.docname for c in CHAPTERS if not c.number]
    assert not unnumbered, f"chapters not in a `numbered: true` part of _toc.yml: {unnumbered}"
