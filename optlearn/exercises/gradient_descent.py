"""Exercises of chapter 1, *Gradient descent*.

Questions:
    q1: the gradient of the quadratic f(x) = x^T A x / 2 (function).
    q2: a gradient-descent loop returning the final iterate (function).
    q3: the step size above which gradient descent diverges on a quadratic (value).
    q4: the optimal fixed step size on that quadratic (value).
    q5: the worst-case contraction factor per step with that step size (value).
    q6: what happens with lr = 0.3 on that quadratic (multiple choice).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Misconception, MultipleChoiceExercise, Option, ValueExercise,
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]

#: The quadratic of q3 to q6: eigenvalues mu = 2 and L = 8.
A = np.array([[5.0, 3.0], [3.0, 5.0]])


def _quadratic():
    from optlearn.functions import Quadratic

    return Quadratic(A)


def quadratic_grad(A, x):
    """Reference: the gradient of f(x) = x^T A x / 2 for a symmetric A."""
    return A @ x


def _expected_grad(A, x):
    from optlearn.functions import Quadratic

    return Quadratic(A).grad(x)


q1 = FunctionExercise(
    "gradient_descent.q1",
    """
    Write the gradient of f(x) = x^T A x / 2 for a symmetric matrix A
    (A has shape (n, n), x has shape (n,); return an array of shape (n,)).
    """,
    "quadratic_grad(A, x)", quadratic_grad, _expected_grad,
    [
        Case("diagonal A", (np.diag([1.0, 10.0]), np.array([1.0, 1.0]))),
        Case("full A", (A, np.array([1.0, -2.0]))),
        Case("at the minimum", (A, np.zeros(2))),
        Case("3-d, large x", (np.array([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]]), np.array([1e6, -3e6, 2e6]))),
    ],
    hints=["Differentiate x^T A x coordinate by coordinate, or use d(x^T A x)/dx = (A + A^T) x.",
           "A is symmetric, and the 1/2 cancels the 2."],
    misconceptions=[
        Misconception("the gradient of x^T A x, without the 1/2",
                      "f has a factor 1/2, which cancels the 2 of (A + A^T) x = 2 A x: the gradient is A x.",
                      lambda A, x: 2 * A @ x),
        Misconception("treating A as diagonal",
                      "only a diagonal A gives diag(A) * x; in general the gradient is the product A @ x.",
                      lambda A, x: np.diag(A) * x),
    ],
)


def _named(fn: Callable, name: str) -> Callable:
    fn.__name__ = name
    return fn


def gradient_descent(grad, x0, lr, steps):
    """Reference: `steps` steps of x <- x - lr * grad(x); returns the last x."""
    x = x0
    for _ in range(steps):
        x = x - lr * grad(x)
    return x


def _expected_gd(grad, x0, lr, steps):
    opt, x = ol.sgd(lr=lr), np.array(x0, dtype=float)
    state = opt.init(x)
    for _ in range(steps):
        updates, state = opt.update(grad(x), state, x)
        x = ol.apply_updates(x, updates)
    return x


def _gd_plus(grad, x0, lr, steps):
    x = x0
    for _ in range(steps):
        x = x + lr * grad(x)
    return x


def _gd_extra_step(grad, x0, lr, steps):
    return gradient_descent(grad, x0, lr, steps + 1)


_g1 = _named(lambda x: np.diag([1.0, 10.0]) @ x, "grad_of_diag_1_10")
_g2 = _named(lambda x: A @ x, "grad_of_A")

q2 = FunctionExercise(
    "gradient_descent.q2",
    """
    Write a gradient-descent loop: starting from x0, do `steps` updates
    x <- x - lr * grad(x) and return the final x (grad is a function).
    Do not modify x0.
    """,
    "gradient_descent(grad, x0, lr, steps)", gradient_descent, _expected_gd,
    [
        Case("no step", (_g1, np.array([1.0, 1.0]), 0.1, 0)),
        Case("one step", (_g1, np.array([1.0, 1.0]), 0.1, 1)),
        Case("ten steps", (_g2, np.array([1.0, -2.0]), 0.2, 10)),
        Case("diverging lr", (_g2, np.array([1.0, 1.0]), 0.3, 20)),
    ],
    hints=["Use a for loop over range(steps); with steps = 0, return x0 unchanged.",
           "Write x = x - lr * grad(x), not x -= ..., which would modify the caller's x0."],
    misconceptions=[
        Misconception("gradient *ascent*", "descend: subtract lr * grad(x), do not add it.", _gd_plus),
        Misconception("one step too many", "do exactly `steps` updates (range(steps)).", _gd_extra_step),
    ],
)

q3 = ValueExercise(
    "gradient_descent.q3",
    """
    Gradient descent on f(x) = x^T A x / 2 with A = [[5, 3], [3, 5]].
    Above which learning rate does it diverge (from almost every start)? Give a number.
    """,
    lambda: 2.0 / _quadratic().L,
    """
    q = ol.functions.Quadratic(np.array([[5.0, 3.0], [3.0, 5.0]]))
    lr_max = 2 / q.L   # eigenvalues 2 and 8, so 2 / 8 = 0.25
    """,
    hints=["Along an eigenvector with eigenvalue lam, one step multiplies x by (1 - lr * lam).",
           "|1 - lr * lam| < 1 must hold for every eigenvalue; the largest one, L, binds.",
           "The eigenvalues of A are 2 and 8."],
    misconceptions=[
        Misconception("the safe step 1/L", "1/L guarantees descent, but GD converges up to 2/L.", 0.125),
        Misconception("2 over the smallest eigenvalue",
                      "the steepest direction (L = 8) diverges first: the bound is 2/L.", 1.0),
        Misconception("the optimal step 2/(mu+L)",
                      "that is the best step, not the largest that converges (2/L).", 0.2),
    ],
)

q4 = ValueExercise(
    "gradient_descent.q4",
    """
    On the same quadratic (A = [[5, 3], [3, 5]]), which fixed learning rate
    makes gradient descent converge fastest in the worst case? Give a number.
    """,
    lambda: 2.0 / (_quadratic().mu + _quadratic().L),
    """
    q = ol.functions.Quadratic(np.array([[5.0, 3.0], [3.0, 5.0]]))
    lr_best = 2 / (q.mu + q.L)   # 2 / (2 + 8) = 0.2
    """,
    hints=["Balance the two extreme factors: |1 - lr*mu| = |1 - lr*L|.",
           "lr* = 2 / (mu + L)."],
    misconceptions=[
        Misconception("the step 1/L", "1/L is safe, but leaves the flat direction slow; balance mu and L.", 0.125),
        Misconception("the divergence threshold 2/L",
                      "at 2/L the steep direction oscillates forever; the best step is 2/(mu+L).", 0.25),
    ],
)

q5 = ValueExercise(
    "gradient_descent.q5",
    """
    With the optimal step of q4, by which factor does the distance to the
    minimum shrink per step in the worst case? Give a number in (0, 1).
    """,
    lambda: (_quadratic().kappa - 1) / (_quadratic().kappa + 1),
    """
    q = ol.functions.Quadratic(np.array([[5.0, 3.0], [3.0, 5.0]]))
    rate = (q.kappa - 1) / (q.kappa + 1)   # kappa = 4: 3/5 = 0.6
    """,
    hints=["Plug lr = 2/(mu+L) into |1 - lr * mu|.", "The factor is (kappa - 1)/(kappa + 1) with kappa = L/mu."],
    misconceptions=[
        Misconception("the rate of the step 1/L", "with lr = 1/L the factor is 1 - 1/kappa = 0.75; "
                      "the optimal step does better: (kappa-1)/(kappa+1).", 0.75),
        Misconception("the heavy-ball rate", "(sqrt(kappa)-1)/(sqrt(kappa)+1) needs momentum; "
                      "plain GD gets (kappa-1)/(kappa+1).", 1 / 3),
    ],
)

q6 = MultipleChoiceExercise(
    "gradient_descent.q6",
    "Gradient descent with lr = 0.3 on the same quadratic (eigenvalues 2 and 8). What happens?",
    {
        "a": Option("It converges, but slowly.", False,
                    "Along the eigenvalue 8, each step multiplies x by 1 - 0.3*8 = -1.4: |-1.4| > 1."),
        "b": Option("It diverges, flipping sign along the steep direction at every step.", True,
                    "0.3 > 2/L = 0.25, and 1 - 0.3*8 = -1.4 is negative: growing oscillations."),
        "c": Option("It diverges monotonically, without oscillating.", False,
                    "The factor 1 - 0.3*8 = -1.4 is negative, so the sign flips at each step."),
        "d": Option("It converges in one step.", False,
                    "Only lr = 1/lam kills one direction in one step, and there are two eigenvalues."),
    },
    hints=["Compute 1 - lr * lam for lam = 2 and lam = 8."],
)
