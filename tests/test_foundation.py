"""The book's pipeline itself: pins, table of contents, stored outputs, and that the
checks we rely on (nbval in strict mode, a build that fails on a raising cell) bite."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def toc_files() -> list[str]:
    """Every file named in _toc.yml (without extension), root first."""
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)", text, flags=re.M)


def notebooks() -> list[Path]:
    return sorted(p for p in BOOK.glob("*.ipynb"))


def test_requirements_pin_every_direct_dependency_exactly():
    lines = [
        ln.split("#")[0].strip()
        for ln in (ROOT / "requirements.txt").read_text().splitlines()
        if ln.split("#")[0].strip()
    ]
    assert lines, "requirements.txt is empty"
    unpinned = [ln for ln in lines if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", ln)]
    assert unpinned == [], f"not pinned with ==: {unpinned}"
    pins = dict(ln.split("==") for ln in lines)
    assert pins["jupyter-book"].startswith("1."), "the book is built with Jupyter Book 1"


def test_every_toc_entry_exists_and_every_notebook_is_in_the_toc():
    entries = toc_files()
    assert entries[0] == "book/intro"
    for entry in entries:
        matches = list(ROOT.glob(entry + ".*"))
        assert matches, f"_toc.yml lists {entry}, which does not exist"
    listed = {ROOT / (e + ".ipynb") for e in entries}
    assert set(notebooks()) <= listed, "a notebook in book/ is missing from _toc.yml"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_with_outputs(path: Path):
    """nbval silently compares nothing for a cell stored without being run."""
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, "a chapter without code"
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert unrun == [], f"code cells stored without being executed: {unrun}"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "cells were not executed top to bottom in one run"
    for c in code:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", "a stored output is an error"
            if out.get("name") == "stderr":
                assert "Warning" not in "".join(out["text"]), "a warning is shown to the reader"


def _tampered_copy(tmp_path: Path) -> Path:
    """The quickstart notebook with one printed digit changed."""
    nb = json.loads((BOOK / "quickstart.ipynb").read_text())
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            if out.get("name") == "stdout" and re.search(r"\d", text):
                digit = re.search(r"\d", text)
                new = "1" if digit.group() != "1" else "2"
                out["text"] = text[: digit.start()] + new + text[digit.end() :]
                path = tmp_path / "tampered.ipynb"
                path.write_text(json.dumps(nb))
                return path
    raise AssertionError("the quickstart notebook prints no number")


def test_nbval_fails_when_a_stored_number_changes(tmp_path):
    path = _tampered_copy(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(path), "-o", "addopts=", "-p", "no:cacheprovider",
         "--nbval-current-env", "-q"],
        cwd=BOOK, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "failed" in run.stdout


def test_site_build_fails_on_a_raising_cell(tmp_path):
    """A notebook cell that raises must fail the build (nb_execution_raise_on_error)."""
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/broken\n")
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Broken\n"]},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": ["raise ValueError('this cell raises')"]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    (tmp_path / "book" / "broken.ipynb").write_text(json.dumps(nb))
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run([str(jb), "build", str(tmp_path), "-W", "-n", "--keep-going"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode != 0
    assert "this cell raises" in run.stdout + run.stderr
