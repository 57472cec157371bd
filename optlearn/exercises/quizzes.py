"""The chapters' website quizzes (jupyterquiz JSON), built from the chapters' ``QUIZ`` lists.

A quiz question is declared once, in its chapter module, as a :class:`ValueExercise` or a
:class:`MultipleChoiceExercise` (with its :class:`Mistake` s), exactly like a notebook
exercise; this module turns it into jupyterquiz's JSON, so the quiz's answer key, its
precision and its feedback are the notebook checker's.

``python -m optlearn.exercises.quizzes`` rewrites ``book/quizzes/<chapter>.json``;
``tests/test_quizzes.py`` checks that the committed files equal :func:`build`.

A numeric question states its precision in its text ("Give 3 significant digits.") and
its answers are tried in order by jupyterquiz:

1. the correct interval: every number correct to the stated digits (within half a unit
   of the last digit; the notebook checker uses the same interval);
2. each mistake's interval, with the mistake's explanation;
3. the right answer rounded to fewer digits, with the feedback "Right, but too coarse";
4. the default feedback.

No ``precision`` field is set: jupyterquiz would round the reader's number before
comparing, which accepts numbers that are not correct to the stated digits.

Example:
    >>> [q["type"] for q in build("momentum")]
    ['numeric', 'numeric', 'multiple_choice']
"""

from __future__ import annotations

import html
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from optlearn.exercises import CHAPTERS
from optlearn.exercises._core import Exercise, MultipleChoiceExercise, ValueExercise, _to_float

__all__ = ["QUIZ_DIR", "build", "dumps", "numeric", "mc", "questions", "write_all"]

#: Where the quiz files live: ``book/quizzes`` of the repository.
QUIZ_DIR = Path(__file__).resolve().parents[2] / "book" / "quizzes"

DEFAULT_FEEDBACK = "Not quite. Try again, or work it out step by step."


def _text(markdown: str) -> str:
    """A quiz text: jupyterquiz renders ``$...$`` maths and HTML, not Markdown code spans."""
    return re.sub(r"`([^`]+)`", lambda m: f"<code>{html.escape(m.group(1))}</code>", markdown)


def _r(x: float) -> float:
    """Round to 12 significant digits, so the JSON does not depend on the last bits."""
    return float(f"{float(x):.12g}")


def interval(q: ValueExercise, value: float) -> list[float]:
    """``[lo, hi]``: the numbers that ``q``'s checker accepts as ``value``."""
    width = float(q.tol.width(np.asarray(value, dtype=float)))
    return [_r(value - width), _r(value + width)]


def numeric(q: ValueExercise) -> dict[str, Any]:
    """A jupyterquiz numeric question from a value exercise with a single-number answer."""
    value = _to_float(q.expected)
    if value is None:
        raise ValueError(f"{q.name}: a quiz question needs a single-number answer, got {q.expected!r}")
    right = _text("Correct! " + q.explanation if q.explanation else "Correct!")
    exact = q.tol.digits is None and q.tol.rtol == 0 and float(value).is_integer()
    if exact:
        answers = [{"type": "value", "value": int(value), "correct": True, "feedback": right.strip()}]
    else:
        answers = [{"type": "range", "range": interval(q, value), "correct": True, "feedback": right.strip()}]
    for m in q.mistakes:
        wrong = float(m.answer)
        entry = ({"type": "value", "value": wrong} if exact and wrong.is_integer()
                 else {"type": "range", "range": interval(q, wrong)})
        answers.append({**entry, "correct": False, "feedback": _text(m.message)})
    taken = [a["range"] if "range" in a else [a["value"], a["value"]] for a in answers]
    digits = q.tol.digits
    for k in range(1, digits or 1):
        coarse = float(f"{value:.{k}g}")
        if not any(lo <= coarse <= hi for lo, hi in taken):  # a known mistake takes precedence
            taken.append([coarse, coarse])
            answers.append({"type": "value", "value": _r(coarse), "correct": False,
                            "feedback": f"Right, but too coarse: that is the answer rounded to {k} significant "
                                        f"digit{'s' if k > 1 else ''}; give {digits}."})
    answers.append({"type": "default", "feedback": DEFAULT_FEEDBACK})
    return {"question": _text(q.prompt), "type": "numeric", "answers": answers}


def mc(q: MultipleChoiceExercise) -> dict[str, Any]:
    """A jupyterquiz multiple-choice question (same options and feedback as the notebook's)."""
    return {"question": _text(q.prompt), "type": "multiple_choice",
            "answers": [{"answer": _text(o.text), "correct": o.correct, "feedback": _text(o.feedback)}
                        for o in q.options.values()]}


def questions(chapter: str) -> list[Exercise]:
    """The ``QUIZ`` list of a chapter module."""
    if chapter not in CHAPTERS:
        raise ValueError(f"chapter={chapter!r} must be one of {', '.join(CHAPTERS)}")
    return list(importlib.import_module(f"optlearn.exercises.{chapter}").QUIZ)


def build(chapter: str) -> list[dict[str, Any]]:
    """The quiz of ``chapter`` as jupyterquiz question dicts."""
    return [mc(q) if isinstance(q, MultipleChoiceExercise) else numeric(q) for q in questions(chapter)]


def dumps(chapter: str) -> str:
    """The JSON text of a quiz file."""
    return json.dumps(build(chapter), indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path = QUIZ_DIR) -> list[Path]:
    """Write every chapter's quiz to ``directory/<chapter>.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for chapter in CHAPTERS:
        path = directory / f"{chapter}.json"
        path.write_text(dumps(chapter), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else QUIZ_DIR):
        print(p)
