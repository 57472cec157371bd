"""The site's link and anchor checker (.ci/check_links.py): a broken anchor, a missing file,
a link leaving the site fail; valid links (relative, ../, percent-encoded, srcset, CSS
url(), the page's own #id, <a name>, a folder's index.html) pass; a second edition in a
sub-folder is checked too; theme templates in _static are not pages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("check_links", Path(__file__).resolve().parents[1] / ".ci" / "check_links.py")
check_links = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_links)


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    write(tmp_path, "index.html", """<html><body id="top"><a href="#top">top</a><a href="">self</a>
        <a href="book/ch%201.html#sec-a">chapter</a><a href="book/">folder</a><a href="https://x.org/#nope">ext</a>
        <a href="mailto:a@b.c">mail</a><img src="data:image/png;base64,AAAA" alt="">
        <link rel="stylesheet" href="_static/s.css?digest=1"><form action="search.html"></form>
        <img srcset="img/a.png 1x, img/b.png 2x" src="img/a.png" alt=""></body></html>""")
    write(tmp_path, "search.html", "<html><a name=\"old\"></a></html>")
    write(tmp_path, "book/ch 1.html", '<html><h2 id="sec-a">A</h2><a href="../search.html#old">s</a>'
                                      '<a href="../index.html#top">up</a></html>')
    write(tmp_path, "book/index.html", "<html></html>")
    write(tmp_path, "img/a.png", "png")
    write(tmp_path, "img/b.png", "png")
    write(tmp_path, "_static/s.css", "/* url(gone.woff) in a comment */ @font-face { src: url('f.woff2') }")
    write(tmp_path, "_static/f.woff2", "font")
    write(tmp_path, "_static/macros.html", "<a href=\"{{ pathto('x') }}\">a theme template</a>")
    return tmp_path


def test_a_valid_site_passes(site):
    problems, n_pages, n_links = check_links.check_site(site)
    assert problems == []
    assert n_pages == 4            # _static/macros.html is a template, not a page
    assert n_links == 12           # 11 in the pages + 1 in the stylesheet; external ones not counted


@pytest.mark.parametrize("rel,html,expected", [
    ("book/ch 1.html", '<a href="../index.html#nowhere">x</a>', "no id 'nowhere' on index.html"),
    ("book/ch 1.html", '<a href="#sec-b">x</a>', "no id 'sec-b' on this page"),
    ("book/ch 1.html", '<img src="../img/c.png" alt="">', "../img/c.png: no such file"),
    ("book/ch 1.html", '<a href="../../outside.html">x</a>', "points outside the site"),
    ("book/ch 1.html", '<a href="file:///etc/passwd">x</a>', "a file: link in the built site"),
    ("zh/index.html", '<a href="../book/ch%201.html#sec-z">x</a>', "no id 'sec-z' on book/ch 1.html"),
    ("zh/book/a.html", '<img srcset="../../img/a.png 1x, ../../img/z.png 2x" alt="">', "no such file"),
])
def test_a_broken_link_fails(site, rel, html, expected):
    path = site / rel
    old = path.read_text() if path.exists() else ""
    write(site, rel, old.replace("</html>", "") + html + "</html>")
    problems, _, _ = check_links.check_site(site)
    assert len(problems) == 1 and expected in problems[0] and problems[0].startswith(rel), problems


def test_a_broken_css_url_fails(site):
    write(site, "_static/s.css", "@font-face { src: url(\"missing.woff2\") format('woff2') }")
    problems, _, _ = check_links.check_site(site)
    assert problems == ["_static/s.css:1: missing.woff2: no such file"]


def test_main_exit_status(site, capsys):
    assert check_links.main(["check_links.py", str(site)]) == 0
    write(site, "search.html", '<a href="index.html#gone"></a>')
    assert check_links.main(["check_links.py", str(site)]) == 1
    out = capsys.readouterr().out
    assert "BROKEN: search.html:1: index.html#gone: no id 'gone' on index.html" in out
    assert check_links.main(["check_links.py", str(site / "img")]) == 1   # no index.html there
