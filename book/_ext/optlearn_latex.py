"""The book PDF has the book's structure (loaded from _config.yml: ``sphinx.local_extensions``).

Jupyter Book hands Sphinx's LaTeX writer one document: the root page (``book/intro``)
with every page of ``_toc.yml`` inlined where the root's toctrees sit, at the end of its
last section. So every chapter came out as a section 4.x of the intro's "The chapters".
For the LaTeX builder only, this post-transform rearranges that document:

* the intro becomes one unnumbered front chapter (``optlearn_latex_intro_title``; the
  root page's own title is the book's title, on the title page), its sections unnumbered;
* each part of ``_toc.yml`` becomes a ``\\part`` with its caption, its pages chapters in
  the order of ``_toc.yml``; parts marked ``numbered: true`` number their chapters
  continuously as the website does (``use_multitoc_numbering``), the others do not;
* the part whose caption is ``optlearn_latex_appendices`` starts the appendices
  (``\\appendix``: chapters lettered A, B, ...);
* in a translated edition (the Chinese one) the parts' captions are translated with the
  root page's catalog (the front chapter's title is set by ``optlearn_i18n``).

The PDF's outline (bookmarks) follows: front chapter, then parts with their chapters.
``.ci/check_pdf.py`` checks it against ``_toc.yml``. The HTML build is untouched.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.texescape import escape

logger = logging.getLogger(__name__)


def _raw(tex: str) -> nodes.raw:
    return nodes.raw("", tex + "\n", format="latex")


def _root_catalog(app, root: str):
    """``translate(caption)``: a part's caption in the build's language (a translated
    edition's captions are messages of the root page's catalog), else unchanged."""
    if (app.config.language or "en") == "en":
        return lambda text: text
    from pathlib import Path

    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    dirs = [str(Path(app.srcdir, d)) for d in app.config.locale_dirs]
    catalog, _ = init_locale(dirs, app.config.language, docname_to_domain(root, app.config.gettext_compact))
    return catalog.gettext


class BookStructure(SphinxPostTransform):
    """Front chapter, parts, numbered chapters and appendices in the LaTeX document."""

    default_priority = 700
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        root = self.config.root_doc
        if self.env.path2doc(self.document.get("source", "")) != root:
            return
        sitemap = getattr(self.config, "external_site_map", None)
        section = next((s for s in self.document.findall(nodes.section) if s.get("docname", root) == root), None)
        if sitemap is None or section is None:
            return
        wrappers = [c for c in self.document.findall(nodes.compound)
                    if "toctree-wrapper" in c["classes"] and c.get("docname", root) == root
                    and any(isinstance(n, addnodes.start_of_file) for n in c.children)]
        parts = list(sitemap.root.subtrees)
        if len(wrappers) != len(parts):
            logger.warning("optlearn_latex: %d toctrees in the root document, %d parts in _toc.yml: "
                           "PDF structure left as it was", len(wrappers), len(parts), type="optlearn")
            return
        for w in wrappers:
            w.parent.remove(w)

        # The root section's title is the book's title (Sphinx puts it on the title page);
        # the rest of the intro moves into one front chapter.
        title, body = section.children[0], section.children[1:]
        front = nodes.section("", ids=["optlearn-front-chapter"], names=["optlearn-front-chapter"])
        front["docname"] = root
        front += nodes.title("", self.config.optlearn_latex_intro_title)
        front.extend(c.deepcopy() for c in body)
        section.children = [title]
        # secnumdepth as the class set it, kept to restore it in numbered parts
        section += _raw(r"\edef\optlearnsecnumdepth{\arabic{secnumdepth}}\setcounter{secnumdepth}{-1}")
        section += front

        appendices = self.config.optlearn_latex_appendices
        translate = _root_catalog(self.app, root)
        for part, wrapper in zip(parts, wrappers):
            caption = part.caption or ""
            tex = []
            if caption == appendices:
                tex.append(r"\appendix")
            numbered = bool(part.numbered) or caption == appendices
            tex.append(r"\setcounter{secnumdepth}{\optlearnsecnumdepth}" if numbered
                       else r"\setcounter{secnumdepth}{-1}")
            tex.append(r"\part{%s}" % escape(translate(caption), self.config.latex_engine))
            section += _raw("\n".join(tex))
            section.extend(wrapper.children)


def setup(app):
    app.add_config_value("optlearn_latex_intro_title", "Introduction", "env", [str])
    app.add_config_value("optlearn_latex_appendices", "Appendices", "env", [str])
    app.add_post_transform(BookStructure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
