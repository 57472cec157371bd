"""Argument checks of the foundations modules (curvature, line search, Newton, Polyak, convex).

Scalars go through :mod:`optlearn.validation` (message style ``name=value must be …``);
the array checks the foundations modules need (a point, a symmetric matrix) are here,
in the same style.

Example:
    >>> positive("lr", 0.5)
    0.5
    >>> positive("lr", -1.0)
    Traceback (most recent call last):
    ...
    optlearn.validation.InvalidArgumentError: lr=-1.0 must be a finite number > 0
"""

from __future__ import annotations

import numpy as np

from optlearn.validation import check_int, check_in_range, check_positive, fail

__all__ = ["positive", "in_open_interval", "positive_int", "point", "square_symmetric"]


def positive(name: str, value) -> float:
    """``value`` as a float, or an error unless it is finite and > 0."""
    return check_positive(name, value)


def in_open_interval(name: str, value, low: float, high: float) -> float:
    """``value`` as a float, or an error unless ``low < value < high``."""
    return check_in_range(name, value, low, high, low_open=True, high_open=True)


def positive_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int, or an error unless it is an integer >= ``minimum``."""
    return check_int(name, value, low=minimum)


def point(name: str, value) -> np.ndarray:
    """A finite, non-empty 1-D float array (a copy), or an error.

    Example:
        >>> point("x0", [1.0, float("nan")])
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: x0=[1.0, nan] must be a finite, non-empty 1-D array
    """
    try:
        x = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise fail(name, value, "a finite, non-empty 1-D array") from None
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise fail(name, value, "a finite, non-empty 1-D array")
    return x


def square_symmetric(name: str, value) -> np.ndarray:
    """A finite symmetric square float matrix (symmetrised), or an error (tolerance 1e-10 relative).

    Example:
        >>> square_symmetric("hessian", np.zeros((2, 3)))
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: hessian=array(shape=(2, 3), dtype=float64) must be a square matrix
    """
    try:
        H = np.atleast_2d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise fail(name, value, "a square matrix of numbers") from None
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise fail(name, value, "a square matrix")
    if H.size == 0:
        raise fail(name, value, "a non-empty square matrix", "it has shape (0, 0)")
    if not np.all(np.isfinite(H)):
        raise fail(name, H.tolist(), "finite", "it contains NaN or infinity")
    asym = float(np.abs(H - H.T).max())
    if asym > 1e-10 * max(1.0, float(np.abs(H).max())):
        raise fail(name, H.tolist(), "symmetric", f"|{name} - {name}.T| reaches {asym:.3g}")
    return 0.5 * (H + H.T)
