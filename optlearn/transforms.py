"""Gradient transformations: the small named pieces optimizers are chained from.

Each transformation is a :class:`~optlearn.base.GradientTransformation`, a pair
``init(params) -> state`` and ``update(updates, state, params) -> (updates, state)``
with a ``NamedTuple`` state, in the style of optax. Every ``update`` is pure:
it never modifies the updates, state or params it is given and returns new
arrays (the arrays it allocates are filled with ``out=`` ufuncs to keep large
updates cheap). Arrays keep their dtype: float32 stays float32.

Conventions (those of ``torch.optim``):

* the step count ``t`` of the maths is ``count + 1``: a state's ``count`` is the
  number of updates already done, starting at 0;
* a learning rate is a non-negative float or a *schedule*, a callable of the
  count returning the learning rate to use for that update;
* the sign flip happens in :func:`scale_by_learning_rate` (updates are *added*
  to params by :func:`~optlearn.base.apply_updates`).

Example:
    >>> import numpy as np
    >>> from optlearn.base import chain
    >>> opt = chain(trace(momentum=0.9), scale_by_learning_rate(0.1))
    >>> state = opt.init(np.zeros(2))
    >>> updates, state = opt.update(np.array([1.0, -1.0]), state, np.zeros(2))
    >>> updates
    array([-0.1,  0.1])
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Callable, NamedTuple, Union

import numpy as np

from optlearn.base import GradientTransformation, Params, tree_leaves, tree_map

Schedule = Callable[[int], float]
ScalarOrSchedule = Union[float, Schedule]

__all__ = [
    "AdaDeltaState",
    "AdaGradState",
    "AdamState",
    "AdamaxState",
    "ClassicMomentumState",
    "CountState",
    "EmaState",
    "EmptyState",
    "NadamState",
    "RmsState",
    "ScalarOrSchedule",
    "Schedule",
    "TraceState",
    "add_decayed_weights",
    "classic_momentum",
    "decoupled_weight_decay",
    "ema",
    "scale",
    "scale_by_adadelta",
    "scale_by_adagrad",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_learning_rate",
    "scale_by_nadam",
    "scale_by_rms",
    "trace",
    "validate_grads",
]


# --------------------------------------------------------------------------- checks


def check_non_negative(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number >= 0."""
    if not isinstance(value, Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}={value!r} must be a finite number >= 0")


def check_unit_interval(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``0 <= value < 1``."""
    if not isinstance(value, Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name}={value!r} must be in [0, 1)")


def check_learning_rate(name: str, value: ScalarOrSchedule) -> None:
    """Accept a schedule (checked when called) or a finite float >= 0."""
    if not callable(value):
        check_non_negative(name, value)


def make_lr_fn(name: str, learning_rate: ScalarOrSchedule) -> Callable[[int], float]:
    """Return ``count -> lr``, validating what a schedule returns at each call."""
    check_learning_rate(name, learning_rate)
    if not callable(learning_rate):
        value = float(learning_rate)
        return lambda count: value

    def lr_at(count: int) -> float:
        value = learning_rate(count)
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"schedule {name} returned {name}={value!r} at count={count}; "
                "a learning rate must be a finite number >= 0"
            )
        return float(value)

    return lr_at


def _check_state(state: Any, cls: type, who: str) -> None:
    if type(state) is not cls:
        raise TypeError(
            f"{who}.update expected a {cls.__name__} (from its own init()), "
            f"got {type(state).__name__}; was the state made by another optimizer?"
        )


# --------------------------------------------------------------------------- states


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


class CountState(NamedTuple):
    """The number of updates done so far."""

    count: int


class TraceState(NamedTuple):
    """The momentum buffer ``b`` of :func:`trace` (``None`` before step 1)."""

    count: int
    momentum_buffer: Params | None


class EmaState(NamedTuple):
    """The exponential moving average ``v`` of :func:`ema`."""

    v: Params


class ClassicMomentumState(NamedTuple):
    """The velocity ``v`` of :func:`classic_momentum` and the update count."""

    count: int
    v: Params


class AdamState(NamedTuple):
    """First moment ``m``, second moment ``v`` and, with amsgrad, ``v_max``."""

    count: int
    m: Params
    v: Params
    v_max: Params | None


class RmsState(NamedTuple):
    """Running mean of ``g**2`` and, if centered, of ``g``."""

    square_avg: Params
    grad_avg: Params | None


class AdaGradState(NamedTuple):
    """The running sum of squared gradients."""

    sum_of_squares: Params


class AdaDeltaState(NamedTuple):
    """Running means of ``g**2`` and of the squared updates ``delta**2``."""

    square_avg: Params
    acc_delta: Params


class AdamaxState(NamedTuple):
    """First moment ``m`` and exponentially weighted infinity norm ``u``."""

    count: int
    m: Params
    u: Params


class NadamState(NamedTuple):
    """Adam's moments plus the product of momentum coefficients ``mu_product``."""

    count: int
    mu_product: float
    m: Params
    v: Params


# --------------------------------------------------------------------------- helpers


def _zeros(params: Params, fill: float = 0.0) -> Params:
    return tree_map(lambda p: np.full_like(np.asarray(p), fill), params)


def _lerp(old: np.ndarray, new: np.ndarray, weight: float) -> np.ndarray:
    """Return ``old + weight * (new - old)`` in a fresh array, rounded as ``torch.lerp``."""
    out = np.subtract(new, old)
    if weight < 0.5:
        out *= weight
        out += old
    else:  # torch's formula for weight >= 0.5: new - (new - old) * (1 - weight)
        out *= 1.0 - weight
        np.subtract(new, out, out=out)
    return out


def _ema_sq(old: np.ndarray, g: np.ndarray, decay: float, tmp: np.ndarray | None = None) -> np.ndarray:
    """Return ``decay * old + (1 - decay) * g * g`` in a fresh array, rounded as torch's
    ``mul_(decay).addcmul_(g, g, value=1 - decay)``; ``tmp`` is optional scratch space."""
    tmp = np.multiply(g, 1.0 - decay, out=tmp)
    tmp *= g
    out = np.multiply(old, decay)
    out += tmp
    return out


# --------------------------------------------------------------------------- stateless


def scale(factor: float) -> GradientTransformation:
    """Multiply updates by a constant ``factor``.

    Example:
        >>> scale(-2.0).update(np.array([1.0]), EmptyState(), None)[0]
        array([-2.])
    """

    def init(params):
        return EmptyState()

    def update(updates, state, params=None):
        _check_state(state, EmptyState, "scale")
        return tree_map(lambda u: u * factor, updates), state

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay: float = 0.0) -> GradientTransformation:
    r"""Coupled (L2) weight decay: :math:`g \leftarrow g + \lambda \theta`.

    This is torch's ``weight_decay`` for SGD, Adam, RMSprop, ...: the decay
    term joins the gradient *before* the adaptive scaling.

    Example:
        >>> t = add_decayed_weights(0.5)
        >>> t.update(np.array([1.0]), t.init(None), np.array([2.0]))[0]
        array([2.])
    """
    check_non_negative("weight_decay", weight_decay)

    def init(params):
        return EmptyState()

    def update(updates, state, params=None):
        _check_state(state, EmptyState, "add_decayed_weights")
        if weight_decay == 0:
            return updates, state
        if params is None:
            raise ValueError("add_decayed_weights needs params; got params=None")
        return tree_map(lambda u, p: u + weight_decay * p, updates, params), state

    return GradientTransformation(init, update)


def validate_grads() -> GradientTransformation:
    """Check each gradient: same keys and shapes as params, and finite.

    Put first in a chain. The error for a non-finite gradient names the update
    step (1-based, torch's ``step``) and the parameter.

    Example:
        >>> t = validate_grads()
        >>> t.update(np.array([np.nan]), t.init(None), np.zeros(1))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: non-finite gradient at update step 1 for parameter 'params': ...
    """

    def init(params):
        return CountState(0)

    def update(updates, state, params=None):
        _check_state(state, CountState, "validate_grads")
        if params is not None:
            _check_same_structure(updates, params)
        for name, g in tree_leaves(updates):
            if not _all_finite(g):
                label = "params" if name is None else name
                raise ValueError(
                    f"non-finite gradient at update step {state.count + 1} for parameter "
                    f"{label!r}: {np.asarray(g).ravel()[:4]}..."
                )
        return updates, CountState(state.count + 1)

    return GradientTransformation(init, update)


def _all_finite(g: np.ndarray) -> bool:
    if g.size < 65536:
        return bool(np.isfinite(g).all())
    with np.errstate(all="ignore"):  # one cheap pass; exact check only if it fails
        if math.isfinite(np.add.reduce(g, axis=None)):
            return True
    return bool(np.isfinite(g).all())


def _check_same_structure(grads: Params, params: Params) -> None:
    if isinstance(params, dict) or isinstance(grads, dict):
        if not (isinstance(params, dict) and isinstance(grads, dict)):
            raise ValueError(
                f"grads is a {type(grads).__name__} but params is a {type(params).__name__}"
            )
        if grads.keys() != params.keys():
            raise ValueError(
                f"grads keys {sorted(grads)} do not match params keys {sorted(params)}"
            )
    for name, p in tree_leaves(params):
        g = grads if name is None else grads[name]
        if np.shape(g) != np.shape(p):
            label = "params" if name is None else name
            raise ValueError(
                f"grads shape {np.shape(g)} does not match params shape {np.shape(p)} "
                f"for parameter {label!r}"
            )


# --------------------------------------------------------------------------- learning rate


def scale_by_learning_rate(learning_rate: ScalarOrSchedule) -> GradientTransformation:
    """Multiply updates by ``-lr``, where ``lr`` is a float or ``schedule(count)``.

    Example:
        >>> t = scale_by_learning_rate(lambda count: 0.1 * (count + 1))
        >>> s = t.init(None)
        >>> u, s = t.update(np.array([1.0]), s); u, s = t.update(np.array([1.0]), s)
        >>> u
        array([-0.2])
    """
    lr_at = make_lr_fn("lr", learning_rate)

    def init(params):
        return CountState(0)

    def update(updates, state, params=None):
        _check_state(state, CountState, "scale_by_learning_rate")
        factor = -lr_at(state.count)
        return tree_map(lambda u: np.multiply(u, factor), updates), CountState(state.count + 1)

    return GradientTransformation(init, update)


def decoupled_weight_decay(
    weight_decay: float, learning_rate: ScalarOrSchedule
) -> GradientTransformation:
    r"""AdamW's decoupled decay, added *after* the lr scaling: :math:`u - \gamma_t\lambda\theta`.

    Torch's AdamW multiplies params by ``1 - lr * weight_decay`` before the
    Adam step; as an additive update that is ``-lr * weight_decay * params``.
    Place this after :func:`scale_by_learning_rate` with the same lr.

    Example:
        >>> t = decoupled_weight_decay(0.1, 0.5)
        >>> t.update(np.array([-1.0]), t.init(None), np.array([2.0]))[0]
        array([-1.1])
    """
    check_non_negative("weight_decay", weight_decay)
    lr_at = make_lr_fn("lr", learning_rate)

    def init(params):
        return CountState(0)

    def update(updates, state, params=None):
        _check_state(state, CountState, "decoupled_weight_decay")
        new_state = CountState(state.count + 1)
        if weight_decay == 0:
            return updates, new_state
        if params is None:
            raise ValueError("decoupled_weight_decay needs params; got params=None")
        factor = -lr_at(state.count) * weight_decay
        return tree_map(lambda u, p: u + factor * p, updates, params), new_state

    return GradientTransformation(init, update)


# --------------------------------------------------------------------------- momentum


def trace(momentum: float, dampening: float = 0.0, nesterov: bool = False) -> GradientTransformation:
    r"""Torch's momentum buffer.

    .. math::
        b_1 = g_1, \qquad b_t = \mu b_{t-1} + (1-\tau) g_t \ (t>1), \qquad
        \text{out}_t = g_t + \mu b_t \text{ if nesterov else } b_t.

    Note the first buffer is :math:`g_1` itself, not :math:`(1-\tau) g_1`.
    With ``momentum=0`` this is the identity.

    Example:
        >>> t = trace(0.5)
        >>> s = t.init(np.zeros(1))
        >>> u, s = t.update(np.array([2.0]), s); u, s = t.update(np.array([2.0]), s)
        >>> u
        array([3.])
    """
    check_unit_interval("momentum", momentum)
    check_unit_interval("dampening", dampening)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError(
            f"nesterov=True requires momentum > 0 and dampening == 0; got {momentum=}, {dampening=}"
        )

    def init(params):
        return TraceState(0, None)

    def update(updates, state, params=None):
        _check_state(state, TraceState, "trace")
        if momentum == 0:
            return updates, TraceState(state.count + 1, None)
        if state.momentum_buffer is None:
            buf = tree_map(np.copy, updates)
        else:
            buf = tree_map(lambda b, g: b * momentum + g * (1.0 - dampening), state.momentum_buffer, updates)
        out = tree_map(lambda g, b: g + momentum * b, updates, buf) if nesterov else buf
        return out, TraceState(state.count + 1, buf)

    return GradientTransformation(init, update)


def ema(decay: float) -> GradientTransformation:
    r"""Exponential moving average, started at zero and not debiased.

    :math:`v_0 = 0,\ v_t = \beta v_{t-1} + (1-\beta) g_t`; outputs :math:`v_t`.

    Example:
        >>> t = ema(0.9)
        >>> t.update(np.array([1.0]), t.init(np.zeros(1)))[0]
        array([0.1])
    """
    check_unit_interval("beta", decay)

    def init(params):
        return EmaState(_zeros(params))

    def update(updates, state, params=None):
        _check_state(state, EmaState, "ema")
        v = tree_map(lambda v, g: decay * v + (1.0 - decay) * g, state.v, updates)
        return v, EmaState(v)

    return GradientTransformation(init, update)


def classic_momentum(learning_rate: ScalarOrSchedule, momentum: float) -> GradientTransformation:
    r"""The textbook form :math:`v_t = \gamma v_{t-1} + \eta g_t`, update :math:`-v_t`.

    The learning rate lives *inside* the velocity, so this equals
    ``sgd(lr=eta, momentum=gamma)`` for a constant lr (torch keeps lr outside).

    Example:
        >>> t = classic_momentum(0.1, 0.9)
        >>> t.update(np.array([1.0]), t.init(np.zeros(1)))[0]
        array([-0.1])
    """
    check_unit_interval("momentum", momentum)
    lr_at = make_lr_fn("lr", learning_rate)

    def init(params):
        return ClassicMomentumState(0, _zeros(params))

    def update(updates, state, params=None):
        _check_state(state, ClassicMomentumState, "classic_momentum")
        lr = lr_at(state.count)
        v = tree_map(lambda v, g: momentum * v + lr * g, state.v, updates)
        return tree_map(np.negative, v), ClassicMomentumState(state.count + 1, v)

    return GradientTransformation(init, update)


# --------------------------------------------------------------------------- adaptive


def scale_by_adam(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, amsgrad: bool = False
) -> GradientTransformation:
    r"""Adam's direction :math:`\hat m_t / (\sqrt{\hat v_t} + \epsilon)` (eps *outside* the sqrt).

    ``m`` and ``v`` start at zero; ``m_hat = m / (1 - b1**t)`` and
    ``sqrt(v_hat) = sqrt(v) / sqrt(1 - b2**t)``; with ``amsgrad`` the running
    maximum of ``v`` replaces ``v``, as in torch.

    Example:
        >>> t = scale_by_adam()
        >>> t.update(np.array([3.0, -0.5]), t.init(np.zeros(2)))[0].round(6)
        array([ 1., -1.])
    """
    check_unit_interval("b1", b1)
    check_unit_interval("b2", b2)
    check_non_negative("eps", eps)

    def init(params):
        return AdamState(0, _zeros(params), _zeros(params), _zeros(params) if amsgrad else None)

    def direction(m, v, c1, c2, out):
        np.sqrt(v, out=out)
        out *= c2
        out += eps
        np.divide(m, out, out=out)
        out *= c1
        return out

    def update(updates, state, params=None):
        _check_state(state, AdamState, "scale_by_adam")
        t = state.count + 1
        c1, c2 = 1.0 / (1.0 - b1**t), 1.0 / math.sqrt(1.0 - b2**t)
        m = tree_map(lambda m, g: _lerp(m, g, 1.0 - b1), state.m, updates)
        scratch = tree_map(np.empty_like, updates)  # g**2 scratch, then the output
        v = tree_map(lambda v, g, s: _ema_sq(v, g, b2, s), state.v, updates, scratch)
        v_max = tree_map(np.maximum, state.v_max, v) if amsgrad else None
        out = tree_map(lambda m, v, s: direction(m, v, c1, c2, s), m, v_max if amsgrad else v, scratch)
        return out, AdamState(t, m, v, v_max)

    return GradientTransformation(init, update)


def scale_by_rms(alpha: float = 0.99, eps: float = 1e-8, centered: bool = False) -> GradientTransformation:
    r"""RMSprop's direction :math:`g / (\sqrt{s_t - \bar g_t^2} + \epsilon)`, no bias correction.

    ``s`` (and, if centered, the gradient mean ``g_bar``) start at zero; eps is
    *outside* the sqrt, as in torch (optax puts it inside).

    Example:
        >>> t = scale_by_rms(alpha=0.75, eps=0.0)
        >>> t.update(np.array([2.0]), t.init(np.zeros(1)))[0]
        array([2.])
    """
    check_unit_interval("alpha", alpha)
    check_non_negative("eps", eps)

    def init(params):
        return RmsState(_zeros(params), _zeros(params) if centered else None)

    def direction(g, s, gbar):
        if gbar is None:
            out = np.sqrt(s)
        else:
            out = np.multiply(gbar, gbar)
            np.subtract(s, out, out=out)
            np.sqrt(out, out=out)
        out += eps
        return np.divide(g, out, out=out)

    def update(updates, state, params=None):
        _check_state(state, RmsState, "scale_by_rms")
        s = tree_map(lambda s, g: _ema_sq(s, g, alpha), state.square_avg, updates)
        gbar = tree_map(lambda a, g: _lerp(a, g, 1.0 - alpha), state.grad_avg, updates) if centered else None
        if centered:
            out = tree_map(direction, updates, s, gbar)
        else:
            out = tree_map(lambda g, s: direction(g, s, None), updates, s)
        return out, RmsState(s, gbar)

    return GradientTransformation(init, update)


def scale_by_adagrad(initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> GradientTransformation:
    r"""AdaGrad's direction :math:`g_t / (\sqrt{\sum_{k\le t} g_k^2} + \epsilon)`.

    The sum starts at ``initial_accumulator_value``; eps is outside the sqrt.

    Example:
        >>> t = scale_by_adagrad()
        >>> t.update(np.array([-4.0]), t.init(np.zeros(1)))[0]
        array([-1.])
    """
    check_non_negative("initial_accumulator_value", initial_accumulator_value)
    check_non_negative("eps", eps)

    def init(params):
        return AdaGradState(_zeros(params, initial_accumulator_value))

    def direction(g, acc):
        out = np.sqrt(acc)
        out += eps
        return np.divide(g, out, out=out)

    def update(updates, state, params=None):
        _check_state(state, AdaGradState, "scale_by_adagrad")
        acc = tree_map(lambda a, g: a + g * g, state.sum_of_squares, updates)
        return tree_map(direction, updates, acc), AdaGradState(acc)

    return GradientTransformation(init, update)


def scale_by_adadelta(rho: float = 0.9, eps: float = 1e-6) -> GradientTransformation:
    r"""AdaDelta's update :math:`\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}} g_t`.

    Both running means start at zero; eps is *inside* both square roots.
    ``u`` accumulates :math:`\Delta_t^2` *before* any learning rate, as in torch.

    Example:
        >>> t = scale_by_adadelta(rho=0.0, eps=1.0)
        >>> t.update(np.array([3.0]), t.init(np.zeros(1)))[0]
        array([0.9486833])
    """
    check_unit_interval("rho", rho)
    check_non_negative("eps", eps)

    def init(params):
        return AdaDeltaState(_zeros(params), _zeros(params))

    def delta_of(g, v, u):
        out = np.add(u, eps)
        np.sqrt(out, out=out)
        out /= np.sqrt(v + eps)
        out *= g
        return out

    def update(updates, state, params=None):
        _check_state(state, AdaDeltaState, "scale_by_adadelta")
        v = tree_map(lambda v, g: _ema_sq(v, g, rho), state.square_avg, updates)
        delta = tree_map(delta_of, updates, v, state.acc_delta)
        u = tree_map(lambda u, d: _ema_sq(u, d, rho), state.acc_delta, delta)
        return delta, AdaDeltaState(v, u)

    return GradientTransformation(init, update)


def scale_by_adamax(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> GradientTransformation:
    r"""Adamax's direction :math:`m_t / ((1-\beta_1^t) u_t)`, :math:`u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)`.

    Torch adds eps to ``|g|`` *inside* the max (the paper has no eps).

    Example:
        >>> t = scale_by_adamax(eps=0.0)
        >>> t.update(np.array([-2.0]), t.init(np.zeros(1)))[0]
        array([-1.])
    """
    check_unit_interval("b1", b1)
    check_unit_interval("b2", b2)
    check_non_negative("eps", eps)

    def init(params):
        return AdamaxState(0, _zeros(params), _zeros(params))

    def norm(u, g):
        out = np.abs(g)
        out += eps
        return np.maximum(out, u * b2, out=out)

    def update(updates, state, params=None):
        _check_state(state, AdamaxState, "scale_by_adamax")
        t = state.count + 1
        c1 = 1.0 / (1.0 - b1**t)
        m = tree_map(lambda m, g: _lerp(m, g, 1.0 - b1), state.m, updates)
        u = tree_map(norm, state.u, updates)
        out = tree_map(lambda m, u: np.multiply(np.divide(m, u), c1), m, u)
        return out, AdamaxState(t, m, u)

    return GradientTransformation(init, update)


def scale_by_nadam(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, momentum_decay: float = 4e-3
) -> GradientTransformation:
    r"""NAdam's direction, torch's form with the momentum schedule ``mu_t``.

    .. math::
        \mu_t = \beta_1 (1 - \tfrac12 0.96^{t\psi}),\quad
        \text{out} = \frac{(1-\mu_t)/(1-\prod_{i\le t}\mu_i)\, g_t
        + \mu_{t+1}/(1-\prod_{i\le t+1}\mu_i)\, m_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}

    Example:
        >>> t = scale_by_nadam()
        >>> float(t.update(np.array([1.0]), t.init(np.zeros(1)))[0][0]) > 0
        True
    """
    check_unit_interval("b1", b1)
    check_unit_interval("b2", b2)
    check_non_negative("eps", eps)
    check_non_negative("momentum_decay", momentum_decay)

    def init(params):
        return NadamState(0, 1.0, _zeros(params), _zeros(params))

    def update(updates, state, params=None):
        _check_state(state, NadamState, "scale_by_nadam")
        t = state.count + 1
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_product = state.mu_product * mu
        cg = (1.0 - mu) / (1.0 - mu_product)
        cm = mu_next / (1.0 - mu_product * mu_next)
        c2 = 1.0 / (1.0 - b2**t)
        m = tree_map(lambda m, g: _lerp(m, g, 1.0 - b1), state.m, updates)
        v = tree_map(lambda v, g: _ema_sq(v, g, b2), state.v, updates)

        def direction(g, m, v):
            denom = np.multiply(v, c2)
            np.sqrt(denom, out=denom)
            denom += eps
            out = np.multiply(m, cm)
            out += g * cg
            return np.divide(out, denom, out=out)

        return tree_map(direction, updates, m, v), NadamState(t, mu_product, m, v)

    return GradientTransformation(init, update)
