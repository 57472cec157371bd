"""Execute notebooks in place with the settings nbval's test run uses (see ../conftest.py).

Usage, from the repository root: ``python tests/execute_notebooks.py book/NN_topic.ipynb [...]``
(no argument: every notebook of the book). Each notebook is executed top to bottom by
``jupyter nbconvert --execute --inplace`` with the BLAS and SIMD settings of the tests, so
that its stored outputs are what ``python -m pytest`` will compare against on any x86-64.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from conftest import REPRODUCIBLE_ENV  # noqa: E402


def main(paths: list[str]) -> int:
    notebooks = paths or sorted(str(p) for p in (ROOT / "book").glob("*.ipynb"))
    env = {**os.environ, **REPRODUCIBLE_ENV}
    for nb in notebooks:
        print(f"executing {nb}", flush=True)
        cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
               "--inplace", "--ExecutePreprocessor.timeout=600", nb]
        if subprocess.run(cmd, env=env).returncode != 0:
            print(f"failed: {nb}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
