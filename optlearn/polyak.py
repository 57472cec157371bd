"""The Polyak step size ``(f(x) - f*) / |grad f(x)|^2``, for when the optimal value ``f*`` is known.

Polyak (*Introduction to Optimization*, 1987, section 5.3) chose the step that
minimises the upper bound ``|x - lr g - x*|^2 <= |x - x*|^2 - 2 lr (f(x) - f*) + lr^2 |g|^2``
valid for convex ``f``; it needs no smoothness constant, only ``f*`` (often 0 for
interpolating models). With it the distance to every minimiser never increases on
a convex function, and on an L-smooth, mu-strongly convex one it shrinks at least
by ``sqrt(1 - mu / (4 L))`` per step (Hazan & Kakade, *Revisiting the Polyak step
size*, 2019, arXiv:1905.00313). optax has it as ``optax.polyak_sgd``.

Example:
    >>> import numpy as np
    >>> polyak_lr(fx=2.0, f_star=0.0, grad=np.array([2.0, 0.0]))   # f = |x|^2 / 2 at x = (2, 0)
    0.5
"""

from __future__ import annotations

import numpy as np

from optlearn import _fcheck
from optlearn.validation import check_non_negative, check_number, fail

__all__ = ["polyak_lr"]


def polyak_lr(fx: float, f_star: float | None, grad, max_lr: float = np.inf, eps: float = 0.0) -> float:
    """The Polyak step size ``min(max_lr, (fx - f_star) / (|grad|^2 + eps))``.

    Args:
        fx: ``f(x)`` at the current point.
        f_star: the optimal value ``f* = min f`` (units of ``f``); must be known.
        grad: the gradient at ``x``, any shape.
        max_lr: a cap on the step (optax's ``max_learning_rate``), ``> 0``.
        eps: added to ``|grad|^2`` (optax's ``eps``), ``>= 0``.

    Returns:
        The step size (units: those of ``x^2 / f``); ``0.0`` at a point with a zero gradient.

    Raises:
        ValueError: if ``f_star`` is missing or not finite (the step needs ``f*``: use a
            line search when it is unknown), or ``fx < f_star`` (then ``f_star`` is not
            the minimum), or a ``grad`` with NaN or infinite entries.

    Example:
        >>> polyak_lr(1.0, None, np.ones(2))
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: f_star=None must be the optimal value f* = min f (a finite number); the Polyak step (f(x) - f*) / |grad|^2 needs it; when f* is unknown use a line search (ol.armijo)
    """
    if f_star is None or not np.isfinite(np.asarray(f_star, dtype=float)).all() or np.ndim(f_star) != 0:
        raise fail("f_star", f_star, "the optimal value f* = min f (a finite number)",
                   "the Polyak step (f(x) - f*) / |grad|^2 needs it; when f* is unknown use a line search (ol.armijo)")
    max_lr = float("inf") if max_lr == np.inf else _fcheck.positive("max_lr", max_lr)
    eps = check_non_negative("eps", eps)
    fx, f_star = check_number("fx", fx), float(f_star)
    if fx < f_star - 1e-12 * max(1.0, abs(f_star)):
        raise fail("fx", fx, f">= f_star={f_star:.6g}", "f_star is not the minimum of f")
    g = np.asarray(grad, dtype=float)
    if not np.all(np.isfinite(g)):
        raise fail("grad", grad, "finite (no NaN or infinite entries)",
                   "the Polyak step is undefined; check the gradient with ol.functions.check_grad")
    gg = float(np.sum(g**2)) + float(eps)
    if gg == 0:
        return 0.0
    return min(max_lr, max(fx - f_star, 0.0) / gg)
