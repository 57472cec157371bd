"""Exercises of chapter 6, *Adam and AdamW*.

Questions:
    q1: write one Adam step with bias correction, as torch.optim.Adam (function).
    q2: write one AdamW step with decoupled weight decay (function).
    q3: the first three bias-corrected Adam updates, by hand (value, array).
    q4: Adam's first update for very different gradients (value, array).
    q5: Adam with weight_decay versus AdamW (multiple choice).
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Misconception, MultipleChoiceExercise, Option, StepCase, StepExercise, ValueExercise, run,
)

__all__ = ["q1", "q2", "q3", "q4", "q5"]

_CASES = [
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -3.0]], (0.001, 0.9, 0.999, 1e-8)),
    StepCase("three steps", np.array([1.0, 2.0, 3.0]), [[1.0, -2.0, 0.5], [2.0, 1.0, 0.5], [-1.0, 0.5, 4.0]],
             (0.1, 0.9, 0.999, 1e-8)),
    StepCase("zero gradient", np.array([1.0, 1.0]), [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]], (0.1, 0.9, 0.99, 1e-8)),
    StepCase("large eps", np.array([0.0, 0.0]), [[0.5, 2.0], [1.0, 1.0]], (1.0, 0.5, 0.75, 0.5)),
    StepCase("large gradients", np.array([10.0, -10.0]), [[1e6, -3e6], [2e6, 1e6]], (0.01, 0.9, 0.999, 1e-8)),
]


def adam_step(x, m, v, g, t, lr, beta1, beta2, eps):
    """Reference: moving averages of g and g**2, bias-corrected, eps outside the sqrt."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _no_bias_correction(x, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return x - lr * m / (np.sqrt(v) + eps), m, v


def _eps_inside(x, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return x - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def _only_m_corrected(x, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return x - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def _t_off_by_one(x, m, v, g, t, lr, beta1, beta2, eps):
    return adam_step(x, m, v, g, t + 1, lr, beta1, beta2, eps)


q1 = StepExercise(
    "adam.q1",
    """
    Write one Adam step as torch.optim.Adam: update the moving averages m of g
    (beta1) and v of g**2 (beta2), bias-correct them with the step count t
    (t = 1 at the first step), and move x by -lr * m_hat / (sqrt(v_hat) + eps).
    Return (x_new, m_new, v_new) with the *uncorrected* averages. The checker starts from m = v = 0.
    """,
    "adam_step(x, m, v, g, t, lr, beta1, beta2, eps)", adam_step,
    lambda lr, beta1, beta2, eps: ol.adam(lr=lr, betas=(beta1, beta2), eps=eps), _CASES,
    n_state=2, uses_t=True,
    hints=["m = beta1*m + (1-beta1)*g and v = beta2*v + (1-beta2)*g**2, as in RMSProp.",
           "Bias correction divides by 1 - beta**t: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t).",
           "eps goes outside the sqrt; return the uncorrected m and v as the new state."],
    misconceptions=[
        Misconception("Adam without bias correction",
                      "m and v start at 0, so early averages are too small; divide them by 1 - beta**t.",
                      _no_bias_correction),
        Misconception("eps inside the square root",
                      "torch computes m_hat / (sqrt(v_hat) + eps), with eps outside.", _eps_inside),
        Misconception("bias correction of m only", "v needs its own correction, 1 - beta2**t.",
                      _only_m_corrected),
        Misconception("a step count off by one", "t is 1 at the first step: correct with 1 - beta**t.",
                      _t_off_by_one),
    ],
)


def adamw_step(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    """Reference: shrink x by lr * weight_decay, then an Adam step on g alone."""
    x = x * (1 - lr * weight_decay)
    return adam_step(x, m, v, g, t, lr, beta1, beta2, eps)


def _l2_in_gradient(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(x, m, v, g + weight_decay * x, t, lr, beta1, beta2, eps)


def _decay_without_lr(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(x * (1 - weight_decay), m, v, g, t, lr, beta1, beta2, eps)


q2 = StepExercise(
    "adam.q2",
    """
    Write one AdamW step as torch.optim.AdamW: first shrink x by the factor
    (1 - lr * weight_decay), then apply the Adam step of q1 with the gradient g
    alone. Return (x_new, m_new, v_new). You may call your adam_step.
    """,
    "adamw_step(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay)", adamw_step,
    lambda lr, beta1, beta2, eps, wd: ol.adamw(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=wd),
    [StepCase(c.label, c.x0, c.grads, c.hyper + (0.1,)) for c in _CASES]
    + [StepCase("strong decay, zero gradient", np.array([3.0, -1.0]), [[0.0, 0.0]] * 3, (0.1, 0.9, 0.999, 1e-8, 0.5))],
    n_state=2, uses_t=True,
    hints=["'Decoupled' weight decay never enters m or v.",
           "x = x * (1 - lr * weight_decay), then the Adam step with g."],
    misconceptions=[
        Misconception("Adam with L2 regularisation (torch's Adam weight_decay)",
                      "adding weight_decay * x to the gradient lets v rescale it; AdamW decays x "
                      "directly: x * (1 - lr * weight_decay).", _l2_in_gradient),
        Misconception("weight decay without the lr", "torch's AdamW multiplies x by 1 - lr * weight_decay.",
                      _decay_without_lr),
    ],
)

_GRADS3 = [[1.0], [0.5], [-2.0]]


def _three_updates() -> np.ndarray:
    return np.array([u[0] for _, u in run(ol.adam(lr=0.1), [0.0], _GRADS3)])


def _three_updates_uncorrected() -> np.ndarray:
    m = v = 0.0
    out = []
    for (g,) in _GRADS3:
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        out.append(-0.1 * m / (np.sqrt(v) + 1e-8))
    return np.array(out)


q3 = ValueExercise(
    "adam.q3",
    """
    Adam with lr = 0.1 and the defaults betas = (0.9, 0.999), eps = 1e-8, on a 1-d
    parameter, receives the gradients 1.0, 0.5, -2.0. Compute the three updates
    x_t - x_{t-1} by hand and give them as an array of shape (3,) (4 significant digits).
    """,
    _three_updates,
    """
    updates = [u[0] for _, u in run(ol.adam(lr=0.1), [0.0], [[1.0], [0.5], [-2.0]])]
    # t = 1: m = 0.1,   v = 0.001,     m_hat = 1,     v_hat = 1     -> -0.1
    # t = 2: m = 0.14,  v = 0.00124875, m_hat = 0.73684, v_hat = 0.62500 -> -0.0932
    # t = 3: m = -0.074, v = 0.00524750, m_hat = -0.27306, v_hat = 1.75058 -> +0.0206
    """,
    hints=["Step 1: m_hat = g and v_hat = g**2, so the first update is -lr * sign(g).",
           "At t = 2, divide m by 1 - 0.9**2 = 0.19 and v by 1 - 0.999**2 = 0.001999."],
    misconceptions=[
        Misconception("Adam without bias correction",
                      "m and v start at 0: divide them by 1 - beta1**t and 1 - beta2**t.",
                      _three_updates_uncorrected()),
        Misconception("parameters instead of updates", "give the steps x_t - x_{t-1}, not x_t.",
                      np.cumsum(_three_updates())),
    ],
    rtol=2e-3,
)

q4 = ValueExercise(
    "adam.q4",
    """
    Adam (lr = 0.001, default betas and eps), first step, gradient
    g = [1e-3, 10, -4]. What is the update (an array of shape (3,))?
    """,
    lambda: run(ol.adam(lr=0.001), np.zeros(3), [[1e-3, 10.0, -4.0]])[0][1],
    """
    run(ol.adam(lr=0.001), np.zeros(3), [[1e-3, 10.0, -4.0]])[0][1]
    # first step: m_hat / sqrt(v_hat) = g / |g|: every coordinate moves by lr, whatever |g|
    """,
    hints=["At t = 1, bias correction gives m_hat = g and v_hat = g**2."],
    misconceptions=[
        Misconception("a plain SGD step", "Adam normalises each coordinate: the first step is -lr * sign(g).",
                      np.array([-1e-6, -1e-2, 4e-3])),
        Misconception("Adam without bias correction",
                      "without correction the first step is lr * 0.1 / sqrt(0.001) = 3.16 lr.",
                      -0.001 * 0.1 / np.sqrt(0.001) * np.array([1.0, 1.0, -1.0])),
    ],
    rtol=1e-4,
)

q5 = MultipleChoiceExercise(
    "adam.q5",
    "What is the difference between torch's Adam(weight_decay=0.01) and AdamW(weight_decay=0.01)?",
    {
        "a": Option("None: both add 0.01 * x to the gradient.", False,
                    "AdamW does not touch the gradient: it shrinks x directly."),
        "b": Option("Adam adds the L2 term to the gradient, where v rescales it; AdamW shrinks x "
                    "by lr * weight_decay, the same for every coordinate.", True,
                    "In Adam, parameters with large gradients are barely regularised; AdamW decays "
                    "all weights at the same relative rate (Loshchilov & Hutter)."),
        "c": Option("AdamW has no bias correction.", False, "Both are bias-corrected."),
        "d": Option("AdamW decays the learning rate, Adam decays the weights.", False,
                    "Both decay weights; neither changes the lr schedule."),
    },
    hints=["Where does weight_decay * x enter: before or after the division by sqrt(v_hat)?"],
)
