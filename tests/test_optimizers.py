"""optlearn's optimizers against torch.optim fixtures, plus invariants and errors.

Tolerances: trajectories match torch at rtol=1e-10 (atol=1e-12 for entries
near 0), float64 throughout; convergence tests state theirs inline.
"""

from __future__ import annotations

import copy
import json
import pathlib

import numpy as np
import pytest

import optlearn as ol
from optlearn import schedules
from fixture_problem import STEPS, grad, start

FIXTURES = json.loads((pathlib.Path(__file__).parent / "fixtures" / "torch_optimizers.json").read_text())
RTOL, ATOL = 1e-10, 1e-12
OPTIMIZERS = {
    "sgd": ol.sgd, "adagrad": ol.adagrad, "rmsprop": ol.rmsprop, "adadelta": ol.adadelta,
    "adam": ol.adam, "adamw": ol.adamw, "adamax": ol.adamax, "nadam": ol.nadam,
}


def run(opt, x, steps, grad_fn=grad):
    """Params after each of ``steps`` updates."""
    state = opt.init(x)
    out = []
    for _ in range(steps):
        updates, state = opt.update(grad_fn(x), state, x)
        x = ol.apply_updates(x, updates)
        out.append(x)
    return out


def _id(case):
    kw = ",".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['name']}({kw})-{'x'.join(map(str, case['shape']))}"


@pytest.mark.parametrize("case", FIXTURES["cases"], ids=_id)
def test_matches_torch(case):
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    traj = run(OPTIMIZERS[case["name"]](**kwargs), start(tuple(case["shape"])), STEPS)
    assert len(case["params"]) == STEPS >= 50
    for step, (ours, theirs) in enumerate(zip(traj, case["params"]), start=1):
        np.testing.assert_allclose(ours, np.array(theirs), rtol=RTOL, atol=ATOL, err_msg=f"step {step}")


def test_fixtures_cover_every_option():
    import inspect

    for name, fn in OPTIMIZERS.items():
        used = {k for c in FIXTURES["cases"] if c["name"] == name for k in c["kwargs"]}
        assert set(inspect.signature(fn).parameters) == used, name


TORCH_SCHEDULES = {
    "StepLR": lambda lr, kw: schedules.step_decay(lr, **kw),
    "CosineAnnealingLR": lambda lr, kw: schedules.cosine_annealing(lr, **kw),
    "ExponentialLR": lambda lr, kw: schedules.exponential(lr, **kw),
}


@pytest.mark.parametrize("case", FIXTURES["scheduled"], ids=lambda c: f"{c['name']}+{c['schedule']}")
def test_scheduled_optimizer_matches_torch(case):
    kwargs = dict(case["kwargs"])
    kwargs["lr"] = TORCH_SCHEDULES[case["schedule"]](kwargs["lr"], case["schedule_kwargs"])
    traj = run(OPTIMIZERS[case["name"]](**kwargs), start((3,)), STEPS)
    np.testing.assert_allclose(np.array(traj), np.array(case["params"]), rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------------------------- invariants


def test_adamw_without_decay_is_adam():
    x0 = start((2, 3))
    a = run(ol.adamw(lr=0.05, weight_decay=0.0, amsgrad=True), x0, 50)
    b = run(ol.adam(lr=0.05, amsgrad=True), x0, 50)
    np.testing.assert_array_equal(a, b)


def test_first_adam_step_is_lr_times_sign():
    g = np.array([3.0, -1e-3, 50.0, -7.0])
    opt = ol.adam(lr=0.01)
    updates, _ = opt.update(g, opt.init(np.zeros(4)), np.zeros(4))
    np.testing.assert_allclose(updates, -0.01 * np.sign(g), rtol=1e-4)  # eps=1e-8 vs |g|>=1e-3


def test_sgd_without_momentum_is_gradient_descent():
    x = start((3,))
    for ours in run(ol.sgd(lr=0.1), x, 50):
        x = x - 0.1 * grad(x)
        np.testing.assert_allclose(ours, x, rtol=1e-15)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("params", ["array", "dict"])
def test_update_is_pure(name, params):
    kwargs = dict(weight_decay=0.1)
    kwargs.update({"sgd": dict(momentum=0.9, nesterov=True), "rmsprop": dict(momentum=0.5, centered=True),
                   "adam": dict(amsgrad=True), "adamw": dict(amsgrad=True)}.get(name, {}))
    opt = OPTIMIZERS[name](**kwargs)
    x = start((2, 3)) if params == "array" else {"w": start((2, 3)), "b": start((2,))}
    state = opt.init(x)
    for _ in range(3):  # also exercise non-initial states
        g = ol.tree_map(grad, x)
        saved = copy.deepcopy((x, g, state))
        updates, new_state = opt.update(g, state, x)
        for before, after in zip(_flatten(saved), _flatten((x, g, state))):
            np.testing.assert_array_equal(before, after)
        for leaf in _flatten(new_state):  # the new state shares no array with the old one
            assert not any(np.shares_memory(leaf, old) for old in _flatten(state))
        x, state = ol.apply_updates(x, updates), new_state


def _flatten(tree):
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, dict):
        return [a for k in sorted(tree) for a in _flatten(tree[k])]
    if isinstance(tree, tuple):
        return [a for t in tree for a in _flatten(t)]
    return []


def test_classic_momentum_is_sgd_momentum():
    x0 = start((3,))
    a = run(ol.momentum_classic(lr=0.02, momentum=0.9), x0, 60)
    b = run(ol.sgd(lr=0.02, momentum=0.9), x0, 60)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_ema_momentum_is_sgd_with_rescaled_lr():
    """EMA form with lr alpha == sgd(lr=alpha*(1-beta), momentum=beta, dampening=0), exactly."""
    alpha, beta = 0.2, 0.9
    x0 = start((3,))
    a = run(ol.momentum_ema(lr=alpha, beta=beta), x0, 60)
    b = run(ol.sgd(lr=alpha * (1 - beta), momentum=beta), x0, 60)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_ema_momentum_vs_dampened_sgd_differs_by_first_step_term():
    """sgd(momentum=b, dampening=b) buffers g_1 (not (1-b) g_1) at step 1, so with a
    constant gradient its buffer is v_t + b**t g (v_t the EMA): equal only as t -> inf."""
    beta, g = 0.9, np.array([1.0, -2.0])
    ema, damp = ol.momentum_ema(lr=1.0, beta=beta), ol.sgd(lr=1.0, momentum=beta, dampening=beta)
    s1, s2, x = ema.init(g), damp.init(g), np.zeros(2)
    for t in range(1, 40):
        u1, s1 = ema.update(g, s1, x)
        u2, s2 = damp.update(g, s2, x)
        np.testing.assert_allclose(u2 - u1, -(beta**t) * g, rtol=1e-9, atol=1e-14)


# ----------------------------------------------------------------------------- convergence

# name -> (kwargs for the quadratic, kwargs for Rosenbrock, Rosenbrock steps); the
# quadratic gets 5000 steps. AdaDelta needs a small lr, rho close to 1 and many
# steps on Rosenbrock (with its defaults it diverges from (-1.2, 1)).
CONVERGE = {
    "sgd": (dict(lr=0.1, momentum=0.9), dict(lr=1e-3, momentum=0.9), 20000),
    "adagrad": (dict(lr=0.5), dict(lr=0.1), 20000),
    "rmsprop": (dict(lr=1e-2, momentum=0.5), dict(lr=1e-3, momentum=0.9, centered=True), 20000),
    "adadelta": (dict(lr=0.05, rho=0.99, eps=1e-4), dict(lr=0.01, rho=0.999, eps=1e-4), 40000),
    "adam": (dict(lr=0.05), dict(lr=0.01), 20000),
    "adamw": (dict(lr=0.05, weight_decay=0.0), dict(lr=0.01, weight_decay=0.0), 20000),
    "adamax": (dict(lr=0.05), dict(lr=0.01), 20000),
    "nadam": (dict(lr=0.05), dict(lr=0.01), 20000),
}
A = np.array([[3.0, 1.0], [1.0, 2.0]])
B = np.array([1.0, -1.0])
X_QUAD = np.linalg.solve(A, B)


def _rosenbrock_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def _minimize(opt, grad_fn, x, steps):
    state = opt.init(x)
    for _ in range(steps):
        updates, state = opt.update(grad_fn(x), state, x)
        x = ol.apply_updates(x, updates)
    return x


@pytest.mark.parametrize("name", sorted(CONVERGE))
def test_reaches_quadratic_minimum(name):
    quad, _, _ = CONVERGE[name]
    x = _minimize(OPTIMIZERS[name](**quad), lambda x: A @ x - B, np.array([2.0, 2.0]), 5000)
    np.testing.assert_allclose(x, X_QUAD, atol=1e-3)  # from (2, 2); minimum A^-1 b


@pytest.mark.parametrize("name", sorted(CONVERGE))
def test_reaches_rosenbrock_minimum(name):
    _, rosen, steps = CONVERGE[name]
    x = _minimize(OPTIMIZERS[name](**rosen), _rosenbrock_grad, np.array([-1.2, 1.0]), steps)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=3e-2)  # the flat valley: 3e-2 from (1, 1)


def test_dict_params_match_array_params():
    x = {"w": start((2, 3)), "b": start((3,))}
    opt = ol.adam(lr=0.05, weight_decay=0.1)
    traj = run(opt, x, 20, grad_fn=lambda p: {k: grad(v) for k, v in p.items()})
    for k in x:
        np.testing.assert_allclose(traj[-1][k], run(ol.adam(lr=0.05, weight_decay=0.1), x[k], 20)[-1], rtol=1e-15)


def test_float32_params_stay_float32():
    x = start((3,)).astype(np.float32)
    for name, fn in OPTIMIZERS.items():
        out = run(fn(), x, 3, grad_fn=lambda p: grad(p).astype(np.float32))[-1]
        assert out.dtype == np.float32, name


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ol.sgd(lr=-0.1), r"lr=-0.1 must be a finite number >= 0"),
        (lambda: ol.adam(lr=float("nan")), r"lr=nan must be"),
        (lambda: ol.adam(lr=float("inf")), r"lr=inf must be"),
        (lambda: ol.adam(betas=(1.0, 0.999)), r"betas\[0\]=1.0 must be in \[0, 1\)"),
        (lambda: ol.adamw(betas=(0.9, -0.1)), r"betas\[1\]=-0.1 must be in \[0, 1\)"),
        (lambda: ol.rmsprop(alpha=1.5), r"alpha=1.5 must be in \[0, 1\)"),
        (lambda: ol.rmsprop(momentum=1.0), r"momentum=1.0 must be in \[0, 1\)"),
        (lambda: ol.adadelta(rho=-0.5), r"rho=-0.5 must be in \[0, 1\)"),
        (lambda: ol.sgd(momentum=-0.1), r"momentum=-0.1 must be in \[0, 1\)"),
        (lambda: ol.adam(eps=-1e-8), r"eps=-1e-08 must be a finite number >= 0"),
        (lambda: ol.adagrad(weight_decay=-1), r"weight_decay=-1 must be"),
        (lambda: ol.adamw(weight_decay=-0.01), r"weight_decay=-0.01 must be"),
        (lambda: ol.adagrad(lr_decay=-1), r"lr_decay=-1 must be"),
        (lambda: ol.sgd(nesterov=True), r"nesterov=True requires momentum > 0 and dampening == 0"),
        (lambda: ol.sgd(momentum=0.9, dampening=0.1, nesterov=True), r"momentum=0.9, dampening=0.1"),
        (lambda: ol.adam(betas=(0.9,)), r"betas=\(0.9,\) must be a pair"),
        (lambda: schedules.step_decay(0.1, step_size=0), r"step_size=0 must be a positive integer"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_grads_shape_mismatch():
    opt = ol.adam()
    with pytest.raises(ValueError, match=r"grads shape \(2,\) does not match params shape \(3,\)"):
        opt.update(np.ones(2), opt.init(np.zeros(3)), np.zeros(3))


def test_grads_keys_mismatch():
    p = {"w": np.zeros(2), "b": np.zeros(1)}
    opt = ol.sgd()
    with pytest.raises(ValueError, match=r"grads keys \['w'\] do not match params keys \['b', 'w'\]"):
        opt.update({"w": np.ones(2)}, opt.init(p), p)
    with pytest.raises(ValueError, match=r"grads is a ndarray but params is a dict"):
        opt.update(np.ones(2), opt.init(p), p)


def test_non_finite_gradient_names_step_and_parameter():
    p = {"w": np.zeros(2), "b": np.zeros(1)}
    opt = ol.adam()
    state = opt.init(p)
    _, state = opt.update({"w": np.ones(2), "b": np.ones(1)}, state, p)
    with pytest.raises(ValueError, match=r"non-finite gradient at update step 2 for parameter 'b'"):
        opt.update({"w": np.ones(2), "b": np.array([np.inf])}, state, p)
    big = np.zeros(100_000)
    big[-1] = np.nan
    with pytest.raises(ValueError, match=r"update step 1 for parameter 'params'"):
        opt.update(big, opt.init(big), np.zeros_like(big))


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_schedule_returning_bad_lr(bad):
    opt = ol.sgd(lr=lambda count: 0.1 if count < 2 else bad)
    x = np.zeros(2)
    state = opt.init(x)
    for _ in range(2):
        _, state = opt.update(np.ones(2), state, x)
    with pytest.raises(ValueError, match=r"schedule lr returned lr=.* at count=2; a learning rate must be"):
        opt.update(np.ones(2), state, x)


def test_state_of_another_optimizer():
    x = np.zeros(2)
    with pytest.raises(TypeError, match=r"expected a AdamState .* got TraceState"):
        ol.adam().update(np.ones(2), ol.sgd().init(x), x)
    with pytest.raises(TypeError, match=r"state must be the state returned by this optimizer's init"):
        ol.adam().update(np.ones(2), ol.sgd().init(x)[1:], x)


def test_dict_grads_in_another_key_order_are_matched_by_name():
    params = {"a": np.zeros(2), "b": np.zeros(3)}
    grads = {"b": np.ones(3), "a": -np.ones(2)}
    opt = ol.adam(lr=0.1)
    updates, _ = opt.update(grads, opt.init(params), params)
    np.testing.assert_allclose(updates["a"], [0.1, 0.1], rtol=1e-6)
    np.testing.assert_allclose(updates["b"], [-0.1, -0.1, -0.1], rtol=1e-6)
