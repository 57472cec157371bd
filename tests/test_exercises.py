"""The exercises: references pass, known mistakes get their verdict, nothing raises at the reader."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from optlearn.exercises import CHAPTERS
from optlearn.exercises._core import (
    CheckResult, Exercise, FunctionExercise, MultipleChoiceExercise, StepExercise, ValueExercise,
)

MODULES = {c: importlib.import_module(f"optlearn.exercises.{c}") for c in CHAPTERS}
EXERCISES = [q for m in MODULES.values() for name, q in sorted(vars(m).items())
             if name[:1] == "q" and name[1:].isdigit() and isinstance(q, Exercise)]
FUNCTIONS = [q for q in EXERCISES if isinstance(q, FunctionExercise)]
IDS = lambda q: q.name  # noqa: E731


def correct_answer(q: Exercise):
    if isinstance(q, FunctionExercise):
        return q.reference
    if isinstance(q, ValueExercise):
        return q.expected
    return next(k for k, o in q.options.items() if o.correct)


def verdict(q: Exercise, answer, capsys) -> tuple[CheckResult, str]:
    result = q.check(answer)
    out = capsys.readouterr().out
    assert "Traceback" not in out
    return result, out


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_enough_exercises(chapter):
    qs = [q for q in EXERCISES if q.name.startswith(chapter + ".")]
    assert len(qs) >= 4
    assert sum(isinstance(q, FunctionExercise) for q in qs) >= 2
    doc = MODULES[chapter].__doc__
    assert all(q.name.split(".")[1] + ":" in doc for q in qs)


@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
def test_reference_passes(q, capsys):
    result, out = verdict(q, correct_answer(q), capsys)
    assert result and q.passed and isinstance(result, CheckResult)
    assert out.startswith("✅ Correct!")
    assert hasattr(result, "_ipython_display_")  # shows nothing in a notebook


@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
def test_declared_wrong_answers_are_named(q, capsys):
    wrong = q.wrong_answers()
    assert len(wrong) >= 2
    for answer, message in wrong:
        result, out = verdict(q, answer, capsys)
        assert not result and not q.passed
        assert out.startswith("❌") and message in out, out


@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
@pytest.mark.parametrize("answer", [..., None], ids=["ellipsis", "none"])
def test_not_attempted(q, answer, capsys):
    result, out = verdict(q, answer, capsys)
    assert not result and out.startswith("⏳ Not attempted yet")


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_placeholder_function_is_not_attempted(q, capsys):
    def placeholder(*args):
        ...

    result, out = verdict(q, placeholder, capsys)
    assert not result and out.startswith("⏳ Not attempted yet")


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_exception_is_reported_with_its_case(q, capsys):
    def broken(*args):
        raise ZeroDivisionError("boom")

    result, out = verdict(q, broken, capsys)
    assert not result
    assert "Your function raised ZeroDivisionError: boom" in out and f"Case '{q.cases[0].label}'" in out


def _first_array_index(q: FunctionExercise) -> int | None:
    args = (q.cases[0].x0,) if isinstance(q, StepExercise) else q.cases[0].args
    return next((i for i, a in enumerate(args) if isinstance(a, np.ndarray)), None)


@pytest.mark.parametrize("q", [q for q in FUNCTIONS if _first_array_index(q) is not None], ids=IDS)
def test_mutation_is_detected(q, capsys):
    i = _first_array_index(q)

    def mutating(*args):
        out = q.reference(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
        args[i][...] = 123.0
        return out

    result, out = verdict(q, mutating, capsys)
    assert not result and f"modified its input `{q.arg_names[i]}` in place" in out


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_wrong_shape(q, capsys):
    if isinstance(q, StepExercise):
        answer = lambda *a: (np.zeros(7),) * (1 + q.n_state)  # noqa: E731
    else:
        answer = lambda *a: np.zeros(7)  # noqa: E731
    result, out = verdict(q, answer, capsys)
    assert not result and out.startswith("❌")
    assert "shape (7,)" in out or "True or False" in out


@pytest.mark.parametrize("q", FUNCTIONS, ids=IDS)
def test_nan_is_reported(q, capsys):
    def nan(*args):
        out = q.reference(*args)
        return (out[0] * np.nan, *out[1:]) if isinstance(q, StepExercise) else np.asarray(out) * np.nan

    result, out = verdict(q, nan, capsys)
    assert not result and ("NaN" in out or "True or False" in out)


@pytest.mark.parametrize("q", [q for q in EXERCISES if not isinstance(q, MultipleChoiceExercise)], ids=IDS)
def test_wrong_kind_of_answer(q, capsys):
    answer = 3.0 if isinstance(q, FunctionExercise) else (lambda: 0)
    result, out = verdict(q, answer, capsys)
    assert not result and out.startswith("❌ This question wants a")


@pytest.mark.parametrize("q", [q for q in EXERCISES if isinstance(q, ValueExercise)], ids=IDS)
def test_value_wrong_shape_and_type(q, capsys):
    for answer in (np.zeros(7), "0.5"):
        result, out = verdict(q, answer, capsys)
        assert not result and out.startswith("❌ Not quite")


@pytest.mark.parametrize("q", EXERCISES, ids=IDS)
def test_hints_solution_prompt(q, capsys):
    assert q.hints and q.prompt
    q._hints_shown = 0
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
        assert f"def {q.signature.split('(')[0]}(" in out
    q.show()
    assert q.prompt in capsys.readouterr().out


def test_verdicts_are_deterministic(capsys):
    q = MODULES["adam"].q1
    outs = []
    for _ in range(2):
        q.check(MODULES["adam"]._no_bias_correction)
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] and "0x" not in outs[0]
