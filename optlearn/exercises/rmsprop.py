"""Exercises of chapter 5, *RMSProp*.

Questions:
    q1: write one RMSProp step, as torch.optim.RMSprop (function).
    q2: write one centered RMSProp step (function).
    q3: the first RMSProp update for a given gradient (value).
    q4: the long-run step size under a constant gradient (value).
    q5: what RMSProp changes with respect to AdaGrad (multiple choice).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Mistake, MultipleChoiceExercise, Option, StepCase, StepExercise, ValueExercise, run,
)

__all__ = ["QUIZ", "q1", "q2", "q3", "q4", "q5"]

_CASES = [
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -3.0]], (0.01, 0.99, 1e-8)),
    StepCase("three steps", np.array([1.0, 2.0, 3.0]), [[1.0, -2.0, 0.5], [2.0, 1.0, 0.5], [-1.0, 0.5, 4.0]],
             (0.01, 0.9, 1e-8)),
    StepCase("zero gradient", np.array([1.0, 1.0]), [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]], (0.1, 0.5, 1e-8)),
    StepCase("large eps", np.array([0.0, 0.0]), [[0.5, 2.0], [1.0, 1.0]], (1.0, 0.75, 0.5)),
    StepCase("large gradients", np.array([10.0, -10.0]), [[1e6, -3e6], [2e6, 1e6]], (0.01, 0.99, 1e-8)),
]


def rmsprop_step(x, s, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def _not_squared(x, s, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g
    return x - lr * g / (np.sqrt(s) + eps), s


def _eps_inside(x, s, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g**2
    return x - lr * g / np.sqrt(s + eps), s


def _swapped_alpha(x, s, g, lr, alpha, eps):
    s = (1 - alpha) * s + alpha * g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def _adagrad_sum(x, s, g, lr, alpha, eps):
    s = s + g**2
    return x - lr * g / (np.sqrt(s) + eps), s


q1 = StepExercise(
    "rmsprop.q1",
    """
    Write one RMSProp step as `torch.optim.RMSprop` computes it (no momentum, not centred):
    update the moving average `s` of `g**2` with decay `alpha`, then move `x` by
    `-lr * g / (sqrt(s) + eps)`. Return `(x_new, s_new)`.
    """,
    rmsprop_step, lambda lr, alpha, eps: ol.rmsprop(lr=lr, alpha=alpha, eps=eps), _CASES, n_state=1,
    hints=["alpha weights the *old* average: s_new = alpha * s + (1 - alpha) * g**2.",
           "Then divide the current gradient by sqrt(s_new) + eps (eps outside the sqrt)."],
    mistakes=[
        Mistake("RMSProp without squaring the gradient",
                      "average g**2, not g: a signed average can be negative and its sqrt NaN.", _not_squared),
        Mistake("eps inside the square root",
                      "torch adds eps after the sqrt: g / (sqrt(s) + eps).", _eps_inside),
        Mistake("alpha and 1 - alpha swapped",
                      "alpha (0.99) is the weight of the *old* average; the new g**2 gets 1 - alpha.",
                      _swapped_alpha),
        Mistake("AdaGrad's sum", "RMSProp *averages* g**2 with decay alpha instead of summing it.",
                      _adagrad_sum),
    ],
)


def centered_rmsprop_step(x, s, m, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g**2
    m = alpha * m + (1 - alpha) * g
    return x - lr * g / (np.sqrt(s - m**2) + eps), s, m


def _uncentered(x, s, m, g, lr, alpha, eps):
    x, s = rmsprop_step(x, s, g, lr, alpha, eps)
    return x, s, alpha * m + (1 - alpha) * g


def _m_not_squared(x, s, m, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g**2
    m = alpha * m + (1 - alpha) * g
    return x - lr * g / (np.sqrt(s - m) + eps), s, m


def _m_not_squared_abs(x, s, m, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g**2
    m = alpha * m + (1 - alpha) * g
    return x - lr * g / (np.sqrt(np.abs(s - m)) + eps), s, m


q2 = StepExercise(
    "rmsprop.q2",
    """
    Write one step of centred RMSProp (`centered=True`): keep moving averages `s` of `g**2` and
    `m` of `g`, both with decay `alpha`, and divide `g` by `sqrt(s - m**2) + eps`.
    Return `(x_new, s_new, m_new)`.
    """,
    centered_rmsprop_step,
    lambda lr, alpha, eps: ol.rmsprop(lr=lr, alpha=alpha, eps=eps, centered=True),
    [c for c in _CASES if c.label not in ("first step",)]
    + [StepCase("two steps", np.array([1.0, -2.0]), [[0.5, -3.0], [1.5, 3.0]], (0.01, 0.9, 1e-8))],
    n_state=2,
    hints=["s - m**2 estimates the variance of the gradient: E[g**2] - E[g]**2.",
           "Update s and m first, then use both in the denominator."],
    mistakes=[
        Mistake("plain (uncentered) RMSProp", "the centered variant subtracts m**2 under the sqrt.",
                      _uncentered),
        Mistake("subtracting m instead of m**2", "the variance is E[g**2] - E[g]**2: square m "
                "(s - m can be negative, and its square root NaN).", _m_not_squared),
        Mistake("subtracting |m| instead of m**2", "the variance is E[g**2] - E[g]**2: square m.",
                _m_not_squared_abs),
    ],
)

_FIRST = float(run(ol.rmsprop(lr=0.01, alpha=0.99, eps=1e-8), [0.0], [[2.0]])[0][1][0])

q3 = ValueExercise(
    "rmsprop.q3",
    """
    RMSProp with `lr = 0.01`, `alpha = 0.99`, `eps = 1e-8`, in one dimension. The first gradient is
    $g = 2$. What is the update $x_1 - x_0$ (with its sign)?
    """,
    lambda: _FIRST,
    f"""
    opt = ol.rmsprop(lr=0.01, alpha=0.99, eps=1e-8)
    x0 = np.zeros(1)
    updates, state = opt.update(np.array([2.0]), opt.init(x0), x0)
    answer = updates.item()   # {_FIRST:.6g}: s_1 = (1 - 0.99) * 4 = 0.04, so -0.01 * 2 / 0.2
    """,
    digits=3,
    explanation="With no bias correction, s_1 = (1 - alpha) g**2 is small: the first step is "
                "lr / sqrt(1 - alpha) = 10 times lr.",
    hints=["s_1 = (1 - alpha) * g**2 since s starts at 0.",
           "The update is -lr * g / sqrt((1 - alpha) * g**2) = -lr / sqrt(1 - alpha) * sign(g)."],
    mistakes=[
        Mistake("a bias-corrected (Adam-like) step",
                "RMSProp has no bias correction: s_1 = 0.01 * g**2 is small, so the first step is "
                "lr / sqrt(1 - alpha) = 10 times lr.", -0.01),
        Mistake("the sign flipped", "the update goes against the gradient.", -_FIRST),
        Mistake("a plain SGD step", "RMSProp divides by sqrt(s_1) = 0.2.", -0.02),
    ],
)

_LONG = float(abs(run(ol.rmsprop(lr=0.01, alpha=0.99), [0.0], [[5.0]] * 3000)[-1][1][0]))

q4 = ValueExercise(
    "rmsprop.q4",
    """
    RMSProp (`lr = 0.01`, `alpha = 0.99`, default `eps`) on a one-dimensional problem whose gradient
    is always $g = 5$. How large (absolute value) is step number 3,000?
    """,
    lambda: _LONG,
    f"""
    opt = ol.rmsprop(lr=0.01, alpha=0.99)
    x = np.zeros(1)
    state = opt.init(x)
    for _ in range(3000):
        updates, state = opt.update(np.array([5.0]), state, x)
        x = x + updates
    answer = abs(updates.item())   # s tends to g**2, so the step tends to lr * g / |g| = lr: {_LONG:.6g}
    """,
    digits=3,
    hints=["What does the moving average of g**2 converge to when g is constant?"],
    mistakes=[
        Mistake("a plain SGD step", "RMSProp normalises by the RMS of g: the step tends to lr.", 0.05),
        Mistake("AdaGrad's decay", "lr / sqrt(t) is AdaGrad's step, whose sum of g**2 grows without "
                "bound; RMSProp's moving average tends to g**2, so its step tends to lr.", 0.01 / np.sqrt(3000)),
        Mistake("a vanishing step", "a moving average does not grow without bound, so the step does "
                "not vanish: it tends to lr.", 0.0),
    ],
)

q5 = MultipleChoiceExercise(
    "rmsprop.q5",
    "What does RMSProp change with respect to AdaGrad?",
    {
        "a": Option("It replaces the sum of g**2 by an exponential moving average, so the "
                    "effective lr no longer decays to 0.", True,
                    "The average forgets old gradients with decay alpha: the scale follows recent gradients."),
        "b": Option("It adds bias correction.", False, "That is Adam; torch's RMSProp has no bias correction."),
        "c": Option("It squares the gradient instead of taking its absolute value.", False,
                    "AdaGrad already squares the gradient."),
        "d": Option("It uses a larger eps.", False, "eps only guards against division by zero."),
    },
    hints=["Compare the two accumulators after a very long run."],
)

# ----------------------------------------------------------------------------- quiz
QUIZ = [
    ValueExercise(
        "rmsprop.quiz1", "RMSprop(lr = 0.01, alpha = 0.9), first step, gradient $g = 3$: the update $x_1 - x_0$?",
        lambda: float(run(ol.rmsprop(lr=0.01, alpha=0.9), [0.0], [[3.0]])[0][1][0]),
        "answer = -0.01 / 0.1 ** 0.5", digits=3,
        explanation="s_1 = 0.1 g**2, so the update is -lr * g / sqrt(0.1 g**2) = -0.01 / sqrt(0.1) = -0.0316.",
        mistakes=[
            Mistake("a bias-corrected step", "RMSProp has no bias correction: s_1 = 0.1 g**2, so the step "
                    "is lr / sqrt(0.1).", -0.01),
            Mistake("a plain SGD step", "that is -lr * g; RMSProp divides by sqrt(s_1).", -0.03),
        ]),
    ValueExercise(
        "rmsprop.quiz2", "Same optimizer, constant gradient $g = 3$ for 500 steps: how large is the last step?",
        lambda: float(abs(run(ol.rmsprop(lr=0.01, alpha=0.9), [0.0], [[3.0]] * 500)[-1][1][0])),
        "answer = 0.01", digits=3, explanation="s tends to g**2, so the step tends to lr = 0.01.",
        mistakes=[
            Mistake("a plain SGD step", "RMSProp normalises by the RMS of g: the step tends to lr.", 0.03),
            Mistake("AdaGrad's decay", "lr / sqrt(t) is AdaGrad's; RMSProp's average does not grow.",
                    0.01 / np.sqrt(500)),
        ]),
    q5,
]
