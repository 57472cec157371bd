"""Exercises of chapter 5, *RMSProp*.

Questions:
    q1: write one RMSProp step, as torch.optim.RMSprop (function).
    q2: write one centered RMSProp step (function).
    q3: the first RMSProp update for a given gradient (value).
    q4: the long-run step size under a constant gradient (value).
    q5: what RMSProp changes with respect to AdaGrad (multiple choice).
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Misconception, MultipleChoiceExercise, Option, StepCase, StepExercise, ValueExercise, run,
)

__all__ = ["q1", "q2", "q3", "q4", "q5"]

_CASES = [
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -3.0]], (0.01, 0.99, 1e-8)),
    StepCase("three steps", np.array([1.0, 2.0, 3.0]), [[1.0, -2.0, 0.5], [2.0, 1.0, 0.5], [-1.0, 0.5, 4.0]],
             (0.01, 0.9, 1e-8)),
    StepCase("zero gradient", np.array([1.0, 1.0]), [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]], (0.1, 0.5, 1e-8)),
    StepCase("large eps", np.array([0.0, 0.0]), [[0.5, 2.0], [1.0, 1.0]], (1.0, 0.75, 0.5)),
    StepCase("large gradients", np.array([10.0, -10.0]), [[1e6, -3e6], [2e6, 1e6]], (0.01, 0.99, 1e-8)),
]


def rmsprop_step(x, s, g, lr, alpha, eps):
    """Reference: a moving average of g**2, then divide g by its root plus eps."""
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
    Write one RMSProp step as torch.optim.RMSprop (no momentum, not centered):
    s is a moving average of g**2 with decay alpha, and x moves by
    -lr * g / (sqrt(s) + eps). Return (x_new, s_new). The checker starts from s = 0.
    """,
    "rmsprop_step(x, s, g, lr, alpha, eps)", rmsprop_step,
    lambda lr, alpha, eps: ol.rmsprop(lr=lr, alpha=alpha, eps=eps), _CASES, n_state=1,
    hints=["alpha weights the *old* average: s_new = alpha * s + (1 - alpha) * g**2.",
           "Then divide the current gradient by sqrt(s_new) + eps (eps outside the sqrt)."],
    misconceptions=[
        Misconception("RMSProp without squaring the gradient",
                      "average g**2, not g: a signed average can be negative and its sqrt NaN.", _not_squared),
        Misconception("eps inside the square root",
                      "torch adds eps after the sqrt: g / (sqrt(s) + eps).", _eps_inside),
        Misconception("alpha and 1 - alpha swapped",
                      "alpha (0.99) is the weight of the *old* average; the new g**2 gets 1 - alpha.",
                      _swapped_alpha),
        Misconception("AdaGrad's sum", "RMSProp *averages* g**2 with decay alpha instead of summing it.",
                      _adagrad_sum),
    ],
)


def centered_rmsprop_step(x, s, m, g, lr, alpha, eps):
    """Reference: divide by the root of the variance estimate s - m**2."""
    s = alpha * s + (1 - alpha) * g**2
    m = alpha * m + (1 - alpha) * g
    return x - lr * g / (np.sqrt(s - m**2) + eps), s, m


def _uncentered(x, s, m, g, lr, alpha, eps):
    x, s = rmsprop_step(x, s, g, lr, alpha, eps)
    return x, s, alpha * m + (1 - alpha) * g


def _m_not_squared(x, s, m, g, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * g**2
    m = alpha * m + (1 - alpha) * g
    return x - lr * g / (np.sqrt(np.abs(s - m)) + eps), s, m


q2 = StepExercise(
    "rmsprop.q2",
    """
    Write one step of *centered* RMSProp (torch's centered=True): keep moving
    averages s of g**2 and m of g (both with decay alpha) and divide g by
    sqrt(s - m**2) + eps. Return (x_new, s_new, m_new). The checker starts from s = m = 0.
    """,
    "centered_rmsprop_step(x, s, m, g, lr, alpha, eps)", centered_rmsprop_step,
    lambda lr, alpha, eps: ol.rmsprop(lr=lr, alpha=alpha, eps=eps, centered=True),
    [c for c in _CASES if c.label not in ("first step",)]
    + [StepCase("two steps", np.array([1.0, -2.0]), [[0.5, -3.0], [1.5, 3.0]], (0.01, 0.9, 1e-8))],
    n_state=2,
    hints=["s - m**2 estimates the variance of the gradient: E[g**2] - E[g]**2.",
           "Update s and m first, then use both in the denominator."],
    misconceptions=[
        Misconception("plain (uncentered) RMSProp", "the centered variant subtracts m**2 under the sqrt.",
                      _uncentered),
        Misconception("subtracting m instead of m**2", "the variance is E[g**2] - E[g]**2: square m.",
                      _m_not_squared),
    ],
)

q3 = ValueExercise(
    "rmsprop.q3",
    """
    RMSProp with lr = 0.01, alpha = 0.99, eps = 1e-8, 1-d, first step with the
    gradient g = 2. What is the update x_1 - x_0? Give a number (with its sign).
    """,
    lambda: float(run(ol.rmsprop(lr=0.01, alpha=0.99, eps=1e-8), [0.0], [[2.0]])[0][1][0]),
    """
    run(ol.rmsprop(lr=0.01, alpha=0.99, eps=1e-8), [0.0], [[2.0]])[0][1]
    # s_1 = (1 - 0.99) * 4 = 0.04, so the update is -0.01 * 2 / 0.2 = -0.1:
    # ten times lr, because RMSProp has no bias correction
    """,
    hints=["s_1 = (1 - alpha) * g**2 since s starts at 0.",
           "The update is -lr * g / sqrt((1 - alpha) * g**2) = -lr / sqrt(1 - alpha) * sign(g)."],
    misconceptions=[
        Misconception("a bias-corrected (Adam-like) step",
                      "RMSProp has no bias correction: s_1 = 0.01 * g**2 is small, so the first step is "
                      "lr / sqrt(1 - alpha) = 10 times lr.", -0.01),
        Misconception("the sign flipped", "the update goes against the gradient.", 0.1),
        Misconception("a plain SGD step", "RMSProp divides by sqrt(s_1) = 0.2.", -0.02),
    ],
)

q4 = ValueExercise(
    "rmsprop.q4",
    """
    RMSProp (lr = 0.01, alpha = 0.99) on a 1-d problem whose gradient is always
    g = 5. After thousands of steps, how large is each step (absolute value)?
    """,
    lambda: float(abs(run(ol.rmsprop(lr=0.01, alpha=0.99), [0.0], [[5.0]] * 3000)[-1][1][0])),
    """
    abs(run(ol.rmsprop(lr=0.01, alpha=0.99), [0.0], [[5.0]] * 3000)[-1][1][0])
    # s tends to g**2, so the step tends to lr * g / |g| = lr = 0.01
    """,
    hints=["What does the moving average of g**2 converge to when g is constant?"],
    misconceptions=[
        Misconception("a plain SGD step", "RMSProp normalises by the RMS of g: the step tends to lr.", 0.05),
        Misconception("AdaGrad's decay", "a moving average does not grow without bound, so the step does "
                      "not vanish: it tends to lr.", 0.0),
    ],
    atol=1e-6,
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
