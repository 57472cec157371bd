"""Time the website build and the notebooks; weigh the built site. Prints a Markdown table.

    python benchmarks/bench_site.py [--repo PATH] [--keep]

1. ``git clone`` the repository (its committed HEAD) into a temporary folder and run
   ``jupyter-book build .`` there: the time of a build from a clean checkout.
2. Execute every notebook of the book one by one with nbclient (in ``book/``, the
   notebooks' own folder), timing each: goal, all together under 90 s on 2 cores.
3. Size of the built site, and of the heaviest page (its HTML, inline animations
   included, plus the image files it references): goal, no page over 3 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_GOAL_S = 90.0
PAGE_GOAL_BYTES = 3 * 1024 * 1024


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag in ("img", "source") and d.get("src"):
            self.srcs.append(d["src"])


def page_weight(html: Path) -> int:
    parser = _Images()
    parser.feed(html.read_text(errors="replace"))
    total = html.stat().st_size
    for src in dict.fromkeys(parser.srcs):
        if src.startswith("data:") or urlparse(src).scheme:
            continue
        f = (html.parent / unquote(urlparse(src).path)).resolve()
        if f.is_file():
            total += f.stat().st_size
    return total


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def mb(n: int) -> str:
    return f"{n / 2**20:.2f} MB"


def execute_notebook(path: Path, timeout: int = 600) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, default=REPO, help="repository to clone (default: this one)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary clone")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="optlearn-bench-"))
    clone = tmp / "optlearn"
    rows: list[tuple[str, str, str]] = []
    ok = True
    try:
        subprocess.run(["git", "clone", "-q", str(args.repo), str(clone)], check=True)
        env = dict(os.environ, PYTHONPATH=str(clone) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        jb = shutil.which("jupyter-book") or "jupyter-book"
        t0 = time.perf_counter()
        build = subprocess.run([jb, "build", ".", "--keep-going"], cwd=clone, env=env,
                               capture_output=True, text=True)
        t_build = time.perf_counter() - t0
        if build.returncode != 0:
            sys.stderr.write(build.stdout[-3000:] + build.stderr[-3000:])
        rows.append(("Site build from a clean clone (`jupyter-book build .`)", f"{t_build:.1f} s",
                     "built" if build.returncode == 0 else f"FAILED (exit {build.returncode})"))
        ok &= build.returncode == 0

        # the notebooks, one by one (the clone's package first on the path)
        sys.path.insert(0, str(clone))
        os.environ["PYTHONPATH"] = env["PYTHONPATH"]
        nb_rows, total = [], 0.0
        for nb in sorted((clone / "book").rglob("*.ipynb")):
            if ".ipynb_checkpoints" in nb.parts or "_build" in nb.parts:
                continue
            try:
                dt = execute_notebook(nb)
                status = ""
            except Exception as exc:  # report, go on with the others
                dt, status = float("nan"), f"FAILED: {type(exc).__name__}"
                ok = False
            total += 0 if dt != dt else dt
            nb_rows.append((f"`{nb.relative_to(clone).as_posix()}`", f"{dt:.1f} s", status))
        rows += nb_rows
        rows.append(("**All notebooks** (goal < 90 s)", f"**{total:.1f} s**",
                     "ok" if total < NOTEBOOKS_GOAL_S else "over goal"))
        ok &= total < NOTEBOOKS_GOAL_S

        site = clone / "_build" / "html"
        if site.is_dir():
            pages = [p for p in site.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts]
            weights = sorted(((page_weight(p), p) for p in pages), reverse=True)
            rows.append(("Built site (`_build/html`)", mb(tree_size(site)), f"{len(pages)} pages"))
            if weights:
                w, p = weights[0]
                rows.append((f"Heaviest page (`{p.relative_to(site).as_posix()}`, HTML + images; goal ≤ 3 MB)",
                             mb(w), "ok" if w <= PAGE_GOAL_BYTES else "over goal"))
                ok &= w <= PAGE_GOAL_BYTES
    finally:
        if args.keep:
            print(f"(clone kept in {clone})", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    cpus = os.cpu_count()
    print(f"Measured on {cpus} CPU core(s), Python {sys.version.split()[0]}.\n")
    print("| What | Time / size | Note |")
    print("| --- | ---: | --- |")
    for what, val, note in rows:
        print(f"| {what} | {val} | {note} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
