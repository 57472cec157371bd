"""The chapter quizzes (jupyterquiz) work in the browser: a wrong and a right choice give
the feedback written in the quiz JSON, a number within tolerance is accepted and one
outside is rejected (on the built site); and, on pages generated from ``show_quiz``'s
output (no build needed), every answer correct to the stated precision passes, a coarser
rounding is told "too coarse", a decimal comma works, the choices work with the keyboard
and the quiz follows the light and dark theme.

jupyterquiz 2.9.6.4's DOM: the container ``<div id=X data-shuffleanswers=...>`` is filled
from the global ``questionsX``; each question is a ``div.Quiz`` holding a
``div.MultipleChoiceQn`` / ``div.ManyChoiceQn`` / ``div.NumericQn``, answers in
``div.Answer`` (``label.MCButton`` with ``data-correct`` / ``data-feedback`` for choices,
``input.Input-text`` checked on Enter for numbers), and the verdict in ``div.Feedback``
with class ``correct`` or ``incorrect``.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from optlearn_site import (BOOK_SRC, CHAPTERS, QUIZ_PAGES, _source_of, open_page,
                           page_params)

from optlearn.exercises import CHAPTERS as QUIZ_CHAPTERS
from optlearn.exercises import quiz_html
from optlearn.exercises.quizzes import _text, build, questions

pytestmark = pytest.mark.browser



def quiz_file(toc_page) -> Path | None:
    """book/quizzes/<chapter>.json of the quiz the page shows (``show_quiz("<chapter>")`` in its
    source), else the one named like the page, with or without the NN_ prefix."""
    qdir = BOOK_SRC / Path(toc_page.docname).parent / "quizzes"
    names = [toc_page.stem, re.sub(r"^\d+\w?_", "", toc_page.stem)]
    source = _source_of(toc_page.docname)
    if source is not None:
        names = re.findall(r"show_quiz\(\\?[\"']([A-Za-z_]\w*)", source.read_text(encoding="utf-8")) + names
    for name in names:
        if (qdir / f"{name}.json").is_file():
            return qdir / f"{name}.json"
    return None


def words(s: str) -> str:
    """Text outside $...$ maths, whitespace-normalised (MathJax changes the maths)."""
    s = re.sub(r"\$\$.*?\$\$|\$.*?\$", " ", s or "", flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return " ".join(s.split())


def contains_words(haystack: str, needle: str) -> bool:
    h = " ".join((haystack or "").split())
    return all(part.strip() in h for part in re.split(r"\$\$.*?\$\$|\$.*?\$|<[^>]+>", needle or "", flags=re.S)
               if part.strip())


def quizzes_on(page):
    """[(container id, questions)] of the jupyterquiz quizzes on the page."""
    page.wait_for_function("""() => Array.from(document.querySelectorAll('div[data-shuffleanswers]'))
                                    .every(c => c.querySelector('.Quiz'))""", timeout=10000)
    return page.evaluate("""() => Array.from(document.querySelectorAll('div[data-shuffleanswers]'))
        .map(c => [c.id, window['questions' + c.id] || null])""")


def test_every_chapter_has_a_quiz():
    missing = [c.docname for c in CHAPTERS if c not in QUIZ_PAGES]
    assert not missing, f"chapters that do not show their quiz (show_quiz): {missing}"


def _clicked_quiz_pages():
    """The first quiz page with both a choice and a numeric question: the quiz widget
    (jupyterquiz, one shared copy) answers clicks and typed numbers the same way on every
    page; test_sweep.py checks on every page that the buttons carry each answer's verdict
    and feedback from the JSON, and the widget tests below check every chapter's numbers."""
    import json
    for p in QUIZ_PAGES:
        qfile = quiz_file(p)
        types = {q["type"] for q in json.loads(qfile.read_text())} if qfile else set()
        if types & {"multiple_choice", "many_choice"} and "numeric" in types:
            return [p]
    return QUIZ_PAGES[:1]


@pytest.mark.parametrize("toc_page", page_params(_clicked_quiz_pages()))
def test_quiz_renders_and_answers(page, site, toc_page):
    open_page(page, toc_page.html)
    found = quizzes_on(page)
    assert found, f"chapter {toc_page.html} shows no jupyterquiz quiz"
    qfile = quiz_file(toc_page)
    if toc_page.is_chapter:
        assert qfile, f"no quiz JSON for {toc_page.docname} in book/quizzes/"
    file_questions = __import__("json").loads(qfile.read_text()) if qfile else None
    if file_questions is not None:
        shown = [words(q.get("question", "")) for _, qs in found for q in (qs or [])]
        in_file = [words(q.get("question", "")) for q in file_questions]
        missing = [q for q in shown if q not in in_file]
        assert not missing, f"{toc_page.html} shows questions that are not in {qfile.name} (stale build?): {missing}"

    n_mc = n_num = 0
    for cid, questions in found:
        assert questions, f"quiz #{cid}: its questions variable is missing"
        wrappers = page.locator(f"[id='{cid}'] > div.Quiz")
        assert wrappers.count() == len(questions), f"quiz #{cid}: {wrappers.count()} of {len(questions)} questions shown"
        for k, qa in enumerate(questions):
            wrap = wrappers.nth(k)
            assert wrap.is_visible()
            if qa["type"] in ("multiple_choice", "many_choice"):
                n_mc += check_choice_question(page, wrap, qa)
            elif qa["type"] == "numeric":
                n_num += check_numeric_question(page, wrap, qa)
    assert n_mc + n_num > 0, f"{toc_page.html}: no question could be exercised"
    if toc_page.is_chapter:
        assert n_mc > 0, f"chapter {toc_page.html}: no multiple-choice question with a right and a wrong answer"


def feedback_of(wrap):
    fb = wrap.locator("div.Feedback")
    return fb, (fb.get_attribute("class") or "").split(), fb.inner_text()


def _label_for(wrap, ans):
    """The button of answer ``ans`` (answers are shuffled): same text, correctness, feedback."""
    labels = wrap.locator("label.MCButton")
    for i in range(labels.count()):
        lab = labels.nth(i)
        if lab.get_attribute("data-correct") != str(bool(ans.get("correct"))).lower():
            continue
        if "feedback" in ans and lab.get_attribute("data-feedback") != ans["feedback"]:
            continue
        if words(ans.get("answer", "")) and words(ans["answer"]) not in " ".join(lab.inner_text().split()):
            continue
        return lab
    raise AssertionError(f"answer {ans.get('answer')!r} not found among the quiz buttons")


def check_choice_question(page, wrap, qa) -> int:
    wrong = [a for a in qa["answers"] if not a.get("correct")]
    right = [a for a in qa["answers"] if a.get("correct")]
    assert wrap.locator("label.MCButton").count() == len(qa["answers"])
    if not wrong or not right:
        return 0
    many = len(right) > 1
    for ans, verdict in ((wrong[0], "incorrect"), (right[0], "correct")):
        lab = _label_for(wrap, ans)
        lab.click()
        page.wait_for_timeout(50)
        fb, cls, text = feedback_of(wrap)
        expected = ans.get("feedback") or ("Correct!" if verdict == "correct" else "Incorrect -- try again.")
        assert verdict in cls, f"clicking {ans.get('answer')!r} gave feedback class {cls}, expected {verdict}"
        assert contains_words(text, expected), f"clicking {ans.get('answer')!r} showed {text!r}, expected {expected!r}"
        btn_cls = lab.get_attribute("class")
        assert ("correctButton" if verdict == "correct" else "incorrectButton") in btn_cls
        if many:  # many-choice: reset is fine, the verdict is what matters
            pass
    return 1


# --- numeric answers: jupyterquiz's rule (no ``precision`` field: optlearn states the precision in
# the question and encodes it as intervals), in Python, to pick inputs and expected verdicts
def js_verdict(qa, x: float):
    """(correct, feedback) that jupyterquiz's check_numeric gives for input ``x``."""
    default_fb = "Incorrect. Try again."
    for a in qa["answers"]:
        if "value" in a:
            if x == a["value"]:
                return bool(a.get("correct")), a.get("feedback", "Correct")
        elif "range" in a:
            lo, hi = a["range"]
            if lo <= x < hi:
                return bool(a.get("correct")), a.get("feedback", "")
        elif a.get("type") == "default" and "feedback" in a:
            default_fb = a["feedback"]
    return False, default_fb


def numeric_candidates(qa):
    """An accepted input (inside a correct value or range) and a rejected one."""
    inside, outside = [], []
    for a in qa["answers"]:
        if not a.get("correct"):
            continue
        if "value" in a:
            v = float(a["value"])
            inside.append(v)
            outside += [v + 1, v * 1.5 + 1, -v - 1]
        elif "range" in a:
            lo, hi = map(float, a["range"])
            inside.append((lo + hi) / 2)
            outside += [hi + (hi - lo), lo - (hi - lo), hi * 10 + 1]
    ok = next((x for x in inside if js_verdict(qa, x)[0]), None)
    bad = next((x for x in outside if not js_verdict(qa, x)[0]), None)
    return ok, bad


def check_numeric_question(page, wrap, qa) -> int:
    ok, bad = numeric_candidates(qa)
    assert ok is not None, f"numeric question {qa.get('question')!r}: no input is accepted by its own answers"
    inp = wrap.locator("input.Input-text")
    for x in (bad, ok):
        if x is None:
            continue
        correct, expected_fb = js_verdict(qa, x)
        inp.click()
        inp.fill(repr(x) if abs(x) >= 1e-4 or x == 0 else f"{x:.12e}")
        inp.press("Enter")
        page.wait_for_timeout(50)
        fb, cls, text = feedback_of(wrap)
        verdict = "correct" if correct else "incorrect"
        assert verdict in cls, f"numeric input {x!r}: feedback class {cls}, expected {verdict} ({text!r})"
        if expected_fb:
            assert contains_words(text, expected_fb), f"numeric input {x!r}: showed {text!r}, expected {expected_fb!r}"
    return 1


def test_every_chapter_has_a_quiz_file():
    missing = [c.docname for c in CHAPTERS if quiz_file(c) is None]
    assert not missing, f"chapters without book/quizzes/<chapter>.json: {missing}"


# =========================================================================== the quiz widget itself
# These tests need no built site: they write one page per chapter with the output of
# ``show_quiz`` (what the notebooks store) and the theme's stylesheet, and drive Debian's
# Chromium through it: stated precision, "too coarse", decimal comma, keyboard, dark mode.

PST_CSS = next(Path(p) for p in __import__("pydata_sphinx_theme").__path__) / \
    "theme" / "pydata_sphinx_theme" / "static" / "styles" / "pydata-sphinx-theme.css"


@pytest.fixture(scope="module")
def widget_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("quiz_pages")
    (root / "pst.css").write_text(PST_CSS.read_text(encoding="utf-8"), encoding="utf-8")
    for chapter in QUIZ_CHAPTERS:
        html, js = quiz_html(chapter)
        (root / f"{chapter}.html").write_text(
            '<!DOCTYPE html><html lang="en" data-theme="light"><head><meta charset="utf-8">'
            '<link rel="stylesheet" href="pst.css"><title>quiz</title></head><body class="bd-content">'
            f'<div class="cell_output"><div class="output text_html">{html}</div></div>'
            f"<script>{js}</script></body></html>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def quiz(browser, widget_url):
    """Opens a chapter's quiz page (in conftest's Chromium) in the light or dark theme."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))

    def open_quiz(chapter: str, theme: str = "light"):
        pg.goto(f"{widget_url}{chapter}.html", wait_until="load")
        pg.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        pg.wait_for_function("() => document.querySelectorAll('div.Quiz').length > 0")
        return pg

    yield open_quiz
    context.close()
    assert not errors, errors


def answer_numeric(pg, k: int, typed: str):
    """Type ``typed`` key by key into numeric question ``k`` and press Enter: (class, feedback)."""
    wrap = pg.locator("div.Quiz").nth(k)
    box = wrap.locator("input.Input-text")
    box.click()
    box.press_sequentially(typed)
    box.press("Enter")
    fb = wrap.locator("div.Feedback")
    return (fb.get_attribute("class") or "").split(), fb.inner_text(), box.input_value()


@pytest.mark.parametrize("chapter", QUIZ_CHAPTERS)
def test_numeric_answers_correct_to_the_stated_precision(quiz, chapter):
    """Every numeric question states its precision; an answer correct to it passes (also with a
    decimal comma); the answer rounded more coarsely is told so; each known mistake gets its feedback."""
    pg = quiz(chapter)
    for k, (q, qa) in enumerate(zip(questions(chapter), build(chapter))):
        if qa["type"] != "numeric":
            continue
        v = float(q.expected)
        digits = q.tol.digits
        right = f"{v:.{digits}g}" if digits else str(int(v))
        cls, text, _ = answer_numeric(pg, k, right)
        assert "correct" in cls, (chapter, k, right, text)
        if "." in right:
            cls, text, shown = answer_numeric(pg, k, right.replace(".", ","))
            assert "correct" in cls and shown == right, (chapter, k, "decimal comma", text, shown)
        for m in q.mistakes:
            typed = f"{float(m.answer):.{digits}g}" if digits else f"{float(m.answer):g}"
            cls, text, _ = answer_numeric(pg, k, typed)
            assert "incorrect" in cls and contains_words(text, _text(m.message)), (chapter, k, typed, text)
        coarse = [a for a in qa["answers"] if a.get("feedback", "").startswith("Right, but too coarse")]
        for a in coarse:
            cls, text, _ = answer_numeric(pg, k, f"{a['value']:g}")
            assert "incorrect" in cls and "too coarse" in text, (chapter, k, a["value"], text)


def test_issue_examples(quiz):
    """0.33 for 1/3 and -0.032 for -0.0316 are 'too coarse' (the question asks for 3 digits);
    0,333 with a decimal comma is right."""
    pg = quiz("gradient_descent")
    assert "Give 3 significant digits." in pg.locator("div.Quiz").nth(1).inner_text()
    cls, text, _ = answer_numeric(pg, 1, "0.33")
    assert "incorrect" in cls and "too coarse" in text
    cls, text, shown = answer_numeric(pg, 1, "0,333")
    assert "correct" in cls and shown == "0.333"
    pg = quiz("rmsprop")
    cls, text, _ = answer_numeric(pg, 0, "-0.032")
    assert "incorrect" in cls and "too coarse" in text
    cls, text, _ = answer_numeric(pg, 0, "-0,0316")
    assert "correct" in cls


@pytest.mark.parametrize("key", ["Enter", " "])
def test_multiple_choice_with_the_keyboard(quiz, key):
    pg = quiz("momentum")
    wrap = pg.locator("div.Quiz").nth(2)
    labels = wrap.locator("label.MCButton")
    assert labels.count() == 4
    assert all(labels.nth(i).get_attribute("tabindex") == "0" for i in range(4))
    # Tab from the last numeric box reaches the first option, then the next ones
    pg.locator("div.Quiz").nth(1).locator("input.Input-text").focus()
    pg.keyboard.press("Tab")
    focused = pg.evaluate("() => document.activeElement.className")
    assert "MCButton" in focused
    for _ in range(4):
        is_right = pg.evaluate("() => document.activeElement.dataset.correct") == "true"
        pg.keyboard.press(key)
        fb = wrap.locator("div.Feedback")
        cls = (fb.get_attribute("class") or "").split()
        assert ("correct" if is_right else "incorrect") in cls
        pg.keyboard.press("Tab")


def _contrast(rgb1, rgb2) -> float:
    def lum(c):
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    a, b = sorted((lum(rgb1), lum(rgb2)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _rgb(css: str):
    return [int(float(v)) for v in re.findall(r"[\d.]+", css)[:3]]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_quiz_follows_the_theme(quiz, theme):
    pg = quiz("adam", theme)
    page_bg = _rgb(pg.evaluate("getComputedStyle(document.body).backgroundColor"))
    for selector in ("div.NumericQn", "div.MultipleChoiceQn"):
        el = pg.locator(selector).first
        bg = _rgb(el.evaluate("e => getComputedStyle(e).backgroundColor"))
        fg = _rgb(el.evaluate("e => getComputedStyle(e).color"))
        assert _contrast(fg, bg) >= 4.5, (theme, selector, fg, bg)
        dark_bg = sum(bg) < 3 * 110
        assert dark_bg == (theme == "dark"), (theme, selector, bg)
        assert _contrast(bg, page_bg) < 1.6, (theme, selector, bg, page_bg)  # a panel of the theme, not a light slab
    button = pg.locator("label.MCButton").first
    assert _contrast(_rgb(button.evaluate("e => getComputedStyle(e).color")),
                     _rgb(button.evaluate("e => getComputedStyle(e).backgroundColor"))) >= 4.5
    # pydata-sphinx-theme puts dark-mode HTML outputs on a light-grey card (--pst-color-text-base)
    for selector in (".cell_output", ".cell_output .text_html"):
        out_bg = pg.evaluate(f"getComputedStyle(document.querySelector('{selector}')).backgroundColor")
        assert out_bg in ("rgba(0, 0, 0, 0)", "transparent"), (theme, selector, out_bg)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_quiz_has_no_serious_accessibility_violation(quiz, theme):
    """axe-core on the quiz after answering (feedback shown): no serious or critical violation."""
    from optlearn_site import NODE_MODULES

    axe = NODE_MODULES / "axe-core" / "axe.min.js"
    assert axe.is_file(), f"axe-core missing in {NODE_MODULES}: run `npm ci --prefix .ci`"
    pg = quiz("momentum", theme)
    answer_numeric(pg, 0, "1")
    pg.locator("label.MCButton").first.click()
    pg.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")  # the verdict colour
    pg.add_script_tag(path=str(axe))
    violations = pg.evaluate("""async () => (await axe.run('#optlearnQuiz_momentum', {resultTypes: ['violations']}))
        .violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])""")
    bad = [v for v in violations if v[1] in ("serious", "critical")]
    assert not bad, bad


@pytest.mark.parametrize("toc_page", page_params(QUIZ_PAGES[:1]))
def test_quiz_maths_when_mathjax_is_late(page, toc_page):
    """On a slow device MathJax (deferred) runs after jupyterquiz's own typesetting call
    (500 ms after the quiz is drawn): no uncaught error ("reading '0'" of MathJax.version)
    and the quiz's maths still typeset (_config.yml mathjax3_config, optlearn.js item 6).
    The MathJax script is held back 1.5 s to make that order certain."""
    import time

    def late(route):
        time.sleep(1.5)
        route.fallback()

    page.route("**/_static/mathjax/tex-chtml.js", late)
    open_page(page, toc_page.html)
    quizzes_on(page)
    page.evaluate("() => MathJax.startup.promise")
    state = page.evaluate("""() => Array.from(document.querySelectorAll('div[data-shuffleanswers]')).map(q => {
        const copy = q.cloneNode(true);
        copy.querySelectorAll('mjx-container, script, style').forEach(e => e.remove());
        return {id: q.id, raw: /\\\\\\(|\\\\\\[|\\$/.test(copy.textContent), typeset: q.querySelectorAll('mjx-container').length}; })""")
    assert not page.log.problems(), page.log.problems()
    assert state and not any(q["raw"] for q in state), f"{toc_page.html}: quiz maths left raw: {state}"
    assert any(q["typeset"] for q in state), f"{toc_page.html}: no maths typeset in the quiz: {state}"
