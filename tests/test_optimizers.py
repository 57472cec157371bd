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
from fixture_problem import STEPS, flatten as _flatten, grad, start

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
    grad_fn = (lambda x: -grad(x)) if kwargs.get("maximize") else grad  # maximize climbs -f (see the script)
    traj = run(OPTIMIZERS[case["name"]](**kwargs), start(tuple(case["shape"])), STEPS, grad_fn)
    assert len(case["params"]) == STEPS >= 50
    for step, (ours, theirs) in enumerate(zip(traj, case["params"]), start=1):
        np.testing.assert_allclose(ours, np.array(theirs), rtol=RTOL, atol=ATOL, err_msg=f"step {step}")


def test_fixtures_cover_every_option():
    import inspect

    for name, fn in OPTIMIZERS.items():
        used = {k for c in FIXTURES["cases"] if c["name"] == name for k in c["kwargs"]}
        assert set(inspect.signature(fn).parameters) == used, name
        for flag in ("maximize", "decoupled_weight_decay", "amsgrad", "centered", "nesterov"):
            if flag in used:  # each flag is compared with torch both ways
                assert any(c["kwargs"].get(flag) for c in FIXTURES["cases"] if c["name"] == name), (name, flag)


def test_lerp_is_torch_lerp_to_8_ulp_on_both_branches():
    """torch.lerp switches formula at weight 0.5 (its fused multiply-add rules out bit equality):
    ours stays within 8 ulp of it; the single formula old + w (new - old) is 1000 ulp off near w = 1."""
    from optlearn.transforms import _lerp

    data = FIXTURES["lerp"]
    old, new = np.array(data["old"]), np.array(data["new"])
    worst_naive = 0.0
    for case in data["cases"]:
        w, theirs = case["weight"], np.array(case["out"])
        ulp = np.spacing(np.abs(theirs))
        assert np.max(np.abs(_lerp(old, new, w) - theirs) / ulp) <= 8, w
        worst_naive = max(worst_naive, np.max(np.abs(old + w * (new - old) - theirs) / ulp))
    assert worst_naive > 100


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


# ----------------------------------------------------------------------------- theory

# Sharp checks against closed forms (each catches a change of any line of its
# update rule; the torch fixtures above catch the rest).


def test_gd_contracts_each_eigendirection_by_exactly_one_minus_lr_lambda():
    lam = np.array([1.0, 10.0])  # f = sum(lam x^2) / 2, L = 10, mu = 1
    eta = 1 / lam.max()
    x0 = np.array([1.0, 1.0])
    traj = run(ol.sgd(lr=eta), x0, 40, grad_fn=lambda x: lam * x)
    for t, x in enumerate(traj, start=1):
        np.testing.assert_allclose(x, (1 - eta * lam) ** t * x0, rtol=1e-12, atol=1e-300)
    # steps to |x| <= 1e-6 on the slow direction: ceil(log(1e-6) / log(1 - mu/L)) = 132
    steps = next(t for t, x in enumerate(run(ol.sgd(lr=eta), x0, 200, grad_fn=lambda x: lam * x), 1)
                 if np.abs(x).max() <= 1e-6)
    assert steps == int(np.ceil(np.log(1e-6) / np.log(1 - 1 / 10))) == 132


@pytest.mark.parametrize("nesterov", [False, True])
def test_heavy_ball_follows_its_two_term_recurrence(nesterov):
    """On f = lam x^2 / 2, torch's heavy ball gives x_{t+1} = (1 + b - e lam) x_t - b x_{t-1};
    Nesterov's (torch form) x_{t+1} = (1 + b)(1 - e lam) x_t - b (1 - e lam) x_{t-1}."""
    lam, eta, beta = 3.0, 0.1, 0.8
    xs = [np.array([1.0])] + run(ol.sgd(lr=eta, momentum=beta, nesterov=nesterov), np.array([1.0]), 80,
                                 grad_fn=lambda x: lam * x)
    q = 1 - eta * lam
    np.testing.assert_allclose(xs[1], (q - (eta * lam * beta if nesterov else 0)) * xs[0], rtol=1e-14)
    for t in range(1, 80):
        expected = ((1 + beta) * q * xs[t] - beta * q * xs[t - 1]) if nesterov else \
            ((1 + beta - eta * lam) * xs[t] - beta * xs[t - 1])
        np.testing.assert_allclose(xs[t + 1], expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("name", ["adam", "adamw", "adamax"])
def test_adam_family_with_a_constant_gradient_steps_exactly_lr(name):
    """m_hat = g and v_hat = g^2 (u = |g| + eps for Adamax) at every t: each step is lr g / (|g| + eps)."""
    g, eps, eta = np.array([0.5, -2.0]), 1e-8, 0.01
    opt = OPTIMIZERS[name](lr=eta, eps=eps, **({"weight_decay": 0.0} if name == "adamw" else {}))
    x = np.zeros(2)
    state = opt.init(x)
    for t in range(1, 30):
        u, state = opt.update(g, state, x)
        np.testing.assert_allclose(u, -eta * g / (np.abs(g) + eps), rtol=1e-12 if name == "adamax" else 1e-9)


def test_adagrad_with_a_constant_gradient_steps_lr_over_sqrt_t():
    g, eta = np.array([2.0]), 0.3
    traj = run(ol.adagrad(lr=eta, eps=0.0), np.zeros(1), 25, grad_fn=lambda x: g)
    expected = -eta * np.cumsum(1 / np.sqrt(np.arange(1, 26)))
    np.testing.assert_allclose(np.array(traj)[:, 0], expected, rtol=1e-13)


def test_rmsprop_with_a_constant_gradient_steps_lr_over_sqrt_of_one_minus_alpha_power_t():
    g, eta, alpha = np.array([2.0]), 0.01, 0.9
    x, opt = np.zeros(1), ol.rmsprop(lr=eta, alpha=alpha, eps=0.0)
    state = opt.init(x)
    for t in range(1, 30):
        u, state = opt.update(g, state, x)
        np.testing.assert_allclose(u, -eta / np.sqrt(1 - alpha**t) * np.sign(g), rtol=1e-12)


def test_adadelta_first_step_is_sqrt_eps_over_rms():
    g, eps, rho = np.array([3.0]), 1e-2, 0.9
    u, _ = ol.adadelta(lr=1.0, rho=rho, eps=eps).update(g, ol.adadelta(lr=1.0, rho=rho, eps=eps).init(np.zeros(1)),
                                                         np.zeros(1))
    np.testing.assert_allclose(u, -np.sqrt(eps) / np.sqrt((1 - rho) * 9 + eps) * g, rtol=1e-14)


def test_momentum_classic_with_a_schedule_keeps_each_gradients_lr():
    """The docstring's promise: v_t = beta v_{t-1} + lr_t g_t (sgd rescales the whole buffer instead)."""
    sched = schedules.step_decay(0.1, step_size=3, gamma=0.1)
    beta, g = 0.9, np.array([1.0])
    x, v = np.zeros(1), np.zeros(1)
    ours = run(ol.momentum_classic(lr=sched, momentum=beta), x, 8, grad_fn=lambda x: g)
    torch_form = run(ol.sgd(lr=sched, momentum=beta), x, 8, grad_fn=lambda x: g)
    for t in range(8):
        v = beta * v + sched(t) * g
        x = x - v
        np.testing.assert_allclose(ours[t], x, rtol=1e-14)
    assert abs(ours[-1][0] - torch_form[-1][0]) > 1e-3  # the two forms differ once the lr drops


def test_dict_params_match_array_params():
    x = {"w": start((2, 3)), "b": start((3,))}
    opt = ol.adam(lr=0.05, weight_decay=0.1)
    traj = run(opt, x, 20, grad_fn=lambda p: {k: grad(v) for k, v in p.items()})
    for k in x:
        np.testing.assert_allclose(traj[-1][k], run(ol.adam(lr=0.05, weight_decay=0.1), x[k], 20)[-1], rtol=1e-15)




# ----------------------------------------------------------------------------- errors

# Every bad input is refused with "name=value must be ..." (a ValueError, also a TypeError).


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: ol.sgd(lr=-0.1), "lr=-0.1 must be a finite number >= 0 or a schedule count -> lr"),
        (lambda: ol.adam(lr=float("nan")), "lr=nan must be a finite number >= 0 or a schedule"),
        (lambda: ol.adam(lr=float("inf")), "lr=inf must be a finite number >= 0 or a schedule"),
        (lambda: ol.sgd(lr=True), "lr=True must be a finite number >= 0 or a schedule count -> lr"),
        (lambda: ol.adam(betas=(1.0, 0.999)), "betas[0]=1.0 must be in [0, 1)"),
        (lambda: ol.adamw(betas=(0.9, -0.1)), "betas[1]=-0.1 must be in [0, 1)"),
        (lambda: ol.adam(betas=0.9), "betas=0.9 must be a pair (beta1, beta2) of numbers in [0, 1)"),
        (lambda: ol.adam(betas=(0.9,)), "betas=(0.9,) must be a pair (beta1, beta2)"),
        (lambda: ol.adam(betas=("a", 0.9)), "betas[0]='a' must be a finite number in [0, 1)"),
        (lambda: ol.rmsprop(alpha=1.5), "alpha=1.5 must be in [0, 1)"),
        (lambda: ol.rmsprop(momentum=1.0), "momentum=1.0 must be in [0, 1)"),
        (lambda: ol.adadelta(rho=-0.5), "rho=-0.5 must be in [0, 1)"),
        (lambda: ol.sgd(momentum=-0.1), "momentum=-0.1 must be in [0, 1)"),
        (lambda: ol.adam(eps=-1e-8), "eps=-1e-08 must be a finite number >= 0"),
        (lambda: ol.adagrad(weight_decay=-1), "weight_decay=-1.0 must be a finite number >= 0"),
        (lambda: ol.adamw(weight_decay=-0.01), "weight_decay=-0.01 must be a finite number >= 0"),
        (lambda: ol.adagrad(lr_decay=-1), "lr_decay=-1.0 must be a finite number >= 0"),
        (lambda: ol.sgd(nesterov=True), "nesterov=True must be used with momentum > 0 and dampening == 0"),
        (lambda: ol.sgd(momentum=0.9, dampening=0.1, nesterov=True),
         "nesterov=True must be used with momentum > 0 and dampening == 0; got momentum=0.9, dampening=0.1"),
        (lambda: ol.sgd(momentum=0.9, nesterov="no"), "nesterov='no' must be True or False"),
        (lambda: ol.adam(amsgrad="no"), "amsgrad='no' must be True or False"),
        (lambda: ol.rmsprop(centered="yes"), "centered='yes' must be True or False"),
        (lambda: ol.adagrad(maximize=1), "maximize=1 must be True or False"),
        (lambda: ol.nadam(decoupled_weight_decay="yes"), "decoupled_weight_decay='yes' must be True or False"),
        (lambda: ol.trace_ema(1.0), "decay=1.0 must be in [0, 1)"),
        (lambda: schedules.step_decay(0.1, step_size=0), "step_size=0 must be an integer >= 1"),
    ],
)
def test_bad_hyperparameters(make, message):
    with pytest.raises(ValueError) as err:
        make()
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize("params, message", [
    (np.array([1, 2, 3]), "params=array([1, 2, 3]) must be a real floating-point numpy array; got dtype int64"),
    (np.array([1 + 2j, -0.5 + 0.3j]), "params=array([ 1. +2.j , -0.5+0.3j]) must be a real floating-point numpy "
     "array; got dtype complex128 (complex parameters are not supported"),
    (1.0, "params=1.0 must be a real floating-point numpy array; got float"),
    ([1.0, 2.0], "params=[1.0, 2.0] must be a float numpy array or a dict name -> array; got a list"),
    ((np.zeros(2), np.zeros(1)), "params=(array([0., 0.]), array([0.])) must be a float numpy array or a dict"),
    ({"w": {"a": np.zeros(2)}}, "params['w']={'a': array([0., 0.])} must be a real floating-point numpy array; "
     "nested dicts are not supported"),
    ({"w": np.zeros(2, dtype=bool)}, "params['w']=array([False, False]) must be a real floating-point numpy array"),
    ({}, "params={} must be a float numpy array or a non-empty dict of them"),
])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_params_that_are_not_float_arrays_are_refused(name, params, message):
    """torch refuses integer parameters; complex ones (a pair of reals in torch) are refused too."""
    with pytest.raises(ValueError) as err:
        OPTIMIZERS[name]().init(params)
    assert str(err.value).startswith(message), str(err.value)


def test_integer_params_were_silently_truncated_and_are_now_refused():
    for opt in (ol.adam(lr=0.1), ol.adagrad(initial_accumulator_value=0.5)):
        with pytest.raises(ValueError, match=r"got dtype int64 \(use np.asarray\(x, dtype=float\)\)"):
            opt.init(np.array([1, 2, 3]))


@pytest.mark.parametrize("make", [lambda: ol.sgd(momentum=0.9), ol.adagrad, ol.adamax, ol.adam, ol.rmsprop,
                                  lambda: ol.momentum_classic(lr=0.1), lambda: ol.momentum_ema(lr=0.1)])
def test_state_made_for_another_shape_is_refused(make):
    opt = make()
    state = opt.init(np.zeros(1))
    with pytest.raises(ValueError) as err:
        opt.update(np.ones(3), state, np.zeros(3))
    assert str(err.value) == ("state=<optimizer state> must be the state made by init() for these params; it was "
                              "made for shape (1,) but parameter 'params' has shape (3,); call init(params) again")
    state = opt.init({"w": np.zeros(2)})
    with pytest.raises(ValueError, match=r"it was made for \['w'\]; call init\(params\) again"):
        opt.update({"v": np.ones(2)}, state, {"v": np.zeros(2)})


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_params_with_float64_grads_keep_float32_everywhere(name):
    x = start((3,)).astype(np.float32)
    opt = OPTIMIZERS[name](lr=0.01)
    s64, s32 = opt.init(x), opt.init(x)
    for _ in range(3):
        g = grad(x)  # float64
        u64, s64 = opt.update(g, s64, x)
        u32, s32 = opt.update(g.astype(np.float32), s32, x)
        assert u64.dtype == np.float32
        np.testing.assert_array_equal(u64, u32)  # the same as casting the gradient first
        for leaf in _flatten(s64):
            assert leaf.dtype == np.float32, name
        x = ol.apply_updates(x, u64)


def test_apply_updates_keeps_the_params_dtype():
    out = ol.apply_updates({"w": np.ones(2, np.float32)}, {"w": np.full(2, 1e-9)})
    assert out["w"].dtype == np.float32 and out["w"][0] == np.float32(1.0)


def test_grads_that_are_not_arrays_are_refused():
    opt = ol.sgd(lr=0.1)
    with pytest.raises(ValueError, match=r"grads=\[1.0, 2.0\] must be a real numpy array shaped like the parameter"):
        opt.update([1.0, 2.0], opt.init(np.zeros(2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"grads=array\(\[1.\+0.j\]\) must be a real numpy array .* dtype complex"):
        opt.update(np.array([1 + 0j]), opt.init(np.zeros(1)), np.zeros(1))


# --------------------------------------------------------------------------- non-finite updates from finite grads


def _first_error(opt, x, grad_fn, steps):
    state = opt.init(x)
    for t in range(1, steps + 1):
        updates, state = opt.update(grad_fn(x), state, x)
        x = ol.apply_updates(x, updates)
    return x


def test_centered_rmsprop_cancellation_is_an_error_at_torchs_nan_step():
    """v - grad_avg^2 < 0 by rounding with a constant gradient: torch 2.13 gives NaN at step 331
    (stored by the fixture script); optlearn raises there."""
    assert FIXTURES["failures"]["centered_rmsprop_constant_grad_nan_step"] == 331
    opt = ol.rmsprop(lr=0.01, alpha=0.9, centered=True)
    with pytest.raises(ol.NonFiniteUpdateError) as err:
        _first_error(opt, np.zeros(1), lambda x: np.array([0.1]), 400)
    assert str(err.value).startswith("rmsprop: non-finite update at update step 331 for parameter 'params' "
                                     "although the gradient was finite; likely cause: centered=True: v - grad_avg**2")


@pytest.mark.parametrize("name", ["adam", "adamw", "nadam", "rmsprop", "adagrad", "adadelta", "adamax"])
def test_eps_zero_with_a_zero_gradient_is_an_error(name):
    assert np.isnan(FIXTURES["failures"]["adam_eps0_zero_grad_param"])  # torch: a NaN parameter
    opt = OPTIMIZERS[name](eps=0.0)
    with pytest.raises(ol.NonFiniteUpdateError, match=r"at update step 1 for parameter 'w' .*eps=0 with a zero"):
        opt.update({"w": np.zeros(2)}, opt.init({"w": np.zeros(2)}), {"w": np.zeros(2)})


def test_a_gradient_whose_square_overflows_is_an_error_not_a_frozen_parameter():
    torch_case = FIXTURES["failures"]["adam_grad_1e200"]  # torch: v = inf, the parameter does not move
    assert torch_case["param"] == 0.0 and torch_case["exp_avg_sq"] == np.inf
    opt = ol.adam(lr=0.1)
    state = opt.init(np.zeros(2))
    with pytest.raises(ol.NonFiniteUpdateError, match=r"step 1 in AdamState.v .*square \(times 1 - beta\) overflowed"):
        opt.update(np.array([1e200, 1.0]), state, np.zeros(2))


def test_float16_adam_overflow_is_an_error():
    x = np.zeros(2, dtype=np.float16)
    opt = ol.adam(lr=0.1)
    with pytest.raises(ol.NonFiniteUpdateError, match=r"step 1 in AdamState.v .*65504 in float16"):
        opt.update(np.array([1e4, 1.0], dtype=np.float16), opt.init(x), x)  # (1 - b2) g^2 = 1e5


def test_sgd_overflow_is_an_error():
    opt = ol.sgd(lr=1e300)
    with pytest.raises(ol.NonFiniteUpdateError, match=r"sgd: non-finite update at update step 1 .*overflowed"):
        opt.update(np.array([1e10]), opt.init(np.zeros(1)), np.zeros(1))


def test_no_numpy_warning_escapes(recwarn):
    with pytest.raises(ol.NonFiniteUpdateError):
        _first_error(ol.adam(lr=0.1), np.zeros(1), lambda x: np.array([1e200]), 2)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --------------------------------------------------------------------------- other errors


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


@pytest.mark.parametrize("bad, shown", [(-0.1, "-0.1"), (float("nan"), "nan"), (float("inf"), "inf"),
                                        (None, "None"), (np.array([0.1, 0.2]), "array([0.1, 0.2])"), (True, "True")])
def test_schedule_returning_bad_lr(bad, shown):
    opt = ol.sgd(lr=lambda count: 0.1 if count < 2 else bad)
    x = np.zeros(2)
    state = opt.init(x)
    for _ in range(2):
        _, state = opt.update(np.ones(2), state, x)
    with pytest.raises(ValueError) as err:
        opt.update(np.ones(2), state, x)
    assert str(err.value) == f"lr(count=2)={shown} must be a finite number >= 0; returned by the schedule"


def test_state_of_another_optimizer():
    x = np.zeros(2)
    with pytest.raises(TypeError, match=r"scale_by_adam.update\(state\)=.* must be the AdamState made by its own "
                                        r"init\(\); got a TraceState"):
        ol.adam().update(np.ones(2), ol.sgd().init(x), x)
    with pytest.raises(TypeError, match=r"state=.* must be the state returned by this optimizer's init\(\); "
                                        r"got a ChainState of length 3"):
        ol.adam().update(np.ones(2), ol.ChainState(ol.sgd().init(x)[1:]), x)


def test_last_lr_reads_the_rate_from_the_state():
    sched = schedules.exponential(0.1, 0.5)
    for opt in (ol.sgd(lr=sched, momentum=0.9), ol.momentum_classic(lr=sched), ol.adamw(lr=sched)):
        state = opt.init(np.zeros(1))
        assert np.isnan(ol.last_lr(state))
        for t in range(4):
            _, state = opt.update(np.ones(1), state, np.zeros(1))
            assert ol.last_lr(state) == sched(t)
    assert ol.last_lr(ol.chain(ol.scale(2.0)).init(np.zeros(1))) is None


def test_dict_grads_in_another_key_order_are_matched_by_name():
    params = {"a": np.zeros(2), "b": np.zeros(3)}
    grads = {"b": np.ones(3), "a": -np.ones(2)}
    opt = ol.adam(lr=0.1)
    updates, _ = opt.update(grads, opt.init(params), params)
    np.testing.assert_allclose(updates["a"], [0.1, 0.1], rtol=1e-6)
    np.testing.assert_allclose(updates["b"], [-0.1, -0.1, -0.1], rtol=1e-6)


def test_scale_accepts_a_finite_array_and_refuses_the_rest():
    """A per-row factor batches runs with different learning rates (chapter 6 does so)."""
    u, _ = ol.scale(np.array([[1.0], [0.5]])).update(np.ones((2, 2)), ol.EmptyState(), None)
    np.testing.assert_array_equal(u, [[1.0, 1.0], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"factor=array\(\[nan\]\) must be a finite number or an array"):
        ol.scale(np.array([np.nan]))
    with pytest.raises(ValueError, match=r"factor='2' must be a finite number"):
        ol.scale("2")


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta", "adamax", "nadam"])
def test_zero_d_params_step_as_their_shape_1_twin(name):
    # torch steps 0-d params; a 0-d gradient may come as a numpy scalar (numpy arithmetic on 0-d arrays)
    import optlearn as _ol
    opt = getattr(_ol, name)()
    p0, p1 = np.array(1.0), np.array([1.0])
    s0, s1 = opt.init(p0), opt.init(p1)
    for g in (np.array(0.5), np.float64(-0.25), np.array(2.0)):
        u0, s0 = opt.update(g, s0, p0)
        u1, s1 = opt.update(np.reshape(g, 1), s1, p1)
        assert isinstance(u0, np.ndarray) and u0.shape == ()
        assert float(u0) == float(u1[0])


@pytest.mark.parametrize("name", ["adam", "adagrad", "adamax", "rmsprop", "nadam"])
def test_float16_zero_gradient_blames_eps_rounding_to_zero(name):
    import optlearn as _ol
    opt = getattr(_ol, name)()
    p = np.ones(2, dtype=np.float16)
    with pytest.raises(_ol.transforms.NonFiniteUpdateError, match=r"likely cause: eps=1e-\d+ rounds to 0 in float16"):
        opt.update(np.array([1.0, 0.0], dtype=np.float16), opt.init(p), p)


@pytest.mark.parametrize("dtype, big", [(np.float32, 1e39), (np.float16, 1e5)])
def test_gradient_not_fitting_the_param_dtype_is_named(dtype, big):
    import optlearn as _ol
    opt = _ol.sgd(lr=0.1)
    p = np.ones(2, dtype=dtype)
    with pytest.raises(_ol.transforms.NonFiniteUpdateError,
                       match=rf"likely cause: the gradient for parameter 'params' is finite in float64 but does not fit the parameter's dtype {np.dtype(dtype).name}"):
        opt.update(np.array([big, 0.0]), opt.init(p), p)


@pytest.mark.parametrize("params, updates, message", [
    (np.ones(1), np.ones(3), r"^updates=array\(\[1., 1., 1.\]\) must be of shape \(1,\) like params; got shape \(3,\)"),
    (np.ones(2), np.ones(3), r"^updates=.* must be of shape \(2,\) like params; got shape \(3,\)"),
    ({"a": np.ones(1)}, {"b": np.ones(1)}, r"^updates=.* must be a dict with the keys of params \['a'\]"),
    ({"a": np.ones(1)}, np.ones(1), r"^updates=.* must be a dict like params"),
    (np.array([1, 2]), np.ones(2), r"^params=array\(\[1, 2\]\) must be a floating-point array; got dtype int64"),
])
def test_apply_updates_refuses_mismatches_and_integer_params(params, updates, message):
    import optlearn as _ol
    with pytest.raises(ValueError, match=message):
        _ol.apply_updates(params, updates)


def test_apply_updates_keeps_ordinary_calls():
    import optlearn as _ol
    out = _ol.apply_updates({"w": np.ones(2, dtype=np.float32)}, {"w": np.array([0.5, -0.5])})
    assert out["w"].dtype == np.float32 and out["w"].tolist() == [1.5, 0.5]
    assert _ol.apply_updates(np.ones(2), np.float64(1.0)).tolist() == [2.0, 2.0]


def test_state_made_for_another_dtype_is_refused():
    import optlearn as _ol
    opt = _ol.adam()
    state = opt.init(np.ones(2))
    with pytest.raises(ValueError, match=r"it was made for dtype float64 but parameter 'params' has dtype float32; call init\(params\) again"):
        opt.update(np.ones(2, np.float32), state, np.ones(2, np.float32))


@pytest.mark.parametrize("params, message", [
    ([1.0, 1.0], r"^params=\[1.0, 1.0\] must be a float numpy array or a dict name -> array; got a list"),
    (np.array([1, 2]), r"^params=array\(\[1, 2\]\) must be a real floating-point numpy array; got dtype int64"),
])
def test_update_checks_the_params_it_is_given(params, message):
    import optlearn as _ol
    opt = _ol.adamw()
    with pytest.raises(ValueError, match=message):
        opt.update(np.ones(2), opt.init(np.ones(2)), params)
