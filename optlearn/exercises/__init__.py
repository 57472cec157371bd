"""Self-checking exercises and browser quizzes of the book's chapters.

One module per chapter (``gradient_descent``, ``learning_rate``, ``momentum``,
``adagrad``, ``rmsprop``, ``adam``, ``overfitting``) holds questions ``q1``,
``q2``, ... In a notebook::

    from optlearn.exercises import momentum as ex
    ex.q1.show()                 # the question
    ex.q1.check(momentum_step)   # prints a verdict; ex.q1.passed is then True/False
    ex.q1.hint()                 # the next hint; ex.q1.hint(2) gives hint 2
    ex.q1.solution()             # the reference code or value

:func:`show_quiz` displays a chapter's quiz (jupyterquiz, works without a kernel
on the static site) with a fixed element id, so that its output is the same at
every run and nbval can compare it.
"""

from __future__ import annotations

CHAPTERS = ("gradient_descent", "learning_rate", "momentum", "adagrad", "rmsprop", "adam", "overfitting")

__all__ = ["CHAPTERS", "quiz_html", "show_quiz"]


def quiz_html(chapter: str, div_id: str | None = None) -> tuple[str, str]:
    """The HTML and JavaScript that ``jupyterquiz.display_quiz`` shows, with a fixed id.

    ``display_quiz`` picks a random 12-letter id for its container; this builds
    the same output with the id ``div_id`` (default ``"optlearnQuiz_<chapter>"``)
    and the questions of :func:`optlearn.exercises.quizzes.build` embedded in
    the script, so nothing is fetched when the page is viewed.

    Args:
        chapter: One of :data:`CHAPTERS`.
        div_id: The container's id; it must be a JavaScript identifier.

    Returns:
        The pair ``(html, javascript)``.

    Example:
        >>> html, js = quiz_html("momentum")
        >>> html.startswith('<div id="optlearnQuiz_momentum"')
        True
    """
    from jupyterquiz.dynamic.loader import load_questions_script
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    from optlearn.exercises.quizzes import COLORS, build

    div_id = div_id or f"optlearnQuiz_{chapter}"
    if not div_id.isidentifier():
        raise ValueError(f"div_id must be a JavaScript identifier, got {div_id!r}")
    prefix, static, url = load_questions_script(build(chapter), div_id)
    html = render_div(div_id, False, True, False, 1_000_000, 600, 10, "left")
    html += build_styles(div_id, COLORS)
    return html, build_script(prefix, static, url, div_id, True) + _LABEL_INPUTS.replace("DIV_ID", div_id)


# jupyterquiz's numeric answer box has no label; screen readers (and axe) need one.
_LABEL_INPUTS = """
(function () {
  const root = document.getElementById("DIV_ID");
  if (!root) return;
  const label = () => root.querySelectorAll("input:not([aria-label])")
    .forEach((box) => box.setAttribute("aria-label", "Numeric answer"));
  label();
  new MutationObserver(label).observe(root, {childList: true, subtree: true});
})();
"""


def show_quiz(chapter: str, div_id: str | None = None) -> None:
    """Display the quiz of ``chapter`` in a notebook, deterministically (see :func:`quiz_html`)."""
    from IPython.display import HTML, Javascript, display

    html, javascript = quiz_html(chapter, div_id)
    display(HTML(html))
    display(Javascript(javascript))
