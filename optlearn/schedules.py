r"""Learning-rate schedules: functions of the update count ``t = 0, 1, 2, ...``.

Each function returns a callable ``schedule(count) -> lr`` equal, count by
count, to the lr the matching ``torch.optim.lr_scheduler`` gives when it is
stepped once per optimizer update (``count`` = number of ``scheduler.step()``
calls so far). Pass it as the ``lr`` of any optimizer. Every schedule accepts
an int (returns a float) or an integer numpy array (returns an array), so
``plt.plot(t, schedule(t))`` with ``t = np.arange(n)`` works.

Example:
    >>> import numpy as np
    >>> s = step_decay(1.0, step_size=2, gamma=0.5)
    >>> s(np.arange(5))
    array([1.  , 1.  , 0.5 , 0.5 , 0.25])
    >>> s(3)
    0.5
"""

from __future__ import annotations

from numbers import Integral
from typing import Callable, Sequence

import numpy as np

from optlearn.validation import check_in_range, check_int, check_non_negative, check_positive, fail, show

Schedule = Callable[[int], float]

__all__ = [
    "constant",
    "cosine_annealing",
    "exponential",
    "inverse_sqrt",
    "inverse_time",
    "linear_warmup",
    "multistep",
    "one_cycle",
    "step_decay",
    "warmup_cosine",
]


def _schedule(fn: Callable[[np.ndarray], np.ndarray], last: int | None = None) -> Schedule:
    """Wrap an array formula: scalar in, float out; array in, float array out.

    ``last``: the largest count the schedule is defined for (``None``: no limit).
    """
    expect = "an integer >= 0 (or an array of them)" if last is None else \
        f"an integer in [0, {last}] (or an array of them)"

    def schedule(count):
        if isinstance(count, Integral) and not isinstance(count, (bool, np.bool_)):
            t = np.asarray(count if abs(count) < 2**62 else float(count))  # huge Python ints: exact enough
        else:
            t = np.asarray(count)
            if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
                raise fail("count", count, expect)
        if (t < 0).any() or (last is not None and (t > last).any()):
            raise fail("count", count, expect, "" if last is None or (t < 0).any() else
                       f"the schedule ends at total_steps={last} (torch raises 'Tried to step {last + 1} times')")
        with np.errstate(over="ignore", invalid="ignore"):
            out = fn(t.astype(np.float64))
        if not np.isfinite(out).all():
            raise fail("count", count, "a count where the schedule's value is a finite float",
                       "the learning rate overflows to inf there (a factor > 1 raised to a large power)")
        return float(out) if t.ndim == 0 else np.asarray(out, dtype=np.float64)

    return schedule


def constant(lr: float) -> Schedule:
    """``lr`` at every count (torch: no scheduler, or ``ConstantLR(factor=1)``).

    Example:
        >>> constant(0.1)(7)
        0.1
    """
    lr = check_non_negative("lr", lr)
    return _schedule(lambda t: np.full_like(t, lr))


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r""":math:`\gamma^{\lfloor t / \text{step\_size}\rfloor}\,\text{lr}`, as ``StepLR``.

    Example:
        >>> step_decay(1.0, 10, 0.5)(25)
        0.25
    """
    lr = check_non_negative("lr", lr)
    step_size = check_int("step_size", step_size, low=1)
    gamma = check_non_negative("gamma", gamma)
    return _schedule(lambda t: lr * gamma ** np.floor_divide(t, step_size))


def multistep(lr: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    r""":math:`\gamma^{\#\{m \le t\}}\,\text{lr}` (one decay per milestone passed), as ``MultiStepLR``.

    Example:
        >>> multistep(1.0, [2, 4], 0.5)(4)
        0.25
    """
    lr = check_non_negative("lr", lr)
    gamma = check_non_negative("gamma", gamma)
    expect = "a list of integers >= 0 (torch never reaches a fractional milestone)"
    if not isinstance(milestones, (list, tuple, np.ndarray)):
        raise fail("milestones", milestones, expect)
    for m in list(milestones):
        if not isinstance(m, Integral) or isinstance(m, (bool, np.bool_)) or m < 0 or m >= 2**63:
            raise fail("milestones", milestones, expect, f"got {show(m)}")
    ms = np.sort(np.asarray(list(milestones), dtype=np.int64))
    return _schedule(lambda t: lr * gamma ** np.searchsorted(ms, t, side="right"))


def exponential(lr: float, gamma: float) -> Schedule:
    r""":math:`\gamma^t\,\text{lr}`, as ``ExponentialLR``.

    Example:
        >>> exponential(2.0, 0.5)(3)
        0.25
    """
    lr = check_non_negative("lr", lr)
    gamma = check_non_negative("gamma", gamma)
    return _schedule(lambda t: lr * gamma**t)


def cosine_annealing(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    r""":math:`\eta_{min} + \tfrac12(\text{lr}-\eta_{min})(1 + \cos(\pi t / T_{max}))`.

    This is ``CosineAnnealingLR._get_closed_form_lr``. Torch's ``step()``
    uses a recursive form that agrees with it at every count, past ``T_max``
    too, where both continue as a cosine of period ``2 T_max`` (tested against
    torch 2.13 over three periods to 1e-10; for ``CosineAnnealingWarmRestarts``
    use a different schedule).

    Example:
        >>> round(cosine_annealing(1.0, 10)(5), 12)
        0.5
    """
    lr = check_non_negative("lr", lr)
    T_max = check_int("T_max", T_max, low=1)
    eta_min = check_non_negative("eta_min", eta_min)
    return _schedule(lambda t: eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2)


def linear_warmup(
    lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> Schedule:
    r"""Linear ramp of the factor from ``start_factor`` to ``end_factor`` over ``total_iters``, as ``LinearLR``.

    :math:`\text{lr}\,(s + (e - s)\min(t, T)/T)`.

    Example:
        >>> linear_warmup(1.0, 0.5, 1.0, total_iters=2)(1)
        0.75
    """
    lr = check_non_negative("lr", lr)
    start_factor = check_in_range("start_factor", start_factor, 0, 1, low_open=True)
    end_factor = check_in_range("end_factor", end_factor, 0, 1)
    total_iters = check_int("total_iters", total_iters, low=1)
    return _schedule(
        lambda t: lr * (start_factor + (end_factor - start_factor) * np.minimum(t, total_iters) / total_iters)
    )


def warmup_cosine(
    lr: float, warmup_steps: int, total_steps: int, start_factor: float = 1.0 / 3, eta_min: float = 0.0
) -> Schedule:
    r"""Linear warmup then cosine decay: ``SequentialLR([LinearLR, CosineAnnealingLR])``.

    For :math:`t < w` (``warmup_steps``) the lr is
    :math:`\text{lr}(s + (1-s)t/w)`; from :math:`t = w` on it is
    :math:`\eta_{min} + \tfrac12(\text{lr}-\eta_{min})(1+\cos(\pi (t-w)/(T-w)))`,
    i.e. ``LinearLR(start_factor=s, total_iters=w)`` and
    ``CosineAnnealingLR(T_max=T-w, eta_min)`` with ``milestones=[w]``.

    Example:
        >>> s = warmup_cosine(1.0, warmup_steps=2, total_steps=6, start_factor=0.5)
        >>> [round(s(t), 6) for t in range(7)]
        [0.5, 0.75, 1.0, 0.853553, 0.5, 0.146447, 0.0]
    """
    lr = check_non_negative("lr", lr)
    warmup_steps = check_int("warmup_steps", warmup_steps, low=1)
    total_steps = check_int("total_steps", total_steps, low=warmup_steps + 1)
    start_factor = check_in_range("start_factor", start_factor, 0, 1, low_open=True)
    eta_min = check_non_negative("eta_min", eta_min)
    T = total_steps - warmup_steps

    def formula(t):
        warm = lr * (start_factor + (1.0 - start_factor) * t / warmup_steps)
        cos = eta_min + (lr - eta_min) * (1 + np.cos(np.pi * (t - warmup_steps) / T)) / 2
        return np.where(t < warmup_steps, warm, cos)

    return _schedule(formula)


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    r"""The 1cycle policy, as ``OneCycleLR(anneal_strategy='cos', three_phase=False)``.

    Cosine from ``max_lr / div_factor`` up to ``max_lr`` over steps
    ``0 .. pct_start*total_steps - 1``, then cosine down to
    ``max_lr / div_factor / final_div_factor`` at ``total_steps - 1``. As in
    torch, count ``total_steps`` is still defined (the cosine continues) and a
    larger count is an error; ``pct_start * total_steps`` must exceed 1 (torch
    divides by zero at 1). Only the lr is scheduled (torch also cycles the
    momentum by default). Smith & Topin, *Super-Convergence*, 2017.

    Example:
        >>> s = one_cycle(1.0, total_steps=10)
        >>> round(s(0), 6), round(s(2), 6), round(s(9), 8)
        (0.04, 1.0, 4e-06)
    """
    max_lr = check_non_negative("max_lr", max_lr)
    total_steps = check_int("total_steps", total_steps, low=2)
    if pct_start == 1:  # torch accepts it and raises ZeroDivisionError at the last step
        raise fail("pct_start", pct_start, "in [0, 1)", "with pct_start=1 no step is left to anneal: "
                   "torch accepts it but divides by zero at the last step")
    pct_start = check_in_range("pct_start", pct_start, 0, 1)
    if pct_start * total_steps <= 1:
        raise fail("pct_start", pct_start, f"> 1/total_steps = {1 / total_steps:g}",
                   f"pct_start * total_steps = {pct_start * total_steps:g} leaves no step to warm up "
                   "(torch divides by zero at 1)")
    div_factor = check_positive("div_factor", div_factor)
    final_div_factor = check_positive("final_div_factor", final_div_factor)
    initial = max_lr / div_factor
    final = initial / final_div_factor
    end_up = float(pct_start * total_steps) - 1
    end_down = total_steps - 1

    def anneal(start, end, pct):
        return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)

    def formula(t):
        with np.errstate(divide="ignore", invalid="ignore"):  # the unused branch may divide by 0
            up = anneal(initial, max_lr, t / end_up)
            down = anneal(max_lr, final, (t - end_up) / (end_down - end_up))
        return np.where(t <= end_up, up, down)

    return _schedule(formula, last=total_steps)


def inverse_time(lr: float, decay_rate: float) -> Schedule:
    r""":math:`\text{lr} / (1 + \text{decay\_rate}\cdot t)` (``LambdaLR``; Adagrad's ``lr_decay``).

    Example:
        >>> inverse_time(1.0, 0.5)(2)
        0.5
    """
    lr = check_non_negative("lr", lr)
    decay_rate = check_non_negative("decay_rate", decay_rate)
    return _schedule(lambda t: lr / (1.0 + decay_rate * t))


def inverse_sqrt(lr: float, warmup_steps: int = 1) -> Schedule:
    r"""The Transformer schedule: linear warm-up for ``w`` updates, then :math:`\propto 1/\sqrt{t+1}`.

    .. math::
        \eta_t = \text{lr}\cdot\min\!\Big(\frac{t+1}{w},\ \sqrt{\frac{w}{t+1}}\Big),
        \qquad t = 0, 1, 2, \dots

    This is equation (3) of Vaswani et al. (2017), *Attention is all you need*
    (https://arxiv.org/abs/1706.03762),
    :math:`d_{\text{model}}^{-1/2}\min(s^{-1/2},\ s\,w^{-3/2})` with step number
    :math:`s = t + 1`, written with its peak ``lr`` :math:`= (d_{\text{model}}\,w)^{-1/2}`:
    the rate rises linearly from ``lr / w`` at ``t = 0`` to ``lr`` at ``t = w - 1``, then
    decays as :math:`\text{lr}\sqrt{w/(t+1)}`. The paper uses ``w = 4000`` and
    :math:`d_{\text{model}} = 512`, i.e. ``inverse_sqrt((512 * 4000) ** -0.5, 4000)``.
    With ``warmup_steps=1`` it is :math:`\text{lr}/\sqrt{t+1}` (no warm-up).
    PyTorch has no built-in; the same values come from
    ``LambdaLR(opt, lambda t: min((t + 1) / w, math.sqrt(w / (t + 1))))`` with the
    optimizer's ``lr`` set to the peak.

    Args:
        lr: Peak learning rate (>= 0), reached at update ``warmup_steps - 1``.
        warmup_steps: Number ``w`` of updates of the linear warm-up (integer >= 1).

    Raises:
        ValueError: ``lr`` negative or not finite, or ``warmup_steps`` not a positive integer.

    Example:
        >>> s = inverse_sqrt(1.0, warmup_steps=4)
        >>> [round(s(t), 4) for t in range(6)]
        [0.25, 0.5, 0.75, 1.0, 0.8944, 0.8165]
        >>> inverse_sqrt(1.0)(3)
        0.5
    """
    check_non_negative("lr", lr)
    w = float(check_int("warmup_steps", warmup_steps, low=1))
    return _schedule(lambda t: lr * np.minimum((t + 1.0) / w, np.sqrt(w / (t + 1.0))))
