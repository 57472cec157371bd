"""The Chinese edition's build (loaded from _config.yml: ``sphinx.local_extensions``).

The English site is built by ``jupyter-book build .``; the Chinese one by
``python tools/i18n.py build`` (Sphinx with ``language=zh_CN``, the same sources and the
same stored notebook outputs, translated through ``locale/zh_CN/LC_MESSAGES``), into
``_build/html/zh``. This extension does what gettext alone does not:

1. Alt texts of notebook figures. myst-nb creates the figure images of a notebook's
   outputs after Sphinx has marked messages for translation, so their alt texts (from the
   cells' ``mystnb.image.alt`` metadata) were neither extracted nor translated. The
   gettext build gives those images a message id; the translated build replaces each alt
   text with its translation from the page's catalog (and warns when there is none).

2. Quizzes. A chapter's quiz is a stored output of ``show_quiz(chapter)``: the English
   questions inside a script. The translated build replaces that output with the same
   quiz built in the page's language (:func:`optlearn.exercises.quiz_html`), and warns
   if a page's stored quiz is not the one the package builds (re-execute the notebook).

3. The language switch. Every page gets a header button ("中文" / "English") to the same
   page of the other edition (``zh/<page>.html`` beside ``<page>.html``) and
   ``<link rel="alternate" hreflang>`` links.

4. Chinese search. Sphinx indexes Chinese with jieba; its dictionary does not know
   梯度下降 or 学习率 as words, so they were found only as parts. The glossary's Chinese
   terms are given to jieba as a user dictionary (``html_search_options["dict"]``).

5. Glued numbers in translated text. Sphinx parses each translation as a small document
   of its own, in which myst-nb's ``{glue:text}`` roles cannot see the notebook's glue
   data ("No key ... found in glue data for this document"): myst-nb drops a notebook's
   renderer, which holds the glue data, when the page is parsed. In a translated build
   the renderer is kept until Sphinx has translated the page, and a glue key that a
   message's document lacks is looked up there.
   (A patch of two functions, myst-nb 1.4 and Sphinx 7.4, both pinned; the Chinese build
   with ``-W`` fails if it stops working.)
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
#: The editions: (Sphinx language, folder of its site relative to the English root).
EDITIONS = (("en", ""), ("zh_CN", "zh/"))
SWITCH = {"en": ("中文", "阅读本页的中文版"), "zh_CN": ("English", "Read this page in English")}
#: The search box's placeholder, per edition.
SEARCH_TEXT = {"zh_CN": "搜索本书……"}


def _language(app) -> str:
    return app.config.language or "en"


def _translated(app) -> bool:
    return _language(app) != "en"


# ----------------------------------------------------------------------------- 1. alt texts
def _catalog(app, docname: str):
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    dirs = [str(Path(app.srcdir, d)) for d in app.config.locale_dirs]
    domain = docname_to_domain(docname, app.config.gettext_compact)
    translator, has = init_locale(dirs, app.config.language, domain)
    return translator if has else None


def alt_texts(app, doctree, docname):
    images = [im for im in doctree.findall(nodes.image) if im.get("alt")]
    if app.builder.name == "gettext":
        for im in images:
            if not hasattr(im, "uid"):
                im.uid = uuid.uuid4().hex   # the gettext builder drops a message without one
        return
    if not _translated(app) or app.builder.format != "html":
        return
    catalog = _catalog(app, docname)
    # Sphinx itself translates the alt texts of the images that exist when it reads the
    # page (myst-nb keeps some of them): those are already a translation
    done = set(getattr(catalog, "_catalog", {}).values()) if catalog else set()
    for im in images:
        translated = catalog.gettext(im["alt"]) if catalog else im["alt"]
        if translated == im["alt"] and im["alt"] not in done:
            logger.warning("%s: no translation of the alt text %r", docname, im["alt"][:60],
                           location=(docname, im.line))
        im["alt"] = translated


# ----------------------------------------------------------------------------- 2. quizzes
def translate_quizzes(app, doctree, docname):
    if not _translated(app) or app.builder.format != "html":
        return
    raws = [r for r in doctree.findall(nodes.raw) if "optlearnQuiz_" in r.astext()]
    if not raws:
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from optlearn.exercises import CHAPTERS, quiz_html

    text = "\n".join(r.astext() for r in raws)
    for chapter in CHAPTERS:
        if f"optlearnQuiz_{chapter}" not in text:
            continue
        from optlearn.exercises.quizzes import MissingTranslation

        english = quiz_html(chapter)
        try:
            local = quiz_html(chapter, language=_language(app))
        except MissingTranslation as exc:
            logger.warning("%s: the quiz of %r stays in English: %s", docname, chapter, exc)
            continue
        replaced = 0
        for r in list(doctree.findall(nodes.raw)):
            old = r.astext()
            new = old
            for en, loc in zip(english, local):
                if en in new:
                    new = new.replace(en, loc)
                    replaced += 1
            if new != old:
                r.replace_self(nodes.raw(new, new, format=r.get("format", "html")))
        if replaced < 2:
            logger.warning("%s: the stored quiz of %r is not the one optlearn builds (found %d of its 2 "
                           "parts); re-execute the notebook", docname, chapter, replaced)


# ----------------------------------------------------------------------------- 5. glue
_TRANSLATING: list = []   # the page the Locale transform is translating (serial builds)
_RENDERERS: dict = {}     # source path -> the notebook's myst-nb renderer (it holds the glue data)


class _KeepRenderer(dict):
    """A document's attributes while myst-nb parses a notebook: the renderer it drops at
    the end (``attributes.pop("nb_renderer")``) is kept for the page's translations."""

    def pop(self, key, *default):
        value = super().pop(key, *default)
        if key == "nb_renderer" and value is not None:
            _RENDERERS[self.get("source")] = value
        return value


def _patch_glue_lookup() -> None:
    from myst_nb import sphinx_
    from myst_nb.ext.glue import directives, roles, utils
    from sphinx.transforms import i18n

    if getattr(utils.retrieve_glue_data, "_optlearn", False):
        return
    original = utils.retrieve_glue_data

    def retrieve_glue_data(document, key):
        try:
            return original(document, key)
        except utils.RetrievalError:
            page = _RENDERERS.get(_TRANSLATING[0].get("source")) if _TRANSLATING else None
            if page is None or "nb_renderer" in document:
                raise
            document.attributes["nb_renderer"] = page
            try:
                return original(document, key)
            finally:
                document.attributes.pop("nb_renderer")

    retrieve_glue_data._optlearn = True
    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve_glue_data

    parse = sphinx_.Parser.parse

    def parse_keeping_renderer(self, inputstring, document):
        if (self.env.config.language or "en") == "en" or document.current_source.endswith("<translated>"):
            return parse(self, inputstring, document)
        document.attributes = _KeepRenderer(document.attributes)
        try:
            return parse(self, inputstring, document)
        finally:
            document.attributes = dict(document.attributes)

    sphinx_.Parser.parse = parse_keeping_renderer

    apply = i18n.Locale.apply

    def locale_apply(self, **kwargs):
        _TRANSLATING.append(self.document)
        try:
            return apply(self, **kwargs)
        finally:
            _TRANSLATING.pop()
            if not _TRANSLATING:
                _RENDERERS.pop(self.document.get("source"), None)

    i18n.Locale.apply = locale_apply


# ----------------------------------------------------------------------------- 3. switch
def _other(app) -> tuple[str, str]:
    language = _language(app)
    return next((lang, folder) for lang, folder in EDITIONS if lang != language)


def _url(app, pagename: str, language: str) -> str:
    """The relative URL, from ``pagename`` of this edition, of the page in ``language``'s edition."""
    here = dict(EDITIONS)[_language(app)]
    there = dict(EDITIONS)[language]
    up = "../" * (pagename.count("/") + here.count("/"))
    return f"{up}{there}{pagename}.html"


def language_switch(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or "header_buttons" not in context:
        return
    language = _language(app)
    other, _ = _other(app)
    text, tooltip = SWITCH[language]
    href = _url(app, pagename, other)
    context["header_buttons"].insert(0, {
        "type": "link", "url": href, "tooltip": tooltip, "text": text,
        "icon": "fas fa-language", "label": "language-switch",
    })
    tags = "".join(f'<link rel="alternate" hreflang="{lang.replace("_", "-")}" href="{_url(app, pagename, lang)}" />\n'
                   for lang, _ in EDITIONS)
    context["metatags"] = context.get("metatags", "") + tags


# ----------------------------------------------------------------------------- 4. search
def jieba_dictionary(app):
    if not _language(app).startswith("zh") or app.builder.format != "html":
        return
    sys.path.insert(0, str(ROOT / "tools"))
    from i18n import jieba_words

    path = Path(app.doctreedir) / "optlearn_jieba_dict.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w} 200000 n\n" for w in jieba_words()), encoding="utf-8")
    app.config.html_search_options = {**(app.config.html_search_options or {}), "dict": str(path)}
    if _language(app) in SEARCH_TEXT:
        app.config.html_theme_options = {**app.config.html_theme_options,
                                         "search_bar_text": SEARCH_TEXT[_language(app)]}


#: The PDF's front chapter title (book/_ext/optlearn_latex.py), per edition.
FRONT_TITLE = {"zh_CN": "引言"}


def translated_settings(app, config):
    """A translated edition's PDF: its front chapter's title, and the LaTeX document that
    ``jupyter-book build --builder pdflatex`` sets up for the English one (the translated
    PDF is built by Sphinx itself, ``python tools/i18n.py pdf``): the same file name."""
    language = config.language or "en"
    if language == "en":
        return
    if language in FRONT_TITLE and hasattr(config, "optlearn_latex_intro_title"):
        config.optlearn_latex_intro_title = FRONT_TITLE[language]
    # the book's title is the root page's title: its translation titles the site and the PDF
    from babel.messages.pofile import read_po

    po = Path(app.srcdir, config.locale_dirs[0], language, "LC_MESSAGES", f"{config.root_doc}.po")
    if po.is_file():
        with open(po, "rb") as f:
            title = {m.id: m.string for m in read_po(f) if m.id and m.string}.get(config.html_title)
        if title:
            config.html_title = title
    from optlearn_sphinx import BOOK_PDF

    config.latex_documents = [(config.root_doc, BOOK_PDF.replace(".pdf", ".tex"), config.html_title,
                               config.author, "manual")]


def setup(app):
    _patch_glue_lookup()
    app.connect("config-inited", translated_settings, priority=900)   # after sphinx_external_toc sets root_doc
    app.connect("builder-inited", jieba_dictionary)
    app.connect("doctree-resolved", alt_texts)
    app.connect("doctree-resolved", translate_quizzes)
    app.connect("html-page-context", language_switch, priority=600)
    app.add_js_file("optlearn-i18n.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
