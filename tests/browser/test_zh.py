"""The Chinese edition in the browser (the per-page sweep of test_sweep.py covers its every
page too: maths typeset, no console error, nothing clipped, quizzes shown): the language
switch goes to the same page of the other edition and back, at desktop and phone widths;
Chinese search finds glossary terms as words (jieba with the glossary as user dictionary);
the Chinese quiz checks answers with Chinese feedback; Chinese text is drawn with real
glyphs, not empty boxes; the pages declare their language.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from optlearn_site import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _switch(pg):
    link = pg.locator("a.btn-language-switch").first
    link.wait_for(state="visible", timeout=5000)
    with pg.expect_navigation():
        link.click()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_language_switch_round_trip(make_page, width):
    pg = make_page(width)
    open_page(pg, "book/03_momentum.html", wait_math=False)
    assert pg.evaluate("document.documentElement.lang") == "en"
    _switch(pg)
    assert pg.url.endswith("/zh/book/03_momentum.html"), pg.url
    assert pg.evaluate("document.documentElement.lang") in ("zh-CN", "zh_CN", "zh")
    title = pg.locator("article h1").first.inner_text()
    assert CJK.search(title), title
    assert pg.locator("a.btn-language-switch").first.inner_text().strip() == "English"
    _switch(pg)
    assert re.search(r"/book/03_momentum\.html$", pg.url) and "/zh/" not in pg.url, pg.url
    assert pg.locator("a.btn-language-switch").first.inner_text().strip() == "中文"
    assert not pg.log.page_errors and not pg.log.bad_responses


def test_switch_links_every_page_to_its_counterpart(site):
    """Every built page of both editions links to the same page of the other one (and the
    link check verifies that page exists)."""
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        if rel.startswith(("_", "zh/_")) or "/_" in rel or rel.endswith(("genindex.html", "search.html")):
            continue
        text = html.read_text(encoding="utf-8", errors="replace")
        if 'http-equiv="Refresh"' in text or "http-equiv=\"refresh\"" in text:
            continue   # the root's redirect to the intro
        m = re.search(r'<a href="([^"]+)"[^>]*class="btn btn-sm btn-language-switch', text)
        assert m, f"{rel} has no language switch"
        target = (html.parent / m.group(1)).resolve()
        other = rel[3:] if rel.startswith("zh/") else "zh/" + rel
        assert target == (site / other).resolve(), (rel, m.group(1))


# glossary term -> a page that must be among its results
SEARCHES = {
    "梯度下降": "book/01_gradient_descent.html",
    "学习率": "book/02_learning_rate.html",
    "动量": "book/03_momentum.html",
    "偏差修正": "book/06_adam.html",
    "权重衰减": "book/06_adam.html",
}


@pytest.mark.parametrize("term", list(SEARCHES))
def test_chinese_search_finds_glossary_terms(make_page, term):
    pg = make_page(DESKTOP)
    open_page(pg, f"zh/search.html?q={term}", wait_math=False)
    # Sphinx lists the results one by one, then writes the count into the summary
    pg.wait_for_function("() => /\\d/.test((document.querySelector('#search-results .search-summary') || {}).textContent || '')",
                         timeout=30000)
    hrefs = pg.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
    found = [h.split("/zh/", 1)[-1].split("#")[0].split("?")[0] for h in hrefs]
    assert SEARCHES[term] in found, (term, found[:10])
    assert "book/appendix_glossary.html" in found, (term, found[:10])
    snippets = " ".join(pg.eval_on_selector_all("#search-results ul.search li p.context",
                                                "els => els.map(e => e.textContent)"))
    assert term in snippets, (term, snippets[:300])


def test_search_index_holds_the_glossary_terms():
    """The Chinese search index holds each term whole (tests/test_i18n.py shows that jieba
    without the glossary dictionary cuts 梯度下降 and 偏差修正 in two)."""
    import json

    text = (ROOT / "_build" / "html" / "zh" / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    for term in SEARCHES:
        assert term in index["terms"], term


def test_chinese_quiz_checks_answers(make_page):
    sys.path.insert(0, str(ROOT))
    from optlearn.exercises.quizzes import build

    quiz = build("momentum", "zh_CN")
    right = quiz[0]["answers"][0]
    pg = make_page(DESKTOP)
    open_page(pg, "zh/book/03_momentum.html")
    container = pg.locator("#optlearnQuiz_momentum")
    container.locator(".Quiz").first.wait_for(timeout=10000)
    first = container.locator(".Quiz").first
    assert CJK.search(first.inner_text()), first.inner_text()[:200]
    box = first.locator("input.Input-text")
    assert box.get_attribute("aria-label") == "数值答案"
    value = right["range"][0] + (right["range"][1] - right["range"][0]) / 2 if "range" in right else right["value"]
    box.fill(f"{value:.6g}")
    box.press("Enter")
    feedback = first.locator(".Feedback")
    feedback.wait_for(timeout=5000)
    assert "正确" in feedback.inner_text(), feedback.inner_text()
    box.fill("0.1")                                # the "buffer does not grow" mistake
    box.press("Enter")
    pg.wait_for_function("(el) => el.innerText.includes('看起来像是')", arg=feedback.element_handle(), timeout=5000)
    assert not pg.log.page_errors


def test_chinese_glyphs_are_drawn(make_page):
    """Each Chinese character is drawn with its own glyph (a missing font draws the same
    empty box for every character)."""
    pg = make_page(DESKTOP)
    open_page(pg, "zh/book/01_gradient_descent.html", wait_math=False)
    shapes = pg.evaluate("""() => {
      const font = getComputedStyle(document.querySelector('article p')).font;
      return ['梯', '度', '率', '动'].map(ch => {
        const c = document.createElement('canvas'); c.width = c.height = 40;
        const g = c.getContext('2d'); g.font = font.replace(/\\d+(\\.\\d+)?px/, '32px');
        g.fillText(ch, 2, 32);
        return Array.from(g.getImageData(0, 0, 40, 40).data).filter((v, i) => i % 4 === 3).join(',');
      });
    }""")
    assert len(set(shapes)) == 4, "Chinese characters are drawn as identical boxes: no CJK font"
    assert all(any(v != "0" for v in s.split(",")) for s in shapes), "nothing drawn"


def test_chinese_download_menu_offers_the_chinese_pdf(make_page, site):
    zh_pdf, en_pdf = site / "zh" / "optlearn.pdf", site / "optlearn.pdf"
    assert zh_pdf.is_file(), "no _build/html/zh/optlearn.pdf: `python tools/i18n.py pdf` before the Chinese build"
    assert zh_pdf.read_bytes() != en_pdf.read_bytes(), "the Chinese site offers the English PDF"
    pg = make_page(DESKTOP)
    open_page(pg, "zh/book/01_gradient_descent.html", wait_math=False)
    pg.locator(".dropdown-download-buttons button").first.click()
    link = pg.locator(".dropdown-download-buttons a[href$='optlearn.pdf']")
    link.wait_for(state="visible", timeout=3000)
    resp = pg.request.get(pg.url.rsplit("/", 1)[0] + "/" + link.get_attribute("href"))
    assert resp.status == 200 and resp.body() == zh_pdf.read_bytes()
