"""Hyperparameter search: grid, random, successive halving, Hyperband, and the LR range test.

A *space* is a dict name -> :class:`Uniform`, :class:`LogUniform`, :class:`Choice`
or a plain list (same as ``Choice``). An *objective* takes a config dict (and, for
the budgeted searches, a budget such as a number of epochs) and returns a score
to minimise (e.g. the validation loss); a non-finite score counts as ``inf``.
Everything is seeded and deterministic.

Example:
    >>> space = {"lr": LogUniform(1e-4, 1.0)}
    >>> trials = random_search(lambda c: (np.log10(c["lr"]) + 2) ** 2, space, n_trials=30, seed=0)
    >>> bool(abs(np.log10(trials.best.config["lr"]) + 2) < 0.3)
    True
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from optlearn.base import check_transformation
from optlearn.loop import optimize
from optlearn.train import _check_data
from optlearn.validation import (
    check_callable, check_in_range, check_int, check_number, check_positive, fail,
)

__all__ = [
    "Uniform", "LogUniform", "Choice", "Trial", "Trials", "grid_search", "random_search",
    "successive_halving", "hyperband", "LRRangeResult", "lr_range_test",
]


@dataclass(frozen=True)
class Uniform:
    """Uniform on ``[low, high]``.

    Example:
        >>> Uniform(0.0, 1.0).grid(3)
        [0.0, 0.5, 1.0]
    """

    low: float
    high: float

    def __post_init__(self):
        check_number("low", self.low)
        check_number("high", self.high, low=self.low, low_open=True)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def grid(self, n: int) -> list:
        return np.linspace(self.low, self.high, n).tolist()


@dataclass(frozen=True)
class LogUniform(Uniform):
    """Log-uniform on ``[low, high]`` (``low > 0``): each decade equally likely; use it for learning rates.

    Example:
        >>> LogUniform(1e-3, 1e-1).grid(3)
        [0.001, 0.01, 0.1]
    """

    def __post_init__(self):
        super().__post_init__()
        check_positive("low", self.low)

    def sample(self, rng):
        return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))

    def grid(self, n):
        return [float(v) for v in np.geomspace(self.low, self.high, n)]


class Choice:
    """One of the given options, each equally likely.

    Example:
        >>> Choice([16, 32]).grid(5)
        [16, 32]
    """

    def __init__(self, options):
        if isinstance(options, (str, bytes)) or not hasattr(options, "__iter__"):
            raise fail("options", options, "a non-empty list of values")
        self.options = list(options)
        if not self.options:
            raise fail("options", options, "a non-empty list of values")

    def sample(self, rng):
        return self.options[int(rng.integers(len(self.options)))]

    def grid(self, n):
        return list(self.options)

    def __repr__(self):
        return f"Choice({self.options!r})"


def _dim(spec):
    if isinstance(spec, (Uniform, Choice)):
        return spec
    if isinstance(spec, (list, tuple)):
        return Choice(spec)
    raise fail("space value", spec, "a Uniform, LogUniform, Choice or a list")


def _sample(space: dict, rng) -> dict:
    return {k: _dim(v).sample(rng) for k, v in space.items()}


@dataclass
class Trial:
    """One evaluation: ``config``, its ``score`` (lower is better) and the ``budget`` used."""

    id: int
    config: dict
    score: float
    budget: Any = None


class Trials(list):
    """A list of :class:`Trial` with ``best``, ``sorted()`` and a plain-text table.

    Example:
        >>> t = Trials([Trial(0, {"lr": 0.1}, 2.0), Trial(1, {"lr": 0.01}, 1.0)])
        >>> t.best.config
        {'lr': 0.01}
        >>> print(t.to_markdown())
        | id | lr   | budget | score |
        |----|------|--------|-------|
        | 1  | 0.01 |        | 1     |
        | 0  | 0.1  |        | 2     |
    """

    @property
    def best(self) -> Trial:
        """The lowest score among the trials run at the largest budget."""
        if not self:
            raise fail("trials", [], "non-empty to have a best trial")
        budgets = [t.budget for t in self if t.budget is not None]
        top = max(budgets) if budgets else None
        return min((t for t in self if t.budget == top), key=lambda t: t.score)

    def sorted(self) -> "Trials":
        """Trials by increasing score (ties: larger budget first, then id)."""
        return Trials(sorted(self, key=lambda t: (t.score, -(t.budget or 0), t.id)))

    def _rows(self):
        keys = list(dict.fromkeys(k for t in self for k in t.config))
        header = ["id", *keys, "budget", "score"]
        fmt = lambda v: "" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)  # noqa: E731
        return header, [[fmt(t.id), *(fmt(t.config.get(k)) for k in keys), fmt(t.budget), fmt(t.score)]
                        for t in self.sorted()]

    def to_markdown(self) -> str:
        """A Markdown table sorted by score."""
        header, rows = self._rows()
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
        return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])

    def __str__(self) -> str:
        return self.to_markdown()


def _score(objective, config, budget) -> float:
    with np.errstate(all="ignore"):
        s = objective(config) if budget is None else objective(config, budget)
    s = float(s)
    return s if np.isfinite(s) else np.inf


def grid_search(objective: Callable, space: dict, *, n_points: int = 5, budget=None) -> Trials:
    """Evaluate every combination; ``Uniform``/``LogUniform`` become ``n_points`` values.

    The objective is called as ``objective(config)``, or ``objective(config, budget)``
    if a budget is given.

    Example:
        >>> t = grid_search(lambda c: (c["x"] - 1) ** 2 + c["y"], {"x": [0, 1, 2], "y": Uniform(0, 1)}, n_points=3)
        >>> len(t), t.best.config
        (9, {'x': 1, 'y': 0.0})
    """
    n_points = check_int("n_points", n_points, low=1)
    names = list(space)
    grids = [_dim(space[k]).grid(n_points) for k in names]
    return Trials(Trial(i, dict(zip(names, values)), _score(objective, dict(zip(names, values)), budget), budget)
                  for i, values in enumerate(itertools.product(*grids)))


def random_search(objective: Callable, space: dict, n_trials: int, seed: int = 0, *, budget=None) -> Trials:
    """Evaluate ``n_trials`` configs sampled from ``space`` (seeded).

    Example:
        >>> len(random_search(lambda c: c["x"], {"x": Uniform(0, 1)}, n_trials=4))
        4
    """
    n_trials = check_int("n_trials", n_trials, low=1)
    rng = np.random.default_rng(check_int("seed", seed))
    configs = [_sample(space, rng) for _ in range(n_trials)]
    return Trials(Trial(i, c, _score(objective, c, budget), budget) for i, c in enumerate(configs))


def _check_budgets(eta, min_budget, max_budget) -> None:
    check_int("eta", eta, low=2)
    check_positive("min_budget", min_budget)
    check_number("max_budget", max_budget, low=min_budget)


def _budget(r: float, as_int: bool):
    return max(1, int(round(r))) if as_int else float(r)


def successive_halving(objective: Callable, space: dict, n_configs: int = 27, min_budget: float = 1,
                       max_budget: float = 27, eta: int = 3, seed: int = 0, *, configs=None,
                       first_id: int = 0) -> Trials:
    """Successive halving: run ``n_configs`` configs at ``min_budget``, keep the best
    ``1/eta`` of them, multiply the budget by ``eta``, repeat up to ``max_budget``.

    The objective is called as ``objective(config, budget)``; budgets are integers
    when ``min_budget`` and ``max_budget`` are. Every evaluation is one trial.

    Example:
        >>> t = successive_halving(lambda c, b: (c["x"] - 0.3) ** 2 + 1 / b, {"x": Uniform(0, 1)},
        ...                        n_configs=9, min_budget=1, max_budget=9, eta=3)
        >>> len(t), t.best.budget
        (13, 9)
    """
    _check_budgets(eta, min_budget, max_budget)
    as_int = float(min_budget).is_integer() and float(max_budget).is_integer()
    rng = np.random.default_rng(seed)
    configs = list(configs) if configs is not None else [_sample(space, rng) for _ in range(int(n_configs))]
    trials, r, ids = Trials(), float(min_budget), list(range(first_id, first_id + len(configs)))
    while configs:
        b = _budget(min(r, max_budget), as_int)
        scores = [_score(objective, c, b) for c in configs]
        trials.extend(Trial(i, c, s, b) for i, c, s in zip(ids, configs, scores))
        if r >= max_budget * (1 - 1e-9) or len(configs) == 1:
            break
        keep = np.argsort(scores, kind="stable")[: max(1, len(configs) // eta)]
        configs, ids, r = [configs[k] for k in keep], [ids[k] for k in keep], r * eta
    return trials


def hyperband(objective: Callable, space: dict, max_budget: float = 27, eta: int = 3,
              min_budget: float = 1, seed: int = 0) -> Trials:
    """Hyperband (Li et al., 2018): successive-halving brackets from aggressive
    (many configs, tiny budget) to conservative (few configs, full budget).

    Example:
        >>> t = hyperband(lambda c, b: (c["x"] - 0.3) ** 2 + 1 / b, {"x": Uniform(0, 1)}, max_budget=9)
        >>> t.best.budget
        9
    """
    _check_budgets(eta, min_budget, max_budget)
    s_max = int(math.floor(math.log(max_budget / min_budget, eta) + 1e-9))
    rng, trials = np.random.default_rng(seed), Trials()
    for s in range(s_max, -1, -1):
        n = int(math.ceil((s_max + 1) / (s + 1) * eta**s))
        configs = [_sample(space, rng) for _ in range(n)]
        first = 1 + max((t.id for t in trials), default=-1)
        trials.extend(successive_halving(objective, space, min_budget=max_budget / eta**s, max_budget=max_budget,
                                         eta=eta, configs=configs, first_id=first))
    return trials


class LRRangeResult(NamedTuple):
    """``lrs`` tried, raw ``losses``, exponentially ``smoothed`` losses, ``suggested_lr``
    (a tenth of ``lr_at_min``, the lr of the lowest smoothed loss)."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    lr_at_min: float


def lr_range_test(model, params, optimizer_fn: Callable, data, lr_min: float = 1e-6, lr_max: float = 1.0,
                  steps: int = 100, batch_size: int | None = None, seed: int = 0, smoothing: float = 0.9,
                  diverge_factor: float = 4.0) -> LRRangeResult:
    """The learning-rate range test (Smith, 2017): one run in which the lr grows
    geometrically from ``lr_min`` to ``lr_max``, stopping when the smoothed loss
    exceeds ``diverge_factor`` times its minimum or becomes non-finite.

    Args:
        optimizer_fn: ``lr -> optimizer``, e.g. ``lambda lr: ol.sgd(lr=lr, momentum=0.9)``;
            it is called once, with the geometric schedule ``count -> lr`` as ``lr``,
            and run by the shared loop :func:`optlearn.loop.optimize`.
        steps: the number of learning rates tried (an integer >= 1).
        batch_size: mini-batch size (default: full batch); each step draws a
            batch of distinct rows (seeded).
        smoothing: weight of the past in the (bias-corrected) moving average, in [0, 1).

    Example:
        >>> import optlearn as ol
        >>> from optlearn.models import LinearRegression
        >>> from optlearn.datasets import linear
        >>> X, y, _ = linear(100, d=2, seed=0)
        >>> m = LinearRegression(2)
        >>> res = lr_range_test(m, m.init_params(), lambda lr: ol.sgd(lr=lr), (X, y), lr_min=1e-4, lr_max=10)
        >>> bool(1e-3 < res.suggested_lr < 1.0)
        True
    """
    lr_min = check_positive("lr_min", lr_min)
    lr_max = check_number("lr_max", lr_max, low=lr_min, low_open=True)
    check_callable("optimizer_fn", optimizer_fn, "a function lr -> optimizer")
    X, y = _check_data("data", data)
    n = len(X)
    steps = check_int("steps", steps, low=1)
    batch_size = n if batch_size is None else check_int("batch_size", batch_size, low=1, high=n)
    smoothing = check_in_range("smoothing", smoothing, 0, 1, high_open=True)
    diverge_factor = check_number("diverge_factor", diverge_factor, low=1, low_open=True)
    rng = np.random.default_rng(check_int("seed", seed))
    lrs_all = np.geomspace(lr_min, lr_max, steps)

    def loss_and_grad(params, t):
        idx = rng.choice(n, batch_size, replace=False) if batch_size < n else np.arange(n)
        return model.loss_and_grad(params, X[idx], y[idx], train=True, rng=rng)

    losses, smoothed, avg = [], [], 0.0
    try:
        optimizer = optimizer_fn(lambda count: float(lrs_all[count]))
    except (ValueError, TypeError) as error:
        if "schedule" in str(error) or "must be a finite number" in str(error):
            raise fail("optimizer_fn", optimizer_fn, "a function lr -> optimizer whose lr may be a schedule "
                       "count -> lr", f"the optimizer it builds refused a schedule ({error}); "
                       "lr_range_test needs an optimizer that takes a schedule") from None
        raise
    check_transformation("optimizer_fn(lr)", optimizer)
    first_lr = math.nan
    for step in optimize(loss_and_grad, params, optimizer, steps - 1):
        if step.t == 1:
            first_lr = step.lr
        elif step.t == 2 and step.lr == first_lr and lrs_all[1] != lrs_all[0]:
            raise fail("optimizer_fn", optimizer_fn, "a function that gives its argument lr (a schedule) to the optimizer",
                       f"the optimizer's learning rate stayed {step.lr:g} while the test raises it to "
                       f"{lrs_all[1]:g}; pass lr itself, not lr(0)")
        if not np.isfinite(step.loss):
            break
        avg = smoothing * avg + (1 - smoothing) * step.loss
        losses.append(step.loss)
        smoothed.append(avg / (1 - smoothing ** (step.t + 1)))
        if smoothed[-1] > diverge_factor * min(smoothed):
            break
    if not losses:
        raise fail("params", params, "a point where the loss is finite", "check params and data")
    lrs = lrs_all[: len(losses)]
    lr_at_min = float(lrs[int(np.argmin(smoothed))])
    return LRRangeResult(lrs, np.array(losses), np.array(smoothed), lr_at_min / 10, lr_at_min)
