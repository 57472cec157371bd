r"""The optimizers of ``torch.optim``, each a :func:`~optlearn.base.chain` of transforms.

Names, arguments, defaults and numerics are those of ``torch.optim`` (checked
step by step against torch in float64 to rtol 1e-10, see
``tests/test_optimizers.py``). Every ``lr`` may be a float or a schedule
(``count -> lr``, see :mod:`optlearn.schedules`); the schedule is called with
the number of updates already done, like a torch scheduler stepped once per
update; :func:`~optlearn.transforms.last_lr` reads the lr of the last update
from the state. Every chain starts with :func:`~optlearn.transforms.validate_grads`
(parameters must be real float arrays, gradients are cast to their dtype) and
is wrapped in :func:`~optlearn.transforms.raise_if_not_finite`: an inf or NaN
update from a finite gradient is an error naming the step, the parameter and
the likely cause, never a silent NaN or a numpy warning.

Symbols (the same in every docstring and in the book): :math:`\eta` the
learning rate, :math:`\beta` a momentum coefficient (:math:`\beta_1, \beta_2`
Adam's), :math:`\tau` the dampening, :math:`\lambda` the weight decay,
:math:`\alpha` RMSprop's smoothing constant, :math:`\rho` AdaDelta's,
:math:`v` a running mean of squared gradients, :math:`m` of gradients.

Torch arguments: every one that changes the maths is here (``maximize`` on all
eight, ``decoupled_weight_decay`` on Adam and NAdam). ``foreach``, ``fused``,
``capturable`` and ``differentiable`` are absent on purpose: they choose how
torch computes (batched kernels, CUDA graphs, autograd through the step), not
what; the values are the same.

Example:
    >>> import numpy as np, optlearn as ol
    >>> opt = ol.adam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> state = opt.init(x)
    >>> for _ in range(100):
    ...     updates, state = opt.update(2 * x, state, x)
    ...     x = ol.apply_updates(x, updates)
    >>> bool(np.abs(x).max() < 0.05)
    True
"""

from __future__ import annotations

from typing import Sequence

from optlearn.base import GradientTransformation, chain
from optlearn import transforms as T
from optlearn.transforms import ScalarOrSchedule
from optlearn.validation import check_bool, check_non_negative, check_scalar_or_schedule, fail

__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "momentum_classic",
    "momentum_ema",
    "nadam",
    "rmsprop",
    "sgd",
]


def _betas(betas: tuple[float, float]) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise fail("betas", betas, "a pair (beta1, beta2) of numbers in [0, 1)")
    return T._unit("betas[0]", betas[0]), T._unit("betas[1]", betas[1])


_OVERFLOW = ("a gradient too large for the dtype: its square (times 1 - beta) overflowed "
             "(largest value 1.8e308 in float64, 3.4e38 in float32, 65504 in float16)")


def _causes(*extra: str) -> str:
    return "; or ".join([*(e for e in extra if e), _OVERFLOW])


def _zero_eps(eps: float) -> str:
    return "eps=0 with a zero gradient (0/0); use eps > 0" if eps == 0 else ""


def _torch_optimizer(who: str, transforms: Sequence[GradientTransformation], *, maximize: bool,
                     causes: str, eps: float | None = None) -> GradientTransformation:
    """``validate_grads``, the sign flip if ``maximize`` (torch negates the gradient
    first, before weight decay), the transforms, all under ``raise_if_not_finite``."""
    head = [T.validate_grads()]
    if check_bool("maximize", maximize):
        head.append(T.scale(-1.0))  # torch: grad = -grad
    return T.raise_if_not_finite(chain(*head, *transforms), who, causes, eps)


def sgd(
    lr: ScalarOrSchedule = 1e-3,
    momentum: float = 0,
    dampening: float = 0,
    weight_decay: float = 0,
    nesterov: bool = False,
    maximize: bool = False,
) -> GradientTransformation:
    r"""Stochastic gradient descent with optional (Nesterov) momentum, as ``torch.optim.SGD``.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \theta_0,\ f(\theta),\ \lambda \text{ (weight decay)},
            \ \beta \text{ (momentum)},\ \tau \text{ (dampening)},\ \textit{nesterov},\ \textit{maximize}\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \quad (- \text{ if maximize})\\
        &\quad \textbf{if}\ \beta \neq 0:\ b_t \leftarrow g_t \text{ if } t = 1
            \text{ else } \beta b_{t-1} + (1-\tau) g_t\\
        &\quad\quad g_t \leftarrow g_t + \beta b_t \text{ if nesterov else } b_t\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta g_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        Momentum is torch's form: the buffer holds no lr and its first value is
        :math:`g_1` (dampening is not applied at step 1). The classic form
        :math:`v_t = \beta v_{t-1} + \eta g_t` equals this for a constant lr
        (see :func:`momentum_classic`). Weight decay is coupled (L2).
        Nesterov momentum: Sutskever et al., *On the importance of
        initialization and momentum in deep learning*, ICML 2013.

    Example:
        >>> import numpy as np
        >>> opt = sgd(lr=0.1, momentum=0.9)
        >>> updates, state = opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1))
        >>> updates
        array([-0.1])
    """
    causes = "the run diverged: lr times the gradient (or the momentum buffer) overflowed the dtype; lower lr"
    return _torch_optimizer(
        "sgd",
        [T.add_decayed_weights(weight_decay), T.trace(momentum, dampening, nesterov), T.scale_by_learning_rate(lr, name="lr")],
        maximize=maximize, causes=causes,
    )


def momentum_classic(lr: ScalarOrSchedule = 1e-3, momentum: float = 0.9) -> GradientTransformation:
    r"""Classic momentum :math:`v_t = \beta v_{t-1} + \eta_t g_t,\ \theta_t = \theta_{t-1} - v_t`.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta_t \text{ (lr, a float or a schedule)},\ \beta \text{ (momentum)},\ \theta_0;
            \quad \textbf{initialise}: v_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots:\ v_t \leftarrow \beta v_{t-1} + \eta_t g_t,
            \quad \theta_t \leftarrow \theta_{t-1} - v_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        For a constant lr this is exactly ``sgd(lr=eta, momentum=beta)``
        (:math:`v_t = \eta b_t`); with a schedule they differ, since here past
        gradients keep the lr they were taken with (``sgd`` rescales the whole
        buffer by the current lr): after a drop from :math:`\eta` to
        :math:`\eta'` the classic step is :math:`\beta v + \eta' g`, torch's
        :math:`\eta'(\beta b + g)`. Polyak, *Some methods of
        speeding up the convergence of iteration methods*, 1964.

    Example:
        >>> import numpy as np
        >>> opt = momentum_classic(lr=0.1, momentum=0.9)
        >>> updates, state = opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1))
        >>> updates
        array([-0.1])
    """
    causes = "the run diverged: the velocity overflowed the dtype; lower lr"
    return _torch_optimizer("momentum_classic", [T.trace_classic(lr, momentum, name="lr")], maximize=False, causes=causes)


def momentum_ema(lr: ScalarOrSchedule = 1e-2, beta: float = 0.9) -> GradientTransformation:
    r"""EMA momentum :math:`v_t = \beta v_{t-1} + (1-\beta) g_t,\ \theta_t = \theta_{t-1} - \eta v_t`.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \beta \text{ (momentum)},\ \theta_0;
            \quad \textbf{initialise}: v_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots:\ v_t \leftarrow \beta v_{t-1} + (1-\beta) g_t,
            \quad \theta_t \leftarrow \theta_{t-1} - \eta v_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        Since :math:`v_t = (1-\beta) b_t` with torch's buffer :math:`b_t` for
        ``dampening=0``, this equals ``sgd(lr=eta * (1 - beta), momentum=beta)``
        exactly. It does *not* equal ``sgd(lr=eta, momentum=beta,
        dampening=beta)``: torch's first buffer is :math:`g_1`, not
        :math:`(1-\beta)g_1`, so that buffer exceeds :math:`v_t` by
        :math:`\beta^t g_1`, a difference that decays but never vanishes.

    Example:
        >>> import numpy as np
        >>> opt = momentum_ema(lr=1.0, beta=0.9)
        >>> updates, state = opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1))
        >>> updates
        array([-0.1])
    """
    causes = "the run diverged: the average overflowed the dtype; lower lr"
    T._unit("beta", beta)
    return _torch_optimizer("momentum_ema", [T.trace_ema(beta), T.scale_by_learning_rate(lr, name="lr")],
                            maximize=False, causes=causes)


def adagrad(
    lr: ScalarOrSchedule = 1e-2,
    lr_decay: float = 0,
    weight_decay: float = 0,
    initial_accumulator_value: float = 0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> GradientTransformation:
    r"""AdaGrad, as ``torch.optim.Adagrad``.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \theta_0,\ \lambda \text{ (weight decay)},
            \ \delta \text{ (lr decay)},\ s_0 \text{ (initial accumulator value)},\ \epsilon\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \quad (- \text{ if maximize})\\
        &\quad \tilde\eta \leftarrow \eta / (1 + (t-1)\delta)\\
        &\quad s_t \leftarrow s_{t-1} + g_t^2\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \tilde\eta\, g_t / (\sqrt{s_t} + \epsilon)\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        eps is outside the sqrt; weight decay is coupled. ``lr_decay`` is an
        lr schedule, so the chain scales by the schedule
        :math:`\eta_{t-1} / (1 + (t-1)\delta)` (:func:`optlearn.schedules.inverse_time`
        composed with ``lr``). Duchi, Hazan & Singer, *Adaptive Subgradient
        Methods for Online Learning and Stochastic Optimization*, JMLR 2011.

    Example:
        >>> import numpy as np
        >>> opt = adagrad(lr=0.5)
        >>> opt.update(np.array([-3.0]), opt.init(np.zeros(1)), np.zeros(1))[0]
        array([0.5])
    """
    lr = check_scalar_or_schedule("lr", lr)
    lr_decay = check_non_negative("lr_decay", lr_decay)
    if lr_decay == 0:
        decayed = lr
    elif callable(lr):
        decayed = lambda count: lr(count) / (1.0 + count * lr_decay)  # noqa: E731
    else:
        decayed = lambda count: lr / (1.0 + count * lr_decay)  # noqa: E731
    return _torch_optimizer(
        "adagrad",
        [T.add_decayed_weights(weight_decay), T.scale_by_adagrad(initial_accumulator_value, eps),
         T.scale_by_learning_rate(decayed, name="lr")],
        maximize=maximize, causes=_causes(_zero_eps(eps) if initial_accumulator_value == 0 else ""), eps=eps,
    )


def rmsprop(
    lr: ScalarOrSchedule = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0,
    momentum: float = 0,
    centered: bool = False,
    maximize: bool = False,
) -> GradientTransformation:
    r"""RMSprop, as ``torch.optim.RMSprop``.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \alpha \text{ (smoothing)},\ \theta_0,
            \ \lambda,\ \beta \text{ (momentum)},\ \textit{centered},\ \epsilon\\
        &\textbf{initialise}: v_0 \leftarrow 0,\ \bar g_0 \leftarrow 0,\ b_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \quad (- \text{ if maximize})\\
        &\quad v_t \leftarrow \alpha v_{t-1} + (1-\alpha) g_t^2;\quad \tilde v_t \leftarrow v_t\\
        &\quad \textbf{if centered}:\ \bar g_t \leftarrow \alpha\bar g_{t-1} + (1-\alpha) g_t,
            \ \tilde v_t \leftarrow v_t - \bar g_t^2\\
        &\quad d_t \leftarrow g_t / (\sqrt{\tilde v_t} + \epsilon)\\
        &\quad \textbf{if}\ \beta > 0:\ b_t \leftarrow \beta b_{t-1} + d_t,\ d_t \leftarrow b_t\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta d_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        eps is outside the sqrt (optax puts it inside) and there is no bias
        correction. The momentum buffer holds the *scaled* direction
        :math:`d_t` and no lr, so the chain puts :func:`~optlearn.transforms.trace`
        after the RMS scaling and before the lr (``b_0 = 0`` makes
        ``b_1 = d_1``, which is ``trace``'s first buffer). Hinton, *Neural
        Networks for Machine Learning*, lecture 6e, 2012; centered: Graves,
        *Generating Sequences With Recurrent Neural Networks*, 2013.

    Example:
        >>> import numpy as np
        >>> opt = rmsprop(lr=0.01, alpha=0.75, eps=0.0)
        >>> opt.update(np.array([2.0]), opt.init(np.zeros(1)), np.zeros(1))[0]
        array([-0.02])
    """
    cancel = ("centered=True: v - grad_avg**2 became negative by cancellation (nearly constant gradients; "
              "torch gives NaN too); use centered=False or a larger eps" if centered is True else "")
    return _torch_optimizer(
        "rmsprop",
        [T.add_decayed_weights(weight_decay), T.scale_by_rms(alpha, eps, centered), T.trace(momentum),
         T.scale_by_learning_rate(lr, name="lr")],
        maximize=maximize, causes=_causes(cancel, _zero_eps(eps)), eps=eps,
    )


def adadelta(
    lr: ScalarOrSchedule = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
    maximize: bool = False,
) -> GradientTransformation:
    r"""AdaDelta, as ``torch.optim.Adadelta``.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \theta_0,\ \rho \text{ (decay)},\ \lambda,\ \epsilon\\
        &\textbf{initialise}: v_0 \leftarrow 0,\ u_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \quad (- \text{ if maximize})\\
        &\quad v_t \leftarrow \rho v_{t-1} + (1-\rho) g_t^2\\
        &\quad \Delta_t \leftarrow \sqrt{u_{t-1} + \epsilon}\,/\sqrt{v_t + \epsilon}\; g_t\\
        &\quad u_t \leftarrow \rho u_{t-1} + (1-\rho)\Delta_t^2\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta\Delta_t\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        eps is *inside* both square roots. Zeiler's method has no learning
        rate (``lr=1``); torch multiplies the delta by ``lr`` only when
        applying it, so :math:`u_t` accumulates the lr-free delta: hence the
        lr scaling comes after ``scale_by_adadelta`` in the chain. Zeiler,
        *ADADELTA: An Adaptive Learning Rate Method*, 2012.

    Example:
        >>> import numpy as np
        >>> opt = adadelta(rho=0.0, eps=1.0)
        >>> opt.update(np.array([3.0]), opt.init(np.zeros(1)), np.zeros(1))[0]
        array([-0.9486833])
    """
    return _torch_optimizer(
        "adadelta",
        [T.add_decayed_weights(weight_decay), T.scale_by_adadelta(rho, eps), T.scale_by_learning_rate(lr, name="lr")],
        maximize=maximize, causes=_causes(_zero_eps(eps)), eps=eps,
    )


_ADAM_ALGORITHM = r"""
    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \theta_0,
            \ \lambda \text{ (weight decay)},\ \textit{amsgrad},\ \epsilon\\
        &\textbf{initialise}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v^{max}_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) \quad (- \text{ if maximize})\\
        &\quad %(decay)s\\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t\\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2\\
        &\quad \textbf{if amsgrad}:\ v_t \leftarrow \max(v^{max}_{t-1}, v_t) =: v^{max}_t\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta\, \frac{m_t / (1-\beta_1^t)}
            {\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}\\
        &\textbf{return}\ \theta_t
        \end{aligned}
"""


def adam(
    lr: ScalarOrSchedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0,
    amsgrad: bool = False,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    r"""Adam, as ``torch.optim.Adam``.
    %s
    Note:
        eps is outside the sqrt and added *after* the bias correction of
        :math:`v`; weight decay is coupled (L2, added to the gradient) unless
        ``decoupled_weight_decay=True``, which makes this exactly
        :func:`adamw` (as in torch 2.x); with
        amsgrad the running max of :math:`v_t` (not of :math:`\hat v_t`) is
        kept, as in torch. Kingma & Ba, *Adam: A Method for Stochastic
        Optimization*, ICLR 2015; amsgrad: Reddi, Kale & Kumar, *On the
        Convergence of Adam and Beyond*, ICLR 2018.

    Example:
        >>> import numpy as np
        >>> opt = adam(lr=0.1)
        >>> opt.update(np.array([5.0, -0.2]), opt.init(np.zeros(2)), np.zeros(2))[0].round(6)
        array([-0.1,  0.1])
    """
    if check_bool("decoupled_weight_decay", decoupled_weight_decay):
        return adamw(lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
    b1, b2 = _betas(betas)
    return _torch_optimizer(
        "adam",
        [T.add_decayed_weights(weight_decay), T.scale_by_adam(b1, b2, eps, amsgrad), T.scale_by_learning_rate(lr, name="lr")],
        maximize=maximize, causes=_causes(_zero_eps(eps)), eps=eps,
    )


def adamw(
    lr: ScalarOrSchedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    maximize: bool = False,
) -> GradientTransformation:
    r"""AdamW (Adam with decoupled weight decay), as ``torch.optim.AdamW``.
    %s
    Note:
        Same as :func:`adam` except for the weight decay, which is *decoupled*:
        the params shrink by :math:`\eta\lambda\theta_{t-1}` outside the
        adaptive scaling (torch multiplies by :math:`1-\eta\lambda` first).
        The decay is scaled by the lr (torch's, not the paper's schedule-only
        :math:`\eta_t`). Loshchilov & Hutter, *Decoupled Weight Decay
        Regularization*, ICLR 2019.

    Example:
        >>> import numpy as np
        >>> opt = adamw(lr=0.1, weight_decay=0.5)
        >>> opt.update(np.array([1.0]), opt.init(np.ones(1)), np.ones(1))[0].round(6)
        array([-0.15])
    """
    b1, b2 = _betas(betas)
    return _torch_optimizer(
        "adamw",
        [T.scale_by_adam(b1, b2, eps, amsgrad), T.scale_by_learning_rate(lr, name="lr"),
         T.decoupled_weight_decay(weight_decay, lr, name="lr")],
        maximize=maximize, causes=_causes(_zero_eps(eps)), eps=eps,
    )


adam.__doc__ = adam.__doc__ % (
    _ADAM_ALGORITHM % {"decay": r"\textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda\theta_{t-1}"},
)
adamw.__doc__ = adamw.__doc__ % (
    _ADAM_ALGORITHM % {"decay": r"\theta_{t-1} \leftarrow \theta_{t-1} - \eta\lambda\theta_{t-1}"},
)


def adamax(
    lr: ScalarOrSchedule = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0,
    maximize: bool = False,
) -> GradientTransformation:
    r"""Adamax (Adam with the infinity norm), as ``torch.optim.Adamax``.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \beta_1, \beta_2,\ \theta_0,\ \lambda,\ \epsilon\\
        &\textbf{initialise}: m_0 \leftarrow 0,\ u_0 \leftarrow 0\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \quad (- \text{ if maximize})\\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t\\
        &\quad u_t \leftarrow \max(\beta_2 u_{t-1}, |g_t| + \epsilon)\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \frac{\eta\, m_t}{(1-\beta_1^t)\, u_t}\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        eps is added to :math:`|g_t|` inside the max (the paper has no eps).
        Kingma & Ba, *Adam: A Method for Stochastic Optimization*, ICLR 2015, sec. 7.

    Example:
        >>> import numpy as np
        >>> opt = adamax(lr=0.1, eps=0.0)
        >>> opt.update(np.array([-2.0]), opt.init(np.zeros(1)), np.zeros(1))[0]
        array([0.1])
    """
    b1, b2 = _betas(betas)
    return _torch_optimizer(
        "adamax",
        [T.add_decayed_weights(weight_decay), T.scale_by_adamax(b1, b2, eps), T.scale_by_learning_rate(lr, name="lr")],
        maximize=maximize, causes=_causes("eps=0 with a zero gradient (0/0); use eps > 0" if eps == 0 else ""), eps=eps,
    )


def nadam(
    lr: ScalarOrSchedule = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0,
    momentum_decay: float = 4e-3,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    r"""NAdam (Adam with Nesterov momentum), as ``torch.optim.NAdam``.

    .. math::
        \begin{aligned}
        &\textbf{input}: \eta \text{ (lr)},\ \beta_1, \beta_2,\ \theta_0,\ \lambda,
            \ \psi \text{ (momentum decay)},\ \epsilon\\
        &\textbf{initialise}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ \Pi_0 \leftarrow 1\\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do}\\
        &\quad g_t \leftarrow \pm\nabla_\theta f_t(\theta_{t-1}) \quad (- \text{ if maximize})\\
        &\quad \textbf{if decoupled}:\ \theta_{t-1} \leftarrow \theta_{t-1} - \eta\lambda\theta_{t-1}
            \ \textbf{else}\ g_t \leftarrow g_t + \lambda\theta_{t-1}\\
        &\quad \mu_t \leftarrow \beta_1(1 - \tfrac12 0.96^{t\psi}),\quad
            \mu_{t+1} \leftarrow \beta_1(1 - \tfrac12 0.96^{(t+1)\psi}),\quad
            \Pi_t \leftarrow \Pi_{t-1}\mu_t\\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t\\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2\\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta\,
            \frac{\frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}} m_t + \frac{1-\mu_t}{1-\Pi_t} g_t}
            {\sqrt{v_t/(1-\beta_2^t)} + \epsilon}\\
        &\textbf{return}\ \theta_t
        \end{aligned}

    Note:
        eps is outside the sqrt, which is taken of the *bias-corrected*
        :math:`v_t` (unlike Adam's arrangement, same value); the moment
        :math:`m_t` uses the constant :math:`\beta_1` while the mixing uses the
        scheduled :math:`\mu_t`. Weight decay is coupled unless
        ``decoupled_weight_decay=True`` (NAdamW, torch 2.x). Dozat,
        *Incorporating Nesterov Momentum into Adam*, ICLR workshop 2016.

    Example:
        >>> import numpy as np
        >>> opt = nadam(lr=0.1)
        >>> float(opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1))[0][0]) < 0
        True
    """
    b1, b2 = _betas(betas)
    if check_bool("decoupled_weight_decay", decoupled_weight_decay):
        transforms = [T.scale_by_nadam(b1, b2, eps, momentum_decay), T.scale_by_learning_rate(lr, name="lr"),
                      T.decoupled_weight_decay(weight_decay, lr, name="lr")]
    else:
        transforms = [T.add_decayed_weights(weight_decay), T.scale_by_nadam(b1, b2, eps, momentum_decay),
                      T.scale_by_learning_rate(lr, name="lr")]
    return _torch_optimizer("nadam", transforms, maximize=maximize, causes=_causes(_zero_eps(eps)), eps=eps)
