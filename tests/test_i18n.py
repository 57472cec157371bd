"""The Chinese edition: catalogs complete and in step with the English, the translation
checks of ``tools/i18n.py`` themselves, the translated quizzes, the search dictionary and
the language switch's addresses.

The in-step test extracts the English messages with Sphinx's gettext builder (about 15 s):
an English sentence changed without its Chinese update fails here, before any build.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import i18n  # noqa: E402

from optlearn.exercises import CHAPTERS, quiz_html  # noqa: E402
from optlearn.exercises.quizzes import (QUIZ_DIR, UI_TEXTS, MissingTranslation, build, dumps,  # noqa: E402
                                        messages, quiz_path, translator)

CJK = re.compile(r"[\u4e00-\u9fff]")


# ----------------------------------------------------------------------------- the catalogs
def test_catalogs_in_step_with_the_english():
    problems = i18n.in_step()
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("po", i18n.po_files(), ids=lambda p: p.stem)
def test_catalog_translated_and_checked(po):
    problems = i18n.lint_file(po)
    assert not problems, "\n".join(problems[:30])


def test_every_page_has_a_catalog():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = set(re.findall(r"(?:file|root): (book/\w+)", toc))
    have = {str(p.relative_to(i18n.CATALOGS).with_suffix("")) for p in i18n.po_files()}
    assert pages <= have, pages - have


def test_term_exceptions_are_all_needed_and_explained():
    assert i18n.unused_exceptions() == []
    for msgid, terms in i18n.load_exceptions().items():
        for term, reason in terms.items():
            assert len(reason) > 15, (msgid[:60], term)


# ----------------------------------------------------------------------------- the checks
def test_markup_keeps_maths_code_targets_glue_and_links():
    en = ("See {ref}`the PyTorch section <gd-frameworks>`, $\\eta < 2/L$ and `ol.sgd`; "
          "{glue:text}`gd_rho:.3f` and [numpy](https://numpy.org).")
    good = ("见 {ref}`PyTorch 一节 <gd-frameworks>`、$\\eta < 2/L$ 与 `ol.sgd`；"
            "{glue:text}`gd_rho:.3f` 以及 [numpy](https://numpy.org)。")
    assert i18n.markup(en) == i18n.markup(good)
    for broken in (good.replace("<gd-frameworks>", "<gd-framework>"),   # a target changed
                   good.replace("2/L", "2L"),                             # maths changed
                   good.replace("gd_rho:.3f", "gd_rho:.2f"),              # a glue key/format changed
                   good.replace("`ol.sgd`", "ol.sgd"),                    # code lost
                   good.replace("https://numpy.org", "https://numpy.com")):
        assert i18n.markup(en) != i18n.markup(broken), broken


def test_lint_finds_each_kind_of_problem(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog

    cat = Catalog(locale="zh_CN")
    cat.add("The learning rate $\\eta$ is too large.", "学习率 $\\eta$ 太大了。")         # fine
    cat.add("Gradient descent diverges.", "梯度法发散。")                                 # wrong term
    cat.add("Use `ol.adam` here.", "这里用 ol.adam。")                                   # code lost
    cat.add("A sentence nobody translated.", "")                                         # untranslated
    cat.add("A sentence left as it was.", "A sentence left as it was.")                   # English
    cat.add("An old translation.", "旧的翻译。", flags=["fuzzy"])                           # fuzzy
    cat.add("\nx = \\text{step} + 1\n", "\nx = \\text{步} + 1\n")                          # maths block: ok
    cat.add("\ny = 2x\n", "\ny = 3x\n")                                                  # maths changed
    path = tmp_path / "book" / "page.po"
    path.parent.mkdir()
    i18n._write(path, cat)
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    problems = "\n".join(i18n.lint_file(path, exceptions={}))
    assert "#1" not in problems and "#7" not in problems
    assert "#2" in problems and "'gradient descent' is translated without its glossary term '梯度下降'" in problems
    assert "#3" in problems and "markup differs" in problems
    assert "#4" in problems and "untranslated" in problems
    assert "#5" in problems and "left in English" in problems
    assert "#6" in problems and "fuzzy" in problems
    assert "#8" in problems and "maths of a display block differs" in problems


def test_names_citations_and_headwords_stay_english():
    assert i18n.term_problems("Adam uses bias correction.", "Adam 使用偏差修正。") == []
    assert i18n.is_reference("Kingma & Ba (2015). Adam: a method for stochastic optimization. *ICLR*.")
    assert i18n.term_problems("**gradient descent**", "**gradient descent**") == []
    assert i18n.term_problems("momentum helps", "惯性有帮助") != []


def test_glossary_gives_the_issue_terms():
    terms = {en: zh for en, zh, _ in i18n.glossary()}
    assert terms["gradient descent"] == "梯度下降" and terms["learning rate"] == "学习率"
    assert terms["momentum"] == "动量" and terms["bias correction"] == "偏差修正"
    assert terms["weight decay"] == "权重衰减" and terms["adaptive learning rate"] == "自适应学习率"
    assert "Adam" not in terms   # a name: "Adam（自适应矩估计）" keeps the name itself


# ----------------------------------------------------------------------------- search
def test_jieba_finds_glossary_terms_as_words(tmp_path):
    import jieba

    words = i18n.jieba_words()
    for term in ("梯度下降", "学习率", "动量", "小批量梯度下降", "偏差修正", "权重衰减"):
        assert term in words
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("".join(f"{w} 200000 n\n" for w in words), encoding="utf-8")
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(dictionary))
    cut = list(tokenizer.cut_for_search("用梯度下降训练时，学习率、动量法与偏差修正都要调；小批量梯度下降也一样。"))
    for term in ("梯度下降", "学习率", "偏差修正", "小批量梯度下降", "动量"):
        assert term in cut, cut
    plain = list(jieba.Tokenizer().cut_for_search("用梯度下降训练时，学习率与偏差修正"))
    assert "梯度下降" not in plain and "偏差修正" not in plain   # why the dictionary is needed


# ----------------------------------------------------------------------------- quizzes
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_chinese_quiz_equals_generated(chapter):
    path = quiz_path(chapter, "zh_CN")
    assert path.read_text(encoding="utf-8") == dumps(chapter, "zh_CN"), (
        f"{path} is stale: run `python -m optlearn.exercises.quizzes`")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chinese_quiz_is_the_english_one_translated(chapter):
    en, zh = build(chapter), build(chapter, "zh_CN")
    assert len(en) == len(zh)
    for q_en, q_zh in zip(en, zh):
        assert CJK.search(q_zh["question"]), q_zh["question"]
        assert q_zh["type"] == q_en["type"] and len(q_zh["answers"]) == len(q_en["answers"])
        for a_en, a_zh in zip(q_en["answers"], q_zh["answers"]):
            # same keys, same numbers, same verdicts: only the words differ
            assert {k: v for k, v in a_en.items() if k not in ("feedback", "answer")} == \
                   {k: v for k, v in a_zh.items() if k not in ("feedback", "answer")}
            for key in ("feedback", "answer"):
                if a_en.get(key):
                    assert CJK.search(a_zh[key]) or a_zh[key] == a_en[key], a_zh[key]
        assert i18n.markup(q_en["question"]) == i18n.markup(q_zh["question"])


def test_chinese_quiz_page_translates_jupyterquiz_words_too():
    html, script = quiz_html("momentum", language="zh_CN")
    translate = translator("zh_CN")
    for text in UI_TEXTS:
        assert f'"{text}"' not in script
    assert json.dumps(translate("Type numeric answer here:"), ensure_ascii=False) in script
    assert quiz_html("momentum")[0] == html   # the container is the same; only the script differs


def test_untranslated_quiz_text_is_refused(monkeypatch):
    translate = translator("zh_CN")
    with pytest.raises(MissingTranslation, match="has no translation of 'no such text'"):
        translate("no such text")
    with pytest.raises(ValueError, match="language='fr' must be one of en, zh_CN"):
        build("momentum", "fr")


def test_quiz_messages_cover_every_text():
    texts = set(messages())
    for chapter in CHAPTERS:
        for q in build(chapter):
            assert q["question"] in texts
            for a in q["answers"]:
                for key in ("answer", "feedback"):
                    if a.get(key):
                        assert a[key] in texts


# ----------------------------------------------------------------------------- the switch
class _App:
    def __init__(self, language):
        self.config = type("C", (), {"language": language})()


@pytest.mark.parametrize("language, page, other, expected", [
    ("en", "book/04_adagrad", "zh_CN", "../zh/book/04_adagrad.html"),
    ("en", "index", "zh_CN", "zh/index.html"),
    ("zh_CN", "book/04_adagrad", "en", "../../book/04_adagrad.html"),
    ("zh_CN", "search", "en", "../search.html"),
])
def test_language_switch_addresses(language, page, other, expected):
    import optlearn_i18n

    assert optlearn_i18n._url(_App(language), page, other) == expected
