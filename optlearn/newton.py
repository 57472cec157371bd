"""Newton's method, pure and damped (with Armijo backtracking along the Newton direction).

The Newton step minimises the second-order Taylor model,
``x <- x - t H(x)^{-1} grad f(x)``. With ``t = 1`` (pure Newton) it solves a
quadratic in one step and converges quadratically near a minimiser with a
positive-definite, Lipschitz Hessian (the number of correct digits doubles);
far away it may diverge, which damping (``t`` from backtracking) prevents when ``f``
is strongly convex on the sublevel set of ``x0`` with a Lipschitz Hessian there
(Boyd & Vandenberghe, *Convex Optimization*, 2004, section 9.5.3;
Nocedal & Wright, *Numerical Optimization*, 2006, section 3.3). Each step forms
the ``d x d`` Hessian and solves a linear system (``d^3 / 3`` flops for Cholesky).

Example:
    >>> import numpy as np
    >>> from optlearn.functions import Quadratic
    >>> q = Quadratic(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, 1.0]))
    >>> run = newton(q, [5.0, -5.0], steps=1, damped=False)
    >>> bool(np.allclose(run.x, q.minimizers[0]))
    True
"""

from __future__ import annotations

import numpy as np

from optlearn import _fcheck
from optlearn.linesearch import SearchTrajectory, _stalled, armijo
from optlearn.validation import fail

__all__ = ["newton_direction", "newton"]


def newton_direction(grad, hessian) -> np.ndarray:
    """The Newton direction ``-H^{-1} grad``, solved by Cholesky factorisation.

    Args:
        grad: the gradient, shape ``(d,)``.
        hessian: the Hessian, shape ``(d, d)``, symmetric positive definite.

    Raises:
        ValueError: if the Hessian is not positive definite (then ``-H^{-1} grad`` may
            point uphill or to a saddle): the message gives its smallest eigenvalue.

    Example:
        >>> newton_direction(np.array([2.0, 20.0]), np.diag([1.0, 10.0]))
        array([-2., -2.])
        >>> newton_direction(np.ones(2), np.diag([1.0, -1.0]))
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: hessian=[[1.0, 0.0], [0.0, -1.0]] must be positive definite for a Newton step; its smallest eigenvalue is -1 (f is not convex here): use gradient descent, or a regularised Hessian H + lambda I
    """
    H = _fcheck.square_symmetric("hessian", hessian)
    g = _fcheck.point("grad", grad)
    if g.shape != H.shape[:1]:
        raise fail("grad", grad, f"of shape ({H.shape[0]},) to match the Hessian")
    try:
        C = np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        lam = float(np.linalg.eigvalsh(H)[0])
        raise fail("hessian", H.tolist(), "positive definite for a Newton step",
                   f"its smallest eigenvalue is {lam:.6g} (f is not convex here): use gradient descent, "
                   "or a regularised Hessian H + lambda I") from None
    return -np.linalg.solve(C.T, np.linalg.solve(C, g))


def newton(objective, x0, steps: int, damped: bool = True, c1: float = 1e-4, shrink: float = 0.5,
           tol: float = 0.0) -> SearchTrajectory:
    """Run Newton's method ``x <- x + t d`` with ``d = -H^{-1} grad``.

    Args:
        objective: anything with ``f``, ``grad`` and ``hessian`` (shape ``(d, d)`` at one point).
        x0: the start, shape ``(d,)``.
        steps: the maximum number of Newton steps.
        damped: choose ``t`` by Armijo backtracking from 1 (``c1``, ``shrink``);
            otherwise ``t = 1`` (pure Newton).
        tol: stop once ``|grad f(x)| <= tol``. Once the predicted decrease ``-grad^T d``
            is below the rounding level of ``f`` the line search cannot judge a step:
            full steps are then taken while they shrink ``|grad|``, and the run stops
            (``converged_at``) at the first that does not.

    Returns:
        :class:`~optlearn.linesearch.SearchTrajectory`: ``lrs`` holds the step lengths
        ``t`` and ``n_evals`` the evaluations of ``f`` used by the damping.

    Raises:
        ValueError: where the Hessian is not positive definite (see :func:`newton_direction`),
            or ``x0`` does not have the objective's shape ``(dim,)``.
        FloatingPointError: if the iterates run away (``|x| > 1e12 max(1, |x0|)`` or ``f``
            not finite) or the Hessian is singular (pure Newton far from the minimum).

    Example:
        >>> from optlearn.functions import Rosenbrock
        >>> run = newton(Rosenbrock(), [-1.2, 1.0], steps=50)
        >>> run.x.round(10), run.converged_at is not None
        (array([1., 1.]), True)
    """
    steps = _fcheck.positive_int("steps", steps, minimum=0)
    x = _fcheck.point("x0", x0)
    dim = getattr(objective, "dim", None)
    if dim is not None and x.shape != (dim,):
        raise fail("x0", x0, f"of shape ({dim},) for this objective", f"got shape {x.shape}")
    scale = max(1.0, float(np.linalg.norm(x)))
    xs, losses, norms, lrs, evals = [x.copy()], [], [], [], [0]
    fx, g = float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)
    losses.append(fx)
    norms.append(float(np.linalg.norm(g)))
    converged_at = None
    for t in range(steps):
        if norms[-1] <= tol or norms[-1] == 0:
            converged_at = t
            break
        if not (np.all(np.isfinite(x)) and np.isfinite(fx)) or np.linalg.norm(x) > 1e12 * scale:
            raise FloatingPointError(f"Newton's method diverged: |x| = {np.linalg.norm(x):.3g} at step {t} "
                                     f"(from |x0| <= {scale:.3g}); use damped=True")
        H = np.asarray(objective.hessian(x), dtype=float)
        if H.shape == (x.size, x.size) and np.all(np.isfinite(H)) and np.linalg.eigvalsh(0.5 * (H + H.T))[0] == 0:
            raise FloatingPointError(f"the Hessian at step {t} is singular (its smallest eigenvalue is 0, "
                                     f"e.g. the curvature underflowed at |x| = {np.linalg.norm(x):.3g}): "
                                     "no Newton step; use damped=True or gradient descent")
        d = newton_direction(g, H)
        n, step = 0, 1.0
        if _stalled(fx, float(g @ d)):
            # f can no longer resolve the decrease: take the full step while it shrinks the gradient.
            x_new = x + d
            g_new = np.asarray(objective.grad(x_new), dtype=float)
            if not np.linalg.norm(g_new) < norms[-1]:
                converged_at = t
                break
            x, fx, g = x_new, float(objective.f(x_new)), g_new
        else:
            if damped:
                res = armijo(objective.f, x, d, g, fx=fx, lr=1.0, c1=c1, shrink=shrink)
                step, n = res.lr, res.n_evals
            x = x + step * d
            fx, g = float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)
        xs.append(x.copy())
        losses.append(fx)
        norms.append(float(np.linalg.norm(g)))
        lrs.append(step)
        evals.append(evals[-1] + n)
        if not np.isfinite(fx):
            raise FloatingPointError(f"Newton's method diverged at step {t + 1} (f is not finite); use damped=True")
    else:
        if norms[-1] <= tol:
            converged_at = steps
    return SearchTrajectory(np.array(xs), np.array(losses), np.array(norms), np.array(lrs),
                            converged_at=converged_at, n_evals=np.array(evals))
