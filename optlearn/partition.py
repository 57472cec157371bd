"""Give different parameters different optimizers: e.g. Muon for the hidden matrices, AdamW for the rest.

The same idea as ``optax.multi_transform`` (optax 0.2.8 calls it
``optax.partition``) and as torch's parameter groups / two optimizers stepped together.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from optlearn import validation as V
from optlearn import transforms as T
from optlearn.base import GradientTransformation, Params, check_transformation

__all__ = ["PartitionState", "partition"]


class PartitionState(NamedTuple):
    """``labels`` (parameter name -> label) and ``inner`` (label -> that optimizer's state)."""

    labels: dict
    inner: dict


def partition(
    transforms: dict[str, GradientTransformation],
    param_labels: dict[str, str] | Callable[[str, np.ndarray], str],
) -> GradientTransformation:
    """Apply ``transforms[label]`` to the parameters labelled ``label``.

    Args:
        transforms: label -> gradient transformation (a whole optimizer, usually).
        param_labels: parameter name -> label, or a function ``(name, array) -> label``
            called once at ``init`` (for example by shape: ``p.ndim == 2``).

    Params must be a dict. Each inner optimizer sees only its own sub-dict, so
    its state, step count and lr schedule are its own.

    Raises:
        ValueError: params not a dict, a label with no transform, or an unlabelled parameter.

    Example:
        >>> import optlearn as ol
        >>> opt = partition({"mat": ol.sgd(lr=1.0), "vec": ol.sgd(lr=0.0)},
        ...                 lambda name, p: "mat" if p.ndim == 2 else "vec")
        >>> params = {"W": np.ones((1, 1)), "b": np.ones(1)}
        >>> u, s = opt.update({"W": np.ones((1, 1)), "b": np.ones(1)}, opt.init(params), params)
        >>> u["W"], u["b"]
        (array([[-1.]]), array([-0.]))
    """
    if not transforms:
        raise V.fail("transforms", transforms, "a dict label -> transformation naming at least one")
    if not isinstance(transforms, dict):
        raise V.fail("transforms", transforms, "a dict label -> transformation")
    for label, t in transforms.items():
        check_transformation(f"transforms[{label!r}]", t)

    def labels_of(params) -> dict:
        if not isinstance(params, dict):
            raise V.fail("params", params, "a dict of named arrays (partition labels each one)",
                         f"got {type(params).__name__}")
        if callable(param_labels):
            labels = {k: param_labels(k, np.asarray(v)) for k, v in params.items()}
        else:
            missing = sorted(set(params) - set(param_labels))
            if missing:
                raise V.fail("param_labels", param_labels, "a label for every parameter",
                             f"no label for parameters {missing}")
            labels = {k: param_labels[k] for k in params}
        unknown = sorted({lab for lab in labels.values() if lab not in transforms})
        if unknown:
            raise V.fail("param_labels", param_labels, f"labels among the transforms' keys {sorted(transforms)}",
                         f"labels {unknown} have no transform")
        return labels

    def split(tree, labels, label):
        return {k: tree[k] for k in tree if labels[k] == label}

    def init(params):
        labels = labels_of(params)
        inner = {lab: t.init(split(params, labels, lab)) for lab, t in transforms.items()
                 if any(v == lab for v in labels.values())}
        return PartitionState(labels, inner)

    def update(updates, state, params=None):
        T._check_state(state, PartitionState, "partition")
        labels = state.labels
        if not isinstance(updates, dict) or updates.keys() != labels.keys():
            raise V.fail("grads", updates, f"a dict with the params keys {sorted(labels)}")
        out, inner = {}, {}
        for lab, s in state.inner.items():
            u, inner[lab] = transforms[lab].update(
                split(updates, labels, lab), s, None if params is None else split(params, labels, lab)
            )
            out.update(u)
        return {k: out[k] for k in updates}, PartitionState(labels, inner)

    return GradientTransformation(init, update)
