"""Exercises of chapter 4, *AdaGrad*.

Questions:
    q1: write one AdaGrad step, as torch.optim.Adagrad (function).
    q2: the per-coordinate effective learning rate after a history of gradients (function).
    q3: the parameters after the first AdaGrad step (value, array).
    q4: the size of the 100th step under a constant gradient (value).
    q5: why AdaGrad stalls on long runs (multiple choice).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Mistake, MultipleChoiceExercise, Option, StepCase, StepExercise,
    ValueExercise, fmt, run,
)

__all__ = ["QUIZ", "q1", "q2", "q3", "q4", "q5"]


def adagrad_step(x, G, g, lr, eps):
    G = G + g**2
    return x - lr * g / (np.sqrt(G) + eps), G


def _accumulated_numerator(x, G, g, lr, eps):
    G = G + g**2
    return x - lr * G / (np.sqrt(G) + eps), G


def _eps_inside(x, G, g, lr, eps):
    G = G + g**2
    return x - lr * g / np.sqrt(G + eps), G


def _no_sqrt(x, G, g, lr, eps):
    G = G + g**2
    return x - lr * g / (G + eps), G


def _sign_flipped(x, G, g, lr, eps):
    G = G + g**2
    return x + lr * g / (np.sqrt(G) + eps), G


def _accumulate_after(x, G, g, lr, eps):
    return x - lr * g / (np.sqrt(G) + eps), G + g**2


_CASES = [
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -3.0]], (0.1, 1e-10)),
    StepCase("three steps", np.array([1.0, 2.0, 3.0]), [[1.0, -2.0, 0.5], [2.0, 1.0, 0.5], [-1.0, 0.5, 4.0]],
             (0.5, 1e-10)),
    StepCase("zero gradient", np.array([1.0, 1.0]), [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]], (0.1, 1e-10)),
    StepCase("large eps", np.array([0.0, 0.0]), [[0.5, 2.0], [1.0, 1.0]], (1.0, 0.5)),
    StepCase("large gradients", np.array([10.0, -10.0]), [[1e6, -3e6], [2e6, 1e6]], (0.01, 1e-10)),
]

q1 = StepExercise(
    "adagrad.q1",
    r"""
    Write one AdaGrad step as `torch.optim.Adagrad` computes it: add $g^2$ to the accumulator
    $G$, then move $x$ by $-\eta\, g/(\sqrt{G} + \epsilon)$ ($\epsilon$ outside the square root).
    Return `(x_new, G_new)`.
    """,
    adagrad_step, lambda lr, eps: ol.adagrad(lr=lr, eps=eps), _CASES, n_state=1,
    hints=["Update the accumulator first: the first step already uses g**2.",
           "G_new = G + g**2; the step divides the *current* gradient g by sqrt(G_new) + eps.",
           "return x - lr * g / (np.sqrt(G_new) + eps), G_new"],
    mistakes=[
        Mistake("AdaGrad with the sign flipped", "x moves *against* the gradient: x - lr * g / ...",
                _sign_flipped),
        Mistake("AdaGrad dividing the accumulated sum instead of the current gradient",
                      "the numerator is the current gradient g; G only sets the per-coordinate scale.",
                      _accumulated_numerator),
        Mistake("eps inside the square root",
                      "torch adds eps *after* the sqrt: g / (sqrt(G) + eps), not g / sqrt(G + eps).",
                      _eps_inside),
        Mistake("AdaGrad without the square root",
                      "divide by sqrt(G), the root of the sum of squares, so that the step has the "
                      "units of lr.", _no_sqrt),
        Mistake("accumulating after the step",
                      "add g**2 to G *before* dividing; otherwise the first step divides by eps alone.",
                      _accumulate_after),
    ],
)


def effective_lr(grads, lr, eps):
    return lr / (np.sqrt(np.sum(grads**2, axis=0)) + eps)


def _expected_effective_lr(grads, lr, eps):
    x, update = run(ol.adagrad(lr=lr, eps=eps), np.zeros(grads.shape[1]), list(grads))[-1]
    return -update / grads[-1]


q2 = FunctionExercise(
    "adagrad.q2",
    r"""
    `grads` has shape `(T, n)`: the gradients $g_1, \dots, g_T$ that AdaGrad has seen. Return the
    per-coordinate effective learning rate of step $T$: the array of shape `(n,)` by which AdaGrad
    (PyTorch's semantics) multiplies $g_T$.
    """,
    effective_lr,
    [
        Case("one step", (np.array([[2.0, -0.5]]), 0.1, 1e-10)),
        Case("four steps", (np.array([[1.0, 3.0], [1.0, -4.0], [1.0, 0.0], [1.0, 1.0]]), 0.1, 1e-10)),
        Case("large eps", (np.array([[0.5, 2.0], [0.5, 1.0]]), 1.0, 0.5)),
        Case("large gradients", (np.array([[1e6, 2.0, 1e-3], [-3e6, 1.0, 1e-3]]), 0.01, 1e-10)),
    ],
    expected=_expected_effective_lr, returns="an array of shape (n,)",
    hints=["After T steps the accumulator is the sum over time of g_t**2.",
           "np.sum(grads**2, axis=0) sums over time (axis 0), one value per coordinate."],
    mistakes=[
        Mistake("AdaGrad without the square root", "the scale is sqrt(sum of g**2).",
                      lambda grads, lr, eps: lr / (np.sum(grads**2, axis=0) + eps)),
        Mistake("a mean instead of a sum",
                      "AdaGrad *sums* squared gradients (RMSProp averages them), which is why its lr "
                      "only decreases.", lambda grads, lr, eps: lr / (np.sqrt(np.mean(grads**2, axis=0)) + eps)),
        Mistake("accumulating |g| instead of g**2",
                      "AdaGrad sums *squared* gradients and takes the square root of the sum.",
                      lambda grads, lr, eps: lr / (np.sum(np.abs(grads), axis=0) + eps)),
    ],
)

_X1 = run(ol.adagrad(lr=0.1, eps=1e-10), [1.0, -2.0], [[0.5, -100.0]])[0][0]

q3 = ValueExercise(
    "adagrad.q3",
    r"""
    AdaGrad with $\eta = 0.1$, $\epsilon = 10^{-10}$ starts at $x_0 = (1, -2)$ and receives the
    gradient $g = (0.5, -100)$. What is $x$ after this first step? Give an array.
    """,
    lambda: _X1,
    f"""
    opt = ol.adagrad(lr=0.1, eps=1e-10)
    x0 = np.array([1.0, -2.0])
    updates, state = opt.update(np.array([0.5, -100.0]), opt.init(x0), x0)
    answer = x0 + updates   # {fmt(_X1)}: G = g**2, so g / sqrt(G) = sign(g) and every coordinate moves by lr
    """,
    digits=3, answer_comment="an array of shape (2,)",
    hints=["After the first step G = g**2. What is g / sqrt(g**2)?",
           "Every coordinate moves by lr against the sign of its gradient."],
    mistakes=[
        Mistake("a plain SGD step", "AdaGrad divides by sqrt(G) = |g| at the first step.",
                np.array([1.0, -2.0]) - 0.1 * np.array([0.5, -100.0])),
        Mistake("AdaGrad without the square root", "g / g**2 = 1/g is not a sign.",
                np.array([1 - 0.1 / 0.5, -2 + 0.1 / 100])),
        Mistake("AdaGrad with the sign flipped", "x moves against the gradient: x0 - lr * sign(g).",
                np.array([1.1, -2.1])),
    ],
)

_STEP100 = float(abs(run(ol.adagrad(lr=0.1), [0.0], [[2.0]] * 100)[-1][1][0]))

q4 = ValueExercise(
    "adagrad.q4",
    r"""
    AdaGrad with $\eta = 0.1$ (and the default $\epsilon$) on a one-dimensional problem whose
    gradient is always $g = 2$. How large (in absolute value) is step number 100?
    """,
    lambda: _STEP100,
    f"""
    opt = ol.adagrad(lr=0.1)
    x = np.zeros(1)
    state = opt.init(x)
    for _ in range(100):
        updates, state = opt.update(np.array([2.0]), state, x)
        x = x + updates
    answer = abs(updates.item())   # lr * g / sqrt(100 * g**2) = lr / sqrt(100) = {_STEP100:.6g}
    """,
    digits=3,
    hints=["After t steps, G = t * g**2.", "The step is lr * g / sqrt(t * g**2) = lr / sqrt(t)."],
    mistakes=[
        Mistake("AdaGrad without the square root", "lr * g / (t * g**2) decays like 1/t; "
                "the square root makes it lr / sqrt(t).", 0.0005),
        Mistake("a plain SGD step", "AdaGrad's step shrinks as G grows: lr / sqrt(t).", 0.2),
        Mistake("the first step's size", "the first step is lr; then it shrinks like 1/sqrt(t).", 0.1),
    ],
)

q5 = MultipleChoiceExercise(
    "adagrad.q5",
    "On long training runs AdaGrad often stops making progress. Why?",
    {
        "a": Option("Its accumulator only grows, so every effective learning rate decays towards 0.", True,
                    "G is a sum of squares: lr / sqrt(G) decays like 1/sqrt(t) even when progress is "
                    "still possible. RMSProp replaces the sum by a moving average."),
        "b": Option("Its gradients become noisier over time.", False,
                    "The noise of the gradients does not depend on the optimizer."),
        "c": Option("eps grows during training.", False, "eps is a constant."),
        "d": Option("It uses momentum, which overshoots.", False,
                    "Plain AdaGrad has no momentum buffer."),
    },
    hints=["What happens to sum of g**2 as t grows?"],
)

# ----------------------------------------------------------------------------- quiz
QUIZ = [
    ValueExercise(
        "adagrad.quiz1", "AdaGrad(lr = 0.5), first step, gradient $g = -3$: what is the update $x_1 - x_0$?",
        lambda: float(run(ol.adagrad(lr=0.5), [0.0], [[-3.0]])[0][1][0]), "answer = 0.5", digits=3,
        explanation="-lr * g / |g| = +0.5: the first step has size lr, against the gradient.",
        mistakes=[
            Mistake("a plain SGD step", "AdaGrad divides by sqrt(g**2) = 3.", 1.5),
            Mistake("the sign flipped", "the update goes against the gradient, which is negative.", -0.5),
        ]),
    ValueExercise(
        "adagrad.quiz2", "AdaGrad(lr = 1) with a constant gradient $g = 4$: how large is step number 25?",
        lambda: float(abs(run(ol.adagrad(lr=1.0), [0.0], [[4.0]] * 25)[-1][1][0])), "answer = 1 / 5", digits=3,
        explanation="lr / sqrt(25) = 0.2.",
        mistakes=[
            Mistake("AdaGrad without the square root", "lr * g / (t g**2) = 1/100; the step is lr / sqrt(t).",
                    0.01),
            Mistake("a plain SGD step", "that is SGD's step, lr * g.", 4.0),
        ]),
    q5,
]
