"""Convex objectives with closed-form Hessians, for the foundations chapter.

Each is an :class:`optlearn.functions.Objective` on a flat parameter vector
``theta`` of shape ``(d,)`` (``f`` and ``grad`` also accept a stack ``(..., d)``;
``hessian`` takes one point), so that every method of the chapter (gradient
descent, line searches, Newton's method, the Polyak step) runs on it:

* :class:`LeastSquares`: the mean squared error of linear regression,
  ``|X theta - y|^2 / n`` (no factor 1/2, like ``ol.models.LinearRegression``), a
  quadratic with Hessian ``2 X^T X / n``;
* :class:`Logistic`: the mean binary cross-entropy of logistic regression plus
  ``l2 / 2 |theta|^2`` on *every* coordinate, so that it is ``l2``-strongly convex
  and ``L``-smooth with ``L = lambda_max(X^T X) / (4 n) + l2``;
* :class:`PseudoHuber`: ``sqrt(1 + |x|^2) - 1``, convex and 1-smooth but not strongly
  convex far away, where pure Newton's method diverges.

Put a column of ones in ``X`` for an intercept.

Example:
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> LeastSquares(X, y).minimizers[0]        # y = 1 + 2 x exactly
    array([1., 2.])
"""

from __future__ import annotations

import numpy as np

from optlearn import _fcheck
from optlearn.functions import Objective
from optlearn.validation import fail

__all__ = ["LeastSquares", "Logistic", "PseudoHuber"]


def _data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
        raise fail("X", X, "an (n, d) array with n >= 1 and y of shape (n,)", f"y has shape {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise fail("X", X, "finite, with a finite y", "X or y contains NaN or infinity")
    return X, y


class LeastSquares(Objective):
    """Linear regression's MSE ``f(theta) = |X theta - y|^2 / n``.

    Attributes:
        A: the (constant) Hessian ``2 X^T X / n``, shape ``(d, d)``.
        L, mu, kappa: its extreme eigenvalues and their ratio.
        minimizers: the least-squares solution (``np.linalg.lstsq``), shape ``(1, d)``.
        fmin: the minimum value.

    Example:
        >>> X = np.array([[1.0, 0.0], [0.0, 3.0]]); ls = LeastSquares(X, np.zeros(2))
        >>> float(ls.L), float(ls.mu), float(ls.kappa)
        (9.0, 1.0, 9.0)
    """

    def __init__(self, X, y):
        self.X, self.y = _data(X, y)
        n, self.dim = self.X.shape
        self.A = 2.0 / n * self.X.T @ self.X
        lam = np.linalg.eigvalsh(self.A)
        self.L, self.mu = float(lam[-1]), float(lam[0])
        self.kappa = self.L / self.mu if self.mu > 0 else float("inf")
        self.minimizers = np.linalg.lstsq(self.X, self.y, rcond=None)[0][None, :]
        self.fmin = float(self.f(self.minimizers[0]))
        self.name = "least squares"
        self.bounds = tuple((float(m) - 2.0, float(m) + 2.0) for m in self.minimizers[0])

    def f(self, x):
        r = np.asarray(x, dtype=float) @ self.X.T - self.y
        return np.mean(r**2, axis=-1)

    def grad(self, x):
        r = np.asarray(x, dtype=float) @ self.X.T - self.y
        return 2.0 / len(self.y) * r @ self.X

    def hessian(self, x=None):
        return self.A.copy()


class Logistic(Objective):
    """Logistic regression's mean cross-entropy plus ``l2 / 2 |theta|^2``, labels in {0, 1}.

    ``f(theta) = mean(log(1 + exp(z)) - y z) + l2 / 2 |theta|^2`` with ``z = X theta``,
    computed stably (``np.logaddexp``). Its Hessian ``X^T S X / n + l2 I`` with
    ``S = diag(p (1 - p)) <= 1/4`` gives the global constants ``mu = l2`` and
    ``L = lambda_max(X^T X) / (4 n) + l2``.

    Example:
        >>> X = np.array([[1.0, -1.0], [1.0, 1.0]]); lg = Logistic(X, np.array([0.0, 1.0]), l2=0.1)
        >>> round(float(lg.f(np.zeros(2))), 6), float(lg.mu), round(float(lg.L), 6)
        (0.693147, 0.1, 0.35)
    """

    def __init__(self, X, y, l2: float = 1e-2):
        self.X, self.y = _data(X, y)
        if not np.all((self.y == 0) | (self.y == 1)):
            raise fail("y", self.y, "labels 0 and 1 only")
        self.l2 = _fcheck.positive("l2", l2)
        n, self.dim = self.X.shape
        self.mu = self.l2
        self.L = float(np.linalg.eigvalsh(self.X.T @ self.X)[-1] / (4 * n) + self.l2)
        self.kappa = self.L / self.mu
        self.name = "logistic regression"
        self.fmin = -np.inf   # unknown until solved; see ``solve``
        self.minimizers = np.zeros((0, self.dim))

    def f(self, x):
        x = np.asarray(x, dtype=float)
        z = x @ self.X.T
        return np.mean(np.logaddexp(0.0, z) - self.y * z, axis=-1) + 0.5 * self.l2 * np.sum(x**2, axis=-1)

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        p = 0.5 * (1.0 + np.tanh(0.5 * (x @ self.X.T)))      # sigmoid without overflow
        return (p - self.y) @ self.X / len(self.y) + self.l2 * x

    def hessian(self, x):
        x = _fcheck.point("x", x)
        p = 0.5 * (1.0 + np.tanh(0.5 * (self.X @ x)))
        return (self.X.T * (p * (1 - p))) @ self.X / len(self.y) + self.l2 * np.eye(self.dim)

    def solve(self, steps: int = 50) -> "Logistic":
        """Set ``minimizers`` and ``fmin`` by damped Newton's method (to rounding level); returns self.

        Raises:
            ValueError: if Newton's method has not converged within ``steps`` (then the
                last iterate is not a minimiser and nothing is stored).

        Example:
            >>> X = np.array([[1.0, -1.0], [1.0, 1.0]]); lg = Logistic(X, np.array([0.0, 1.0]), l2=0.1).solve()
            >>> bool(np.linalg.norm(lg.grad(lg.minimizers[0])) < 1e-12)
            True
        """
        from optlearn.newton import newton

        steps = _fcheck.positive_int("steps", steps)
        run = newton(self, np.zeros(self.dim), steps=steps)
        gnorm = float(run.grad_norms[-1])
        if run.converged_at is None and gnorm > 1e-10 * max(1.0, float(np.linalg.norm(self.grad(np.zeros(self.dim))))):
            raise ValueError(f"steps={steps} must be enough for Newton's method to converge: after {run.n_steps} "
                             f"steps |grad f| = {gnorm:.3g}, so the point is not a minimiser; raise steps")
        self.minimizers, self.fmin = run.x[None, :], float(run.losses[-1])
        return self


class PseudoHuber(Objective):
    """``f(x) = sqrt(1 + |x|^2) - 1``: the pseudo-Huber loss, minimum 0 at the origin.

    Its Hessian eigenvalues lie in ``(0, 1]`` (1-smooth), but the smallest tends to 0
    as ``|x|`` grows (not strongly convex globally). In one dimension pure Newton's
    method maps ``x`` to ``-x^3``: it converges for ``|x| < 1`` and diverges for ``|x| > 1``
    (an analogue of Boyd & Vandenberghe 2004, exercise 9.10, which shows the same
    behaviour for ``log(e^x + e^-x)`` and ``-log x + x``).

    Example:
        >>> ph = PseudoHuber(dim=1)
        >>> float(ph.f(np.array([0.0]))), ph.grad(np.array([2.0])).round(4)
        (0.0, array([0.8944]))
    """

    def __init__(self, dim: int = 1):
        self.dim = _fcheck.positive_int("dim", dim)
        self.minimizers, self.fmin = np.zeros((1, self.dim)), 0.0
        self.L, self.name = 1.0, "pseudo-Huber"
        self.bounds = ((-3.0, 3.0),) * self.dim

    def _x(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape[-1:] != (self.dim,):
            raise fail("x", x, f"an array of shape (..., {self.dim})", f"got shape {x.shape}")
        return x

    def f(self, x):
        x = self._x(x)
        return np.sqrt(1.0 + np.sum(x**2, axis=-1)) - 1.0

    def grad(self, x):
        x = self._x(x)
        return x / np.sqrt(1.0 + np.sum(x**2, axis=-1, keepdims=True))

    def hessian(self, x):
        x = _fcheck.point("x", self._x(x))
        s = 1.0 + x @ x
        return (np.eye(self.dim) * s - np.outer(x, x)) / s**1.5
