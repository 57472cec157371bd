"""The website quizzes: committed JSON = generated from the chapters' data; keys computed by optlearn;
the quiz accepts exactly what the notebook checker accepts; deterministic display."""

from __future__ import annotations

import contextlib
import io
import json
import random

import numpy as np
import pytest

import optlearn as ol
from optlearn.exercises import CHAPTERS, quiz_html
from optlearn.exercises._core import MultipleChoiceExercise, ValueExercise, run
from optlearn.exercises.quizzes import QUIZ_DIR, _text, build, dumps, questions


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_quiz_equals_generated(chapter):
    path = QUIZ_DIR / f"{chapter}.json"
    assert path.read_text(encoding="utf-8") == dumps(chapter), (
        f"{path} is stale: run `python -m optlearn.exercises.quizzes`")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_schema(chapter):
    qs = json.loads((QUIZ_DIR / f"{chapter}.json").read_text(encoding="utf-8"))
    assert len(qs) >= 3
    assert {q["type"] for q in qs} == {"numeric", "multiple_choice"}
    for q in qs:
        assert q["question"]
        # jupyterquiz renders $...$ maths and HTML, not Markdown code spans: they become <code>
        assert "`" not in json.dumps(q), q["question"]
        if q["type"] == "multiple_choice":
            assert sum(a["correct"] for a in q["answers"]) == 1
            assert all(a["answer"] and a["feedback"] for a in q["answers"])
            continue
        assert "precision" not in q  # jupyterquiz would round the reader's number first
        right, *others, default = q["answers"]
        assert right["correct"] and default["type"] == "default"
        assert "significant digits" in q["question"] or "integer" in q["question"]
        lo, hi = right["range"] if "range" in right else (right["value"], right["value"])
        for wrong in others:  # no known mistake or coarse rounding overlaps the right answers
            assert not wrong["correct"]
            wlo, whi = wrong["range"] if "range" in wrong else (wrong["value"], wrong["value"])
            assert whi < lo or wlo > hi, (q["question"], wrong)


def jupyterquiz_verdict(question: dict, typed: str) -> tuple[bool, str]:
    """What jupyterquiz 2.9's check_numeric does without a precision field (and after our
    script turned a decimal comma into a point)."""
    text = typed.strip().replace(",", ".")
    submission = float(text.split("/")[0]) / float(text.split("/")[1]) if "/" in text else float(text)
    for a in question["answers"]:
        if "value" in a and submission == a["value"]:
            return a["correct"], a["feedback"]
        if "range" in a and a["range"][0] <= submission < a["range"][1]:
            return a["correct"], a["feedback"]
    return False, question["answers"][-1]["feedback"]


def _inputs(q: ValueExercise) -> list[str]:
    v = float(q.expected)
    digits = q.tol.digits or 12
    typed = [f"{v:.{digits}g}", f"{v:.{digits + 2}g}", repr(v), f"{v * 1.01:.{digits}g}", f"{-v:.{digits}g}"]
    typed += [f"{v:.{k}g}" for k in range(1, digits)]
    typed += [f"{float(m.answer):.{digits}g}" for m in q.mistakes]
    return list(dict.fromkeys(typed))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_and_notebook_checker_agree(chapter):
    """One data model: for every typed answer, the quiz's verdict is the notebook checker's."""
    for q, built in zip(questions(chapter), build(chapter)):
        if isinstance(q, MultipleChoiceExercise):
            continue
        for typed in _inputs(q):
            correct, feedback = jupyterquiz_verdict(built, typed)
            with contextlib.redirect_stdout(io.StringIO()) as out:
                result = q.check(float(typed))
            assert bool(result) == correct, (q.name, typed, feedback, out.getvalue())
            if not correct and feedback.startswith("This looks like"):
                assert feedback in _text(out.getvalue())
            if feedback.startswith("Right, but too coarse"):
                assert "Right, but too coarse" in out.getvalue()


def test_quiz_precision_examples_from_the_issue():
    """0.33 for 1/3, 0.44 for 4/9, -0.032 for -0.0316: 'too coarse', stated, not a bare 'Not quite'."""
    cases = {("gradient_descent", 1): ("0.33", "0.333"), ("momentum", 1): ("0.44", "0.444"),
             ("rmsprop", 0): ("-0.032", "-0.0316")}
    for (chapter, k), (coarse, right) in cases.items():
        q = build(chapter)[k]
        assert "Give 3 significant digits." in q["question"]
        assert jupyterquiz_verdict(q, right)[0]
        assert jupyterquiz_verdict(q, right.replace(".", ","))[0]
        ok, feedback = jupyterquiz_verdict(q, coarse)
        assert not ok and feedback.startswith("Right, but too coarse")


def _numeric_answers(chapter):
    return [float(q.expected) for q in questions(chapter) if isinstance(q, ValueExercise)]


def test_numeric_answers_are_optlearn_values():
    s = ol.schedules
    from optlearn.functions import Quadratic

    q = Quadratic(np.array([[3.0, 1.0], [1.0, 3.0]]))
    adam2 = run(ol.adam(lr=0.1), [0.0], [[1.0], [3.0]])[1][1][0]
    expected = {
        "gradient_descent": [2 / q.L, 2 / (q.mu + q.L)],
        "learning_rate": [s.step_decay(0.5, 30, 0.1)(65), s.cosine_annealing(0.1, 100, 0.01)(50)],
        "momentum": [-run(ol.sgd(lr=0.1, momentum=0.9), [0.0], [[1.0]] * 3000)[-1][1][0], 4 / 9],
        "adagrad": [run(ol.adagrad(lr=0.5), [0.0], [[-3.0]])[0][1][0], 0.2],
        "rmsprop": [run(ol.rmsprop(lr=0.01, alpha=0.9), [0.0], [[3.0]])[0][1][0], 0.01],
        "adam": [run(ol.adam(lr=0.01), [0.0], [[-50.0]])[0][1][0], adam2],
        "overfitting": [50, 0.02, 1.25],
    }
    for chapter, values in expected.items():
        np.testing.assert_allclose(_numeric_answers(chapter), values, rtol=1e-6, err_msg=chapter)


def test_dropout_factor_is_the_models():
    """The dropout quiz key (1.25 for p = 0.2) is the factor MLP(dropout=0.2) applies."""
    from optlearn import models

    net = models.MLP([2, 40, 2], dropout=0.2)
    mask = net._forward(net.init_params(seed=0), np.ones((5, 2)), True, 3)[1][0][3]
    np.testing.assert_allclose(np.unique(mask[mask > 0]), [_numeric_answers("overfitting")[2]], rtol=1e-12)


def test_adam_quiz_explanation_arithmetic():
    """#11 item 18: the worked numbers of the explanation are the run's."""
    q = build("adam")[1]
    text = q["answers"][0]["feedback"]
    update = run(ol.adam(lr=0.1), [0.0], [[1.0], [3.0]])[1][1][0]
    for piece in ("m_2 = 0.9 * 0.1 + 0.1 * 3 = 0.39", "v_2 = 0.999 * 0.001 + 0.001 * 9 = 0.009999",
                  f"= {update:.4g}."):
        assert piece in text
    assert f"{update:.4g}" == "-0.09178"


def test_gradient_descent_quiz_is_self_consistent():
    """#11 item 3: every question of the quiz names the quadratic it is about, and the key of the
    multiple choice is what a run of optlearn shows on that quadratic."""
    qs = questions("gradient_descent")
    assert all("eigenvalues 2 and 4" in q.prompt for q in qs)
    mc = qs[-1]
    assert isinstance(mc, MultipleChoiceExercise) and mc.verify() == mc.correct_letter


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_html_is_deterministic_and_embeds_the_questions(chapter):
    html, js = quiz_html(chapter)
    assert (html, js) == quiz_html(chapter)
    assert f'<div id="optlearnQuiz_{chapter}"' in html
    assert f"var questionsoptlearnQuiz_{chapter}={json.dumps(build(chapter))}" in js
    assert "http" not in js.split(";", 1)[0]  # nothing fetched at view time
    assert "var(--pst-color-surface" in html  # follows the site's theme


def test_quiz_html_is_jupyterquiz_display_quiz_plus_our_additions(monkeypatch):
    import jupyterquiz.dynamic.display as jq

    shown = []
    monkeypatch.setattr(jq, "display", lambda obj: shown.append(obj.data))
    random.seed(1)
    from optlearn.exercises import COLORS

    jq.display_quiz(build("adam"), colors=COLORS)
    random_id = shown[0].split('"', 2)[1]
    html, js = quiz_html("adam", div_id=random_id)
    assert html.startswith(shown[0]) and "focus-visible" in html[len(shown[0]):]
    extra = js[len(shown[1]):]
    assert js.startswith(shown[1])
    assert 'aria-label", "Numeric answer"' in extra and 'event.key === ","' in extra and '"tabindex", "0"' in extra


def test_unanswered_notebook_runs_and_says_not_attempted():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from optlearn.exercises.sync import exercise_block

    cells = ["import numpy as np\nimport optlearn as ol\nfrom optlearn import functions\n"
             "from optlearn.exercises import show_quiz"]
    for chapter in CHAPTERS:
        cells += ["".join(c["source"]) for c in exercise_block(chapter) if c["cell_type"] == "code"]
    cells.append(f"show_quiz('{CHAPTERS[0]}')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for c in nb.cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    text = "".join(o.get("text", "") for o in outputs)
    assert text.count("⏳ Not attempted yet") == text.count("\n") and text
    assert not [o for o in outputs if o.output_type == "execute_result"]  # check() shows no True/False
    mimes = [m for o in nb.cells[-1].outputs for m in o.data]
    assert "text/html" in mimes and "application/javascript" in mimes


def test_time_budget_and_hostile_answers_in_a_real_kernel():
    """In a Jupyter kernel (where the learner works): an endless loop gets a time verdict, and
    nothing but the verdicts is printed (no warning, no traceback)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import numpy as np\nfrom optlearn.exercises import gradient_descent as ex",
        "def endless(A, x):\n    while True:\n        pass\n\nex.q1.time_budget = 0.5\nex.q1.check(endless)",
        "ex.q1.check(lambda A, x: np.sqrt(-(A @ x) + 0j))",
        "ex.q3.check(True)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = [[o for o in c.outputs] for c in nb.cells]
    assert all(o.output_type == "stream" and o.name == "stdout" for os_ in outputs for o in os_)
    texts = ["".join(o.text for o in os_) for os_ in outputs]
    assert texts[1].startswith("⏹ Your function used up this check's time budget of 0.5 s")
    assert texts[2].startswith("❌") and "complex" in texts[2]
    assert texts[3].startswith("❌") and "truth value" in texts[3]
