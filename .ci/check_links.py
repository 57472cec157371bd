"""Internal links and anchors of the built site, every page parsed once (CI, issue #16).

    python .ci/check_links.py [_build/html]

Walks every ``*.html`` page under the site folder (not the theme's templates in
``_static``), recursively (so a second edition such as
``_build/html/zh/`` is checked with the first), and fails (exit 1, one line per broken
link) unless every local target of ``href``, ``src``, ``srcset``, ``poster``, ``data``
and ``action`` attributes, and of ``url(...)`` in the site's stylesheets, exists, and every ``#fragment`` of a link to an HTML page
(the page itself or another one) is an ``id`` (or an ``<a name>``) of that page.
External URLs (``http(s):``, ``mailto:``, ``data:``, ...) are not checked: the machines
are offline and the site must not need them. Each page is parsed once and its ids kept,
so the whole site takes seconds (linkchecker's AnchorCheck re-parsed the target page for
every anchor: about 8 minutes).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

URL_ATTRS = {"href", "src", "poster", "data", "action"}
# Theme files, not pages: _static holds the theme's Jinja macro templates (*.html with
# {{ pathto(...) }} "links"), _sources the page sources. They stay valid link targets.
SKIP_DIRS = {"_static", "_sources"}
SKIP_SCHEMES = {"http", "https", "mailto", "data", "javascript", "tel", "blob", "ftp"}


class _Page(HTMLParser):
    """The ids of one page and the (line, URL) of each of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in URL_ATTRS and not (tag == "form" and not value.strip()):
                self.links.append((self.getpos()[0], value.strip()))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((self.getpos()[0], candidate.split()[0]))

    handle_startendtag = handle_starttag


CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def css_links(path: Path) -> list[tuple[int, str]]:
    """(line, URL) of the ``url(...)`` references of a stylesheet (fonts, images)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return [(text.count("\n", 0, m.start()) + 1, m.group(2).strip()) for m in CSS_URL.finditer(text)]


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def check_site(site: Path) -> tuple[list[str], int, int]:
    """(problems, pages parsed, links checked) for the site folder ``site``."""
    site = site.resolve()
    pages = {p.resolve(): parse(p) for p in sorted(site.rglob("*.html"))
             if not SKIP_DIRS.intersection(p.relative_to(site).parts[:-1])}
    problems: list[str] = []
    n_links = 0
    missing_files: dict[Path, list[str]] = defaultdict(list)
    sources = [(path, page.links) for path, page in pages.items()]
    sources += [(css.resolve(), css_links(css)) for css in sorted(site.rglob("*.css"))]
    for path, links in sources:
        rel = path.relative_to(site).as_posix()
        for line, url in links:
            parts = urlsplit(url)
            if parts.scheme.lower() in SKIP_SCHEMES or parts.netloc or url.startswith("//"):
                continue
            if parts.scheme:   # file:, or anything else a static site cannot serve
                problems.append(f"{rel}:{line}: {url}: a {parts.scheme}: link in the built site")
                continue
            n_links += 1
            if parts.path:
                target = (path.parent / unquote(parts.path)).resolve() if not parts.path.startswith("/") \
                    else (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = path
            if target.is_dir():
                target = target / "index.html"
            if site not in target.parents and target != site:
                problems.append(f"{rel}:{line}: {url}: points outside the site")
                continue
            if not target.is_file():
                missing_files[target].append(f"{rel}:{line}: {url}: no such file")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    where = "this page" if target == path else target.relative_to(site).as_posix()
                    problems.append(f"{rel}:{line}: {url}: no id {fragment!r} on {where}")
    for entries in missing_files.values():
        problems += entries
    return problems, len(pages), n_links


def main(argv: list[str]) -> int:
    site = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"no built site at {site} (no index.html): build it first (`jupyter-book build .`)")
        return 1
    problems, n_pages, n_links = check_site(site)
    for p in problems:
        print("BROKEN:", p)
    print(f"{n_pages} pages, {n_links} internal links and anchors checked under {site}: "
          f"{len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
