"""Run an optimizer: ``minimize`` an objective function, ``fit`` a model to data.

Both record everything the book plots and stop cleanly, with a hint
(:mod:`optlearn.hints`), when the run diverges (a loss or parameter becomes
inf/NaN, the optimizer reports a non-finite update, or the loss grows by more
than ``1e12`` times its initial size); no numpy ``RuntimeWarning`` escapes.

Learning rates are read from the optimizer's state
(:func:`~optlearn.transforms.last_lr`), so they are given once, to the
optimizer, and recorded for every update (``lrs``; NaN for an optimizer
without a learning-rate transform). :func:`minimize` runs the shared loop
:func:`optlearn.loop.optimize`.

Example:
    >>> import optlearn as ol
    >>> from optlearn.functions import Quadratic
    >>> q = Quadratic.from_condition(10.0)              # L = 10, 2/L = 0.2
    >>> run = minimize(q, [1.0, 1.0], ol.sgd(lr=0.25), steps=100)
    >>> run.diverged_at is not None, run.hint
    (True, 'the learning rate 0.25 is above 2/L = 0.2 for this quadratic')
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optlearn.base import GradientTransformation, apply_updates, check_transformation
from optlearn.hints import fit_hint, minimize_hint
from optlearn.loop import all_finite, optimize
from optlearn.transforms import NonFiniteUpdateError, last_lr
from optlearn.validation import check_bool, check_int, check_non_negative, check_positive, fail

__all__ = ["Trajectory", "History", "EarlyStopping", "minimize", "fit", "evaluate"]

_BLOWUP = 1e12


@dataclass
class Trajectory:
    """The record of :func:`minimize`.

    Attributes:
        xs: every iterate, shape ``(n_steps + 1, d)`` (``xs[0]`` is ``x0``).
        losses: ``f(xs[t])``, shape ``(n_steps + 1,)``.
        grad_norms: ``|grad f(xs[t])|``, shape ``(n_steps + 1,)``.
        lrs: the learning rate of update ``t``, shape ``(n_steps,)`` (NaN if unknown).
        diverged_at: number of updates after which the run blew up (the blown-up
            iterate is *not* stored), or ``None``.
        hint: a sentence explaining the divergence, or ``""``.
        converged_at: the step at which ``|grad| < tol`` stopped the run, or ``None``.
    """

    xs: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    lrs: np.ndarray
    diverged_at: int | None = None
    hint: str = ""
    converged_at: int | None = None

    @property
    def x(self) -> np.ndarray:
        """The last (finite) iterate."""
        return self.xs[-1]

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def n_steps(self) -> int:
        """Number of updates stored."""
        return len(self.xs) - 1


def _as_point(x0) -> np.ndarray:
    try:
        kind = np.asarray(x0).dtype.kind
    except (TypeError, ValueError):
        kind = "O"
    if kind not in "iuf":
        detail = {"c": "complex points are not supported; optimise the real and imaginary parts as two reals",
                  "b": "got booleans", "U": "got strings; convert them with float()",
                  "S": "got bytes"}.get(kind, "")
        raise fail("x0", x0, "a non-empty finite point (a list or array of real numbers)", detail)
    try:
        x = np.array(x0, dtype=float).ravel()
    except (TypeError, ValueError):
        raise fail("x0", x0, "a non-empty finite point (a list or array of numbers)") from None
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise fail("x0", x0, "a non-empty finite point (a list or array of numbers)")
    return x


def _gradient_step_lr(update: np.ndarray, grad: np.ndarray, lr: float) -> float | None:
    """``lr`` if ``update == -lr * grad`` (a plain gradient step, where the 2/L rule applies), else ``None``."""
    if not math.isfinite(lr) or not np.any(grad):
        return None
    return lr if np.allclose(update, -lr * grad, rtol=1e-9, atol=0) else None


def minimize(objective, x0, optimizer: GradientTransformation, steps: int, *,
             tol: float | None = None) -> Trajectory:
    """Run ``steps`` updates of ``optimizer`` on ``objective`` from ``x0``.

    Args:
        objective: anything with ``f(x)`` and ``grad(x)`` (e.g. :mod:`optlearn.functions`).
        x0: the starting point (finite).
        optimizer: a ``GradientTransformation`` such as ``ol.adam(lr=0.1)``; its
            learning rates are recorded from its state.
        steps: maximum number of updates (an integer >= 0).
        tol: stop early once ``|grad f(x)| < tol`` (a number > 0).

    Returns:
        A :class:`Trajectory`; on divergence it stops at the last finite iterate.

    Example:
        >>> import optlearn as ol
        >>> from optlearn.functions import Rosenbrock
        >>> run = minimize(Rosenbrock(), [-1.0, 1.0], ol.adam(lr=0.05), steps=1000)
        >>> run.xs.shape, bool(run.losses[-1] < 1e-3), float(run.lrs[0])
        ((1001, 2), True, 0.05)
    """
    steps = check_int("steps", steps)
    tol = None if tol is None else check_positive("tol", tol)
    check_transformation("optimizer", optimizer)
    for method in ("f", "grad"):
        if not callable(getattr(objective, method, None)):
            raise fail("objective", objective, "an object with methods f(x) and grad(x) (e.g. from optlearn.functions)",
                       f"it has no method {method}")
    x = _as_point(x0)
    xs, losses, norms = np.empty((steps + 1, x.size)), np.empty(steps + 1), np.empty(steps + 1)
    lrs = np.full(steps, np.nan)
    diverged_at = converged_at = first_lr = None
    error, limit, t = "", np.inf, 0

    def loss_and_grad(x, t):
        return float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)

    for step in optimize(loss_and_grad, x, optimizer, steps):
        t, f = step.t, step.loss
        if t == 0:
            limit = _BLOWUP * max(1.0, abs(f))
        else:
            if t == 1 and step.update is not None:
                first_lr = _gradient_step_lr(np.asarray(step.update), g0, step.lr)
            if step.error or not (np.isfinite(f) and abs(f) < limit and all_finite(step.params)
                                  and all_finite(step.grads)):
                diverged_at, error, t = t, step.error, t - 1
                break
            lrs[t - 1] = step.lr
        xs[t], losses[t], norms[t] = step.params, f, np.linalg.norm(step.grads)
        g0 = step.grads if t == 0 else g0
        if tol is not None and norms[t] < tol:
            converged_at = t
            break
    hint = minimize_hint(objective, first_lr, error) if diverged_at is not None else ""
    return Trajectory(xs[: t + 1], losses[: t + 1], norms[: t + 1], lrs[:t], diverged_at, hint, converged_at)


@dataclass
class EarlyStopping:
    """Stop when the validation loss has not improved by more than ``min_delta``
    for ``patience`` epochs; the best parameters are restored.

    Example:
        >>> EarlyStopping(patience=3).patience
        3
    """

    patience: int = 5
    min_delta: float = 0.0

    def __post_init__(self):
        self.patience = check_int("patience", self.patience, low=1)
        self.min_delta = check_non_negative("min_delta", self.min_delta)


@dataclass
class History:
    """The record of :func:`fit`. Index ``e`` of the ``epoch_*`` arrays is measured
    *after* ``e`` epochs (index 0: the initial parameters).

    Attributes:
        step_loss: mini-batch training loss at each update (before it), shape ``(n_updates,)``.
        lrs: learning rate of each update, read from the optimizer state (NaN if it has none).
        examples_seen: cumulative number of examples used after each update.
        step_time: wall-clock seconds of each update.
        epoch_train_loss, epoch_val_loss: full-data losses in evaluation mode
            (``epoch_val_loss`` is empty without ``val_data``).
        epoch_train_acc, epoch_val_acc: accuracies (empty unless the model is a classifier).
        epoch_time: wall-clock seconds of each epoch (length ``epochs``).
        updates_per_epoch: ``ceil(n / batch_size)`` (the last partial batch is kept).
        diverged_at: number of updates after which the loss or parameters were
            non-finite (training stopped there), or ``None``; ``hint`` explains.
        best_epoch: with early stopping, the epoch of the lowest validation loss
            (its parameters are the ones returned); ``best_params`` holds them.
        stopped_epoch: the last epoch run.
    """

    step_loss: list = field(default_factory=list)
    lrs: list = field(default_factory=list)
    examples_seen: list = field(default_factory=list)
    step_time: list = field(default_factory=list)
    epoch_train_loss: list = field(default_factory=list)
    epoch_val_loss: list = field(default_factory=list)
    epoch_train_acc: list = field(default_factory=list)
    epoch_val_acc: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    updates_per_epoch: int = 0
    diverged_at: int | None = None
    hint: str = ""
    best_epoch: int | None = None
    best_params: Any = None
    stopped_epoch: int = 0

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def n_updates(self) -> int:
        return len(self.step_loss)

    def _finish(self) -> "History":
        for name in ("step_loss", "lrs", "step_time", "epoch_train_loss", "epoch_val_loss",
                     "epoch_train_acc", "epoch_val_acc", "epoch_time"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=float))
        self.examples_seen = np.asarray(self.examples_seen, dtype=np.int64)
        return self


def evaluate(model, params, data) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``params`` on ``data = (X, y)`` in evaluation mode
    (accuracy is ``None`` for regression models).

    Example:
        >>> from optlearn.models import LinearRegression
        >>> m = LinearRegression(1)
        >>> evaluate(m, {"W": np.ones(1), "b": np.zeros(1)}, (np.ones((2, 1)), np.ones(2)))
        (0.0, None)
    """
    X, y = data
    with np.errstate(all="ignore"):
        loss = model.loss(params, X, y)
        acc = model.accuracy(params, X, y) if getattr(model, "is_classifier", False) else None
    return loss, acc


def _check_data(name: str, data) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise fail(name, data, "a pair (X, y)")
    X, y = np.asarray(data[0]), np.asarray(data[1])
    if X.ndim == 0 or y.ndim == 0 or len(y) != len(X):
        raise fail(name, data, "a pair (X, y) with one target per row of X",
                   f"got {len(X) if X.ndim else 0} rows and {len(y) if y.ndim else 0} targets")
    if len(X) == 0:
        raise fail(name, data, "a pair (X, y) with at least one row")
    for i, part, a in ((0, "X", X), (1, "y", y)):
        if a.dtype.kind in "fc" and not np.isfinite(a).all():
            bad = np.argwhere(~np.isfinite(a))[0]
            raise fail(f"{name}[{i}]", a, f"finite numbers ({part} of the pair (X, y))",
                       f"{part} holds {int((~np.isfinite(a)).sum())} NaN or infinite value(s), the first at index "
                       f"{tuple(int(i) for i in bad)}; drop or impute them before training")
    return X, y


def _check_fit_args(data, batch_size, epochs, shuffle, seed, early_stopping, val_data):
    X, y = _check_data("data", data)
    n = len(X)
    batch_size = n if batch_size is None else check_int("batch_size", batch_size, low=1, high=n)
    check_int("epochs", epochs)
    check_bool("shuffle", shuffle)
    check_int("seed", seed)
    if val_data is not None:
        val_data = _check_data("val_data", val_data)
    if early_stopping is not None:
        if val_data is None:
            raise fail("early_stopping", early_stopping, "used with val_data (it monitors the validation loss)")
        if not isinstance(early_stopping, EarlyStopping):
            early_stopping = EarlyStopping(patience=early_stopping)
    return X, y, batch_size, val_data, early_stopping


def _record_epoch(h: History, model, params, data, val_data) -> None:
    loss, acc = evaluate(model, params, data)
    h.epoch_train_loss.append(loss)
    if acc is not None:
        h.epoch_train_acc.append(acc)
    if val_data is not None:
        loss, acc = evaluate(model, params, val_data)
        h.epoch_val_loss.append(loss)
        if acc is not None:
            h.epoch_val_acc.append(acc)


def _batches(n: int, batch_size: int, rng: np.random.Generator, shuffle: bool):
    """The row indices of each mini-batch of one epoch (the last one may be smaller)."""
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


class _Best:
    """Early stopping's bookkeeping: the best validation loss, its epoch and parameters."""

    def __init__(self, stopper: EarlyStopping, val_loss: float, params):
        self.stopper, self.loss, self.epoch, self.params, self.waited = stopper, val_loss, 0, params, 0

    def should_stop(self, epoch: int, val_loss: float, params) -> bool:
        """Record epoch ``epoch``; True once ``patience`` epochs passed without an improvement > ``min_delta``."""
        if val_loss < self.loss - self.stopper.min_delta:
            self.loss, self.epoch, self.params, self.waited = val_loss, epoch, params, 0
            return False
        self.waited += 1
        return self.waited >= self.stopper.patience


def _train_epoch(h: History, model, params, optimizer, state, X, y, batches, dropout_rng):
    """One pass over the mini-batches; returns ``(params, state, error)`` and records each update in ``h``.

    Sets ``h.diverged_at`` (and returns early) when a loss, gradient, update or
    parameter is not finite; ``error`` is the optimizer's message for a non-finite update.
    """
    for idx in batches:
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            loss, grads = model.loss_and_grad(params, X[idx], y[idx], train=True, rng=dropout_rng)
        if not (np.isfinite(loss) and all_finite(grads)):
            h.diverged_at = len(h.step_loss)
            return params, state, ""
        error = ""
        try:
            with np.errstate(all="ignore"):  # a hand-made optimizer may divide by 0: its NaN is reported
                updates, state = optimizer.update(grads, state, params)
                new_params = apply_updates(params, updates)
            lr = last_lr(state)
        except NonFiniteUpdateError as err:
            error, new_params, lr = str(err), None, None
        h.step_loss.append(loss)
        h.lrs.append(math.nan if lr is None else lr)
        h.examples_seen.append((h.examples_seen[-1] if h.examples_seen else 0) + len(idx))
        h.step_time.append(time.perf_counter() - t0)
        if error or not all_finite(new_params):
            h.diverged_at = len(h.step_loss)
            return params, state, error
        params = new_params
    return params, state, ""


def fit(model, params, optimizer: GradientTransformation, data, epochs: int, batch_size: int | None = None,
        shuffle: bool = True, seed: int = 0, val_data=None, early_stopping: int | EarlyStopping | None = None):
    """Train ``model`` by mini-batch optimisation.

    Args:
        model: a model from :mod:`optlearn.models` (``loss_and_grad``, ``loss``).
        params: initial parameters (not modified).
        optimizer: e.g. ``ol.sgd(lr=0.1, momentum=0.9)``; its learning rates are
            recorded from its state (``history.lrs``).
        data: ``(X, y)``.
        epochs: number of passes over the data (an integer >= 0).
        batch_size: ``len(X)`` (default) is batch gradient descent, ``1`` stochastic,
            between is mini-batch; each epoch makes ``ceil(n / batch_size)`` updates,
            the last batch being the smaller remainder (kept).
        shuffle: reshuffle the rows (seeded) at every epoch (``True`` or ``False``).
        seed: seeds the shuffling and the dropout masks; same seed, same history.
        val_data: optional ``(X_val, y_val)`` evaluated after every epoch.
        early_stopping: a patience (int) or :class:`EarlyStopping`; needs ``val_data``.
            Training stops after ``patience`` epochs without an improvement of the
            validation loss by more than ``min_delta`` and the parameters of the
            best epoch are returned.

    Returns:
        ``(params, history)``: the final parameters (the best ones with early
        stopping; the last finite ones after a divergence) and a :class:`History`.

    Example:
        >>> import optlearn as ol
        >>> from optlearn.models import LinearRegression
        >>> from optlearn.datasets import linear
        >>> X, y, w = linear(64, d=2, noise=0.0, seed=0)
        >>> params, h = fit(LinearRegression(2), LinearRegression(2).init_params(), ol.sgd(lr=0.1),
        ...                 (X, y), epochs=5, batch_size=16)
        >>> h.n_updates, bool(h.epoch_train_loss[-1] < h.epoch_train_loss[0]), float(h.lrs[0])
        (20, True, 0.1)
    """
    X, y, batch_size, val_data, stopper = _check_fit_args(data, batch_size, epochs, shuffle, seed,
                                                          early_stopping, val_data)
    n = len(X)
    rng = np.random.default_rng(seed)
    dropout_rng = np.random.default_rng([seed, 1])
    h = History(updates_per_epoch=-(-n // batch_size))
    state = optimizer.init(params)
    _record_epoch(h, model, params, (X, y), val_data)
    best = _Best(stopper, h.epoch_val_loss[0], params) if stopper is not None else None
    for epoch in range(1, int(epochs) + 1):
        t_epoch = time.perf_counter()
        params, state, error = _train_epoch(h, model, params, optimizer, state, X, y,
                                            _batches(n, batch_size, rng, shuffle), dropout_rng)
        h.stopped_epoch = epoch
        if h.diverged_at is not None:
            h.hint = fit_hint(h.lrs, h.diverged_at, epoch, error)
            break
        _record_epoch(h, model, params, (X, y), val_data)
        h.epoch_time.append(time.perf_counter() - t_epoch)
        if best is not None and best.should_stop(epoch, h.epoch_val_loss[-1], params):
            break
    if best is not None:
        params, h.best_epoch, h.best_params = best.params, best.epoch, best.params
    return params, h._finish()
