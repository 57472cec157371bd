"""Exercises of the chapter *Momentum*.

Questions:
    q1: write one heavy-ball step in torch's convention (function).
    q2: write one Nesterov step in torch's convention (function).
    q3: the lr of the EMA convention equivalent to torch's lr=0.01, momentum=0.9 (value).
    q4: the optimal heavy-ball momentum on a quadratic with condition number 100 (value).
    q5: why momentum helps on ill-conditioned problems (multiple choice).

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
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -1.0]], (0.1, 0.9)),
    StepCase("three steps", np.array([1.0, -2.0, 3.0]), [[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [2.0, 0.0, 1.0]],
             (0.05, 0.9)),
    StepCase("zero gradient after a step", np.array([0.5]), [[2.0], [0.0], [0.0]], (0.1, 0.5)),
    StepCase("large gradients", np.array([1e3, -1e3]), [[1e6, -2e6], [3e6, 1e6]], (1e-4, 0.99)),
]


def momentum_step(x, v, g, lr, beta):
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


def _classic(x, v, g, lr, beta):
    v = beta * v + lr * g
    return x - v, v


def _keras(x, v, g, lr, beta):
    v = beta * v - lr * g
    return x + v, v


_NAMES = (r"(The chapter writes this buffer $b_t$ and the parameters $\theta$: here `v` is $b_t$, `x` is "
          r"$\theta$, `beta` is $\beta$; the chapter's velocity $v_t = -\eta\, b_t$ is not this `v`.)")

q1 = StepExercise(
    "momentum.q1",
    r"""
    Write one heavy-ball step in PyTorch's convention: the buffer $v$ accumulates gradients
    with no learning rate inside, $v \leftarrow \beta v + g$, then the parameters move by
    $-\eta$ times the new buffer. Return `(x_new, v_new)`.
    """ + _NAMES,
    momentum_step, lambda lr, beta: ol.sgd(lr=lr, momentum=beta), _CASES, n_state=1,
    hints=["First update the buffer from v and g, then move x using the *new* buffer.",
           "v_new = beta * v + g  (no (1 - beta), no lr).",
           "return x - lr * v_new, v_new"],
    mistakes=[
        Mistake("momentum with the sign flipped",
                "x must move *against* the velocity: x - lr * v, not x + lr * v.", _sign_flipped),
        Mistake("the EMA convention of momentum",
                "v = beta*v + (1-beta)*g is an average of gradients, so its steps are (1-beta) "
                "times smaller; torch's buffer is v = beta*v + g.", _ema_momentum),
        Mistake("the classic form, with the learning rate inside the buffer",
                "v = beta*v + lr*g, x - v moves x the same way for a constant lr, but the question "
                "asks for PyTorch's buffer, which holds no lr: v = beta*v + g.", _classic),
        Mistake("the Keras form", "Keras keeps v = beta*v - lr*g and adds it to x; PyTorch's buffer "
                "is v = beta*v + g (no lr, no minus sign), and x moves by -lr * v.", _keras),
        Mistake("the learning rate applied twice",
                "lr is inside the buffer (classic form v = beta*v + lr*g) *and* in the step; "
                "use it once.", _lr_twice),
        Mistake("a step with the old velocity",
                "update v first, then step with the new v (the first step must already move x).",
                _old_velocity),
    ],
)


def nesterov_step(x, v, g, lr, beta):
    v = beta * v + g
    return x - lr * (g + beta * v), v


def _nesterov_no_gradient(x, v, g, lr, beta):
    v = beta * v + g
    return x - lr * beta * v, v


def _nesterov_sign_flipped(x, v, g, lr, beta):
    v = beta * v + g
    return x + lr * (g + beta * v), v


def _nesterov_keras(x, v, g, lr, beta):
    # Sutskever et al. / Keras: a velocity with the lr inside, v = beta*v - lr*g, x += beta*v - lr*g
    v = beta * v - lr * g
    return x + beta * v - lr * g, v


q2 = StepExercise(
    "momentum.q2",
    r"""
    Write one Nesterov step in PyTorch's form: update the buffer $v \leftarrow \beta v + g$, then
    step along $g + \beta v$ (with the *new* $v$): $x \leftarrow x - \eta\,(g + \beta v)$.
    Return `(x_new, v_new)`.
    """ + _NAMES,
    nesterov_step,
    lambda lr, beta: ol.sgd(lr=lr, momentum=beta, nesterov=True), _CASES, n_state=1,
    hints=["Nesterov 'looks ahead': the step uses the gradient plus beta times the new buffer.",
           "v_new = beta * v + g; direction = g + beta * v_new.",
           "return x - lr * (g + beta * v_new), v_new"],
    mistakes=[
        Mistake("heavy-ball momentum, not Nesterov",
                      "stepping along v_new is plain momentum; Nesterov steps along g + beta * v_new.",
                      momentum_step),
        Mistake("a look-ahead without the gradient",
                      "the Nesterov direction is g + beta * v_new: keep the current gradient g.",
                      _nesterov_no_gradient),
        Mistake("Nesterov with the sign flipped", "x moves *against* the gradient: x - lr * (g + beta * v_new).",
                _nesterov_sign_flipped),
        Mistake("the Sutskever / Keras velocity form",
                "v = beta*v - lr*g with x += beta*v - lr*g moves x the same way, but its buffer is "
                "-lr times PyTorch's: keep v = beta*v + g, with no lr inside.", _nesterov_keras),
    ],
)


def _ema_lr() -> float:
    """The long-run step of torch momentum under a constant unit gradient."""
    return float(-run(ol.sgd(lr=0.01, momentum=0.9), [0.0], [[1.0]] * 3000)[-1][1][0])


q3 = ValueExercise(
    "momentum.q3",
    r"""
    The EMA convention is $v \leftarrow \beta v + (1-\beta) g$, $x \leftarrow x - \alpha v$. With
    $\beta = 0.9$, which $\alpha$ gives exactly the same trajectory as PyTorch's
    `SGD(lr=0.01, momentum=0.9)`?
    """,
    _ema_lr,
    """
    # PyTorch's buffer b equals v / (1 - beta), so lr * b = lr / (1 - beta) * v:
    answer = 0.01 / (1 - 0.9)
    """,
    digits=3,
    explanation="alpha = lr / (1 - beta): the EMA buffer is (1 - beta) times PyTorch's.",
    hints=["Under a constant gradient g, what does each buffer converge to?",
           "torch's buffer tends to g / (1 - beta); the EMA tends to g.",
           "alpha = lr / (1 - beta)."],
    mistakes=[
        Mistake("the same lr in both conventions",
                "the EMA buffer is (1-beta) times torch's, so its lr must be 1/(1-beta) times larger.", 0.01),
        Mistake("multiplying by (1 - beta) instead of dividing",
                "the EMA shrinks the step by (1-beta), so alpha must compensate: lr / (1-beta).", 0.001),
    ],
)

_A = np.diag([1.0, 100.0])


def _optimal_beta() -> float:
    kappa = ol.functions.Quadratic(_A).kappa
    return float(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2)


q4 = ValueExercise(
    "momentum.q4",
    r"""
    For the heavy ball on $f(x) = \tfrac12 x^\top A x$ with $A = \mathrm{diag}(1, 100)$
    ($\mu = 1$, $L = 100$), what is the optimal momentum $\beta^*$ (with its optimal learning rate)?
    """,
    _optimal_beta,
    """
    q = functions.Quadratic(np.diag([1.0, 100.0]))
    answer = ((np.sqrt(q.kappa) - 1) / (np.sqrt(q.kappa) + 1)) ** 2
    """,
    digits=3,
    explanation=f"((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2 = (9/11)^2 = {81 / 121:.4f}.",
    hints=["The answer depends only on the condition number kappa = L / mu = 100.",
           "Polyak's optimal momentum is ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2."],
    mistakes=[
        Mistake("the rate without the square",
                "(sqrt(kappa)-1)/(sqrt(kappa)+1) = 0.818 is the convergence *rate*; beta is its square.",
                9 / 11),
        Mistake("the gradient-descent rate",
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

# ----------------------------------------------------------------------------- quiz
def _long_run_step() -> float:
    return float(-run(ol.sgd(lr=0.1, momentum=0.9), [0.0], [[1.0]] * 3000)[-1][1][0])


def _beta_kappa25() -> float:
    kappa = ol.functions.Quadratic(np.diag([1.0, 25.0])).kappa
    return float(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2)


QUIZ = [
    ValueExercise(
        "momentum.quiz1", "SGD(lr = 0.1, momentum = 0.9) with a constant gradient $g = 1$: how large is "
        "each step in the long run?", _long_run_step, "answer = 0.1 / (1 - 0.9)", digits=3,
        explanation="The buffer tends to g / (1 - momentum) = 10 g, so the step tends to lr / (1 - momentum) = 1.",
        mistakes=[
            Mistake("a step without the buffer's growth", "the buffer accumulates: it tends to "
                    "g / (1 - momentum) = 10 g.", 0.1),
            Mistake("the first step of the EMA form", "0.01 = lr (1 - momentum) g is the EMA form's first "
                    "step; PyTorch's buffer is a sum, not an average: it tends to g / (1 - momentum), so the "
                    "step tends to 1.", 0.01),
        ]),
    ValueExercise(
        "momentum.quiz2", r"Heavy-ball momentum on a quadratic with $\mu = 1$ and $L = 25$: the optimal "
        r"momentum $\beta^*$?", _beta_kappa25, "answer = ((5 - 1) / (5 + 1)) ** 2", digits=3,
        explanation="((sqrt(25) - 1) / (sqrt(25) + 1))^2 = (4/6)^2 = 4/9 = 0.4444.",
        mistakes=[
            Mistake("the rate without the square", "(sqrt(kappa)-1)/(sqrt(kappa)+1) = 2/3 is the rate; "
                    "beta is its square.", 2 / 3),
            Mistake("the gradient-descent rate", "(kappa-1)/(kappa+1) = 12/13 is plain GD's rate.", 24 / 26),
        ]),
    q5,
]
