"""Exercises of the chapter *Gradient descent*.

Questions:
    q1: the gradient of the quadratic f(x) = x^T A x / 2 (function).
    q2: a gradient-descent loop returning the final iterate (function).
    q3: the step size above which gradient descent diverges on a quadratic (value).
    q4: the optimal fixed step size on that quadratic (value).
    q5: the worst-case contraction factor per step with that step size (value).
    q6: what happens with lr = 0.3 on that quadratic (multiple choice).

QUIZ: the website's quiz (numeric questions on another quadratic, and a multiple choice).
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Mistake, MultipleChoiceExercise, Option, ValueExercise,
)
from optlearn.functions import Quadratic

__all__ = ["INTRO", "QUIZ", "q1", "q2", "q3", "q4", "q5", "q6"]

#: Added to the notebook's "Exercises" cell by :mod:`optlearn.exercises.sync`.
INTRO = "Exercises 3 to 6 use {ref}`the analysis of the quadratic <gd-quadratic-analysis>`."

#: The quadratic of q3 to q6: eigenvalues 2, 3 and 8, so that 2/trace (2/13) differs from 2/(mu + L).
A = np.array([[5.0, 3.0, 0.0], [3.0, 5.0, 0.0], [0.0, 0.0, 3.0]])
Q = Quadratic(A)
_A_TEX = r"A = \begin{pmatrix}5 & 3 & 0\\ 3 & 5 & 0\\ 0 & 0 & 3\end{pmatrix}"
_A_CODE = "np.array([[5.0, 3.0, 0.0], [3.0, 5.0, 0.0], [0.0, 0.0, 3.0]])"


def quadratic_grad(A, x):
    return A @ x


q1 = FunctionExercise(
    "gradient_descent.q1",
    r"""
    Write the gradient of $f(x) = \tfrac12 x^\top A x$ for a symmetric matrix $A$ of shape
    $(n, n)$ and $x$ of shape $(n,)$.
    """,
    quadratic_grad,
    [
        Case("diagonal A", (np.diag([1.0, 10.0]), np.array([1.0, 1.0]))),
        Case("full A", (A[:2, :2], np.array([1.0, -2.0]))),
        Case("at the minimum", (A, np.zeros(3))),
        Case("3-d, large x", (np.array([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]]), np.array([1e6, -3e6, 2e6]))),
    ],
    expected=lambda A, x: Quadratic(A).grad(x),
    returns="an array of shape (n,)",
    hints=["Differentiate x^T A x coordinate by coordinate, or use d(x^T A x)/dx = (A + A^T) x.",
           "A is symmetric, and the 1/2 cancels the 2."],
    mistakes=[
        Mistake("the gradient of x^T A x, without the 1/2",
                "f has a factor 1/2, which cancels the 2 of (A + A^T) x = 2 A x: the gradient is A x.",
                lambda A, x: 2 * A @ x),
        Mistake("treating A as diagonal",
                "only a diagonal A gives diag(A) * x; in general the gradient is the product A @ x.",
                lambda A, x: np.diag(A) * x),
    ],
)


def gradient_descent(grad, x0, lr, steps):
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


def _gd_ascent(grad, x0, lr, steps):
    x = x0
    for _ in range(steps):
        x = x + lr * grad(x)
    return x


def _named(fn, name):
    fn.__name__ = name
    return fn


_g1 = _named(lambda x: np.diag([1.0, 10.0]) @ x, "grad_of_diag_1_10")
_g2 = _named(lambda x: A[:2, :2] @ x, "grad_of_A")

q2 = FunctionExercise(
    "gradient_descent.q2",
    r"""
    Write a gradient-descent loop: starting from `x0`, do `steps` updates
    $x \leftarrow x - \eta\,\nabla f(x)$ with $\eta$ = `lr`, where `grad` is a function, and
    return the final `x`.
    """,
    gradient_descent,
    [
        Case("no step", (_g1, np.array([1.0, 1.0]), 0.1, 0)),
        Case("one step", (_g1, np.array([1.0, 1.0]), 0.1, 1)),
        Case("two steps", (_g1, np.array([1.0, -1.0]), 0.05, 2)),
        Case("ten steps", (_g2, np.array([1.0, -2.0]), 0.2, 10)),
        Case("diverging lr", (_g2, np.array([1.0, 1.0]), 0.3, 20)),
    ],
    expected=_expected_gd,
    returns="the final x",
    hints=["Use a for loop over range(steps); with steps = 0, return x0 unchanged.",
           "Write x = x - lr * grad(x), not x -= ..., which would modify the caller's x0."],
    mistakes=[
        Mistake("gradient *ascent*", "descend: subtract lr * grad(x), do not add it.", _gd_ascent),
        Mistake("one step too many", "do exactly `steps` updates (range(steps)).",
                lambda grad, x0, lr, steps: gradient_descent(grad, x0, lr, steps + 1)),
        Mistake("one step too few", "do exactly `steps` updates: range(steps), not range(steps - 1) "
                "or range(1, steps).",
                lambda grad, x0, lr, steps: gradient_descent(grad, x0, lr, max(steps - 1, 0))),
    ],
)

_CONTEXT = rf"Gradient descent on $f(x) = \tfrac12 x^\top A x$ with ${_A_TEX}$ (eigenvalues 2, 3 and 8)."

q3 = ValueExercise(
    "gradient_descent.q3",
    f"{_CONTEXT} Above which learning rate does it diverge (from almost every start)?",
    lambda: 2.0 / Q.L,
    f"""
    q = functions.Quadratic({_A_CODE})
    answer = 2 / q.L   # L = {Q.L:g}, the largest eigenvalue: {2 / Q.L:g}
    """,
    digits=3,
    explanation="Along the eigenvalue L, a step multiplies x by 1 - lr L, and |1 - lr L| < 1 needs lr < 2/L.",
    hints=["Along an eigenvector with eigenvalue lam, one step multiplies x by (1 - lr * lam).",
           "|1 - lr * lam| < 1 must hold for every eigenvalue; the largest one, L, binds.",
           "The largest eigenvalue of A is 8."],
    mistakes=[
        Mistake("the step 1/L", "every lr < 2/L still converges on a quadratic (and decreases f "
                "at every step on any L-smooth function, by the descent lemma); 1/L is the step that "
                "does not overshoot along the steepest direction.", 1 / Q.L),
        Mistake("2 over the smallest eigenvalue",
                "the steepest direction (L = 8) diverges first: the bound is 2/L.", 2 / Q.mu),
        Mistake("the optimal step 2/(mu+L)",
                "that is the best step, not the largest that converges (2/L).", 2 / (Q.mu + Q.L)),
        Mistake("a diagonal entry read as L", "L is the largest *eigenvalue* of A (8), not its largest "
                "diagonal entry (5).", 2 / 5),
        Mistake("2 over the trace", "the trace is the sum of all eigenvalues; the bound uses the "
                "largest one: 2/L.", 2 / np.trace(A)),
    ],
)

q4 = ValueExercise(
    "gradient_descent.q4",
    f"{_CONTEXT} Which fixed learning rate makes gradient descent converge fastest in the worst case?",
    lambda: 2.0 / (Q.mu + Q.L),
    f"""
    q = functions.Quadratic({_A_CODE})
    answer = 2 / (q.mu + q.L)   # 2 / ({Q.mu:g} + {Q.L:g}) = {2 / (Q.mu + Q.L):g}
    """,
    digits=3,
    explanation="It balances the two extreme factors: 1 - lr mu = -(1 - lr L).",
    hints=["Balance the two extreme factors: |1 - lr*mu| = |1 - lr*L|.",
           "lr* = 2 / (mu + L) with mu = 2 and L = 8."],
    mistakes=[
        Mistake("the step 1/L", "1/L is safe, but leaves the flat direction slow; balance mu and L.", 1 / Q.L),
        Mistake("the divergence threshold 2/L",
                "at 2/L the steep direction oscillates forever; the best step is 2/(mu+L).", 2 / Q.L),
        Mistake("2 over the trace", "for a 2x2 matrix the trace is mu + L, but here A has three "
                "eigenvalues: use the smallest and the largest, 2/(mu + L).", 2 / np.trace(A)),
    ],
)

q5 = ValueExercise(
    "gradient_descent.q5",
    f"{_CONTEXT} With the learning rate of question 4, by which factor does the distance to the "
    "minimum shrink per step in the worst case? Give a number in $(0, 1)$.",
    lambda: (Q.kappa - 1) / (Q.kappa + 1),
    f"""
    q = functions.Quadratic({_A_CODE})
    answer = (q.kappa - 1) / (q.kappa + 1)   # kappa = {Q.kappa:g}: {(Q.kappa - 1) / (Q.kappa + 1):g}
    """,
    digits=3,
    explanation=(f"With lr = 2/(mu + L) the extreme eigen-directions shrink by the same factor, "
                 f"|1 - lr mu| = |1 - lr L| = (kappa - 1)/(kappa + 1) = {(Q.kappa - 1) / (Q.kappa + 1):.3g} "
                 f"(kappa = L/mu = {Q.kappa:g}); the directions of the other eigenvalues shrink faster."),
    hints=["Plug lr = 2/(mu+L) into |1 - lr * mu|.", "The factor is (kappa - 1)/(kappa + 1) with kappa = L/mu."],
    mistakes=[
        Mistake("the rate of the step 1/L", "with lr = 1/L the factor is 1 - 1/kappa = 0.75; "
                "the optimal step does better: (kappa-1)/(kappa+1).", 1 - 1 / Q.kappa),
        Mistake("the heavy-ball rate", "(sqrt(kappa)-1)/(sqrt(kappa)+1) needs momentum; "
                "plain GD gets (kappa-1)/(kappa+1).", (np.sqrt(Q.kappa) - 1) / (np.sqrt(Q.kappa) + 1)),
    ],
)


def _what_happens(A: np.ndarray, lr: float) -> str:
    """The letter of the behaviour of GD at ``lr`` on ``A``, from a run of optlearn."""
    q = Quadratic(A)
    x0 = np.linalg.eigh(A)[1].sum(axis=1)   # every eigen-direction present
    xs = [np.asarray(x0, dtype=float)]
    opt = ol.sgd(lr=lr)
    state = opt.init(xs[0])
    for _ in range(30):
        u, state = opt.update(q.grad(xs[-1]), state, xs[-1])
        xs.append(xs[-1] + u)
    norms = [np.linalg.norm(x) for x in xs]
    v_top = np.linalg.eigh(A)[1][:, -1]
    proj = [float(v_top @ x) for x in xs]
    if norms[-1] < 1e-12 * norms[0] and norms[2] < 1e-12:
        return "d"
    if norms[-1] < norms[0]:
        return "a"
    flips = all(p1 * p2 < 0 for p1, p2 in zip(proj, proj[1:]))
    return "b" if flips else "c"


q6 = MultipleChoiceExercise(
    "gradient_descent.q6",
    f"{_CONTEXT} It runs with $\\eta = 0.3$. What happens?",
    {
        "a": Option("It converges, but slowly.", False,
                    "Along the eigenvalue 8, each step multiplies x by 1 - 0.3*8 = -1.4: |-1.4| > 1."),
        "b": Option("It diverges, flipping sign along the steep direction at every step.", True,
                    "0.3 > 2/L = 0.25, and 1 - 0.3*8 = -1.4 is negative: growing oscillations."),
        "c": Option("It diverges monotonically, without oscillating.", False,
                    "The factor 1 - 0.3*8 = -1.4 is negative, so the sign flips at each step."),
        "d": Option("It converges in one step.", False,
                    "Only lr = 1/lam kills one direction in one step, and there are three eigenvalues."),
    },
    hints=["Compute 1 - lr * lam for lam = 2, 3 and 8."],
    verify=lambda: _what_happens(A, 0.3),
)

# ----------------------------------------------------------------------------- quiz
_B = np.array([[3.0, 1.0], [1.0, 3.0]])
QB = Quadratic(_B)
_QUIZ_CONTEXT = r"Gradient descent on $f(x) = \tfrac12 x^\top A x$ with $A = \begin{pmatrix}3 & 1\\ 1 & 3\end{pmatrix}$ (eigenvalues 2 and 4)."

QUIZ = [
    ValueExercise(
        "gradient_descent.quiz1", f"{_QUIZ_CONTEXT} Above which learning rate does it diverge?",
        lambda: 2 / QB.L, "answer = 2 / functions.Quadratic(np.array([[3.0, 1.0], [1.0, 3.0]])).L",
        digits=3, explanation=f"2/L = {2 / QB.L:g}.",
        mistakes=[
            Mistake("the step 1/L", "every lr < 2/L converges here (and decreases f at every step: "
                    "descent lemma); 1/L is the largest step that does not overshoot.", 1 / QB.L),
            Mistake("2 over the smallest eigenvalue", "the steepest direction (L = 4) diverges first: 2/L.",
                    2 / QB.mu),
        ]),
    ValueExercise(
        "gradient_descent.quiz2", f"{_QUIZ_CONTEXT} Which fixed learning rate converges fastest?",
        lambda: 2 / (QB.mu + QB.L), "answer = 2 / 6",
        digits=3, explanation=f"2/(mu + L) = 1/3 = {2 / (QB.mu + QB.L):.4f}.",
        mistakes=[
            Mistake("the step 1/L", "1/L leaves the flat direction slow; balance: 2/(mu + L).", 1 / QB.L),
            Mistake("the divergence threshold 2/L", "at 2/L the steep direction oscillates forever.", 2 / QB.L),
        ]),
    MultipleChoiceExercise(
        "gradient_descent.quiz3", f"{_QUIZ_CONTEXT} It runs with $\\eta = 0.6$. What happens?",
        {
            "a": Option("It converges, but slowly.", False,
                        "Along the eigenvalue 4, each step multiplies x by 1 - 0.6*4 = -1.4: |-1.4| > 1."),
            "b": Option("It diverges, flipping sign along the steep direction at every step.", True,
                        "0.6 > 2/L = 0.5, and 1 - 0.6*4 = -1.4 is negative: growing oscillations."),
            "c": Option("It diverges monotonically, without oscillating.", False,
                        "The factor 1 - 0.6*4 = -1.4 is negative, so the sign flips at each step."),
            "d": Option("It converges in one step.", False,
                        "Only lr = 1/lam kills one direction in one step, and there are two eigenvalues."),
        },
        verify=lambda: _what_happens(_B, 0.6)),
]
