"""The chapter quizzes (jupyterquiz) work in the browser: a wrong and a right choice give
the feedback written in the quiz JSON, a number within tolerance is accepted and one
outside is rejected.

jupyterquiz 2.9.6.4's DOM: the container ``<div id=X data-shuffleanswers=...>`` is filled
from the global ``questionsX``; each question is a ``div.Quiz`` holding a
``div.MultipleChoiceQn`` / ``div.ManyChoiceQn`` / ``div.NumericQn``, answers in
``div.Answer`` (``label.MCButton`` with ``data-correct`` / ``data-feedback`` for choices,
``input.Input-text`` checked on Enter for numbers), and the verdict in ``div.Feedback``
with class ``correct`` or ``incorrect``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from optlearn_site import BOOK_SRC, CHAPTERS, PAGES, QUIZ_PAGES, open_page, page_params

pytestmark = pytest.mark.browser



def quiz_file(toc_page) -> Path | None:
    """book/quizzes/<chapter>.json, with or without the NN_ prefix."""
    qdir = BOOK_SRC / Path(toc_page.docname).parent / "quizzes"
    for name in (toc_page.stem, re.sub(r"^\d+_", "", toc_page.stem)):
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


@pytest.mark.parametrize("toc_page", page_params(QUIZ_PAGES))
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


# --- numeric answers: jupyterquiz's rule, in Python, to pick inputs and expected verdicts
def js_verdict(qa, x: float):
    """(correct, feedback) that jupyterquiz's check_numeric gives for input ``x``."""
    prec = qa.get("precision")
    sub = float(f"{x:.{prec}g}") if prec and prec > 0 else x
    default_fb = "Incorrect. Try again."
    for a in qa["answers"]:
        if "value" in a:
            value = float(f"{a['value']:.{prec}g}") if prec else a["value"]
            if sub == value:
                return bool(a.get("correct")), a.get("feedback", "Correct")
        elif "range" in a:
            lo, hi = a["range"]
            if lo <= sub < hi:
                return bool(a.get("correct")), a.get("feedback", "")
        elif a.get("type") == "default" and "feedback" in a:
            default_fb = a["feedback"]
    return False, default_fb


def numeric_candidates(qa):
    """An accepted input (inside a correct value's precision or range) and a rejected one."""
    inside, outside = [], []
    prec = qa.get("precision")
    for a in qa["answers"]:
        if not a.get("correct"):
            continue
        if "value" in a:
            v = float(a["value"])
            ulp = 10 ** (math.floor(math.log10(abs(v))) - prec + 1) if prec and v else 0
            inside += [v + 0.3 * ulp, v]          # within its tolerance (rounds to v)
            outside += [v + 7 * ulp if ulp else v + 1, v * 1.5 + 1, -v - 1]
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
