"""Argument checks shared by the foundations modules (curvature, line search, Newton, Polyak).

Messages follow the package style ``name=value must be …``. These helpers are thin
so that they can be switched to the package-wide validation module in one place.

Example:
    >>> positive("lr", 0.5)
    0.5
    >>> positive("lr", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: lr=-1.0 must be a finite number > 0
"""

from __future__ import annotations

import numpy as np

__all__ = ["positive", "in_open_interval", "positive_int", "point", "square_symmetric"]


def positive(name: str, value) -> float:
    """``value`` as a float, or ValueError unless it is finite and > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} must be a finite number > 0") from None
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{name}={value!r} must be a finite number > 0")
    return v


def in_open_interval(name: str, value, low: float, high: float) -> float:
    """``value`` as a float, or ValueError unless ``low < value < high``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} must be a number in ({low:g}, {high:g})") from None
    if not (low < v < high):
        raise ValueError(f"{name}={value!r} must be a number in ({low:g}, {high:g})")
    return v


def positive_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int, or ValueError unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def point(name: str, value) -> np.ndarray:
    """A finite, non-empty 1-D float array (a copy), or ValueError."""
    x = np.array(value, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"{name}={value!r} must be a finite, non-empty 1-D array")
    return x


def square_symmetric(name: str, value) -> np.ndarray:
    """A finite symmetric square float matrix, or ValueError (tolerance 1e-10 relative)."""
    H = np.atleast_2d(np.asarray(value, dtype=float))
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"{name} with shape {H.shape} must be a square matrix")
    if not np.all(np.isfinite(H)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity")
    scale = max(1.0, float(np.abs(H).max()))
    if np.abs(H - H.T).max() > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric; |{name} - {name}.T| reaches {np.abs(H - H.T).max():.3g}")
    return 0.5 * (H + H.T)
