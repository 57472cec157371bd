"""Site search finds the Adam chapter; no page (HTML and its images) weighs over 3 MB."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from optlearn_site import PAGES, open_page, page_params

pytestmark = pytest.mark.browser

MAX_PAGE_BYTES = 3 * 1024 * 1024


def test_search_finds_adam(page):
    adam = [p for p in PAGES if re.fullmatch(r"\d\d_adam", p.stem)]
    assert adam, "no Adam chapter (book/NN_adam.ipynb) in _toc.yml yet"
    target = adam[0].stem + ".html"
    open_page(page, "search.html?q=Adam", wait_math=False)
    page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li a').length > 0",
                           timeout=20000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    assert any(urlparse(h).path.endswith(target) for h in hrefs), \
        f"searching 'Adam' does not list {target}: {hrefs[:10]}"


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "source"):
            d = dict(attrs)
            if d.get("src"):
                self.srcs.append(d["src"])


def page_weight(site: Path, html: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes of the HTML page (inline data: images included) plus its local image files."""
    path = site / html
    parser = _Images()
    parser.feed(path.read_text(errors="replace"))
    parts = [(html, path.stat().st_size)]
    for src in dict.fromkeys(parser.srcs):
        if src.startswith("data:") or urlparse(src).scheme:
            continue
        f = (path.parent / unquote(urlparse(src).path)).resolve()
        if f.is_file():
            parts.append((src, f.stat().st_size))
    return sum(n for _, n in parts), parts


@pytest.mark.parametrize("toc_page", page_params(PAGES))
def test_page_weight(site, toc_page):
    total, parts = page_weight(site, toc_page.html)
    heaviest = sorted(parts, key=lambda p: -p[1])[:5]
    assert total <= MAX_PAGE_BYTES, (f"{toc_page.html} weighs {total / 2**20:.2f} MB with its images "
                                     f"(limit 3 MB); heaviest parts: {heaviest}")
