"""The checking core of the exercises, in the manner of Kaggle's learntools.

An exercise is declared as data (a prompt, hints, a reference, test cases and
known misconceptions) and checked here. Every verdict is plain, deterministic
text printed with ``print`` (so that nbval can compare it with a fresh run):

* ``✅ Correct! ...`` when the answer is right;
* ``⏳ Not attempted yet ...`` when the answer is still the placeholder ``...``;
* ``❌ ...`` otherwise, naming the misconception when the answer matches one.

Nothing raised by the reader's code escapes: it is reported as a verdict.

Example:
    >>> ex = ValueExercise("demo.q1", "What is 1 + 1?", expected=lambda: 2.0,
    ...                    hints=["Count."], solution_code="answer = 1 + 1",
    ...                    misconceptions=[Misconception("string concatenation",
    ...                                                  "1 + 1 is not '11'.", 11.0)])
    >>> result = ex.check(2)
    ✅ Correct!
    >>> bool(result)
    True
    >>> _ = ex.check(11)
    ❌ This looks like string concatenation: 1 + 1 is not '11'.
    >>> _ = ex.check(...)
    ⏳ Not attempted yet: replace the `...` with your answer, then run the cell again.
"""

from __future__ import annotations

import copy
import inspect
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Case",
    "CheckResult",
    "Exercise",
    "FunctionExercise",
    "Misconception",
    "MultipleChoiceExercise",
    "Option",
    "StepCase",
    "StepExercise",
    "ValueExercise",
    "fmt",
    "run",
]

CORRECT = "✅ Correct!"
WRONG = "❌"
TODO = "⏳ Not attempted yet"
HINT = "💡"
SOLUTION = "📖"


# --------------------------------------------------------------------------- formatting
def fmt(value: Any) -> str:
    """Format a value deterministically: floats with 6 significant digits.

    Example:
        >>> fmt((0.1 + 0.2, np.array([1.0, 2.5])))
        '(0.3, array([1, 2.5]))'
    """
    if value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value.item())
        if value.dtype.kind in "biuf":
            body = np.array2string(value, separator=", ", formatter={"float_kind": lambda v: f"{v:.6g}"})
            return f"array({' '.join(body.split())})"
        return f"array of dtype {value.dtype} and shape {value.shape}"
    if isinstance(value, tuple):
        inner = ", ".join(fmt(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"a {type(value).__name__}"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def mismatch(expected: Any, got: Any, rtol: float, atol: float, what: str = "your answer",
             values: bool = True) -> str | None:
    """Describe why ``got`` differs from ``expected`` (``None`` if it does not).

    Checks the type and length of tuples, the kind, shape and finiteness of
    arrays and numbers, then the values with ``np.isclose(rtol, atol)``.

    Example:
        >>> mismatch(np.zeros(3), np.zeros(2), 1e-6, 0.0)
        'your answer has shape (2,) but the expected shape is (3,).'
    """
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{what} should be a tuple of {len(expected)} values, got {fmt(got)}."
        for i, (e, g) in enumerate(zip(expected, got)):
            problem = mismatch(e, g, rtol, atol, f"element {i} of {what}")
            if problem:
                return problem
        return None
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return f"{what} should be True or False, got {fmt(got)}."
        return None if bool(got) == bool(expected) else f"{what} is {bool(got)}, but should be {bool(expected)}."
    exp = np.asarray(expected)
    try:
        arr = np.asarray(got)
    except Exception:  # noqa: BLE001 - any object the reader returns
        return f"{what} should be numeric, got {fmt(got)}."
    if arr.dtype.kind not in "biuf":
        return f"{what} should be numeric, got {fmt(got)}."
    if arr.shape != exp.shape:
        if exp.ndim == 0:
            return f"{what} should be a single number, got an array of shape {arr.shape}."
        return f"{what} has shape {arr.shape} but the expected shape is {exp.shape}."
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(arr)):
            return f"{what} contains NaN or infinity: {fmt(got)}."
        if values and not np.allclose(arr, exp, rtol=rtol, atol=atol):
            return f"{what} is {fmt(got)}, which is not the expected value."
    return None


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    """Whether two answers agree (NaN equal to NaN, so that NaN misconceptions are named)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
                and all(_close(x, y, rtol, atol) for x, y in zip(a, b)))
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf" or x.shape != y.shape:
            return False
        with np.errstate(all="ignore"):
            return bool(np.allclose(y, x, rtol=rtol, atol=atol, equal_nan=True))
    except Exception:  # noqa: BLE001
        return False


def _not_attempted(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


class _Verdict(Exception):
    """Internal: stops a check with a finished verdict message."""

    def __init__(self, message: str, wrong_value: bool = False):
        super().__init__(message)
        self.message = message
        self.wrong_value = wrong_value


# --------------------------------------------------------------------------- results
class CheckResult:
    """The outcome of ``check``: truthy when correct, invisible in a notebook.

    The verdict is already printed, so ``_ipython_display_`` shows nothing and a
    notebook cell ending with ``ex.q1.check(answer)`` displays only the verdict.
    """

    def __init__(self, passed: bool, message: str):
        self.passed = passed
        self.message = message

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: object) -> bool:
        return bool(self) == bool(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CheckResult(passed={self.passed})"

    def _ipython_display_(self) -> None:
        """Display nothing: the verdict has been printed."""


@dataclass
class Misconception:
    """A known wrong answer: a value, a function or an option, and what it means.

    Attributes:
        name: Short name, printed as "This looks like <name>".
        explanation: Why it is wrong and how to fix it.
        answer: The wrong value, the wrong function, or the wrong option letter.
    """

    name: str
    explanation: str
    answer: Any

    @property
    def message(self) -> str:
        return f"This looks like {self.name}: {self.explanation}"


# --------------------------------------------------------------------------- base
class Exercise:
    """Common behaviour: ``check``, ``hint``, ``solution`` and ``show``.

    Args:
        name: Identifier such as ``"momentum.q1"``.
        prompt: The question text.
        hints: Progressively stronger hints.
        misconceptions: Known wrong answers, recognised and named by ``check``.
    """

    kind = "exercise"

    def __init__(self, name: str, prompt: str, hints: Sequence[str] = (),
                 misconceptions: Sequence[Misconception] = ()):
        self.name = name
        self.prompt = textwrap.dedent(prompt).strip()
        self.hints = list(hints)
        self.misconceptions = list(misconceptions)
        self.passed = False
        self._hints_shown = 0

    def check(self, answer: Any) -> CheckResult:
        """Check ``answer``, print the verdict and return it as a :class:`CheckResult`."""
        if _not_attempted(answer):
            message = f"{TODO}: replace the `...` with your answer, then run the cell again."
            passed = False
        else:
            try:
                passed, message = self._verdict(answer)
            except _Verdict as v:
                passed, message = False, v.message
            except Exception as e:  # noqa: BLE001 - the core must never raise at the reader
                passed, message = False, f"{WRONG} Your answer could not be checked ({type(e).__name__}: {e})."
        self.passed = passed
        print(message)
        return CheckResult(passed, message)

    def hint(self, n: int | None = None) -> None:
        """Print hint ``n`` (1-based), or the next hint when ``n`` is omitted."""
        if not self.hints:
            print(f"{HINT} No hint for this question; try `solution()`.")
            return
        if n is None:
            self._hints_shown = min(self._hints_shown + 1, len(self.hints))
            n = self._hints_shown
        if not isinstance(n, int) or not 1 <= n <= len(self.hints):
            print(f"{HINT} There are {len(self.hints)} hints: call hint(1) to hint({len(self.hints)}).")
            return
        self._hints_shown = max(self._hints_shown, n)
        print(f"{HINT} Hint {n} of {len(self.hints)}: {self.hints[n - 1]}")
        if n == len(self.hints):
            print("   (That was the last hint; solution() shows the answer.)")

    def show(self) -> None:
        """Print the question."""
        print(f"{self.name} ({self.kind})\n{self.prompt}")

    def solution(self) -> None:
        """Print the reference solution."""
        raise NotImplementedError

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        raise NotImplementedError

    def _named(self, answer: Any, rtol: float, atol: float) -> str | None:
        for m in self.misconceptions:
            if _close(m.answer, answer, rtol, atol):
                return m.message
        return None

    def wrong_answers(self) -> list[tuple[Any, str]]:
        """The declared wrong answers with the text their verdict must contain (for tests)."""
        return [(m.answer, m.message) for m in self.misconceptions]


# --------------------------------------------------------------------------- values
class ValueExercise(Exercise):
    """A number, array or tuple, compared with a tolerance.

    Args:
        expected: Zero-argument callable computing the answer with optlearn.
        solution_code: Code or derivation shown by ``solution()``.
        rtol, atol: Tolerances of ``np.isclose``.
    """

    kind = "value exercise"

    def __init__(self, name: str, prompt: str, expected: Callable[[], Any], solution_code: str,
                 hints: Sequence[str] = (), misconceptions: Sequence[Misconception] = (),
                 rtol: float = 1e-3, atol: float = 1e-9):
        super().__init__(name, prompt, hints, misconceptions)
        self._expected_fn = expected
        self.solution_code = textwrap.dedent(solution_code).strip()
        self.rtol, self.atol = rtol, atol

    @property
    def expected(self) -> Any:
        """The reference answer, computed by optlearn."""
        value = self._expected_fn()
        return tuple(value) if isinstance(value, list) else value

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        if callable(answer):
            return False, f"{WRONG} This question wants a value, but you gave {fmt(answer)}."
        expected = self.expected
        problem = mismatch(expected, answer, self.rtol, self.atol)
        if problem is None:
            return True, CORRECT
        named = self._named(answer, self.rtol, self.atol)
        if named:
            return False, f"{WRONG} {named}"
        return False, f"{WRONG} Not quite: {problem}"

    def solution(self) -> None:
        print(f"{SOLUTION} Solution: {fmt(self.expected)}")
        print(textwrap.indent(self.solution_code, "    "))


# --------------------------------------------------------------------------- functions
@dataclass
class Case:
    """One call of the reader's function: a label and the positional arguments."""

    label: str
    args: tuple


def _call(fn: Callable, args: tuple, names: Sequence[str], where: str) -> Any:
    """Call the reader's function on copies of ``args``; turn every problem into a verdict."""
    given = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(*given)
    except Exception as e:  # noqa: BLE001 - reported, never re-raised
        raise _Verdict(f"{WRONG} Your function raised {type(e).__name__}: {e}\n   {where}") from None
    for name, before, after in zip(names, args, given):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            raise _Verdict(
                f"{WRONG} Your function modified its input `{name}` in place "
                f"(e.g. with `{name} -= ...` or `{name}[...] = ...`). "
                f"Build a new array instead (`{name} = {name} - ...`).\n   {where}")
    return out


def _describe_args(names: Sequence[str], args: tuple) -> str:
    return ", ".join(f"{n}={fmt(a)}" for n, a in zip(names, args))


class FunctionExercise(Exercise):
    """The reader writes a function; it is run on cases and compared with optlearn.

    Args:
        signature: The function's header, e.g. ``"step_decay(count, lr, step_size, gamma)"``.
        reference: The reference solution in the reader's signature (its source is
            what ``solution()`` prints; the tests check it agrees with ``expected``).
        expected: Callable computing the expected output of a case's arguments with optlearn.
        cases: The cases, edge cases included.
        misconceptions: Wrong functions with the reader's signature.
    """

    kind = "function exercise"

    def __init__(self, name: str, prompt: str, signature: str, reference: Callable,
                 expected: Callable[..., Any], cases: Sequence[Case], hints: Sequence[str] = (),
                 misconceptions: Sequence[Misconception] = (), rtol: float = 1e-6, atol: float = 1e-12):
        super().__init__(name, prompt, hints, misconceptions)
        self.signature = signature
        self.arg_names = [a.strip() for a in signature.split("(", 1)[1].rstrip(")").split(",")]
        self.reference, self._expected_fn, self.cases = reference, expected, list(cases)
        self.rtol, self.atol = rtol, atol

    def show(self) -> None:
        super().show()
        print(f"Write: def {self.signature}")

    def solution(self) -> None:
        print(f"{SOLUTION} Solution:")
        print(textwrap.indent(textwrap.dedent(inspect.getsource(self.reference)).strip(), "    "))

    def _outputs(self, fn: Callable, case: Case, expected: list | None) -> list:
        """Run ``fn`` on a case; with ``expected``, raise a verdict at the first mismatch."""
        out = _call(fn, case.args, self.arg_names, f"Case '{case.label}': {self._inputs_text(case)}")
        if expected is not None:
            self._compare(expected[0], out, case, first=case is self.cases[0])
        return [out]

    def _compare(self, expected: Any, got: Any, case: Case, first: bool, step: str = "") -> None:
        if got is None:
            if first:
                raise _Verdict(f"{TODO}: your function returns None. Write its body "
                               "(replace the `...`) and make sure it ends with `return`.")
            raise _Verdict(f"{WRONG} Your function returned None on case '{case.label}'. Is a `return` missing?")
        problem = mismatch(expected, got, self.rtol, self.atol, "the result")
        if problem:
            raise _Verdict(
                f"{WRONG} Case '{case.label}'{step} fails: {problem}\n"
                f"   inputs:   {self._inputs_text(case)}\n"
                f"   expected: {fmt(expected)}\n"
                f"   received: {fmt(got)}", wrong_value=True)

    def _inputs_text(self, case: Case) -> str:
        return _describe_args(self.arg_names, case.args)

    def _expected(self, case: Case) -> list:
        return [self._expected_fn(*copy.deepcopy(case.args))]

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        if not callable(answer):
            return False, f"{WRONG} This question wants a function, but you gave {fmt(answer)}."
        for case in self.cases:
            try:
                self._outputs(answer, case, self._expected(case))
            except _Verdict as v:
                named = self._named_function(answer) if v.wrong_value else None
                return False, f"{WRONG} {named}\n{v.message[2:]}" if named else v.message
        return True, f"{CORRECT} Your function passes all {len(self.cases)} test cases."

    def _named_function(self, fn: Callable) -> str | None:
        try:
            mine = [self._outputs(fn, c, None) for c in self.cases]
        except _Verdict:
            return None
        for m in self.misconceptions:
            try:
                theirs = [self._outputs(m.answer, c, None) for c in self.cases]
            except _Verdict:
                continue
            if all(len(ts) == len(os_) and all(_close(t, o, self.rtol, self.atol) for t, o in zip(ts, os_))
                   for ts, os_ in zip(theirs, mine)):
                return m.message
        return None


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
    """The reader writes one optimizer step ``f(x, *state, g, [t,] *hyper) -> (x, *state)``.

    The checker drives it through each case's gradient sequence, starting from
    zero state, and compares the parameters after every step with the optimizer
    built by ``optimizer(*hyper)`` from optlearn.

    Args:
        n_state: Number of state arrays (e.g. 1 for the momentum buffer).
        uses_t: Whether the step count ``t`` (1 for the first step) follows ``g``.
        optimizer: ``optimizer(*hyper)`` returns the optlearn optimizer.
    """

    def __init__(self, name: str, prompt: str, signature: str, reference: Callable,
                 optimizer: Callable[..., Any], cases: Sequence[StepCase], n_state: int = 1,
                 uses_t: bool = False, hints: Sequence[str] = (),
                 misconceptions: Sequence[Misconception] = (), rtol: float = 1e-6, atol: float = 1e-12):
        super().__init__(name, prompt, signature, reference, optimizer, cases, hints,
                         misconceptions, rtol, atol)
        self.n_state, self.uses_t = n_state, uses_t

    def _expected(self, case: StepCase) -> list:
        return [x for x, _ in run(self._expected_fn(*case.hyper), case.x0, case.grads)]

    def _inputs_text(self, case: StepCase) -> str:
        return getattr(self, "_last_inputs", "")

    def _outputs(self, fn: Callable, case: StepCase, expected: list | None) -> list:
        x = np.array(case.x0, dtype=float)
        state = tuple(np.zeros_like(x) for _ in range(self.n_state))
        xs = []
        for k, g in enumerate(case.grads):
            g = np.array(g, dtype=float)
            args = (x, *state, g) + ((k + 1,) if self.uses_t else ()) + tuple(case.hyper)
            step = f", step {k + 1} of {len(case.grads)}"
            self._last_inputs = _describe_args(self.arg_names, args)
            out = _call(fn, args, self.arg_names, f"Case '{case.label}'{step}: {self._last_inputs}")
            if out is None:
                self._compare(None, None, case, first=(case is self.cases[0] and k == 0))
            if not isinstance(out, (tuple, list)) or len(out) != 1 + self.n_state:
                names = ", ".join(["x"] + self.arg_names[1:1 + self.n_state])
                raise _Verdict(f"{WRONG} Your function should return the tuple ({names}), got {fmt(out)}."
                               f"\n   Case '{case.label}'{step}: {self._last_inputs}")
            new_x, *new_state = out
            if expected is not None:
                self._compare(expected[k], new_x, case, first=False, step=step)
                for name, s in zip(self.arg_names[1:], new_state):
                    problem = mismatch(x, s, 0.0, 0.0, f"the returned `{name}`", values=False)
                    if problem:
                        raise _Verdict(f"{WRONG} {problem}\n   Case '{case.label}'{step}: {self._last_inputs}")
            x, state = np.asarray(new_x, dtype=float), tuple(np.asarray(s, dtype=float) for s in new_state)
            xs.append(x)
        return xs


# --------------------------------------------------------------------------- multiple choice
@dataclass
class Option:
    """One option of a multiple-choice question, with its feedback."""

    text: str
    correct: bool
    feedback: str


class MultipleChoiceExercise(Exercise):
    """Pick one option by its letter; every option has its own feedback.

    Args:
        options: Mapping from letter (``"a"``, ``"b"``, ...) to :class:`Option`.
    """

    kind = "multiple choice"

    def __init__(self, name: str, prompt: str, options: dict[str, Option], hints: Sequence[str] = ()):
        super().__init__(name, prompt, hints)
        self.options = dict(options)
        self.misconceptions = [Misconception(f"option ({k})", o.feedback, k)
                               for k, o in self.options.items() if not o.correct]

    def show(self) -> None:
        super().show()
        for k, o in self.options.items():
            print(f"  ({k}) {o.text}")
        print("Answer with the letter, e.g. check('a').")

    def _verdict(self, answer: Any) -> tuple[bool, str]:
        key = answer.strip().strip("()").lower() if isinstance(answer, str) else None
        if key == "":
            return False, f"{TODO}: answer with one of the letters {', '.join(self.options)}."
        if key not in self.options:
            return False, f"{WRONG} Answer with one of the letters {', '.join(self.options)}; got {answer!r}."
        option = self.options[key]
        mark = CORRECT if option.correct else f"{WRONG} ({key}) is not right."
        return option.correct, f"{mark} {option.feedback}"

    def wrong_answers(self) -> list[tuple[Any, str]]:
        return [(k, o.feedback) for k, o in self.options.items() if not o.correct]

    def solution(self) -> None:
        for k, o in self.options.items():
            if o.correct:
                print(f"{SOLUTION} Solution: ({k}) {o.text}\n    {o.feedback}")
