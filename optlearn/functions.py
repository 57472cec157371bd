"""Objective functions for the book's experiments, with analytic derivatives.

Every objective is an :class:`Objective` with

* ``f(x)``: the value; ``x`` has shape ``(..., d)`` so a whole grid can be
  evaluated at once (``f_grid(X, Y)`` is the 2-D convenience),
* ``grad(x)``: the analytic gradient, shape ``(..., d)``,
* ``hessian(x)``: the Hessian ``(d, d)`` at one point, where it has a closed form,
* ``minimizers`` (shape ``(k, d)``, possibly ``k = 0``), ``fmin``, ``bounds``
  (default plotting box, one ``(low, high)`` per coordinate), ``name`` and ``dim``.

Calling the objective, ``obj(x)``, is the same as ``obj.f(x)``.

Example:
    >>> import numpy as np
    >>> rosen = Rosenbrock()
    >>> float(rosen.f(np.array([1.0, 1.0])))
    0.0
    >>> rosen.grad(np.array([0.0, 0.0]))
    array([-2.,  0.])
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from optlearn.validation import check_number, fail

__all__ = [
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Beale",
    "Himmelblau",
    "Saddle",
    "MonkeySaddle",
    "Rastrigin",
    "DoubleWell",
    "Plateau",
    "numerical_grad",
    "check_grad",
]

Bounds = tuple[tuple[float, float], ...]


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    if x.shape[-1:] != (2,):
        raise ValueError(f"x must have shape (..., 2) for a 2-D objective; got shape {x.shape}")
    return x[..., 0], x[..., 1]


class Objective:
    """Base class: a differentiable function of ``x`` with shape ``(..., dim)``.

    Subclasses define ``f``, ``grad`` and, where it has a closed form, ``hessian``.

    Example:
        >>> float(Saddle()(np.array([1.0, 2.0])))
        -3.0
    """

    name: str = "objective"
    dim: int = 2
    minimizers: np.ndarray = np.zeros((0, 2))
    fmin: float = -np.inf
    bounds: Bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def f(self, x: np.ndarray) -> np.ndarray:
        """The value at ``x`` (shape ``(..., dim)``); returns shape ``(...)``."""
        raise NotImplementedError

    def grad(self, x: np.ndarray) -> np.ndarray:
        """The gradient at ``x``; same shape as ``x``."""
        raise NotImplementedError

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """The Hessian ``(dim, dim)`` at one point ``x`` of shape ``(dim,)``."""
        raise NotImplementedError(f"{self.name} has no closed-form Hessian")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.f(x)

    def f_grid(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Values on a mesh (as from ``np.meshgrid``) of a 2-D objective.

        Example:
            >>> X, Y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
            >>> Saddle().f_grid(X, Y).shape
            (3, 3)
        """
        return self.f(np.stack([X, Y], axis=-1))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Quadratic(Objective):
    """The convex quadratic ``0.5 x^T A x - b^T x + c`` (``A`` symmetric positive definite).

    Its gradient is ``A x - b``, its minimiser ``A^{-1} b``; gradient descent
    with a constant learning rate converges iff ``lr < 2 / L``.

    Attributes:
        L: the largest eigenvalue of ``A`` (the smoothness constant).
        mu: the smallest eigenvalue (the strong-convexity constant).
        kappa: the condition number ``L / mu``.

    Example:
        >>> q = Quadratic.from_condition(10.0)
        >>> q.L, q.mu, q.kappa
        (10.0, 1.0, 10.0)
        >>> q.grad(q.minimizers[0])
        array([0., 0.])
    """

    def __init__(self, A: np.ndarray, b: np.ndarray | None = None, c: float = 0.0):
        A = np.atleast_2d(np.asarray(A, dtype=float))
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise fail("A", A, "a square matrix", f"got shape {A.shape}")
        if not np.allclose(A, A.T):
            raise fail("A", A.tolist() if A.size <= 16 else A, "symmetric", f"|A - A.T| reaches {float(np.abs(A - A.T).max()):.3g}")
        self.dim = A.shape[0]
        b = np.zeros(self.dim) if b is None else np.asarray(b, dtype=float)
        if b.shape != (self.dim,):
            raise fail("b", b, f"of shape ({self.dim},) to match A", f"got shape {b.shape}")
        self.eigenvalues = np.linalg.eigvalsh(A)
        if self.eigenvalues[0] <= 0:
            raise fail("A", A.tolist() if A.size <= 16 else A, "positive definite",
                       f"its smallest eigenvalue is {self.eigenvalues[0]:g}")
        self.A, self.b, self.c = A, b, float(c)
        self.L, self.mu = float(self.eigenvalues[-1]), float(self.eigenvalues[0])
        self.kappa = self.L / self.mu
        x_star = np.linalg.solve(A, b)
        self.minimizers = x_star[None, :]
        self.fmin = float(self.c - 0.5 * b @ x_star)
        self.bounds = tuple((float(m) - 2.0, float(m) + 2.0) for m in x_star)
        self.name = f"quadratic (kappa={self.kappa:g})"

    @classmethod
    def from_eigenvalues(cls, eigenvalues, rotation: float = 0.0) -> "Quadratic":
        """``A = R diag(eigenvalues) R^T`` with ``R`` a rotation by ``rotation`` radians
        in the plane of the first two coordinates; minimiser at the origin.

        Example:
            >>> Quadratic.from_eigenvalues([1.0, 4.0, 9.0]).kappa
            9.0
        """
        lam = np.asarray(eigenvalues, dtype=float)
        R = np.eye(lam.size)
        if lam.size >= 2:
            cos, sin = np.cos(rotation), np.sin(rotation)
            R[:2, :2] = [[cos, -sin], [sin, cos]]
        return cls(R @ np.diag(lam) @ R.T)

    @classmethod
    def from_condition(cls, kappa: float, mu: float = 1.0, dim: int = 2, rotation: float = 0.0) -> "Quadratic":
        """A quadratic with eigenvalues spread evenly from ``mu`` to ``kappa * mu``.

        Example:
            >>> Quadratic.from_condition(4.0, mu=0.5, dim=3).eigenvalues
            array([0.5 , 1.25, 2.  ])
        """
        check_number("kappa", kappa, low=1)
        return cls.from_eigenvalues(np.linspace(mu, kappa * mu, dim), rotation)

    def f(self, x):
        x = np.asarray(x, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b + self.c

    def grad(self, x):
        return np.asarray(x, dtype=float) @ self.A - self.b

    def hessian(self, x=None):
        return self.A.copy()

    def __repr__(self):
        return f"Quadratic(L={self.L:g}, mu={self.mu:g})"


class Rosenbrock(Objective):
    """Rosenbrock's banana valley ``(a - x)^2 + b (y - x^2)^2``; minimum 0 at ``(a, a^2)``.

    Example:
        >>> Rosenbrock().minimizers
        array([[1., 1.]])
    """

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a, self.b = float(a), float(b)
        self.minimizers = np.array([[self.a, self.a**2]])
        self.fmin, self.name = 0.0, "Rosenbrock"
        self.bounds = ((-2.0, 2.0), (-1.0, 3.0))

    def f(self, x):
        x, y = _split(x)
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, x):
        x, y = _split(x)
        r = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r], axis=-1)

    def hessian(self, x):
        x, y = _split(x)
        dxy = -4 * self.b * x
        return np.array([[2 - 4 * self.b * (y - x**2) + 8 * self.b * x**2, dxy], [dxy, 2 * self.b]])


class Beale(Objective):
    """Beale's function, sum of ``(c_i - x + x y^i)^2`` for ``c = (1.5, 2.25, 2.625)``;
    minimum 0 at ``(3, 0.5)``, with flat regions and steep ridges.

    Example:
        >>> float(Beale().f(np.array([3.0, 0.5])))
        0.0
    """

    c = np.array([1.5, 2.25, 2.625])

    def __init__(self):
        self.minimizers, self.fmin, self.name = np.array([[3.0, 0.5]]), 0.0, "Beale"
        self.bounds = ((-4.5, 4.5), (-4.5, 4.5))

    def _terms(self, x):
        x, y = _split(x)
        i = np.arange(1, 4)
        yi = y[..., None] ** i
        t = self.c - x[..., None] + x[..., None] * yi
        return x[..., None], y[..., None], i, yi, t

    def f(self, x):
        return np.sum(self._terms(x)[-1] ** 2, axis=-1)

    def grad(self, x):
        x, y, i, yi, t = self._terms(x)
        dy_term = x * i * y ** (i - 1)
        return np.stack([np.sum(2 * t * (yi - 1), -1), np.sum(2 * t * dy_term, -1)], axis=-1)

    def hessian(self, x):
        x, y, i, yi, t = self._terms(x)
        dt_dy = x * i * y ** (i - 1)
        d2t_dy2 = x * i * (i - 1) * y ** np.maximum(i - 2, 0)
        dxx = np.sum(2 * (yi - 1) ** 2)
        dxy = np.sum(2 * (dt_dy * (yi - 1) + t * i * y ** (i - 1)))
        dyy = np.sum(2 * (dt_dy**2 + t * d2t_dy2))
        return np.array([[dxx, dxy], [dxy, dyy]])


class Himmelblau(Objective):
    """Himmelblau's function ``(x^2 + y - 11)^2 + (x + y^2 - 7)^2``: four global minima of value 0.

    Example:
        >>> Himmelblau().minimizers.shape
        (4, 2)
    """

    def __init__(self):
        self.minimizers = np.array(
            [
                [3.0, 2.0],
                [-2.805118086952745, 3.131312518250573],
                [-3.779310253377747, -3.283185991286170],
                [3.584428340330492, -1.848126526964404],
            ]
        )
        self.fmin, self.name, self.bounds = 0.0, "Himmelblau", ((-5.0, 5.0), (-5.0, 5.0))

    def f(self, x):
        x, y = _split(x)
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def grad(self, x):
        x, y = _split(x)
        u, v = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], axis=-1)

    def hessian(self, x):
        x, y = _split(x)
        u, v = x**2 + y - 11, x + y**2 - 7
        dxy = 4 * x + 4 * y
        return np.array([[4 * u + 8 * x**2 + 2, dxy], [dxy, 4 * v + 8 * y**2 + 2]])


class Saddle(Objective):
    """The saddle ``x^2 - y^2``: a critical point at the origin that is not a minimum;
    unbounded below (no minimisers, ``fmin = -inf``).

    Example:
        >>> Saddle().grad(np.array([1.0, 1.0]))
        array([ 2., -2.])
    """

    saddle_points = np.zeros((1, 2))

    def __init__(self):
        self.minimizers, self.fmin, self.name = np.zeros((0, 2)), -np.inf, "saddle"
        self.bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def f(self, x):
        x, y = _split(x)
        return x**2 - y**2

    def grad(self, x):
        x, y = _split(x)
        return np.stack([2 * x, -2 * y], axis=-1)

    def hessian(self, x=None):
        return np.diag([2.0, -2.0])


class MonkeySaddle(Objective):
    """The monkey saddle ``x^3 - 3 x y^2``: gradient *and* Hessian vanish at the origin,
    so the surface is a flat plateau there; unbounded below.

    Example:
        >>> MonkeySaddle().hessian(np.zeros(2))
        array([[ 0., -0.],
               [-0., -0.]])
    """

    saddle_points = np.zeros((1, 2))

    def __init__(self):
        self.minimizers, self.fmin, self.name = np.zeros((0, 2)), -np.inf, "monkey saddle"
        self.bounds = ((-1.5, 1.5), (-1.5, 1.5))

    def f(self, x):
        x, y = _split(x)
        return x**3 - 3 * x * y**2

    def grad(self, x):
        x, y = _split(x)
        return np.stack([3 * x**2 - 3 * y**2, -6 * x * y], axis=-1)

    def hessian(self, x):
        x, y = _split(x)
        return np.array([[6 * x, -6 * y], [-6 * y, -6 * x]])


class Rastrigin(Objective):
    """Rastrigin's multi-modal function ``A d + sum(x_i^2 - A cos(2 pi x_i))``;
    global minimum 0 at the origin, a local minimum near every integer point.

    Example:
        >>> float(Rastrigin().f(np.zeros(2)))
        0.0
    """

    def __init__(self, dim: int = 2, A: float = 10.0):
        self.dim, self.A = int(dim), float(A)
        self.minimizers, self.fmin, self.name = np.zeros((1, self.dim)), 0.0, "Rastrigin"
        self.bounds = ((-5.12, 5.12),) * self.dim

    def _check(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape[-1:] != (self.dim,):
            raise ValueError(f"x must have shape (..., {self.dim}); got {x.shape}")
        return x

    def f(self, x):
        x = self._check(x)
        return self.A * self.dim + np.sum(x**2 - self.A * np.cos(2 * np.pi * x), axis=-1)

    def grad(self, x):
        x = self._check(x)
        return 2 * x + 2 * np.pi * self.A * np.sin(2 * np.pi * x)

    def hessian(self, x):
        x = self._check(x)
        return np.diag(2 + 4 * np.pi**2 * self.A * np.cos(2 * np.pi * x))


class DoubleWell(Objective):
    """The tilted double well ``(x^2 - 1)^2 + tilt * x`` in one dimension (``x`` shape ``(..., 1)``).

    With ``tilt > 0`` the well near ``x = -1`` is the global minimum and the well
    near ``x = +1`` a shallower local minimum in which gradient descent started
    at ``x > 0`` gets stuck.

    Attributes:
        local_minimizers: all local minimisers (shape ``(k, 1)``), global first.

    Example:
        >>> w = DoubleWell(tilt=0.3)
        >>> w.local_minimizers.round(3)
        array([[-1.036],
               [ 0.96 ]])
    """

    dim = 1

    def __init__(self, tilt: float = 0.3):
        self.tilt = float(tilt)
        roots = np.roots([4.0, 0.0, -4.0, self.tilt])
        crit = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
        minima = crit[12 * crit**2 - 4 > 0]
        minima = minima[np.argsort(self._f(minima))]
        self.local_minimizers = minima[:, None]
        self.minimizers = minima[:1, None]
        self.fmin = float(self._f(minima[0]))
        self.bounds, self.name = ((-2.0, 2.0),), "tilted double well"

    def _f(self, x):
        return (x**2 - 1) ** 2 + self.tilt * x

    def _x(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape[-1:] != (1,):
            raise ValueError(f"x must have shape (..., 1) for a 1-D objective; got {x.shape}")
        return x[..., 0]

    def f(self, x):
        return self._f(self._x(x))

    def grad(self, x):
        x = self._x(x)
        return (4 * x**3 - 4 * x + self.tilt)[..., None]

    def hessian(self, x):
        x = self._x(x)
        return np.atleast_2d(12 * x**2 - 4)


class Plateau(Objective):
    """``sum(tanh(x_i / width)^2)``: a single minimum 0 at the origin surrounded by a
    long, almost flat plateau at height ``dim`` where the gradient vanishes.

    Example:
        >>> p = Plateau()
        >>> float(p.grad(np.array([6.0]))[0]) < 1e-4    # far out: nearly no slope
        True
    """

    def __init__(self, dim: int = 1, width: float = 1.0):
        self.dim, self.width = int(dim), float(width)
        self.minimizers, self.fmin, self.name = np.zeros((1, self.dim)), 0.0, "plateau"
        self.bounds = ((-6.0 * self.width, 6.0 * self.width),) * self.dim

    def _t(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape[-1:] != (self.dim,):
            raise ValueError(f"x must have shape (..., {self.dim}); got {x.shape}")
        return np.tanh(x / self.width)

    def f(self, x):
        return np.sum(self._t(x) ** 2, axis=-1)

    def grad(self, x):
        t = self._t(x)
        return 2 * t * (1 - t**2) / self.width

    def hessian(self, x):
        t = self._t(x)
        return np.diag(2 * (1 - t**2) * (1 - 3 * t**2) / self.width**2)


def numerical_grad(f: Callable, x, h: float = 1e-6):
    """Central-difference gradient ``(f(x + h e_i) - f(x - h e_i)) / 2h`` of a scalar function.

    Args:
        f: scalar function of ``x``.
        x: an array of any shape, or a dict of arrays (model parameters).
        h: step of the differences.

    Returns:
        The gradient, with the structure of ``x`` (float64).

    Example:
        >>> numerical_grad(lambda x: np.sum(x**2), np.array([1.0, -2.0])).round(6)
        array([ 2., -4.])
    """
    if isinstance(x, dict):
        x = {k: np.array(v, dtype=float) for k, v in x.items()}
        grad = {k: np.zeros_like(v) for k, v in x.items()}
        arrays = [(x[k], grad[k]) for k in x]
    else:
        x = np.array(x, dtype=float)
        grad = np.zeros_like(x)
        arrays = [(x, grad)]
    for leaf, g in arrays:
        for idx in np.ndindex(leaf.shape):
            old = leaf[idx]
            leaf[idx] = old + h
            f_plus = float(f(x))
            leaf[idx] = old - h
            f_minus = float(f(x))
            leaf[idx] = old
            g[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def _flatten(tree) -> np.ndarray:
    if isinstance(tree, dict):
        return np.concatenate([np.ravel(tree[k]) for k in sorted(tree)]) if tree else np.zeros(0)
    return np.ravel(np.asarray(tree, dtype=float))


def check_grad(f: Callable, grad, x, h: float = 1e-6) -> float:
    """Relative error ``|g - g_num| / max(|g| + |g_num|, 1e-12)`` between an analytic
    gradient and central differences (``|.|`` the Euclidean norm over all entries).

    Args:
        f: scalar function of ``x``.
        grad: either a function ``grad(x)`` or the already computed gradient at ``x``.
        x: an array or a dict of arrays.
        h: step of the differences.

    Returns:
        The relative error; below about ``1e-6`` means the gradient is right.

    Example:
        >>> r = Rosenbrock()
        >>> check_grad(r.f, r.grad, np.array([-1.2, 1.0])) < 1e-6
        True
    """
    g = grad(x) if callable(grad) else grad
    g, g_num = _flatten(g), _flatten(numerical_grad(f, x, h))
    return float(np.linalg.norm(g - g_num) / max(np.linalg.norm(g) + np.linalg.norm(g_num), 1e-12))
