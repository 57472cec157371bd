"""Objective functions: analytic vs numerical derivatives, known minima, validation."""

import numpy as np
import pytest

from optlearn import functions as F

RNG = np.random.default_rng(0)
TWO_D = [F.Quadratic.from_condition(10.0, rotation=0.3), F.Quadratic([[2.0, 0.5], [0.5, 1.0]], b=[1.0, -1.0], c=2.0),
         F.Rosenbrock(), F.Rosenbrock(a=2.0, b=10.0), F.Beale(), F.Himmelblau(), F.Saddle(), F.MonkeySaddle(),
         F.Rastrigin()]
ALL = TWO_D + [F.Rastrigin(dim=3), F.DoubleWell(), F.DoubleWell(tilt=0.0), F.Plateau(), F.Plateau(dim=2, width=2.0),
               F.Quadratic.from_eigenvalues([1.0, 3.0, 7.0], rotation=1.0)]


def points(obj, k=5):
    lo, hi = np.array(obj.bounds).T
    return RNG.uniform(lo, hi, size=(k, obj.dim)) * 0.8


@pytest.mark.parametrize("obj", ALL, ids=repr)
def test_gradient_matches_central_differences(obj):
    for x in points(obj):
        assert F.check_grad(obj.f, obj.grad, x) <= 1e-6


@pytest.mark.parametrize("obj", ALL, ids=repr)
def test_hessian_matches_differences_of_the_gradient(obj):
    for x in points(obj, 3):
        H = obj.hessian(x)
        H_num = np.array([F.numerical_grad(lambda z: obj.grad(z)[i], x) for i in range(obj.dim)])
        np.testing.assert_allclose(H, H_num, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("obj", [o for o in ALL if len(o.minimizers)], ids=repr)
def test_known_minima(obj):
    for x in obj.minimizers:
        np.testing.assert_allclose(obj.grad(x), 0.0, atol=1e-8)
        assert obj.f(x) == pytest.approx(obj.fmin, abs=1e-10)
        assert np.all(np.linalg.eigvalsh(obj.hessian(x)) > 0)


@pytest.mark.parametrize("obj", TWO_D, ids=repr)
def test_vectorised_over_a_grid(obj):
    X, Y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3))
    Z = obj.f_grid(X, Y)
    assert Z.shape == (3, 4)
    assert Z[1, 2] == pytest.approx(float(obj.f(np.array([X[1, 2], Y[1, 2]]))), rel=1e-12)
    assert obj.grad(np.stack([X, Y], -1)).shape == (3, 4, 2)


def test_quadratic_constants_and_minimiser():
    q = F.Quadratic.from_condition(25.0, mu=0.2, rotation=0.7)
    assert (q.L, q.mu, q.kappa) == pytest.approx((5.0, 0.2, 25.0))
    q = F.Quadratic([[3.0, 1.0], [1.0, 2.0]], b=[1.0, 1.0], c=1.0)
    x = np.linalg.solve(q.A, q.b)
    np.testing.assert_allclose(q.minimizers[0], x, atol=1e-14)
    assert q.fmin == pytest.approx(1.0 - 0.5 * q.b @ x)


def test_himmelblau_has_four_distinct_minimisers():
    m = F.Himmelblau().minimizers
    assert m.shape == (4, 2) and len({tuple(np.round(r, 3)) for r in m}) == 4


def test_double_well_has_a_shallower_local_minimum():
    w = F.DoubleWell(tilt=0.3)
    g, local = w.local_minimizers
    assert g[0] < 0 < local[0] and w.f(local) > w.f(g) == pytest.approx(w.fmin)


def test_saddles_have_no_minimiser():
    for obj in (F.Saddle(), F.MonkeySaddle()):
        assert obj.minimizers.shape == (0, 2) and obj.fmin == -np.inf
        np.testing.assert_allclose(obj.grad(np.zeros(2)), 0.0)


def test_numerical_grad_on_dicts():
    g = F.numerical_grad(lambda p: np.sum(p["a"] ** 2) + 3 * p["b"][0], {"a": np.array([1.0, 2.0]), "b": np.zeros(1)})
    np.testing.assert_allclose(g["a"], [2.0, 4.0], atol=1e-8)
    np.testing.assert_allclose(g["b"], [3.0], atol=1e-8)


def test_check_grad_detects_a_wrong_gradient():
    r = F.Rosenbrock()
    assert F.check_grad(r.f, lambda x: 1.01 * r.grad(x), np.array([0.3, 0.2])) > 1e-3


@pytest.mark.parametrize("make, match", [
    (lambda: F.Quadratic([[1.0, 2.0], [0.0, 1.0]]), r"^A=\[\[1.0, 2.0\], \[0.0, 1.0\]\] must be symmetric; \|A - A.T\| reaches 2"),
    (lambda: F.Quadratic([[1.0, 0.0], [0.0, -1.0]]), r"^A=\[\[1.0, 0.0\], \[0.0, -1.0\]\] must be positive definite; its smallest eigenvalue is -1"),
    (lambda: F.Quadratic(np.eye(2), b=[1.0]), r"^b=array\(\[1.\]\) must be of shape \(2,\) to match A; got shape \(1,\)"),
    (lambda: F.Quadratic.from_condition(0.5), r"^kappa=0.5 must be a finite number >= 1"),
    (lambda: F.Rosenbrock().f(np.zeros(3)), r"x must have shape \(\.\.\., 2\)"),
    (lambda: F.Rastrigin(dim=3).grad(np.zeros(2)), r"x must have shape \(\.\.\., 3\)"),
    (lambda: F.DoubleWell().f(np.zeros(2)), r"shape \(\.\.\., 1\)"),
])
def test_bad_inputs(make, match):
    with pytest.raises(ValueError, match=match):
        make()
