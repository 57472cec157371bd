"""The exercises: right answers pass, common mistakes are named, and the checker gives a plain
verdict about anything a learner types (issue #12)."""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from optlearn.exercises import CHAPTERS, PROGRESS
from optlearn.exercises._core import (
    CheckResult, Exercise, FunctionExercise, MultipleChoiceExercise, StepExercise, ValueExercise, fmt,
)
from optlearn.exercises.sync import chapter_of, exercise_block, exercises, main as sync_main

BOOK = Path(__file__).resolve().parents[1] / "book"
MODULES = {c: importlib.import_module(f"optlearn.exercises.{c}") for c in CHAPTERS}
EXERCISES = [q for c in CHAPTERS for q in exercises(c)]
QUIZZES = [q for m in MODULES.values() for q in m.QUIZ if q not in EXERCISES]
FUNCTIONS = [q for q in EXERCISES if isinstance(q, FunctionExercise)]
STEPS = [q for q in FUNCTIONS if isinstance(q, StepExercise)]
VALUES = [q for q in EXERCISES + QUIZZES if isinstance(q, ValueExercise)]
IDS = lambda q: q.name  # noqa: E731
# a function's name, not its repr: ids with memory addresses differ between processes
# (pytest-xdist's workers must collect the same ids)
PARAM_ID = lambda v: getattr(v, "__name__", None) if callable(v) else str(v)  # noqa: E731


def correct_answer(q: Exercise):
    if isinstance(q, FunctionExercise):
        return q.reference
    if isinstance(q, ValueExercise):
        return q.expected
    return q.correct_letter


def verdict(q: Exercise, answer) -> tuple[CheckResult, str]:
    """Check ``answer``; nothing but the verdict may reach the learner (no warning, no traceback)."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        result = q.check(answer)
    text = out.getvalue()
    assert not caught, [str(w.message) for w in caught]
    assert err.getvalue() == "" and "Traceback" not in text
    assert text.count("\n") >= 1 and text[0] in "✅❌⏳⏹", text
    assert "could not be checked" not in text, text
    return result, text


# --------------------------------------------------------------------------- coverage (§4)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_enough_exercises(chapter):
    qs = exercises(chapter)
    assert len(qs) >= 5
    assert sum(isinstance(q, FunctionExercise) for q in qs) >= 2
    doc = MODULES[chapter].__doc__
    assert all(f"{q.short_name}:" in doc for q in qs)
    assert [q.name for q in qs] == [f"{chapter}.q{k}" for k in range(1, len(qs) + 1)]


def test_overfitting_tests_its_own_ideas():
    names = " ".join(q.prompt for q in exercises("overfitting"))
    for idea in ("dropout", "soft-threshold", "AdamW", "batch size"):
        assert idea in names


# --------------------------------------------------------------------------- right and wrong answers
@pytest.mark.parametrize("q", EXERCISES + QUIZZES, ids=IDS)
def test_reference_passes(q):
    PROGRESS.reset()
    result, out = verdict(q, correct_answer(q))
    assert result and q.passed and PROGRESS.passed[q.name]
    assert out.startswith("✅ Correct!")
    assert hasattr(result, "_ipython_display_")  # shows nothing in a notebook


@pytest.mark.parametrize("q", EXERCISES + QUIZZES, ids=IDS)
def test_declared_mistakes_are_named(q):
    if isinstance(q, MultipleChoiceExercise):
        wrong = [(k, o.feedback) for k, o in q.options.items() if not o.correct]
    else:
        wrong = [(m.answer, m.message) for m in q.mistakes]
    assert len(wrong) >= (2 if q in EXERCISES else 1)
    for answer, message in wrong:
        result, out = verdict(q, answer)
        assert not result and not q.passed
        assert out.startswith("❌") and message in out, out


@pytest.mark.parametrize("q", [q for q in EXERCISES if isinstance(q, MultipleChoiceExercise) and q.verify],
                         ids=IDS)
def test_multiple_choice_key_is_computed(q):
    assert q.verify() == q.correct_letter


@pytest.mark.parametrize("q, answer, named", [
    # §3: each common mistake of the issue gets its name
    ("momentum.q1", "_classic", "the classic form"),
    ("momentum.q1", "_keras", "the Keras form"),
    ("rmsprop.q2", "_m_not_squared", "subtracting m instead of m**2"),
    ("adam.q1", "_efficient_form", "Kingma & Ba's 'efficient' form"),
    ("adam.q1", "_corrected_state", "bias-corrected averages returned as the state"),
    ("adagrad.q1", "_sign_flipped", "AdaGrad with the sign flipped"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_named_function_mistakes(q, answer, named):
    chapter, short = q.split(".")
    ex = getattr(MODULES[chapter], short)
    result, out = verdict(ex, getattr(MODULES[chapter], answer))
    assert not result and f"This looks like {named}" in out, out


@pytest.mark.parametrize("q, answer, named", [
    ("momentum.q4", 0.67, "Right, but too coarse"),
    ("rmsprop.q4", 0.01 / np.sqrt(3000), "AdaGrad's decay"),
    ("adagrad.q3", np.array([1.1, -2.1]), "sign flipped"),
    ("gradient_descent.q3", 0.4, "a diagonal entry read as L"),
    ("gradient_descent.q3", 0.2, "the optimal step"),
    ("gradient_descent.q3", 2 / 13, "2 over the trace"),
    ("learning_rate.q5", 49.5, "the sum over count = 1, ..., 100"),
], ids=str)
def test_named_value_mistakes(q, answer, named):
    chapter, short = q.split(".")
    result, out = verdict(getattr(MODULES[chapter], short), answer)
    assert not result and named in out, out


def test_gd_quadratic_separates_trace_from_mu_plus_L():
    gd = MODULES["gradient_descent"]
    np.testing.assert_allclose(np.linalg.eigvalsh(gd.A), [2.0, 3.0, 8.0])   # as the prompts say
    assert abs(2 / np.trace(gd.A) - 2 / (gd.Q.mu + gd.Q.L)) > 0.01


@pytest.mark.parametrize("q, fn, named", [
    ("gradient_descent.q2", lambda grad, x0, lr, steps: MODULES["gradient_descent"].gradient_descent(
        grad, x0, lr, max(steps - 1, 0)), "one step too few"),
    ("learning_rate.q1", lambda c, lr, s, g: lr * g ** round(c / s), "rounding instead of counting"),
    ("learning_rate.q1", lambda c, lr, s, g: lr * g ** ((c + 1) // s), "an off-by-one"),
    ("overfitting.q2", lambda n, b, d: round(n / b), "rounding n / batch_size"),
    ("overfitting.q2", lambda n, b, d: n // b, "always dropping the partial batch"),
], ids=PARAM_ID)
def test_mistakes_told_apart(q, fn, named):
    chapter, short = q.split(".")
    result, out = verdict(getattr(MODULES[chapter], short), fn)
    assert not result and f"This looks like {named}" in out, out
    assert out.count("This looks like") == 1


# --------------------------------------------------------------------------- §1: solutions run in their chapter
def chapter_namespace(chapter: str) -> dict:
    """A fresh namespace with the imports that the chapter's notebook makes."""
    nb = next(json.loads(p.read_text(encoding="utf-8")) for p in sorted(BOOK.glob("*.ipynb"))
              if chapter_of(json.loads(p.read_text(encoding="utf-8"))) == chapter)
    ns: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                exec(compile(ast.Module([node], []), "<imports>", "exec"), ns)  # noqa: S102
    return ns


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_a_notebook(chapter):
    assert any(chapter_of(json.loads(p.read_text(encoding="utf-8"))) == chapter for p in BOOK.glob("*.ipynb"))


@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
def test_printed_solution_runs_in_its_chapter(q, capsys):
    chapter = q.name.split(".")[0]
    ns = chapter_namespace(chapter)
    q.solution()
    printed = capsys.readouterr().out.split("\n", 1)[1]
    import textwrap

    code = textwrap.dedent(printed)
    exec(code, ns)  # noqa: S102 - our own solution, as the learner pastes it
    answer = ns[q.function_name] if isinstance(q, FunctionExercise) else ns["answer"]
    result, out = verdict(ns["ex"].__dict__[q.short_name], answer)
    assert result, out


# --------------------------------------------------------------------------- not attempted, wrong kinds
@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
@pytest.mark.parametrize("answer", [..., None], ids=["ellipsis", "none"])
def test_not_attempted(q, answer):
    result, out = verdict(q, answer)
    assert not result and out.startswith("⏳ Not attempted yet")


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_placeholder_function_is_not_attempted(q):
    def placeholder(*args):
        ...

    result, out = verdict(q, placeholder)
    assert not result and out.startswith("⏳ Not attempted yet")


@pytest.mark.parametrize("q", [q for q in EXERCISES if not isinstance(q, MultipleChoiceExercise)], ids=IDS)
def test_wrong_kind_of_answer(q):
    answer = 3.0 if isinstance(q, FunctionExercise) else (lambda: 0)
    result, out = verdict(q, answer)
    assert not result and out.startswith("❌ This question wants a")


@pytest.mark.parametrize("q", VALUES, ids=IDS)
def test_value_wrong_shape_and_type(q):
    for answer, words in ((np.zeros(7), "shape"), ("0.5", "without quotes"), (True, "truth value"),
                          (1 + 2j, "complex")):
        result, out = verdict(q, answer)
        assert not result and out.startswith("❌") and (words in out or "tuple of" in out), (answer, out)


# --------------------------------------------------------------------------- §2: robustness of the checker
class Counter:
    """Wraps a function and counts its calls."""

    def __init__(self, fn):
        self.fn, self.calls, self.__name__ = fn, 0, getattr(fn, "__name__", "f")

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


def n_calls(q: FunctionExercise) -> int:
    return sum(len(c.grads) for c in q.cases) if isinstance(q, StepExercise) else len(q.cases)


@pytest.mark.parametrize("q", [q for q in FUNCTIONS if q.mistakes], ids=IDS)
def test_learner_function_is_called_once_per_case(q):
    right, wrong = Counter(q.reference), Counter(q.mistakes[0].answer)
    verdict(q, right)
    verdict(q, wrong)
    assert right.calls == n_calls(q) and wrong.calls <= n_calls(q)


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_exception_is_reported_with_its_case(q):
    def broken(*args):
        raise ZeroDivisionError("boom")

    result, out = verdict(q, broken)
    assert not result
    assert "Your function raised ZeroDivisionError: boom" in out and f"Case '{q.cases[0].label}'" in out


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_non_numeric_on_a_later_case(q):
    """A function that is wrong on one case and returns text on another: a verdict about it."""
    calls = Counter(q.reference)

    def odd(*args):
        out = calls(*args)
        if calls.calls == 1:
            return (out[0] * 2 + 1, *out[1:]) if isinstance(q, StepExercise) else "not a number"
        return ("text",) * (1 + q.n_state) if isinstance(q, StepExercise) else "text"

    result, out = verdict(q, odd)
    assert not result and out.startswith("❌")


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_complex_result_is_named_without_warnings(q):
    def complex_answer(*args):
        out = q.reference(*args)
        return (out[0] + 1j, *out[1:]) if isinstance(q, StepExercise) else np.asarray(out) + 1j

    result, out = verdict(q, complex_answer)
    assert not result and ("complex" in out or "True or False" in out), out


@pytest.mark.parametrize("q", FUNCTIONS[:3] + STEPS[:1], ids=IDS)
def test_endless_loop_gets_a_time_verdict(q):
    def endless(*args):
        while True:
            pass

    budget = q.time_budget
    q.time_budget = 0.2
    try:
        result, out = verdict(q, endless)
    finally:
        q.time_budget = budget
    assert not result and out.startswith("⏹ Your function used up this check's time budget of 0.2 s (all test cases together)"), out
    assert f"Case '{q.cases[0].label}'" in out


@pytest.mark.parametrize("q", [FUNCTIONS[0], STEPS[0]], ids=IDS)
def test_interrupt_becomes_a_verdict(q):
    def interrupted(*args):
        raise KeyboardInterrupt

    result, out = verdict(q, interrupted)
    assert not result and out.startswith("⏹ Interrupted"), out


def _first_array_index(q: FunctionExercise) -> int | None:
    args = (q.cases[0].x0,) if isinstance(q, StepExercise) else q.cases[0].args
    return next((i for i, a in enumerate(args) if isinstance(a, (np.ndarray, list))
                 and q.arg_names[i] not in q.may_modify), None)


@pytest.mark.parametrize("q", [q for q in FUNCTIONS if not isinstance(q, StepExercise)
                               and _first_array_index(q) is not None], ids=IDS)
def test_mutation_is_detected_and_stated_in_the_prompt(q):
    i = _first_array_index(q)
    name = q.arg_names[i]

    def mutating(*args):
        out = q.reference(*[a.copy() if isinstance(a, (np.ndarray, list)) else a for a in args])
        if isinstance(args[i], list):
            args[i].append(0.0)
        else:
            args[i][...] = 123.0
        return out

    result, out = verdict(q, mutating)
    assert not result and f"modified its input `{name}` in place" in out
    assert f"`{name}`" in q.prompt and "Do not modify" in q.prompt


@pytest.mark.parametrize("q", STEPS, ids=IDS)
def test_step_torch_style_in_place_state_is_accepted(q):
    """The prompt allows updating x and the state in place; the gradient must not change."""
    assert "in place (as PyTorch does)" in q.prompt and f"do not modify `{q.arg_names[1 + q.n_state]}`" in q.prompt

    def in_place(x, *rest):
        out = q.reference(x.copy(), *[r.copy() if isinstance(r, np.ndarray) else r for r in rest])
        x[...] = out[0]
        for buffer, new in zip(rest[:q.n_state], out[1:]):
            buffer[...] = new
        return (x, *rest[:q.n_state])

    result, out = verdict(q, in_place)
    assert result, out

    def grad_modified(x, *rest):
        out = q.reference(x, *rest)
        rest[q.n_state][...] = 0.0
        return out

    result, out = verdict(q, grad_modified)
    assert not result and f"modified its input `{q.arg_names[1 + q.n_state]}`" in out


@pytest.mark.parametrize("q", STEPS, ids=IDS)
def test_step_state_is_checked(q):
    """Right parameters but a different state (e.g. momentum with lr inside the buffer): rejected."""
    def scaled_state(*args):
        x, *state = q.reference(*args)
        return (x, *[2 * s + 1 for s in state])

    result, out = verdict(q, scaled_state)
    assert not result and "the state is not the one the question asks for" in out, out


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_wrong_shape(q):
    if isinstance(q, StepExercise):
        answer = lambda *a: (np.zeros(7),) * (1 + q.n_state)  # noqa: E731
    else:
        answer = lambda *a: np.zeros(7)  # noqa: E731
    result, out = verdict(q, answer)
    assert not result and out.startswith("❌")
    assert "shape (7,)" in out or "True or False" in out or "should be a tuple of" in out


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_nan_is_reported(q):
    def nan(*args):
        out = q.reference(*args)
        return (out[0] * np.nan, *out[1:]) if isinstance(q, StepExercise) else np.asarray(out) * np.nan

    result, out = verdict(q, nan)
    assert not result and ("NaN" in out or "True or False" in out)


# --------------------------------------------------------------------------- §2: fair to every spelling
def test_reasonable_spellings_of_a_right_answer():
    lr = MODULES["learning_rate"]
    of = MODULES["overfitting"]
    assert verdict(lr.q4, Fraction(1, 40))[0]
    assert verdict(lr.q4, Decimal("0.025"))[0]
    assert verdict(lr.q4, np.float32(0.025))[0]
    assert verdict(of.q5, np.array([7, 4]))[0]           # a tuple given as an array
    assert verdict(of.q5, [7, 4])[0]
    assert verdict(of.q3, lambda v, p: np.asarray(len(v) - 1 - int(np.argmin(v)) >= p))[0]  # 0-d bool array
    assert verdict(of.q3, lambda v, p: v.index(min(v)) <= len(v) - 1 - p)[0]                # list-style code
    assert verdict(MODULES["gradient_descent"].q6, " (B) ")[0]


def test_plain_about_the_rest():
    gd = MODULES["gradient_descent"]
    _, out = verdict(gd.q3, True)
    assert "truth value" in out and "eigenvalue" not in out
    _, out = verdict(gd.q6, 2)
    assert "letters" in out
    _, out = verdict(MODULES["momentum"].q3, np.array([0.1]))
    assert "single number" in out and ".item()" in out


def test_equal_looking_numbers_are_shown_with_the_digits_that_differ():
    _, out = verdict(MODULES["overfitting"].q4, 320.0000001)
    assert "320.0000001" in out
    assert fmt(0.1 + 0.2) == "0.3"


def test_hint_numbers(capsys):
    q = MODULES["momentum"].q1
    PROGRESS.reset()
    q.hint(True)
    assert "There are" in capsys.readouterr().out
    q.hint(np.int64(2))
    assert capsys.readouterr().out.startswith(f"💡 Hint 2 of {len(q.hints)}")
    assert PROGRESS.hints_shown[q.name] == 2
    q.hint()
    assert capsys.readouterr().out.startswith(f"💡 Hint 3 of {len(q.hints)}")


@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
def test_hints_solution_prompt(q, capsys):
    assert q.hints and q.prompt
    PROGRESS.reset()
    q.hint()
    assert capsys.readouterr().out.startswith(f"💡 Hint 1 of {len(q.hints)}: {q.hints[0]}")
    q.hint(len(q.hints))
    assert "last hint" in capsys.readouterr().out
    q.hint(99)
    assert "There are" in capsys.readouterr().out
    q.solution()
    out = capsys.readouterr().out
    assert out.startswith("📖 Solution")
    if isinstance(q, FunctionExercise):
        assert f"def {q.signature}:" in out
    q.show()
    assert q.prompt in capsys.readouterr().out


@pytest.mark.parametrize("q", [q for q in VALUES if q.tol.digits], ids=IDS)
def test_precision_is_stated_and_honoured(q):
    assert f"Give {q.tol.digits} significant digits." in q.prompt
    e = q.expected
    values = np.atleast_1d(np.asarray(e, dtype=float))
    rounded = np.array([float(f"{v:.{q.tol.digits}g}") for v in values]).reshape(np.shape(e))
    answer = tuple(rounded) if isinstance(e, tuple) else rounded
    assert verdict(q, answer)[0], "the answer rounded to the stated digits must pass"


# --------------------------------------------------------------------------- §6: the core
def test_core_is_simple():
    import optlearn.exercises._core as core

    for q in FUNCTIONS:
        assert q.arg_names == list(q.reference.__code__.co_varnames[:q.reference.__code__.co_argcount])
        q.check(q.reference)
        assert not hasattr(q, "_last_inputs")
    assert not hasattr(core, "Misconception")
    assert "passed" not in vars(EXERCISES[0]) and "_hints_shown" not in vars(EXERCISES[0])


def test_verdicts_are_deterministic():
    q = MODULES["adam"].q1
    outs = [verdict(q, MODULES["adam"]._no_bias_correction)[1] for _ in range(2)]
    assert outs[0] == outs[1] and "0x" not in outs[0]


# --------------------------------------------------------------------------- worked numbers (#11 items 18, 19)
def test_adam_q3_worked_values(capsys):
    MODULES["adam"].q3.solution()
    out = capsys.readouterr().out
    for text in ("v = 0.001249,", "v_hat = 0.624812", "v = 0.005247751", "v_hat = 1.751"):
        assert text in out


def test_dropout_and_prox_references_match_the_chapter():
    from optlearn import models

    of = MODULES["overfitting"]
    net = models.MLP([3, 50, 2], dropout=0.3)
    params = net.init_params(seed=0)
    X = np.random.default_rng(1).normal(size=(8, 3))
    a, z, h, mask = net._forward(params, X, True, 5)[1][0]   # first hidden layer, masks from seed 5
    kept = (np.random.default_rng(5).random(h.shape) >= 0.3).astype(float)
    np.testing.assert_allclose(of.inverted_dropout(h, kept, 0.3), h * mask, rtol=1e-12)
    w = np.array([2.0, 0.3, -0.6, -3.0, 0.0])
    np.testing.assert_allclose(of.prox_l1(w, 0.5), of._check_prox(w, 0.5), atol=1e-4)


# --------------------------------------------------------------------------- notebooks in sync with the data
def test_exercise_block_is_generated_from_the_data():
    cells = exercise_block("momentum")
    assert cells[0]["source"][0].startswith("## Exercises")
    assert "".join(cells[1]["source"]).startswith("**Exercise 1.** " + MODULES["momentum"].q1.prompt[:40])
    assert "from optlearn.exercises import momentum as ex" in "".join(cells[2]["source"])
    assert "ex.q1.check(momentum_step)" in "".join(cells[2]["source"])
    assert len(cells) == 1 + 2 * len(exercises("momentum"))
    assert all(c["outputs"] == [] for c in cells if c["cell_type"] == "code")


def test_sync_rewrites_only_the_block(tmp_path):
    src = next(p for p in sorted(BOOK.glob("*.ipynb")) if chapter_of(json.loads(p.read_text())) == "adagrad")
    copy = tmp_path / src.name
    copy.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    sync_main([str(tmp_path)])
    before, after = json.loads(src.read_text()), json.loads(copy.read_text())
    start = next(i for i, c in enumerate(before["cells"]) if "".join(c["source"]).startswith("## Exercises"))
    assert before["cells"][:start] == after["cells"][:start]
    n_new = 1 + 2 * len(exercises("adagrad"))
    end_before = next(i for i, c in enumerate(before["cells"]) if "".join(c["source"]).startswith("### Written"))
    tail_before, tail_after = before["cells"][end_before:], after["cells"][start + n_new:]
    assert [c["source"] for c in tail_before] == [c["source"] for c in tail_after]
    quiz = [c for c in tail_after if "show_quiz(" in "".join(c["source"])]
    assert quiz and all("remove-input" in c["metadata"]["tags"] for c in quiz)
    assert sync_main([str(tmp_path), "--check"]) == 0


def test_notebooks_are_in_sync_with_the_exercise_data(capsys):
    """Fails until `python -m optlearn.exercises.sync book/` has been run on the merged notebooks."""
    assert sync_main([str(BOOK), "--check"]) == 0, capsys.readouterr().out


def test_first_failing_case_is_reported_even_if_a_later_one_crashes():
    q = MODULES["gradient_descent"].q1

    def wrong_then_crash(A, x):
        if x.size == 2:
            return 2 * A @ x
        raise ValueError("late")

    result, out = verdict(q, wrong_then_crash)
    assert not result and "Case 'diagonal A'" in out and "late" not in out


# --------------------------------------------------------------------------- review of 2026-11-29 (core)
def _returns_none_if_written(*args):
    result = args[0]   # a written body that forgets `return`
    result = result


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_written_function_returning_none_is_wrong_not_unattempted(q):
    result, out = verdict(q, _returns_none_if_written)
    assert not result and out.startswith("❌") and "None" in out and "return" in out, out
    assert f"Case '{q.cases[0].label}'" in out


@pytest.mark.parametrize("body", ["pass", "...", '"""doc"""\n    ...', "return ..."])
def test_placeholder_bodies_are_not_attempted(body):
    ns: dict = {}
    exec(f"def f(A, x):\n    {body}\n", ns)  # noqa: S102
    result, out = verdict(MODULES["gradient_descent"].q1, ns["f"])
    assert not result and out.startswith("⏳ Not attempted yet"), out


def test_step_returning_none_in_the_tuple_names_the_element():
    def momentum_step(x, v, g, lr, beta):
        v = beta * v + g
        return x - lr * v, np.copyto(v, v)   # np.copyto returns None

    result, out = verdict(MODULES["momentum"].q1, momentum_step)
    assert not result and out.startswith("❌ Element 1 (`v`)") and "None" in out, out


def test_significant_digits_use_the_exponent_of_the_rounded_key():
    from optlearn.exercises._core import Tolerance
    tol = Tolerance(digits=3)
    key = -0.09999999500000022        # rounds to -0.100: a unit of the last digit is 0.001
    assert abs(-0.1004 - key) <= tol.width(np.asarray(key))
    assert abs(-0.1006 - key) > tol.width(np.asarray(key))
    np.testing.assert_allclose(tol.width(np.array([0.0999999995, 0.5])), [5e-4, 5e-4])


def test_quiz_ranges_use_the_exponent_of_the_rounded_key():
    from optlearn.exercises.quizzes import interval
    q = ValueExercise("demo.q", "?", lambda: -0.09999999500000022, "answer = -0.1", digits=3)
    lo, hi = interval(q, q.expected)
    assert lo <= -0.1004 <= hi and not lo <= -0.1006 <= hi
    assert verdict(q, -0.1004)[0] and verdict(q, -0.1)[0]


def test_base_exceptions_and_huge_numbers_get_a_verdict():
    gd = MODULES["gradient_descent"]

    class MyBase(BaseException):
        pass

    def custom(A, x):
        raise MyBase("x")

    def generator_exit(A, x):
        raise GeneratorExit("boom")

    for fn, name in ((custom, "MyBase"), (generator_exit, "GeneratorExit")):
        result, out = verdict(gd.q1, fn)
        assert not result and f"Your function raised {name}" in out, out
    for huge in (10**400, Fraction(10**400, 3), -(10**400)):
        result, out = verdict(gd.q3, huge)
        assert not result and "too large" in out and "e+" in out, out


def test_time_budget_cannot_be_hidden_by_a_bare_except():
    gd = MODULES["gradient_descent"]

    def swallow_then_return(A, x):
        try:
            while True:
                pass
        except:  # noqa: E722 - the learner's bare except
            return A @ x

    budget, gd.q1.time_budget = gd.q1.time_budget, 0.2
    try:
        for fn in (swallow_then_return,):
            result, out = verdict(gd.q1, fn)
            assert not result and "time budget of 0.2 s (all test cases together)" in out, out
            assert "It was stopped here: Case" in out
    finally:
        gd.q1.time_budget = budget


class FakeTensor:
    """What the checker relies on in a torch tensor (torch is not a dependency): ``detach``,
    ``cpu``, ``numpy``, and ``__array__`` refusing a tensor that requires grad, as torch does."""

    def __init__(self, value, requires_grad=False):
        self.value, self.requires_grad = np.asarray(value), requires_grad

    def detach(self):
        return FakeTensor(self.value)

    def cpu(self):
        return self

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy()")
        return self.value

    def __array__(self, dtype=None, copy=None):
        return self.numpy() if dtype is None else self.numpy().astype(dtype)


def test_tensors_are_accepted_like_numpy():
    gd, of = MODULES["gradient_descent"], MODULES["overfitting"]
    assert verdict(gd.q3, FakeTensor(gd.q3.expected, requires_grad=True))[0]
    assert verdict(of.q3, lambda v, p: FakeTensor(of.q3.reference(v, p)))[0]       # a 0-d bool tensor
    assert verdict(gd.q1, lambda A, x: FakeTensor(A @ x, requires_grad=True))[0]
    mo = MODULES["momentum"]

    def momentum_step(x, v, g, lr, beta):   # torch-style: tensors that require grad
        x_new, v_new = mo.momentum_step(x, v, g, lr, beta)
        return FakeTensor(x_new, requires_grad=True), FakeTensor(v_new, requires_grad=True)

    assert verdict(mo.q1, momentum_step)[0]

    class Broken(FakeTensor):
        def detach(self):
            return self

        def numpy(self):
            raise RuntimeError("no")

        def __array__(self, dtype=None, copy=None):
            raise RuntimeError("no")

    result, out = verdict(gd.q3, Broken(0.25))
    assert not result and ".item()" in out and ".detach()" in out, out


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_float32_arithmetic_of_a_right_answer_passes(q):
    def float32(*args):
        return q.reference(*(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                             for a in args))

    float32.__name__ = q.function_name
    assert verdict(q, float32)[0]
    if q.tol.rtol:
        assert "relative tolerance of 1e-05" in q.prompt


def test_gradient_descent_diverging_lr_in_float32_passes():
    def gradient_descent(grad, x0, lr, steps):
        x = np.asarray(x0, dtype=np.float32)
        for _ in range(steps):
            x = (x - np.float32(lr) * np.asarray(grad(x), dtype=np.float32)).astype(np.float32)
        return x

    assert verdict(MODULES["gradient_descent"].q2, gradient_descent)[0]


def test_numbers_are_formatted_as_their_type():
    assert fmt(np.array([1.0, -2.0])) == "array([1.0, -2.0])"
    assert fmt(-0.0) == "0.0" and fmt(np.array([-0.0, 0.5])) == "array([0.0, 0.5])"
    assert fmt(3) == "3" and fmt(2.0) == "2.0" and fmt(1e-20) == "1e-20"


def test_arrays_get_an_element_index_and_the_too_coarse_message():
    ag = MODULES["adagrad"]
    expected = np.asarray(ag.q3.expected, dtype=float)
    wrong = expected.copy()
    wrong[-1] += 1.0
    _, out = verdict(ag.q3, wrong)
    assert f"its element [{len(wrong) - 1}]" in out, out
    coarse = np.array([float(f"{v:.1g}") for v in expected])
    if not np.allclose(coarse, expected, rtol=1e-3):
        _, out = verdict(ag.q3, coarse)
        assert "Right, but too coarse" in out, out
    q = ValueExercise("demo.q", "?", lambda: np.array([0.12345, -2.3456]), "answer = 0", digits=3)
    _, out = verdict(q, np.array([0.12, -2.3]))
    assert "Right, but too coarse" in out and "2 significant digits" in out, out


# --------------------------------------------------------------------------- review of 2026-11-29 (mistakes)
# Each wrong answer is written as a learner writes it (not the module's own mistake function).
def _adam_corrected_state(x, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m = m / (1 - beta1**t)            # m_hat overwrites m and is fed back next step
    v = v / (1 - beta2**t)
    return x - lr * m / (np.sqrt(v) + eps), m, v


def _adam_flipped(x, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return x + lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _adamw_decay_after(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    x = x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return x - lr * weight_decay * x, m, v


def _rmsprop_flipped(x, s, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g * g
    return x + lr * g / (np.sqrt(s) + eps), s


def _rmsprop_after(x, s, g, lr, alpha, eps):
    x = x - lr * g / (np.sqrt(s) + eps)
    s = alpha * s + (1 - alpha) * g * g
    return x, s


def _nesterov_flipped(x, v, g, lr, beta):
    v = beta * v + g
    return x + lr * (g + beta * v), v


def _nesterov_keras(x, v, g, lr, beta):
    v = beta * v - lr * g
    x = x + beta * v - lr * g
    return x, v


def _cosine_rising(count, lr, T_max, eta_min):
    import math
    return eta_min + (lr - eta_min) * (1 - math.cos(math.pi * count / T_max)) / 2


def _cosine_no_pi(count, lr, T_max, eta_min):
    import math
    return eta_min + (lr - eta_min) * (1 + math.cos(count / T_max)) / 2


def _should_stop_tie(val_losses, patience):
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best:                   # a tie counted as an improvement
            best, best_epoch = loss, epoch
    return len(val_losses) - 1 - best_epoch >= patience


@pytest.mark.parametrize("q, fn, named", [
    ("adam.q1", _adam_corrected_state, "bias-corrected averages returned as the state"),
    ("adam.q1", _adam_flipped, "Adam with the sign flipped"),
    ("adam.q2", _adamw_decay_after, "the decay applied after the Adam step"),
    ("rmsprop.q1", _rmsprop_flipped, "RMSProp with the sign flipped"),
    ("rmsprop.q1", _rmsprop_after, "accumulating after the step"),
    ("momentum.q2", _nesterov_flipped, "Nesterov with the sign flipped"),
    ("momentum.q2", _nesterov_keras, "the Sutskever / Keras velocity form"),
    ("adagrad.q2", lambda grads, lr, eps: lr / (np.sqrt((grads**2).sum(axis=1)) + eps), "a sum over the wrong axis"),
    ("adagrad.q2", lambda grads, lr, eps: lr / (np.sqrt((grads[:-1]**2).sum(axis=0)) + eps),
     "the current gradient left out"),
    ("adagrad.q2", lambda grads, lr, eps: lr * grads[-1] / (np.sqrt((grads**2).sum(axis=0)) + eps),
     "the step instead of the rate"),
    ("adagrad.q2", lambda grads, lr, eps: lr / np.sqrt((grads**2).sum(axis=0) + eps), "eps inside the square root"),
    ("learning_rate.q2", _cosine_rising, "a rising schedule"),
    ("learning_rate.q2", _cosine_no_pi, "the pi forgotten"),
    ("overfitting.q2", lambda n, b, d: n // b + 1, "n // batch_size + 1"),
    ("overfitting.q3", _should_stop_tie, "counting a tie as an improvement"),
], ids=PARAM_ID)
def test_review_function_mistakes_are_named(q, fn, named):
    chapter, short = q.split(".")
    result, out = verdict(getattr(MODULES[chapter], short), fn)
    assert not result and out.count("This looks like") == 1 and f"This looks like {named}" in out, out


@pytest.mark.parametrize("q, answer, named", [
    ("rmsprop.q4", 0.1, "the first step's size"),
    ("adagrad.q4", 0.1 / np.sqrt(99), "a step count off by one"),
    ("adam.q3", np.array([-0.1, -0.1, 0.1]), "every step lr * sign(g)"),
    ("adam.q3", "flipped", "the sign flipped"),
    ("overfitting.q9", (100, 99.9), "the L2 term left out of Adam's gradient"),
    ("overfitting.q9", (99.99, 90), "AdamW's decay without the lr"),
], ids=str)
def test_review_value_mistakes_are_named(q, answer, named):
    chapter, short = q.split(".")
    ex = getattr(MODULES[chapter], short)
    if isinstance(answer, str):
        answer = -np.asarray(ex.expected)
    result, out = verdict(ex, answer)
    assert not result and f"This looks like {named}" in out, out


def test_prompts_map_names_to_the_chapters_symbols():
    for q in ("q1", "q2"):
        assert "`v` is $b_t$" in getattr(MODULES["momentum"], q).prompt
        assert "`s` is $v_t$" in getattr(MODULES["rmsprop"], q).prompt
    ag3 = MODULES["adagrad"].q3.prompt
    assert "Give an array. Give" not in ag3 and "(an array of shape (2,))? Give 3 significant digits." in ag3


def test_gradient_descent_q5_correct_verdict_explains():
    gd = MODULES["gradient_descent"]
    _, out = verdict(gd.q5, gd.q5.expected)
    assert "(kappa - 1)/(kappa + 1) = 0.6" in out and "kappa = L/mu = 4" in out, out


def test_square_root_rule_as_chapter_7_states_it():
    q = MODULES["overfitting"].q10
    assert "the chapter gives" in q.prompt and "Malladi et al. 2022" in q.prompt
    assert "Malladi et al. 2022" in q.explanation and "variance falling like 1/B" in q.explanation
    assert "warmup" not in q.explanation     # the chapter ties warmup to the linear rule only
    np.testing.assert_allclose(q.expected, (0.8, 1e-3 * np.sqrt(8)))
