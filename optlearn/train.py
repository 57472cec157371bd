"""Run an optimizer: ``minimize`` an objective function, ``fit`` a model to data.

Both record everything the book plots and stop cleanly, with a hint, when the
run diverges (a loss or parameter becomes inf/NaN, or the loss grows by more
than ``1e12`` times its initial size); no numpy ``RuntimeWarning`` escapes.

Learning rates: an optimizer is a pair of pure functions and does not expose
its learning rate, so to *record* it pass the same ``lr`` (a float or a
schedule ``count -> lr``) to ``minimize``/``fit`` as to the optimizer; it is
only recorded (``history.lrs``), never used to update. See :func:`lr_at`.

Example:
    >>> import optlearn as ol
    >>> from optlearn.functions import Quadratic
    >>> q = Quadratic.from_condition(10.0)              # L = 10, 2/L = 0.2
    >>> run = minimize(q, [1.0, 1.0], ol.sgd(lr=0.25), steps=100)
    >>> run.diverged_at is not None, run.hint
    (True, 'the learning rate 0.25 is above 2/L = 0.2 for this quadratic')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from optlearn.base import GradientTransformation, apply_updates, tree_items

__all__ = ["Trajectory", "History", "EarlyStopping", "lr_at", "minimize", "fit", "evaluate"]

_BLOWUP = 1e12


def lr_at(lr: float | Callable[[int], float] | None, step: int) -> float:
    """The learning rate used for update number ``step`` (0-based, the optimizer's count).

    ``lr`` is a float, a schedule ``count -> lr`` or ``None`` (unknown: returns NaN).

    Example:
        >>> lr_at(0.1, 5), lr_at(lambda t: 0.1 * 0.5**t, 2), lr_at(None, 0)
        (0.1, 0.025, nan)
    """
    if lr is None:
        return float("nan")
    return float(lr(step)) if callable(lr) else float(lr)


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
    x = np.array(x0, dtype=float).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be a non-empty finite point; got {x0!r}")
    return x


def _effective_lr(update: np.ndarray, grad: np.ndarray) -> float | None:
    """``c`` if ``update == -c * grad`` (plain gradient descent), else ``None``."""
    gg = float(grad @ grad)
    if gg == 0:
        return None
    c = -float(update @ grad) / gg
    return c if np.allclose(update, -c * grad, rtol=1e-9, atol=0) else None


def _minimize_hint(objective, lr, first_lr: float | None) -> str:
    from optlearn.functions import Quadratic

    constant_lr = lr if isinstance(lr, (int, float)) else first_lr
    if isinstance(objective, Quadratic):
        limit = 2.0 / objective.L
        if constant_lr is not None and constant_lr > limit:
            return f"the learning rate {constant_lr:g} is above 2/L = {limit:g} for this quadratic"
        return f"gradient descent on this quadratic is stable only for lr < 2/L = {limit:g}; try a smaller learning rate"
    if getattr(objective, "fmin", 0.0) == -np.inf:
        return "the objective is unbounded below: the iterates ran off to infinity"
    return "the iterates blew up: the learning rate is probably too large; try one 10x smaller"


def minimize(objective, x0, optimizer: GradientTransformation, steps: int, *,
             tol: float | None = None, lr=None) -> Trajectory:
    """Run ``steps`` updates of ``optimizer`` on ``objective`` from ``x0``.

    Args:
        objective: anything with ``f(x)`` and ``grad(x)`` (e.g. :mod:`optlearn.functions`).
        x0: the starting point (finite).
        optimizer: a ``GradientTransformation`` such as ``ol.adam(lr=0.1)``.
        steps: maximum number of updates.
        tol: stop early once ``|grad f(x)| < tol``.
        lr: the optimizer's learning rate (float or schedule), only recorded.

    Returns:
        A :class:`Trajectory`; on divergence it stops at the last finite iterate.

    Example:
        >>> import optlearn as ol
        >>> from optlearn.functions import Rosenbrock
        >>> run = minimize(Rosenbrock(), [-1.0, 1.0], ol.adam(lr=0.05), steps=1000, lr=0.05)
        >>> run.xs.shape, bool(run.losses[-1] < 1e-3)
        ((1001, 2), True)
    """
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0; got {steps!r}")
    x = _as_point(x0)
    xs, losses, norms = np.empty((steps + 1, x.size)), np.empty(steps + 1), np.empty(steps + 1)
    lrs = np.array([lr_at(lr, t) for t in range(steps)])
    diverged_at = converged_at = first_lr = None
    with np.errstate(all="ignore"):
        f, g = float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)
        limit = _BLOWUP * max(1.0, abs(f))
        state, t = optimizer.init(x), 0
        xs[0], losses[0], norms[0] = x, f, np.linalg.norm(g)
        while t < steps and not (tol is not None and norms[t] < tol):
            updates, state = optimizer.update(g, state, x)
            if t == 0:
                first_lr = _effective_lr(np.asarray(updates), g)
            x = apply_updates(x, updates)
            f, g = float(objective.f(x)), np.asarray(objective.grad(x), dtype=float)
            if not (np.isfinite(f) and abs(f) < limit and np.all(np.isfinite(x)) and np.all(np.isfinite(g))):
                diverged_at = t + 1
                break
            t += 1
            xs[t], losses[t], norms[t] = x, f, np.linalg.norm(g)
    if tol is not None and norms[t] < tol:
        converged_at = t
    hint = _minimize_hint(objective, lr, first_lr) if diverged_at is not None else ""
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
        if int(self.patience) != self.patience or self.patience < 1:
            raise ValueError(f"early_stopping patience must be an integer >= 1; got {self.patience!r}")


@dataclass
class History:
    """The record of :func:`fit`. Index ``e`` of the ``epoch_*`` arrays is measured
    *after* ``e`` epochs (index 0: the initial parameters).

    Attributes:
        step_loss: mini-batch training loss at each update (before it), shape ``(n_updates,)``.
        lrs: learning rate of each update (NaN if ``lr`` was not given to ``fit``).
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


def _check_fit_args(data, batch_size, epochs, early_stopping, val_data):
    X, y = data
    n = len(X)
    if len(y) != n:
        raise ValueError(f"data must be (X, y) with one target per row of X; got {n} rows and {len(y)} targets")
    batch_size = n if batch_size is None else batch_size
    if int(batch_size) != batch_size or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an integer between 1 and len(X) = {n}; got {batch_size!r}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be an integer >= 0; got {epochs!r}")
    if early_stopping is not None:
        if val_data is None:
            raise ValueError("early_stopping needs val_data (it monitors the validation loss)")
        if not isinstance(early_stopping, EarlyStopping):
            early_stopping = EarlyStopping(patience=early_stopping)
    return np.asarray(X), np.asarray(y), n, int(batch_size), early_stopping


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


def _finite(tree) -> bool:
    return all(np.all(np.isfinite(a)) for _, a in tree_items(tree))


def _fit_hint(lr, step: int, epoch: int) -> str:
    where = f"after {step} updates (epoch {epoch})"
    if lr is not None and not callable(lr):
        return f"the loss or parameters became non-finite {where}: the learning rate {lr:g} is too large; try {lr / 10:g}"
    return f"the loss or parameters became non-finite {where}: the learning rate is probably too large; try one 10x smaller"


def fit(model, params, optimizer: GradientTransformation, data, epochs: int, batch_size: int | None = None,
        shuffle: bool = True, seed: int = 0, val_data=None, early_stopping: int | EarlyStopping | None = None,
        lr=None):
    """Train ``model`` by mini-batch optimisation.

    Args:
        model: a model from :mod:`optlearn.models` (``loss_and_grad``, ``loss``).
        params: initial parameters (not modified).
        optimizer: e.g. ``ol.sgd(lr=0.1, momentum=0.9)``.
        data: ``(X, y)``.
        epochs: number of passes over the data.
        batch_size: ``len(X)`` (default) is batch gradient descent, ``1`` stochastic,
            between is mini-batch; each epoch makes ``ceil(n / batch_size)`` updates,
            the last batch being the smaller remainder (kept).
        shuffle: reshuffle the rows (seeded) at every epoch.
        seed: seeds the shuffling and the dropout masks; same seed, same history.
        val_data: optional ``(X_val, y_val)`` evaluated after every epoch.
        early_stopping: a patience (int) or :class:`EarlyStopping`; needs ``val_data``.
            Training stops after ``patience`` epochs without improvement of the
            validation loss and the parameters of the best epoch are returned.
        lr: the optimizer's learning rate (float or schedule), only recorded.

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
        >>> h.n_updates, bool(h.epoch_train_loss[-1] < h.epoch_train_loss[0])
        (20, True)
    """
    X, y, n, batch_size, stopper = _check_fit_args(data, batch_size, epochs, early_stopping, val_data)
    rng = np.random.default_rng(seed)
    dropout_rng = np.random.default_rng([seed, 1])
    h = History(updates_per_epoch=-(-n // batch_size))
    state = optimizer.init(params)
    _record_epoch(h, model, params, (X, y), val_data)
    best_loss, best_params, best_epoch, waited = np.inf, params, 0, 0
    if val_data is not None:
        best_loss = h.epoch_val_loss[0]
    for epoch in range(1, int(epochs) + 1):
        t_epoch = time.perf_counter()
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            t0 = time.perf_counter()
            with np.errstate(all="ignore"):
                loss, grads = model.loss_and_grad(params, X[idx], y[idx], train=True, rng=dropout_rng)
                if not (np.isfinite(loss) and _finite(grads)):
                    h.diverged_at = len(h.step_loss)
                    break
                updates, state = optimizer.update(grads, state, params)
                new_params = apply_updates(params, updates)
            h.step_loss.append(loss)
            h.lrs.append(lr_at(lr, len(h.step_loss) - 1))
            h.examples_seen.append((h.examples_seen[-1] if h.examples_seen else 0) + len(idx))
            h.step_time.append(time.perf_counter() - t0)
            if not _finite(new_params):
                h.diverged_at = len(h.step_loss)
                break
            params = new_params
        h.stopped_epoch = epoch
        if h.diverged_at is not None:
            h.hint = _fit_hint(lr, h.diverged_at, epoch)
            break
        _record_epoch(h, model, params, (X, y), val_data)
        h.epoch_time.append(time.perf_counter() - t_epoch)
        if stopper is not None:
            if h.epoch_val_loss[-1] < best_loss - stopper.min_delta:
                best_loss, best_params, best_epoch, waited = h.epoch_val_loss[-1], params, epoch, 0
            else:
                waited += 1
                if waited >= stopper.patience:
                    break
    if stopper is not None:
        params, h.best_epoch, h.best_params = best_params, best_epoch, best_params
    return params, h._finish()
