"""Exercises of chapter 7, *Mini-batches, regularisation and early stopping*.

Questions:
    q1: the gradient of the L2 penalty (weight decay) (function).
    q2: the number of updates per epoch (function).
    q3: an early-stopping rule with patience (function).
    q4: the number of updates of a 10-epoch run (value).
    q5: when early stopping stops, and which epoch it restores (value, tuple).
    q6: reading training and validation curves (multiple choice).
    q7: inverted dropout, the 1/(1 - p) scaling (function).
    q8: the soft-threshold (proximal L1) step (function).
    q9: Adam with L2 versus AdamW on a large weight (value, tuple).
    q10: the large-batch scaling rules for SGD and Adam (value, tuple).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Mistake, MultipleChoiceExercise, Option, ValueExercise, run,
)

__all__ = ["QUIZ", "q1", "q10", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"]


def l2_grad(w, lam):
    return lam * w


def _expected_l2_grad(w, lam):
    """The term torch's (coupled) weight_decay adds to a zero gradient."""
    opt = ol.sgd(lr=1.0, weight_decay=lam)
    updates, _ = opt.update(np.zeros_like(w), opt.init(w), w)
    return -updates


q1 = FunctionExercise(
    "overfitting.q1",
    r"""
    Write the gradient of the L2 penalty $\frac{\lambda}{2}\lVert w\rVert^2$ with respect to $w$
    ($\lambda$ = `lam`): the term PyTorch's `weight_decay=lam` adds to the gradient.
    """,
    l2_grad,
    [
        Case("a vector", (np.array([1.0, -2.0, 0.5]), 0.1)),
        Case("zero weights", (np.zeros(3), 0.01)),
        Case("a matrix", (np.array([[1.0, -3.0], [2.0, 0.0]]), 0.5)),
        Case("large weights", (np.array([1e6, -2e6]), 1e-4)),
    ],
    expected=_expected_l2_grad, returns="an array shaped like w",
    hints=["Differentiate lam / 2 * sum(w**2) coordinate by coordinate.", "The 1/2 cancels the 2."],
    mistakes=[
        Mistake("the gradient of lam * ||w||**2", "the penalty has a factor 1/2: its gradient is lam * w.",
                      lambda w, lam: 2 * lam * w),
        Mistake("the L1 penalty", "lam * sign(w) is the (sub)gradient of lam * ||w||_1.",
                      lambda w, lam: lam * np.sign(w)),
    ],
)


def updates_per_epoch(n_examples, batch_size, drop_last):
    if drop_last:
        return n_examples // batch_size
    return (n_examples + batch_size - 1) // batch_size   # rounded up: a partial batch is an update


q2 = FunctionExercise(
    "overfitting.q2",
    """
    An epoch visits every example once in mini-batches of `batch_size`. Return the number of updates
    per epoch (an int); with `drop_last=True` a last, incomplete batch is skipped.
    """,
    updates_per_epoch,
    [
        Case("exact division", (1000, 50, False)),
        Case("a small partial last batch", (1000, 32, False)),
        Case("a partial batch of more than half", (1000, 64, False)),
        Case("dropping the partial batch", (1000, 32, True)),
        Case("batch larger than the data", (10, 32, False)),
        Case("full batch", (64, 64, True)),
    ],
    expected=lambda n, b, drop_last: len(range(0, n - b + 1 if drop_last else n, b)),
    returns="an int",
    hints=["With a partial batch kept, round n / batch_size up; dropped, round it down."],
    mistakes=[
        Mistake("always dropping the partial batch", "with drop_last=False the last, smaller "
                      "batch is still an update: round up.", lambda n, b, d: n // b),
        Mistake("rounding n / batch_size", "a partial batch is one update however small it is "
                "(round up), unless it is dropped (round down); rounding to the nearest is neither.",
                lambda n, b, d: round(n / b)),
        Mistake("a fractional number of updates", "updates are counted in whole batches.",
                      lambda n, b, d: n / b),
    ],
)


def should_stop(val_losses, patience):
    best_epoch = int(np.argmin(val_losses))
    return len(val_losses) - 1 - best_epoch >= patience


def _expected_should_stop(val_losses, patience):
    losses = list(val_losses)
    best = min(losses)
    return len(losses) - 1 - losses.index(best) >= patience


_CURVE = [1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.75]

q3 = FunctionExercise(
    "overfitting.q3",
    """
    `val_losses` is a Python list of the validation losses of the epochs so far. Return `True` when
    early stopping with the given `patience` should stop: no epoch of the last `patience` ones
    improved on the best loss seen before them, i.e. the best epoch is at least `patience` epochs old.
    """,
    should_stop,
    [
        Case("first epoch", ([1.0], 2)),
        Case("still improving", ([1.0, 0.9, 0.8], 2)),
        Case("one bad epoch, patience 2", ([1.0, 0.9, 0.95], 2)),
        Case("two bad epochs, patience 2", ([1.0, 0.9, 0.95, 0.92], 2)),
        Case("an improvement after a bump", (_CURVE[:5], 2)),
        Case("patience 3 exhausted", (list(_CURVE), 3)),
    ],
    expected=_expected_should_stop, returns="True or False",
    hints=["Find the epoch of the best (lowest) loss with np.argmin.",
           "Count the epochs after it: len(val_losses) - 1 - best_epoch."],
    mistakes=[
        Mistake("stopping at the first increase", "patience allows some bad epochs; compare with "
                      "the best loss, not the previous one.",
                      lambda v, p: len(v) > 1 and bool(v[-1] > v[-2])),
        Mistake("a patience off by one", "stop when the best epoch is `patience` epochs old, "
                      "not patience + 1.", lambda v, p: len(v) - 1 - int(np.argmin(v)) > p),
    ],
)

q4 = ValueExercise(
    "overfitting.q4",
    """
    1,000 training examples, batch size 32, the last partial batch kept, 10 epochs. How many optimizer
    updates does training do?
    """,
    lambda: 10 * len(range(0, 1000, 32)),
    """
    answer = 10 * len(range(0, 1000, 32))   # 32 batches per epoch (31 full + 1 of 8 examples)
    """,
    answer_comment="an integer",
    hints=["Count the batches of one epoch: 1000 / 32 = 31.25."],
    mistakes=[
        Mistake("dropping the partial batch", "the last batch of 8 examples is still an update.", 310),
        Mistake("a fractional number of updates", "updates come in whole batches.", 312.5),
        Mistake("one epoch only", "multiply by the 10 epochs.", 32),
    ],
    rtol=0.0, atol=1e-9,
)

q5 = ValueExercise(
    "overfitting.q5",
    f"""
    Early stopping with patience 3 watches the validation losses `{_CURVE}` (epochs 0, 1, ...).
    After which epoch does it stop, and which epoch's weights does it restore? Answer
    `(stop_epoch, best_epoch)`.
    """,
    lambda: next((e, int(np.argmin(_CURVE[: e + 1])))
                 for e in range(len(_CURVE)) if _expected_should_stop(_CURVE[: e + 1], 3)),
    f"""
    losses = {_CURVE}
    stop = next(e for e in range(len(losses))
                if len(losses[: e + 1]) - 1 - int(np.argmin(losses[: e + 1])) >= 3)
    answer = (stop, int(np.argmin(losses[: stop + 1])))
    """,
    answer_comment="a tuple (stop_epoch, best_epoch)",
    hints=["The best loss is 0.69; the bump at epoch 3 is forgiven because epoch 4 improves.",
           "Count 3 epochs without improvement after the best one."],
    mistakes=[
        Mistake("stopping at the first increase", "epoch 3 is worse than epoch 2, but patience "
                "allows 3 bad epochs; epoch 4 then improves.", (3, 2)),
        Mistake("restoring the last weights", "early stopping restores the *best* epoch.", (7, 7)),
    ],
    rtol=0.0, atol=1e-9,
)

q6 = MultipleChoiceExercise(
    "overfitting.q6",
    "The training loss keeps decreasing while the validation loss has been rising for 20 epochs. "
    "What is happening?",
    {
        "a": Option("The learning rate is too large.", False,
                    "A too-large lr makes the *training* loss rise or oscillate; here it decreases."),
        "b": Option("The model is overfitting: it fits the training set's noise.", True,
                    "Stop early (restore the best epoch), add weight decay, or get more data."),
        "c": Option("The model is underfitting.", False,
                    "Underfitting shows as a high *training* loss."),
        "d": Option("The validation set is too large.", False,
                    "A larger validation set only makes the validation loss less noisy."),
    },
    hints=["Which of the two losses measures generalisation?"],
)


# ----------------------------------------------------------------------------- dropout
def inverted_dropout(h, mask, p):
    return h * mask / (1 - p)


_RNG = np.random.default_rng(7)
_H = _RNG.normal(size=(4, 5))

q7 = FunctionExercise(
    "overfitting.q7",
    r"""
    Write inverted dropout in training mode, as `nn.Dropout(p)` and `MLP(..., dropout=p)` apply it:
    `h` holds hidden activations, `mask` has the same shape with 1 for the units kept and 0 for the
    units dropped (each dropped with probability `p`). Return the activations the next layer sees,
    scaled so that their expected value is `h`.
    """,
    inverted_dropout,
    [
        Case("p = 0.5", (np.array([1.0, -2.0, 3.0, 0.5]), np.array([1.0, 0.0, 1.0, 1.0]), 0.5)),
        Case("p = 0.2, a matrix", (_H, (_RNG.random((4, 5)) >= 0.2).astype(float), 0.2)),
        Case("p = 0.9", (np.array([2.0, 4.0, -1.0]), np.array([0.0, 1.0, 1.0]), 0.9)),
        Case("nothing dropped", (np.array([[1.0, 2.0]]), np.ones((1, 2)), 0.3)),
    ],
    returns="an array shaped like h",
    hints=["A unit survives with probability 1 - p; E[mask] = 1 - p.",
           "Divide the surviving units by 1 - p so that E[h * mask / (1 - p)] = h."],
    mistakes=[
        Mistake("dropout without the scaling", "without 1/(1 - p) the expected activation in training "
                "is (1 - p) h, smaller than at evaluation, where nothing is dropped.",
                lambda h, mask, p: h * mask),
        Mistake("scaling by 1/p", "a unit survives with probability 1 - p, so divide by 1 - p.",
                lambda h, mask, p: h * mask / p),
        Mistake("the original (non-inverted) dropout's scaling", "multiplying by 1 - p is what the "
                "original dropout does at *evaluation*; inverted dropout divides by 1 - p in training.",
                lambda h, mask, p: h * mask * (1 - p)),
        Mistake("the mask read the wrong way round", "mask is 1 for the units *kept*.",
                lambda h, mask, p: h * (1 - mask) / (1 - p)),
    ],
)


# ----------------------------------------------------------------------------- L1: the proximal step
def prox_l1(w, threshold):
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


q8 = FunctionExercise(
    "overfitting.q8",
    r"""
    Write the soft-threshold step, the proximal step of the L1 penalty that the chapter chains after
    a gradient step (with `threshold` $= \eta\lambda$): every weight moves towards 0 by `threshold`,
    and a weight that would cross 0 stops at exactly 0.
    """,
    prox_l1,
    [
        Case("the chapter's example", (np.array([2.0, 0.3, -0.6]), 0.5)),
        Case("exactly at the threshold", (np.array([0.5, -0.5, 0.0]), 0.5)),
        Case("threshold 0", (np.array([1.5, -2.5]), 0.0)),
        Case("a matrix", (np.array([[3.0, -0.1], [-4.0, 0.05]]), 0.2)),
    ],
    returns="an array shaped like w",
    hints=["Shrink |w| by threshold, but not below 0: max(|w| - threshold, 0).",
           "Put the sign back: sign(w) * max(|w| - threshold, 0)."],
    mistakes=[
        Mistake("a subgradient step", "w - threshold * sign(w) overshoots: a small weight jumps to the "
                "other side of 0 instead of stopping at 0, which is why subgradient descent never gives "
                "exact zeros.", lambda w, threshold: w - threshold * np.sign(w)),
        Mistake("hard thresholding", "setting small weights to 0 is right, but the others must shrink by "
                "threshold as well.", lambda w, threshold: w * (np.abs(w) > threshold)),
        Mistake("the L2 (weight-decay) shrinkage", "multiplying by a factor shrinks every weight in "
                "proportion and never reaches 0; L1 subtracts a constant.",
                lambda w, threshold: w * (1 - threshold)),
    ],
)


def _check_prox(w: np.ndarray, threshold: float) -> np.ndarray:
    """The argmin of (z - w)**2 / 2 + threshold * |z| found on a fine grid (for the tests)."""
    z = np.linspace(-10, 10, 200001)
    return np.array([z[np.argmin((z - wi) ** 2 / 2 + threshold * np.abs(z))] for wi in np.ravel(w)]).reshape(
        np.shape(w))


# ----------------------------------------------------------------------------- AdamW versus L2
def _one_step(opt, w0: float) -> float:
    return float(run(opt, [w0], [[0.0]])[0][0][0])


_W9 = (_one_step(ol.adam(lr=0.01, weight_decay=0.1), 100.0), _one_step(ol.adamw(lr=0.01, weight_decay=0.1), 100.0))

q9 = ValueExercise(
    "overfitting.q9",
    r"""
    A weight $w = 100$ whose loss gradient is 0 takes one step of `Adam(lr=0.01, weight_decay=0.1)`
    (L2: $0.1\,w$ is added to the gradient) and, separately, one step of
    `AdamW(lr=0.01, weight_decay=0.1)` (decoupled). What is $w$ after each? Answer
    `(w_adam_l2, w_adamw)`.
    """,
    lambda: _W9,
    """
    def one_step(opt, w0):
        w = np.array([w0])
        updates, state = opt.update(np.zeros(1), opt.init(w), w)
        return (w + updates).item()

    answer = (one_step(ol.adam(lr=0.01, weight_decay=0.1), 100.0),
              one_step(ol.adamw(lr=0.01, weight_decay=0.1), 100.0))
    """,
    digits=4, answer_comment="a tuple (w_adam_l2, w_adamw)",
    explanation="Adam divides the L2 gradient 0.1 w = 10 by its own size, so the first step is lr = 0.01 "
                "whatever w is; AdamW shrinks w by the factor 1 - lr * weight_decay, 0.1% of w = 0.1.",
    hints=["Adam + L2: the gradient is 0.1 * 100 = 10, and Adam's first step is lr * sign(gradient).",
           "AdamW: w * (1 - lr * weight_decay), then an Adam step on the zero loss gradient (which is 0)."],
    mistakes=[
        Mistake("treating the two as the same", "with Adam the L2 gradient is normalised by sqrt(v_hat), "
                "so large weights are barely decayed; AdamW's decay is proportional to w.", (99.9, 99.9)),
        Mistake("the two swapped", "Adam + L2 moves w by lr (0.01) at the first step; AdamW by "
                "lr * weight_decay * w = 0.1.", (99.9, 99.99)),
        Mistake("AdamW's decay normalised too", "AdamW's decay is applied outside Adam's normalisation: "
                "w * (1 - lr * weight_decay).", (99.99, 99.99)),
    ],
)


# ----------------------------------------------------------------------------- large batches
q10 = ValueExercise(
    "overfitting.q10",
    r"""
    A model trains well with batch size 256 and SGD at `lr = 0.1`, and separately with Adam at
    `lr = 1e-3`. The batch size becomes 2048. Which learning rates do the usual scaling rules give:
    the linear rule for SGD (Goyal et al. 2017) and the square-root rule for Adam (Malladi et al.
    2022)? Answer `(lr_sgd, lr_adam)`.
    """,
    lambda: (0.1 * 2048 / 256, 1e-3 * np.sqrt(2048 / 256)),
    """
    k = 2048 / 256
    answer = (0.1 * k, 1e-3 * np.sqrt(k))
    """,
    digits=3, answer_comment="a tuple (lr_sgd, lr_adam)",
    explanation="k = 8: SGD's lr times k (k small steps = one step with k times the lr), Adam's times "
                "sqrt(k) (its update is normalised, and the gradient noise's standard deviation falls like "
                "1/sqrt(k)); both rules need a warmup and fail beyond a critical batch size.",
    hints=["The batch grows by k = 2048 / 256 = 8.",
           "Linear rule: lr times k. Square-root rule: lr times sqrt(k)."],
    mistakes=[
        Mistake("the linear rule for Adam as well", "Adam's update is normalised by sqrt(v_hat); the "
                "rule that keeps its dynamics is the square-root one: lr * sqrt(k).", (0.8, 0.008)),
        Mistake("the square-root rule for SGD as well", "for SGD, k small steps add up to one step with "
                "k times the lr: the linear rule.", (0.1 * np.sqrt(8), 1e-3 * np.sqrt(8))),
        Mistake("unchanged learning rates", "a larger batch has less gradient noise and takes k times "
                "fewer steps per epoch: scale the learning rate.", (0.1, 1e-3)),
    ],
)


# ----------------------------------------------------------------------------- quiz
def _penalty_gradient() -> float:
    w = np.array([2.0])
    opt = ol.sgd(lr=1.0, weight_decay=0.01)
    return float(-opt.update(np.zeros(1), opt.init(w), w)[0][0])


QUIZ = [
    ValueExercise(
        "overfitting.quiz1", "600 examples, batch size 64, last partial batch kept: how many updates in "
        "5 epochs? (An integer.)", lambda: 5 * len(range(0, 600, 64)), "answer = 5 * 10",
        rtol=0.0, atol=1e-9, explanation="10 batches per epoch (9 of 64 and one of 24).",
        mistakes=[
            Mistake("dropping the partial batch", "the last batch of 24 examples is an update too.", 45),
            Mistake("a fractional number of updates", "updates come in whole batches.", 46.875),
        ]),
    ValueExercise(
        "overfitting.quiz2", r"Weight decay 0.01 (penalty $\frac{0.01}{2} w^2$): what does it add to the "
        "gradient at $w = 2$?", _penalty_gradient, "answer = 0.01 * 2", digits=3,
        explanation="lambda * w = 0.02.",
        mistakes=[Mistake("the gradient of lambda * w**2", "the 1/2 of the penalty cancels the 2.", 0.04)]),
    ValueExercise(
        "overfitting.quiz3", "Inverted dropout with $p = 0.2$: by which factor are the surviving activations "
        "multiplied in training?", lambda: 1 / (1 - 0.2), "answer = 1 / (1 - 0.2)", digits=3,
        explanation="1/(1 - p) = 1.25, so the expected activation equals the evaluation-mode one.",
        mistakes=[
            Mistake("scaling by 1/p", "a unit survives with probability 1 - p: divide by 1 - p.", 5.0),
            Mistake("the original dropout's evaluation factor", "multiplying by 1 - p = 0.8 is what the "
                    "original dropout does at evaluation; inverted dropout divides by it in training.", 0.8),
        ]),
    q6,
]
