"""Exercises of the chapter *Optimizers for large models* (label ``modern-optimizers``).

Questions:
    q1: write one Lion step, as optax.lion (function).
    q2: write one Newton–Schulz iteration of Muon (function).
    q3: clip two gradient arrays by their global norm (value, array).
    q4: Adam's and Adafactor's second-moment memory for a 4096 x 1024 matrix (value).
    q5: where to evaluate a model trained with Schedule-Free AdamW (multiple choice).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Mistake, MultipleChoiceExercise, Option, StepCase, StepExercise,
    ValueExercise, run,
)

__all__ = ["QUIZ", "q1", "q2", "q3", "q4", "q5"]

# ----------------------------------------------------------------------------- q1: Lion


def lion_step(x, m, g, lr, beta1, beta2, weight_decay):
    c = beta1 * m + (1 - beta1) * g
    x_new = x - lr * (np.sign(c) + weight_decay * x)
    m_new = beta2 * m + (1 - beta2) * g
    return x_new, m_new


def _sign_of_new_momentum(x, m, g, lr, beta1, beta2, weight_decay):
    m_new = beta2 * m + (1 - beta2) * g
    return x - lr * (np.sign(m_new) + weight_decay * x), m_new


def _no_sign(x, m, g, lr, beta1, beta2, weight_decay):
    c = beta1 * m + (1 - beta1) * g
    return x - lr * (c + weight_decay * x), beta2 * m + (1 - beta2) * g


def _decay_without_lr(x, m, g, lr, beta1, beta2, weight_decay):
    c = beta1 * m + (1 - beta1) * g
    return x - lr * np.sign(c) - weight_decay * x, beta2 * m + (1 - beta2) * g


def _interpolate_new_momentum(x, m, g, lr, beta1, beta2, weight_decay):
    m_new = beta2 * m + (1 - beta2) * g
    c = beta1 * m_new + (1 - beta1) * g
    return x - lr * (np.sign(c) + weight_decay * x), m_new


def _betas_swapped(x, m, g, lr, beta1, beta2, weight_decay):
    return lion_step(x, m, g, lr, beta2, beta1, weight_decay)


q1 = StepExercise(
    "modern.q1",
    r"""
    Write one Lion step as `optax.lion` does it: from the parameters `x`, the momentum `m` and the
    gradient `g`, form $c = \beta_1 m + (1-\beta_1) g$, move `x` by
    $-\eta\,(\operatorname{sign}(c) + \lambda x)$ (with the *old* `x` in the decay), then update the
    momentum $m \leftarrow \beta_2 m + (1-\beta_2) g$. Return `(x_new, m_new)`.
    """,
    lion_step,
    lambda lr, beta1, beta2, weight_decay: ol.lion(lr=lr, betas=(beta1, beta2), weight_decay=weight_decay),
    [
        StepCase("first step", np.array([1.0, -2.0, 0.5]), [[0.5, -3.0, 1e-6]], (0.01, 0.9, 0.99, 0.0)),
        StepCase("three steps, with decay", np.array([1.0, -2.0]), [[1.0, -1.0], [-3.0, 0.5], [0.2, 0.2]],
                 (0.01, 0.9, 0.99, 0.1)),
        StepCase("the momentum outvotes the gradient", np.array([0.0, 0.0]), [[2.0, -2.0], [-0.1, 0.1]],
                 (0.1, 0.9, 0.99, 0.0)),
        StepCase("other betas", np.array([0.5, 1.5]), [[1.0, 2.0], [-1.0, -0.5], [0.3, -4.0]],
                 (0.05, 0.5, 0.9, 0.2)),
        StepCase("the momentum updated too early changes the sign", np.array([0.0, 0.0]),
                 [[1.0, 1.0], [-0.6, -1.0]], (0.1, 0.9, 0.5, 0.0)),
    ],
    n_state=1,
    hints=["The step uses beta1 and the *old* m; the momentum update uses beta2.",
           "c = beta1 * m + (1 - beta1) * g; every coordinate moves by exactly lr (plus the decay).",
           "x_new = x - lr * (np.sign(c) + weight_decay * x); m_new = beta2 * m + (1 - beta2) * g"],
    mistakes=[
        Mistake("the sign of the new momentum",
                "Lion interpolates with beta1 *before* updating the momentum: sign(beta1*m + (1-beta1)*g), "
                "not sign of the beta2 average.", _sign_of_new_momentum),
        Mistake("the momentum updated before the interpolation",
                "c uses the *old* momentum: c = beta1 * m + (1 - beta1) * g, and only then "
                "m = beta2 * m + (1 - beta2) * g.", _interpolate_new_momentum),
        Mistake("the interpolation without the sign",
                "Lion's step is the *sign* of c: every coordinate moves by lr.", _no_sign),
        Mistake("weight decay without the learning rate",
                "the decay is multiplied by lr: x - lr * (sign(c) + weight_decay * x).", _decay_without_lr),
        Mistake("the two betas swapped",
                "beta1 (0.9) mixes momentum and gradient for the step; beta2 (0.99) is the momentum's decay.",
                _betas_swapped),
    ],
)

# ----------------------------------------------------------------------------- q2: Newton-Schulz


def newton_schulz_step(X, a, b, c):
    A = X @ X.T
    return a * X + (b * A + c * A @ A) @ X


def _one_step_with_optlearn(X, a, b, c):
    return ol.newton_schulz(X, steps=1, coefficients=(a, b, c), eps=0.0)


def _c_times_a(X, a, b, c):
    A = X @ X.T
    return a * X + (b * A + c * A) @ X


def _without_a(X, a, b, c):
    A = X @ X.T
    return X + (b * A + c * A @ A) @ X


def _unit(M):
    M = np.asarray(M, dtype=float)
    return M / np.linalg.norm(M)


q2 = FunctionExercise(
    "modern.q2",
    r"""
    Write one Newton–Schulz iteration of Muon: for a matrix `X` (already divided by its Frobenius
    norm, so that its singular values are at most 1) and coefficients `a, b, c`, return
    $aX + (bA + cA^2)X$ with $A = XX^\top$ (use `@` for matrix products).
    """,
    newton_schulz_step,
    [
        Case("Muon's coefficients, a wide matrix", (_unit([[3.0, 1.0, 0.0], [1.0, 2.0, 1.0]]), 3.4445, -4.7750, 2.0315)),
        Case("the cubic (1.5, -0.5, 0), a square matrix", (_unit([[2.0, 0.5], [0.0, 1.0]]), 1.5, -0.5, 0.0)),
        Case("a tall matrix", (_unit([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]), 3.4445, -4.7750, 2.0315)),
        Case("other coefficients", (_unit([[1.0, -1.0, 2.0], [0.5, 0.5, 0.5]]), 2.0, -1.5, 0.5)),
    ],
    expected=_one_step_with_optlearn,
    returns="an array shaped like X",
    hints=["A = X @ X.T is the (small) Gram matrix; A @ A is its square.",
           "The polynomial acts on singular values: a*s + b*s**3 + c*s**5.",
           "return a * X + (b * A + c * A @ A) @ X"],
    mistakes=[
        Mistake("c times A instead of c times A squared",
                "the quintic term is c * (X X^T)^2 X: use A @ A.", _c_times_a),
        Mistake("the coefficient a left out",
                "the linear term is a * X (a = 3.4445 for Muon), not X.", _without_a),
    ],
    rtol=1e-5, atol=1e-7,
)

# ----------------------------------------------------------------------------- q3: clipping

_GRADS = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}


def _clipped_first() -> np.ndarray:
    t = ol.clip_by_global_norm(1.0, eps=0.0)
    return t.update(_GRADS, t.init(_GRADS))[0]["a"]


q3 = ValueExercise(
    "modern.q3",
    r"""
    A model has two parameter arrays whose gradients are `[3, 0]` and `[[0, 4]]`. Clip them by their
    *global* norm with `max_norm = 1` (optax's convention, without torch's $10^{-6}$). What is the
    clipped gradient of the first array?
    """,
    _clipped_first,
    """
    t = ol.clip_by_global_norm(1.0, eps=0.0)
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}
    answer = t.update(grads, t.init(grads))[0]["a"]
    """,
    rtol=1e-9, atol=1e-12,
    explanation=f"The global norm is sqrt(3^2 + 4^2) = {ol.global_norm(_GRADS):g}; every array is divided by it.",
    hints=["The global norm treats all arrays as one long vector.",
           "sqrt(3**2 + 4**2) = 5 > 1, so every gradient is multiplied by 1/5."],
    mistakes=[
        Mistake("clipping each array by its own norm",
                "that is Keras's `clipnorm`; global clipping uses the norm of all arrays together (5).",
                np.array([1.0, 0.0])),
        Mistake("no clipping", "the global norm 5 exceeds max_norm = 1, so the gradients are scaled down.",
                np.array([3.0, 0.0])),
        Mistake("dividing by the squared norm", "scale by max_norm / norm = 1/5, not 1/25.",
                np.array([0.12, 0.0])),
    ],
    answer_comment="an array of shape (2,)",
)

# ----------------------------------------------------------------------------- q4: memory


def _state_numbers(opt, params) -> int:
    def leaves(s):
        if isinstance(s, np.ndarray):
            return [s]
        if isinstance(s, dict):
            return [a for v in s.values() for a in leaves(v)]
        if isinstance(s, tuple):
            return [a for v in s for a in leaves(v)]
        return []
    return sum(a.size for a in leaves(opt.init(params)))


def _memory_ratio() -> float:
    W = np.zeros((4096, 1024), dtype=np.float32)
    return _state_numbers(ol.adam(), W) / _state_numbers(ol.adafactor(), W)


q4 = ValueExercise(
    "modern.q4",
    r"""
    How many numbers does Adam store for a $4096\times1024$ weight matrix (both moments), and how many
    does torch's Adafactor store for it (its factored second moment)? Give the ratio Adam / Adafactor.
    """,
    _memory_ratio,
    """
    answer = (2 * 4096 * 1024) / (4096 + 1024)
    """,
    digits=3,
    explanation=f"Adam: 2 x 4096 x 1024 = {2 * 4096 * 1024:,}; Adafactor: a row and a column, "
                f"4096 + 1024 = {4096 + 1024:,}; ratio {2 * 4096 * 1024 / (4096 + 1024):g}.",
    hints=["Adam keeps m and v, each the size of the matrix.",
           "Adafactor keeps one number per row and one per column of the matrix."],
    mistakes=[
        Mistake("Adam's second moment only", "Adam stores two full-size moments, m and v.",
                4096 * 1024 / (4096 + 1024)),
        Mistake("Adafactor storing rows times columns",
                "n + m numbers for the factors, not n * m (that would be no saving at all).", 2.0),
    ],
    answer_comment="a number",
)

# ----------------------------------------------------------------------------- q5: Schedule-Free


def _evaluation_letter() -> str:
    opt = ol.schedule_free_adamw(lr=0.05)
    y = np.array([1.0, -1.0])
    state, zs = opt.init(y), []
    for g in ([0.5, -1.0], [1.0, 0.3], [-0.2, 0.4]):
        u, state = opt.update(np.array(g), state, y)
        y = ol.apply_updates(y, u)
        zs.append(state[-1].z)
    x = ol.schedule_free_eval_params(state, y)
    return "b" if np.allclose(x, np.mean(zs, axis=0)) and not np.allclose(x, y) else "a"


q5 = MultipleChoiceExercise(
    "modern.q5",
    "You train with Schedule-Free AdamW (the params your loop holds are the ones `update` is given). "
    "Where do you evaluate the model for the validation loss?",
    {
        "a": Option("At the params the training loop holds, y.", False,
                    "y is where gradients are taken, an interpolation between z and the average x; "
                    "it is noisier than x."),
        "b": Option("At the average x: `ol.schedule_free_eval_params(state, params)` "
                    "(`optimizer.eval()` in the reference).", True,
                    "x is a weighted average of the z iterates (the plain mean only with r = 0 and no "
                    "warm-up): the point the theory is about."),
        "c": Option("At z, the sequence that takes the gradient steps.", False,
                    "z takes plain steps with a constant learning rate: the noisiest of the three."),
        "d": Option("Anywhere: the three sequences coincide after the warm-up.", False,
                    "they never coincide while the gradients are not zero."),
    },
    hints=["The method averages iterates instead of decaying the learning rate."],
    verify=_evaluation_letter,
)

# ----------------------------------------------------------------------------- quiz


def _lion_move() -> float:
    opt = ol.lion(lr=1e-4, weight_decay=0.0)
    x = np.zeros(2)
    u, _ = opt.update(np.array([5.0, -0.01]), opt.init(x), x)
    return float(np.abs(u).max())


def _muon_factor() -> float:
    t = ol.scale_by_shape()
    return float(t.update(np.ones((1024, 256)), t.init(None))[0][0, 0])


def _spike_steps() -> float:
    # simulate the spike's share of Adam's v (gradient 1 forever, one gradient of 1000)
    b2 = 0.95
    opt = ol.adam(lr=1.0, betas=(0.9, b2))
    base = ol.adam(lr=1.0, betas=(0.9, b2))
    x = np.zeros(1)
    s, sb = opt.init(x), base.init(x)
    for k in range(2000):
        _, s = opt.update(np.array([1000.0 if k == 0 else 1.0]), s, x)
        _, sb = base.update(np.array([1.0]), sb, x)
        v, vb = (next(part.v for part in st if hasattr(part, "v")) for st in (s, sb))
        if k > 0 and float(v[0] - vb[0]) <= 1.0:
            break
    k_exact = np.log(1000.0**2 * (1 - b2)) / -np.log(b2)
    assert k - 1 <= k_exact <= k, (k, k_exact)      # the simulation crosses 1 at the formula's step
    return float(k_exact)


def _lamb_step_length() -> float:
    t = ol.scale_by_trust_ratio()
    theta, u = np.array([3.0, 0.0]), np.array([0.0, 0.5])
    step, _ = t.update(u, t.init(theta), theta)
    return float(0.01 * np.linalg.norm(step))


def _vector_letter() -> str:
    g = np.array([[0.3, -1.2, 2.0, 0.1]])
    o = ol.newton_schulz(g)
    cos = float((o @ g.T)[0, 0] / (np.linalg.norm(o) * np.linalg.norm(g)))
    return "a" if abs(cos - 1) < 1e-12 else "?"


QUIZ = [
    ValueExercise(
        "modern.quiz1", r"Lion with $\eta = 10^{-4}$ and no weight decay, first step, gradient "
        r"$g = (5, -0.01)$. By how much does the *first* coordinate move (its absolute change)?",
        _lion_move, "answer = 1e-4", digits=3,
        explanation="Every coordinate moves by exactly lr: the step is lr * sign(c), whatever |g|.",
        mistakes=[
            Mistake("an SGD step", "Lion steps by the sign: lr * 1, not lr * 5.", 5e-4),
            Mistake("lr times 1 - beta1", "c = beta1 m + (1 - beta1) g is g scaled by 0.1 at the first step, "
                    "but the sign removes the scale: the step is lr * sign(c) = lr.", 1e-5),
        ]),
    ValueExercise(
        "modern.quiz2", r"torch.optim.Muon with its default adjust_lr_fn and a $1024\times256$ weight "
        r"matrix: by what factor is the learning rate multiplied?",
        _muon_factor, "answer = np.sqrt(max(1, 1024 / 256))", digits=3,
        explanation="sqrt(max(1, A/B)) = sqrt(4) = 2 for a tall matrix (Keller Jordan's scaling).",
        mistakes=[
            Mistake("Keras's (Moonshot's) scaling", r"0.2 sqrt(max(A, B)) = 6.4 is match_rms_adamw, "
                    "Keras's default, not torch's.", 0.2 * np.sqrt(1024)),
            Mistake("the ratio the wrong way up", "torch uses A/B with A the number of rows: sqrt(4) = 2.",
                    0.5),
        ]),
    ValueExercise(
        "modern.quiz3", r"Adam with $\beta_2 = 0.95$ has seen gradients of size 1 for a long time, so "
        r"$v \approx 1$. One gradient is 1000 times larger. The spike's share of $v$ is then "
        r"$(1-\beta_2)\,1000^2$ and shrinks by $\beta_2$ per step. After how many steps has it fallen "
        r"to the normal level 1? Give 3 significant digits.",
        _spike_steps, "answer = np.log(1000**2 * (1 - 0.95)) / -np.log(0.95)", digits=3,
        explanation="(1 - b2) s^2 b2^k = 1 gives k = ln(s^2 (1 - b2)) / (-ln b2), about 211 for b2 = 0.95 "
                    "(and about 6900 for b2 = 0.999): much longer than the 1/(1 - b2) = 20 steps of memory.",
        mistakes=[
            Mistake("the memory 1/(1 - beta2)", "a spike of 1000 needs many memory lengths to decay: "
                    "solve (1 - b2) s^2 b2^k = 1 for k.", 20.0),
        ]),
    ValueExercise(
        "modern.quiz4", r"LAMB, one layer with $\|\theta\| = 3$ whose direction (Adam plus decay) has "
        r"norm $\|u\| = 0.5$, learning rate $\eta = 0.01$. What is the length of the layer's step?",
        _lamb_step_length, "answer = 0.01 * 3", digits=3,
        explanation="The trust ratio 3 / 0.5 = 6 rescales u to length ||theta|| = 3; times lr: 0.03.",
        mistakes=[
            Mistake("the step without the trust ratio", "LAMB multiplies u by ||theta|| / ||u|| first.", 0.005),
            Mistake("the trust ratio itself", "the ratio 6 is a factor; the step is lr * ratio * ||u||.", 6.0),
        ]),
    MultipleChoiceExercise(
        "modern.quiz5",
        "Why is Muon used for hidden weight matrices and not for a bias vector?",
        {
            "a": Option("A vector, seen as a 1 x n matrix, has one singular value: orthogonalising it only "
                        "divides it by its norm, so there are no directions to balance.", True,
                        "Newton-Schulz on a 1 x n matrix returns a multiple of it: a normalised gradient step."),
            "b": Option("Newton-Schulz diverges on vectors.", False,
                        "it converges; it just has nothing to do but normalise."),
            "c": Option("The gradient of a bias is always zero.", False, "it is not; it is the sum of the errors."),
            "d": Option("Orthogonalising a vector sets it to zero.", False,
                        "it keeps its direction and changes its length only."),
        },
        verify=_vector_letter),
]
