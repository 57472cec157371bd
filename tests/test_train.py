"""minimize and fit: exactness, determinism, batch semantics, divergence, early stopping."""

import warnings

import numpy as np
import pytest

import optlearn as ol
from optlearn import datasets as D
from optlearn.functions import Quadratic, Rosenbrock, Saddle
from optlearn.models import MLP, LinearRegression, LogisticRegression
from optlearn.train import EarlyStopping, fit, lr_at, minimize


def test_minimize_records_every_iterate():
    q = Quadratic.from_condition(5.0, rotation=0.4)
    run = minimize(q, [1.0, -2.0], ol.sgd(lr=0.1), steps=200, lr=0.1)
    assert run.xs.shape == (201, 2) and run.losses.shape == (201,) and run.lrs.shape == (200,)
    np.testing.assert_allclose(run.losses, q.f(run.xs))
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(q.grad(run.xs), axis=1))
    np.testing.assert_allclose(run.x, q.minimizers[0], atol=1e-8)
    assert not run.diverged and run.hint == ""


def test_minimize_follows_the_gd_recursion_and_records_schedules():
    q = Quadratic([[2.0, 0.0], [0.0, 1.0]])
    sched = ol.schedules.exponential(0.3, 0.9)
    run = minimize(q, [1.0, 1.0], ol.sgd(lr=sched), steps=5, lr=sched)
    x = np.array([1.0, 1.0])
    for t in range(5):
        x = x - sched(t) * q.grad(x)
        np.testing.assert_allclose(run.xs[t + 1], x, rtol=1e-12)
    np.testing.assert_allclose(run.lrs, [0.3 * 0.9**t for t in range(5)])
    assert lr_at(None, 3) != lr_at(None, 3)  # NaN when unknown


def test_minimize_tol_stops_early():
    run = minimize(Quadratic.from_condition(2.0), [1.0, 1.0], ol.sgd(lr=0.5), steps=1000, tol=1e-8)
    assert run.converged_at == run.n_steps < 1000 and run.grad_norms[-1] < 1e-8


@pytest.mark.parametrize("lr, limit", [(0.25, 0.2), (0.3, 0.2)])
def test_divergence_on_a_quadratic_gives_step_and_hint(lr, limit):
    q = Quadratic.from_condition(10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(q, [1.0, 1.0], ol.sgd(lr=lr), steps=5000)
    assert run.diverged and 0 < run.diverged_at < 5000 and run.n_steps == run.diverged_at - 1
    assert np.all(np.isfinite(run.xs)) and np.all(np.isfinite(run.losses))
    assert run.hint == f"the learning rate {lr:g} is above 2/L = {limit:g} for this quadratic"


def test_divergence_to_nan_and_unbounded_objectives():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(Rosenbrock(), [-2.0, 2.0], ol.sgd(lr=0.1), steps=100)
        saddle = minimize(Saddle(), [1.0, 1e-3], ol.sgd(lr=0.1), steps=1000)
    assert run.diverged and "learning rate" in run.hint
    assert saddle.diverged and "unbounded below" in saddle.hint


def test_minimize_bad_inputs():
    with pytest.raises(ValueError, match="x0 must be a non-empty finite point"):
        minimize(Rosenbrock(), [np.nan, 0.0], ol.sgd(lr=0.1), 10)
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        minimize(Rosenbrock(), [0.0, 0.0], ol.sgd(lr=0.1), -1)


def test_gd_reaches_the_normal_equation_solution():
    X, y, _ = D.linear(80, d=3, noise=0.5, seed=0, bias=0.7)
    A = np.column_stack([X, np.ones(len(X))])
    w_star = np.linalg.lstsq(A, y, rcond=None)[0]
    m = LinearRegression(3)
    params, h = fit(m, m.init_params(0), ol.sgd(lr=0.2), (X, y), epochs=2000)
    np.testing.assert_allclose(np.append(params["W"], params["b"]), w_star, atol=1e-6)
    assert h.n_updates == 2000


@pytest.mark.parametrize("batch_size, per_epoch", [(None, 1), (100, 1), (1, 100), (32, 4), (30, 4), (50, 2)])
def test_batch_size_semantics(batch_size, per_epoch):
    X, y, _ = D.linear(100, d=2, seed=1)
    m = LinearRegression(2)
    _, h = fit(m, m.init_params(), ol.sgd(lr=0.01), (X, y), epochs=3, batch_size=batch_size)
    assert h.updates_per_epoch == per_epoch and h.n_updates == 3 * per_epoch
    assert h.examples_seen[-1] == 300 and h.examples_seen[per_epoch - 1] == 100
    assert len(h.epoch_train_loss) == 4 and len(h.epoch_time) == 3 and len(h.step_time) == 3 * per_epoch


def test_same_seed_same_history():
    X, y = D.two_moons(120, seed=0)
    net = MLP([2, 16, 2], dropout=0.2)
    runs = [fit(net, net.init_params(0), ol.adam(lr=0.01), (X, y), 3, batch_size=16, seed=s, val_data=(X, y))
            for s in (5, 5, 6)]
    np.testing.assert_array_equal(runs[0][1].step_loss, runs[1][1].step_loss)
    np.testing.assert_array_equal(runs[0][1].epoch_val_acc, runs[1][1].epoch_val_acc)
    np.testing.assert_array_equal(runs[0][0]["W0"], runs[1][0]["W0"])
    assert not np.array_equal(runs[0][1].step_loss, runs[2][1].step_loss)
    assert len(runs[0][1].epoch_train_acc) == 4


def test_fit_records_learning_rates():
    X, y, _ = D.linear(20, d=1, seed=0)
    sched = ol.schedules.exponential(0.1, 0.5)
    _, h = fit(LinearRegression(1), LinearRegression(1).init_params(), ol.sgd(lr=sched), (X, y), 2, 10, lr=sched)
    np.testing.assert_allclose(h.lrs, [0.1, 0.05, 0.025, 0.0125])


def test_early_stopping_restores_the_best_epoch():
    x, y, _ = D.polynomial(20, degree=3, noise=0.3, seed=0)
    xv, yv, _ = D.polynomial(200, degree=3, noise=0.3, seed=1)
    Xtr, Xva, *_ = D.standardize(D.poly_features(x, 12), D.poly_features(xv, 12))
    m = LinearRegression(12)
    params, h = fit(m, m.init_params(), ol.adam(lr=0.05), (Xtr, y), epochs=3000, val_data=(Xva, yv),
                    early_stopping=EarlyStopping(patience=20))
    best = int(np.argmin(h.epoch_val_loss))
    assert h.best_epoch == best and h.stopped_epoch == best + 20 < 3000
    assert m.loss(params, Xva, yv) == pytest.approx(h.epoch_val_loss[best], rel=1e-12)
    assert h.best_params is params


def test_fit_divergence_stops_with_hint():
    X, y, _ = D.linear(50, d=2, seed=0)
    X = 100 * X
    m = LinearRegression(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        params, h = fit(m, m.init_params(), ol.sgd(lr=1.0), (X, y), epochs=500, lr=1.0)
    assert h.diverged and h.diverged_at == h.n_updates < 500
    assert "the learning rate 1 is too large; try 0.1" in h.hint
    assert all(np.all(np.isfinite(v)) for v in params.values())


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size must be an integer between 1 and len"),
    ({"batch_size": 11}, "batch_size must be an integer between 1 and len"),
    ({"epochs": -1}, "epochs must be an integer >= 0"),
    ({"early_stopping": 3}, "early_stopping needs val_data"),
    ({"early_stopping": 0, "val_data": (np.zeros((2, 1)), np.zeros(2))}, "patience must be an integer >= 1"),
])
def test_fit_bad_inputs(kwargs, match):
    X, y = np.zeros((10, 1)), np.zeros(10, dtype=int)
    kwargs = {"epochs": 1, **kwargs}
    m = LogisticRegression(1)
    with pytest.raises(ValueError, match=match):
        fit(m, m.init_params(), ol.sgd(lr=0.1), (X, y), **kwargs)
