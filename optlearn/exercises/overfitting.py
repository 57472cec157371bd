"""Exercises of chapter 7, *Mini-batches, regularisation and early stopping*.

Questions:
    q1: the gradient of the L2 penalty (weight decay) (function).
    q2: the number of updates per epoch (function).
    q3: an early-stopping rule with patience (function).
    q4: the number of updates of a 10-epoch run (value).
    q5: when early stopping stops, and which epoch it restores (value, tuple).
    q6: reading training and validation curves (multiple choice).
"""

from __future__ import annotations

import math

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Misconception, MultipleChoiceExercise, Option, ValueExercise,
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


def l2_grad(w, lam):
    """Reference: the gradient of lam / 2 * ||w||**2."""
    return lam * w


def _expected_l2_grad(w, lam):
    """The term torch's (coupled) weight_decay adds to a zero gradient."""
    opt = ol.sgd(lr=1.0, weight_decay=lam)
    updates, _ = opt.update(np.zeros_like(w), opt.init(w), w)
    return -updates


q1 = FunctionExercise(
    "overfitting.q1",
    """
    Write the gradient of the L2 penalty lam / 2 * ||w||**2 with respect to w
    (the term torch's weight_decay=lam adds to the gradient).
    """,
    "l2_grad(w, lam)", l2_grad, _expected_l2_grad,
    [
        Case("a vector", (np.array([1.0, -2.0, 0.5]), 0.1)),
        Case("zero weights", (np.zeros(3), 0.01)),
        Case("a matrix", (np.array([[1.0, -3.0], [2.0, 0.0]]), 0.5)),
        Case("large weights", (np.array([1e6, -2e6]), 1e-4)),
    ],
    hints=["Differentiate lam / 2 * sum(w**2) coordinate by coordinate.", "The 1/2 cancels the 2."],
    misconceptions=[
        Misconception("the gradient of lam * ||w||**2", "the penalty has a factor 1/2: its gradient is lam * w.",
                      lambda w, lam: 2 * lam * w),
        Misconception("the L1 penalty", "lam * sign(w) is the (sub)gradient of lam * ||w||_1.",
                      lambda w, lam: lam * np.sign(w)),
    ],
)


def updates_per_epoch(n_examples, batch_size, drop_last):
    """Reference: one update per mini-batch; a last partial batch counts unless dropped."""
    if drop_last:
        return n_examples // batch_size
    return math.ceil(n_examples / batch_size)


q2 = FunctionExercise(
    "overfitting.q2",
    """
    An epoch visits every example once in mini-batches of batch_size. Return the
    number of updates (an int); with drop_last=True a last, incomplete batch is skipped.
    """,
    "updates_per_epoch(n_examples, batch_size, drop_last)", updates_per_epoch,
    lambda n, b, drop_last: len(range(0, n - b + 1 if drop_last else n, b)),
    [
        Case("exact division", (1000, 50, False)),
        Case("a partial last batch", (1000, 32, False)),
        Case("dropping the partial batch", (1000, 32, True)),
        Case("batch larger than the data", (10, 32, False)),
        Case("full batch", (64, 64, True)),
    ],
    hints=["With a partial batch kept, round n / batch_size up; dropped, round it down."],
    misconceptions=[
        Misconception("always dropping the partial batch", "with drop_last=False the last, smaller "
                      "batch is still an update: round up.", lambda n, b, d: n // b),
        Misconception("a fractional number of updates", "updates are counted in whole batches.",
                      lambda n, b, d: n / b),
    ],
)


def should_stop(val_losses, patience):
    """Reference: stop when the best loss is at least `patience` epochs old."""
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
    val_losses lists the validation losses of the epochs so far. Return True
    when training should stop: no epoch of the last `patience` ones improved on
    the best loss seen before them (i.e. the best epoch is at least `patience` epochs old).
    """,
    "should_stop(val_losses, patience)", should_stop, _expected_should_stop,
    [
        Case("first epoch", (np.array([1.0]), 2)),
        Case("still improving", (np.array([1.0, 0.9, 0.8]), 2)),
        Case("one bad epoch, patience 2", (np.array([1.0, 0.9, 0.95]), 2)),
        Case("two bad epochs, patience 2", (np.array([1.0, 0.9, 0.95, 0.92]), 2)),
        Case("an improvement after a bump", (np.array(_CURVE[:5]), 2)),
        Case("patience 3 exhausted", (np.array(_CURVE), 3)),
    ],
    hints=["Find the epoch of the best (lowest) loss with np.argmin.",
           "Count the epochs after it: len(val_losses) - 1 - best_epoch."],
    misconceptions=[
        Misconception("stopping at the first increase", "patience allows some bad epochs; compare with "
                      "the best loss, not the previous one.",
                      lambda v, p: len(v) > 1 and bool(v[-1] > v[-2])),
        Misconception("a patience off by one", "stop when the best epoch is `patience` epochs old, "
                      "not patience + 1.", lambda v, p: len(v) - 1 - int(np.argmin(v)) > p),
    ],
)

q4 = ValueExercise(
    "overfitting.q4",
    """
    1000 training examples, batch size 32, the last partial batch kept,
    10 epochs. How many optimizer updates does training do?
    """,
    lambda: 10 * len(range(0, 1000, 32)),
    """
    10 * len(range(0, 1000, 32))   # 32 batches per epoch (31 full + 1 of 8 examples): 320
    """,
    hints=["Count the batches of one epoch: 1000 / 32 = 31.25."],
    misconceptions=[
        Misconception("dropping the partial batch", "the last batch of 8 examples is still an update.", 310),
        Misconception("a fractional number of updates", "updates come in whole batches.", 312.5),
        Misconception("one epoch only", "multiply by the 10 epochs.", 32),
    ],
    rtol=0.0, atol=1e-9,
)

q5 = ValueExercise(
    "overfitting.q5",
    f"""
    Early stopping with patience 3 watches the validation losses
    {_CURVE} (epochs 0, 1, ...). After which epoch does it stop, and which
    epoch's weights does it restore? Answer (stop_epoch, best_epoch).
    """,
    lambda: next((e, int(np.argmin(_CURVE[: e + 1])))
                 for e in range(len(_CURVE)) if _expected_should_stop(_CURVE[: e + 1], 3)),
    """
    stop = first epoch e with should_stop(losses[: e + 1], 3)   # best is epoch 4 (0.69): stop at 7
    (stop, int(np.argmin(losses[: stop + 1])))                 # (7, 4)
    """,
    hints=["The best loss is 0.69; the bump at epoch 3 is forgiven because epoch 4 improves.",
           "Count 3 epochs without improvement after the best one."],
    misconceptions=[
        Misconception("stopping at the first increase", "epoch 3 is worse than epoch 2, but patience "
                      "allows 3 bad epochs; epoch 4 then improves.", (3, 2)),
        Misconception("restoring the last weights", "early stopping restores the *best* epoch.", (7, 7)),
    ],
    rtol=0.0, atol=1e-9,
)

q6 = MultipleChoiceExercise(
    "overfitting.q6",
    "The training loss keeps decreasing while the validation loss has been rising for 20 epochs. What is happening?",
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
