"""Write the checked-exercise cells of the chapter notebooks from the exercise data.

``python -m optlearn.exercises.sync book/`` rewrites, in every notebook of ``book/`` that
imports a chapter module (``from optlearn.exercises import <chapter> as ex``), exactly the
block from the ``## Exercises`` markdown cell up to (not including) the next heading
cell of level 1 to 3 (normally ``### Written exercises``):

* the ``## Exercises`` cell (:data:`INTRO`, followed by the module's own ``INTRO`` text if it
  has one, e.g. a cross-reference), then, for each question ``qN`` of the module,
* a markdown cell ``**Exercise N.** <prompt>`` (the prompt the checker states, options
  listed for a multiple choice), and
* a code cell with the starter code and ``ex.qN.check(...)`` (the first one also imports
  the module), un-executed.

It also tags the cell that calls ``show_quiz(`` with ``remove-input`` (the website shows the
quiz, not the call). Nothing else changes. ``--check`` only reports the notebooks that are
out of date (exit status 1), which is what ``tests/test_exercises.py`` runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from optlearn.exercises import CHAPTERS
from optlearn.exercises._core import Exercise, MultipleChoiceExercise

__all__ = ["INTRO", "chapter_of", "exercise_block", "exercises", "sync_notebook", "main"]

INTRO = """## Exercises

These exercises are checked in the notebook: write your answer in place of the `...` and run
the cell. `check` prints a verdict and names the common mistakes. `ex.q1.hint()` gives a hint
(call it again for a stronger one) and `ex.q1.solution()` shows code that passes the check;
the same works for every question."""

_IMPORT = re.compile(r"from optlearn\.exercises import (\w+) as ex\b")
_HEADING = re.compile(r"^(#{1,3}) ")


def exercises(chapter: str) -> list[Exercise]:
    """The questions ``q1``, ``q2``, ... of a chapter module, in order."""
    module = importlib.import_module(f"optlearn.exercises.{chapter}")
    names = sorted((n for n in vars(module) if re.fullmatch(r"q\d+", n)), key=lambda n: int(n[1:]))
    return [getattr(module, n) for n in names]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def chapter_of(nb: dict) -> str | None:
    """The chapter module a notebook imports as ``ex`` (``None`` if none)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            m = _IMPORT.search(_source(cell))
            if m and m.group(1) in CHAPTERS:
                return m.group(1)
    return None


def _block(nb: dict) -> tuple[int, int] | None:
    cells = nb["cells"]
    start = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                  and _source(c).lstrip().startswith("## Exercises")), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(cells)) if cells[i]["cell_type"] == "markdown"
                and _HEADING.match(_source(cells[i]).lstrip())), len(cells))
    return start, end


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    return lines


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": _lines(text)}


def exercise_block(chapter: str) -> list[dict[str, Any]]:
    """The cells of the exercise block of ``chapter``, built from its data."""
    extra = getattr(importlib.import_module(f"optlearn.exercises.{chapter}"), "INTRO", "")
    cells = [_markdown(f"{INTRO}\n\n{extra.strip()}" if extra.strip() else INTRO)]
    for k, q in enumerate(exercises(chapter), start=1):
        prompt = q.prompt_with_options if isinstance(q, MultipleChoiceExercise) else q.prompt
        cells.append(_markdown(f"**Exercise {k}.** {prompt}"))
        code = q.starter_code
        if k == 1:
            code = f"from optlearn.exercises import {chapter} as ex\n\n{code}"
        cells.append(_code(code))
    return cells


def _strip_ids(cells: list[dict]) -> list[dict]:
    return [{k: v for k, v in c.items() if k != "id"} for c in cells]


def _same_block(old: list[dict], new: list[dict]) -> bool:
    def key(c: dict) -> tuple:  # outputs are the lead's re-execution: not compared
        return (c["cell_type"], _source(c))
    return [key(c) for c in old] == [key(c) for c in new]


def sync_notebook(path: Path, write: bool = True) -> bool:
    """Bring one notebook's exercise block (and quiz-cell tag) in line; ``True`` if it changed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    chapter = chapter_of(nb)
    span = _block(nb)
    if chapter is None or span is None:
        return False
    start, end = span
    new = exercise_block(chapter)
    changed = not _same_block(_strip_ids(nb["cells"][start:end]), new)
    if "id" in nb["cells"][0]:  # nbformat >= 4.5: cells need ids
        for k, cell in enumerate(new):
            cell["id"] = f"exercise-{chapter.replace('_', '-')}-{k}"
    nb["cells"][start:end] = new
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "show_quiz(" in _source(cell):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "remove-input" not in tags:
                tags.append("remove-input")
                changed = True
    if changed and write:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("book", type=Path, help="the folder of the chapter notebooks (book/)")
    parser.add_argument("--check", action="store_true", help="only report notebooks out of date")
    args = parser.parse_args(argv)
    stale = [p for p in sorted(args.book.glob("*.ipynb")) if sync_notebook(p, write=not args.check)]
    for p in stale:
        print(f"{'out of date' if args.check else 'rewrote'}: {p}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
