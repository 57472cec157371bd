"""Exercises of chapter 6, *Adam and AdamW*.

Questions:
    q1: write one Adam step with bias correction, as torch.optim.Adam (function).
    q2: write one AdamW step with decoupled weight decay (function).
    q3: the first three bias-corrected Adam updates, by hand (value, array).
    q4: Adam's first update for very different gradients (value, array).
    q5: Adam with weight_decay versus AdamW (multiple choice).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Mistake, MultipleChoiceExercise, Option, StepCase, StepExercise, ValueExercise, fmt, run,
)

__all__ = ["QUIZ", "q1", "q2", "q3", "q4", "q5"]

_CASES = [
    StepCase("first step", np.array([1.0, -2.0]), [[0.5, -3.0]], (0.001, 0.9, 0.999, 1e-8)),
    StepCase("three steps", np.array([1.0, 2.0, 3.0]), [[1.0, -2.0, 0.5], [2.0, 1.0, 0.5], [-1.0, 0.5, 4.0]],
             (0.1, 0.9, 0.999, 1e-8)),
    StepCase("zero gradient", np.array([1.0, 1.0]), [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]], (0.1, 0.9, 0.99, 1e-8)),
    StepCase("large eps", np.array([0.0, 0.0]), [[0.5, 2.0], [1.0, 1.0]], (1.0, 0.5, 0.75, 0.5)),
    StepCase("large gradients", np.array([10.0, -10.0]), [[1e6, -3e6], [2e6, 1e6]], (0.01, 0.9, 0.999, 1e-8)),
]


def adam_step(x, m, v, g, t, lr, beta1, beta2, eps):
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


def _efficient_form(x, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - lr_t * m / (np.sqrt(v) + eps), m, v


def _corrected_state(x, m, v, g, t, lr, beta1, beta2, eps):
    # m and v are kept bias-corrected between steps (a common slip)
    m_raw = m * (1 - beta1 ** (t - 1)) if t > 1 else m
    v_raw = v * (1 - beta2 ** (t - 1)) if t > 1 else v
    x_new, m_new, v_new = adam_step(x, m_raw, v_raw, g, t, lr, beta1, beta2, eps)
    return x_new, m_new / (1 - beta1**t), v_new / (1 - beta2**t)


def _t_off_by_one(x, m, v, g, t, lr, beta1, beta2, eps):
    return adam_step(x, m, v, g, t + 1, lr, beta1, beta2, eps)


q1 = StepExercise(
    "adam.q1",
    """
    Write one Adam step as `torch.optim.Adam` does it: update the moving averages `m` of `g` (decay
    `beta1`) and `v` of `g**2` (decay `beta2`), bias-correct them with the step count `t` (1 at the
    first step), and move `x` by `-lr * m_hat / (sqrt(v_hat) + eps)`. Return
    `(x_new, m_new, v_new)` with the *uncorrected* averages.
    """,
    adam_step, lambda lr, beta1, beta2, eps: ol.adam(lr=lr, betas=(beta1, beta2), eps=eps), _CASES,
    n_state=2, uses_t=True,
    hints=["m = beta1*m + (1-beta1)*g and v = beta2*v + (1-beta2)*g**2, as in RMSProp.",
           "Bias correction divides by 1 - beta**t: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t).",
           "eps goes outside the sqrt; return the uncorrected m and v as the new state."],
    mistakes=[
        Mistake("Adam without bias correction",
                      "m and v start at 0, so early averages are too small; divide them by 1 - beta**t.",
                      _no_bias_correction),
        Mistake("eps inside the square root",
                      "torch computes m_hat / (sqrt(v_hat) + eps), with eps outside.", _eps_inside),
        Mistake("bias correction of m only", "v needs its own correction, 1 - beta2**t.",
                      _only_m_corrected),
        Mistake("Kingma & Ba's 'efficient' form",
                "lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps) uses eps-hat = eps * "
                "sqrt(1 - beta2**t), a different eps; PyTorch computes m_hat / (sqrt(v_hat) + eps). The "
                "two differ when eps matters (the 'large eps' case).", _efficient_form),
        Mistake("bias-corrected averages returned as the state",
                "return the raw m and v (the next step decays them again); only the step uses m_hat "
                "and v_hat.", _corrected_state),
        Mistake("a step count off by one", "t is 1 at the first step: correct with 1 - beta**t.",
                      _t_off_by_one),
    ],
)


def adamw_step(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    x = x * (1 - lr * weight_decay)   # decoupled decay first, then Adam on g alone
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _l2_in_gradient(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(x, m, v, g + weight_decay * x, t, lr, beta1, beta2, eps)


def _decay_without_lr(x, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(x * (1 - weight_decay), m, v, g, t, lr, beta1, beta2, eps)


q2 = StepExercise(
    "adam.q2",
    """
    Write one AdamW step as `torch.optim.AdamW`: first shrink `x` by the factor
    `1 - lr * weight_decay`, then take the Adam step of exercise 1 with the gradient `g` alone.
    Return `(x_new, m_new, v_new)`; you may call your `adam_step`.
    """,
    adamw_step,
    lambda lr, beta1, beta2, eps, wd: ol.adamw(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=wd),
    [StepCase(c.label, c.x0, c.grads, c.hyper + (0.1,)) for c in _CASES]
    + [StepCase("strong decay, zero gradient", np.array([3.0, -1.0]), [[0.0, 0.0]] * 3, (0.1, 0.9, 0.999, 1e-8, 0.5))],
    n_state=2, uses_t=True,
    hints=["'Decoupled' weight decay never enters m or v.",
           "x = x * (1 - lr * weight_decay), then the Adam step with g."],
    mistakes=[
        Mistake("Adam with L2 regularisation (torch's Adam weight_decay)",
                      "adding weight_decay * x to the gradient lets v rescale it; AdamW decays x "
                      "directly: x * (1 - lr * weight_decay).", _l2_in_gradient),
        Mistake("weight decay without the lr", "torch's AdamW multiplies x by 1 - lr * weight_decay.",
                      _decay_without_lr),
    ],
)

_GRADS3 = [1.0, 0.5, -2.0]


def _three_updates() -> np.ndarray:
    return np.array([u[0] for _, u in run(ol.adam(lr=0.1), [0.0], [[g] for g in _GRADS3])])


def _by_hand(correct: bool = True) -> tuple[np.ndarray, list[str]]:
    """The three updates computed step by step, and one comment line per step."""
    m = v = 0.0
    out, lines = [], []
    for t, g in enumerate(_GRADS3, start=1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        m_hat, v_hat = (m / (1 - 0.9**t), v / (1 - 0.999**t)) if correct else (m, v)
        out.append(-0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))
        lines.append(f"# t = {t}: m = {m:.6g}, v = {v:.7g}, m_hat = {m_hat:.6g}, v_hat = {v_hat:.6g}"
                     f" -> update {out[-1]:.6g}")
    return np.array(out), lines


q3 = ValueExercise(
    "adam.q3",
    """
    Adam with `lr = 0.1` and the default betas and eps, on a one-dimensional parameter, receives
    the gradients 1.0, 0.5, -2.0. Compute the three updates $x_t - x_{t-1}$ by hand and give them
    as an array of shape (3,).
    """,
    _three_updates,
    """
    m = v = 0.0
    updates = []
    for t, g in enumerate([1.0, 0.5, -2.0], start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        updates.append(-0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))
    answer = np.array(updates)
    """.rstrip() + "\n" + "\n".join("    " + line for line in _by_hand()[1]),
    digits=4, answer_comment="np.array([u1, u2, u3])",
    hints=["Step 1: m_hat = g and v_hat = g**2, so the first update is -lr * sign(g).",
           "At t = 2, divide m by 1 - 0.9**2 = 0.19 and v by 1 - 0.999**2 = 0.001999."],
    mistakes=[
        Mistake("Adam without bias correction",
                "m and v start at 0: divide them by 1 - beta1**t and 1 - beta2**t.", _by_hand(False)[0]),
        Mistake("parameters instead of updates", "give the steps x_t - x_{t-1}, not x_t.",
                np.cumsum(_three_updates())),
    ],
)

_FIRST4 = run(ol.adam(lr=0.001), np.zeros(3), [[1e-3, 10.0, -4.0]])[0][1]

q4 = ValueExercise(
    "adam.q4",
    """
    Adam (`lr = 0.001`, default betas and eps), first step, gradient `g = [1e-3, 10, -4]`. What is the
    update (an array of shape (3,))?
    """,
    lambda: _FIRST4,
    f"""
    opt = ol.adam(lr=0.001)
    x0 = np.zeros(3)
    updates, state = opt.update(np.array([1e-3, 10.0, -4.0]), opt.init(x0), x0)
    answer = updates   # {fmt(_FIRST4)}: m_hat / sqrt(v_hat) = g / |g|, so every coordinate moves by lr
    """,
    digits=3, answer_comment="an array of shape (3,)",
    hints=["At t = 1, bias correction gives m_hat = g and v_hat = g**2."],
    mistakes=[
        Mistake("a plain SGD step", "Adam normalises each coordinate: the first step is -lr * sign(g).",
                np.array([-1e-6, -1e-2, 4e-3])),
        Mistake("Adam without bias correction",
                "without correction the first step is lr * 0.1 / sqrt(0.001) = 3.16 lr.",
                -0.001 * 0.1 / np.sqrt(0.001) * np.array([1.0, 1.0, -1.0])),
    ],
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

# ----------------------------------------------------------------------------- quiz
def _second_update() -> tuple[float, str]:
    """Adam(lr=0.1), gradients 1 then 3: the second update and its worked explanation."""
    m1, v1 = 0.1 * 1.0, 0.001 * 1.0
    m2, v2 = 0.9 * m1 + 0.1 * 3.0, 0.999 * v1 + 0.001 * 9.0
    m_hat, v_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)
    update = -0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    text = (f"m_2 = 0.9 * 0.1 + 0.1 * 3 = {m2:.4g}, v_2 = 0.999 * 0.001 + 0.001 * 9 = {v2:.6g}; "
            f"m_hat = {m2:.4g} / 0.19 = {m_hat:.5g}, v_hat = {v2:.6g} / 0.001999 = {v_hat:.5g}; "
            f"update = -0.1 * {m_hat:.5g} / sqrt({v_hat:.5g}) = {update:.4g}.")
    return float(update), text


QUIZ = [
    ValueExercise(
        "adam.quiz1", "Adam(lr = 0.01), first step, gradient $g = -50$: the update $x_1 - x_0$?",
        lambda: float(run(ol.adam(lr=0.01), [0.0], [[-50.0]])[0][1][0]), "answer = 0.01", digits=3,
        explanation="At the first step m_hat / sqrt(v_hat) = g / |g|: the update is lr * sign(-g) = +0.01.",
        mistakes=[
            Mistake("a plain SGD step", "Adam's first step is lr * sign(-g), whatever |g|.", 0.5),
            Mistake("Adam without bias correction", "m_1 = 0.1 g and v_1 = 0.001 g**2 give 3.16 lr.",
                    0.01 * 0.1 / np.sqrt(0.001)),
        ]),
    ValueExercise(
        "adam.quiz2", "Adam(lr = 0.1), gradients 1 then 3: the second update $x_2 - x_1$?",
        lambda: _second_update()[0], "answer = -0.1 * (0.39 / 0.19) / (0.009999 / 0.001999) ** 0.5",
        digits=3, explanation=_second_update()[1],
        mistakes=[
            Mistake("Adam without bias correction", "divide m_2 by 1 - 0.9**2 and v_2 by 1 - 0.999**2.",
                    -0.1 * 0.39 / np.sqrt(0.009999)),
            Mistake("the first step's size", "only the first step is exactly lr; later ones depend on "
                    "the history of gradients.", -0.1),
        ]),
    q5,
]
