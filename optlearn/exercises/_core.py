"""The checking core of the exercises (in the manner of Kaggle's learntools).

An exercise is *data*: a prompt, hints, a reference answer computed with optlearn,
test cases and the common :class:`Mistake` s. This module checks a learner's answer
against it and prints one plain, deterministic verdict (so that nbval can compare
it with a fresh run):

* ``✅ Correct! ...`` when the answer is right;
* ``⏳ Not attempted yet ...`` when the answer is still the placeholder ``...``;
* ``❌ ...`` otherwise, naming the mistake when the answer matches a known one.

Whatever the learner's answer does (raise, return anything, print warnings, loop
forever, get interrupted), ``check`` prints a verdict about it and returns; no
warning or traceback from the checker's own code reaches the learner. The
learner's function is called once per test case (per step for an update rule),
never again to diagnose a mistake.

A learner's progress (hints shown, exercises passed) is kept in :data:`PROGRESS`,
not on the exercises, which are immutable data shared by the notebook checker
and the website's quiz (:mod:`optlearn.exercises.quizzes`).

Example:
    >>> ex = ValueExercise("demo.q1", "What is $1 + 1$?", expected=lambda: 2,
    ...                    solution="answer = 1 + 1", hints=["Count."],
    ...                    mistakes=[Mistake("string concatenation", "1 + 1 is not '11'.", 11)])
    >>> result = ex.check(2)
    ✅ Correct!
    >>> bool(result), PROGRESS.passed["demo.q1"]
    (True, True)
    >>> _ = ex.check(11)
    ❌ This looks like string concatenation: 1 + 1 is not '11'.
    >>> _ = ex.check(...)
    ⏳ Not attempted yet: replace the `...` with your answer, then run the cell again.
"""

from __future__ import annotations

import contextlib
import copy
import dis
import inspect
import math
import re
import signal
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Iterator, Sequence

import numpy as np

__all__ = [
    "PROGRESS", "Case", "CheckResult", "Exercise", "FunctionExercise", "Mistake", "MultipleChoiceExercise",
    "Option", "Progress", "StepCase", "StepExercise", "ValueExercise", "compare", "fmt", "run",
]

CORRECT = "✅ Correct!"
WRONG = "❌"
TODO = "⏳ Not attempted yet"
HINT = "💡"
SOLUTION = "📖"
STOPPED = "⏹"

#: The tolerance of function exercises: a right answer computed in float32 (a torch default)
#: passes; stated in each function exercise's prompt.
FUNCTION_RTOL, FUNCTION_ATOL = 1e-5, 1e-7

#: Seconds a check may spend in the learner's code (all cases together).
TIME_BUDGET = 10.0


# --------------------------------------------------------------------------- progress
class Progress:
    """A learner's progress: the hints shown and the verdict of each exercise, by name.

    Example:
        >>> p = Progress()
        >>> p.record("momentum.q1", True)
        >>> p.passed, p.hints_shown
        ({'momentum.q1': True}, {})
    """

    def __init__(self) -> None:
        self.passed: dict[str, bool] = {}
        self.hints_shown: dict[str, int] = {}

    def record(self, name: str, passed: bool) -> None:
        """Remember the latest verdict of exercise ``name``."""
        self.passed[name] = bool(passed)

    def reset(self) -> None:
        """Forget everything (a fresh start)."""
        self.passed.clear()
        self.hints_shown.clear()

    def __repr__(self) -> str:
        done = sum(self.passed.values())
        return f"Progress({done} of {len(self.passed)} checked exercises passed)"


#: The progress of the learner in this Python session.
PROGRESS = Progress()


# --------------------------------------------------------------------------- mistakes
@dataclass(frozen=True)
class Mistake:
    """A common wrong answer and what it means; written once per chapter, used by both the
    notebook checker (``check`` names it) and the website quiz (its feedback).

    Attributes:
        name: Short name, printed as "This looks like <name>".
        explanation: Why it is wrong and how to fix it.
        answer: The wrong value (value exercises, quiz questions) or the wrong function
            (function and step exercises, with the reference's signature).
    """

    name: str
    explanation: str
    answer: Any

    @property
    def message(self) -> str:
        return f"This looks like {self.name}: {self.explanation}"


# --------------------------------------------------------------------------- formatting
def _to_float(x: Any) -> float | None:
    """``x`` as a float if it is a real number (bool excluded), else ``None``."""
    if isinstance(x, (bool, np.bool_)):
        return None
    if isinstance(x, (int, float, np.integer, np.floating, Fraction, Decimal)):
        try:
            return float(x)
        except OverflowError:  # e.g. 10**400: a number too large for a float
            return math.inf if x > 0 else -math.inf
    return None


def _float_text(v: float, digits: int) -> str:
    """A float with ``digits`` significant digits that looks like a float (``1.0``, not ``1``);
    ``-0.0`` shows as ``0.0``."""
    text = f"{float(v):.{digits}g}"
    if text.lstrip("-").strip("0.") == "":  # -0 and 0
        return "0.0"
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def fmt(value: Any, digits: int = 6) -> str:
    """Format a value deterministically, floats with ``digits`` significant digits.

    A float looks like a float (``1.0``), an integer like an integer, ``-0.0`` shows as ``0.0``.

    Example:
        >>> fmt((0.1 + 0.2, np.array([1.0, -2.0, 2.5]), -0.0, 3))
        '(0.3, array([1.0, -2.0, 2.5]), 0.0, 3)'
        >>> fmt(320.0000001), fmt(320.0000001, digits=12), fmt(10**400)
        ('320.0', '320.0000001', '1e+400')
    """
    if value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if abs(int(value)) < 10**17 else f"{Decimal(int(value)).normalize():.{digits}g}"
    if isinstance(value, (Fraction, Decimal)):
        text = str(value)
        return text if len(text) < 40 else f"{Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value:.{digits}g}"
    if isinstance(value, (float, np.floating)):
        return _float_text(value, digits)
    if isinstance(value, (complex, np.complexfloating)):
        return f"the complex number {complex(value):.{digits}g}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 60 else "a long string"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value[()], digits)
        if value.dtype.kind in "biufc" and value.size <= 50:
            body = np.array2string(value, separator=", ", threshold=60,
                                   formatter={"float_kind": lambda v: _float_text(v, digits),
                                              "complex_kind": lambda v: f"{v:.{digits}g}"})
            return f"array({' '.join(body.split())})"
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    if isinstance(value, tuple):
        inner = ", ".join(fmt(v, digits) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, digits) for v in value[:20]) + (", ...]" if len(value) > 20 else "]")
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"a {type(value).__name__}"


def fmt_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Both values with the fewest digits (at least 6) that show them different.

    Example:
        >>> fmt_pair(320, 320.0000001)
        ('320', '320.0000001')
    """
    with _quiet():
        for digits in (6, 8, 10, 12, 14, 17):
            a, b = fmt(expected, digits), fmt(got, digits)
            if re.sub(r"(\d)\.0\b", r"\1", a) != re.sub(r"(\d)\.0\b", r"\1", b):  # 320 is 320.0
                return a, b
    return a, b


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No numpy floating-point warning, no Python warning."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --------------------------------------------------------------------------- comparing
@dataclass(frozen=True)
class Tolerance:
    """When a number is right: within ``atol + rtol * |expected|``, or, with ``digits``,
    correct to ``digits`` significant digits (within half a unit of the last digit)."""

    rtol: float = 1e-6
    atol: float = 1e-12
    digits: int | None = None

    def width(self, expected: np.ndarray) -> np.ndarray:
        e = np.abs(np.asarray(expected, dtype=float))
        if self.digits is None:
            return self.atol + self.rtol * e
        with _quiet():
            # the exponent of the key rounded to `digits` (-0.099999995 rounds to -0.1000)
            rounded = np.abs(np.vectorize(lambda v: float(f"{v:.{self.digits}g}"), otypes=[float])(e)) \
                if e.size else e
            exponent = np.floor(np.log10(np.where(rounded > 0, rounded, 1.0)))
        half_unit = 0.5 * 10.0 ** (exponent - self.digits + 1)
        return np.where(e > 0, half_unit * (1 + 1e-9), self.atol)

    def describe(self) -> str:
        if self.digits is not None:
            return f"Give {self.digits} significant digits."
        return ""


def _unwrap(got: Any, what: str) -> Any:
    """A tensor (PyTorch, JAX, ...) as a numpy array, by duck typing (torch is never imported):
    ``.detach().cpu().numpy()`` when it has them, else ``np.asarray`` through ``__array__``."""
    if isinstance(got, (np.ndarray, np.generic, list, tuple, str, bytes)) or not (
            hasattr(got, "__array__") or hasattr(got, "numpy")):
        return got
    try:
        with _quiet():
            value = got
            for method in ("detach", "cpu"):
                if callable(getattr(value, method, None)):
                    value = getattr(value, method)()
            return np.asarray(value.numpy() if callable(getattr(value, "numpy", None)) else value)
    except Exception:  # noqa: BLE001 - any object the learner gives
        raise _Problem(f"{what} is {fmt(got)}, which could not be turned into a numpy array: convert it "
                       "yourself (`t.detach().cpu().numpy()` for an array, `t.item()` for a number).") from None


def _as_array(got: Any, what: str) -> np.ndarray:
    """A learner's value as a float array, or a :class:`_Problem` saying what is wrong."""
    got = _unwrap(got, what)
    if isinstance(got, (bool, np.bool_)):
        raise _Problem(f"{what} is {got}, a truth value; a number is expected.")
    scalar = _to_float(got)
    if scalar is not None:
        return np.asarray(scalar)
    if isinstance(got, str):
        raise _Problem(f"{what} is {fmt(got)}; a number is expected (write it without quotes).")
    try:
        with _quiet():
            arr = np.asarray(got)
    except Exception:  # noqa: BLE001 - any object the learner gives
        raise _Problem(f"{what} should be numeric, got {fmt(got)}.") from None
    if arr.dtype == object:  # e.g. a list of Fractions
        floats = [_to_float(v) for v in arr.ravel()]
        if any(v is None for v in floats):
            raise _Problem(f"{what} should be numeric, got {fmt(got)}.")
        arr = np.array(floats, dtype=float).reshape(arr.shape)
    if arr.dtype.kind == "c":
        raise _Problem(f"{what} contains complex numbers ({fmt(got)}): is a square root taken of "
                       "a negative number?")
    if arr.dtype.kind == "b":
        raise _Problem(f"{what} contains truth values ({fmt(got)}); numbers are expected.")
    if arr.dtype.kind not in "iuf":
        raise _Problem(f"{what} should be numeric, got {fmt(got)}.")
    return arr.astype(float)


def compare(expected: Any, got: Any, tol: Tolerance = Tolerance(), what: str = "your answer",
            values: bool = True) -> str | None:
    """Why ``got`` is not ``expected`` (``None`` if it is right).

    Checks the kind (truth value, number, tuple, array), the length and shape, the
    finiteness and then the values with the tolerance ``tol``. Every reasonable
    spelling of a right answer passes: a ``Fraction`` or ``Decimal`` for a number, a
    0-d boolean array for a truth value, a list or array of the right length for a tuple.

    Example:
        >>> compare(np.zeros(3), np.zeros(2))
        'your answer has shape (2,), but the expected shape is (3,).'
        >>> compare(0.25, Fraction(1, 4)) is None, compare((1, 2), np.array([1, 2])) is None
        (True, True)
    """
    try:
        with _quiet():
            return _compare(expected, got, tol, what, values)
    except _Problem as p:
        return p.message


class _Problem(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _compare(expected: Any, got: Any, tol: Tolerance, what: str, values: bool) -> str | None:
    got = _unwrap(got, what)
    if isinstance(expected, tuple):
        if isinstance(got, np.ndarray) and got.ndim == 1:
            got = tuple(got)
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{what} should be a tuple of {len(expected)} values, got {fmt(got)}."
        for i, (e, g) in enumerate(zip(expected, got)):
            problem = _compare(e, g, tol, f"element {i} of {what}", values)
            if problem:
                return problem
        return None
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind == "b":
            got = bool(got)
        if not isinstance(got, (bool, np.bool_)):
            return f"{what} should be True or False, got {fmt(got)}."
        return None if bool(got) == bool(expected) else f"{what} is {bool(got)}, but it should be {bool(expected)}."
    exp = np.asarray(expected, dtype=float)
    arr = _as_array(got, what)
    if arr.shape != exp.shape:
        if exp.ndim == 0:
            hint = " (take its element with `.item()`)" if arr.size == 1 else ""
            return f"{what} should be a single number, got an array of shape {arr.shape}{hint}."
        return f"{what} has shape {arr.shape}, but the expected shape is {exp.shape}."
    if not np.all(np.isfinite(arr)):
        if isinstance(got, (int, Fraction, Decimal)) and not isinstance(got, bool) and not np.isnan(arr):
            return f"{what} is {fmt(got)}, far too large to be the expected value {fmt(expected)}."
        return f"{what} contains NaN or infinity: {fmt(got)}."
    wrong = np.abs(arr - exp) > tol.width(exp)
    if values and np.any(wrong):
        shown = fmt_pair(expected, arr if arr.ndim else got)[1]
        if arr.ndim == 0:
            return f"{what} is {shown}, which is not the expected value."
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        at = index[0] if len(index) == 1 else index
        e_i, g_i = fmt_pair(float(exp[index]), float(arr[index]))
        return f"{what} is {shown}, which is not the expected value: its element [{at}] is {g_i}, expected {e_i}."
    return None


def _same(a: Any, b: Any, tol: Tolerance) -> bool:
    """Whether two answers agree (NaN equal to NaN, so that a NaN-producing mistake is named)."""
    try:
        with _quiet():
            a, b = _unwrap(a, ""), _unwrap(b, "")
            if isinstance(a, tuple) or isinstance(b, tuple):
                return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
                        and all(_same(x, y, tol) for x, y in zip(a, b)))
            if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
                return isinstance(b, (bool, np.bool_)) and isinstance(a, (bool, np.bool_)) and bool(a) == bool(b)
            x, y = _as_array(a, ""), _as_array(b, "")
            if x.shape != y.shape:
                return False
            both_nan = np.isnan(x) & np.isnan(y)
            return bool(np.all(both_nan | (np.abs(x - y) <= tol.width(x))))
    except Exception:  # noqa: BLE001 - any value
        return False


def _not_attempted(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _is_placeholder(fn: Any) -> bool:
    """Whether ``fn``'s body is only the starter's ``...`` (or ``pass``, a docstring, ``return ...``):
    its code does nothing but return the constant ``None`` or ``Ellipsis``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    try:
        ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
               if i.opname not in ("RESUME", "NOP", "CACHE", "COPY_FREE_VARS", "MAKE_CELL")]
    except Exception:  # noqa: BLE001
        return False
    return (ops in ([("RETURN_CONST", None)], [("RETURN_CONST", Ellipsis)])
            or (len(ops) == 2 and ops[0][0] == "LOAD_CONST" and ops[0][1] in (None, Ellipsis)
                and ops[1][0] == "RETURN_VALUE"))


# --------------------------------------------------------------------------- calling the learner
class _TimeUp(BaseException):
    """Raised inside the learner's code when the check's time budget is spent."""


class _Verdict(Exception):
    """A finished verdict message (stops a check)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Clock:
    """The time budget of one check, enforced with SIGALRM in the main thread.

    The alarm rings again every 0.05 s once the budget is spent, and a function that returns
    after swallowing it with a bare ``except:`` still gets the time verdict. A loop that
    swallows every alarm (``while True: try: ... except: pass``) cannot be stopped from
    inside Python: interrupting the kernel (■) then gives the "Interrupted" verdict.
    """

    def __init__(self, budget: float | None):
        self.budget, self.used, self.expired = budget, 0.0, False

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        if self.budget is None:  # our own code (references, mistakes): no alarm
            yield
            return
        can_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        left = self.budget - self.used
        if left <= 0:
            raise _TimeUp
        old = None
        if can_alarm:
            def ring(signum, frame):  # noqa: ARG001
                self.expired = True
                raise _TimeUp
            old = signal.signal(signal.SIGALRM, ring)
            # rings again every 0.05 s: a bare `except:` in the learner's code that swallows one
            # alarm meets the next one (and `expired` tells the check the budget was spent)
            signal.setitimer(signal.ITIMER_REAL, left, 0.05)
        start = time.perf_counter()
        try:
            yield
        finally:
            if can_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
            self.used += time.perf_counter() - start


def _call(fn: Callable, args: tuple, names: Sequence[str], may_modify: Sequence[str], where: str,
          clock: _Clock) -> Any:
    """Call the learner's function once on copies of ``args``; every problem becomes a verdict."""
    given = copy.deepcopy(args)
    time_up = _Verdict(f"{STOPPED} Your function used up this check's time budget of {clock.budget} s "
                       f"(all test cases together): is there an endless loop, or a very slow one?\n"
                       f"   It was stopped here: {where}")
    try:
        try:
            with _quiet(), clock.running():
                out = fn(*given)
        except _TimeUp:
            raise time_up from None
        except KeyboardInterrupt:
            raise _Verdict(f"{STOPPED} Interrupted: your function was still running after "
                           f"{clock.used:.1f} s.\n   {where}") from None
        except BaseException as e:  # noqa: BLE001 - anything the learner raises is reported, never re-raised
            if clock.expired:  # the learner's code turned our alarm into another exception
                raise time_up from None
            raise _Verdict(f"{WRONG} Your function raised {type(e).__name__}: {e}\n   {where}") from None
    except _TimeUp:  # an alarm between the learner's return and the end of `running`
        raise time_up from None
    if clock.expired:  # a bare `except:` swallowed the alarm, then the function returned
        raise time_up
    for name, before, after in zip(names, args, given):
        if name in may_modify or not isinstance(before, (np.ndarray, list)):
            continue
        with _quiet():
            if isinstance(before, list):
                same = isinstance(after, list) and len(after) == len(before) and all(
                    a is b or a == b for a, b in zip(after, before))
            else:
                same = isinstance(after, np.ndarray) and after.shape == before.shape and np.array_equal(
                    before, after, equal_nan=True)
        if not same and isinstance(before, list):
            raise _Verdict(f"{WRONG} Your function modified its input `{name}` in place (e.g. with "
                           f"`{name}.sort()` or `{name}.append(...)`). Build a new list instead "
                           f"(`sorted({name})`, `{name} + [...]`).\n   {where}")
        if not same:
            raise _Verdict(f"{WRONG} Your function modified its input `{name}` in place (e.g. with "
                           f"`{name} -= ...` or `{name}[...] = ...`). Build a new array instead "
                           f"(`{name} = {name} - ...`).\n   {where}")
    return out


def _describe_args(names: Sequence[str], args: tuple) -> str:
    return ", ".join(f"{n}={fmt(a)}" for n, a in zip(names, args))


def _arg_names(fn: Callable) -> list[str]:
    return list(inspect.signature(fn).parameters)


# --------------------------------------------------------------------------- results
class CheckResult:
    """The outcome of ``check``: truthy when correct, invisible in a notebook.

    The verdict is already printed, so ``_ipython_display_`` shows nothing and a
    notebook cell ending with ``ex.q1.check(answer)`` displays only the verdict.
    """

    def __init__(self, passed: bool, message: str):
        self.passed, self.message = passed, message

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"CheckResult(passed={self.passed})"

    def _ipython_display_(self) -> None:
        """Display nothing: the verdict has been printed."""


# --------------------------------------------------------------------------- base
class Exercise:
    """What every exercise has: ``check``, ``hint``, ``solution``, ``show``.

    Args:
        name: ``"<chapter>.q<N>"``.
        prompt: The question, in Markdown (``$...$`` for maths); the notebook's prompt
            cell and ``show()`` print it.
        hints: Progressively stronger hints.
        mistakes: Common wrong answers, named by ``check``.
    """

    kind = "exercise"
    answer_comment = "your answer"

    def __init__(self, name: str, prompt: str, hints: Sequence[str] = (), mistakes: Sequence[Mistake] = ()):
        self.name = name
        self._prompt = textwrap.dedent(prompt).strip()
        self.hints = tuple(hints)
        self.mistakes = tuple(mistakes)

    @property
    def prompt(self) -> str:
        """The full prompt, with what the checker requires (precision, what may be modified)."""
        return self._prompt

    @property
    def passed(self) -> bool:
        """Whether the latest check of this exercise passed (kept in :data:`PROGRESS`)."""
        return PROGRESS.passed.get(self.name, False)

    def check(self, answer: Any) -> CheckResult:
        """Check ``answer``, print the verdict and return it as a :class:`CheckResult`."""
        try:
            if _not_attempted(answer):
                passed, message = False, f"{TODO}: replace the `...` with your answer, then run the cell again."
            else:
                passed, message = self._verdict(answer)
        except _Verdict as v:
            passed, message = False, v.message
        except KeyboardInterrupt:
            passed, message = False, f"{STOPPED} Interrupted: the check stopped before a verdict."
        except BaseException as e:  # noqa: BLE001 - a bug of the checker must not reach the learner as a traceback
            passed, message = False, f"{WRONG} Your answer could not be checked ({type(e).__name__}: {e})."
        PROGRESS.record(self.name, passed)
        print(message)
        return CheckResult(passed, message)

    def hint(self, n: int | None = None) -> None:
        """Print hint ``n`` (1-based), or the next hint when ``n`` is omitted."""
        count = len(self.hints)
        if not count:
            print(f"{HINT} No hint for this question; try `solution()`.")
            return
        shown = PROGRESS.hints_shown.get(self.name, 0)
        if n is None:
            n = min(shown + 1, count)
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or not 1 <= n <= count:
            print(f"{HINT} There are {count} hints: call hint() for the next one, or hint(1) to hint({count}).")
            return
        n = int(n)
        PROGRESS.hints_shown[self.name] = max(shown, n)
        print(f"{HINT} Hint {n} of {count}: {self.hints[n - 1]}")
        if n == count:
            print("   (That was the last hint; solution() shows the answer.)")

    def show(self) -> None:
        """Print the question."""
        print(f"{self.name} ({self.kind})\n{self.prompt}")

    def solution(self) -> None:
        """Print the reference solution: code that passes ``check`` in the chapter's notebook."""
        print(f"{SOLUTION} Solution:")
        print(textwrap.indent(self.solution_code, "    "))

    @property
    def solution_code(self) -> str:
        raise NotImplementedError

    @property
    def starter_code(self) -> str:
        """The code cell the notebook starts with (the learner replaces the ``...``)."""
        return f"answer = ...   # {self.answer_comment}\n\nex.{self.short_name}.check(answer)"

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        raise NotImplementedError


# --------------------------------------------------------------------------- values
class ValueExercise(Exercise):
    """A number, an array or a tuple, compared with a tolerance.

    Args:
        expected: Zero-argument callable computing the answer with optlearn.
        solution: Code that assigns the answer to ``answer`` using only the chapter
            notebook's imports (a test runs it there and requires ✅).
        digits: The significant digits the question asks for (stated in the prompt);
            every answer correct to them passes, a coarser rounding of the right
            answer is told so. ``None``: compared with ``rtol``/``atol``.
        explanation: Shown with a correct verdict (and in the quiz).
        answer_comment: The comment of the starter cell, e.g. ``"a number"``.
    """

    kind = "value exercise"

    def __init__(self, name: str, prompt: str, expected: Callable[[], Any], solution: str,
                 hints: Sequence[str] = (), mistakes: Sequence[Mistake] = (), digits: int | None = None,
                 rtol: float = 1e-6, atol: float = 1e-12, explanation: str = "",
                 answer_comment: str = "a number"):
        super().__init__(name, prompt, hints, mistakes)
        self._expected_fn = expected
        self._solution = textwrap.dedent(solution).strip()
        self.tol = Tolerance(rtol, atol, digits)
        self.explanation = explanation
        self.answer_comment = answer_comment

    @property
    def prompt(self) -> str:
        extra = self.tol.describe()
        return f"{self._prompt} {extra}" if extra and extra not in self._prompt else self._prompt

    @property
    def expected(self) -> Any:
        """The reference answer, computed by optlearn."""
        value = self._expected_fn()
        return tuple(value) if isinstance(value, list) else value

    @property
    def solution_code(self) -> str:
        return self._solution

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        if callable(answer) and not isinstance(answer, np.ndarray):
            return False, f"{WRONG} This question wants a value, but you gave {fmt(answer)}."
        expected = self.expected
        problem = compare(expected, answer, self.tol)
        if problem is None:
            return True, f"{CORRECT} {self.explanation}".rstrip()
        for m in self.mistakes:
            if _same(m.answer, answer, self.tol):
                return False, f"{WRONG} {m.message}"
        coarse = self._too_coarse(expected, answer)
        if coarse:
            return False, f"{WRONG} {coarse}"
        return False, f"{WRONG} Not quite: {problem}"

    def _too_coarse(self, expected: Any, answer: Any) -> str | None:
        """The right answer rounded to fewer digits than asked: say so."""
        digits = self.tol.digits
        if digits is None:
            return None
        try:
            with _quiet():
                e = np.ravel(np.asarray(expected, dtype=float))
                got = _unwrap(answer, "")
                if not isinstance(expected, tuple) and np.shape(got) != np.shape(expected):
                    return None
                parts = got if isinstance(got, (tuple, list)) else [got]
                value = np.concatenate([np.ravel(_as_array(v, "")) for v in parts])
        except Exception:  # noqa: BLE001 - any answer
            return None
        if value.shape != e.shape or not np.all(np.isfinite(value)):
            return None
        for k in range(1, digits):
            rounded = np.array([float(f"{v:.{k}g}") for v in e])
            if np.allclose(value, rounded, rtol=1e-12, atol=0):
                shown = fmt(answer) if e.size == 1 else "your answer"
                return (f"Right, but too coarse: {shown} is the answer rounded to {k} significant "
                        f"digit{'s' if k > 1 else ''}; give {digits}.")
        return None


# --------------------------------------------------------------------------- functions
@dataclass
class Case:
    """One call of the learner's function: a label and the positional arguments."""

    label: str
    args: tuple


class FunctionExercise(Exercise):
    """The learner writes a function; it runs once on each case and is compared with optlearn.

    Args:
        reference: The reference solution; its name and argument names are the ones the
            learner writes, and its source is what ``solution()`` prints.
        expected: Computes a case's expected output with optlearn (default: ``reference``;
            a test checks that the two agree).
        cases: The cases, edge cases included.
        mistakes: Wrong functions with the reference's signature.
        may_modify: Arguments the function may change in place (stated in the prompt);
            any other array argument changed in place is a mistake.
        returns: What the function returns, for the starter code's comment.
        time_budget: Seconds the learner's code may run in one check.
    """

    kind = "function exercise"

    def __init__(self, name: str, prompt: str, reference: Callable, cases: Sequence[Case],
                 expected: Callable[..., Any] | None = None, hints: Sequence[str] = (),
                 mistakes: Sequence[Mistake] = (), may_modify: Sequence[str] = (), returns: str = "",
                 rtol: float = FUNCTION_RTOL, atol: float = FUNCTION_ATOL, time_budget: float = TIME_BUDGET):
        super().__init__(name, prompt, hints, mistakes)
        self.reference = reference
        self.arg_names = _arg_names(reference)
        unknown = set(may_modify) - set(self.arg_names)
        if unknown:
            raise ValueError(f"may_modify={sorted(unknown)} must name arguments of {reference.__name__}")
        self.may_modify = tuple(may_modify)
        self._expected_fn = expected or reference
        self.cases = tuple(cases)
        self.tol = Tolerance(rtol, atol)
        self.returns = returns
        self.time_budget = time_budget

    @property
    def function_name(self) -> str:
        return self.reference.__name__

    @property
    def signature(self) -> str:
        return f"{self.function_name}({', '.join(self.arg_names)})"

    def _array_args(self) -> list[str]:
        """The arguments that are arrays (or lists) in the cases: the ones that could be modified."""
        first = self.cases[0].args
        return [n for n, a in zip(self.arg_names, first) if isinstance(a, (np.ndarray, list))]

    @property
    def prompt(self) -> str:
        fixed = [f"`{n}`" for n in self._array_args() if n not in self.may_modify]
        fixed_text = " and ".join(", ".join(fixed).rsplit(", ", 1))
        if self.may_modify:
            allowed = " and ".join(", ".join(f"`{n}`" for n in self.may_modify).rsplit(", ", 1))
            rule = f"You may update {allowed} in place (as PyTorch does) or return new arrays"
            rule += f", but do not modify {fixed_text}." if fixed else "."
        else:
            rule = f"Do not modify {fixed_text} in place." if fixed else ""
        prompt = f"{self._prompt} {rule}".strip() if rule and rule not in self._prompt else self._prompt
        if self.tol.rtol > 0:
            tail = (f"Results are compared with a relative tolerance of {self.tol.rtol:g} (float32 "
                    "arithmetic passes).")
            prompt = prompt if tail in prompt else f"{prompt} {tail}"
        return prompt

    def show(self) -> None:
        super().show()
        print(f"Write: def {self.signature}")

    @property
    def solution_code(self) -> str:
        return textwrap.dedent(inspect.getsource(self.reference)).strip()

    @property
    def starter_code(self) -> str:
        comment = f"your code: return {self.returns}" if self.returns else "your code"
        return (f"def {self.signature}:\n    ...   # {comment}\n\n"
                f"ex.{self.short_name}.check({self.function_name})")

    # A case run: the outputs, or the first problem. Subclasses drive several calls per case.
    def _run_case(self, fn: Callable, case: Case, clock: _Clock) -> tuple[list, str | None]:
        where = f"Case '{case.label}': {_describe_args(self.arg_names, case.args)}"
        out = _call(fn, case.args, self.arg_names, self.may_modify, where, clock)
        with _quiet():
            expected = self._expected_fn(*copy.deepcopy(case.args))
        return [out], self._problem(expected, out, case, where)

    def _problem(self, expected: Any, got: Any, case: Case, where: str, what: str = "the result") -> str | None:
        if got is Ellipsis:
            raise _Verdict(f"{TODO}: your function returns `...`, the placeholder. Write its body, then "
                           "run the cell again.")
        if got is None:
            raise _Verdict(f"{WRONG} {what[0].upper()}{what[1:]} is None. Is a `return` missing (or a "
                           f"`print` where a `return` is needed)?\n   {where}")
        problem = compare(expected, got, self.tol, what)
        if problem is None:
            return None
        exp_text, got_text = fmt_pair(expected, got)
        return (f"{problem[0].upper()}{problem[1:]}\n   {where}\n"
                f"   expected: {exp_text}\n   received: {got_text}")

    def _mistake_outputs(self, mistake: Mistake) -> list[list] | None:
        """The mistake's outputs on every case (our own code: no clock, no learner)."""
        try:
            return [self._run_case(mistake.answer, c, _Clock(None))[0] for c in self.cases]
        except _Verdict:
            return None

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        if not callable(answer):
            return False, f"{WRONG} This question wants a function, but you gave {fmt(answer)}."
        if _is_placeholder(answer):
            return False, (f"{TODO}: your function's body is still the placeholder `...`. Write it "
                           "(ending with `return`), then run the cell again.")
        clock = _Clock(self.time_budget)
        outputs, first_problem = [], None
        for case in self.cases:
            try:
                out, problem = self._run_case(answer, case, clock)
            except _Verdict:  # a crash or the time budget: reported, unless a case already failed
                if first_problem is None:
                    raise
                return False, f"{WRONG} {first_problem}"
            outputs.append(out)
            first_problem = first_problem or problem
        if first_problem is None:
            return True, f"{CORRECT} Your function passes all {len(self.cases)} test cases."
        for m in self.mistakes:
            theirs = self._mistake_outputs(m)
            if theirs is not None and all(
                    len(t) == len(o) and all(_same(a, b, self.tol) for a, b in zip(t, o))
                    for t, o in zip(theirs, outputs)):
                return False, f"{WRONG} {m.message}\n   {first_problem}"
        return False, f"{WRONG} {first_problem}"


def run(opt: Any, x0: Any, grads: Sequence[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Run an optlearn optimizer on a fixed sequence of gradients.

    Returns:
        The pairs ``(x_t, update_t)`` after each step.

    Example:
        >>> import optlearn as ol
        >>> run(ol.sgd(lr=0.5), [1.0], [[2.0]])
        [(array([0.]), array([-1.]))]
    """
    x = np.array(x0, dtype=float)
    state, out = opt.init(x), []
    for g in grads:
        updates, state = opt.update(np.array(g, dtype=float), state, x)
        x = np.asarray(x + updates, dtype=float)
        out.append((x, np.asarray(updates, dtype=float)))
    return out


@dataclass
class StepCase:
    """A run of an update rule: start ``x0``, a gradient per step, hyper-parameters."""

    label: str
    x0: np.ndarray
    grads: list
    hyper: tuple = field(default_factory=tuple)


class StepExercise(FunctionExercise):
    """The learner writes one optimizer step ``f(x, *state, g, [t,] *hyper) -> (x, *state)``.

    The checker drives it through each case's gradients from a zero state, calling it
    once per step with the state it returned, and compares the parameters after every
    step with the optlearn optimizer ``optimizer(*hyper)`` and the returned state with
    the reference's (so a form that moves ``x`` right but keeps another buffer is caught).

    Args:
        optimizer: ``optimizer(*hyper)`` returns the optlearn optimizer.
        n_state: Number of state arrays (their names are the reference's arguments after ``x``).
        uses_t: Whether the step count ``t`` (1 at the first step) follows ``g``.
        may_modify: By default ``x`` and the state arrays (updating a buffer in place is
            what PyTorch does); the gradient must not change.
    """

    def __init__(self, name: str, prompt: str, reference: Callable, optimizer: Callable[..., Any],
                 cases: Sequence[StepCase], n_state: int = 1, uses_t: bool = False,
                 hints: Sequence[str] = (), mistakes: Sequence[Mistake] = (),
                 may_modify: Sequence[str] | None = None, returns: str = "",
                 rtol: float = FUNCTION_RTOL, atol: float = FUNCTION_ATOL, time_budget: float = TIME_BUDGET):
        names = _arg_names(reference)
        self.n_state, self.uses_t = n_state, uses_t
        self.state_names = tuple(names[1:1 + n_state])
        if may_modify is None:
            may_modify = (names[0], *self.state_names)
        returns = returns or ", ".join([f"{names[0]}_new"] + [f"{s}_new" for s in self.state_names])
        super().__init__(name, prompt, reference, cases, optimizer, hints, mistakes, may_modify, returns,
                         rtol, atol, time_budget)

    @property
    def prompt(self) -> str:
        base = super().prompt
        zero = " = ".join(self.state_names) + " = 0"
        tail = f"The checker starts from `{zero}` and passes back the state you return."
        return base if tail in base else f"{base} {tail}"

    def _array_args(self) -> list[str]:
        return [self.arg_names[0], *self.state_names, self.arg_names[1 + self.n_state]]

    def _expected_xs(self, case: StepCase) -> list:
        with _quiet():
            return [x for x, _ in run(self._expected_fn(*case.hyper), case.x0, case.grads)]

    def _run_case(self, fn: Callable, case: StepCase, clock: _Clock) -> tuple[list, str | None]:
        expected_xs = self._expected_xs(case)
        x = np.array(case.x0, dtype=float)
        state = tuple(np.zeros_like(x) for _ in range(self.n_state))
        outs, problem = [], None
        n_out = 1 + self.n_state
        names = ", ".join([self.arg_names[0], *self.state_names])
        for k, g in enumerate(case.grads):
            g = np.array(g, dtype=float)
            args = (x, *state, g) + ((k + 1,) if self.uses_t else ()) + tuple(case.hyper)
            where = f"Case '{case.label}', step {k + 1} of {len(case.grads)}: {_describe_args(self.arg_names, args)}"
            out = _call(fn, args, self.arg_names, self.may_modify, where, clock)
            if out is None or out is Ellipsis:
                self._problem(None, out, case, where, "what your function returned")
            if not isinstance(out, (tuple, list)) or len(out) != n_out:
                raise _Verdict(f"{WRONG} Your function should return the tuple ({names}), got {fmt(out)}.\n"
                               f"   {where}")
            for i, (name, o) in enumerate(zip([self.arg_names[0], *self.state_names], out)):
                if o is None:
                    raise _Verdict(f"{WRONG} Element {i} (`{name}`) of the tuple your function returned is "
                                   "None. Is an assignment missing? (Functions that work in place, such as "
                                   "`np.copyto` or `out=`, return None.)\n   " + where)
            outs.append(tuple(out))
            if problem is None:
                problem = self._problem(expected_xs[k], out[0], case, where, f"the returned `{self.arg_names[0]}`")
            if problem is None:
                with _quiet():
                    ref = self.reference(*copy.deepcopy(args))
                for name, mine, theirs in zip(self.state_names, out[1:], ref[1:]):
                    problem = self._problem(theirs, mine, case, where, f"the returned `{name}`")
                    if problem:
                        problem += (f"\n   (`{self.arg_names[0]}` is right at this step, but the state is "
                                    f"not the one the question asks for.)")
                        break
            try:
                with _quiet():
                    x = np.array(out[0], dtype=float)
                    state = tuple(np.array(s, dtype=float) for s in out[1:])
            except (TypeError, ValueError):
                break
            if x.shape != np.shape(case.x0) or any(s.shape != x.shape for s in state):
                break
        return outs, problem


# --------------------------------------------------------------------------- multiple choice
@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice question, with its feedback."""

    text: str
    correct: bool
    feedback: str


class MultipleChoiceExercise(Exercise):
    """Pick one option by its letter; every option has its own feedback.

    Args:
        options: Mapping from letter (``"a"``, ``"b"``, ...) to :class:`Option`.
        verify: Optional zero-argument callable returning the correct letter computed
            with optlearn (a test requires it to agree with the option marked correct).
    """

    kind = "multiple choice"

    def __init__(self, name: str, prompt: str, options: dict[str, Option], hints: Sequence[str] = (),
                 verify: Callable[[], str] | None = None):
        super().__init__(name, prompt, hints)
        self.options = dict(options)
        self.verify = verify
        if sum(o.correct for o in self.options.values()) != 1:
            raise ValueError(f"{name}: exactly one option must be correct")
        self.answer_comment = " or ".join([", ".join(f'"{k}"' for k in list(self.options)[:-1]),
                                           f'"{list(self.options)[-1]}"'])

    @property
    def correct_letter(self) -> str:
        return next(k for k, o in self.options.items() if o.correct)

    @property
    def prompt_with_options(self) -> str:
        """The prompt followed by the options as a Markdown list."""
        return self.prompt + "\n\n" + "\n".join(f"- ({k}) {o.text}" for k, o in self.options.items())

    def show(self) -> None:
        super().show()
        for k, o in self.options.items():
            print(f"  ({k}) {o.text}")
        print("Answer with the letter, e.g. check('a').")

    @property
    def solution_code(self) -> str:
        return f'answer = "{self.correct_letter}"   # {self.options[self.correct_letter].text}'

    def solution(self) -> None:
        super().solution()
        print(f"    # {self.options[self.correct_letter].feedback}")

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        letters = ", ".join(self.options)
        if not isinstance(answer, str):
            return False, f"{WRONG} Answer with one of the letters {letters} as a string, e.g. \"a\"; got {fmt(answer)}."
        key = answer.strip().strip("()").strip().lower()
        if key == "":
            return False, f"{TODO}: answer with one of the letters {letters}."
        if key not in self.options:
            return False, f"{WRONG} Answer with one of the letters {letters}; got {answer!r}."
        option = self.options[key]
        mark = CORRECT if option.correct else f"{WRONG} ({key}) is not right."
        return option.correct, f"{mark} {option.feedback}"
