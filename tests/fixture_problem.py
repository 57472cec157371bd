"""The deterministic problem shared by the torch fixtures and the tests.

``f(x) = sum(log(cosh(x - c)) + 0.1 * (x - c)**4 + 0.05 * x * roll(x))``: smooth,
non-quadratic, with coupled coordinates; ``grad`` is its exact gradient in
float64 numpy. Not a test module (no ``test_`` prefix).
"""

from __future__ import annotations

import numpy as np

STEPS = 60


def start(shape: tuple[int, ...]) -> np.ndarray:
    """A fixed float64 starting point of the given shape."""
    n = int(np.prod(shape))
    return (np.linspace(-1.5, 2.0, n) + 0.3 * np.sin(np.arange(n))).reshape(shape)


def grad(x: np.ndarray) -> np.ndarray:
    """Gradient of the fixture function at ``x`` (any shape), a new float64 array."""
    flat = np.asarray(x, dtype=np.float64).ravel()
    c = np.linspace(0.5, -0.5, flat.size)
    d = flat - c
    g = np.tanh(d) + 0.4 * d**3 + 0.05 * (np.roll(flat, 1) + np.roll(flat, -1))
    return g.reshape(np.shape(x))


def flatten(tree) -> list[np.ndarray]:
    """The arrays of a parameter/state tree (arrays, dicts by sorted key, tuples), in order."""
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, dict):
        return [a for k in sorted(tree) for a in flatten(tree[k])]
    if isinstance(tree, tuple):
        return [a for t in tree for a in flatten(t)]
    return []
