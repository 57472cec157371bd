r"""Muon: momentum, then orthogonalise the update of each weight matrix by a Newton–Schulz iteration.

Source: Jordan et al., *Muon: An optimizer for hidden layers in neural networks*,
2024 (https://kellerjordan.github.io/posts/muon/); Liu et al., *Muon is Scalable
for LLM Training*, 2025 (the ``match_rms_adamw`` lr adjustment). Reference
implementation ``torch.optim.Muon`` (torch 2.13, ``torch/optim/_muon.py``).

torch runs the Newton–Schulz iteration in bfloat16. Here it runs in the
parameter's dtype by default (``ns_dtype=None``), which equals torch's algorithm
run in float64 to rtol 1e-10; ``ns_dtype="bfloat16"`` emulates torch's bfloat16
rounding in numpy (see :func:`to_bfloat16` and ``tests/test_modern.py`` for
how close that comes to torch itself).
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
    "MuonMomentumState",
    "muon",
    "muon_momentum",
    "newton_schulz",
    "orthogonalize",
    "scale_by_shape",
    "to_bfloat16",
]


def _items(tree: Params) -> list[tuple[str | None, np.ndarray]]:
    """The ``(name, array)`` pairs of a tree (an array's name is ``None``)."""
    return list(tree.items()) if isinstance(tree, dict) else [(None, tree)]

NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


class MuonMomentumState(NamedTuple):
    """Muon's momentum buffer ``B`` (zeros at first)."""

    count: int
    momentum_buffer: Params


def to_bfloat16(x: np.ndarray) -> np.ndarray:
    """Round to the nearest bfloat16 value (ties to even), returned as float32.

    bfloat16 keeps float32's 8 exponent bits and 7 of its 23 fraction bits, so about
    2-3 significant decimal digits (relative spacing :math:`2^{-8}` to :math:`2^{-7}`).
    Like torch's ``.bfloat16()`` on a float64 tensor, the value is first rounded
    to float32. Non-finite values are not expected (the caller checks).

    Example:
        >>> float(to_bfloat16(np.array(1.0 + 2.0**-9)))   # halfway: ties to even
        1.0
        >>> float(to_bfloat16(np.array(3.14159)))
        3.140625
    """
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def newton_schulz(
    G: np.ndarray,
    steps: int = 5,
    coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
    eps: float = 1e-7,
    dtype: str | None = None,
) -> np.ndarray:
    r"""Approximately orthogonalise a matrix: map :math:`G = U S V^T` to about :math:`U V^T`.

    Normalise :math:`X_0 = G / \max(\|G\|_F, \epsilon)` (so every singular value is
    <= 1), then ``steps`` times apply the odd quintic
    :math:`X \leftarrow aX + (bA + cA^2)X` with :math:`A = XX^T`, which maps each
    singular value :math:`\sigma` to :math:`p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5`
    and leaves the singular vectors alone. torch's default coefficients
    :math:`(3.4445, -4.7750, 2.0315)` have a steep slope :math:`a` at 0 and push the
    singular values into roughly [0.7, 1.2] in 5 steps, not exactly to 1; the
    classical cubic :math:`(1.5, -0.5, 0)` converges to 1 but slowly. A tall
    matrix is transposed first (the Gram matrix is the smaller one).

    Args:
        G: a 2-D array of shape ``(n, m)``.
        steps: number of iterations, 0 <= steps < 100 (torch's limit).
        coefficients: ``(a, b, c)``.
        eps: the floor on the Frobenius norm.
        dtype: ``None`` (compute in ``G``'s float dtype) or ``"bfloat16"`` (emulated
            bfloat16: every intermediate result is rounded to bfloat16, as torch does;
            returns float32). Bit for bit equal to torch on small matrices (4x6, 6x4,
            16x8); on larger ones torch's bfloat16 matmul accumulates in its own order,
            so entries differ by up to one bfloat16 unit (2**-8 for entries below 1;
            tested on 64x32).

    Example:
        >>> G = np.array([[3.0, 0.0], [0.0, 0.5]])
        >>> np.round(newton_schulz(G, steps=30, coefficients=(1.5, -0.5, 0.0)), 6)
        array([[1., 0.],
               [0., 1.]])
    """
    G = np.asarray(G)
    if G.ndim != 2:
        raise V.fail("G.shape", G.shape, "2-D (a matrix)")
    V.check_int("steps", steps, low=0, high=99)
    if not isinstance(coefficients, (tuple, list)) or len(coefficients) != 3:
        raise V.fail("coefficients", coefficients, "three numbers (a, b, c)")
    for i, v in enumerate(coefficients):
        V.check_number(f"coefficients[{i}]", v)
    V.check_choice("dtype", dtype, (None, "bfloat16"))
    a, b, c = (float(v) for v in coefficients)
    if dtype is None:
        r = lambda x: x  # noqa: E731
        X = G.astype(np.result_type(G, np.float32), copy=True)
    else:
        r = to_bfloat16
        X = r(G)
    tall = X.shape[0] > X.shape[1]
    if tall:
        X = X.T
    if dtype is None:
        X = X / max(float(np.linalg.norm(X)), eps)
    else:  # torch: bf16 norm (float32 accumulation), clamp, bf16 division
        norm = float(r(np.linalg.norm(X.astype(np.float32))))
        X = r(X / np.float32(max(norm, float(r(np.float32(eps))))))
    for _ in range(steps):
        A = r(X @ X.T)
        B = r(b * A + c * (A @ A))
        X = r(a * X + B @ X)
    return X.T if tall else X


def muon_momentum(momentum: float = 0.95, nesterov: bool = True) -> GradientTransformation:
    r"""Muon's momentum: :math:`B_t = \mu B_{t-1} + (1-\mu) g_t` (an EMA from zero), output
    :math:`(1-\mu) g_t + \mu B_t` with nesterov, else :math:`B_t`.

    This is what torch 2.13's code does (``buf.lerp_(grad, 1 - momentum)``,
    ``grad.lerp(buf, momentum)``); its docstring writes :math:`B_t = \mu B_{t-1} + g_t`,
    which differs by the factor :math:`1-\mu` — invisible after the Newton–Schulz
    normalisation except through ``eps``.

    Example:
        >>> t = muon_momentum(0.5, nesterov=False)
        >>> t.update(np.array([2.0]), t.init(np.zeros(1)))[0]
        array([1.])
    """
    T._unit("momentum", momentum, torch_accepts_one=True)
    V.check_bool("nesterov", nesterov)

    def init(params):
        return MuonMomentumState(0, tree_map(np.zeros_like, params))

    def update(updates, state, params=None):
        T._check_state(state, MuonMomentumState, "muon_momentum")
        w = 1.0 - momentum
        buf = tree_map(lambda b, g: b + w * (g - b) if w < 0.5 else g - (g - b) * (1.0 - w), state.momentum_buffer, updates)
        if nesterov:
            out = tree_map(lambda g, b: g + momentum * (b - g) if momentum < 0.5 else b - (b - g) * (1.0 - momentum), updates, buf)
        else:
            out = buf
        return out, MuonMomentumState(state.count + 1, buf)

    return GradientTransformation(init, update)


def orthogonalize(
    ns_coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
    ns_steps: int = 5,
    eps: float = 1e-7,
    ns_dtype: str | None = None,
) -> GradientTransformation:
    """Replace each (2-D) update by :func:`newton_schulz` of it, in the update's dtype.

    Example:
        >>> t = orthogonalize(ns_steps=0)
        >>> t.update(np.array([[3.0, 4.0]]), t.init(None))[0]
        array([[0.6, 0.8]])
    """
    V.check_int("ns_steps", ns_steps, low=0, high=99)
    if not isinstance(ns_coefficients, (tuple, list)) or len(ns_coefficients) != 3:
        raise V.fail("ns_coefficients", ns_coefficients, "three numbers (a, b, c)")
    for i, v in enumerate(ns_coefficients):
        V.check_number(f"ns_coefficients[{i}]", v)
    V.check_choice("ns_dtype", ns_dtype, (None, "bfloat16"))
    V.check_non_negative("eps", eps)

    def init(params):
        return T.EmptyState()

    def update(updates, state, params=None):
        return tree_map(lambda u: newton_schulz(u, ns_steps, ns_coefficients, eps, ns_dtype).astype(u.dtype), updates), state

    return GradientTransformation(init, update)


def _adjust_ratio(adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    A, B = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return math.sqrt(max(1, A / B))
    return 0.2 * math.sqrt(max(A, B))


def scale_by_shape(adjust_lr_fn: str | None = None) -> GradientTransformation:
    r"""Multiply each ``(A, B)`` update by torch's shape-dependent factor.

    ``"original"`` (and ``None``): :math:`\sqrt{\max(1, A/B)}` (Jordan: a tall
    orthogonal matrix has smaller entries); ``"match_rms_adamw"``:
    :math:`0.2\sqrt{\max(A, B)}` (Liu et al.: gives the update the RMS of a typical
    AdamW update, about 0.2, so AdamW's lr and weight decay can be reused).

    Layout: ``A`` is the number of *rows*. torch stores a linear layer's weight as
    ``(out_features, in_features)``, so there ``A = fan_out``; ``optlearn.models.MLP``
    stores it as ``(in, out)``, so for its weights ``A = fan_in`` and the
    ``"original"`` factor is :math:`\sqrt{\max(1, \text{fan\_in}/\text{fan\_out})}`,
    not torch's :math:`\sqrt{\max(1, \text{fan\_out}/\text{fan\_in})}`. To get torch's
    factor for an ``(in, out)`` weight, transpose it (or use ``"match_rms_adamw"``,
    which is symmetric). optax's ``MuonDimensionNumbers`` (reduction axis 0, output
    axis 1) assume ``(in, out)`` and so give torch's factor on such weights.

    Example:
        >>> t = scale_by_shape()
        >>> t.update(np.ones((4, 1)), t.init(None))[0].ravel()
        array([2., 2., 2., 2.])
    """
    V.check_choice("adjust_lr_fn", adjust_lr_fn, (None, "original", "match_rms_adamw"))

    def init(params):
        return T.EmptyState()

    def update(updates, state, params=None):
        return tree_map(lambda u: u * _adjust_ratio(adjust_lr_fn, u.shape), updates), state

    return GradientTransformation(init, update)


def _require_matrices(params: Params) -> None:
    for name, p in _items(params):
        if np.ndim(p) != 2:
            label = "params" if name is None else f"params[{name!r}]"
            raise V.fail(f"{label}.shape", np.shape(p), "2-D: Muon only optimises matrices",
                         "give vectors and other shapes to another optimizer (see optlearn.partition)")


def muon(
    lr: ScalarOrSchedule = 1e-3,
    weight_decay: float = 0.1,
    momentum: float = 0.95,
    nesterov: bool = True,
    ns_coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
    eps: float = 1e-7,
    ns_steps: int = 5,
    adjust_lr_fn: str | None = None,
    ns_dtype: str | None = None,
) -> GradientTransformation:
    r"""Muon, as ``torch.optim.Muon`` (torch 2.13), for 2-D parameters only.

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \lambda \text{ (weight decay)},\ \mu \text{ (momentum)},
            \ (a, b, c),\ \epsilon,\ k \text{ (ns\_steps)},\ \theta_0 \in \mathbb{R}^{A\times B}\\
        &\textbf{initialise}: B_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad B_t \leftarrow \mu B_{t-1} + (1-\mu) g_t;\quad
            \tilde B_t \leftarrow (1-\mu) g_t + \mu B_t \text{ if nesterov else } B_t\\
        &\quad O_t \leftarrow \mathrm{NS}^{(a,b,c)}_k(\tilde B_t; \epsilon)\\
        &\quad \theta_t \leftarrow (1 - \gamma\lambda)\theta_{t-1} - \gamma\, s(A, B)\, O_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    with :math:`s` from :func:`scale_by_shape`. The weight decay uses the
    *unadjusted* lr, as torch does.

    Note:
        torch computes :math:`\mathrm{NS}` in bfloat16; ``ns_dtype=None`` (default)
        computes it in the parameter's dtype (float64: torch's algorithm without its
        rounding), ``ns_dtype="bfloat16"`` emulates torch's rounding. Muon is for the
        hidden weight matrices; use :func:`optlearn.partition` to give biases,
        embeddings and the output layer to AdamW.

    Note:
        The default lr factor :math:`\sqrt{\max(1, A/B)}` is torch's, with
        ``A`` = rows. torch's weights are ``(out, in)``, so ``A`` = fan_out there;
        ``optlearn.models.MLP`` weights are ``(in, out)``, so on them this factor is
        :math:`\sqrt{\max(1, \text{fan\_in}/\text{fan\_out})}` (see
        :func:`scale_by_shape`). ``adjust_lr_fn="match_rms_adamw"`` is symmetric in
        ``A`` and ``B`` and does not depend on the layout.

    Raises:
        ValueError: at ``init`` for a parameter that is not 2-D; for bad arguments.

    Example:
        >>> opt = muon(lr=0.1, weight_decay=0.0)
        >>> u, s = opt.update(np.diag([3.0, 0.1]), opt.init(np.zeros((2, 2))), np.zeros((2, 2)))
        >>> bool(np.all(np.abs(np.diag(u)) > 0.05))   # both directions move by about lr
        True
    """
    V.check_scalar_or_schedule("lr", lr)
    V.check_non_negative("weight_decay", weight_decay)
    inner = chain(
        T.validate_grads(),
        muon_momentum(momentum, nesterov),
        orthogonalize(ns_coefficients, ns_steps, eps, ns_dtype),
        scale_by_shape(adjust_lr_fn),
        T.scale_by_learning_rate(lr, name="lr"),
        T.decoupled_weight_decay(weight_decay, lr, name="lr"),
    )
    inner = T.raise_if_not_finite(inner, "muon", T.overflow_causes())

    def init(params):
        _require_matrices(params)
        return inner.init(params)

    return GradientTransformation(init, inner.update)
