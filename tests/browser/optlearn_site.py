"""Shared helpers of the browser tests: paths, the pages of _toc.yml, opening a page."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("OPTLEARN_SITE", REPO / "_build" / "html")).resolve()
# The book's sources (_toc.yml, book/): the folder that holds _build/html, or OPTLEARN_BOOK_SRC.
BOOK_SRC = Path(os.environ.get("OPTLEARN_BOOK_SRC")
                or (SITE.parents[1] if SITE.parent.name == "_build" else REPO)).resolve()
CHROMIUM = os.environ.get("OPTLEARN_CHROMIUM", "/usr/bin/chromium")
NODE_MODULES = Path(os.environ.get("OPTLEARN_NODE_MODULES", REPO / ".ci" / "node_modules"))
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]
CHAPTER_RE = re.compile(r"^\d\d[a-z]?_.*\.ipynb$")   # 01_gradient_descent, 01b_foundations

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # never fetch a browser


# --------------------------------------------------------------------------- the pages
@dataclass(frozen=True)
class TocPage:
    docname: str           # e.g. "book/01_gradient_descent" (as in _toc.yml, no suffix)
    source: Path | None    # the source file (.ipynb / .md), if found
    number: str | None     # "1", "2", ... for top-level chapters of numbered parts
    part: str | None       # caption of its part

    @property
    def html(self) -> str:
        return self.docname + ".html"

    @property
    def is_chapter(self) -> bool:
        """A chapter: book/NN_topic.ipynb (must have a quiz and a solution dropdown)."""
        return self.source is not None and CHAPTER_RE.match(self.source.name) is not None

    @property
    def stem(self) -> str:
        return Path(self.docname).name

    def __str__(self) -> str:
        return self.docname


def _source_of(docname: str) -> Path | None:
    base = BOOK_SRC / docname
    if base.suffix in {".ipynb", ".md", ".rst"} and base.exists():
        return base
    for suffix in (".ipynb", ".md", ".rst"):
        if base.with_suffix(suffix).exists():
            return base.with_suffix(suffix)
    return None


def _strip(docname: str) -> str:
    return re.sub(r"\.(ipynb|md|rst)$", "", docname)


def toc_pages(toc_file: Path | None = None) -> list[TocPage]:
    """Every page of ``_toc.yml``, in order, with its chapter number where it has one.

    Chapters of parts marked ``numbered: true`` are numbered continuously across parts
    (``use_multitoc_numbering``); sub-sections are listed but get no number here.
    """
    toc = yaml.safe_load((toc_file or BOOK_SRC / "_toc.yml").read_text())
    pages: list[TocPage] = []

    def entries(items, part, numbered, counter, top):
        for item in items or []:
            if "file" in item:
                number = None
                if numbered and top:
                    counter[0] += 1
                    number = str(counter[0])
                doc = _strip(item["file"])
                pages.append(TocPage(doc, _source_of(doc), number, part))
            entries(item.get("sections"), part, numbered, counter, False)
            entries(item.get("chapters"), part, numbered, counter, top)

    pages.append(TocPage(_strip(toc["root"]), _source_of(_strip(toc["root"])), None, None))
    counter = [0]
    if "parts" in toc:
        for part in toc["parts"]:
            entries(part.get("chapters"), part.get("caption"), bool(part.get("numbered")), counter, True)
    else:
        entries(toc.get("chapters"), None, bool(toc.get("defaults", {}).get("numbered")), counter, True)
        entries(toc.get("sections"), None, False, counter, False)
    return pages


PAGES = toc_pages() if (BOOK_SRC / "_toc.yml").exists() else []


def repository() -> tuple[str, str]:
    """(``owner/name``, branch) of _config.yml's ``repository``: launch links are built from it."""
    cfg = yaml.safe_load((BOOK_SRC / "_config.yml").read_text())["repository"]
    return urlparse(cfg["url"]).path.strip("/"), str(cfg.get("branch", "main"))


REPOSITORY = repository() if (BOOK_SRC / "_config.yml").exists() else ("", "main")
CHAPTERS = [p for p in PAGES if p.is_chapter]


def page_params(pages):
    return [pytest.param(p, id=p.docname) for p in pages]


# --------------------------------------------------------------------------- the sweep
def editions() -> list[tuple[str, str]]:
    """(language, folder of the edition under the site root) of every built edition.

    The page sweep (tests/browser/test_sweep.py) visits every page of ``_toc.yml`` in
    every edition listed here; the interaction tests run on the first one only. The one
    place to add an edition: the Chinese one is built into ``_build/html/zh/`` by
    ``python tools/i18n.py build`` (README, "The Chinese edition")."""
    return [("en", ""), ("zh_CN", "zh/")]


PHONE, TABLET, DESKTOP = 390, 800, 1280


@dataclass(frozen=True)
class View:
    """A viewing configuration: viewport width (a phone below 600 px: touch, 2x pixels)
    and the reader's colour scheme (the theme follows it: ``default_mode: auto``)."""
    width: int
    scheme: str

    @property
    def phone(self) -> bool:
        return self.width < 600

    @property
    def height(self) -> int:
        return 844 if self.phone else 900

    def __str__(self) -> str:
        return f"{self.width}px-{self.scheme}"


VIEWS = [View(w, s) for w in (PHONE, DESKTOP) for s in ("light", "dark")]


@dataclass(frozen=True)
class Visit:
    """One load of one page of one edition in one view: what the sweep measures."""
    lang: str
    prefix: str
    view: View
    page: TocPage

    @property
    def path(self) -> str:
        return self.prefix + self.page.html

    @property
    def source_edition(self) -> bool:
        """The edition written in the sources' language (quiz texts are compared there)."""
        return self.lang == editions()[0][0]

    def __str__(self) -> str:
        return f"{self.lang}/{self.view}/{self.page.docname}"


#: A translated edition shares the source edition's layout, theme and scripts; only the words
#: differ. It is swept in two views that still cover both widths, both colour schemes and
#: (desktop, light) the full accessibility scan: phone in dark, desktop in light.
TRANSLATED_VIEWS = [View(PHONE, "dark"), View(DESKTOP, "light")]


def edition_views(lang: str, views=None) -> list:
    views = VIEWS if views is None else views
    if lang == editions()[0][0]:
        return views
    return [v for v in views if v in TRANSLATED_VIEWS]


def visit_params(pages=None, views=None) -> list:
    """pytest params (id ``en/390px-light/book/01_x``) of every edition x view x page (a
    translated edition in :data:`TRANSLATED_VIEWS` only)."""
    pages = PAGES if pages is None else pages
    return [pytest.param(Visit(lang, prefix, view, p), id=str(Visit(lang, prefix, view, p)))
            for lang, prefix in editions() for view in edition_views(lang, views) for p in pages]


def pages_whose_source_has(pattern: str, pages=None) -> list:
    """The toc pages whose source file matches ``pattern``: a feature test runs on these
    only (so it never has to skip), while per-chapter requirements are asserted apart."""
    return [p for p in (PAGES if pages is None else pages)
            if p.source and re.search(pattern, p.source.read_text(errors="replace"))]


DROPDOWN_PAGES = pages_whose_source_has(r":class: dropdown")
ANIMATION_PAGES = pages_whose_source_has(r"animation_html\(|to_jshtml\(")
FIGURE_PAGES = pages_whose_source_has(r'"image/png"')
QUIZ_PAGES = pages_whose_source_has(r"show_quiz\(|display_quiz\(")


class PageLog:
    """What went wrong while a page was open."""

    def __init__(self):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.bad_responses: list[str] = []
        self.external_requests: list[str] = []

    def problems(self) -> list[str]:
        known = KNOWN_THEME_ISSUES
        return ([f"console error: {m}" for m in self.console_errors if not _known(m, known["console"])]
                + [f"uncaught exception: {m}" for m in self.page_errors if not _known(m, known["pageerror"])]
                + [f"failed request: {m}" for m in self.failed_requests]
                + [f"HTTP error: {m}" for m in self.bad_responses]
                + [f"request to a third-party host (blocked; the site must work offline): {m}"
                   for m in self.external_requests])


KNOWN_THEME_ISSUES = json.loads((Path(__file__).parent / "known_theme_issues.json").read_text())


def _known(message: str, entries) -> bool:
    return any(re.search(e["pattern"], message) for e in entries)


def _is_local(url: str) -> bool:
    return urlparse(url).hostname == "127.0.0.1"


def open_page(pg, path: str, wait_math: bool = True):
    """Open ``path`` (relative to the site), wait for the load event and for MathJax."""
    pg.goto(pg.base_url + path, wait_until="load")
    if wait_math:
        wait_for_mathjax(pg)
    return pg


def wait_for_mathjax(pg, timeout_ms: int = 20000):
    """Wait until MathJax has typeset the page (if the page loads MathJax at all)."""
    has_mj = pg.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')")
    if not has_mj:
        return
    pg.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                         timeout=timeout_ms)
    pg.evaluate("() => MathJax.startup.promise")
    if pg.evaluate("() => !!document.querySelector('div[data-shuffleanswers]')"):
        # jupyterquiz typesets its own questions 500 ms after rendering them
        pg.evaluate("() => new Promise(r => setTimeout(r, 700))")
        pg.evaluate("() => MathJax.startup.promise")


def load_json(path: Path):
    return json.loads(path.read_text())


