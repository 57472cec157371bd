"""The Chinese edition: extract, check and build the translation catalogs.

The book is translated through Sphinx's gettext catalogs, one per page, kept in
``locale/zh_CN/LC_MESSAGES/book/<page>.po`` (README, "The Chinese edition"). Commands,
from the repository root with the virtual environment active::

    python tools/i18n.py update     # re-extract the English messages, merge them into the .po files
    python tools/i18n.py lint [PO]  # every entry translated, not fuzzy, markup and terms kept
    python tools/i18n.py check      # catalogs in step with the English text, then lint (CI)
    python tools/i18n.py build      # the Chinese site into _build/html/zh (after the English one)
    python tools/i18n.py pdf        # the Chinese PDF (before the Chinese site, which offers it)
    python tools/i18n.py stats      # translated / untranslated / fuzzy per catalog

``check`` fails when an English sentence changed and its translation did not: the
extracted messages of the current sources must be exactly the catalogs' messages, each
translated and none fuzzy. ``lint`` also checks that a translation keeps every piece of
markup the reader's page depends on (maths, inline code, cross-reference targets, glue
keys, link targets, HTML tags) and uses the glossary's Chinese term for every glossary
term its English message contains (:func:`term_problems`; exceptions are listed, with a
reason, in ``locale/zh_CN/term_exceptions.json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale"
CATALOGS = LOCALE / LANGUAGE / "LC_MESSAGES"
GETTEXT = ROOT / "_build" / "gettext"
GLOSSARY = ROOT / "book" / "appendix_glossary.md"
TERM_EXCEPTIONS = LOCALE / LANGUAGE / "term_exceptions.json"
#: Where the Chinese site is written, beside the English one.
ZH_HTML = ROOT / "_build" / "html" / "zh"
#: The Chinese edition's read (translated) pages, shared by its PDF and site builds: the
#: site built after the PDF reads no page again.
DOCTREES = ROOT / "_build" / f"doctrees-{LANGUAGE}"


# ----------------------------------------------------------------------------- glossary
def _strip_md(cell: str) -> str:
    return re.sub(r"\*\*|\*", "", cell).strip()


def glossary() -> list[tuple[str, str, list[str]]]:
    """The glossary's terms: ``(english, chinese, chinese_forms)`` per row.

    ``english`` is the term without its parenthesised aside ("momentum coefficient"),
    ``chinese`` the first Chinese form ("动量因子"), ``chinese_forms`` every Chinese form the
    row gives (the parenthesised ones too), for the search dictionary.
    """
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| **"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        en = re.sub(r"\s*\(.*?\)\s*", " ", _strip_md(cells[0])).strip()
        zh_cell = _strip_md(cells[1])
        forms = [f.strip() for f in re.split(r"[（）/]", zh_cell) if f.strip()]
        forms = [re.sub(r"\$[^$]*\$", "", f).strip() for f in forms]
        first_is_name = bool(forms) and not re.search(r"[\u4e00-\u9fff]", forms[0])
        forms = [f for f in forms if re.search(r"[\u4e00-\u9fff]", f)]
        if forms and not first_is_name:   # "Adam（自适应矩估计）": the name itself is the term
            rows.append((en, forms[0], forms))
    return rows


def glossary_chinese_forms() -> list[str]:
    """Every Chinese form of the glossary (names' Chinese glosses too)."""
    forms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| **"):
            cell = _strip_md([c.strip() for c in line.strip().strip("|").split("|")][1])
            for f in re.split(r"[（）/]", cell):
                f = re.sub(r"\$[^$]*\$", "", f).strip()
                if re.search(r"[\u4e00-\u9fff]", f):
                    forms.append(f)
    return forms


def jieba_words() -> list[str]:
    """Every Chinese glossary form, as words for jieba's user dictionary (longest first)."""
    words = {form.replace(" ", "") for form in glossary_chinese_forms()}
    return sorted(words, key=lambda w: (-len(w), w))


# ----------------------------------------------------------------------------- catalogs
def _read(path: Path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        return read_po(f, locale=LANGUAGE)


def _write(path: Path, catalog) -> None:
    from babel.messages.pofile import write_po

    with open(path, "wb") as f:
        write_po(f, catalog, width=0, omit_header=False, sort_output=False)


def po_files() -> list[Path]:
    return sorted(CATALOGS.rglob("*.po"))


# markup a translation must keep, as (name, pattern); a role's visible text is translated,
# its target is kept
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:[^$\\]|\\.)+?\$")
_ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
_CODE = re.compile(r"(?<!\})``?([^`]+?)``?")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _role_key(name: str, body: str) -> str:
    """A role as a translation must keep it: a reference with text keeps its target (the
    text is translated); any other role (glue, eq, cite, a bare reference) stays whole."""
    target = re.search(r"<([^<>]+)>\s*$", body)
    if name.startswith("glue") or name in ("eq", "cite", "cite:p", "cite:t") or not target:
        return f"{{{name}}}`{body}`"
    return f"{{{name}}}<{target.group(1)}>"


def markup(text: str) -> list[str]:
    """The markup pieces of ``text`` a translation must keep (sorted, with repeats)."""
    pieces = []
    rest = text
    for m in _DISPLAY_MATH.finditer(rest):
        pieces.append(m.group(0))
    rest = _DISPLAY_MATH.sub(" ", rest)
    for m in _ROLE.finditer(rest):
        pieces.append(_role_key(m.group(1), m.group(2)))
    rest = _ROLE.sub(" ", rest)
    for m in _INLINE_MATH.finditer(rest):
        pieces.append(re.sub(r"\s+", " ", m.group(0)))
    rest = _INLINE_MATH.sub(" ", rest)
    for m in _CODE.finditer(rest):
        pieces.append("`" + m.group(1) + "`")
    rest = _CODE.sub(" ", rest)
    pieces += ["link " + u for u in _LINK.findall(rest)]
    pieces += ["tag " + t for t in _TAG.findall(rest)]
    return sorted(pieces)


def _prose(text: str) -> str:
    """``text`` without maths, roles, code, link targets and tags: what a reader reads."""
    for pat in (_DISPLAY_MATH, _ROLE, _INLINE_MATH, _CODE, _TAG):
        text = pat.sub(" ", text)
    return _LINK.sub("]", text)


def is_math_block(msgid: str) -> bool:
    """A display-maths block's message: its LaTeX between a leading and a trailing newline."""
    return len(msgid) > 2 and msgid.startswith("\n") and msgid.endswith("\n")


_REFERENCE = re.compile(r"\b(19|20)\d\d\b.*\b(et al|arXiv|Proc|Journal|Conference|ICML|NeurIPS|NIPS|ICLR|"
                        r"JMLR|COLT|AISTATS|Press|Springer|pp\.|vol\.|doi|Lecture|Optimization|Mathematical)",
                        re.S | re.I)


def is_reference(msgid: str) -> bool:
    """A bibliography entry (authors, year, title, venue): it may stay as written."""
    return bool(_REFERENCE.search(msgid)) and len(msgid) < 600


def needs_translation(msgid: str) -> bool:
    """Whether ``msgid`` has words to translate (not only maths, code, names or numbers)."""
    if is_math_block(msgid):
        return False
    words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[A-Za-z]+", " ", _prose(msgid)))
    return bool(words)


def load_exceptions() -> dict[str, dict[str, str]]:
    if TERM_EXCEPTIONS.exists():
        return json.loads(TERM_EXCEPTIONS.read_text(encoding="utf-8"))
    return {}


def term_problems(msgid: str, msgstr: str, terms=None, exceptions=None) -> list[str]:
    """The glossary terms of ``msgid`` whose Chinese term ``msgstr`` does not use."""
    terms = glossary() if terms is None else terms
    exceptions = load_exceptions() if exceptions is None else exceptions
    if is_math_block(msgid) or is_reference(msgid) or _is_headword(msgid):
        return []   # maths, a cited title, a glossary headword: the English stays
    allowed = exceptions.get(msgid, {})
    prose_en = _prose(msgid)
    problems = []
    for en, zh, forms in terms:
        if en in allowed:
            continue
        pattern = r"(?<![\w-])" + re.escape(en).replace(r"\ ", r"[\s-]").replace(r"\-", r"[\s-]") + r"(?:s|es)?(?![\w-])"
        if re.search(pattern, prose_en, flags=re.I) and zh.replace(" ", "") not in msgstr.replace(" ", ""):
            problems.append(f"'{en}' is translated without its glossary term '{zh}'")
    return problems


def lint_file(path: Path, terms=None, exceptions=None) -> list[str]:
    """Every problem of one catalog, as ``file: message: problem`` lines."""
    terms = glossary() if terms is None else terms
    exceptions = load_exceptions() if exceptions is None else exceptions
    problems = []
    rel = path.relative_to(ROOT)
    for index, m in enumerate((m for m in _read(path) if m.id), start=1):
        where = f"{rel} #{index}: {m.id[:70]!r}"
        if m.fuzzy:
            problems.append(f"{where}: fuzzy")
        if not m.string:
            problems.append(f"{where}: untranslated")
            continue
        if is_math_block(m.id):
            if _without_text(m.id) != _without_text(m.string):
                problems.append(f"{where}: the maths of a display block differs (only \\text{{...}} may change)")
        elif markup(m.id) != markup(m.string):
            missing = sorted(set(markup(m.id)) - set(markup(m.string)))
            extra = sorted(set(markup(m.string)) - set(markup(m.id)))
            problems.append(f"{where}: markup differs (missing {missing}, added {extra})")
        if needs_translation(m.id) and m.string == m.id and not _CJK.search(m.id):
            if not _name_only(m.id):
                problems.append(f"{where}: left in English")
        for p in term_problems(m.id, m.string, terms, exceptions):
            problems.append(f"{where}: {p}")
    return problems


def _without_text(latex: str) -> str:
    return re.sub(r"\\text\{[^{}]*\}", r"\\text{}", latex)


def _is_headword(msgid: str) -> bool:
    """A whole message in bold, like the glossary's Term column: the English term defined."""
    return bool(re.fullmatch(r"\*\*[^*]+\*\*", msgid.strip()))


def _name_only(msgid: str) -> bool:
    """A message that stays as it is in Chinese: a name, a glossary headword, a citation."""
    prose = _prose(msgid).strip()
    if _is_headword(msgid) or is_reference(msgid):
        return True
    return len(prose) <= 40 and not re.search(r"\b(the|a|an|is|are|of|and|to|with|for|in)\b", prose, re.I)


def unused_exceptions() -> list[tuple[str, str]]:
    """The ``(msgid, term)`` exceptions that no catalog needs (the test keeps the file honest)."""
    terms = glossary()
    needed = set()
    for path in po_files():
        for m in _read(path):
            if m.id and m.string:
                for en, zh, forms in terms:
                    if term_problems(m.id, m.string, [(en, zh, forms)], {}):
                        needed.add((m.id, en))
    return [(msgid, term) for msgid, terms_ in load_exceptions().items() for term in terms_
            if (msgid, term) not in needed]


# ----------------------------------------------------------------------------- commands
def _sphinx_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "book" / "_ext"), env.get("PYTHONPATH", "")])
    return env


def _conf() -> None:
    subprocess.run(["jupyter-book", "config", "sphinx", str(ROOT)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def extract(out: Path = GETTEXT) -> None:
    """The English messages of every page, as ``.pot`` files under ``out``."""
    _conf()
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "gettext", str(ROOT), str(out)],
                   check=True, cwd=ROOT, env=_sphinx_env())


QUIZ_CATALOG = CATALOGS / "quizzes.po"


def quiz_messages() -> list[str]:
    """The quizzes' texts (questions, options, feedback, jupyterquiz's words)."""
    sys.path.insert(0, str(ROOT))
    from optlearn.exercises.quizzes import messages

    return messages()


def update_quizzes() -> None:
    """Merge the quizzes' current texts into ``quizzes.po`` (as sphinx-intl does for pages:
    new texts untranslated, changed ones fuzzy, removed ones dropped)."""
    from babel.messages.catalog import Catalog

    template = Catalog(locale=LANGUAGE, project="optlearn quizzes")
    for text in quiz_messages():
        template.add(text)
    catalog = _read(QUIZ_CATALOG) if QUIZ_CATALOG.exists() else Catalog(locale=LANGUAGE, project="optlearn quizzes")
    created = catalog.creation_date
    catalog.update(template)
    catalog.creation_date = created     # no change of the file when no text changed
    catalog.obsolete.clear()
    _write(QUIZ_CATALOG, catalog)


def update() -> None:
    extract()
    subprocess.run(["sphinx-intl", "update", "-p", str(GETTEXT), "-l", LANGUAGE, "-d", str(LOCALE), "-w", "0"],
                   check=True, cwd=ROOT)
    update_quizzes()
    for path in po_files():   # a removed message is gone (git keeps its history)
        catalog = _read(path)
        if catalog.obsolete:
            catalog.obsolete.clear()
            _write(path, catalog)
    prefill()


def prefill() -> int:
    """Give each message without words to translate (maths, code, numbers: a table of
    measured times changes at every execution) itself as translation, never fuzzy."""
    n = 0
    for path in po_files():
        cat = _read(path)
        changed = False
        for m in cat:
            if m.id and not needs_translation(m.id) and (not m.string or (m.fuzzy and not is_math_block(m.id))):
                m.string = m.id
                m.flags.discard("fuzzy")
                changed = True
                n += 1
        if changed:
            _write(path, cat)
    return n


def in_step() -> list[str]:
    """The differences between the English sources' messages and the catalogs'."""
    from babel.messages.pofile import read_po

    tmp = ROOT / "_build" / "gettext-check"
    extract(tmp)
    problems = []
    pots = {p.relative_to(tmp).with_suffix(""): p for p in tmp.rglob("*.pot")}
    pos = {p.relative_to(CATALOGS).with_suffix(""): p for p in po_files() if p != QUIZ_CATALOG}
    for name in sorted(set(pots) | set(pos)):
        if name not in pos:
            problems.append(f"{name}: no catalog (run `python tools/i18n.py update` and translate)")
            continue
        if name not in pots:
            problems.append(f"{name}: catalog of a page that no longer exists")
            continue
        with open(pots[name], "rb") as f:
            wanted = {m.id for m in read_po(f) if m.id}
        have = {m.id for m in _read(pos[name]) if m.id}
        for msg in sorted(wanted - have):
            problems.append(f"{name}: English message without translation entry: {msg[:80]!r}")
        for msg in sorted(have - wanted):
            problems.append(f"{name}: translation of a message the English no longer has: {msg[:80]!r}")
    wanted = set(quiz_messages())
    have = {m.id for m in _read(QUIZ_CATALOG) if m.id} if QUIZ_CATALOG.exists() else set()
    for msg in sorted(wanted - have):
        problems.append(f"quizzes: quiz text without translation entry: {msg[:80]!r}")
    for msg in sorted(have - wanted):
        problems.append(f"quizzes: translation of a quiz text that no longer exists: {msg[:80]!r}")
    return problems


def lint(paths: list[Path]) -> list[str]:
    terms, exceptions = glossary(), load_exceptions()
    problems = []
    for p in paths:
        problems += lint_file(p, terms, exceptions)
    return problems


def stats() -> None:
    for path in po_files():
        msgs = [m for m in _read(path) if m.id]
        done = sum(1 for m in msgs if m.string and not m.fuzzy)
        fuzzy = sum(1 for m in msgs if m.fuzzy)
        print(f"{path.relative_to(CATALOGS)}: {done}/{len(msgs)} translated, {fuzzy} fuzzy")


def build(extra: list[str]) -> None:
    """The Chinese site, into ``_build/html/zh`` (build the English site first)."""
    _conf()
    out = ROOT / "_build" / "html-zh"
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-D", f"language={LANGUAGE}", "-d", str(DOCTREES),
                    *extra, str(ROOT), str(out)], check=True, cwd=ROOT, env=_sphinx_env())
    shutil.rmtree(ZH_HTML, ignore_errors=True)
    shutil.copytree(out, ZH_HTML)
    print(f"Chinese site built: {ZH_HTML / 'index.html'}")


def pdf(extra: list[str]) -> None:
    """The Chinese edition's PDF (xelatex, the CJK fonts of the English PDF's preamble),
    into ``_build/pdf-zh_CN/latex/optlearn.pdf``; the Chinese site built afterwards offers it."""
    _conf()
    out = ROOT / "_build" / f"pdf-{LANGUAGE}"
    subprocess.run([sys.executable, "-m", "sphinx", "-M", "latexpdf", str(ROOT), str(out),
                    "-D", f"language={LANGUAGE}", "-d", str(DOCTREES), *extra], check=True, cwd=ROOT,
                   env=_sphinx_env())
    print(f"Chinese PDF built: {out / 'latex' / 'optlearn.pdf'}")


def main(argv: list[str]) -> int:
    cmd, args = (argv[0], argv[1:]) if argv else ("stats", [])
    if cmd == "update":
        update()
    elif cmd == "prefill":
        print(f"{prefill()} messages without words prefilled")
    elif cmd == "lint":
        problems = lint([Path(a).resolve() for a in args] or po_files())
        print("\n".join(problems) or "no problems")
        return 1 if problems else 0
    elif cmd == "check":
        problems = in_step() + lint(po_files())
        print("\n".join(problems[:200]) or "catalogs in step with the English text: all translated, none fuzzy")
        if len(problems) > 200:
            print(f"... and {len(problems) - 200} more")
        return 1 if problems else 0
    elif cmd == "build":
        build(args)
    elif cmd == "pdf":
        pdf(args)
    elif cmd == "stats":
        stats()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
