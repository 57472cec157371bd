"""Exercises of chapter 3, *Momentum*.

Questions:
    q1: write one heavy-ball step in torch's convention (function).
    q2: write one Nesterov step in torch's convention (function).
    q3: the lr of the EMA convention equivalent to torch's lr=0.01, momentum=0.9 (value).
    q4: the optimal heavy-ball momentum on a quadratic with condition number 100 (value).
    q5: why momentum helps on ill-conditioned problems (multiple choice).
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Misconception, MultipleChoiceExercise, Option, StepCase, StepExercise, ValueExercise, run,
)

__all__ = ["q1", "q2", "q3", "q4", "q5"]

_CASES = [
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -1.0]], (0.1, 0.9)),
    StepCase("three steps", np.array([1.0, -2.0, 3.0]), [[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [2.0, 0.0, 1.0]],
             (0.05, 0.9)),
    StepCase("zero gradient after a step", np.array([0.5]), [[2.0], [0.0], [0.0]], (0.1, 0.5)),
    StepCase("large gradients", np.array([1e3, -1e3]), [[1e6, -2e6], [3e6, 1e6]], (1e-4, 0.99)),
]


def momentum_step(x, v, g, lr, beta):
    """Reference: torch's SGD with momentum (the buffer holds no lr)."""
    v = beta * v + g
    return x - lr * v, v


def _sign_flipped(x, v, g, lr, beta):
    v = beta * v + g
    return x + lr * v, v


def _ema_momentum(x, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return x - lr * v, v


def _lr_twice(x, v, g, lr, beta):
    v = beta * v + lr * g
    return x - lr * v, v


def _old_velocity(x, v, g, lr, beta):
    return x - lr * v, beta * v + g


q1 = StepExercise(
    "momentum.q1",
    """
    Write one step of SGD with (heavy-ball) momentum in PyTorch's convention:
    the buffer v accumulates gradients (no learning rate inside), then x moves
    by -lr * v. Return (x_new, v_new). The checker starts from v = 0.
    """,
    "momentum_step(x, v, g, lr, beta)", momentum_step,
    lambda lr, beta: ol.sgd(lr=lr, momentum=beta), _CASES, n_state=1,
    hints=["First update the buffer from v and g, then move x using the *new* buffer.",
           "v_new = beta * v + g  (no (1 - beta), no lr).",
           "return x - lr * v_new, v_new"],
    misconceptions=[
        Misconception("momentum with the sign flipped",
                      "x must move *against* the velocity: x - lr * v, not x + lr * v.", _sign_flipped),
        Misconception("the EMA convention of momentum",
                      "v = beta*v + (1-beta)*g is an average of gradients, so its steps are (1-beta) "
                      "times smaller; torch's buffer is v = beta*v + g.", _ema_momentum),
        Misconception("the learning rate applied twice",
                      "lr is inside the buffer (classic form v = beta*v + lr*g) *and* in the step; "
                      "use it once.", _lr_twice),
        Misconception("a step with the old velocity",
                      "update v first, then step with the new v (the first step must already move x).",
                      _old_velocity),
    ],
)


def nesterov_step(x, v, g, lr, beta):
    """Reference: torch's SGD with Nesterov momentum."""
    v = beta * v + g
    return x - lr * (g + beta * v), v


def _nesterov_no_gradient(x, v, g, lr, beta):
    v = beta * v + g
    return x - lr * beta * v, v


q2 = StepExercise(
    "momentum.q2",
    """
    Write one step of SGD with Nesterov momentum in PyTorch's convention:
    update the buffer v = beta * v + g, then step along g + beta * v_new.
    Return (x_new, v_new). The checker starts from v = 0.
    """,
    "nesterov_step(x, v, g, lr, beta)", nesterov_step,
    lambda lr, beta: ol.sgd(lr=lr, momentum=beta, nesterov=True), _CASES, n_state=1,
    hints=["Nesterov 'looks ahead': the step uses the gradient plus beta times the new buffer.",
           "v_new = beta * v + g; direction = g + beta * v_new.",
           "return x - lr * (g + beta * v_new), v_new"],
    misconceptions=[
        Misconception("heavy-ball momentum, not Nesterov",
                      "stepping along v_new is plain momentum; Nesterov steps along g + beta * v_new.",
                      momentum_step),
        Misconception("a look-ahead without the gradient",
                      "the Nesterov direction is g + beta * v_new: keep the current gradient g.",
                      _nesterov_no_gradient),
    ],
)


def _ema_lr() -> float:
    """The long-run step of torch momentum under a constant unit gradient."""
    return float(-run(ol.sgd(lr=0.01, momentum=0.9), [0.0], [[1.0]] * 3000)[-1][1][0])


q3 = ValueExercise(
    "momentum.q3",
    """
    The EMA convention of momentum is v = beta*v + (1-beta)*g, x -= alpha*v.
    With beta = 0.9, which alpha gives exactly the same trajectory as PyTorch's
    SGD(lr=0.01, momentum=0.9)? Give a number.
    """,
    _ema_lr,
    """
    # torch's buffer b = v / (1 - beta), so lr * b = lr / (1 - beta) * v:
    alpha = 0.01 / (1 - 0.9)   # = 0.1, torch's long-run step for a constant unit gradient
    # check: ol.momentum_ema(lr=0.1, beta=0.9) follows ol.sgd(lr=0.01, momentum=0.9)
    """,
    hints=["Under a constant gradient g, what does each buffer converge to?",
           "torch's buffer tends to g / (1 - beta); the EMA tends to g.",
           "alpha = lr / (1 - beta)."],
    misconceptions=[
        Misconception("the same lr in both conventions",
                      "the EMA buffer is (1-beta) times torch's, so its lr must be 1/(1-beta) times larger.", 0.01),
        Misconception("multiplying by (1 - beta) instead of dividing",
                      "the EMA shrinks the step by (1-beta), so alpha must compensate: lr / (1-beta).", 0.001),
    ],
)

_A = np.diag([1.0, 100.0])


def _optimal_beta() -> float:
    kappa = ol.functions.Quadratic(_A).kappa
    return float(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2)


q4 = ValueExercise(
    "momentum.q4",
    """
    Heavy-ball momentum on the quadratic f(x) = x^T A x / 2 with A = diag(1, 100)
    (mu = 1, L = 100). What is the optimal momentum beta (with its optimal lr)?
    Give at least 3 significant digits.
    """,
    _optimal_beta,
    """
    q = ol.functions.Quadratic(np.diag([1.0, 100.0]))
    beta = ((np.sqrt(q.kappa) - 1) / (np.sqrt(q.kappa) + 1)) ** 2   # (9/11)^2 = 0.669
    """,
    hints=["The answer depends only on the condition number kappa = L / mu = 100.",
           "Polyak's optimal momentum is ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2."],
    misconceptions=[
        Misconception("the rate without the square",
                      "(sqrt(kappa)-1)/(sqrt(kappa)+1) = 0.818 is the convergence *rate*; beta is its square.",
                      9 / 11),
        Misconception("the gradient-descent rate",
                      "(kappa-1)/(kappa+1) is plain GD's rate; momentum replaces kappa by sqrt(kappa).", 99 / 101),
    ],
)

q5 = MultipleChoiceExercise(
    "momentum.q5",
    "Why does momentum speed up gradient descent on an ill-conditioned quadratic?",
    {
        "a": Option("It increases the learning rate in every direction equally.", False,
                    "A larger lr in every direction would make the steep direction diverge."),
        "b": Option("Oscillations along steep directions cancel in the buffer while the steady "
                    "drift along flat directions accumulates.", True,
                    "The buffer averages out the zig-zag and amplifies consistent directions by up "
                    "to 1/(1-beta)."),
        "c": Option("It divides each coordinate by its gradient's magnitude.", False,
                    "That is the adaptive methods (AdaGrad, RMSProp, Adam), not momentum."),
        "d": Option("It uses second derivatives of the loss.", False,
                    "Momentum only uses past gradients; it never computes the Hessian."),
    },
    hints=["Think of a ball rolling down a narrow valley."],
)
