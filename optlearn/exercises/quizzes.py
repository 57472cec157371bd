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

The Chinese edition's quizzes are the same questions with every text taken from the
catalog ``locale/zh_CN/LC_MESSAGES/quizzes.po`` (``build(chapter, "zh_CN")``), written
to ``book/quizzes/zh_CN/<chapter>.json``; :func:`messages` lists the texts to translate
(``python tools/i18n.py update`` merges them into the catalog). A text without a
translation raises :class:`MissingTranslation`, so no quiz is half translated.

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

__all__ = ["QUIZ_DIR", "LANGUAGES", "MissingTranslation", "build", "dumps", "messages", "numeric", "mc",
           "questions", "quiz_path", "translator", "write_all", "UI_TEXTS"]

_ROOT = Path(__file__).resolve().parents[2]
#: Where the quiz files live: ``book/quizzes`` of the repository (``book/quizzes/<language>``
#: for a translated edition).
QUIZ_DIR = _ROOT / "book" / "quizzes"
#: The translated editions; their catalogs are ``locale/<language>/LC_MESSAGES/quizzes.po``.
LANGUAGES = ("zh_CN",)
LOCALE_DIR = _ROOT / "locale"
#: jupyterquiz's own words on the page (its script), translated with the questions.
UI_TEXTS = ("Type numeric answer here:", "Incorrect -- try again.", "Correct!", "Correct", "Numeric answer")

DEFAULT_FEEDBACK = "Not quite. Try again, or work it out step by step."


def _text(markdown: str) -> str:
    """A quiz text: jupyterquiz renders ``$...$`` maths and HTML, not Markdown: code spans
    become ``<code>`` and ``*emphasis*`` (outside maths) becomes ``<em>``."""
    text = re.sub(r"`([^`]+)`", lambda m: f"<code>{html.escape(m.group(1))}</code>", markdown)
    parts = re.split(r"(\$[^$]*\$)", text)   # maths (odd indices) keeps its asterisks
    parts[::2] = [re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<em>\1</em>", p) for p in parts[::2]]
    return "".join(parts)


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


class MissingTranslation(LookupError):
    """A quiz text has no (or only a fuzzy) translation in its language's catalog."""


_TEXT_KEYS = ("question", "answer", "feedback")


def translator(language: str):
    """``translate(text) -> str`` from ``locale/<language>/LC_MESSAGES/quizzes.po``.

    Raises:
        ValueError: ``language`` is not one of :data:`LANGUAGES`.
        MissingTranslation: (when called) the text has no translation, or a fuzzy one.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language={language!r} must be one of {', '.join(('en',) + LANGUAGES)}")
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / language / "LC_MESSAGES" / "quizzes.po"
    with open(path, "rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}

    def translate(text: str) -> str:
        try:
            return catalog[text]
        except KeyError:
            raise MissingTranslation(f"{path.relative_to(_ROOT)} has no translation of {text!r}: "
                                     f"run `python tools/i18n.py update` and translate it") from None
    return translate


def messages(chapter: str | None = None) -> list[str]:
    """The texts of the quizzes (of one chapter, or all and jupyterquiz's own words), in order."""
    out: list[str] = [] if chapter else list(UI_TEXTS)
    for ch in [chapter] if chapter else CHAPTERS:
        for q in build(ch):
            out.append(q["question"])
            for a in q["answers"]:
                out += [a[k] for k in _TEXT_KEYS[1:] if a.get(k)]
    return list(dict.fromkeys(out))


def build(chapter: str, language: str = "en") -> list[dict[str, Any]]:
    """The quiz of ``chapter`` as jupyterquiz question dicts, in ``language``."""
    quiz = [mc(q) if isinstance(q, MultipleChoiceExercise) else numeric(q) for q in questions(chapter)]
    if language == "en":
        return quiz
    translate = translator(language)
    for q in quiz:
        q["question"] = translate(q["question"])
        for a in q["answers"]:
            for k in _TEXT_KEYS[1:]:
                if a.get(k):
                    a[k] = translate(a[k])
    return quiz


def dumps(chapter: str, language: str = "en") -> str:
    """The JSON text of a quiz file."""
    return json.dumps(build(chapter, language), indent=2, ensure_ascii=False) + "\n"


def quiz_path(chapter: str, language: str = "en", directory: Path = QUIZ_DIR) -> Path:
    """``directory/<chapter>.json`` (English) or ``directory/<language>/<chapter>.json``."""
    return (directory if language == "en" else directory / language) / f"{chapter}.json"


def write_all(directory: Path = QUIZ_DIR) -> list[Path]:
    """Write every chapter's quiz, in English and in every translated language."""
    paths = []
    for language in ("en",) + LANGUAGES:
        for chapter in CHAPTERS:
            path = quiz_path(chapter, language, directory)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(chapter, language), encoding="utf-8")
            paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else QUIZ_DIR):
        print(p)
