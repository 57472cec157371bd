"""Self-checking exercises and browser quizzes of the book's chapters.

One module per chapter (``gradient_descent``, ``learning_rate``, ``momentum``, ...) holds
questions ``q1``, ``q2``, ... and the website quiz ``QUIZ``. In a notebook::

    from optlearn.exercises import momentum as ex
    ex.q1.show()                 # the question
    ex.q1.check(momentum_step)   # prints a verdict; ex.q1.passed is then True/False
    ex.q1.hint()                 # the next hint; ex.q1.hint(2) gives hint 2
    ex.q1.solution()             # code that passes the check in the chapter's notebook

``PROGRESS`` keeps the hints shown and the verdicts of this session. :func:`show_quiz`
displays a chapter's quiz (jupyterquiz, works without a kernel on the static site) with a
fixed element id, so that its output is the same at every run and nbval can compare it.
How to write a chapter's exercises: see ``optlearn/exercises/_core.py`` and the authors'
how-to in the repository.
"""

from __future__ import annotations

import json

import pkgutil
from pathlib import Path

from optlearn.exercises._core import PROGRESS

#: The book's order of the chapters; modules not listed here come after, by name.
_ORDER = ("gradient_descent", "foundations", "learning_rate", "momentum", "adagrad", "rmsprop", "adam",
          "modern", "overfitting")
_NOT_CHAPTERS = {"quizzes", "sync"}


def _chapters() -> tuple[str, ...]:
    found = {m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])}
    found = {n for n in found if not n.startswith("_") and n not in _NOT_CHAPTERS}
    return tuple(n for n in _ORDER if n in found) + tuple(sorted(found - set(_ORDER)))


#: The chapter modules of :mod:`optlearn.exercises`.
CHAPTERS = _chapters()

__all__ = ["CHAPTERS", "PROGRESS", "quiz_html", "show_quiz"]

#: jupyterquiz's colours, taken from the site's theme (pydata-sphinx-theme variables, which
#: follow light and dark mode), with light fallbacks for Jupyter.
COLORS = {
    "--jq-multiple-choice-bg": "var(--pst-color-surface, #f3f4f5)",
    "--jq-mc-button-bg": "var(--pst-color-background, #ffffff)",
    "--jq-mc-button-border": "var(--pst-color-border, #d1d5da)",
    "--jq-mc-button-inset-shadow": "var(--pst-color-shadow, #555555)",
    "--jq-many-choice-bg": "var(--pst-color-surface, #f3f4f5)",
    "--jq-numeric-bg": "var(--pst-color-surface, #f3f4f5)",
    "--jq-numeric-input-bg": "var(--pst-color-background, #ffffff)",
    "--jq-numeric-input-label": "var(--pst-color-text-base, #222832)",
    "--jq-numeric-input-shadow": "var(--pst-color-shadow, #999999)",
    "--jq-string-bg": "var(--pst-color-surface, #f3f4f5)",
    "--jq-incorrect-color": "var(--pst-color-danger, #c80202)",
    "--jq-correct-color": "var(--pst-color-success, #00843f)",
    "--jq-text-color": "var(--pst-color-text-base, #222832)",
    "--jq-link-color": "var(--pst-color-link, #0a58ca)",
}

# jupyterquiz hard-codes a few light colours and colours the chosen button with the verdict
# colour; these rules keep text readable in both modes, show the keyboard focus and remove
# the output area's own background around the quiz.
_STYLE = """<style>
#DIV_ID .MCButton { color: var(--jq-text-color); }
#DIV_ID .correctButton, #DIV_ID .incorrectButton { color: var(--pst-color-background, #ffffff); }
#DIV_ID .Quiz code { background-color: var(--pst-color-inline-code-bg, #e8e8e8); color: var(--pst-color-inline-code, #912583); }
#DIV_ID .Input-text { border: 1px solid var(--pst-color-border, #d1d5da); }
#DIV_ID .MCButton:focus-visible, #DIV_ID .Input-text:focus-visible {
  outline: 3px solid var(--pst-color-accent, #0a58ca); outline-offset: 2px; }
#DIV_ID .QuizPrecision { font-size: 0.8em; }
.cell_output:has(#DIV_ID), .cell_output:has(#DIV_ID) .output { background: transparent; border: 0; }
</style>"""

# Accessibility and input fixes, added after jupyterquiz's script:
# - the numeric box gets a label; a decimal comma ("0,5") is read as a point (jupyterquiz
#   silently drops the comma, turning 0,5 into 05);
# - the choices are reachable with Tab and answered with Enter or Space (each choice is a
#   button; jupyterquiz's hidden radio inside it, which nothing reads, is removed).
_SCRIPT = """
(function () {
  const root = document.getElementById("DIV_ID");
  if (!root) return;
  const enhance = () => {
    root.querySelectorAll("input.Input-text:not([aria-label])").forEach((box) => {
      box.setAttribute("aria-label", "Numeric answer");
      box.setAttribute("inputmode", "decimal");
    });
    root.querySelectorAll("label.MCButton:not([tabindex])").forEach((label) => {
      // the hidden radio inside would be a control nested in a button: the label is the control
      label.querySelectorAll("input").forEach((radio) => radio.remove());
      label.setAttribute("tabindex", "0");
      label.setAttribute("role", "button");
    });
  };
  enhance();
  new MutationObserver(enhance).observe(root, {childList: true, subtree: true});
  root.addEventListener("keypress", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.classList.contains("Input-text")) return;
    if (event.key === ",") {
      event.preventDefault();
      event.stopPropagation();
      if (box.value.indexOf(".") === -1) {
        box.setRangeText(".", box.selectionStart, box.selectionEnd, "end");
      }
    } else if (event.key === "Enter") {
      box.value = box.value.trim().replace(",", ".").replace("\u2212", "-");
    }
  }, true);
  root.addEventListener("keydown", (event) => {
    const label = event.target;
    if (!(label instanceof HTMLElement) || !label.classList.contains("MCButton")) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      label.click();
    }
  });
})();
"""


def quiz_html(chapter: str, div_id: str | None = None, language: str = "en") -> tuple[str, str]:
    """The HTML and JavaScript that ``jupyterquiz.display_quiz`` shows, with a fixed id.

    ``display_quiz`` picks a random 12-letter id for its container; this builds
    the same output with the id ``div_id`` (default ``"optlearnQuiz_<chapter>"``),
    the questions of :func:`optlearn.exercises.quizzes.build` embedded in the script
    (nothing is fetched when the page is viewed), the theme's colours, and the
    keyboard and decimal-comma support of ``_SCRIPT``. In another ``language`` (the
    Chinese edition's ``"zh_CN"``) the questions, the feedback and jupyterquiz's own words
    come from that language's catalog (:func:`optlearn.exercises.quizzes.build`).

    Args:
        chapter: One of :data:`CHAPTERS`.
        div_id: The container's id; it must be a JavaScript identifier.
        language: ``"en"`` or one of :data:`optlearn.exercises.quizzes.LANGUAGES`.

    Returns:
        The pair ``(html, javascript)``.

    Example:
        >>> html, js = quiz_html("momentum")
        >>> html.startswith('<div id="optlearnQuiz_momentum"')
        True
    """
    from jupyterquiz.dynamic.loader import load_questions_script
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    from optlearn.exercises.quizzes import UI_TEXTS, build, translator

    div_id = div_id or f"optlearnQuiz_{chapter}"
    if not div_id.isidentifier():
        raise ValueError(f"div_id={div_id!r} must be a JavaScript identifier")
    prefix, static, url = load_questions_script(build(chapter, language), div_id)
    html = render_div(div_id, False, True, False, 1_000_000, 600, 10, "left")
    html += build_styles(div_id, COLORS) + _STYLE.replace("DIV_ID", div_id)
    script = build_script(prefix, static, url, div_id, True) + _SCRIPT.replace("DIV_ID", div_id)
    if language != "en":  # jupyterquiz's own words, as JavaScript string literals
        translate = translator(language)
        for text in sorted(UI_TEXTS, key=len, reverse=True):
            script = script.replace(f'"{text}"', json.dumps(translate(text), ensure_ascii=False))
    return html, script


def show_quiz(chapter: str, div_id: str | None = None) -> None:
    """Display the quiz of ``chapter`` in a notebook, deterministically (see :func:`quiz_html`)."""
    from IPython.display import HTML, Javascript, display

    html, javascript = quiz_html(chapter, div_id)
    display(HTML(html))
    display(Javascript(javascript))
