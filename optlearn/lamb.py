r"""LAMB and LARS: a direction rescaled per layer by the trust ratio :math:`\|\theta\| / \|u\|`.

Source: You et al., *Large Batch Optimization for Deep Learning: Training BERT in
76 minutes*, ICLR 2020 (LAMB); You, Gitman & Ginsburg, *Large Batch Training of
Convolutional Networks*, 2017 (LARS, the trust ratio). Reference implementations
``optax.lamb`` and ``optax.lars`` (optax 0.2.8), matched to rtol 1e-10 in
``tests/test_modern.py``. torch has neither.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from optlearn import validation as V
from optlearn.base import GradientTransformation, Params, chain, tree_map
from optlearn import transforms as T
from optlearn.transforms import ScalarOrSchedule

__all__ = ["TrustRatioState", "lamb", "lars", "last_trust_ratios", "scale_by_adam_eps_root", "scale_by_trust_ratio", "trust_ratio"]


class TrustRatioState(NamedTuple):
    """The trust ratios used at the last update (a float, or a dict of floats), for inspection."""

    last_ratio: object


def trust_ratio(param: np.ndarray, update: np.ndarray, trust_coefficient: float = 1.0, eps: float = 0.0) -> float:
    r"""The layer's trust ratio :math:`\eta\,\|\theta\|_2 / (\|u\|_2 + \epsilon)`, or 1 if either norm is 0.

    Norms are over the whole array (Frobenius for a matrix). A zero-norm parameter
    (e.g. a bias initialised to 0) gets ratio 1, so it still moves.

    Example:
        >>> trust_ratio(np.array([3.0, 4.0]), np.array([0.0, 0.5]))
        10.0
    """
    pn, un = float(np.linalg.norm(param)), float(np.linalg.norm(update))
    if pn == 0.0 or un == 0.0:
        return 1.0
    return trust_coefficient * pn / (un + eps)


def scale_by_trust_ratio(trust_coefficient: float = 1.0, eps: float = 0.0) -> GradientTransformation:
    r"""Multiply each parameter's update by its :func:`trust_ratio` (as ``optax.scale_by_trust_ratio``).

    The update's length becomes :math:`\|\theta\|` (times the coefficient): every layer
    moves by the same *relative* amount, whatever its gradient scale.

    Example:
        >>> t = scale_by_trust_ratio()
        >>> t.update(np.array([0.0, 0.5]), t.init(None), np.array([3.0, 4.0]))[0]
        array([0., 5.])
    """
    V.check_non_negative("trust_coefficient", trust_coefficient)
    V.check_non_negative("eps", eps)

    def init(params):
        return TrustRatioState(None)

    def update(updates, state, params=None):
        if params is None:
            raise ValueError("scale_by_trust_ratio needs params; got params=None")
        ratios = tree_map(lambda u, p: trust_ratio(p, u, trust_coefficient, eps), updates, params)
        return tree_map(lambda u, r: u * r, updates, ratios), TrustRatioState(ratios)

    return GradientTransformation(init, update)


class AdamEpsRootState(NamedTuple):
    """Adam's moments as optax keeps them."""

    count: int
    m: Params
    v: Params


def scale_by_adam_eps_root(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-6, eps_root: float = 0.0) -> GradientTransformation:
    r"""optax's Adam direction :math:`\hat m_t / (\sqrt{\hat v_t + \epsilon_{root}} + \epsilon)`.

    Unlike :func:`optlearn.transforms.scale_by_adam` (torch's rounding, no ``eps_root``),
    this follows ``optax.scale_by_adam``'s formula and rounding.

    Example:
        >>> t = scale_by_adam_eps_root(eps=0.0)
        >>> t.update(np.array([3.0, -0.5]), t.init(np.zeros(2)))[0]
        array([ 1., -1.])
    """
    V.check_in_range("b1", b1, 0, 1, high_open=True)
    V.check_in_range("b2", b2, 0, 1, high_open=True)
    V.check_non_negative("eps", eps)
    V.check_non_negative("eps_root", eps_root)

    def init(params):
        return AdamEpsRootState(0, tree_map(np.zeros_like, params), tree_map(np.zeros_like, params))

    def update(updates, state, params=None):
        T._check_state(state, AdamEpsRootState, "scale_by_adam_eps_root")
        t = state.count + 1
        m = tree_map(lambda g, m: (1.0 - b1) * g + b1 * m, updates, state.m)
        v = tree_map(lambda g, v: (1.0 - b2) * (g * g) + b2 * v, updates, state.v)
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        out = tree_map(lambda m, v: (m / c1) / (np.sqrt(v / c2 + eps_root) + eps), m, v)
        return out, AdamEpsRootState(t, m, v)

    return GradientTransformation(init, update)


def last_trust_ratios(state: object) -> object:
    """The trust ratios of the last update, read from the state of :func:`lamb`, :func:`lars`
    or any chain containing :func:`scale_by_trust_ratio` (searched by type, not by position).

    Returns a float or a dict of floats (one per parameter array); ``None`` before the
    first update.

    Raises:
        ValueError: if ``state`` contains no trust-ratio state, or more than one.

    Example:
        >>> opt = lamb(lr=0.1)
        >>> _, s = opt.update(np.array([0.0, 0.5]), opt.init(np.zeros(2)), np.array([3.0, 4.0]))
        >>> round(last_trust_ratios(s), 4)   # ||theta|| = 5, the first Adam direction is about (0, 1)
        5.0
    """
    found: list[TrustRatioState] = []

    def visit(node: object) -> None:
        if isinstance(node, TrustRatioState):
            found.append(node)
        elif isinstance(node, (tuple, list)):
            for child in node:
                visit(child)
        elif isinstance(node, dict):
            for child in node.values():
                visit(child)

    visit(state)
    if len(found) != 1:
        raise V.fail("state", type(state).__name__, "the state of an optimizer with exactly one trust-ratio transform",
                     f"found {len(found)}")
    return found[0].last_ratio


def lamb(
    lr: ScalarOrSchedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-6,
    eps_root: float = 0.0,
    weight_decay: float = 0.0,
) -> GradientTransformation:
    r"""LAMB, as ``optax.lamb`` (with torch-style argument names).

    .. math::
        \begin{aligned}
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad m_t, v_t \text{ as in Adam};\quad
            r_t \leftarrow \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t) + \epsilon_{root}} + \epsilon}
            + \lambda\theta_{t-1}\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma_t\, \frac{\|\theta_{t-1}\|}{\|r_t\|}\, r_t
            \quad\text{(per parameter array; ratio 1 if a norm is 0)}\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        optax names: ``learning_rate, b1, b2, eps, eps_root, weight_decay, mask`` and
        no default lr (``lr=1e-3`` here, torch's Adam default). The weight decay joins
        the Adam direction *before* the trust ratio, so it is scaled by it too. Each
        array of a dict is one "layer". ``mask`` is not offered: use
        :func:`optlearn.partition` to exclude parameters from decay.

    Example:
        >>> opt = lamb(lr=0.1)
        >>> u, s = opt.update(np.array([1.0, 1.0]), opt.init(np.zeros(2)), np.array([3.0, 4.0]))
        >>> round(float(np.linalg.norm(u)), 6)   # lr * ||theta||
        0.5
    """
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise V.fail("betas", betas, "a pair (beta1, beta2)")
    V.check_in_range("betas[0]", betas[0], 0, 1, high_open=True)
    V.check_in_range("betas[1]", betas[1], 0, 1, high_open=True)
    return T.raise_if_not_finite(chain(
        T.validate_grads(),
        scale_by_adam_eps_root(betas[0], betas[1], eps, eps_root),
        T.add_decayed_weights(weight_decay),
        scale_by_trust_ratio(),
        T.scale_by_learning_rate(lr, name="lr"),
    ), "lamb", T.overflow_causes(T.zero_eps_cause(eps + eps_root)))


def lars(
    lr: ScalarOrSchedule = 0.1,
    weight_decay: float = 0.0,
    trust_coefficient: float = 0.001,
    eps: float = 0.0,
    momentum: float = 0.9,
    nesterov: bool = False,
) -> GradientTransformation:
    r"""LARS, as ``optax.lars`` (torch-style ``lr``): SGD with momentum on trust-ratio-scaled gradients.

    .. math::
        \begin{aligned}
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad u_t \leftarrow g_t + \lambda\theta_{t-1};\quad
            u_t \leftarrow \eta_{tc}\, \frac{\|\theta_{t-1}\|}{\|u_t\| + \epsilon}\, u_t
            \quad\text{(per parameter array; ratio 1 if a norm is 0)}\\
        &\quad b_t \leftarrow \mu b_{t-1} - \gamma_t u_t \ (b_0 = 0);\quad
            \theta_t \leftarrow \theta_{t-1} + (b_t \text{ or, with nesterov, } -\gamma_t u_t + \mu b_t)\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        optax names: ``learning_rate`` (no default; ``lr=0.1`` here), ``weight_decay``,
        ``trust_coefficient=0.001``, ``eps``, ``momentum=0.9``, ``nesterov``, and masks for
        the decay and the trust ratio (use :func:`optlearn.partition` instead). The
        momentum accumulates the lr-scaled steps (the lr is *inside* the buffer).

    Example:
        >>> opt = lars(lr=1.0, trust_coefficient=0.1)
        >>> u, s = opt.update(np.array([1.0, 1.0]), opt.init(np.zeros(2)), np.array([3.0, 4.0]))
        >>> round(float(np.linalg.norm(u)), 6)   # lr * 0.1 * ||theta||
        0.5
    """
    V.check_non_negative("trust_coefficient", trust_coefficient)
    return T.raise_if_not_finite(chain(
        T.validate_grads(),
        T.add_decayed_weights(weight_decay),
        scale_by_trust_ratio(trust_coefficient, eps),
        T.scale_by_learning_rate(lr, name="lr"),
        T.trace(momentum, 0.0, nesterov),
    ), "lars", T.overflow_causes())
