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


def _nbval(path):
    """nbval over one notebook, in a fresh pytest process."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(path), "-o", "addopts=", "-p", "no:cacheprovider",
         "--nbval-current-env", "-q"],
        cwd=BOOK, capture_output=True, text=True, timeout=600,
    )


def test_nbval_fails_when_a_stored_number_changes(tmp_path):
    path = _tampered_copy(tmp_path)
    run = _nbval(path)
    assert run.returncode == 1, run.stdout[-2000:]
    assert "failed" in run.stdout


def test_nbval_fails_on_a_raising_cell(tmp_path):
    """The site is built from stored outputs, so a cell that raises when run again must be
    caught by nbval (the only place notebooks are executed in CI)."""
    nb = json.loads((BOOK / "quickstart.ipynb").read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["source"] = ["raise ValueError('this cell raises')\n"] + list(code["source"])
    path = tmp_path / "raising.ipynb"
    path.write_text(json.dumps(nb))
    run = _nbval(path)
    assert run.returncode == 1, run.stdout[-2000:]
    assert "this cell raises" in run.stdout


def test_site_is_built_from_stored_outputs_and_glue_reads_them(tmp_path):
    """execute_notebooks is off (each notebook runs once per CI, under nbval): the build
    must show the stored outputs and resolve myst-nb glue from them, without a kernel."""
    import nbformat
    from nbclient import NotebookClient

    cfg = (ROOT / "_config.yml").read_text()
    assert re.search(r'^\s*execute_notebooks:\s*"?off"?', cfg, flags=re.M), "the site build must not execute notebooks"
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    for sub in ("_ext", "_static"):
        shutil.copytree(BOOK / sub, tmp_path / "book" / sub)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/glued\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Glued\n\nThe stored value is {glue:text}`answer:.4f`."),
        nbformat.v4.new_code_cell("from myst_nb import glue\nglue('answer', 2 ** 0.5, display=False)\nprint('stored output 4242')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    nbformat.write(nb, tmp_path / "book" / "glued.ipynb")
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run([str(jb), "build", str(tmp_path), "-W", "-n", "--keep-going"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    html = (tmp_path / "_build" / "html" / "book" / "glued.html").read_text()
    assert "1.4142" in html and "stored output 4242" in html
    assert "Executing" not in run.stdout, "the build executed a notebook"


def test_every_notebook_has_the_colab_setup_cell():
    """Each notebook that imports optlearn starts its code with the cell that installs the
    package in Colab/Binder (`python tests/notebook_setup_cell.py` adds or refreshes it)."""
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "notebook_setup_cell.py"), "--check",
                             "--root", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
