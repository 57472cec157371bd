"""Seeded synthetic data sets, two small real ones, splitting and standardising.

Nothing is downloaded: the real data sets (``digits``, ``breast_cancer``) are the
copies bundled inside scikit-learn (``pip install optlearn[data]``).

Example:
    >>> X, y = two_moons(100, noise=0.1, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optlearn.validation import check_choice, check_int, check_non_negative, fail

__all__ = [
    "Dataset",
    "LinearData",
    "PolynomialData",
    "SparseData",
    "linear",
    "polynomial",
    "poly_features",
    "two_moons",
    "spirals",
    "sparse_features",
    "digits",
    "breast_cancer",
    "train_val_test_split",
    "standardize",
]


class Dataset(NamedTuple):
    """Inputs ``X`` (n, d) and targets ``y`` (n,); unpacks as ``X, y = data``."""

    X: np.ndarray
    y: np.ndarray


class LinearData(NamedTuple):
    """``X``, ``y = X w + bias + noise`` and the true weights ``w``."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray


class PolynomialData(NamedTuple):
    """Inputs ``x`` (n,), noisy targets ``y`` and the true coefficients (``coef[k]`` multiplies ``x**k``)."""

    x: np.ndarray
    y: np.ndarray
    coef: np.ndarray


class SparseData(NamedTuple):
    """``X`` (n, d) 0/1 features, targets ``y``, true weights ``w`` and the boolean mask ``rare``."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    rare: np.ndarray


def _check_n(n: int, name: str = "n", minimum: int = 1) -> int:
    return check_int(name, n, low=minimum)


def linear(n: int = 100, d: int = 1, noise: float = 0.1, seed: int = 0, bias: float = 0.0) -> LinearData:
    """Linear-regression data ``y = X w + bias + noise * N(0, 1)`` with ``X ~ N(0, 1)``.

    Example:
        >>> X, y, w = linear(50, d=3, noise=0.0, seed=1)
        >>> bool(np.allclose(X @ w, y))
        True
    """
    n, d = _check_n(n), _check_n(d, "d")
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    X = rng.normal(size=(n, d))
    return LinearData(X, X @ w + bias + noise * rng.normal(size=n), w)


def poly_features(x: np.ndarray, degree: int, include_bias: bool = False) -> np.ndarray:
    """Columns ``x, x**2, ..., x**degree`` (and a leading column of ones if ``include_bias``).

    Example:
        >>> poly_features(np.array([2.0, 3.0]), 3)
        array([[ 2.,  4.,  8.],
               [ 3.,  9., 27.]])
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise fail("x", x, "a 1-D array", f"got shape {x.shape}")
    _check_n(degree, "degree", 0)
    return x[:, None] ** np.arange(0 if include_bias else 1, degree + 1)


def polynomial(n: int = 20, degree: int = 3, noise: float = 0.3, seed: int = 0,
               x_range: tuple[float, float] = (-1.0, 1.0)) -> PolynomialData:
    """Noisy samples of a random polynomial of the given degree, for the overfitting chapter
    (fit them with ``poly_features`` of a higher degree to overfit).

    Example:
        >>> x, y, coef = polynomial(30, degree=3, seed=0)
        >>> x.shape, coef.shape
        ((30,), (4,))
    """
    n = _check_n(n)
    rng = np.random.default_rng(seed)
    coef = rng.normal(size=_check_n(degree, "degree", 0) + 1)
    x = np.sort(rng.uniform(*x_range, size=n))
    clean = np.polynomial.polynomial.polyval(x, coef)
    return PolynomialData(x, clean + noise * rng.normal(size=n), coef)


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles (labels 0 and 1), plus Gaussian noise.

    Example:
        >>> two_moons(7).X.shape
        (7, 2)
    """
    n = _check_n(n, minimum=2)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t = np.concatenate([np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)])
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    X = np.where(y[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], 1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1))
    X = X + noise * rng.normal(size=X.shape)
    perm = rng.permutation(n)
    return Dataset(X[perm], y[perm])


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Dataset:
    """``classes`` interleaved spiral arms (CS231n style), ``n`` points in total.

    Example:
        >>> X, y = spirals(300, classes=3)
        >>> np.bincount(y).tolist()
        [100, 100, 100]
    """
    classes = _check_n(classes, "classes", 2)
    n = _check_n(n, minimum=classes)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    r = np.concatenate([np.linspace(0.0, 1.0, np.sum(y == k)) for k in range(classes)])
    y = np.sort(y)
    theta = 4.0 * r + 2 * np.pi * y / classes + noise * rng.normal(size=n)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    perm = rng.permutation(n)
    return Dataset(X[perm], y[perm].astype(np.int64))


def sparse_features(n: int = 1000, d: int = 100, n_rare: int = 10, rare_prob: float = 0.02,
                    frequent_prob: float = 0.5, noise: float = 0.1, seed: int = 0,
                    task: str = "regression") -> SparseData:
    """Sparse 0/1 features as in text or recommendation data, for the AdaGrad chapter.

    The first ``n_rare`` features are rare (on with probability ``rare_prob``) but
    informative (true weights of size 2 to 4, random sign); the others are frequent
    (probability ``frequent_prob``) and uninformative (true weight 0). Targets are
    ``X w + noise`` (``task="regression"``) or ``1[X w + noise > 0]`` (``"classification"``).

    Example:
        >>> X, y, w, rare = sparse_features(200, d=20, n_rare=5, seed=0)
        >>> int(rare.sum()), bool(np.all(w[~rare] == 0))
        (5, True)
    """
    n, d = _check_n(n), _check_n(d, "d")
    check_int("n_rare", n_rare, low=0, high=d)
    check_choice("task", task, ["regression", "classification"])
    rng = np.random.default_rng(seed)
    rare = np.arange(d) < n_rare
    X = (rng.random((n, d)) < np.where(rare, rare_prob, frequent_prob)).astype(float)
    w = np.where(rare, rng.uniform(2.0, 4.0, d) * rng.choice([-1.0, 1.0], d), 0.0)
    y = X @ w + noise * rng.normal(size=n)
    if task == "classification":
        y = (y > 0).astype(np.int64)
    return SparseData(X, y, w, rare)


def _sklearn_data(name: str) -> Dataset:
    try:
        from sklearn import datasets as skd
    except ImportError as err:  # pragma: no cover
        raise ImportError(f"{name}() needs scikit-learn: pip install 'optlearn[data]'") from err
    bunch = getattr(skd, f"load_{name}")()
    return Dataset(bunch.data.astype(float), bunch.target.astype(np.int64))


def digits() -> Dataset:
    """The 1,797 8x8 handwritten digits (64 pixel features in 0..16, labels 0..9), bundled with scikit-learn.

    Example:
        >>> digits().X.shape
        (1797, 64)
    """
    return _sklearn_data("digits")


def breast_cancer() -> Dataset:
    """The Wisconsin breast-cancer data (569 rows, 30 features, labels 0 malignant / 1 benign).

    Example:
        >>> breast_cancer().X.shape
        (569, 30)
    """
    return _sklearn_data("breast_cancer")


def train_val_test_split(X, y, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2),
                         seed: int = 0) -> tuple[Dataset, Dataset, Dataset]:
    """Shuffle the rows (seeded) and split them into train, validation and test sets.

    Args:
        fractions: three non-negative numbers summing to 1; the counts are rounded
            down for validation and test, the training set takes the rest.

    Example:
        >>> train, val, test = train_val_test_split(np.zeros((10, 2)), np.arange(10))
        >>> len(train.X), len(val.X), len(test.X)
        (6, 2, 2)
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise fail("y", y, f"an array with one entry per row of X ({len(X)})", f"got {len(y)}")
    try:
        f = np.asarray(fractions, dtype=float)
    except (TypeError, ValueError):
        f = np.full(1, np.nan)
    if f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0) or not np.isclose(f.sum(), 1.0):
        raise fail("fractions", fractions, "three numbers >= 0 summing to 1")
    n = len(X)
    n_val, n_test = int(np.floor(f[1] * n + 1e-9)), int(np.floor(f[2] * n + 1e-9))
    perm = np.random.default_rng(seed).permutation(n)
    parts = np.split(perm, [n - n_val - n_test, n - n_test])
    return tuple(Dataset(X[p], y[p]) for p in parts)


def standardize(X_train, *others, eps: float = 1e-12):
    """Centre and scale columns with the mean and std of ``X_train`` only.

    Columns with std below ``eps`` are only centred (their std is taken as 1).

    Returns:
        ``(Z_train, *Z_others, mean, std)``.

    Example:
        >>> Ztr, Zte, mean, std = standardize(np.array([[0.0], [2.0]]), np.array([[4.0]]))
        >>> Ztr.ravel(), Zte.ravel(), mean, std
        (array([-1.,  1.]), array([3.]), array([1.]), array([1.]))
    """
    X_train = np.asarray(X_train, dtype=float)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std < eps, 1.0, std)
    return (*((np.asarray(X, dtype=float) - mean) / std for X in (X_train, *others)), mean, std)
