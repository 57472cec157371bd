r"""Clipping by global norm: rescale all gradients together when their joint norm is too large.

Source: Pascanu, Mikolov & Bengio, *On the difficulty of training recurrent
neural networks*, ICML 2013; reference implementations
``torch.nn.utils.clip_grad_norm_`` (torch 2.13) and ``optax.clip_by_global_norm``
(optax 0.2.8), both matched in ``tests/test_modern.py``.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import numpy as np

from optlearn import validation as V
from optlearn.base import GradientTransformation, Params, tree_map

__all__ = ["ClipState", "clip_by_global_norm", "global_norm"]


def _items(tree: Params) -> list[tuple[str | None, np.ndarray]]:
    """The ``(name, array)`` pairs of a tree (an array's name is ``None``)."""
    return list(tree.items()) if isinstance(tree, dict) else [(None, tree)]


class ClipState(NamedTuple):
    """The global norm seen at the last update (``nan`` before the first), for inspection."""

    last_norm: float


def global_norm(tree: Params, norm_type: float = 2.0) -> float:
    r"""The ``norm_type``-norm of all leaves of ``tree`` viewed as one vector.

    Computed as torch does: the norm of the vector of per-leaf norms
    (:math:`\|(\|g_1\|_p, \ldots, \|g_k\|_p)\|_p`); ``norm_type=inf`` is the max-abs.

    Example:
        >>> global_norm({"a": np.array([3.0]), "b": np.array([[4.0]])})
        5.0
    """
    p = _check_norm_type(norm_type)
    norms = np.array([_leaf_norm(np.asarray(g, dtype=float), p) for _, g in _items(tree)])
    return _leaf_norm(norms, p)


def _leaf_norm(a: np.ndarray, p: float) -> float:
    if a.size == 0:
        return 0.0
    if p == math.inf:
        return float(np.max(np.abs(a)))
    with np.errstate(over="ignore"):
        norm = float(np.sqrt(np.sum(np.square(a)))) if p == 2.0 else float(np.sum(np.abs(a) ** p) ** (1.0 / p))
    if math.isinf(norm) and np.isfinite(a).all():  # a finite gradient whose powers overflowed: scale by max|a|
        big = float(np.max(np.abs(a)))
        with np.errstate(over="ignore"):
            norm = big * _leaf_norm(a / big, p)
    return norm


def _check_norm_type(norm_type: float) -> float:
    if not isinstance(norm_type, Real) or isinstance(norm_type, bool) or not (
        norm_type == math.inf or (math.isfinite(norm_type) and norm_type > 0)
    ):
        raise V.fail("norm_type", norm_type, "a number > 0 or math.inf")
    return float(norm_type)


def clip_by_global_norm(max_norm: float, norm_type: float = 2.0, eps: float = 1e-6) -> GradientTransformation:
    r"""Scale every update by :math:`\min\!\big(1, \frac{c}{\|g\| + \epsilon}\big)`, :math:`\|g\|` the global norm.

    With the defaults this is ``torch.nn.utils.clip_grad_norm_(params, max_norm)``
    (torch adds ``1e-6`` to the norm); ``eps=0`` is ``optax.clip_by_global_norm``,
    which leaves updates alone when :math:`\|g\| < c` and otherwise scales them to
    norm exactly :math:`c`. The direction is never changed, only the length.
    Usable anywhere in a :func:`~optlearn.base.chain`, typically first (after
    ``validate_grads``). The state records the norm it saw (``last_norm``).

    Args:
        max_norm: the largest global norm :math:`c > 0` let through (same units as the gradient).
        norm_type: the :math:`p` of the norm (``2.0``, any ``p > 0``, or ``math.inf``).
        eps: added to the norm in the denominator (torch: ``1e-6``; optax: 0).

    Raises:
        ValueError: for ``max_norm`` not > 0, a bad ``norm_type`` or a negative ``eps``;
            for a non-finite global norm at update time (nothing is clipped silently into nan).

    Example:
        >>> t = clip_by_global_norm(1.0, eps=0.0)
        >>> u, s = t.update({"w": np.array([3.0, 4.0])}, t.init(None))
        >>> u["w"], s.last_norm
        (array([0.6, 0.8]), 5.0)
    """
    max_norm = V.check_positive("max_norm", max_norm)
    p = _check_norm_type(norm_type)
    eps = V.check_non_negative("eps", eps)

    def init(params):
        return ClipState(math.nan)

    def update(updates, state, params=None):
        if type(state) is not ClipState:
            raise V.fail("clip_by_global_norm.update(state)", state, "the ClipState made by its own init()",
                         f"got {type(state).__name__}; was the state made by another transformation?")
        norm = global_norm(updates, p)
        if not math.isfinite(norm):
            raise ValueError(f"the global gradient norm is {norm}; a non-finite gradient cannot be clipped"
                             + ("" if any(not np.isfinite(u).all() for _, u in _items(updates)) else
                                " (the gradient is finite but its norm exceeds the float64 range)"))
        if eps == 0:  # optax: keep below the threshold, else t / norm * max_norm
            if norm < max_norm:
                return tree_map(np.copy, updates), ClipState(norm)
            return tree_map(lambda u: (u / norm) * max_norm, updates), ClipState(norm)
        coef = min(max_norm / (norm + eps), 1.0)
        return tree_map(lambda u: u * coef, updates), ClipState(norm)

    return GradientTransformation(init, update)
