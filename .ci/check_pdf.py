"""Check the book PDF built by ``jupyter-book build . --builder pdflatex`` (CI, issue #16).

    python .ci/check_pdf.py [_build/latex]

Fails (exit 1, one line per problem) unless:
* every page of _toc.yml is in the PDF: its label is in the LaTeX source and its title
  is in the PDF's text (poppler's pdftotext);
* xelatex reported no missing glyph ("Missing character" in the log);
* the PDF holds at least as many images as the notebooks have stored PNG figures
  (poppler's pdfimages);
* maths is typeset: a TeX math font is embedded (pdffonts) and no raw LaTeX
  (an escaped \\frac, \\begin{, $$ in prose) reaches the PDF.
Prints a one-line summary (pages, images, size).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def toc_docnames() -> list[str]:
    text = (ROOT / "_toc.yml").read_text()
    return [re.sub(r"\.(ipynb|md)$", "", d) for d in re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)", text, flags=re.M)]


def title_of(docname: str) -> str | None:
    for suffix in (".md", ".ipynb"):
        path = ROOT / (docname + suffix)
        if not path.is_file():
            continue
        if suffix == ".md":
            text = path.read_text()
        else:
            text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                             if c["cell_type"] == "markdown")
        m = re.search(r"^#\s+(.+)$", text, flags=re.M)
        return m.group(1).strip() if m else None
    return None


def words(text: str) -> list[str]:
    text = re.sub(r"\$[^$]*\$", " ", text)                 # inline maths: typeset differently
    return re.findall(r"[a-z0-9]+", text.lower())


def png_figures() -> int:
    n = 0
    for doc in toc_docnames():
        path = ROOT / (doc + ".ipynb")
        if path.is_file():
            for cell in json.loads(path.read_text())["cells"]:
                for out in cell.get("outputs", []):
                    n += "image/png" in out.get("data", {})
    return n


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main() -> int:
    latex = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "latex"
    pdf, log, tex = latex / "optlearn.pdf", latex / "optlearn.log", latex / "optlearn.tex"
    problems: list[str] = []
    for f in (pdf, log, tex):
        if not f.is_file():
            print(f"missing {f}: build the PDF first (README, 'The book as a PDF')")
            return 1
    source = tex.read_text(errors="replace")
    text = run("pdftotext", "-layout", str(pdf), "-")
    flat = " ".join(words(text))
    for doc in toc_docnames():
        if f"\\label{{\\detokenize{{{doc}::doc}}}}" not in source:
            problems.append(f"{doc}: not in the LaTeX source")
        title = title_of(doc)
        if title and " ".join(words(title)[:6]) not in flat:
            problems.append(f"{doc}: its title {title!r} is not in the PDF's text")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log.read_text(errors="replace"))))
    if missing:
        problems.append(f"missing glyphs: {missing}")
    images = len(run("pdfimages", "-list", str(pdf)).splitlines()[2:])
    if images < png_figures():
        problems.append(f"{images} images in the PDF, the notebooks store {png_figures()} figures")
    fonts = run("pdffonts", str(pdf))
    if not re.search(r"CMMI|CMSY|LMMath|LatinModernMath|STIXMath|rsfs", fonts, flags=re.I):
        problems.append("no TeX math font embedded: maths not typeset?")
    # maths left as text would reach LaTeX escaped (code listings use \PYGZbs{} instead)
    raw = sorted(set(re.findall(r"\\textbackslash\{\}(?:frac|sqrt|begin|nabla|mathbf)|\\\$\\\$", source)))
    if raw:
        problems.append(f"raw LaTeX set as text in the PDF: {raw}")
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))
    print(f"PDF {pdf}: {pages} pages, {images} images, {pdf.stat().st_size / 2**20:.1f} MB, "
          f"{len(toc_docnames())} toc pages checked")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
