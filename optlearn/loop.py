"""The optimization loop: evaluate, update, repeat; shared by ``minimize`` and ``lr_range_test``.

:func:`optimize` is a generator: it evaluates the loss and gradient at the
current parameters, yields a :class:`Step`, then (if the caller asks for the
next one) applies one optimizer update. The caller records what it needs and
decides when to stop (``break``). Nothing in it prints, plots or warns: numpy
floating-point warnings are silenced inside it and every non-finite value is
reported through the steps it yields.

Example:
    >>> import numpy as np, optlearn as ol
    >>> f = lambda x, t: (float(x @ x), 2 * x)          # loss and gradient of |x|^2
    >>> for step in optimize(f, np.array([1.0]), ol.sgd(lr=0.25), steps=3):
    ...     print(step.t, step.params, step.loss, step.lr)
    0 [1.] 1.0 nan
    1 [0.5] 0.25 0.25
    2 [0.25] 0.0625 0.25
    3 [0.125] 0.015625 0.25
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, NamedTuple

import numpy as np

from optlearn.base import GradientTransformation, Params, apply_updates, tree_items
from optlearn.transforms import NonFiniteUpdateError, last_lr
from optlearn.validation import check_int

__all__ = ["Step", "optimize", "all_finite"]


class Step(NamedTuple):
    """One evaluation of the loop.

    Attributes:
        t: the number of updates done before it (0 at the start).
        params: the parameters evaluated.
        loss: the loss there (a float, possibly inf or NaN).
        grads: the gradient there (same structure as ``params``).
        lr: the learning rate of the update that led here, read from the
            optimizer state (NaN at ``t = 0`` or when the optimizer has none).
        update: that update (``None`` at ``t = 0``).
        error: the message of a :class:`~optlearn.transforms.NonFiniteUpdateError`
            raised by the update that led here; then ``params``, ``loss`` and
            ``grads`` are those of the last finite point and the loop ends.
    """

    t: int
    params: Params
    loss: float
    grads: Params
    lr: float
    update: Params | None = None
    error: str = ""


def all_finite(tree: Params) -> bool:
    """True when every array of a tree is finite.

    Example:
        >>> all_finite({"w": np.ones(2), "b": np.array([np.nan])})
        False
    """
    return all(np.all(np.isfinite(a)) for _, a in tree_items(tree))


def optimize(loss_and_grad: Callable[[Params, int], tuple[float, Params]], params: Params,
             optimizer: GradientTransformation, steps: int, state=None) -> Iterator[Step]:
    """Yield a :class:`Step` for ``t = 0, 1, ..., steps``, updating between them.

    Args:
        loss_and_grad: ``(params, t) -> (loss, grads)``; ``t`` lets it pick the
            ``t``-th mini-batch.
        params: the starting parameters (not modified).
        optimizer: a ``GradientTransformation``.
        steps: the largest number of updates (an integer >= 0).
        state: the optimizer state to start from (default ``optimizer.init(params)``).

    The loop ends by itself after a step whose loss or gradient is not finite
    (no update is attempted from there) or whose update raised
    :class:`~optlearn.transforms.NonFiniteUpdateError` (that step carries the
    message in ``error``).

    Example:
        >>> import optlearn as ol
        >>> steps = list(optimize(lambda x, t: (float(x[0]), np.array([np.inf])), np.zeros(1), ol.sgd(lr=0.1), 5))
        >>> len(steps), steps[-1].t
        (1, 0)
    """
    steps = check_int("steps", steps)
    state = optimizer.init(params) if state is None else state
    t, lr, update = 0, math.nan, None
    while True:
        with np.errstate(all="ignore"):
            loss, grads = loss_and_grad(params, t)
        yield Step(t, params, loss, grads, lr, update)
        if t >= steps or not (np.isfinite(loss) and all_finite(grads)):
            return
        try:
            with np.errstate(all="ignore"):  # a hand-made optimizer may divide by 0: its NaN is reported
                update, state = optimizer.update(grads, state, params)
                params = apply_updates(params, update)
        except NonFiniteUpdateError as err:
            yield Step(t + 1, params, math.nan, grads, math.nan, None, str(err))
            return
        found = last_lr(state)
        lr = math.nan if found is None else found
        t += 1
