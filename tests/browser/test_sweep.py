"""Every page of _toc.yml, in every edition (optlearn_site.editions()), loaded ONCE per view
(390 px phone and 1280 px desktop, light and dark, every request outside the local server
blocked) by tests/browser/sweep.py; these tests assert over what that load showed. A
failure names the check (test name) and the page and view (its id,
``en/390px-light/book/01_gradient_descent``). Issue #16:

* item 2, self-contained: no console error, failed or third-party request; maths typeset
  (captions and quizzes too) with MathJax's own fonts; the header icons drawn by webfonts;
* item 3, fits the screen: no element of the article clipped without a scroll container
  (wide ones scroll with a cue), no sideways scrolling of the document;
* item 4, figures: loaded, with alt text, stored at 2x, opening full size on a tap (the
  link's target exists), on a light background in dark mode; animations fit their column,
  fill it and have frames;
* item 5, light pages: the bytes a first visit transfers (gzip);
* accessibility: axe-core, no serious or critical violation beyond the theme's own,
  listed in known_theme_issues.json (desktop, light and dark);
* the book's structure: chapter numbers in titles and sidebar, "next" follows _toc.yml;
  solution dropdowns start closed; each chapter's quiz shows the questions, answers and
  feedback of book/quizzes/<chapter>.json.

Phone views are saved under test-artifacts/screenshots/phone/ for a person to look at.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from optlearn_site import (ANIMATION_PAGES, CHAPTERS, DESKTOP, DROPDOWN_PAGES, FIGURE_PAGES, KNOWN_THEME_ISSUES,
                           PAGES, PHONE, QUIZ_PAGES, VIEWS, View, visit_params)

pytestmark = pytest.mark.browser

RAW_MATH = re.compile(r"\$\$|\\frac|\\begin\{|\\end\{|\\\(|\\\[|\\sqrt|\\nabla|\\mathbf|\\left|\\mathrm")
PHONE_LIGHT, DESKTOP_LIGHT = View(PHONE, "light"), View(DESKTOP, "light")
DESKTOPS = [v for v in VIEWS if not v.phone]
DARK = [v for v in VIEWS if v.scheme == "dark"]
LIGHT_PAGE_BYTES = 400 * 1000
CHAPTER_BYTES = 1500 * 1000


def _text(page) -> str:
    return page.source.read_text(errors="replace") if page.source else ""


# ----------------------------------------------------------------------- item 2: self-contained
@pytest.mark.parametrize("visit", visit_params())
def test_loads_cleanly_offline(swept, visit):
    """No console error, uncaught exception, failed local request or request to another host."""
    problems = swept(visit)["problems"]
    assert not problems, f"{visit.path} ({visit.view}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("visit", visit_params())
def test_maths_typeset(swept, visit):
    d = swept(visit)
    raw = sorted({m.group(0) for m in RAW_MATH.finditer(d["text"])})
    assert not raw, f"{visit.path}: raw LaTeX on the page: {raw}"
    assert d["untypeset"] == 0, f"{visit.path}: {d['untypeset']} maths not typeset"
    if "$" in _text(visit.page):
        assert d["mjx"] > 0, f"{visit.path}: its source has maths, none typeset"
        assert any("MJX" in f for f in d["fonts"]), f"{visit.path}: MathJax fonts not loaded: {d['fonts']}"


@pytest.mark.parametrize("visit", visit_params(views=DESKTOPS))
def test_icons_drawn_from_webfonts(swept, visit):
    """The theme's 1.5 MB icon script is replaced (book/_static/scripts/fontawesome.js):
    its icons must still be drawn, by the theme's CSS webfonts."""
    d = swept(visit)
    assert len(d["icons"]) >= 3, f"{visit.path}: header icons: {d['icons']}"
    bad = [i for i in d["icons"] if i["w"] < 8 or "Font Awesome" not in i["font"]
           or i["content"] in ("none", "normal", '""')]
    assert not bad, f"{visit.path}: icons not drawn: {bad}"
    assert any("Font Awesome" in f for f in d["fonts"]), d["fonts"]


# ----------------------------------------------------------------------- item 3: fits the screen
@pytest.mark.parametrize("visit", visit_params())
def test_no_sideways_scrolling(swept, visit):
    r = swept(visit)["overflow"]
    assert r["docWidth"] <= r["inner"] and r["bodyWidth"] <= r["inner"], \
        f"{visit.path} at {visit.view.width}px is {max(r['docWidth'], r['bodyWidth'])}px wide: the page scrolls sideways"


@pytest.mark.parametrize("visit", visit_params())
def test_nothing_clipped(swept, visit):
    """Every solution open: no element clipped without a scroll container, wide ones
    scroll with a visible cue, none sticks out of the column."""
    bad = swept(visit)["overflow"]["bad"]
    assert not bad, f"{visit.path} at {visit.view}:\n  " + "\n  ".join(bad)


# ----------------------------------------------------------------------- item 4: figures
@pytest.mark.parametrize("visit", visit_params(views=[PHONE_LIGHT, DESKTOP_LIGHT]))
def test_images_loaded_with_alt_text(swept, visit):
    images = swept(visit)["images"]
    not_loaded = [i for i in images if i["w"] == 0]
    no_alt = [i for i in images if not i["alt"] and not i["hidden"]]
    assert not not_loaded, f"{visit.path}: images that did not load: {not_loaded}"
    assert not no_alt, (f"{visit.path}: images without alt text (figures: cell metadata "
                        f"mystnb.image.alt; animations: an alt on the jshtml <img>): {no_alt}")


@pytest.mark.parametrize("visit", visit_params(FIGURE_PAGES, [PHONE_LIGHT]))
def test_figures_are_2x_and_linked_full_size(swept, site, visit):
    d = swept(visit)
    figs = d["figures"]
    assert figs, f"{visit.path}: its source has figures, the page shows none"
    # myst-nb writes the stored display width as width="..." unless the cell sets image
    # options (alt text); then the figure is scaled to the column: 2x means twice the
    # pixels of what the phone's column shows.
    low = [f for f in figs if f["nat"] < 1.9 * (float(f["css"]) if f["css"] else f["shown"])]
    assert not low, (f"{visit.path}: figures not stored at 2x (natural width vs its CSS width; "
                     f"re-execute the notebook with optlearn imported): {low}")
    unlinked = [f for f in figs if not f["link"]]
    assert not unlinked, f"{visit.path}: figures a tap does not open: {unlinked}"
    # the tap itself: test_site.py::test_figure_opens_full_size; here, every target exists
    base = urlparse(d["url"])
    missing = [f["link"] for f in figs if not f["link"].startswith("data:")
               and not (urlparse(f["linkAbs"]).netloc == base.netloc
                        and (site / unquote(urlparse(f["linkAbs"]).path).lstrip("/")).is_file())]
    assert not missing, f"{visit.path}: figure links to missing files: {missing}"


def _luminance(rgb: str) -> float | None:
    m = re.findall(r"[\d.]+", rgb)
    if len(m) < 3 or (len(m) == 4 and float(m[3]) == 0):
        return None  # transparent
    r, g, b = (float(x) / 255 for x in m[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("visit", visit_params(FIGURE_PAGES, DARK))
def test_figures_light_in_dark_mode(swept, visit):
    d = swept(visit)
    assert (_luminance(d["bodyBg"]) or 0) < 0.3, f"dark mode not applied (body background {d['bodyBg']})"
    figs = d["figures"] + d["frames"]
    assert figs, f"{visit.path}: its source has figures, the page shows none"
    dark = [f for f in figs if (_luminance(f["bg"]) or 0) < 0.95]
    assert not dark, f"{visit.path}: figures without a light background in dark mode: {dark}"


@pytest.mark.parametrize("visit", visit_params(ANIMATION_PAGES, [PHONE_LIGHT, DESKTOP_LIGHT]))
def test_animation_fits_and_fills_the_column(swept, visit):
    anims = swept(visit)["animations"]
    assert anims, f"{visit.path}: its source makes an animation, the page has no player"
    for i, r in enumerate(anims):
        assert r["right"] <= r["colRight"] + 1 and r["left"] >= r["colLeft"] - 1, f"animation {i} wider than its column: {r}"
        assert r["img"] >= min(0.9 * r["col"], r["nat"]), f"animation {i} frame is small for the column: {r}"
        assert r["frames"] > 0 and r["play"], f"animation {i} has a single frame or no play button: {r}"


# ----------------------------------------------------------------------- item 5: light pages
def _gzip_size(path: Path, cache={}) -> int:
    if path not in cache:
        cache[path] = len(gzip.compress(path.read_bytes(), 6))
    return cache[path]


def transferred(site: Path, data: dict) -> tuple[int, dict]:
    """Bytes the first visit transferred (each local response gzip-compressed, as a static
    server with gzip sends it), lazy images included (the sweep scrolls to the end)."""
    base = urlparse(data["url"]).netloc
    sizes = {}
    for u in data["requests"]:
        p = urlparse(u)
        if p.scheme == "data" or p.netloc != base:
            continue
        f = site / unquote(p.path).lstrip("/")
        if f.is_file():
            sizes[f.relative_to(site).as_posix()] = _gzip_size(f)
    return sum(sizes.values()), sizes


PLAIN = [p for p in PAGES if p.source and p.source.suffix == ".md" and "$" not in _text(p)
         and "image/png" not in _text(p)]


def test_some_page_has_no_maths_or_figures():
    assert PLAIN, "no page without maths or figures"


@pytest.mark.parametrize("visit", visit_params(PLAIN[:1], [DESKTOP_LIGHT]))
def test_page_without_maths_or_figures_is_light(swept, site, visit):
    total, sizes = transferred(site, swept(visit))
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
    assert total <= LIGHT_PAGE_BYTES, f"{visit.path} transfers {total / 1000:.0f} kB (gzip); heaviest: {top}"


@pytest.mark.parametrize("visit", visit_params(CHAPTERS, [DESKTOP_LIGHT]))
def test_chapter_weight(swept, site, visit):
    total, sizes = transferred(site, swept(visit))
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
    assert total <= CHAPTER_BYTES, f"{visit.path} transfers {total / 1e6:.2f} MB (gzip); heaviest: {top}"


# ----------------------------------------------------------------------- accessibility
def _known(rule: str, target: str, html: str = "") -> bool:
    return any(k["rule"] == rule and re.search(k["selector"], target)
               and re.search(k.get("html", ""), html) for k in KNOWN_THEME_ISSUES["axe"])


@pytest.mark.parametrize("visit", visit_params(views=DESKTOPS))
def test_no_serious_accessibility_violation(swept, visit):
    """axe-core on the page as loaded: every rule in the light scheme, the colour rules in
    the dark one (sweep.AXE_COLOUR_RULES: only colours change): no serious or critical
    violation except the theme's own, listed and explained in known_theme_issues.json."""
    d = swept(visit)
    assert "axe" in d, "axe-core missing (.ci/node_modules/axe-core): run `npm ci --prefix .ci`"
    bad = []
    for v in d["axe"]:
        for n in v["nodes"]:
            if (n["impact"] or v["impact"]) in ("serious", "critical") and not _known(v["id"], n["target"], n["html"]):
                bad.append(f"[{n['impact'] or v['impact']}] {v['id']} ({v['help']}): {n['target']}  {n['html']}")
    assert not bad, f"{visit.path} ({visit.view}): {len(bad)} accessibility violations:\n  " + "\n  ".join(bad)


# ----------------------------------------------------------------------- structure
NUMBERED = [p for p in PAGES if p.number]


@pytest.mark.parametrize("visit", visit_params(NUMBERED, [DESKTOP_LIGHT]))
def test_chapter_number_shown(swept, visit):
    d, n = swept(visit), visit.page.number
    assert d["h1"] and re.match(rf"^{n}\.\s", d["h1"]), f"{visit.path}: title {d['h1']!r} lacks its number '{n}.'"
    # the current page's own entry in the sidebar (its link is href="#", class "current")
    assert d["sidebarCurrent"] and re.match(rf"^{n}\.\s", d["sidebarCurrent"]), \
        f"sidebar entry of {visit.path} is {d['sidebarCurrent']!r}, not numbered '{n}.'"
    # and the previous/next navigation at the bottom follows _toc.yml
    i = PAGES.index(visit.page)
    if i + 1 < len(PAGES):
        assert d["next"] and d["next"].split("#")[0].endswith(PAGES[i + 1].stem + ".html"), \
            f"'next' on {visit.path} is {d['next']!r}, not {PAGES[i + 1].html}"


@pytest.mark.parametrize("visit", visit_params(DROPDOWN_PAGES, [DESKTOP_LIGHT]))
def test_solution_dropdowns_closed(swept, visit):
    """Solutions start closed (a click opens them: test_pages.py::test_solution_dropdowns_open)."""
    drops = swept(visit)["dropdowns"]
    assert drops, f"{visit.path}: its source has a dropdown, the page shows none"
    for i, dd in enumerate(drops):
        if dd["details"]:
            assert not dd["open"], f"dropdown {i} on {visit.path} is open before any click"
        else:
            assert dd["title"], f"dropdown {i} on {visit.path} has no title to click"
            assert not dd["bodyVisible"], f"dropdown {i} on {visit.path} is open before any click"


def words(s: str) -> str:
    """Text outside $...$ maths, whitespace-normalised (MathJax changes the maths)."""
    s = re.sub(r"\$\$.*?\$\$|\$.*?\$", " ", s or "", flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return " ".join(s.split())


@pytest.mark.parametrize("visit", visit_params(QUIZ_PAGES, [DESKTOP_LIGHT]))
def test_quiz_shows_its_questions(swept, visit):
    """The page's jupyterquiz quiz shows every question of its variable, each choice
    question with every answer of book/quizzes/<chapter>.json and that answer's verdict
    and feedback on its button (what a click shows: test_quiz.py clicks them)."""
    from test_quiz import quiz_file

    found = swept(visit)["quizzes"]
    assert found, f"chapter {visit.path} shows no jupyterquiz quiz"
    qfile = quiz_file(visit.page)
    if visit.page.is_chapter:
        assert qfile, f"no quiz JSON for {visit.page.docname} in book/quizzes/"
    n_mc = 0
    for quiz in found:
        questions = quiz["questions"]
        assert questions, f"quiz #{quiz['id']}: its questions variable is missing"
        assert quiz["shown"] == len(questions), f"quiz #{quiz['id']}: {quiz['shown']} of {len(questions)} questions shown"
        assert quiz["visible"], f"quiz #{quiz['id']}: a question is not visible"
        for qa, buttons in zip(questions, quiz["buttons"]):
            if qa["type"] not in ("multiple_choice", "many_choice"):
                continue
            assert len(buttons) == len(qa["answers"]), (qa.get("question"), buttons)
            want = sorted((str(bool(a.get("correct"))).lower(), a.get("feedback")) for a in qa["answers"])
            got = sorted((b["correct"], b["feedback"] if any("feedback" in a for a in qa["answers"]) else None)
                         for b in buttons)
            if not any("feedback" in a for a in qa["answers"]):
                want = [(c, None) for c, _ in want]
            assert got == want, f"quiz #{quiz['id']}, {qa.get('question')!r}: buttons {got}, answers {want}"
            n_mc += any(a.get("correct") for a in qa["answers"]) and not all(a.get("correct") for a in qa["answers"])
    if qfile is not None and visit.source_edition:
        in_file = [words(q.get("question", "")) for q in json.loads(qfile.read_text())]
        shown = [words(q.get("question", "")) for quiz in found for q in (quiz["questions"] or [])]
        missing = [q for q in shown if q not in in_file]
        assert not missing, f"{visit.path} shows questions that are not in {qfile.name} (stale build?): {missing}"
    if visit.page.is_chapter:
        assert n_mc > 0, f"chapter {visit.path}: no multiple-choice question with a right and a wrong answer"
