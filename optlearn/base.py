"""The optimizer interface: gradient transformations, ``chain`` and ``apply_updates``.

An optimizer is a :class:`GradientTransformation`, a pair of pure functions::

    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = apply_updates(params, updates)

as in optax. ``params`` (and ``grads``, ``updates``) is a *tree*: either one
``numpy.ndarray`` of any shape or a ``dict`` mapping names to arrays (not
nested). The arrays are real floating point (float16/32/64), as torch's are:
:func:`check_tree` refuses anything else with a message naming the fix.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Union

import numpy as np

from optlearn.validation import InvalidArgumentError, check_float_array, fail

Array = np.ndarray
Params = Union[Array, dict]
Updates = Params
State = Any

__all__ = [
    "ChainState",
    "GradientTransformation",
    "Params",
    "apply_updates",
    "chain",
    "check_tree",
    "tree_items",
    "tree_map",
]


class GradientTransformation(NamedTuple):
    """A pair of pure functions ``init(params) -> state`` and
    ``update(grads, state, params) -> (updates, state)``."""

    init: Callable[[Params], State]
    update: Callable[[Updates, State, Params | None], tuple[Updates, State]]


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an EmptyState", "an int", "a list"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def tree_map(fn: Callable[..., Any], tree: Params, *rest: Params) -> Params:
    """Apply ``fn`` leaf by leaf to a tree (an array or a dict of arrays).

    Example:
        >>> tree_map(lambda a, b: a + b, {"w": np.ones(2)}, {"w": np.ones(2)})
        {'w': array([2., 2.])}
    """
    if isinstance(tree, dict):
        return {k: fn(tree[k], *(r[k] for r in rest)) for k in tree}
    return fn(tree, *rest)


def tree_items(tree: Params) -> list[tuple[str | None, Array]]:
    """The ``(name, array)`` pairs of a tree, like ``dict.items()``; a bare array's name is ``None``.

    Example:
        >>> tree_items({"b": np.zeros(1), "w": np.ones(2)})[1][0]
        'w'
        >>> tree_items(np.zeros(2))[0][0] is None
        True
    """
    if isinstance(tree, dict):
        return list(tree.items())
    return [(None, tree)]


def check_same_keys(name: str, tree: Params, params: Params) -> None:
    """Refuse ``tree`` (gradients, updates) unless it is a dict with the keys of ``params``
    exactly when ``params`` is a dict (``InvalidArgumentError`` naming ``name``)."""
    if isinstance(params, dict) or isinstance(tree, dict):
        if not (isinstance(params, dict) and isinstance(tree, dict)):
            raise fail(name, tree, f"{_a(type(params).__name__)} like params",
                       f"{name} is {_a(type(tree).__name__)} but params is {_a(type(params).__name__)}")
        if params.keys() != tree.keys():
            raise fail(name, tree, f"a dict with the keys of params {sorted(params)}",
                       f"{name} keys {sorted(tree)} do not match params keys {sorted(params)}")


def check_tree(tree: Any, name: str = "params") -> Params:
    """Check that ``tree`` is a real float array or a flat dict of them; return it.

    Raises:
        InvalidArgumentError (a ``ValueError``): for lists, tuples, Python
        floats, nested dicts, integer/bool/complex arrays, naming the leaf.

    Example:
        >>> check_tree({"w": [1.0, 2.0]})
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: params['w']=[1.0, 2.0] must be a real floating-point numpy array; got list (use np.asarray(x, dtype=float))
    """
    if isinstance(tree, dict):
        if not tree:
            raise fail(name, tree, "a float numpy array or a non-empty dict of them")
        for key, leaf in tree.items():
            if isinstance(leaf, dict):
                raise fail(f"{name}[{key!r}]", leaf, "a real floating-point numpy array",
                           "nested dicts are not supported; use one flat dict name -> array")
            check_float_array(f"{name}[{key!r}]", leaf)
        return tree
    if isinstance(tree, (list, tuple)):
        raise fail(name, tree, "a float numpy array or a dict name -> array",
                   f"got {_a(type(tree).__name__)}; use a dict such as {{'w': w, 'b': b}}")
    return check_float_array(name, tree)


def apply_updates(params: Params, updates: Params) -> Params:
    """Return ``params + updates`` as new arrays (the inputs are not modified).

    The result keeps the dtype of ``params``. Refused (``InvalidArgumentError``):
    updates of another structure, dict keys or shape than ``params`` (broadcasting
    that would change the parameter's shape), and integer or boolean params.

    Example:
        >>> apply_updates(np.array([1.0, 2.0]), np.array([-0.5, 0.5]))
        array([0.5, 2.5])
    """
    check_same_keys("updates", updates, params)
    for name, p in tree_items(params):
        u = updates if name is None else updates[name]
        where = "params" if name is None else f"params[{name!r}]"
        kind = np.asarray(p).dtype.kind
        if kind in "iub":
            raise fail(where, p, "a floating-point array",
                       f"got dtype {np.asarray(p).dtype}: the update would be truncated (torch refuses integer "
                       "parameters too); use np.asarray(x, dtype=float)")
        try:
            fits = np.broadcast_shapes(np.shape(p), np.shape(u)) == np.shape(p)
        except ValueError:
            fits = False
        if not fits:
            raise fail("updates" if name is None else f"updates[{name!r}]", u, f"of shape {np.shape(p)} like {where}",
                       f"got shape {np.shape(u)}")
    return tree_map(lambda p, u: np.asarray(p + u, dtype=np.result_type(p)), params, updates)


def check_transformation(name: str, value: Any) -> GradientTransformation:
    """A :class:`GradientTransformation` (anything with callable ``init`` and ``update``); returned unchanged.

    A function that builds one (``ol.adam`` without parentheses) gets the fix in the message.

    Example:
        >>> from optlearn.optimizers import adam
        >>> check_transformation("optimizer", adam)
        Traceback (most recent call last):
        ...
        optlearn.validation.InvalidArgumentError: optimizer=adam must be a GradientTransformation (an object with init and update), e.g. adam(lr=0.1); got the function adam itself: call it, adam(...)
    """
    if callable(getattr(value, "init", None)) and callable(getattr(value, "update", None)):
        return value
    if callable(value) and hasattr(value, "__name__"):
        raise InvalidArgumentError(
            f"{name}={value.__name__} must be a GradientTransformation (an object with init and update), "
            f"e.g. adam(lr=0.1); got the function {value.__name__} itself: call it, {value.__name__}(...)")
    raise fail(name, value, "a GradientTransformation (an object with init and update), e.g. adam(lr=0.1)")


class ChainState(tuple):
    """The state of :func:`chain`: one inner state per transformation."""


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Compose gradient transformations: the updates of one feed the next.

    Example:
        >>> from optlearn.transforms import scale
        >>> opt = chain(scale(2.0), scale(-0.5))
        >>> opt.update(np.array([3.0]), opt.init(np.zeros(1)), None)[0]
        array([-3.])
    """

    for i, t in enumerate(transforms):
        check_transformation(f"chain(transforms[{i}])", t)

    def init(params):
        return ChainState(t.init(params) for t in transforms)

    def update(updates, state, params=None):
        if not isinstance(state, ChainState) or len(state) != len(transforms):
            raise fail("state", state, "the state returned by this optimizer's init()",
                       f"got {_a(type(state).__name__)}" + (f" of length {len(state)}" if isinstance(state, tuple) else ""))
        new_state = []
        for t, s in zip(transforms, state):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, ChainState(new_state)

    return GradientTransformation(init, update)
