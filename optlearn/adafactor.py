r"""Adafactor: a factored second moment (row and column means) and a relative step size.

Source: Shazeer & Stern, *Adafactor: Adaptive Learning Rates with Sublinear
Memory Cost*, ICML 2018. Reference implementation ``torch.optim.Adafactor``
(torch 2.13, ``torch/optim/_adafactor.py``), matched to rtol 1e-10 in float64
in ``tests/test_modern.py`` on 1-D, 2-D and 3-D parameters.

For a parameter with two or more dimensions the second moment of shape
``(..., n, m)`` is stored as a row factor ``(..., n, 1)`` and a column factor
``(..., 1, m)``: :math:`n + m` numbers per matrix instead of :math:`nm`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from optlearn import validation as V
from optlearn.base import GradientTransformation, Params, chain, tree_map
from optlearn import transforms as T
from optlearn.transforms import ScalarOrSchedule

__all__ = [
    "AdafactorState",
    "adafactor",
    "clip_by_block_rms",
    "factored_second_moment",
    "scale_by_factored_rms",
    "scale_by_relative_step",
]


class AdafactorState(NamedTuple):
    """Per parameter: ``row_var``/``col_var`` (>= 2-D params) or ``variance`` (1-D); ``None`` where unused."""

    count: int
    row_var: Params
    col_var: Params
    variance: Params


def _lerp(old: np.ndarray, new: np.ndarray, weight: float) -> np.ndarray:
    """``old + weight * (new - old)``, rounded as ``torch.lerp``."""
    if weight < 0.5:
        return old + weight * (new - old)
    return new - (new - old) * (1.0 - weight)


def factored_second_moment(row_var: np.ndarray, col_var: np.ndarray, eps1: float = 0.0) -> np.ndarray:
    r"""The rank-1 estimate :math:`\hat V = R C / \operatorname{mean}(R)` of a second moment.

    ``row_var`` has shape ``(..., n, 1)`` (row means of :math:`g^2`), ``col_var``
    ``(..., 1, m)`` (column means); the result has shape ``(..., n, m)``. The mean of
    ``row_var`` is clamped below at ``eps1`` as in torch. For :math:`g^2 = a b^T`
    (rank one) the estimate is exact.

    Example:
        >>> g2 = np.outer([1.0, 4.0], [2.0, 3.0])
        >>> factored_second_moment(g2.mean(1, keepdims=True), g2.mean(0, keepdims=True))
        array([[ 2.,  3.],
               [ 8., 12.]])
    """
    est = np.matmul(row_var, col_var)
    est /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
    return est


def scale_by_factored_rms(beta2_decay: float = -0.8, eps1: float | None = None) -> GradientTransformation:
    r"""Adafactor's direction :math:`g_t / \sqrt{\max(\hat V_t, \epsilon_1^2)}`.

    :math:`\hat\beta_{2,t} = 1 - t^{c}` (``c = beta2_decay``): the moving averages take
    weight :math:`t^{c}` on the new :math:`g^2`, so step 1 uses :math:`g_1^2` only.
    Parameters with >= 2 dimensions keep row and column means of :math:`g^2` over the
    last two axes (:func:`factored_second_moment`); 1-D parameters keep the full
    :math:`v`. ``eps1=None`` means the dtype's machine epsilon, as in torch.

    Example:
        >>> t = scale_by_factored_rms()
        >>> t.update(np.array([2.0, -0.5]), t.init(np.zeros(2)))[0]
        array([ 1., -1.])
    """
    beta2_decay = V.check_number("beta2_decay", beta2_decay, high=0.0)
    if eps1 is not None:
        V.check_non_negative("eps1", eps1)

    def init(params):
        def rows(p):
            return np.zeros(p.shape[:-1] + (1,), p.dtype) if p.ndim > 1 else None

        def cols(p):
            return np.zeros(p.shape[:-2] + (1,) + p.shape[-1:], p.dtype) if p.ndim > 1 else None

        def full(p):
            return np.zeros_like(p) if p.ndim <= 1 else None

        params = tree_map(np.asarray, params)
        return AdafactorState(0, tree_map(rows, params), tree_map(cols, params), tree_map(full, params))

    def update(updates, state, params=None):
        T._check_state(state, AdafactorState, "scale_by_factored_rms")
        t = state.count + 1
        w = float(t) ** beta2_decay

        def one(g, r, c, v):
            e1 = np.finfo(g.dtype).eps if eps1 is None else eps1
            if g.size == 0:  # an empty parameter (torch steps it): nothing to average
                return np.empty_like(g), r, c, v
            if g.ndim > 1:
                # torch: norm(g, dim)**2 / size, not mean(g*g): same value, torch's rounding
                r = _lerp(r, np.square(np.sqrt(np.sum(g * g, axis=-1, keepdims=True))) / g.shape[-1], w)
                c = _lerp(c, np.square(np.sqrt(np.sum(g * g, axis=-2, keepdims=True))) / g.shape[-2], w)
                est = factored_second_moment(r, c, e1)
            else:
                v = _lerp(v, g * g, w)
                est = v.copy()
            out = 1.0 / np.sqrt(np.maximum(est, e1 * e1))
            out *= g
            return out, r, c, v

        outs = tree_map(one, updates, state.row_var, state.col_var, state.variance)
        return _pick(outs, 0), AdafactorState(t, _pick(outs, 1), _pick(outs, 2), _pick(outs, 3))

    return GradientTransformation(init, update)


def _pick(tree, i):
    if isinstance(tree, dict):
        return {k: v[i] for k, v in tree.items()}
    return tree[i]


def clip_by_block_rms(d: float = 1.0) -> GradientTransformation:
    r"""Divide each parameter's update by :math:`\max(1, \operatorname{RMS}(u) / d)` (Adafactor's update clipping).

    Example:
        >>> t = clip_by_block_rms(1.0)
        >>> t.update(np.array([3.0, -3.0]), t.init(None))[0]
        array([ 1., -1.])
    """
    d = V.check_number("d", d, low=1.0)

    def init(params):
        return T.EmptyState()

    def update(updates, state, params=None):
        def one(u):
            if u.size == 0:
                return u.copy()
            denom = max(1.0, float(np.sqrt(np.sum(u * u))) / (math.sqrt(u.size) * d))
            return u / denom

        return tree_map(one, updates), state

    return GradientTransformation(init, update)


def scale_by_relative_step(lr: ScalarOrSchedule = 1e-2, eps2: float = 1e-3) -> GradientTransformation:
    r"""Multiply by :math:`-\alpha_t = -\max(\epsilon_2, \operatorname{RMS}(\theta_{t-1}))\,\min(\gamma_t, 1/\sqrt t)`.

    Adafactor's relative step size: the step is proportional to the parameter's
    own scale (its root mean square), at least ``eps2``; ``lr`` caps the
    :math:`1/\sqrt t` decay. Needs ``params``.

    Example:
        >>> t = scale_by_relative_step(lr=0.5)
        >>> t.update(np.array([1.0, 1.0]), t.init(None), np.array([3.0, 4.0]))[0].round(6)
        array([-1.767767, -1.767767])
    """
    lr_at = T.make_lr_fn("lr", lr)
    V.check_non_negative("eps2", eps2)

    def init(params):
        return T.CountState(0)

    def update(updates, state, params=None):
        if params is None:
            raise ValueError("scale_by_relative_step needs params; got params=None")
        t = state.count + 1
        rho = min(lr_at(state.count), 1.0 / float(t) ** 0.5)

        def one(u, p):
            if p.size == 0:
                return u * -1.0
            alpha = max(eps2, float(np.sqrt(np.sum(p * p))) / p.size**0.5) * rho
            return u * -alpha

        return tree_map(one, updates, params), T.CountState(t)

    return GradientTransformation(init, update)


def adafactor(
    lr: ScalarOrSchedule = 1e-2,
    beta2_decay: float = -0.8,
    eps: tuple[float | None, float] = (None, 1e-3),
    d: float = 1.0,
    weight_decay: float = 0.0,
) -> GradientTransformation:
    r"""Adafactor, as ``torch.optim.Adafactor`` (torch 2.13).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ c \text{ (beta2\_decay)},\ \epsilon_1, \epsilon_2
            \text{ (eps)},\ d,\ \lambda \text{ (weight decay)},\ \theta_0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad \hat\beta_{2,t} \leftarrow 1 - t^{c};\quad
            \rho_t \leftarrow \min(\gamma, 1/\sqrt t);\quad
            \alpha_t \leftarrow \max(\epsilon_2, \operatorname{RMS}(\theta_{t-1}))\,\rho_t\\
        &\quad \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}\\
        &\quad \textbf{if}\ \dim\theta \ge 2:\ R_t \leftarrow \hat\beta_{2,t} R_{t-1} + (1-\hat\beta_{2,t})\,
            \operatorname{mean}_{\text{cols}}(g_t^2),\ C_t \leftarrow \text{likewise over rows},\
            \hat V_t \leftarrow R_t C_t / \operatorname{mean}(R_t)\\
        &\quad \textbf{else}:\ \hat V_t \leftarrow \hat\beta_{2,t} \hat V_{t-1} + (1-\hat\beta_{2,t}) g_t^2\\
        &\quad U_t \leftarrow g_t / \sqrt{\max(\hat V_t, \epsilon_1^2)}\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \alpha_t\, U_t / \max(1, \operatorname{RMS}(U_t)/d)\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        From the paper (Shazeer & Stern 2018, Algorithms 4-5 and section 9): the
        relative step :math:`\max(\epsilon_2, \operatorname{RMS}(\theta))\min(10^{-2},
        1/\sqrt t)`, update clipping with :math:`d = 1`, the decay
        :math:`\hat\beta_{2,t} = 1 - t^{-0.8}`, and no first moment
        (:math:`\beta_1 = 0`, the paper's recommended setting). torch's own choices:
        ``lr`` caps the relative step :math:`1/\sqrt t` and scales the (decoupled)
        weight decay; ``eps[0]=None`` is the dtype's machine epsilon and is a clamp
        :math:`\hat V \ge \epsilon_1^2` (the paper adds :math:`\epsilon_1` to
        :math:`g^2`); the factored estimate is over the *last two* axes, so a 3-D
        parameter keeps one row and column factor per leading index.
        ``maximize``/``foreach`` are not offered.

    Raises:
        ValueError: ``beta2_decay`` > 0, ``eps`` not a pair of non-negative values
            (``eps[0]`` may be None), ``d`` < 1, negative ``lr`` or ``weight_decay``.

    Example:
        >>> opt = adafactor(lr=0.1)
        >>> opt.update(np.array([4.0, -1.0]), opt.init(np.ones(2)), np.ones(2))[0]
        array([-0.1,  0.1])
    """
    V.check_scalar_or_schedule("lr", lr)
    if not isinstance(eps, (tuple, list)) or len(eps) != 2:
        raise V.fail("eps", eps, "a pair (eps1 or None, eps2)")
    if eps[0] is not None:
        V.check_non_negative("eps[0]", eps[0])
    V.check_non_negative("eps[1]", eps[1])
    return T.raise_if_not_finite(chain(
        T.validate_grads(),
        scale_by_factored_rms(beta2_decay, eps[0]),
        clip_by_block_rms(d),
        scale_by_relative_step(lr, eps[1]),
        T.decoupled_weight_decay(weight_decay, lr, name="lr"),
    ), "adafactor", T.overflow_causes(T.zero_eps_cause(eps[0]) if eps[0] is not None else ""))
