r"""Schedule-Free AdamW: no learning-rate decay; an average of the iterates is the model to evaluate.

Source: Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, *The Road Less
Scheduled*, NeurIPS 2024. Reference implementation: the authors' ``schedulefree``
package (1.4.1), ``AdamWScheduleFree`` (``schedulefree/adamw_schedulefree.py``),
matched to rtol 1e-10 in ``tests/test_modern.py``, train and eval points both.

Three sequences: :math:`z` takes plain (Adam-normalised) gradient steps, :math:`x`
is a weighted running average of the :math:`z`'s, and gradients are taken at the
interpolation :math:`y = (1-\beta_1) z + \beta_1 x`. The params the optimizer
updates are :math:`y`; evaluate the model at :math:`x`
(:func:`schedule_free_eval_params`).
"""

from __future__ import annotations
import math
from typing import NamedTuple

import numpy as np

from optlearn import validation as V
from optlearn.base import GradientTransformation, Params, chain, tree_map
from optlearn import transforms as T

__all__ = ["ScheduleFreeState", "schedule_free_adamw", "schedule_free_eval_params"]


class ScheduleFreeState(NamedTuple):
    """``z`` (the SGD-like sequence), ``exp_avg_sq`` (Adam's :math:`v`), the step count ``k``,
    the running ``weight_sum`` and ``lr_max``; ``b1`` to recover :math:`x`."""

    k: int
    z: Params
    exp_avg_sq: Params
    weight_sum: float
    lr_max: float
    b1: float


def schedule_free_eval_params(state, params: Params) -> Params:
    r"""The evaluation point :math:`x = y + (1 - 1/\beta_1)(z - y)` from the train point ``params`` (:math:`y`).

    Equivalent to calling ``optimizer.eval()`` in the reference implementation
    (it computes ``p.lerp_(z, 1 - 1/beta1)``). ``state`` may be the
    :class:`ScheduleFreeState` or the state of :func:`schedule_free_adamw`.
    Before the first update :math:`x = y`.

    Example:
        >>> opt = schedule_free_adamw(lr=0.1)
        >>> y = np.array([1.0]); s = opt.init(y)
        >>> u, s = opt.update(np.array([1.0]), s, y)
        >>> schedule_free_eval_params(s, y + u)   # x_1 = z_1 = y_0 - lr (Adam step is 1)
        array([0.9])
    """
    sf = _find_state(state)
    w = 1.0 - 1.0 / sf.b1
    return tree_map(lambda y, z: y + w * (z - y) if w < 0.5 else z - (z - y) * (1.0 - w), params, sf.z)


def _find_state(state) -> ScheduleFreeState:
    if isinstance(state, ScheduleFreeState):
        return state
    if isinstance(state, tuple):
        for s in state:
            if isinstance(s, ScheduleFreeState):
                return s
    raise TypeError(f"state must come from schedule_free_adamw's init/update; got {type(state).__name__}")


def scale_by_schedule_free_adamw(
    lr: float = 0.0025,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    warmup_steps: int = 0,
    r: float = 0.0,
    weight_lr_power: float = 2.0,
) -> GradientTransformation:
    """The whole Schedule-Free AdamW step as one transformation (it needs the params :math:`y`)."""
    b1, b2 = betas

    def init(params):
        return ScheduleFreeState(0, tree_map(np.copy, params), tree_map(np.zeros_like, params), 0.0, -1.0, b1)

    def update(updates, state, params=None):
        T._check_state(state, ScheduleFreeState, "schedule_free_adamw")
        if params is None:
            raise ValueError("schedule_free_adamw needs params (the train point y); got params=None")
        k = state.k
        sched = (k + 1) / warmup_steps if k < warmup_steps else 1.0
        bc2 = 1 - b2 ** (k + 1)
        lr_t = lr * sched
        lr_max = max(lr_t, state.lr_max)
        weight = ((k + 1) ** r) * (lr_max**weight_lr_power)
        weight_sum = state.weight_sum + weight
        ckp1 = weight / weight_sum if weight_sum != 0 else 0.0

        def one(y, g, v, z):
            v = v * b2 + (g * g) * (1 - b2)
            gn = g / (np.sqrt(v / bc2) + eps)
            if weight_decay != 0:
                gn = gn + y * weight_decay
            y_new = T._lerp(y, z, ckp1) + gn * (lr_t * (b1 * (1 - ckp1) - 1))
            z_new = z - gn * lr_t
            return y_new - y, v, z_new

        outs = tree_map(one, params, updates, state.exp_avg_sq, state.z)
        pick = (lambda i: {k_: o[i] for k_, o in outs.items()}) if isinstance(outs, dict) else (lambda i: outs[i])
        return pick(0), ScheduleFreeState(k + 1, pick(2), pick(1), weight_sum, lr_max, b1)

    return GradientTransformation(init, update)


def schedule_free_adamw(
    lr: float = 0.0025,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    warmup_steps: int = 0,
    r: float = 0.0,
    weight_lr_power: float = 2.0,
) -> GradientTransformation:
    r"""Schedule-Free AdamW, as ``schedulefree.AdamWScheduleFree`` (names and defaults too).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2,\ \epsilon,\ \lambda,\ T_w \text{ (warmup\_steps)},
            \ r,\ p \text{ (weight\_lr\_power)},\ y_0 = z_0 = \theta_0\\
        &\textbf{for}\ k = 0, 1, \ldots\ \textbf{do}\\
        &\quad \gamma_k \leftarrow \gamma \min(1, (k+1)/T_w);\quad
            \gamma^{max}_k \leftarrow \max_{j\le k}\gamma_j;\quad
            w_k \leftarrow (k+1)^r (\gamma^{max}_k)^p;\quad c_{k+1} \leftarrow w_k / \textstyle\sum_{j\le k} w_j\\
        &\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2;\quad
            d \leftarrow g / (\sqrt{v/(1-\beta_2^{k+1})} + \epsilon) + \lambda y_k\\
        &\quad y_{k+1} \leftarrow (1-c_{k+1}) y_k + c_{k+1} z_k + \gamma_k(\beta_1(1-c_{k+1}) - 1)\, d;\quad
            z_{k+1} \leftarrow z_k - \gamma_k d\\
        &\textbf{return}\ x = y + (1 - 1/\beta_1)(z - y)
            \text{ (the average, for evaluation: } :func:`schedule_free_eval_params`)
        \end{aligned}

    This is the reference's memory-saving form, which never stores :math:`x`: the
    update of :math:`y` equals :math:`y = (1-\beta_1) z + \beta_1 x` with
    :math:`x_{k+1} = (1-c_{k+1}) x_k + c_{k+1} z_{k+1}`. Gradients must be taken at
    the params passed to ``update`` (:math:`y`); report and evaluate at :math:`x`.

    Note:
        No lr schedule: warm-up is built in (``warmup_steps``) and there is no decay.
        The weight decay is evaluated at :math:`y` and added to the normalised
        gradient (the reference's choice). ``foreach`` is not offered (same values).
        optax's ``contrib.schedule_free_adamw`` uses ``learning_rate, b1, b2`` and
        ``warmup_steps=None``.

    Example:
        >>> opt = schedule_free_adamw(lr=0.1)
        >>> y = np.array([1.0]); s = opt.init(y)
        >>> u, s = opt.update(np.array([1.0]), s, y)
        >>> np.round(y + u, 6)   # c_1 = 1: y_1 = z_0 - lr * d_1, and d_1 = 1 (Adam's first step)
        array([0.9])
    """
    V.check_non_negative("lr", lr)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise V.fail("betas", betas, "a pair (beta1, beta2)")
    b1 = V.check_in_range("betas[0]", betas[0], 0, 1, low_open=True, high_open=True)  # x = ... / beta1
    b2 = V.check_in_range("betas[1]", betas[1], 0, 1, high_open=True)
    V.check_non_negative("eps", eps)
    V.check_non_negative("weight_decay", weight_decay)
    warmup_steps = V.check_int("warmup_steps", warmup_steps, low=0)
    V.check_non_negative("r", r)
    V.check_non_negative("weight_lr_power", weight_lr_power)
    try:
        if not math.isfinite(float(lr) ** float(weight_lr_power)):
            raise OverflowError
    except OverflowError:
        raise V.fail("lr", lr, f"small enough that lr**weight_lr_power (weight_lr_power={weight_lr_power:g}) "
                     "is a finite float", "the averaging weight lr**weight_lr_power overflows") from None
    return T.raise_if_not_finite(chain(
        T.validate_grads(),
        scale_by_schedule_free_adamw(float(lr), (b1, b2), eps, weight_decay, warmup_steps, r, weight_lr_power),
    ), "schedule_free_adamw", T.overflow_causes(T.zero_eps_cause(eps), "lr too large: lr**2 or the update overflowed"))
