"""Teaching hints: one sentence explaining why a run of ``minimize`` or ``fit`` diverged.

Kept apart from the training loops so that the loops only compute and record;
the words a reader sees live here.

Example:
    >>> from optlearn.functions import Quadratic
    >>> minimize_hint(Quadratic.from_condition(10.0), lr=0.25)
    'the learning rate 0.25 is above 2/L = 0.2 for this quadratic'
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["minimize_hint", "fit_hint"]


def minimize_hint(objective, lr: float | None, error: str = "") -> str:
    """Why :func:`~optlearn.train.minimize` diverged on ``objective``.

    Args:
        objective: the objective (a :class:`~optlearn.functions.Quadratic` gets the 2/L rule).
        lr: the learning rate of a plain gradient step, or ``None`` when the
            optimizer's first update was not ``-lr * grad`` (the 2/L rule is then not applied).
        error: the message of a non-finite update, if that is what stopped the run.

    Example:
        >>> minimize_hint(object(), None)
        'the iterates blew up: the learning rate is probably too large; try one 10x smaller'
    """
    from optlearn.functions import Quadratic

    if error:
        return f"the optimizer produced a non-finite update: {error}"
    if isinstance(objective, Quadratic):
        limit = 2.0 / objective.L
        if lr is not None and lr > limit:
            return f"the learning rate {lr:g} is above 2/L = {limit:g} for this quadratic"
        return f"gradient descent on this quadratic is stable only for lr < 2/L = {limit:g}; try a smaller learning rate"
    if getattr(objective, "fmin", 0.0) == -np.inf:
        return "the objective is unbounded below: the iterates ran off to infinity"
    return "the iterates blew up: the learning rate is probably too large; try one 10x smaller"


def fit_hint(lrs: np.ndarray, step: int, epoch: int, error: str = "") -> str:
    """Why :func:`~optlearn.train.fit` stopped after ``step`` updates in ``epoch``.

    ``lrs`` are the learning rates of the updates done (read from the optimizer
    state); a constant, known rate is named with a tenth of it to try.

    Example:
        >>> fit_hint(np.array([1.0, 1.0]), 2, 1)
        'the loss or parameters became non-finite after 2 updates (epoch 1): the learning rate 1 is too large; try 0.1'
    """
    where = f"after {step} updates (epoch {epoch})"
    if error:
        return f"the optimizer produced a non-finite update {where}: {error}"
    if step == 0:
        return (f"the loss or parameters were non-finite before any update (epoch {epoch}): not a learning-rate "
                "problem; check the data and the initial parameters for NaN or infinity")
    lrs = np.asarray(lrs, dtype=float)
    if lrs.size and np.all(lrs == lrs[0]) and math.isfinite(lrs[0]):
        return f"the loss or parameters became non-finite {where}: the learning rate {lrs[0]:g} is too large; try {lrs[0] / 10:g}"
    return f"the loss or parameters became non-finite {where}: the learning rate is probably too large; try one 10x smaller"
