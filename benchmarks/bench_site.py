"""Time the website build and the notebooks; weigh the built site. Prints a Markdown table.

    python benchmarks/bench_site.py [--repo PATH] [--keep]
    python benchmarks/bench_site.py --site _build/html      # only step 4, on a built site

1. ``git clone`` the repository (its committed HEAD) into a temporary folder and run
   ``jupyter-book build .`` there: the time of a build from a clean checkout.
2. Execute every notebook of the book one by one with nbclient (in ``book/``, the
   notebooks' own folder), timing each: goal, all together under 90 s on 2 cores.
3. Size of the built site, and of the heaviest page (its HTML, inline animations
   included, plus the image files it references): goal, no page over 3 MB.
4. Every page of _toc.yml in Debian's Chromium (a cold cache, every request outside the
   local server blocked and counted), scrolled to its end so lazy images load: the bytes
   a first visit transfers with gzip (each local file the page requested, compressed as
   a gzip-serving static server sends it) and the first contentful paint on the local
   server. Goals (issue #16): a page without maths or figures <= 400 kB, a chapter
   <= 1.5 MB, first contentful paint <= 1 s on every page.
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
PLAIN_GOAL_BYTES = 400 * 1000
CHAPTER_GOAL_BYTES = 1500 * 1000
FCP_GOAL_MS = 1000.0
CHROMIUM = os.environ.get("OPTLEARN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]


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


def toc_docnames(src: Path) -> list[str]:
    import re

    text = (src / "_toc.yml").read_text()
    return [re.sub(r"\.(ipynb|md)$", "", d) for d in re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)", text, flags=re.M)]


FCP_OBSERVER_JS = """
window.__optlearnPaints = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__optlearnPaints.push([e.name, e.startTime]); })
    .observe({type: 'paint', buffered: true});
"""
# first-contentful-paint from the observer (waits up to 10 s for it; null if it never came)
FCP_WAIT_JS = """() => new Promise(resolve => {
    const t0 = performance.now();
    (function poll() {
        const e = window.__optlearnPaints.find(p => p[0] === 'first-contentful-paint');
        if (e) return resolve(e[1]);
        if (performance.now() - t0 > 10000) return resolve(null);
        setTimeout(poll, 50);
    })();
})"""


def fcp_summary(results: list[dict]) -> tuple[str, str, str]:
    """The slowest first contentful paint and where (the figure the README quotes)."""
    timed = [r for r in results if r["fcp_ms"] is not None]
    if not timed:
        return ("First contentful paint, slowest page", "n/a", "no page painted")
    worst = max(timed, key=lambda r: r["fcp_ms"])
    ok = worst["fcp_ms"] <= FCP_GOAL_MS and len(timed) == len(results)
    median = sorted(r["fcp_ms"] for r in timed)[len(timed) // 2]
    return ("**First contentful paint, slowest page** (goal ≤ 1 s on every page)",
            f"**{worst['fcp_ms']:.0f} ms**",
            f"`{worst['page']}`; median {median:.0f} ms over {len(timed)} pages" + ("" if ok else ", OVER GOAL"))


def measure_pages(site: Path, src: Path) -> list[dict]:
    """Transferred bytes (gzip) and first contentful paint of every page of _toc.yml."""
    import functools
    import gzip
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    gz_cache: dict[Path, int] = {}
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for doc in toc_docnames(src):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
                page = ctx.new_page()
                local, external = [], []

                def route(r, local=local, external=external):
                    u = r.request.url
                    if u.startswith(base) or u.startswith("data:"):
                        return r.continue_()
                    external.append(u)
                    return r.abort("blockedbyclient")

                page.route("**/*", route)
                page.on("requestfinished", lambda req, local=local: local.append(req.url))
                # the paint entries, recorded from navigation start by a PerformanceObserver
                # registered before any of the page's scripts runs (buffered: earlier entries too)
                page.add_init_script(FCP_OBSERVER_JS)
                page.goto(base + doc + ".html", wait_until="load")
                fcp = page.evaluate(FCP_WAIT_JS)
                page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_timeout(600)
                nbytes = 0
                for u in dict.fromkeys(local):
                    if not u.startswith(base):
                        continue
                    f = site / unquote(urlparse(u).path).lstrip("/")
                    if f.is_file():
                        if f not in gz_cache:
                            gz_cache[f] = len(gzip.compress(f.read_bytes(), 6))
                        nbytes += gz_cache[f]
                text = (src / (doc + ".md")).read_text() if (src / (doc + ".md")).is_file() else ""
                kind = ("chapter" if Path(doc).name[:2].isdigit() else
                        "plain" if text and "$" not in text and "image/png" not in text else "other")
                results.append({"page": doc + ".html", "bytes": nbytes, "requests": len(set(local)),
                                "external": len(external), "fcp_ms": fcp, "kind": kind})
                ctx.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def weight_rows(results: list[dict]) -> tuple[list[tuple[str, str, str]], bool]:
    rows, ok = [], True
    for r in results:
        goal = {"chapter": CHAPTER_GOAL_BYTES, "plain": PLAIN_GOAL_BYTES}.get(r["kind"])
        fcp_ok = r["fcp_ms"] is not None and r["fcp_ms"] <= FCP_GOAL_MS
        size_ok = goal is None or r["bytes"] <= goal
        ok &= fcp_ok and size_ok and r["external"] == 0
        note = (f"{r['kind']}" + (f", goal ≤ {goal / 1000:.0f} kB" if goal else "")
                + ("" if size_ok else " OVER") + ("" if fcp_ok else ", FCP over 1 s")
                + (f", {r['external']} external requests" if r["external"] else ""))
        fcp = "n/a" if r["fcp_ms"] is None else f"{r['fcp_ms']:.0f} ms"
        rows.append((f"`{r['page']}` transferred (gzip) / first contentful paint",
                     f"{r['bytes'] / 1000:.0f} kB / {fcp}", note))
    return rows, ok


def print_rows(rows) -> None:
    print("| What | Time / size | Note |")
    print("| --- | ---: | --- |")
    for what, val, note in rows:
        print(f"| {what} | {val} | {note} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, default=REPO, help="repository to clone (default: this one)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary clone")
    ap.add_argument("--site", type=Path, help="only weigh and time the pages of this built site (its _toc.yml: --repo)")
    args = ap.parse_args()
    if args.site:
        results = measure_pages(args.site.resolve(), args.repo.resolve())
        rows, ok = weight_rows(results)
        rows.append(fcp_summary(results))
        print(f"Measured on {os.cpu_count()} CPU core(s), Python {sys.version.split()[0]}, Chromium at 1280 px, cold cache.\n")
        print_rows(rows)
        return 0 if ok else 1

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
            results = measure_pages(site, clone)
            page_rows, pages_ok = weight_rows(results)
            rows += page_rows + [fcp_summary(results)]
            ok &= pages_ok
    finally:
        if args.keep:
            print(f"(clone kept in {clone})", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    cpus = os.cpu_count()
    print(f"Measured on {cpus} CPU core(s), Python {sys.version.split()[0]}.\n")
    print_rows(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
