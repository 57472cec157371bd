#!/usr/bin/env python3
"""Give every notebook of the book a first code cell
that installs ``optlearn`` when it is missing (Colab, Binder) and does nothing where the
package is installed (a local .venv, CI, nbval).

Run from the repository root (a test runs the check):

    python tests/notebook_setup_cell.py            # edit book/*.ipynb in place
    python tests/notebook_setup_cell.py --check    # exit 1 if a notebook lacks the cell

Idempotent: the cell is recognised by its metadata (``"optlearn": {"role": "colab-setup"}``)
and rewritten in place, never added twice; running it twice changes nothing. The package's
address is read from ``_config.yml`` (``repository.url`` and ``repository.branch``), the one
place it is written. The cell is tagged ``remove-cell`` (not shown on the website or in the
PDF, where it has nothing to do); re-execute each notebook afterwards
(``python tests/execute_notebooks.py book/NN.ipynb``): the cell
prints nothing locally, so nbval compares it trivially.

Only notebooks that import ``optlearn`` get the cell. Long display equations are NOT
changed here: the site makes them scroll inside their own box with a visible cue
(book/_static/custom.css), which the browser tests check at 390 px.
Files are written as the project writes them: JSON with indent=1, UTF-8 kept, a final newline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROLE = "colab-setup"


def repository(root: Path) -> tuple[str, str]:
    text = (root / "_config.yml").read_text()
    block = re.search(r"^repository:\s*\n((?:[ \t]+.*\n?)+)", text, flags=re.M)
    if not block:
        sys.exit("_config.yml has no repository: section")
    url = re.search(r"^\s+url:\s*(\S+)", block.group(1), flags=re.M)
    branch = re.search(r"^\s+branch:\s*(\S+)", block.group(1), flags=re.M)
    if not url:
        sys.exit("_config.yml has no repository.url")
    return url.group(1).strip("'\"").rstrip("/"), (branch.group(1).strip("'\"") if branch else "main")


def setup_source(url: str, branch: str) -> list[str]:
    code = f'''# Colab, Binder: install the book's package when it is missing (does nothing where it is installed).
import importlib.util, subprocess, sys
if importlib.util.find_spec("optlearn") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "optlearn[data] @ git+{url}@{branch}"], check=True)'''
    lines = code.split("\n")
    return [ln + "\n" for ln in lines[:-1]] + [lines[-1]]


def setup_cell(url: str, branch: str, cell_id: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {"optlearn": {"role": ROLE}, "tags": ["remove-cell"]},
        "outputs": [],
        "source": setup_source(url, branch),
    }


def is_setup(cell: dict) -> bool:
    return cell.get("metadata", {}).get("optlearn", {}).get("role") == ROLE


def imports_optlearn(nb: dict) -> bool:
    return any(c["cell_type"] == "code" and re.search(r"^\s*(import optlearn|from optlearn)", "".join(c["source"]), re.M)
               for c in nb["cells"])


def first_code_index(nb: dict) -> int:
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code":
            return i
    return len(nb["cells"])


def update(nb: dict, url: str, branch: str, name: str) -> bool:
    """Put the setup cell before the first code cell; True if ``nb`` changed."""
    existing = [i for i, c in enumerate(nb["cells"]) if is_setup(c)]
    cell_id = hashlib.sha1(f"{name}:{ROLE}".encode()).hexdigest()[:8]
    want = setup_cell(url, branch, cell_id)
    if existing:
        i = existing[0]
        cell = nb["cells"][i]
        same = cell["source"] == want["source"] and cell["metadata"].get("tags") == want["metadata"]["tags"]
        others = [j for j in existing[1:]]
        in_place = i == first_code_index(nb)
        if same and not others and in_place:
            return False
        for j in reversed(existing):
            del nb["cells"][j]
        want["id"] = cell.get("id", cell_id)
        if same:   # keep its stored execution (count, empty outputs)
            want["execution_count"] = cell.get("execution_count")
    nb["cells"].insert(first_code_index(nb), want)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: .)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs the cell")
    args = ap.parse_args()
    root = args.root.resolve()
    url, branch = repository(root)
    stale = []
    for path in sorted((root / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        if not imports_optlearn(nb):
            continue
        if update(nb, url, branch, path.stem):
            stale.append(path.name)
            if not args.check:
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    verb = "need" if args.check else "updated"
    print(f"{len(stale)} notebook(s) {verb} the setup cell: {', '.join(stale) or '-'}")
    if not args.check and stale:
        print("Now re-execute them: python tests/execute_notebooks.py book/<name>.ipynb")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
