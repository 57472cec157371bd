"""Exercises of the foundations chapter, *Foundations: convexity, smoothness and rates*.

Questions:
    q1: write a function returning [L, mu, kappa] of a symmetric positive-definite Hessian (function).
    q2: write Armijo backtracking along -g, returning the accepted step (function).
    q3: the per-step factor of gradient descent with the best fixed step, mu = 2 and L = 50 (value).
    q4: the Polyak step at a point of a quadratic (value).
    q5: pure Newton's method on the pseudo-Huber loss: the iterate after two steps (value).
    q6: what SGD with a constant step does on a strongly convex problem (multiple choice).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Mistake, MultipleChoiceExercise, Option, ValueExercise,
)

__all__ = ["QUIZ", "q1", "q2", "q3", "q4", "q5", "q6"]


# --------------------------------------------------------------------------- q1
def curvature_constants(H):
    lam = np.linalg.eigvalsh(H)
    return np.array([lam[-1], lam[0], lam[-1] / lam[0]])


def _curvature_with_optlearn(H):
    return np.array(ol.curvature(H))


def _from_diagonal(H):
    d = np.diag(H)
    return np.array([d.max(), d.min(), d.max() / d.min()])


def _kappa_inverted(H):
    lam = np.linalg.eigvalsh(H)
    return np.array([lam[-1], lam[0], lam[0] / lam[-1]])


def _mu_L_swapped(H):
    lam = np.linalg.eigvalsh(H)
    return np.array([lam[0], lam[-1], lam[-1] / lam[0]])


def _rotated(angle, eigenvalues):
    return ol.functions.Quadratic.from_eigenvalues(eigenvalues, rotation=angle).A


q1 = FunctionExercise(
    "foundations.q1",
    r"""
    Write `curvature_constants(H)`: for a symmetric positive-definite Hessian `H` of shape
    $(d, d)$, return the array $[L, \mu, \kappa]$: the smoothness constant, the strong-convexity
    constant and the condition number of the quadratic $\tfrac12 x^\top H x$.
    """,
    curvature_constants,
    [
        Case("a diagonal Hessian", (np.diag([1.0, 10.0]),)),
        Case("a rotated Hessian", (_rotated(0.5, [2.0, 8.0]),)),
        Case("the 2x2 matrix [[5, 3], [3, 5]]", (np.array([[5.0, 3.0], [3.0, 5.0]]),)),
        Case("three dimensions", (np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]),)),
    ],
    expected=_curvature_with_optlearn,
    returns="an array [L, mu, kappa]",
    hints=["L and mu are the largest and smallest eigenvalues of H; kappa is their ratio.",
           "np.linalg.eigvalsh(H) returns the eigenvalues of a symmetric matrix in increasing order.",
           "lam = np.linalg.eigvalsh(H); return np.array([lam[-1], lam[0], lam[-1] / lam[0]])"],
    mistakes=[
        Mistake("reading L and mu off the diagonal",
                "the diagonal entries are the curvatures along the coordinate axes only; a rotated "
                "valley has its extreme curvatures along the eigenvectors: use the eigenvalues.", _from_diagonal),
        Mistake("the condition number upside down", "kappa = L / mu >= 1, the largest over the smallest.",
                _kappa_inverted),
        Mistake("L and mu swapped", "L is the LARGEST eigenvalue (the steepest curvature), mu the smallest.",
                _mu_L_swapped),
    ],
)


# --------------------------------------------------------------------------- q2
def armijo_step(f, x, g, lr0, c1, shrink):
    fx, lr = f(x), lr0
    while f(x - lr * g) > fx - c1 * lr * (g @ g):
        lr = lr * shrink
    return lr


def _armijo_with_optlearn(f, x, g, lr0, c1, shrink):
    return ol.armijo(f, x, -g, g, lr=lr0, c1=c1, shrink=shrink).lr


def _plain_decrease(f, x, g, lr0, c1, shrink):
    fx, lr = f(x), lr0
    while not f(x - lr * g) < fx:
        lr = lr * shrink
    return lr


def _slope_sign(f, x, g, lr0, c1, shrink):
    fx, lr = f(x), lr0
    while f(x - lr * g) > fx + c1 * lr * (g @ g):
        lr = lr * shrink
    return lr


def _one_shrink_too_many(f, x, g, lr0, c1, shrink):
    return armijo_step(f, x, g, lr0, c1, shrink) * shrink


_QA = ol.functions.Quadratic(np.diag([1.0, 10.0]))
_ROSEN = ol.functions.Rosenbrock()
_X0 = np.array([-1.2, 1.0])

q2 = FunctionExercise(
    "foundations.q2",
    r"""
    Write Armijo backtracking along $d = -g$: starting from `lr0`, multiply the step by `shrink`
    until the sufficient-decrease condition
    $f(x - \eta g) \le f(x) - c_1\,\eta\,\|g\|^2$ holds, and return that step $\eta$.
    `f` is a function of `x` (shape $(d,)$), `g` the gradient at `x`.
    """,
    armijo_step,
    [
        Case("the quadratic diag(1, 10), c1 = 1e-4", (_QA.f, np.array([1.0, 1.0]), _QA.grad(np.array([1.0, 1.0])),
                                                      1.0, 1e-4, 0.5)),
        Case("the same with c1 = 0.5", (_QA.f, np.array([1.0, 1.0]), _QA.grad(np.array([1.0, 1.0])), 1.0, 0.5, 0.5)),
        Case("Rosenbrock from (-1.2, 1)", (_ROSEN.f, _X0, _ROSEN.grad(_X0), 1.0, 1e-4, 0.5)),
        Case("a first step that is already good", (_QA.f, np.array([1.0, 0.0]), _QA.grad(np.array([1.0, 0.0])),
                                                   1.0, 0.3, 0.8)),
    ],
    expected=_armijo_with_optlearn,
    returns="the accepted step, a number",
    hints=["Evaluate f(x) once; then loop: while the condition fails, shrink the step.",
           "The condition compares f(x - lr*g) with f(x) - c1 * lr * (g @ g): the tangent predicts a "
           "decrease of lr * |g|^2, and Armijo asks for a fraction c1 of it.",
           "while f(x - lr * g) > fx - c1 * lr * (g @ g): lr = lr * shrink"],
    mistakes=[
        Mistake("plain decrease instead of sufficient decrease",
                "accepting any step with f(x - lr*g) < f(x) ignores c1: Armijo asks for a decrease of at "
                "least c1 * lr * |g|^2.", _plain_decrease),
        Mistake("the slope with the wrong sign",
                "along d = -g the slope is g^T d = -|g|^2, so the bound is f(x) - c1*lr*|g|^2 (below f(x)), "
                "not f(x) + c1*lr*|g|^2.", _slope_sign),
        Mistake("one shrink too many", "return the first step that satisfies the condition, before shrinking it again.",
                _one_shrink_too_many),
    ],
)


# --------------------------------------------------------------------------- q3
def _q3_quadratic():
    return ol.functions.Quadratic.from_eigenvalues([2.0, 50.0], rotation=0.3)


def _best_factor() -> float:
    """The factor measured from a run with lr = 2 / (mu + L)."""
    q = _q3_quadratic()
    run = ol.minimize(q, [1.0, 1.0], ol.sgd(lr=2 / (q.mu + q.L)), steps=60)
    err = np.linalg.norm(run.xs - q.minimizers[0], axis=1)
    return float(err[-1] / err[-2])


_Q3 = _q3_quadratic()
q3 = ValueExercise(
    "foundations.q3",
    r"""
    Gradient descent runs on a quadratic with $\mu = 2$ and $L = 50$, with the best fixed learning rate.
    By which factor does the distance to the minimum shrink per step in the worst case?
    """,
    _best_factor,
    """
    q = functions.Quadratic.from_eigenvalues([2.0, 50.0])
    answer = (q.kappa - 1) / (q.kappa + 1)
    """,
    digits=3,
    explanation=f"The best fixed step 2/(mu + L) gives (kappa - 1)/(kappa + 1) = {(_Q3.kappa - 1) / (_Q3.kappa + 1):.4g} "
                f"with kappa = {_Q3.kappa:g}.",
    hints=["The best fixed step 2/(mu + L) balances the two extreme eigen-directions.",
           "With kappa = L / mu, the factor is (kappa - 1) / (kappa + 1)."],
    mistakes=[
        Mistake("the factor of the step 1/L", "1 - mu/L is the factor of the safe step 1/L; the best fixed "
                "step 2/(mu + L) does better: (kappa - 1)/(kappa + 1).", 1 - _Q3.mu / _Q3.L),
        Mistake("the lower bound reached by momentum",
                "(sqrt(kappa) - 1)/(sqrt(kappa) + 1) is the factor of tuned heavy-ball momentum, not of "
                "gradient descent.", (np.sqrt(_Q3.kappa) - 1) / (np.sqrt(_Q3.kappa) + 1)),
    ],
)


# --------------------------------------------------------------------------- q4
_Q4 = ol.functions.Quadratic(np.diag([1.0, 4.0]))
_X4 = np.array([2.0, 1.0])
_G4 = _Q4.grad(_X4)

q4 = ValueExercise(
    "foundations.q4",
    r"""
    $f(x) = \tfrac12 x^\top A x$ with $A = \mathrm{diag}(1, 4)$, so $f^\star = 0$. What is the Polyak step
    size $\eta = (f(x) - f^\star)/\|\nabla f(x)\|^2$ at $x = (2, 1)$?
    """,
    lambda: ol.polyak_lr(_Q4.f(_X4), 0.0, _Q4.grad(_X4)),
    """
    q = functions.Quadratic(np.diag([1.0, 4.0]))
    x = np.array([2.0, 1.0])
    answer = ol.polyak_lr(q.f(x), 0.0, q.grad(x))
    """,
    digits=3,
    explanation=f"f(x) = {_Q4.f(_X4):g}, the gradient is A x = {_G4.tolist()}, |grad|^2 = {_G4 @ _G4:g}: "
                f"eta = {_Q4.f(_X4) / (_G4 @ _G4):g}.",
    hints=["Compute f(x) = x^T A x / 2 and the gradient A x at x = (2, 1).",
           "Divide f(x) - 0 by the squared norm of the gradient."],
    mistakes=[
        Mistake("f without the factor 1/2", "f(x) = x^T A x / 2: the 1/2 is part of f.",
                float(_X4 @ _Q4.A @ _X4) / float(_G4 @ _G4)),
        Mistake("the exact line-search step", "the exact step along -g is |g|^2 / g^T A g; the Polyak step "
                "is (f - f*) / |g|^2.", float(_G4 @ _G4) / float(_G4 @ _Q4.A @ _G4)),
        Mistake("the safe step 1/L", "1/L does not depend on x; the Polyak step does.", 1 / _Q4.L),
    ],
)


# --------------------------------------------------------------------------- q5
def _newton_two_steps() -> float:
    return float(ol.newton(ol.convex.PseudoHuber(dim=1), [0.5], steps=2, damped=False).x[0])


def _gd_two_steps() -> float:
    ph = ol.convex.PseudoHuber(dim=1)
    return float(ol.descent(ph, [0.5], steps=2, step=1.0).x[0])


q5 = ValueExercise(
    "foundations.q5",
    r"""
    Pure Newton's method (full steps) minimises the pseudo-Huber loss $f(x) = \sqrt{1 + x^2} - 1$ from
    $x_0 = 0.5$. What is $x_2$, the iterate after two steps?
    """,
    _newton_two_steps,
    """
    run = ol.newton(convex.PseudoHuber(dim=1), [0.5], steps=2, damped=False)
    answer = run.x[0]
    """,
    digits=3,
    explanation="f'(x) = x / sqrt(1 + x^2) and f''(x) = (1 + x^2)^(-3/2), so the Newton step maps x to "
                "x - f'/f'' = -x^3: 0.5 -> -0.125 -> 0.001953125 (the error is cubed, so the correct digits triple: cubic convergence, because f'''(0) = 0 here; Newton's general guarantee is quadratic).",
    hints=["Compute f'(x) and f''(x); the Newton step is x - f'(x) / f''(x).",
           "f'(x) / f''(x) = x (1 + x^2), so x_new = -x^3."],
    mistakes=[
        Mistake("one step only", "that is x_1; apply the map x -> -x^3 twice.", -0.125),
        Mistake("gradient steps instead of Newton steps",
                "x - f'(x) is a gradient step with lr = 1; Newton divides by f''(x).", _gd_two_steps()),
    ],
)


# --------------------------------------------------------------------------- q6
def _constant_sgd_letter() -> str:
    """Run constant-step SGD with gradient noise on a 1-D quadratic and classify what happens."""
    rng = np.random.default_rng(0)
    x, opt = np.full(400, 3.0), ol.sgd(lr=0.1)
    state, msd = opt.init(x), []
    for _ in range(600):
        updates, state = opt.update(x + rng.normal(size=x.shape), state, x)
        x = ol.apply_updates(x, updates)
        msd.append(np.mean(x**2))
    floor = 0.1 / (2 - 0.1)                 # eta sigma^2 / (mu (2 - eta mu)), mu = sigma = 1
    late = np.mean(msd[300:])
    return "b" if abs(late / floor - 1) < 0.15 and np.mean(msd[:5]) > 4 * late else "a"


q6 = MultipleChoiceExercise(
    "foundations.q6",
    r"""
    SGD with a *constant* learning rate $\eta < 1/L$ runs on a strongly convex quadratic whose gradients
    carry independent noise of variance $\sigma^2 > 0$. What happens as $t \to \infty$?
    """,
    {
        "a": Option("It converges to the minimiser, linearly.", False,
                    "the noise keeps kicking the iterates: the distance stops shrinking."),
        "b": Option("It reaches a noise floor: E|x - x*|^2 settles at a level proportional to eta.", True,
                    "each step contracts the error by about (1 - eta lambda) and adds noise eta^2 sigma^2; "
                    "they balance at about eta sigma^2 / (2 lambda)."),
        "c": Option("It diverges, because the noise accumulates.", False,
                    "the contraction (1 - eta lambda)^2 < 1 keeps the variance bounded."),
        "d": Option("It converges like 1/t.", False, "that needs a decreasing step, eta_t ~ 1/(mu t)."),
    },
    hints=["Write the error recursion e_{t+1} = (1 - eta lambda) e_t - eta sigma xi_t and its variance."],
    verify=_constant_sgd_letter,
)


# --------------------------------------------------------------------------- quiz
_QZ = np.array([[5.0, 3.0], [3.0, 5.0]])

QUIZ = [
    ValueExercise(
        "foundations.quiz1",
        r"What is the condition number $\kappa$ of the Hessian $\begin{pmatrix}5 & 3\\ 3 & 5\end{pmatrix}$?",
        lambda: ol.curvature(_QZ).kappa,
        """
        answer = ol.curvature(np.array([[5.0, 3.0], [3.0, 5.0]])).kappa
        """,
        digits=3,
        explanation="The eigenvalues are 5 + 3 = 8 and 5 - 3 = 2, so kappa = 8 / 2 = 4.",
        mistakes=[
            Mistake("the ratio of the diagonal entries", "the diagonal is (5, 5), but the curvature along the "
                    "eigenvectors (1, 1) and (1, -1) is 8 and 2.", 1.0),
            Mistake("L alone", "kappa is L / mu, the ratio of the largest to the smallest eigenvalue.", 8.0),
        ],
    ),
    q3,
    q4,
    q6,
]
