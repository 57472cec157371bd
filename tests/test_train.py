"""minimize and fit: exactness, determinism, batch semantics, divergence, early stopping."""

import re
import warnings

import numpy as np
import pytest

import optlearn as ol
from optlearn import datasets as D
from optlearn.functions import Quadratic, Rosenbrock, Saddle
from optlearn.models import MLP, LinearRegression, LogisticRegression
from optlearn.train import EarlyStopping, fit, minimize


def test_minimize_records_every_iterate():
    q = Quadratic.from_condition(5.0, rotation=0.4)
    run = minimize(q, [1.0, -2.0], ol.sgd(lr=0.1), steps=200)
    assert run.xs.shape == (201, 2) and run.losses.shape == (201,) and run.lrs.shape == (200,)
    np.testing.assert_allclose(run.losses, q.f(run.xs))
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(q.grad(run.xs), axis=1))
    np.testing.assert_allclose(run.x, q.minimizers[0], atol=1e-8)
    assert not run.diverged and run.hint == "" and np.all(run.lrs == 0.1)


def test_minimize_follows_the_gd_recursion_and_records_schedules():
    q = Quadratic([[2.0, 0.0], [0.0, 1.0]])
    sched = ol.schedules.exponential(0.3, 0.9)
    run = minimize(q, [1.0, 1.0], ol.sgd(lr=sched), steps=5)
    x = np.array([1.0, 1.0])
    for t in range(5):
        x = x - sched(t) * q.grad(x)
        np.testing.assert_allclose(run.xs[t + 1], x, rtol=1e-12)
    np.testing.assert_allclose(run.lrs, [0.3 * 0.9**t for t in range(5)], rtol=1e-15)
    no_lr = ol.chain(ol.validate_grads(), ol.scale(-0.1))  # an optimizer without a learning-rate transform
    assert np.isnan(minimize(q, [1.0, 1.0], no_lr, steps=3).lrs).all()


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
    for x0, steps, tol, message in [
        ([np.nan, 0.0], 10, None, "x0=[nan, 0.0] must be a non-empty finite point"),
        ("ab", 10, None, "x0='ab' must be a non-empty finite point"),
        ([0.0, 0.0], -1, None, "steps=-1 must be an integer >= 0"),
        ([0.0, 0.0], 5.0, None, "steps=5.0 must be an integer >= 0"),
        ([0.0, 0.0], 5, 0.0, "tol=0.0 must be a finite number > 0"),
    ]:
        with pytest.raises(ValueError) as err:
            minimize(Rosenbrock(), x0, ol.sgd(lr=0.1), steps, tol=tol)
        assert str(err.value).startswith(message), str(err.value)


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
    _, h = fit(LinearRegression(1), LinearRegression(1).init_params(), ol.sgd(lr=sched), (X, y), 2, 10)
    np.testing.assert_allclose(h.lrs, [0.1, 0.05, 0.025, 0.0125], rtol=1e-15)


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
        params, h = fit(m, m.init_params(), ol.sgd(lr=1.0), (X, y), epochs=500)
    assert h.diverged and h.diverged_at == h.n_updates < 500
    assert "the learning rate 1 is too large; try 0.1" in h.hint
    assert all(np.all(np.isfinite(v)) for v in params.values())


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size=0 must be an integer in [1, 10]"),
    ({"batch_size": 11}, "batch_size=11 must be an integer in [1, 10]"),
    ({"batch_size": 2.0}, "batch_size=2.0 must be an integer in [1, 10]"),
    ({"epochs": -1}, "epochs=-1 must be an integer >= 0"),
    ({"epochs": 1.5}, "epochs=1.5 must be an integer >= 0"),
    ({"shuffle": "yes"}, "shuffle='yes' must be True or False"),
    ({"early_stopping": 3}, "early_stopping=3 must be used with val_data"),
    ({"early_stopping": 0, "val_data": (np.zeros((2, 1)), np.zeros(2))}, "patience=0 must be an integer >= 1"),
    ({"val_data": np.zeros(3)}, "val_data=array([0., 0., 0.]) must be a pair (X, y)"),
    ({"data": (np.zeros((3, 1)), np.zeros(2))}, "data=(array([[0.],"),
    ({"params": {"W": np.zeros(1, dtype=int), "b": np.zeros(1)}},
     "params['W']=array([0]) must be a real floating-point numpy array; got dtype int64"),
])
def test_fit_bad_inputs(kwargs, message):
    m = LogisticRegression(1)
    args = {"params": m.init_params(), "data": (np.zeros((10, 1)), np.zeros(10, dtype=int)), "epochs": 1, **kwargs}
    with pytest.raises(ValueError) as err:
        fit(m, args.pop("params"), ol.sgd(lr=0.1), args.pop("data"), **args)
    assert str(err.value).startswith(message), str(err.value)


def test_early_stopping_min_delta_counts_small_improvements_as_none():
    """With min_delta larger than any improvement, training stops after exactly `patience` epochs."""
    X, y, _ = D.linear(40, d=2, seed=0)
    m = LinearRegression(2)
    base = dict(epochs=50, val_data=(X, y))
    _, strict = fit(m, m.init_params(), ol.sgd(lr=0.01), (X, y), early_stopping=EarlyStopping(3, 0.0), **base)
    _, loose = fit(m, m.init_params(), ol.sgd(lr=0.01), (X, y), early_stopping=EarlyStopping(3, 1e6), **base)
    assert strict.stopped_epoch == 50 and loose.stopped_epoch == 3 and loose.best_epoch == 0


def test_shuffle_reorders_the_batches_and_false_keeps_the_row_order():
    X, y, _ = D.linear(8, d=1, noise=0.0, seed=0)
    m = LinearRegression(1)
    p0 = {"W": np.zeros(1), "b": np.zeros(1)}
    _, ordered = fit(m, p0, ol.sgd(lr=0.0), (X, y), epochs=1, batch_size=2, shuffle=False)
    np.testing.assert_allclose(ordered.step_loss, [np.mean(y[i:i + 2] ** 2) for i in range(0, 8, 2)], rtol=1e-14)
    _, shuffled = fit(m, p0, ol.sgd(lr=0.0), (X, y), epochs=1, batch_size=2, seed=3)
    perm = np.random.default_rng(3).permutation(8)
    np.testing.assert_allclose(shuffled.step_loss, [np.mean(y[perm[i:i + 2]] ** 2) for i in range(0, 8, 2)],
                               rtol=1e-14)


def test_non_finite_update_stops_fit_and_minimize_with_the_optimizers_message():
    X, y, _ = D.linear(20, d=1, seed=0)
    m = LinearRegression(1)
    _, h = fit(m, m.init_params(), ol.rmsprop(eps=0.0), (np.zeros_like(X), np.zeros_like(y)), epochs=2)
    assert h.diverged_at == 1 and h.n_updates == 1 and "rmsprop: non-finite update at update step 1" in h.hint
    run = minimize(Quadratic.from_condition(2.0), [0.0, 0.0], ol.adam(eps=0.0), 5)
    assert run.diverged_at == 1 and run.n_steps == 0 and "eps=0 with a zero gradient" in run.hint


def test_a_hand_made_optimizer_that_makes_nan_diverges_without_a_numpy_warning():
    def update(grads, state, params=None):  # sqrt of a negative number: NaN and a RuntimeWarning
        return ol.tree_map(lambda g: np.sqrt(-np.abs(g) - 1), grads), state

    nan_step = ol.GradientTransformation(lambda params: None, update)
    X, y, _ = D.linear(10, d=1, seed=0)
    m = LinearRegression(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(Quadratic.from_condition(2.0), [1.0, 1.0], nan_step, 5)
        _, h = fit(m, m.init_params(), nan_step, (X, y), epochs=1)
    assert run.diverged_at == 1 and h.diverged_at == 1 and np.isnan(h.lrs[0])


@pytest.mark.parametrize("x0, detail", [
    ([1 + 2j, 0.0], "complex points are not supported"),
    (["1", "2"], "got strings"),
    ([True, False], "got booleans"),
])
def test_minimize_refuses_non_real_x0(x0, detail):
    import optlearn as _ol
    from optlearn.functions import Quadratic
    with pytest.raises(ValueError, match=r"^x0=.* must be a non-empty finite point \(a list or array of real numbers\); " + detail):
        _ol.minimize(Quadratic.from_condition(10.0), x0, _ol.sgd(lr=0.01), 3)


@pytest.mark.parametrize("optimizer, message", [
    (None, r"^optimizer=None must be a GradientTransformation"),
    ("adam", r"^optimizer=adam must be a GradientTransformation .*got the function adam itself: call it, adam\(\.\.\.\)"),
])
def test_minimize_refuses_what_is_not_an_optimizer(optimizer, message):
    import optlearn as _ol
    from optlearn.functions import Quadratic
    opt = _ol.adam if optimizer == "adam" else optimizer
    with pytest.raises(ValueError, match=message):
        _ol.minimize(Quadratic.from_condition(10.0), [1.0, 1.0], opt, 3)


def test_minimize_refuses_an_objective_without_f_and_grad_and_hides_addresses():
    import optlearn as _ol
    with pytest.raises(ValueError) as info:
        _ol.minimize(lambda x: x, [1.0], _ol.sgd(lr=0.1), 3)
    assert "must be an object with methods f(x) and grad(x)" in str(info.value)
    assert " at 0x" not in str(info.value)


@pytest.mark.parametrize("bad, shown", [("adam", "adam"), (1, "1")])
def test_chain_refuses_non_transformations_at_construction(bad, shown):
    import optlearn as _ol
    with pytest.raises(ValueError, match=rf"^chain\(transforms\[1\]\)={shown} must be a GradientTransformation"):
        _ol.chain(_ol.sgd(lr=0.1), _ol.adam if bad == "adam" else bad)


@pytest.mark.parametrize("part", ["X", "y"])
def test_fit_refuses_nan_in_the_data_instead_of_blaming_the_lr(part):
    X, y, _ = D.linear(20, d=2, seed=0)
    if part == "X":
        X[3, 1] = np.nan
    else:
        y[5] = np.inf
    m = LinearRegression(2)
    where = "(3, 1)" if part == "X" else "(5,)"
    i = 0 if part == "X" else 1
    with pytest.raises(ValueError, match=rf"^data\[{i}\]=.* must be finite numbers \({part} of the pair \(X, y\)\); {part} holds 1 NaN or infinite value\(s\), the first at index {re.escape(where)}"):
        fit(m, m.init_params(), ol.sgd(lr=0.1), (X, y), epochs=1)


def test_fit_hint_before_any_update_is_not_about_the_lr():
    from optlearn.hints import fit_hint
    assert fit_hint(np.array([]), 0, 1) == ("the loss or parameters were non-finite before any update (epoch 1): "
                                            "not a learning-rate problem; check the data and the initial parameters "
                                            "for NaN or infinity")


@pytest.mark.parametrize("data, message", [
    ("short_y", r"must be a pair \(X, y\) with one target per row of X; got 20 rows and 5 targets"),
    ((1.0, 2.0), r"must be a pair \(X, y\) with one target per row of X; got 0 rows and 0 targets"),
    ("empty", r"must be a pair \(X, y\) with at least one row"),
])
def test_lr_range_test_checks_data_as_fit_does(data, message):
    from optlearn.tuning import lr_range_test
    X, y, _ = D.linear(20, d=2, seed=0)
    data = {"short_y": (X, y[:5]), "empty": (X[:0], y[:0])}.get(data, data) if isinstance(data, str) else data
    m = LinearRegression(2)
    with pytest.raises(ValueError, match=r"(?s)^data=.*" + message):
        lr_range_test(m, m.init_params(), lambda lr: ol.sgd(lr=lr), data)


def test_lr_range_test_refuses_what_optimizer_fn_returns_when_not_an_optimizer():
    from optlearn.tuning import lr_range_test
    X, y, _ = D.linear(20, d=2, seed=0)
    m = LinearRegression(2)
    with pytest.raises(ValueError, match=r"^optimizer_fn\(lr\)=None must be a GradientTransformation"):
        lr_range_test(m, m.init_params(), lambda lr: None, (X, y))
    with pytest.raises(ValueError) as info:
        lr_range_test(m, m.init_params(), lambda lr: ol.schedule_free_adamw(lr=lr), (X, y))
    assert "lr_range_test needs an optimizer that takes a schedule" in str(info.value)
    assert " at 0x" not in str(info.value)


def test_lr_range_test_detects_an_optimizer_fn_that_freezes_the_lr():
    from optlearn.tuning import lr_range_test
    X, y, _ = D.linear(20, d=2, seed=0)
    m = LinearRegression(2)
    with pytest.raises(ValueError, match=r"the optimizer's learning rate stayed 1e-06 while the test raises it to .*pass lr itself, not lr\(0\)"):
        lr_range_test(m, m.init_params(), lambda lr: ol.sgd(lr=float(lr(0))), (X, y), steps=10)
    result = lr_range_test(m, m.init_params(), lambda lr: ol.adagrad(lr=lr, lr_decay=0.1), (X, y), steps=10)
    assert len(result.lrs) >= 3
