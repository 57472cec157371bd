"""Step sizes chosen along a search direction: Armijo backtracking and the exact step on a quadratic.

A *line search* picks the step ``lr`` along a descent direction ``d`` (one with
``grad^T d < 0``) at every iteration instead of fixing it in advance:

* **Armijo backtracking** tries ``lr, shrink * lr, shrink^2 * lr, ...`` and accepts
  the first step with *sufficient decrease*
  ``f(x + lr d) <= f(x) + c1 * lr * grad^T d``
  (Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, Algorithm 3.1;
  Boyd & Vandenberghe, *Convex Optimization*, 2004, Algorithm 9.2).
* **Exact line search** minimises ``f(x + lr d)`` over ``lr``; on a quadratic
  ``x^T A x / 2 - b^T x`` that minimiser is ``-grad^T d / (d^T A d)``.

:func:`descent` runs gradient descent with either rule, a fixed step, or the
Polyak step (:mod:`optlearn.polyak`), and records the function evaluations used.

Example:
    >>> import numpy as np
    >>> from optlearn.functions import Quadratic
    >>> q = Quadratic(np.diag([1.0, 10.0]))
    >>> x = np.array([1.0, 1.0]); g = q.grad(x)
    >>> armijo(q.f, x, -g, g)
    LineSearchResult(lr=0.125, f=0.6953125, n_evals=5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from optlearn import _fcheck
from optlearn.train import Trajectory
from optlearn.validation import check_number, fail

__all__ = ["LineSearchResult", "LineSearchError", "SearchTrajectory", "armijo", "exact_step", "descent"]


class LineSearchResult(NamedTuple):
    """The accepted step ``lr``, the value ``f(x + lr d)`` there and the number of ``f`` evaluations."""

    lr: float
    f: float
    n_evals: int


class LineSearchError(RuntimeError):
    """No step satisfied the sufficient-decrease condition within the evaluation budget."""


@dataclass
class SearchTrajectory(Trajectory):
    """A :class:`~optlearn.train.Trajectory` that also counts evaluations.

    Attributes:
        n_evals: cumulative number of evaluations of ``f`` the *method* used
            (line-search trials; the values recorded for plotting are not counted),
            shape ``(n_steps + 1,)``, ``n_evals[0] = 0``.
    """

    n_evals: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=int))


def _descent_slope(grad: np.ndarray, direction: np.ndarray) -> float:
    """``grad^T direction``, or an error unless it is negative."""
    slope = float(grad @ direction)
    if not slope < 0:
        raise fail("direction", direction, "a descent direction (grad^T direction < 0)",
                   f"grad^T direction = {slope:.6g}; use direction = -grad for gradient descent")
    return slope


def armijo(f: Callable[[np.ndarray], float], x, direction, grad, fx: float | None = None, lr: float = 1.0,
           c1: float = 1e-4, shrink: float = 0.5, max_evals: int = 60) -> LineSearchResult:
    """Armijo backtracking: the first ``lr * shrink^k`` with sufficient decrease.

    Args:
        f: the objective, ``f(x) -> float``.
        x: the current point, shape ``(d,)``.
        direction: a descent direction ``d``, shape ``(d,)`` (``grad^T d < 0``), e.g. ``-grad``.
        grad: the gradient at ``x``, shape ``(d,)``.
        fx: ``f(x)`` if already known (else it is evaluated and counted).
        lr: the first trial step (``1`` for Newton's method).
        c1: the sufficient-decrease constant in ``(0, 1)``; 1e-4 as in Nocedal & Wright.
        shrink: the backtracking factor in ``(0, 1)``.
        max_evals: the budget of evaluations of ``f``.

    Returns:
        :class:`LineSearchResult` ``(lr, f, n_evals)``. A non-finite trial value counts
        as a failure, so an overflowing trial step is simply shrunk.

    Raises:
        ValueError: if ``direction`` is not a descent direction, or a constant is out of range.
        LineSearchError: if no step within ``max_evals`` evaluations decreases ``f``
            enough (usually a wrong gradient: check it with ``ol.functions.check_grad``).

    Example:
        >>> f = lambda x: float(x @ x)
        >>> x = np.array([1.0]); g = 2 * x
        >>> armijo(f, x, -g, g, lr=1.0)       # 1 overshoots to -1 (no decrease), 0.5 lands on 0
        LineSearchResult(lr=0.5, f=0.0, n_evals=3)
    """
    x, d, g = _fcheck.point("x", x), _fcheck.point("direction", direction), _fcheck.point("grad", grad)
    if not x.shape == d.shape == g.shape:
        raise fail("direction", direction, f"of the same shape as x {x.shape} and grad {g.shape}")
    lr = _fcheck.positive("lr", lr)
    c1 = _fcheck.in_open_interval("c1", c1, 0.0, 1.0)
    shrink = _fcheck.in_open_interval("shrink", shrink, 0.0, 1.0)
    max_evals = _fcheck.positive_int("max_evals", max_evals)
    slope = _descent_slope(g, d)
    n = 0
    if fx is None:
        fx, n = float(f(x)), 1
    fx = check_number("fx", fx)
    while n < max_evals:
        with np.errstate(all="ignore"):
            ft = float(f(x + lr * d))
        n += 1
        if np.isfinite(ft) and ft <= fx + c1 * lr * slope:
            return LineSearchResult(lr, ft, n)
        lr *= shrink
    raise LineSearchError(f"no step satisfied the sufficient-decrease condition after max_evals={max_evals} "
                          f"evaluations (last trial lr={lr / shrink:.3g}); the gradient may be wrong: "
                          "check it with ol.functions.check_grad")


def exact_step(A, grad, direction) -> float:
    """The exact line-search step on a quadratic: ``argmin_lr f(x + lr d) = -grad^T d / (d^T A d)``.

    Args:
        A: the (symmetric) Hessian of the quadratic, shape ``(d, d)``.
        grad: the gradient at the current point, shape ``(d,)``.
        direction: a descent direction, shape ``(d,)``.

    Raises:
        ValueError: for a non-descent direction, or ``d^T A d <= 0`` (no minimum along ``d``).

    Example:
        >>> exact_step(np.diag([1.0, 10.0]), np.array([1.0, 10.0]), np.array([-1.0, -10.0]))
        0.1
    """
    A = _fcheck.square_symmetric("A", A)
    g, d = _fcheck.point("grad", grad), _fcheck.point("direction", direction)
    if not (g.shape == d.shape == A.shape[:1]):
        raise fail("direction", direction, f"of shape ({A.shape[0]},) like grad", f"grad has shape {g.shape}")
    slope = _descent_slope(g, d)
    curv = float(d @ A @ d)
    if not curv > 0:
        raise fail("direction", direction, "a direction of positive curvature (direction^T A direction > 0)",
                   f"direction^T A direction = {curv:.6g}: f has no minimum along it")
    return -slope / curv


def _stalled(fx: float, slope: float) -> bool:
    """Whether the predicted decrease ``-slope`` is below the rounding level of ``f``."""
    return -slope <= 1e-13 * max(1.0, abs(fx))


def descent(objective, x0, steps: int, step: str | float = "armijo", *, lr: float = 1.0, c1: float = 1e-4,
            shrink: float = 0.5, f_star: float | None = None, max_lr: float = np.inf,
            tol: float = 0.0) -> SearchTrajectory:
    """Gradient descent ``x <- x - lr_t grad f(x)`` with ``lr_t`` chosen by ``step``.

    Args:
        objective: anything with ``f(x)`` and ``grad(x)``; for ``step="exact"`` a
            :class:`~optlearn.functions.Quadratic`.
        x0: the start, shape ``(d,)``.
        steps: the maximum number of updates.
        step: ``"armijo"`` (backtracking from ``lr`` at each step), ``"exact"``
            (exact line search on a quadratic), ``"polyak"``
            (:func:`optlearn.polyak.polyak_lr` with ``f_star`` and ``max_lr``), or a
            number (a fixed learning rate).
        lr, c1, shrink: the Armijo constants (see :func:`armijo`).
        f_star: the optimal value, for ``step="polyak"``.
        max_lr: the cap of the Polyak step.
        tol: stop once ``|grad f(x)| <= tol``.

    Returns:
        :class:`SearchTrajectory`; ``lrs`` holds the steps taken and ``n_evals`` the
        cumulative evaluations of ``f`` used by the line search (0 for a fixed or
        exact step; 1 per step for Polyak). The run also stops (``converged_at``) when
        the predicted decrease falls below the rounding level of ``f``, and
        (``diverged_at``, ``hint``) when ``f`` blows up (a too-large fixed step, or a Polyak
        step with a wrong ``f_star``; ``hint`` names the cause per step rule); the blown-up
        iterate is not stored.

    Raises:
        ValueError: for an unknown ``step`` or bad constants (``lr``, ``c1``, ``shrink``
            changed from their defaults when ``step`` is not ``"armijo"``); see also :func:`armijo`
            and :func:`~optlearn.polyak.polyak_lr`.

    Example:
        >>> from optlearn.functions import Quadratic
        >>> run = descent(Quadratic(np.diag([1.0, 10.0])), [1.0, 1.0], steps=40, step="exact")
        >>> bool(np.linalg.norm(run.x) < 1e-6), int(run.n_evals[-1])
        (True, 0)
    """
    from optlearn.polyak import polyak_lr

    steps = _fcheck.positive_int("steps", steps, minimum=0)
    x = _fcheck.point("x0", x0)
    fixed = None
    if isinstance(step, str):
        if step not in ("armijo", "exact", "polyak"):
            raise fail("step", step, "'armijo', 'exact', 'polyak' or a number > 0")
        if step == "exact" and not hasattr(objective, "A"):
            raise fail("step", step, "used with a Quadratic objective (with a Hessian A)",
                       f"got {type(objective).__name__}")
        if step == "polyak" and f_star is None:
            polyak_lr(1.0, None, np.ones(1))    # raises the unknown-f* error
    else:
        fixed = _fcheck.positive("step", step)
    if step != "armijo":
        for name, value, default in (("lr", lr, 1.0), ("c1", c1, 1e-4), ("shrink", shrink, 0.5)):
            if value != default:
                raise fail(name, value, "left at its default unless step='armijo'",
                           f"step={step!r} does not use it")
    xs, losses, norms, lrs, evals = [x.copy()], [], [], [], [0]
    fx, g = float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)
    losses.append(fx)
    norms.append(float(np.linalg.norm(g)))
    converged_at = diverged_at = None
    for t in range(steps):
        if norms[-1] <= tol or norms[-1] == 0 or _stalled(fx, -norms[-1] ** 2):
            converged_at = t
            break
        n = 0
        if fixed is not None:
            eta = fixed
        elif step == "exact":
            eta = exact_step(objective.A, g, -g)
        elif step == "polyak":
            eta = polyak_lr(fx, f_star, g, max_lr=max_lr)
            n = 1
        else:
            res = armijo(objective.f, x, -g, g, fx=fx, lr=lr, c1=c1, shrink=shrink)
            eta, n = res.lr, res.n_evals
        x = x - eta * g
        with np.errstate(all="ignore"):
            fx, g = float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)
            if not (np.isfinite(fx) and np.all(np.isfinite(g)) and np.all(np.isfinite(x))
                    and abs(fx) < 1e12 * max(1.0, abs(losses[0]))):
                diverged_at = t + 1
                break
        xs.append(x.copy())
        losses.append(fx)
        norms.append(float(np.linalg.norm(g)))
        lrs.append(eta)
        evals.append(evals[-1] + n)
    else:
        if norms[-1] <= tol:
            converged_at = steps
    if diverged_at is None:
        hint = ""
    elif fixed is not None:
        hint = f"the step {fixed:g} is too large: f blew up; try one 10x smaller"
    elif step == "polyak":
        hint = (f"the Polyak steps blew up f: f_star={f_star:g} is probably below the true minimum of f "
                "(a too-low f* makes every step too large); pass the exact f* or cap the step with max_lr")
    else:
        hint = f"f blew up with step={step!r}: check that f and its gradient are consistent (ol.functions.check_grad)"
    return SearchTrajectory(np.array(xs), np.array(losses), np.array(norms), np.array(lrs),
                            diverged_at=diverged_at, hint=hint, converged_at=converged_at, n_evals=np.array(evals))
