"""Check the book PDF built by ``jupyter-book build . --builder pdflatex`` (CI, issue #16).

    python .ci/check_pdf.py [_build/latex]
    python .ci/check_pdf.py _build/pdf-zh_CN/latex --language zh_CN   # the Chinese edition

Fails (exit 1, one line per problem) unless:
* every page of _toc.yml is in the PDF: its label is in the LaTeX source and its title
  is in the PDF's text (poppler's pdftotext);
* the PDF's outline (bookmarks, read with poppler's pdftohtml -xml) has the book's
  structure (book/_ext/optlearn_latex.py): first the front chapter (the intro), then
  every part of _toc.yml by its caption, in order, each holding exactly its pages'
  chapters, in order; the chapters of ``numbered: true`` parts carry the website's
  numbers ("1 Gradient descent" in the LaTeX table of contents), the appendices are
  lettered A, B, ...;
* xelatex reported no missing glyph ("Missing character" in the log);
* the PDF holds at least as many images as the notebooks have stored PNG figures
  (poppler's pdfimages);
* maths is typeset: a TeX math font is embedded (pdffonts) and no raw LaTeX
  (an escaped \\frac, \\begin{, $$ in prose) reaches the PDF.
Prints a one-line summary (pages, images, size).

With ``--language``, the titles and the parts' captions expected are the translations in
that edition's catalogs (``locale/<language>/LC_MESSAGES``), and Chinese characters count
as words.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_docnames() -> list[str]:
    text = (ROOT / "_toc.yml").read_text()
    return [re.sub(r"\.(ipynb|md)$", "", d) for d in re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)", text, flags=re.M)]


sys.path.insert(0, str(ROOT / "book" / "_ext"))
from optlearn_i18n import FRONT_TITLE as _TRANSLATED_FRONT_TITLE  # noqa: E402

LANGUAGE = "en"
# optlearn_latex_intro_title per edition (book/_ext/optlearn_latex.py, optlearn_i18n.py)
FRONT_TITLE = {"en": "Introduction", **_TRANSLATED_FRONT_TITLE}


def translate(docname: str, text: str) -> str:
    """``text`` (a message of ``docname``'s page) in the checked edition's language."""
    if LANGUAGE == "en" or not text:
        return text
    from babel.messages.pofile import read_po

    path = ROOT / "locale" / LANGUAGE / "LC_MESSAGES" / f"{docname}.po"
    with open(path, "rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id and m.string}
    return catalog.get(text, text)


def root_doc() -> str:
    return yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]


def title_of(docname: str) -> str | None:
    title = _english_title_of(docname)
    return translate(docname, title) if title else title


def _english_title_of(docname: str) -> str | None:
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
    return re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower())


def png_figures() -> int:
    n = 0
    for doc in toc_docnames():
        path = ROOT / (doc + ".ipynb")
        if path.is_file():
            for cell in json.loads(path.read_text())["cells"]:
                for out in cell.get("outputs", []):
                    n += "image/png" in out.get("data", {})
    return n


def toc_parts() -> list[tuple[str, bool, list[str]]]:
    """(caption, numbered, [docnames]) of each part of _toc.yml (top-level chapters only)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [(p.get("caption", ""), bool(p.get("numbered")),
             [re.sub(r"\.(ipynb|md)$", "", c["file"]) for c in p.get("chapters", [])]) for p in toc.get("parts", [])]


def outline(pdf: Path) -> list[tuple[str, list[str]]]:
    """The PDF's outline: [(top-level title, [titles of its children])]."""
    xml = run("pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf))
    start, end = xml.find("<outline>"), xml.rfind("</outline>")
    if start < 0:
        return []
    tree = ET.fromstring(re.sub(r"&(?!amp;|lt;|gt;|quot;|apos;|#)", "&amp;", xml[start:end + len("</outline>")]))
    items, current = [], None
    for child in tree:
        if child.tag == "item":
            current = ("".join(child.itertext()).strip(), [])
            items.append(current)
        elif child.tag == "outline" and current is not None:
            current[1].extend("".join(i.itertext()).strip() for i in child if i.tag == "item")
    return items


def norm(title: str) -> str:
    """A title's words, lower case (TeX macros such as \\sphinxhyphen{} and entities dropped)."""
    return " ".join(words(re.sub(r"\\[A-Za-z]+(\{\})?", " ", html.unescape(title))))


def check_structure(pdf: Path, tex_source: str, toc_source: str) -> list[str]:
    """Problems of the PDF's outline and numbering against _toc.yml's parts (module docstring)."""
    problems = []
    got = outline(pdf)
    parts = toc_parts()
    expected = [(FRONT_TITLE[LANGUAGE], None)] + [(translate(root_doc(), caption), docs) for caption, _, docs in parts]
    tops = [norm(re.sub(r"^[IVXLC]+\s+", "", t)) for t, _ in got]   # "II Adaptive methods": part II
    want = [norm(t) for t, _ in expected]
    if tops[:len(want)] != want:
        problems.append(f"PDF outline's top level is {[t for t, _ in got]}, expected {[t for t, _ in expected]} "
                        f"(the front chapter, then the parts of _toc.yml)")
        return problems
    for (caption, docs), (_, children) in zip(expected[1:], got[1:]):
        titles = [norm(title_of(d) or d) for d in docs]
        if [norm(c) for c in children] != titles:
            problems.append(f"part {caption!r}: its chapters in the PDF outline are {children}, "
                            f"expected {[title_of(d) for d in docs]}")
    # numbering, from the LaTeX table of contents: chapters of numbered parts 1, 2, ...
    # continuously (as on the website), appendices A, B, ..., the others unnumbered
    numbers = {norm(t): n for n, t in re.findall(r"\\contentsline\s*\{chapter\}\{(?:\\numberline\s*\{([^}]*)\})?(.*?)\}\{\d+\}",
                                                  toc_source)}
    counter, letter = 0, 0
    for caption, numbered, docs in parts:
        for d in docs:
            t = norm(title_of(d) or d)
            if caption == APPENDICES:
                want_n = chr(ord("A") + letter)
                letter += 1
            elif numbered:
                counter += 1
                want_n = str(counter)
            else:
                want_n = ""
            if t in numbers and numbers[t] != want_n:
                problems.append(f"{d}: chapter number {numbers[t]!r} in the PDF, expected {want_n!r}")
            elif t not in numbers:
                problems.append(f"{d}: not a chapter in the PDF's table of contents")
    return problems



APPENDICES = "Appendices"        # optlearn_latex_appendices


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main() -> int:
    global LANGUAGE
    args = sys.argv[1:]
    if "--language" in args:
        i = args.index("--language")
        LANGUAGE = args[i + 1]
        del args[i:i + 2]
        if LANGUAGE not in FRONT_TITLE:
            print(f"--language {LANGUAGE} must be one of {', '.join(FRONT_TITLE)}")
            return 2
    latex = Path(args[0]) if args else ROOT / "_build" / "latex"
    pdf, log, tex = latex / "optlearn.pdf", latex / "optlearn.log", latex / "optlearn.tex"
    problems: list[str] = []
    for f in (pdf, log, tex):
        if not f.is_file():
            print(f"missing {f}: build the PDF first (README, 'The book as a PDF')")
            return 1
    source = tex.read_text(errors="replace")
    toc = latex / "optlearn.toc"
    problems += check_structure(pdf, source, toc.read_text(errors="replace") if toc.is_file() else "")
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
