"""Gradient transformations: the small named pieces optimizers are chained from.

Each transformation is a :class:`~optlearn.base.GradientTransformation`, a pair
``init(params) -> state`` and ``update(updates, state, params) -> (updates, state)``
with a ``NamedTuple`` state, in the style of optax. Every ``update`` is pure:
it never modifies the updates, state or params it is given and returns new
arrays (the arrays it allocates are filled with ``out=`` ufuncs to keep large
updates cheap). Arrays keep their dtype: float32 stays float32 (:func:`validate_grads`
casts the gradients to the parameters' dtype). Hyperparameters are checked when a
transformation is built, with the messages of :mod:`optlearn.validation`
(``name=value must be ...``).

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

from optlearn.base import GradientTransformation, Params, check_same_keys, check_tree, tree_items, tree_map
from optlearn.validation import (
    InvalidArgumentError, _finite, check_bool, check_in_range, check_non_negative, check_number, check_scalar_or_schedule, fail,
)

Schedule = Callable[[int], float]
ScalarOrSchedule = Union[float, Schedule]

__all__ = [
    "AdaDeltaState",
    "AdaGradState",
    "AdamState",
    "AdamaxState",
    "CountState",
    "EmptyState",
    "LearningRateState",
    "NadamState",
    "NonFiniteUpdateError",
    "RmsState",
    "ScalarOrSchedule",
    "Schedule",
    "TraceClassicState",
    "TraceEmaState",
    "TraceState",
    "ValidateState",
    "add_decayed_weights",
    "decoupled_weight_decay",
    "last_lr",
    "raise_if_not_finite",
    "scale",
    "scale_by_adadelta",
    "scale_by_adagrad",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_learning_rate",
    "scale_by_nadam",
    "scale_by_rms",
    "trace",
    "trace_classic",
    "trace_ema",
    "validate_grads",
]


# --------------------------------------------------------------------------- checks


_TORCH_ACCEPTS = {
    "momentum": "torch accepts momentum >= 1, but the momentum buffer then never decays (at 1) or grows "
                "geometrically (above 1); refused here so that the run cannot diverge silently",
    "dampening": "torch accepts dampening >= 1, but then every gradient after the first enters the buffer with "
                 "weight 1 - dampening <= 0 (ignored or reversed); refused here",
    "alpha": "torch accepts alpha >= 1, but then the average of g**2 never takes in a gradient (at 1) or goes "
             "negative (above 1, NaN); refused here",
    "rho": "torch accepts rho = 1, but then the averages never take in a gradient and the step stays "
           "sqrt(eps)/sqrt(eps) times the gradient; refused here",
}


def _unit(name: str, value: Any, torch_accepts_one: bool = False) -> float:
    """A coefficient in ``[0, 1)`` (a momentum, a beta, a smoothing constant).

    ``torch_accepts_one``: torch takes values >= 1 for this argument; the message says so and why we refuse."""
    if torch_accepts_one and isinstance(value, Real) and not isinstance(value, (bool, np.bool_)) \
            and _finite(value) and value >= 1:
        raise fail(name, float(value), "in [0, 1)", _TORCH_ACCEPTS[name])
    return check_in_range(name, value, 0, 1, high_open=True)


def make_lr_fn(name: str, learning_rate: ScalarOrSchedule) -> Callable[[int], float]:
    """Return ``count -> lr``, checking ``learning_rate`` now and what a schedule returns at each call.

    Example:
        >>> make_lr_fn("lr", lambda count: None)(3)
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: lr(count=3)=None must be a finite number >= 0; returned by the schedule
    """
    learning_rate = check_scalar_or_schedule(name, learning_rate)
    if not callable(learning_rate):
        return lambda count: learning_rate

    def lr_at(count: int) -> float:
        value = learning_rate(count)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if not isinstance(value, Real) or isinstance(value, (bool, np.bool_)) or not _finite(value) or value < 0:
            raise fail(f"{name}(count={count})", value, "a finite number >= 0", "returned by the schedule")
        return float(value)

    return lr_at


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an EmptyState", "an int", "a list"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _check_state(state: Any, cls: type, who: str) -> None:
    if type(state) is not cls:
        raise fail(f"{who}.update(state)", state, f"the {cls.__name__} made by its own init()",
                   f"got {_a(type(state).__name__)}; was the state made by another optimizer?")


# --------------------------------------------------------------------------- states


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


class CountState(NamedTuple):
    """The number of updates done so far."""

    count: int


class ValidateState(NamedTuple):
    """The state of :func:`validate_grads`: updates done and the ``(shape, dtype)`` of each
    parameter given to ``init`` (``None`` if ``init`` got no params)."""

    count: int
    structure: Any


class LearningRateState(NamedTuple):
    """The state of :func:`scale_by_learning_rate`: updates done and the learning rate
    of the last one (NaN before the first); read it with :func:`last_lr`."""

    count: int
    last_lr: float


class TraceState(NamedTuple):
    """Torch's momentum buffer ``b`` of :func:`trace` (``None`` before step 1)."""

    momentum_buffer: Params | None


class TraceEmaState(NamedTuple):
    """The exponential moving average ``v`` of :func:`trace_ema`."""

    v: Params


class TraceClassicState(NamedTuple):
    """The velocity ``v`` of :func:`trace_classic`, the updates done and the lr of the last one."""

    count: int
    v: Params
    last_lr: float


class AdamState(NamedTuple):
    """First moment ``m``, second moment ``v`` and, with amsgrad, ``v_max``."""

    count: int
    m: Params
    v: Params
    v_max: Params | None


class RmsState(NamedTuple):
    """RMSprop's running mean ``v`` of ``g**2`` and, if centered, ``grad_avg``, the running mean of ``g``."""

    v: Params
    grad_avg: Params | None


class AdaGradState(NamedTuple):
    """The running sum of squared gradients ``s``."""

    sum_of_squares: Params


class AdaDeltaState(NamedTuple):
    """AdaDelta's running means ``v`` of ``g**2`` and ``u`` of the squared updates ``delta**2``."""

    v: Params
    u: Params


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


def last_lr(state: Any) -> float | None:
    """The learning rate of the last update, read from an optimizer's state.

    Returns NaN before the first update and ``None`` if the optimizer has no
    learning-rate transform (:func:`scale_by_learning_rate` or :func:`trace_classic`).

    Example:
        >>> from optlearn.optimizers import sgd
        >>> from optlearn.schedules import exponential
        >>> opt = sgd(lr=exponential(0.1, 0.5))
        >>> state = opt.init(np.zeros(1))
        >>> for _ in range(3):
        ...     _, state = opt.update(np.ones(1), state, np.zeros(1))
        >>> last_lr(state)
        0.025
    """
    if isinstance(state, (LearningRateState, TraceClassicState)):
        return state.last_lr
    if isinstance(state, tuple) and not hasattr(state, "_fields"):  # ChainState or a plain tuple
        for inner in state:
            found = last_lr(inner)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------- helpers


def _zeros(params: Params, fill: float = 0.0) -> Params:
    return tree_map(lambda p: np.full_like(np.asarray(p), fill), params)


def _lerp(old: np.ndarray, new: np.ndarray, weight: float) -> np.ndarray:
    """Return ``old + weight * (new - old)`` in a fresh array, rounded as ``torch.lerp``.

    Torch switches formula at ``weight = 0.5``; the second one keeps ``1 - weight``
    exact and is up to 1000 ulp closer to torch for weights near 1 (as ``1 - b1``
    is for Adam's moment with ``b1`` near 0). Tested against ``torch.lerp`` to
    8 ulp (torch's fused multiply-add can differ in the last bits)."""
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


def _label(name: str | None) -> str:
    return "params" if name is None else name


# --------------------------------------------------------------------------- stateless


def scale(factor: float | np.ndarray) -> GradientTransformation:
    """Multiply updates by a constant ``factor``: a number, or a finite array broadcast
    against each update (e.g. one learning rate per row of a batch of runs).

    Example:
        >>> scale(-2.0).update(np.array([1.0]), EmptyState(), None)[0]
        array([-2.])
        >>> scale(np.array([[1.0], [0.5]])).update(np.ones((2, 2)), EmptyState(), None)[0]
        array([[1. , 1. ],
               [0.5, 0.5]])
    """
    if isinstance(factor, np.ndarray):
        if not (np.issubdtype(factor.dtype, np.floating) or np.issubdtype(factor.dtype, np.integer)) \
                or not np.isfinite(factor).all():
            raise fail("factor", factor, "a finite number or an array of finite real numbers")
    else:
        factor = check_number("factor", factor)

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
    weight_decay = check_non_negative("weight_decay", weight_decay)

    def init(params):
        return EmptyState()

    def update(updates, state, params=None):
        _check_state(state, EmptyState, "add_decayed_weights")
        if weight_decay == 0:
            return updates, state
        if params is None:
            raise fail("add_decayed_weights.update(params)", None, "the parameters (weight decay needs them)")
        return tree_map(lambda u, p: u + weight_decay * p, updates, params), state

    return GradientTransformation(init, update)


def validate_grads() -> GradientTransformation:
    """Check each gradient against the parameters ``init`` was given, then cast it to their dtype.

    Put first in a chain. ``init`` checks the params (:func:`~optlearn.base.check_tree`:
    real float arrays, or a flat dict of them) and records each one's shape and
    dtype; ``update`` refuses gradients of another structure or shape (and params
    of another shape than the state was made for), non-array or complex
    gradients and non-finite ones (the error names the update step, 1-based as
    torch's ``step``, and the parameter), and casts the gradients to the
    parameters' dtype, so a float32 model keeps float32 updates and state.

    Example:
        >>> t = validate_grads()
        >>> t.update(np.array([np.nan]), t.init(np.zeros(1)), np.zeros(1))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: non-finite gradient at update step 1 for parameter 'params': ...
    """

    def init(params):
        if params is None:
            return ValidateState(0, None)
        return ValidateState(0, tree_map(lambda p: (p.shape, p.dtype), check_tree(params)))

    def update(updates, state, params=None):
        _check_state(state, ValidateState, "validate_grads")
        if params is not None:
            check_tree(params)
            _check_same_structure(updates, params)
        if state.structure is not None:
            _check_state_structure(state.structure, params if params is not None else updates,
                                   check_dtype=params is not None)
        updates = _scalars_to_arrays(updates)
        for name, g in tree_items(updates):
            where = "grads" if name is None else f"grads[{name!r}]"
            if not isinstance(g, np.ndarray) or not (np.issubdtype(g.dtype, np.floating) or np.issubdtype(g.dtype, np.integer)):
                raise fail(where, g, "a real numpy array shaped like the parameter",
                           f"got {type(g).__name__}" + (f" of dtype {g.dtype}" if isinstance(g, np.ndarray) else ""))
            if not _all_finite(g):
                raise ValueError(
                    f"non-finite gradient at update step {state.count + 1} for parameter "
                    f"{_label(name)!r}: {np.asarray(g).ravel()[:4]}..."
                )
        if state.structure is not None:
            updates = tree_map(lambda g, sd: g if g.dtype == sd[1] else g.astype(sd[1]), updates, state.structure)
        return updates, ValidateState(state.count + 1, state.structure)

    return GradientTransformation(init, update)


def _all_finite(g: np.ndarray) -> bool:
    if g.size < 65536:
        return bool(np.isfinite(g).all())
    with np.errstate(all="ignore"):  # one cheap pass; exact check only if it fails
        if math.isfinite(np.add.reduce(g, axis=None)):
            return True
    return bool(np.isfinite(g).all())


def _finite_quiet(a: np.ndarray) -> bool:
    """``_all_finite`` in one reduction when it passes; call it under ``np.errstate(all="ignore")``."""
    return math.isfinite(np.add.reduce(a, axis=None)) or bool(np.isfinite(a).all())


def _check_same_structure(grads: Params, params: Params) -> None:
    check_same_keys("grads", grads, params)
    for name, p in tree_items(params):
        g = grads if name is None else grads[name]
        if np.shape(g) != np.shape(p):
            raise fail("grads" if name is None else f"grads[{name!r}]", g, f"of shape {np.shape(p)} like params",
                       f"grads shape {np.shape(g)} does not match params shape {np.shape(p)} "
                       f"for parameter {_label(name)!r}")


def _check_state_structure(structure: Any, params: Params, check_dtype: bool = True) -> None:
    if isinstance(structure, dict) != isinstance(params, dict) or (
        isinstance(structure, dict) and structure.keys() != params.keys()
    ):
        made = sorted(structure) if isinstance(structure, dict) else "one array"
        raise InvalidArgumentError("state=<optimizer state> must be the state made by init() for these params; "
                                   f"it was made for {made}; call init(params) again")
    for name, p in tree_items(params):
        shape, dtype = structure if name is None else structure[name]
        if check_dtype and isinstance(p, np.ndarray) and np.issubdtype(p.dtype, np.floating) and p.dtype != dtype:
            raise InvalidArgumentError(
                "state=<optimizer state> must be the state made by init() for these params; "
                f"it was made for dtype {dtype} but parameter {_label(name)!r} has dtype {p.dtype}; "
                "call init(params) again")
        if np.shape(p) != shape:
            raise InvalidArgumentError(
                "state=<optimizer state> must be the state made by init() for these params; "
                f"it was made for shape {shape} but parameter {_label(name)!r} has shape "
                f"{np.shape(p)}; call init(params) again")


class NonFiniteUpdateError(ValueError):
    """An update (or the optimizer state it leaves) is inf or NaN although the gradient was finite."""


def _non_finite_leaf(state: Any) -> str | None:
    """``"State.field"`` (or ``"State.field['key']"``) of the first non-finite array of a
    chain's state, or None. States are flat: NamedTuples whose fields are trees."""
    inner = state if isinstance(state, tuple) and not hasattr(state, "_fields") else (state,)
    for s in inner:
        if isinstance(s, ValidateState) or not hasattr(s, "_fields"):
            continue
        for field, value in zip(s._fields, s):
            if isinstance(value, np.ndarray):
                if not _finite_quiet(value):
                    return f"{type(s).__name__}.{field}"
            elif isinstance(value, dict):
                for key, leaf in value.items():
                    if isinstance(leaf, np.ndarray) and not _finite_quiet(leaf):
                        return f"{type(s).__name__}.{field}[{key!r}]"
    return None


def _step_of(state: Any) -> int | None:
    if isinstance(state, ValidateState):
        return state.count
    if isinstance(state, tuple) and not hasattr(state, "_fields"):
        for inner in state:
            found = _step_of(inner)
            if found is not None:
                return found
    return None


def raise_if_not_finite(inner: GradientTransformation, who: str, causes: str,
                        eps: float | None = None) -> GradientTransformation:
    """Run ``inner`` without numpy warnings and raise :class:`NonFiniteUpdateError` as soon as
    its updates or its new state hold an inf or NaN.

    The message names the optimizer ``who``, the update step (from a
    :func:`validate_grads` in ``inner``), the parameter or state field and the
    likely ``causes``, preceded by the causes seen at run time: a finite gradient
    that overflows the parameter's dtype when cast to it, or an ``eps`` that rounds
    to 0 in the parameter's dtype (1e-8 in float16). The arithmetic is unchanged (that of torch, which lets the
    NaN through); only the silent failure is replaced by an error.

    Example:
        >>> from optlearn.base import chain
        >>> opt = raise_if_not_finite(chain(validate_grads(), scale_by_adagrad(eps=0.0)), "adagrad", "eps=0")
        >>> opt.update(np.zeros(1), opt.init(np.zeros(1)), np.zeros(1))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        optlearn.transforms.NonFiniteUpdateError: adagrad: non-finite update at update step 1 for parameter 'params' ...
    """

    def init(params):
        return inner.init(_as_1d(params))

    def update(updates, state, params=None):
        grads_in = updates
        zero_d = _zero_d_names(params if params is not None else updates)
        if zero_d:  # torch steps 0-d params; numpy's out= needs arrays, so step them as shape (1,)
            updates, params = _as_1d(_scalars_to_arrays(updates)), _as_1d(params)
        with np.errstate(all="ignore"):
            out, new_state = inner.update(updates, state, params)
            if zero_d:
                out = tree_map(lambda u: u.reshape(()) if isinstance(u, np.ndarray) and u.shape == (1,) else u, out) \
                    if not isinstance(out, dict) else {k: (u.reshape(()) if k in zero_d else u) for k, u in out.items()}
            where = None
            for name, u in tree_items(out):
                if not _finite_quiet(u):
                    where = f"for parameter {_label(name)!r}"
                    break
            if where is None:
                bad = _non_finite_leaf(new_state)
                if bad is None:
                    return out, new_state
                where = f"in {bad}"
        step = _step_of(new_state)
        found = _runtime_causes(grads_in, params, eps)
        raise NonFiniteUpdateError(
            f"{who}: non-finite update at update step {step if step is not None else '?'} {where} "
            f"although the gradient was finite; likely cause: {'; or '.join([*found, causes])}"
        )

    return GradientTransformation(init, update)


_OVERFLOW = ("a gradient too large for the dtype: its square (times 1 - beta) overflowed "
             "(largest value 1.8e308 in float64, 3.4e38 in float32, 65504 in float16)")


def overflow_causes(*extra: str) -> str:
    """The likely causes of a non-finite update: ``extra`` ones, then a gradient whose square overflowed."""
    return "; or ".join([*(e for e in extra if e), _OVERFLOW])


def zero_eps_cause(eps: float) -> str:
    """The eps cause of a 0/0, if ``eps`` is 0 (float16 hint added by the error at run time)."""
    return "eps=0 with a zero gradient (0/0); use eps > 0" if eps == 0 else ""


def _runtime_causes(grads: Any, params: Any, eps: float | None) -> list[str]:
    """Causes of a non-finite update visible only at run time (the parameters' dtype)."""
    found = []
    if params is None:
        return found
    with np.errstate(all="ignore"):
        for name, p in tree_items(params):
            if not isinstance(p, np.ndarray):
                continue
            g = grads if name is None else (grads.get(name) if isinstance(grads, dict) else None)
            if isinstance(g, (np.ndarray, np.generic)) and g.dtype != p.dtype and np.isfinite(g).all() \
                    and not np.isfinite(np.asarray(g).astype(p.dtype)).all():
                found.append(f"the gradient for parameter {_label(name)!r} is finite in {g.dtype} but does not fit "
                             f"the parameter's dtype {p.dtype} (largest value {np.finfo(p.dtype).max:.3g}): "
                             "scale the loss down or use a wider parameter dtype")
        dtypes = sorted({p.dtype.name for _, p in tree_items(params) if isinstance(p, np.ndarray)
                         and np.issubdtype(p.dtype, np.floating)})
        for dt in dtypes:
            if eps is not None and eps > 0 and np.dtype(dt).type(eps) == 0:
                found.append(f"eps={eps:g} rounds to 0 in {dt}, so a zero gradient gives 0/0: "
                             f"use eps >= {float(np.finfo(dt).smallest_subnormal):.2g} or {dt} is too narrow "
                             "(use float32 parameters)")
    return found


def _zero_d_names(tree: Any) -> set:
    """The names (``None`` for a bare array) of the 0-d leaves of ``tree``."""
    if tree is None:
        return set()
    return {name for name, leaf in tree_items(tree) if isinstance(leaf, (np.ndarray, np.generic)) and np.ndim(leaf) == 0}


def _scalars_to_arrays(tree: Any) -> Any:
    """numpy float scalars (what numpy arithmetic on 0-d arrays returns) as 0-d arrays."""
    return tree_map(lambda g: np.asarray(g) if isinstance(g, np.floating) else g, tree)


def _as_1d(tree: Any) -> Any:
    """``tree`` with each 0-d array reshaped to shape (1,) (a view); other leaves unchanged."""
    if tree is None:
        return None
    return tree_map(lambda p: p.reshape(1) if isinstance(p, np.ndarray) and p.ndim == 0 else p, tree)


# --------------------------------------------------------------------------- learning rate


def scale_by_learning_rate(learning_rate: ScalarOrSchedule, *, name: str = "learning_rate") -> GradientTransformation:
    """Multiply updates by ``-lr``, where ``lr`` is a float or ``schedule(count)``.

    The state records the lr of the last update (:func:`last_lr` reads it).

    Example:
        >>> t = scale_by_learning_rate(lambda count: 0.1 * (count + 1))
        >>> s = t.init(None)
        >>> u, s = t.update(np.array([1.0]), s); u, s = t.update(np.array([1.0]), s)
        >>> u, s.last_lr
        (array([-0.2]), 0.2)
    """
    lr_at = make_lr_fn(name, learning_rate)  # name: the argument in the caller (an optimizer says "lr")

    def init(params):
        return LearningRateState(0, math.nan)

    def update(updates, state, params=None):
        _check_state(state, LearningRateState, "scale_by_learning_rate")
        lr = lr_at(state.count)
        factor = -lr
        return tree_map(lambda u: np.multiply(u, factor), updates), LearningRateState(state.count + 1, lr)

    return GradientTransformation(init, update)


def decoupled_weight_decay(
    weight_decay: float, learning_rate: ScalarOrSchedule, *, name: str = "learning_rate"
) -> GradientTransformation:
    r"""AdamW's decoupled decay, added *after* the lr scaling: :math:`u - \eta_t\lambda\theta`.

    Torch's AdamW (and Adam/NAdam with ``decoupled_weight_decay=True``)
    multiplies params by ``1 - lr * weight_decay`` before the step; as an
    additive update that is ``-lr * weight_decay * params``. Place this after
    :func:`scale_by_learning_rate` with the same lr.

    Example:
        >>> t = decoupled_weight_decay(0.1, 0.5)
        >>> t.update(np.array([-1.0]), t.init(None), np.array([2.0]))[0]
        array([-1.1])
    """
    weight_decay = check_non_negative("weight_decay", weight_decay)
    lr_at = make_lr_fn(name, learning_rate)

    def init(params):
        return CountState(0)

    def update(updates, state, params=None):
        _check_state(state, CountState, "decoupled_weight_decay")
        new_state = CountState(state.count + 1)
        if weight_decay == 0:
            return updates, new_state
        if params is None:
            raise fail("decoupled_weight_decay.update(params)", None, "the parameters (weight decay needs them)")
        factor = -lr_at(state.count) * weight_decay
        return tree_map(lambda u, p: u + factor * p, updates, params), new_state

    return GradientTransformation(init, update)


# --------------------------------------------------------------------------- momentum


def trace(momentum: float, dampening: float = 0.0, nesterov: bool = False) -> GradientTransformation:
    r"""Torch's momentum buffer (no learning rate inside).

    .. math::
        b_1 = g_1, \qquad b_t = \beta b_{t-1} + (1-\tau) g_t \ (t>1), \qquad
        \text{out}_t = g_t + \beta b_t \text{ if nesterov else } b_t,

    with :math:`\beta` the momentum and :math:`\tau` the dampening. Note the
    first buffer is :math:`g_1` itself, not :math:`(1-\tau) g_1`. With
    ``momentum=0`` this is the identity.

    Example:
        >>> t = trace(0.5)
        >>> s = t.init(np.zeros(1))
        >>> u, s = t.update(np.array([2.0]), s); u, s = t.update(np.array([2.0]), s)
        >>> u
        array([3.])
    """
    momentum = _unit("momentum", momentum, torch_accepts_one=True)
    dampening = _unit("dampening", dampening, torch_accepts_one=True)
    nesterov = check_bool("nesterov", nesterov)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise fail("nesterov", True, "used with momentum > 0 and dampening == 0",
                   f"got momentum={momentum!r}, dampening={dampening!r}")

    def init(params):
        return TraceState(None)

    def update(updates, state, params=None):
        _check_state(state, TraceState, "trace")
        if momentum == 0:
            return updates, state
        if state.momentum_buffer is None:
            buf = tree_map(np.copy, updates)
        else:
            buf = tree_map(lambda b, g: b * momentum + g * (1.0 - dampening), state.momentum_buffer, updates)
        out = tree_map(lambda g, b: g + momentum * b, updates, buf) if nesterov else buf
        return out, TraceState(buf)

    return GradientTransformation(init, update)


def trace_ema(decay: float) -> GradientTransformation:
    r"""Exponential moving average, started at zero and not debiased: EMA momentum's buffer.

    :math:`v_0 = 0,\ v_t = \beta v_{t-1} + (1-\beta) g_t`, with :math:`\beta` = ``decay``;
    outputs :math:`v_t`. :func:`~optlearn.optimizers.momentum_ema` is this
    followed by the learning rate. (optax calls it ``ema``.)

    Example:
        >>> t = trace_ema(0.9)
        >>> t.update(np.array([1.0]), t.init(np.zeros(1)))[0]
        array([0.1])
    """
    decay = _unit("decay", decay)

    def init(params):
        return TraceEmaState(_zeros(params))

    def update(updates, state, params=None):
        _check_state(state, TraceEmaState, "trace_ema")
        v = tree_map(lambda v, g: decay * v + (1.0 - decay) * g, state.v, updates)
        return v, TraceEmaState(v)

    return GradientTransformation(init, update)


def trace_classic(learning_rate: ScalarOrSchedule, momentum: float, *, name: str = "learning_rate") -> GradientTransformation:
    r"""The textbook velocity :math:`v_t = \beta v_{t-1} + \eta_t g_t`, update :math:`-v_t`.

    :math:`\beta` is the momentum, :math:`\eta_t` the learning rate of update
    :math:`t` (a float or a schedule of the count). The learning rate lives
    *inside* the velocity, so each past gradient keeps the lr it was taken
    with: this equals ``sgd(lr=eta, momentum=beta)`` for a constant lr only
    (torch keeps the lr outside the buffer). The state records the lr of the
    last update (:func:`last_lr`).

    Example:
        >>> t = trace_classic(0.1, 0.9)
        >>> t.update(np.array([1.0]), t.init(np.zeros(1)))[0]
        array([-0.1])
    """
    momentum = _unit("momentum", momentum)
    lr_at = make_lr_fn(name, learning_rate)

    def init(params):
        return TraceClassicState(0, _zeros(params), math.nan)

    def update(updates, state, params=None):
        _check_state(state, TraceClassicState, "trace_classic")
        lr = lr_at(state.count)
        v = tree_map(lambda v, g: momentum * v + lr * g, state.v, updates)
        return tree_map(np.negative, v), TraceClassicState(state.count + 1, v, lr)

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
    b1 = _unit("b1", b1)
    b2 = _unit("b2", b2)
    eps = check_non_negative("eps", eps)
    amsgrad = check_bool("amsgrad", amsgrad)

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
    r"""RMSprop's direction :math:`g_t / (\sqrt{v_t - \bar g_t^2} + \epsilon)`, no bias correction.

    :math:`v_t = \alpha v_{t-1} + (1-\alpha) g_t^2` and, if centered, the gradient
    mean :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t` (state fields
    ``v`` and ``grad_avg``) start at zero; eps is *outside* the sqrt, as in
    torch (optax puts it inside).

    Example:
        >>> t = scale_by_rms(alpha=0.75, eps=0.0)
        >>> t.update(np.array([2.0]), t.init(np.zeros(1)))[0]
        array([2.])
    """
    alpha = _unit("alpha", alpha, torch_accepts_one=True)
    eps = check_non_negative("eps", eps)
    centered = check_bool("centered", centered)

    def init(params):
        return RmsState(_zeros(params), _zeros(params) if centered else None)

    def direction(g, v, gbar):
        if gbar is None:
            out = np.sqrt(v)
        else:
            out = np.multiply(gbar, gbar)
            np.subtract(v, out, out=out)
            np.sqrt(out, out=out)
        out += eps
        return np.divide(g, out, out=out)

    def update(updates, state, params=None):
        _check_state(state, RmsState, "scale_by_rms")
        v = tree_map(lambda v, g: _ema_sq(v, g, alpha), state.v, updates)
        gbar = tree_map(lambda a, g: _lerp(a, g, 1.0 - alpha), state.grad_avg, updates) if centered else None
        if centered:
            out = tree_map(direction, updates, v, gbar)
        else:
            out = tree_map(lambda g, v: direction(g, v, None), updates, v)
        return out, RmsState(v, gbar)

    return GradientTransformation(init, update)


def scale_by_adagrad(initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> GradientTransformation:
    r"""AdaGrad's direction :math:`g_t / (\sqrt{\sum_{k\le t} g_k^2} + \epsilon)`.

    The sum :math:`s_t` (state field ``sum_of_squares``) starts at
    ``initial_accumulator_value``; eps is outside the sqrt.

    Example:
        >>> t = scale_by_adagrad()
        >>> t.update(np.array([-4.0]), t.init(np.zeros(1)))[0]
        array([-1.])
    """
    initial_accumulator_value = check_non_negative("initial_accumulator_value", initial_accumulator_value)
    eps = check_non_negative("eps", eps)

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

    Both running means, :math:`v_t` of :math:`g_t^2` and :math:`u_t` of :math:`\Delta_t^2`
    (state fields ``v`` and ``u``), start at zero; eps is *inside* both square roots.
    ``u`` accumulates :math:`\Delta_t^2` *before* any learning rate, as in torch.

    Example:
        >>> t = scale_by_adadelta(rho=0.0, eps=1.0)
        >>> t.update(np.array([3.0]), t.init(np.zeros(1)))[0]
        array([0.9486833])
    """
    rho = _unit("rho", rho, torch_accepts_one=True)
    eps = check_non_negative("eps", eps)

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
        v = tree_map(lambda v, g: _ema_sq(v, g, rho), state.v, updates)
        delta = tree_map(delta_of, updates, v, state.u)
        u = tree_map(lambda u, d: _ema_sq(u, d, rho), state.u, delta)
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
    b1 = _unit("b1", b1)
    b2 = _unit("b2", b2)
    eps = check_non_negative("eps", eps)

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
    b1 = _unit("b1", b1)
    b2 = _unit("b2", b2)
    eps = check_non_negative("eps", eps)
    momentum_decay = check_non_negative("momentum_decay", momentum_decay)

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
