r"""Lion (EvoLved Sign Momentum): the sign of an interpolated momentum, one state per parameter.

Source: Chen et al., *Symbolic Discovery of Optimization Algorithms*, NeurIPS
2023 (found by program search). Reference implementation ``optax.lion``
(optax 0.2.8), matched to rtol 1e-10 in ``tests/test_modern.py``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optlearn import validation as V
from optlearn.base import GradientTransformation, Params, chain, tree_map
from optlearn import transforms as T
from optlearn.transforms import ScalarOrSchedule

__all__ = ["LionState", "lion", "scale_by_lion"]


class LionState(NamedTuple):
    """Lion's only state, the momentum ``m`` (same shapes as the params)."""

    count: int
    m: Params


def scale_by_lion(b1: float = 0.9, b2: float = 0.99) -> GradientTransformation:
    r"""Lion's direction :math:`\operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t)`, then
    :math:`m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t`.

    Every entry of the output is -1, 0 or +1: the step length per coordinate is the
    learning rate, whatever the gradient's scale. ``m`` starts at zero.

    Example:
        >>> t = scale_by_lion()
        >>> t.update(np.array([0.3, -2e-9, 0.0]), t.init(np.zeros(3)))[0]
        array([ 1., -1.,  0.])
    """
    V.check_in_range("b1", b1, 0, 1, high_open=True)
    V.check_in_range("b2", b2, 0, 1, high_open=True)

    def init(params):
        return LionState(0, tree_map(np.zeros_like, params))

    def update(updates, state, params=None):
        T._check_state(state, LionState, "scale_by_lion")
        out = tree_map(lambda g, m: np.sign((1.0 - b1) * g + b1 * m), updates, state.m)
        m = tree_map(lambda g, m: (1.0 - b2) * g + b2 * m, updates, state.m)
        return out, LionState(state.count + 1, m)

    return GradientTransformation(init, update)


def lion(
    lr: ScalarOrSchedule = 1e-4,
    betas: tuple[float, float] = (0.9, 0.99),
    weight_decay: float = 1e-3,
) -> GradientTransformation:
    r"""Lion, as ``optax.lion`` (with torch-style argument names).

    .. math::
        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \lambda
            \text{ (weight decay)},\ \theta_0;\quad \textbf{initialise}: m_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad c_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma_t\,(\operatorname{sign}(c_t) + \lambda\theta_{t-1})\\
        &\quad m_t \leftarrow \beta_2 m_{t-1} + (1-\beta_2) g_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        optax calls the arguments ``learning_rate, b1, b2, weight_decay`` and has no
        default learning rate; ``lr=1e-4`` here is the paper's advice of a learning
        rate 3-10x smaller than AdamW's (torch's AdamW default is 1e-3). The weight
        decay is multiplied by the lr (as torch's AdamW does), so it is decoupled from
        the sign update; optax's default ``weight_decay=1e-3`` is kept. torch has no Lion.

    Example:
        >>> opt = lion(lr=0.1, weight_decay=0.0)
        >>> opt.update(np.array([5.0, -0.01]), opt.init(np.zeros(2)), np.zeros(2))[0]
        array([-0.1,  0.1])
    """
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise V.fail("betas", betas, "a pair (beta1, beta2)")
    V.check_in_range("betas[0]", betas[0], 0, 1, high_open=True)
    V.check_in_range("betas[1]", betas[1], 0, 1, high_open=True)
    return chain(
        T.validate_grads(),
        scale_by_lion(betas[0], betas[1]),
        T.add_decayed_weights(weight_decay),
        T.scale_by_learning_rate(lr, name="lr"),
    )
