"""The curvature constants of an objective: smoothness L, strong convexity mu, condition number kappa.

For a twice-differentiable ``f``, the gradient is L-Lipschitz (f is *L-smooth*)
and f is *mu-strongly convex* exactly when every Hessian eigenvalue lies in
``[mu, L]``; on a quadratic ``x^T A x / 2`` these are the extreme eigenvalues of
``A``, and ``kappa = L / mu`` is the condition number that sets the speed of
gradient descent (Nesterov, *Introductory Lectures on Convex Optimization*,
2004, sections 2.1.1 and 2.1.3).

Example:
    >>> import numpy as np
    >>> curvature(np.diag([1.0, 10.0]))
    Curvature(L=10.0, mu=1.0, kappa=10.0)
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from optlearn import _fcheck
from optlearn.validation import fail

__all__ = ["Curvature", "curvature", "curvature_on_grid", "power_iteration"]


class Curvature(NamedTuple):
    """``L`` (largest |Hessian eigenvalue|), ``mu`` (smallest eigenvalue) and ``kappa = L / mu``.

    ``L`` is the spectral norm of the Hessian, the Lipschitz constant of the gradient; for a
    convex function it is the largest eigenvalue. ``kappa`` is ``inf`` when ``mu <= 0`` (the
    function is not strongly convex there).
    """

    L: float
    mu: float
    kappa: float


def _from_eigenvalues(lam: np.ndarray) -> Curvature:
    L, mu = float(np.abs(lam).max()), float(lam.min())
    kappa = L / mu if mu > 0 else float("inf")
    return Curvature(L, mu, kappa)


def curvature(hessian, x=None) -> Curvature:
    """``L``, ``mu`` and ``kappa`` of a Hessian matrix, or of an objective's Hessian at ``x``.

    Args:
        hessian: a symmetric ``(d, d)`` matrix, or an object with a ``hessian(x)``
            method (any :class:`optlearn.functions.Objective`).
        x: the point, shape ``(d,)``; needed for an objective unless its Hessian is
            constant (a :class:`~optlearn.functions.Quadratic`).

    Returns:
        :class:`Curvature` ``(L, mu, kappa)``; units: those of ``f`` per squared unit of ``x``.

    Raises:
        ValueError: if the matrix is not square, symmetric and finite, or ``x`` is
            missing for a non-constant Hessian.

    Example:
        >>> from optlearn.functions import Quadratic, Saddle
        >>> curvature(Quadratic.from_eigenvalues([2.0, 8.0], rotation=0.3))
        Curvature(L=8.0, mu=2.0, kappa=4.0)
        >>> curvature(Saddle(), x=np.zeros(2))      # not convex: mu < 0
        Curvature(L=2.0, mu=-2.0, kappa=inf)
    """
    if hasattr(hessian, "hessian"):
        if x is None:
            if hasattr(hessian, "A"):
                H = hessian.hessian()
            else:
                raise fail("x", None, f"a point of shape ({hessian.dim},)",
                           f"the Hessian of {type(hessian).__name__} depends on x")
        else:
            H = hessian.hessian(_fcheck.point("x", x))
    else:
        H = hessian
    H = _fcheck.square_symmetric("hessian", H)
    return _from_eigenvalues(np.linalg.eigvalsh(H))


def curvature_on_grid(objective, bounds=None, n: int = 41) -> Curvature:
    """The extreme Hessian eigenvalues of a 1-D or 2-D objective over a grid of its box.

    ``L`` is the largest |eigenvalue| and ``mu`` the smallest eigenvalue met on an ``n``-point-per-axis
    grid of ``bounds`` (default ``objective.bounds``): estimates of the smoothness and
    strong-convexity constants *on that box* (exact when the extremes lie on the grid,
    otherwise an inner estimate). ``mu < 0`` proves the function is not convex there.

    Example:
        >>> from optlearn.functions import Rosenbrock
        >>> c = curvature_on_grid(Rosenbrock(), bounds=((-2, 2), (-1, 3)), n=5)
        >>> c.mu < 0 < c.L
        True
    """
    n = _fcheck.positive_int("n", n, minimum=2)
    bounds = objective.bounds if bounds is None else bounds
    if len(bounds) not in (1, 2) or len(bounds) != objective.dim:
        raise fail("bounds", bounds, "one (low, high) pair per coordinate of a 1-D or 2-D objective")
    axes = [np.linspace(lo, hi, n) for lo, hi in bounds]
    points = np.stack([g.ravel() for g in np.meshgrid(*axes)], axis=-1)
    lam = np.concatenate([np.linalg.eigvalsh(np.atleast_2d(objective.hessian(p))) for p in points])
    return _from_eigenvalues(lam)


def power_iteration(matvec: Callable[[np.ndarray], np.ndarray], dim: int, iters: int = 200,
                    tol: float = 1e-10, seed: int = 0) -> float:
    """The largest-magnitude eigenvalue of a symmetric linear map given only as ``v -> H v``.

    This is how ``L`` is estimated for a model too large to form its Hessian: a
    Hessian-vector product costs about two gradients (Pearlmutter 1994). The
    iteration ``v <- Hv / |Hv|`` converges at the rate ``|lambda_2 / lambda_1|``
    (Golub & Van Loan, *Matrix Computations*, section 8.2.1).

    Args:
        matvec: ``v -> H v`` for ``v`` of shape ``(dim,)``.
        dim: the dimension ``d``.
        iters: maximum number of products.
        tol: stop when the Rayleigh quotient changes by less than ``tol`` (relative).
        seed: seed of the random start.

    Returns:
        The Rayleigh quotient ``v^T H v`` at the last unit vector (an estimate of
        ``lambda_max`` when ``H`` is positive semi-definite), once it has settled and
        ``v`` is an eigenvector up to a residual ``|Hv - lambda v| <= sqrt(tol) |Hv|``.

    Raises:
        numpy.linalg.LinAlgError: if that does not happen within ``iters`` products (for
            example when the two largest |eigenvalues| are equal with opposite signs).

    Example:
        >>> H = np.diag([1.0, 3.0, 10.0])
        >>> round(power_iteration(lambda v: H @ v, 3), 8)
        10.0
    """
    dim = _fcheck.positive_int("dim", dim)
    iters = _fcheck.positive_int("iters", iters)
    tol = _fcheck.positive("tol", tol)
    v = np.random.default_rng(seed).normal(size=dim)
    v /= np.linalg.norm(v)
    estimate = np.inf
    for _ in range(iters):
        w = np.asarray(matvec(v), dtype=float)
        if w.shape != (dim,):
            raise fail("matvec", matvec, f"a function returning shape ({dim},)", f"it returned shape {w.shape}")
        new = float(v @ w)
        norm = np.linalg.norm(w)
        if norm == 0:
            return 0.0
        residual = float(np.linalg.norm(w - new * v))          # 0 exactly when v is an eigenvector
        v = w / norm
        if abs(new - estimate) <= tol * abs(new) and residual <= np.sqrt(tol) * norm:
            return new
        estimate = new
    raise np.linalg.LinAlgError(
        f"power_iteration did not converge in iters={iters} products (last Rayleigh quotient {estimate:.6g}, "
        f"residual |Hv - lambda v| = {residual:.3g}): the largest |eigenvalues| may be equal or of opposite "
        "sign (e.g. diag(1, -1)); raise iters, or use np.linalg.eigvalsh on a small matrix")
