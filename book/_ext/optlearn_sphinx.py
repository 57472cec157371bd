"""Site fixes that need the build (loaded from _config.yml: ``sphinx.local_extensions``).

1. The book PDF in the download menu. When the LaTeX build has made
   ``_build/latex/optlearn.pdf`` (README: "The book as a PDF"; CI builds it before the
   HTML), the HTML build copies it to the site's root and marks every page with
   ``<meta name="optlearn:book-pdf">``, which ``_static/optlearn.js`` turns into a
   "Book (PDF)" entry of the download menu. Without a PDF no page links to one.

2. Tables in the PDF wrap. Sphinx sets a table without given column widths in ``l``
   columns, which never wrap, so the glossary (four columns of sentences) ran 750 pt off
   the page. For the LaTeX builder each table of three or more columns gets widths
   proportional to its columns' longest text (clipped to 4..60 characters), which Sphinx
   writes as wrapping ``p`` columns.

3. Icons without 270 kB of fonts. The theme draws its Font Awesome icons from two
   webfonts, fa-solid (156 kB) and fa-brands (118 kB, for one GitHub logo), loaded by every
   page. After the build, the solid font is cut down (fontTools, which matplotlib already
   requires) to the icons the built pages and our scripts name, saved as
   ``_static/optlearn-icons.woff`` and declared in ``custom.css`` under the theme's family
   name, so it replaces the full font; the GitHub logo is drawn with the solid font's
   "code-branch" icon (custom.css), so the brands font is never requested.

4. A defect of the pinned stack (jupyter-book 1.0.4 with sphinx-thebe 0.3.1
and sphinx-togglebutton 0.4.5): their ``env-before-read-docs`` handlers run twice per
build, so every page got their inline ``<script>`` twice, and the second copy of
sphinx-thebe's ``const THEBE_JS_URL = ...`` threw "Identifier 'THEBE_JS_URL' has already
been declared" on every page. Each page keeps the first copy of every script.
Remove this file when the pinned stack emits each script once
(tests/browser/test_site.py::test_no_console_errors_offline checks every page).

5. First paint not held up by search. pydata-sphinx-theme's layout loads Sphinx's search
tools and the whole search index (searchindex.js, 140 kB) in every page's <head> as
blocking scripts, for a search-as-you-type that this site leaves off; the browser parses
them before it paints anything. After the build, every page but search.html (which needs
them to search) loads them deferred: same files, same order, after the page is parsed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

BOOK_PDF = "optlearn.pdf"


def _latex_pdf(app) -> Path:
    """The book PDF of the build's edition: ``_build/latex`` (README's PDF command), or
    ``_build/pdf-<language>/latex`` for a translated one (``python tools/i18n.py pdf``)."""
    language = app.config.language or "en"
    if language == "en":
        return Path(app.outdir).parent / "latex" / BOOK_PDF
    return Path(app.outdir).parent / f"pdf-{language}" / "latex" / BOOK_PDF


def add_pdf_meta(app, pagename, templatename, context, doctree):
    if app.builder.format == "html" and _latex_pdf(app).is_file():
        root = context.get("content_root") or ""
        context["metatags"] = (context.get("metatags", "")
                               + f'\n<meta name="optlearn:book-pdf" content="{root}{BOOK_PDF}" />')


def copy_pdf(app, exc):
    if exc is None and app.builder.format == "html" and _latex_pdf(app).is_file():
        shutil.copy2(_latex_pdf(app), Path(app.outdir) / BOOK_PDF)


def _script_key(js) -> tuple:
    attrs = getattr(js, "attributes", {}) or {}
    return (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in attrs.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    kept = []
    for js in scripts:
        key = _script_key(js)
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def subset_icon_font(app, exc):
    import re

    if exc is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    css = (out / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(errors="replace")
    names = set()
    for page in list(out.rglob("*.html")) + [out / "_static" / "optlearn.js", out / "_static" / "custom.css"]:
        if page.is_file():
            names.update(re.findall(r"\bfa-[a-z0-9-]+", page.read_text(errors="replace")))
    names.update({"fa-code-branch", "fa-book"})   # custom.css's GitHub icon, the PDF menu entry
    codepoints = set()
    for rule_selectors, content in re.findall(r'([^{}]+)\{content:"((?:\\[0-9a-fA-F]{1,6} ?|\\.|[^"\\])+)"\}', css):
        if not any(sel.strip() in {f".{n}:before" for n in names} for sel in rule_selectors.split(",")):
            continue
        m = re.fullmatch(r"\\([0-9a-fA-F]{1,6}) ?", content)
        char = chr(int(m.group(1), 16)) if m else content.replace("\\", "")
        codepoints.update(ord(c) for c in char)
    src = out / "_static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"
    if not src.is_file() or not codepoints:
        raise RuntimeError(f"optlearn_sphinx: cannot subset the icon font ({src}, {len(codepoints)} icons)")
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = subset.load_font(str(src), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    subset.save_font(font, str(out / "_static" / "optlearn-icons.woff"), options)


def wrap_latex_tables(app, doctree, docname):
    from docutils import nodes

    if app.builder.format != "latex":
        return
    for table in doctree.findall(nodes.table):
        if "colwidths-given" in table["classes"]:
            continue
        for tgroup in table.findall(nodes.tgroup):
            colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
            if len(colspecs) < 3:
                continue
            longest = [4] * len(colspecs)
            for row in tgroup.findall(nodes.row):
                for i, entry in enumerate(e for e in row.children if isinstance(e, nodes.entry)):
                    if i < len(longest):
                        longest[i] = max(longest[i], min(60, len(entry.astext())))
            for spec, width in zip(colspecs, longest):
                spec["colwidth"] = width
            table["classes"].append("colwidths-given")


SEARCH_SCRIPTS = re.compile(r'<script src="((?:\.\./)*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js))"></script>')


def defer_search_scripts(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        if page.name == "search.html" or "_static" in page.relative_to(out).parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = SEARCH_SCRIPTS.sub(r'<script defer src="\1"></script>', text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", add_pdf_meta)
    app.connect("build-finished", copy_pdf)
    app.connect("doctree-resolved", wrap_latex_tables)
    app.connect("build-finished", subset_icon_font)
    app.connect("build-finished", defer_search_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
