"""Searches find known optima, are deterministic, and the LR range test brackets the good lr."""

import numpy as np
import pytest

import optlearn as ol
from optlearn import datasets as D
from optlearn.models import LinearRegression
from optlearn.train import fit
from optlearn.tuning import (Choice, LogUniform, Trial, Trials, Uniform, grid_search, hyperband,
                             lr_range_test, random_search, successive_halving)


def bowl(config, budget=None):
    """Known optimum: lr = 1e-2, momentum = 0.9; more budget lowers the score for everyone."""
    score = (np.log10(config["lr"]) + 2) ** 2 + (config["momentum"] - 0.9) ** 2
    return score + (0.0 if budget is None else 1.0 / budget)


SPACE = {"lr": LogUniform(1e-4, 1.0), "momentum": Choice([0.0, 0.5, 0.9])}


def test_grid_search_finds_the_known_best():
    t = grid_search(bowl, SPACE, n_points=5)
    assert len(t) == 15 and t.best.config == {"lr": pytest.approx(1e-2), "momentum": 0.9}


def test_random_search_is_seeded_and_log_uniform():
    a, b = random_search(bowl, SPACE, 50, seed=1), random_search(bowl, SPACE, 50, seed=1)
    assert [t.config for t in a] == [t.config for t in b]
    assert abs(np.log10(a.best.config["lr"]) + 2) < 0.3 and a.best.config["momentum"] == 0.9
    lrs = np.log10([LogUniform(1e-4, 1.0).sample(np.random.default_rng(s)) for s in range(2000)])
    assert np.histogram(lrs, bins=4, range=(-4, 0))[0].min() > 400      # each decade ~ 500


def test_successive_halving_budgets_and_best():
    t = successive_halving(bowl, SPACE, n_configs=27, min_budget=1, max_budget=27, eta=3, seed=0)
    budgets = [tr.budget for tr in t]
    assert [budgets.count(b) for b in (1, 3, 9, 27)] == [27, 9, 3, 1]
    survivors = {tr.id for tr in t if tr.budget == 3}
    rung1 = sorted((tr for tr in t if tr.budget == 1), key=lambda tr: tr.score)[:9]
    assert survivors == {tr.id for tr in rung1}
    assert t.best.budget == 27 and t.best.score == min(tr.score for tr in t if tr.budget == 27)


def test_hyperband_brackets_and_determinism():
    t = hyperband(bowl, SPACE, max_budget=27, eta=3, seed=0)
    assert sorted({tr.budget for tr in t}) == [1, 3, 9, 27]
    assert len({tr.id for tr in t}) == 27 + 12 + 6 + 4           # configs over the 4 brackets
    assert [tr.score for tr in t] == [tr.score for tr in hyperband(bowl, SPACE, max_budget=27, seed=0)]
    assert t.best.budget == 27 and abs(np.log10(t.best.config["lr"]) + 2) < 0.5


def test_searches_over_fit_configurations():
    X, y, _ = D.linear(60, d=2, noise=0.1, seed=0)
    m = LinearRegression(2)

    def objective(config, budget):
        _, h = fit(m, m.init_params(), ol.sgd(lr=config["lr"]), (X, y), epochs=budget)
        return h.epoch_train_loss[-1] if not h.diverged else np.inf

    t = successive_halving(objective, {"lr": [1e-3, 1e-2, 0.3, 10.0]}, n_configs=4, min_budget=2, max_budget=8, eta=2)
    assert t.best.config == {"lr": 0.3}
    first_rung = [tr for tr in t if tr.budget == 2]
    assert max(first_rung, key=lambda tr: tr.score).config == {"lr": 10.0}   # too large: worst


def test_trials_table():
    t = Trials([Trial(0, {"lr": 0.1, "opt": "sgd"}, 0.5, 3), Trial(1, {"lr": 0.01, "opt": "adam"}, 0.2, 3)])
    lines = str(t).splitlines()
    assert lines[0].split("|")[1:-1] == [" id ", " lr   ", " opt  ", " budget ", " score "]
    assert lines[2].startswith("| 1 ") and t.sorted()[0].id == 1 and len(lines) == 4


def test_lr_range_test_brackets_the_stable_range():
    X, y, _ = D.linear(200, d=3, noise=0.1, seed=0)
    L = 2 * np.linalg.eigvalsh(np.cov(np.column_stack([X, np.ones(200)]).T, bias=True) + np.outer(
        np.append(X.mean(0), 1), np.append(X.mean(0), 1))).max()          # Hessian of the MSE: 2 A^T A / n
    m = LinearRegression(3)
    res = lr_range_test(m, m.init_params(), lambda lr: ol.sgd(lr=lr), (X, y), lr_min=1e-5, lr_max=100, steps=200)
    assert res.lrs[-1] < 100 and len(res.losses) == len(res.lrs) == len(res.smoothed)   # stopped on explosion
    assert 0.01 / L < res.suggested_lr < 2 / L < res.lrs[-1]
    again = lr_range_test(m, m.init_params(), lambda lr: ol.sgd(lr=lr), (X, y), lr_min=1e-5, lr_max=100, steps=200)
    np.testing.assert_array_equal(res.losses, again.losses)


@pytest.mark.parametrize("call, match", [
    (lambda: LogUniform(0.0, 1.0), 'low=0.0 must be a finite number > 0'),
    (lambda: Uniform(1.0, 1.0), 'high=1.0 must be a finite number > 1'),
    (lambda: Choice([]), 'options=[] must be a non-empty list of values'),
    (lambda: grid_search(bowl, {"lr": 0.1}), 'space value=0.1 must be a Uniform, LogUniform, Choice or a list'),
    (lambda: successive_halving(bowl, SPACE, eta=1), 'eta=1 must be an integer >= 2'),
    (lambda: hyperband(bowl, SPACE, max_budget=1, min_budget=2), 'max_budget=1.0 must be a finite number >= 2'),
    (lambda: Trials().best, 'trials=[] must be non-empty to have a best trial'),
    (lambda: lr_range_test(None, None, None, (np.zeros((3, 1)), np.zeros(3)), lr_min=1.0, lr_max=0.1), 'lr_max=0.1 must be a finite number > 1'),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(match), str(err.value)


def test_lr_range_test_carries_the_momentum_through_the_geometric_lrs():
    """One optimizer run (the shared loop) with lr_t = lr_min (lr_max/lr_min)^(t/(steps-1)):
    the losses are those of heavy ball with that schedule, computed here by hand."""
    from optlearn.datasets import linear
    from optlearn.models import LinearRegression

    X, y, _ = linear(50, d=2, seed=0)
    m = LinearRegression(2)
    p0 = m.init_params()
    res = lr_range_test(m, p0, lambda lr: ol.sgd(lr=lr, momentum=0.9), (X, y), lr_min=1e-3, lr_max=0.5,
                        steps=25, diverge_factor=1e12)
    lrs = np.geomspace(1e-3, 0.5, 25)
    p, buf, losses = dict(p0), None, []
    for t in range(25):
        loss, g = m.loss_and_grad(p, X, y)
        losses.append(loss)
        buf = g if buf is None else {k: 0.9 * buf[k] + g[k] for k in g}
        p = {k: p[k] - lrs[t] * buf[k] for k in p}
    np.testing.assert_allclose(res.lrs, lrs, rtol=1e-15)
    np.testing.assert_allclose(res.losses, losses, rtol=1e-12)
