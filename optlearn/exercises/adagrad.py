"""Exercises of chapter 4, *AdaGrad*.

Questions:
    q1: write one AdaGrad step, as torch.optim.Adagrad (function).
    q2: the per-coordinate effective learning rate after a history of gradients (function).
    q3: the parameters after the first AdaGrad step (value, array).
    q4: the size of the 100th step under a constant gradient (value).
    q5: why AdaGrad stalls on long runs (multiple choice).
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Misconception, MultipleChoiceExercise, Option, StepCase, StepExercise,
    ValueExercise, run,
)

__all__ = ["q1", "q2", "q3", "q4", "q5"]


def adagrad_step(x, G, g, lr, eps):
    """Reference: accumulate g**2, then divide the *current* g by sqrt(G) + eps."""
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
    """
    Write one AdaGrad step as torch.optim.Adagrad: add g**2 to the accumulator G,
    then move x by -lr * g / (sqrt(G) + eps) (eps outside the square root).
    Return (x_new, G_new). The checker starts from G = 0.
    """,
    "adagrad_step(x, G, g, lr, eps)", adagrad_step,
    lambda lr, eps: ol.adagrad(lr=lr, eps=eps), _CASES, n_state=1,
    hints=["Update the accumulator first: the first step already uses g**2.",
           "G_new = G + g**2; the step divides the *current* gradient g by sqrt(G_new) + eps.",
           "return x - lr * g / (np.sqrt(G_new) + eps), G_new"],
    misconceptions=[
        Misconception("AdaGrad dividing the accumulated sum instead of the current gradient",
                      "the numerator is the current gradient g; G only sets the per-coordinate scale.",
                      _accumulated_numerator),
        Misconception("eps inside the square root",
                      "torch adds eps *after* the sqrt: g / (sqrt(G) + eps), not g / sqrt(G + eps).",
                      _eps_inside),
        Misconception("AdaGrad without the square root",
                      "divide by sqrt(G), the root of the sum of squares, so that the step has the "
                      "units of lr.", _no_sqrt),
        Misconception("accumulating after the step",
                      "add g**2 to G *before* dividing; otherwise the first step divides by eps alone.",
                      _accumulate_after),
    ],
)


def effective_lr(grads, lr, eps):
    """Reference: lr / (sqrt(sum of squared gradients) + eps), per coordinate."""
    return lr / (np.sqrt(np.sum(grads**2, axis=0)) + eps)


def _expected_effective_lr(grads, lr, eps):
    x, update = run(ol.adagrad(lr=lr, eps=eps), np.zeros(grads.shape[1]), list(grads))[-1]
    return -update / grads[-1]


q2 = FunctionExercise(
    "adagrad.q2",
    """
    `grads` has shape (T, n): the gradients g_1, ..., g_T seen by AdaGrad.
    Return the per-coordinate effective learning rate of step T, the array
    of shape (n,) by which AdaGrad multiplies g_T (torch semantics).
    """,
    "effective_lr(grads, lr, eps)", effective_lr, _expected_effective_lr,
    [
        Case("one step", (np.array([[2.0, -0.5]]), 0.1, 1e-10)),
        Case("four steps", (np.array([[1.0, 3.0], [1.0, -4.0], [1.0, 0.0], [1.0, 1.0]]), 0.1, 1e-10)),
        Case("large eps", (np.array([[0.5, 2.0], [0.5, 1.0]]), 1.0, 0.5)),
        Case("large gradients", (np.array([[1e6, 2.0, 1e-3], [-3e6, 1.0, 1e-3]]), 0.01, 1e-10)),
    ],
    hints=["After T steps the accumulator is the sum over time of g_t**2.",
           "np.sum(grads**2, axis=0) sums over time (axis 0), one value per coordinate."],
    misconceptions=[
        Misconception("AdaGrad without the square root", "the scale is sqrt(sum of g**2).",
                      lambda grads, lr, eps: lr / (np.sum(grads**2, axis=0) + eps)),
        Misconception("a mean instead of a sum",
                      "AdaGrad *sums* squared gradients (RMSProp averages them), which is why its lr "
                      "only decreases.", lambda grads, lr, eps: lr / (np.sqrt(np.mean(grads**2, axis=0)) + eps)),
        Misconception("accumulating |g| instead of g**2",
                      "AdaGrad sums *squared* gradients and takes the square root of the sum.",
                      lambda grads, lr, eps: lr / (np.sum(np.abs(grads), axis=0) + eps)),
    ],
)

q3 = ValueExercise(
    "adagrad.q3",
    """
    AdaGrad (lr = 0.1, eps = 1e-10) starts at x0 = [1, -2] and receives the
    gradient g = [0.5, -100]. What is x after this first step? Give an array.
    """,
    lambda: run(ol.adagrad(lr=0.1, eps=1e-10), [1.0, -2.0], [[0.5, -100.0]])[0][0],
    """
    x1 = run(ol.adagrad(lr=0.1, eps=1e-10), [1.0, -2.0], [[0.5, -100.0]])[0][0]
    # first step: G = g**2, so g / sqrt(G) = sign(g): every coordinate moves by lr = 0.1
    # x1 = [1 - 0.1, -2 + 0.1] = [0.9, -1.9]
    """,
    hints=["After the first step G = g**2. What is g / sqrt(g**2)?",
           "Every coordinate moves by lr against the sign of its gradient."],
    misconceptions=[
        Misconception("a plain SGD step", "AdaGrad divides by sqrt(G) = |g| at the first step.",
                      np.array([0.95, 8.0])),
        Misconception("AdaGrad without the square root", "g / g**2 = 1/g is not a sign.",
                      np.array([1 - 0.1 / 0.5, -2 + 0.1 / 100])),
    ],
)

q4 = ValueExercise(
    "adagrad.q4",
    """
    AdaGrad with lr = 0.1 on a 1-d problem whose gradient is always g = 2.
    How large (in absolute value) is step number 100? Give a number.
    """,
    lambda: float(abs(run(ol.adagrad(lr=0.1), [0.0], [[2.0]] * 100)[-1][1][0])),
    """
    steps = run(ol.adagrad(lr=0.1), [0.0], [[2.0]] * 100)
    abs(steps[-1][1][0])   # lr * g / sqrt(100 * g**2) = lr / sqrt(100) = 0.01
    """,
    hints=["After t steps, G = t * g**2.", "The step is lr * g / sqrt(t * g**2) = lr / sqrt(t)."],
    misconceptions=[
        Misconception("AdaGrad without the square root", "lr * g / (t * g**2) decays like 1/t; "
                      "the square root makes it lr / sqrt(t).", 0.0005),
        Misconception("a plain SGD step", "AdaGrad's step shrinks as G grows: lr / sqrt(t).", 0.2),
        Misconception("the first step's size", "the first step is lr; then it shrinks like 1/sqrt(t).", 0.1),
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
