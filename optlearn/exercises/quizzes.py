"""The chapters' browser quizzes (jupyterquiz JSON), with answers computed by optlearn.

``python -m optlearn.exercises.quizzes`` rewrites ``book/quizzes/<chapter>.json``;
``tests/test_quizzes.py`` checks that the committed files equal :func:`build`.

A numeric question is ``{"type": "numeric", "precision": p, "answers": [...]}``:
the reader's number and each ``value`` are rounded to ``p`` significant digits
before comparing, a ``range`` ``[lo, hi)`` accepts an interval, and the answers
are tried in order (correct value, tolerance range, known wrong values with
their feedback, then the ``default`` feedback). A multiple-choice question has
``{"answer", "correct", "feedback"}`` per option.

Example:
    >>> [q["type"] for q in build("momentum")]
    ['numeric', 'numeric', 'multiple_choice']
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

import optlearn as ol
from optlearn.exercises import CHAPTERS
from optlearn.exercises._core import MultipleChoiceExercise, run

__all__ = ["COLORS", "QUIZ_DIR", "build", "mc", "numeric", "write_all"]

#: jupyterquiz's default palette (``display_quiz(colors=None)``).
COLORS = {
    "--jq-multiple-choice-bg": "#392061",
    "--jq-mc-button-bg": "#fafafa",
    "--jq-mc-button-border": "#e0e0e0e0",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-many-choice-bg": "#f75c03ff",
    "--jq-numeric-bg": "#392061ff",
    "--jq-numeric-input-bg": "#c0c0c0",
    "--jq-numeric-input-label": "#101010",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#4c1a57",
    "--jq-incorrect-color": "#c80202",
    "--jq-correct-color": "#009113",
    "--jq-text-color": "#fafafa",
    "--jq-link-color": "#9abafa",
}

#: Where the quiz files live: ``book/quizzes`` of the repository.
QUIZ_DIR = Path(__file__).resolve().parents[2] / "book" / "quizzes"


def _r(x: float) -> float:
    """Round to 12 significant digits, so the JSON does not depend on the last bits."""
    return float(f"{float(x):.12g}")


def numeric(question: str, value: float, wrong: dict[float, str] = {}, precision: int | None = 3,  # noqa: B006
            rel_tol: float = 0.005, explanation: str = "") -> dict[str, Any]:
    """A jupyterquiz numeric question: ``value`` to ``precision`` digits or within ``rel_tol``.

    Args:
        question: The question (markdown, ``$...$`` for math).
        value: The correct answer (computed by optlearn).
        wrong: Known wrong answers mapped to their feedback (misconceptions).
        precision: Significant digits compared (``None`` for exact integers:
            jupyterquiz's ``toPrecision`` rejects 0).
        rel_tol: Relative half-width of the accepted range.
        explanation: Feedback shown for a correct answer.
    """
    half = abs(value) * rel_tol or rel_tol
    answers = [{"type": "value", "value": _r(value), "correct": True, "feedback": "Correct! " + explanation}]
    answers.append({"type": "range", "range": [_r(value - half), _r(value + half)], "correct": True,
                    "feedback": "Correct! " + explanation})
    answers += [{"type": "value", "value": _r(w), "correct": False, "feedback": fb} for w, fb in wrong.items()]
    answers.append({"type": "default", "feedback": "Not quite. Try again, or work it out step by step."})
    quiz = {"question": question, "type": "numeric", "precision": precision, "answers": answers}
    if precision is None:
        del quiz["precision"]
    return quiz


def mc(exercise: MultipleChoiceExercise) -> dict[str, Any]:
    """A jupyterquiz multiple-choice question from a notebook exercise (same options and feedback)."""
    return {"question": exercise.prompt, "type": "multiple_choice",
            "answers": [{"answer": o.text, "correct": o.correct, "feedback": o.feedback}
                        for o in exercise.options.values()]}


def _quadratic(A: list) -> Any:
    from optlearn.functions import Quadratic

    return Quadratic(np.array(A, dtype=float))


def _gradient_descent() -> list:
    from optlearn.exercises import gradient_descent as ex

    q = _quadratic([[3.0, 1.0], [1.0, 3.0]])
    return [
        numeric("Gradient descent on $f(x) = x^T A x / 2$ with $A = [[3, 1], [1, 3]]$ (eigenvalues 2 and 4). "
                "Above which learning rate does it diverge?", 2 / q.L,
                {1 / q.L: "1/L is a safe step; GD still converges up to 2/L.",
                 2 / q.mu: "The steepest direction (L = 4) diverges first: 2/L."}, explanation="2/L = 0.5."),
        numeric("On the same quadratic, which fixed learning rate converges fastest?", 2 / (q.mu + q.L),
                {1 / q.L: "1/L leaves the flat direction slow; balance: 2/(mu + L).",
                 2 / q.L: "At 2/L the steep direction oscillates forever."}, explanation="2/(mu + L) = 1/3."),
        mc(ex.q6),
    ]


def _learning_rate() -> list:
    from optlearn.exercises import learning_rate as ex

    s = ol.schedules
    return [
        numeric("StepLR with lr = 0.5, step_size = 30, gamma = 0.1: which lr is used at count = 65?",
                s.step_decay(0.5, step_size=30, gamma=0.1)(65),
                {0.0005: "65 // 30 = 2 decays, not 3.", 0.05: "65 // 30 = 2 decays, not 1."},
                explanation="0.5 * 0.1 ** (65 // 30) = 0.005."),
        numeric("Cosine annealing from lr = 0.1 with T_max = 100 and eta_min = 0.01: the lr at count = 50?",
                s.cosine_annealing(0.1, T_max=100, eta_min=0.01)(50),
                {0.05: "Half-way between lr and eta_min, not between lr and 0."},
                explanation="eta_min + (lr - eta_min) / 2 = 0.055."),
        mc(ex.q6),
    ]


def _momentum() -> list:
    from optlearn.exercises import momentum as ex

    long_run = -run(ol.sgd(lr=0.1, momentum=0.9), [0.0], [[1.0]] * 3000)[-1][1][0]
    kappa = _quadratic([[1.0, 0.0], [0.0, 25.0]]).kappa
    return [
        numeric("SGD(lr = 0.1, momentum = 0.9) with a constant gradient g = 1: how large is each step "
                "in the long run?", long_run,
                {0.1: "The buffer accumulates: it tends to g / (1 - momentum) = 10 g.",
                 0.01: "The buffer is not an average here: it tends to g / (1 - momentum)."},
                explanation="lr / (1 - momentum) = 1."),
        numeric("Heavy-ball momentum on a quadratic with mu = 1 and L = 25: the optimal momentum beta?",
                ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2,
                {2 / 3: "That is the rate (sqrt(kappa)-1)/(sqrt(kappa)+1); beta is its square."},
                explanation="((5 - 1) / (5 + 1))^2 = 4/9."),
        mc(ex.q5),
    ]


def _adagrad() -> list:
    from optlearn.exercises import adagrad as ex

    first = run(ol.adagrad(lr=0.5), [0.0], [[-3.0]])[0][1][0]
    t25 = abs(run(ol.adagrad(lr=1.0), [0.0], [[4.0]] * 25)[-1][1][0])
    return [
        numeric("AdaGrad(lr = 0.5), first step, gradient g = -3: what is the update $x_1 - x_0$?", first,
                {1.5: "That is SGD's step; AdaGrad divides by sqrt(g**2) = 3.",
                 -0.5: "The update goes against the gradient, which is negative."},
                explanation="-lr * g / |g| = +0.5."),
        numeric("AdaGrad(lr = 1) with a constant gradient g = 4: how large is step number 25?", t25,
                {0.01: "That forgets the square root: lr / sqrt(t).", 4.0: "That is SGD's step."},
                explanation="lr / sqrt(25) = 0.2."),
        mc(ex.q5),
    ]


def _rmsprop() -> list:
    from optlearn.exercises import rmsprop as ex

    first = run(ol.rmsprop(lr=0.01, alpha=0.9), [0.0], [[3.0]])[0][1][0]
    long_run = abs(run(ol.rmsprop(lr=0.01, alpha=0.9), [0.0], [[3.0]] * 500)[-1][1][0])
    return [
        numeric("RMSprop(lr = 0.01, alpha = 0.9), first step, gradient g = 3: the update $x_1 - x_0$?", first,
                {-0.01: "RMSProp has no bias correction: s_1 = 0.1 g**2, so the step is lr / sqrt(0.1).",
                 -0.03: "That is SGD's step."}, explanation="-0.01 / sqrt(0.1) = -0.0316."),
        numeric("Same optimizer, constant gradient g = 3 for 500 steps: how large is the last step?", long_run,
                {0.03: "RMSProp normalises by the RMS of g: the step tends to lr."}, explanation="It tends to lr."),
        mc(ex.q5),
    ]


def _adam() -> list:
    from optlearn.exercises import adam as ex

    first = run(ol.adam(lr=0.01), [0.0], [[-50.0]])[0][1][0]
    second = run(ol.adam(lr=0.1), [0.0], [[1.0], [3.0]])[1][1][0]
    return [
        numeric("Adam(lr = 0.01), first step, gradient g = -50: the update $x_1 - x_0$?", first,
                {0.5: "That is SGD's step; Adam's first step is lr * sign(-g).",
                 0.0316: "That forgets the bias correction."}, explanation="+lr = 0.01."),
        numeric("Adam(lr = 0.1), gradients 1 then 3: the second update $x_2 - x_1$ (3 digits)?", second,
                explanation="m_hat = 0.48/0.19, v_hat = 0.009990/0.001999."),
        mc(ex.q5),
    ]


def _overfitting() -> list:
    from optlearn.exercises import overfitting as ex

    w = np.array([2.0])
    opt = ol.sgd(lr=1.0, weight_decay=0.01)
    penalty = -opt.update(np.zeros(1), opt.init(w), w)[0][0]
    return [
        numeric("600 examples, batch size 64, last partial batch kept: how many updates in 5 epochs?",
                5 * len(range(0, 600, 64)),
                {45: "The last batch of 24 examples is an update too.", 46.875: "Updates come in whole batches."},
                precision=None, explanation="10 batches per epoch."),
        numeric("Weight decay 0.01 (penalty $0.01/2 \\, w^2$): what does it add to the gradient at $w = 2$?",
                penalty, {0.04: "The 1/2 of the penalty cancels the 2."}, explanation="lambda * w = 0.02."),
        mc(ex.q6),
    ]


_BUILDERS: dict[str, Callable[[], list]] = {
    "gradient_descent": _gradient_descent, "learning_rate": _learning_rate, "momentum": _momentum,
    "adagrad": _adagrad, "rmsprop": _rmsprop, "adam": _adam, "overfitting": _overfitting,
}


def build(chapter: str) -> list[dict[str, Any]]:
    """The quiz of ``chapter`` as jupyterquiz question dicts."""
    if chapter not in _BUILDERS:
        raise ValueError(f"unknown chapter {chapter!r}; choose one of {', '.join(CHAPTERS)}")
    return _BUILDERS[chapter]()


def dumps(chapter: str) -> str:
    """The JSON text of a quiz file."""
    return json.dumps(build(chapter), indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path = QUIZ_DIR) -> list[Path]:
    """Write every chapter's quiz to ``directory/<chapter>.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for chapter in CHAPTERS:
        path = directory / f"{chapter}.json"
        path.write_text(dumps(chapter), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else QUIZ_DIR):
        print(p)
