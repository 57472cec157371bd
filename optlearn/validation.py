"""Argument checks shared by every optlearn module: one place, one message style.

Every check takes the argument's *name* and *value*, returns the value in its
canonical form (``float``, ``int``, ``bool``, ...) and otherwise raises
:class:`InvalidArgumentError` with the message ``name=value must be ...``, e.g.
``lr=-0.1 must be a finite number >= 0``. The error is both a ``ValueError``
and a ``TypeError``, so ``except ValueError`` catches a wrong value and a
wrong type alike.

Booleans are not numbers here (``lr=True`` is refused) and numbers are not
booleans (``nesterov='no'`` is refused); an integer argument refuses floats,
even integral ones (``steps=5.0``), as ``range`` does.

Example:
    >>> check_non_negative("lr", 0.1)
    0.1
    >>> check_in_range("momentum", 1.0, 0, 1, high_open=True)
    Traceback (most recent call last):
    ...
    optlearn.validation.InvalidArgumentError: momentum=1.0 must be in [0, 1)
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real
from typing import Any, Callable, Iterable

import numpy as np

__all__ = [
    "InvalidArgumentError",
    "fail",
    "show",
    "check_number",
    "check_non_negative",
    "check_positive",
    "check_in_range",
    "check_int",
    "check_bool",
    "check_choice",
    "check_callable",
    "check_scalar_or_schedule",
    "check_float_array",
]


class InvalidArgumentError(ValueError, TypeError):
    """An argument with a wrong value or type; the message reads ``name=value must be ...``."""


def show(value: Any, limit: int = 60) -> str:
    """A short ``repr`` of ``value`` for messages (arrays and long reprs are shortened).

    Example:
        >>> show(np.arange(100.0))
        'array(shape=(100,), dtype=float64)'
        >>> show("a")
        "'a'"
    """
    if isinstance(value, np.ndarray) and value.size > 4:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return repr(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"<an int of {len(str(abs(value)))} digits, beyond float's range>" if not _finite(value) \
            else f"{float(value):.6g}"
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))  # no memory addresses in messages
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fail(name: str, value: Any, expectation: str, detail: str = "") -> InvalidArgumentError:
    """Build (not raise) the error ``name=value must be <expectation>[; <detail>]``.

    Example:
        >>> raise fail("betas", 0.9, "a pair (beta1, beta2)")
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: betas=0.9 must be a pair (beta1, beta2)
    """
    return InvalidArgumentError(f"{name}={show(value)} must be {expectation}" + (f"; {detail}" if detail else ""))


def _is_real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def _finite(value: Any) -> bool:
    """``math.isfinite``, False (not OverflowError) for an int too large for a float (``10**400``)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def check_number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (not a bool) in the given bounds; returns it as a ``float``.

    Example:
        >>> check_number("eps", 1e-8, low=0)
        1e-08
    """
    if not _is_real(value) or not _finite(value):
        raise fail(name, value, "a finite number" + _bounds_text(low, high, low_open, high_open))
    value = float(value)
    if (low is not None and (value < low or (low_open and value == low))) or (
        high is not None and (value > high or (high_open and value == high))
    ):
        raise fail(name, value, _bounds_text(low, high, low_open, high_open, alone=True))
    return value


def _bounds_text(low, high, low_open, high_open, alone: bool = False) -> str:
    if low is not None and high is not None:
        text = f"in {'(' if low_open else '['}{_fmt(low)}, {_fmt(high)}{')' if high_open else ']'}"
        return text if alone else f" {text}"
    if low is not None:
        text = f"{'>' if low_open else '>='} {_fmt(low)}"
    elif high is not None:
        text = f"{'<' if high_open else '<='} {_fmt(high)}"
    else:
        return ""
    return f"a finite number {text}" if alone else f" {text}"


def check_non_negative(name: str, value: Any) -> float:
    """A finite number ``>= 0``.

    Example:
        >>> check_non_negative("weight_decay", -1)
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: weight_decay=-1.0 must be a finite number >= 0
    """
    return check_number(name, value, low=0)


def check_positive(name: str, value: Any) -> float:
    """A finite number ``> 0``.

    Example:
        >>> check_positive("div_factor", 25)
        25.0
    """
    return check_number(name, value, low=0, low_open=True)


def check_in_range(name: str, value: Any, low: float, high: float, *,
                   low_open: bool = False, high_open: bool = False) -> float:
    """A number in ``[low, high]`` (either end open on request), e.g. ``[0, 1)`` for a momentum.

    Example:
        >>> check_in_range("alpha", 1.5, 0, 1, high_open=True)
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: alpha=1.5 must be in [0, 1)
    """
    return check_number(name, value, low=low, high=high, low_open=low_open, high_open=high_open)


def check_int(name: str, value: Any, low: int | None = 0, high: int | None = None) -> int:
    """An integer (a Python or numpy int, not a bool, not a float) in ``[low, high]``.

    Example:
        >>> check_int("steps", 5.0)
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: steps=5.0 must be an integer >= 0
    """
    if low is not None and high is not None:
        expect = f"an integer in [{low}, {high}]"
    elif low is not None:
        expect = f"an integer >= {low}"
    elif high is not None:
        expect = f"an integer <= {high}"
    else:
        expect = "an integer"
    if not isinstance(value, Integral) or isinstance(value, (bool, np.bool_)):
        raise fail(name, value, expect)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise fail(name, value, expect)
    return value


def check_bool(name: str, value: Any) -> bool:
    """``True`` or ``False`` (numpy booleans too); strings and numbers are refused.

    Example:
        >>> check_bool("amsgrad", "no")
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: amsgrad='no' must be True or False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, value, "True or False")
    return bool(value)


def check_choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """One of ``options``.

    Example:
        >>> check_choice("task", "regression", ["classification", "regression"])
        'regression'
    """
    options = list(options)
    if not any(value is o or (type(value) is type(o) and value == o) for o in options):
        raise fail(name, value, "one of " + ", ".join(map(repr, options)))
    return value


def check_callable(name: str, value: Any, expectation: str = "a callable") -> Callable:
    """A callable (function, lambda, schedule, ...).

    Example:
        >>> check_callable("optimizer_fn", 3, "a function lr -> optimizer")
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: optimizer_fn=3 must be a function lr -> optimizer
    """
    if not callable(value):
        raise fail(name, value, expectation)
    return value


def check_scalar_or_schedule(name: str, value: Any) -> float | Callable[[int], float]:
    """A finite number ``>= 0`` (returned as ``float``) or a schedule ``count -> value``
    (returned unchanged; what it returns is checked at each call by its user).

    Example:
        >>> check_scalar_or_schedule("lr", True)
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: lr=True must be a finite number >= 0 or a schedule count -> lr
    """
    if callable(value):
        return value
    if not _is_real(value) or not _finite(value) or value < 0:
        raise fail(name, value, f"a finite number >= 0 or a schedule count -> {name}")
    return float(value)


def check_float_array(name: str, value: Any) -> np.ndarray:
    """A real floating-point ``numpy.ndarray`` (float16/32/64); returned unchanged.

    Lists, Python floats, integer, boolean, complex and object arrays are refused
    with the fix in the message (the optimizers work on float arrays only, as torch's do).

    Example:
        >>> check_float_array("params", np.array([1, 2, 3]))
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: params=array([1, 2, 3]) must be a real floating-point numpy array; got dtype int64 (use np.asarray(x, dtype=float))
    """
    if not isinstance(value, np.ndarray):
        raise fail(name, value, "a real floating-point numpy array",
                   f"got {type(value).__name__} (use np.asarray(x, dtype=float))")
    if not np.issubdtype(value.dtype, np.floating):
        hint = ("complex parameters are not supported; optimise the real and imaginary parts "
                "as two real arrays" if np.iscomplexobj(value) else "use np.asarray(x, dtype=float)")
        raise fail(name, value, "a real floating-point numpy array", f"got dtype {value.dtype} ({hint})")
    return value
