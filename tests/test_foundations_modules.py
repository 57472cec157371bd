"""Tests of the foundations modules: curvature, line search, Newton's method, Polyak step.

Verified against scipy.optimize / scipy.linalg where they do the same job, and
against closed forms otherwise. float64 throughout; tolerances stated per test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.sparse.linalg

import optlearn as ol
from optlearn.curvature import Curvature, curvature, curvature_on_grid, power_iteration
from optlearn.functions import Quadratic, Rosenbrock, Saddle, DoubleWell
from optlearn.linesearch import LineSearchError, armijo, descent, exact_step
from optlearn.newton import newton, newton_direction
from optlearn.polyak import polyak_lr
from optlearn.convex import Logistic, PseudoHuber


class Counting:
    """Wrap an objective and count evaluations of f."""

    def __init__(self, obj):
        self.obj, self.n = obj, 0

    def f(self, x):
        self.n += 1
        return self.obj.f(x)


# ----------------------------------------------------------------------------- curvature
def test_curvature_matches_scipy_eigh_on_random_spd():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(6, 6))
    H = M @ M.T + 0.1 * np.eye(6)
    lam = scipy.linalg.eigh(H, eigvals_only=True)
    c = curvature(H)
    assert c == Curvature(pytest.approx(lam[-1], rel=1e-12), pytest.approx(lam[0], rel=1e-12),
                          pytest.approx(lam[-1] / lam[0], rel=1e-12))


def test_curvature_of_objective_and_nonconvex():
    q = Quadratic.from_eigenvalues([0.5, 4.0], rotation=1.0)
    assert curvature(q) == pytest.approx((4.0, 0.5, 8.0), rel=1e-12)
    c = curvature(Saddle(), x=np.array([0.3, -0.2]))
    assert (c.L, c.mu, c.kappa) == (2.0, -2.0, np.inf)
    c = curvature(np.diag([-5.0, 1.0]))             # L is the largest |eigenvalue|: |grad| Lipschitz constant
    assert (c.L, c.mu, c.kappa) == (5.0, -5.0, np.inf)


def test_curvature_errors():
    with pytest.raises(ValueError, match=r"hessian=\[\[1.0, 2.0\], \[0.0, 1.0\]\] must be symmetric; \|hessian - hessian.T\| reaches 2"):
        curvature(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"hessian=array\(shape=\(2, 3\), dtype=float64\) must be a square matrix"):
        curvature(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"x=None must be a point of shape \(2,\); the Hessian of Rosenbrock depends on x"):
        curvature(Rosenbrock())


def test_curvature_on_grid_rosenbrock_closed_form():
    # Hessian of Rosenbrock at (x, y): [[1200x^2 - 400y + 2, -400x], [-400x, 200]].
    c = curvature_on_grid(Rosenbrock(), bounds=((-1.0, 1.0), (0.0, 1.0)), n=3)
    pts = [(x, y) for x in (-1, 0, 1) for y in (0, 0.5, 1)]
    lam = np.concatenate([np.linalg.eigvalsh([[1200 * x * x - 400 * y + 2, -400 * x], [-400 * x, 200]])
                          for x, y in pts])
    assert c.L == pytest.approx(np.abs(lam).max(), rel=1e-12) and c.mu == pytest.approx(lam.min(), rel=1e-12)
    dw = curvature_on_grid(DoubleWell(), n=5)      # 12 x^2 - 4 on [-2, 2]: from -4 to 44
    assert (dw.L, dw.mu) == (pytest.approx(44.0), pytest.approx(-4.0))


def test_power_iteration_matches_scipy_eigsh():
    rng = np.random.default_rng(2)
    M = rng.normal(size=(40, 40))
    H = M @ M.T / 40
    ref = scipy.sparse.linalg.eigsh(H, k=1, which="LA", return_eigenvectors=False)[0]
    assert power_iteration(lambda v: H @ v, 40, iters=2000, tol=1e-14) == pytest.approx(ref, rel=1e-8)
    with pytest.raises(ValueError, match=r"must be a function returning shape \(40,\); it returned shape \(3,\)"):
        power_iteration(lambda v: v[:3], 40)
    with pytest.raises(ValueError, match="dim=0 must be an integer >= 1"):
        power_iteration(lambda v: v, 0)


# ----------------------------------------------------------------------------- Armijo
def test_armijo_accepts_first_sufficient_step_and_counts_evals():
    rosen = Rosenbrock()
    x = np.array([-1.2, 1.0])
    g = rosen.grad(x)
    counter = Counting(rosen)
    res = armijo(counter.f, x, -g, g, fx=rosen.f(x), lr=1.0, c1=1e-4, shrink=0.5)
    slope = -g @ g
    assert res.f <= rosen.f(x) + 1e-4 * res.lr * slope                          # sufficient decrease
    assert not rosen.f(x - 2 * res.lr * g) <= rosen.f(x) + 1e-4 * 2 * res.lr * slope   # previous trial failed
    k = round(np.log(res.lr) / np.log(0.5))
    assert res.lr == 0.5 ** k and res.n_evals == k + 1 == counter.n
    assert res.f == rosen.f(x - res.lr * g)


def test_armijo_step_is_the_largest_power_of_half_with_sufficient_decrease():
    # Closed form on f = x^T diag(1, 10) x / 2 from x = (1, 1) along -g: f(x - a g) - f(x) =
    # -a |g|^2 + a^2 g^T A g / 2, so sufficient decrease holds iff a <= 2 (1 - c1) |g|^2 / (g^T A g).
    q = Quadratic(np.diag([1.0, 10.0]))
    x = np.array([1.0, 1.0])
    g = q.grad(x)
    a_max = 2 * (1 - 1e-4) * (g @ g) / (g @ q.A @ g)          # ~ 0.2018
    ours = armijo(q.f, x, -g, g, lr=1.0)
    assert ours.f <= q.f(x) + 1e-4 * ours.lr * (-g @ g)
    assert ours.lr <= a_max < 2 * ours.lr                      # halving from 1 must stop at 0.125
    assert ours.lr == 0.125 and ours.n_evals == 1 + 1 + 3      # f(x) + trials 1, 0.5, 0.25, 0.125
    assert armijo(q.f, x, -g, g, fx=q.f(x), lr=1.0).n_evals == 4   # f(x) passed: not counted


def test_armijo_errors():
    x, g = np.array([1.0]), np.array([2.0])
    with pytest.raises(ValueError, match=r"direction=array\(\[2.\]\) must be a descent direction \(grad\^T direction < 0\); grad\^T direction = 4"):
        armijo(lambda z: float(z @ z), x, g, g)
    with pytest.raises(ValueError, match=r"c1=1.5 must be in \(0, 1\)"):
        armijo(lambda z: float(z @ z), x, -g, g, c1=1.5)
    with pytest.raises(ValueError, match="fx=nan must be a finite number"):
        armijo(lambda z: float(z @ z), x, -g, g, fx=float("nan"))
    with pytest.raises(LineSearchError, match="after max_evals=5 evaluations .*the gradient may be wrong"):
        # A wrong-signed gradient (-2 instead of 2) makes +1 look like a descent direction.
        armijo(lambda z: float(z @ z), x, np.array([1.0]), -g, max_evals=5)


def test_exact_step_matches_scipy_minimize_scalar():
    rng = np.random.default_rng(3)
    M = rng.normal(size=(5, 5))
    q = Quadratic(M @ M.T + np.eye(5), b=rng.normal(size=5))
    x = rng.normal(size=5)
    g = q.grad(x)
    d = -g + 0.3 * rng.normal(size=5)
    assert g @ d < 0
    ref = scipy.optimize.minimize_scalar(lambda a: q.f(x + a * d), method="brent", tol=1e-12).x
    assert exact_step(q.A, g, d) == pytest.approx(ref, rel=1e-7)
    with pytest.raises(ValueError, match="must be a direction of positive curvature .*f has no minimum along it"):
        exact_step(np.diag([1.0, -1.0]), np.array([0.0, 1.0]), np.array([0.0, -1.0]))


def test_exact_line_search_zigzag_and_kantorovich_rate():
    # Steepest descent with exact steps from the worst start (1/mu, 1/L) gains exactly
    # ((kappa - 1) / (kappa + 1))^2 in f - f* per step, successive gradients orthogonal.
    mu, L = 1.0, 10.0
    q = Quadratic(np.diag([mu, L]))
    run = descent(q, [1 / mu, 1 / L], steps=20, step="exact")
    ratios = run.losses[1:] / run.losses[:-1]
    assert np.allclose(ratios, ((L - mu) / (L + mu)) ** 2, rtol=1e-10)
    grads = q.grad(run.xs)
    cos = np.sum(grads[1:] * grads[:-1], axis=1)
    assert np.allclose(cos, 0.0, atol=1e-12 * np.linalg.norm(grads[0]) ** 2)


def test_descent_fixed_step_equals_sgd_and_armijo_counts():
    q = Quadratic.from_eigenvalues([1.0, 10.0], rotation=0.5)
    run = descent(q, [-1.0, -3.0], steps=30, step=0.15)
    ref = ol.minimize(q, [-1.0, -3.0], ol.sgd(lr=0.15), steps=30)
    assert np.array_equal(run.xs, ref.xs) and np.all(run.n_evals == 0)
    ar = descent(q, [-1.0, -3.0], steps=30, step="armijo")
    assert np.all(np.diff(ar.losses) < 0)                    # monotone: sufficient decrease
    assert np.all(np.diff(ar.n_evals) == np.round(np.log(ar.lrs) / np.log(0.5)) + 1)


def test_descent_errors():
    q = Quadratic(np.eye(2))
    with pytest.raises(ValueError, match="step='newton' must be 'armijo', 'exact', 'polyak' or a number > 0"):
        descent(q, [1.0, 1.0], 3, step="newton")
    with pytest.raises(ValueError, match="step='exact' must be used with a Quadratic objective .*; got Rosenbrock"):
        descent(Rosenbrock(), [1.0, 1.0], 3, step="exact")
    with pytest.raises(ValueError, match="f_star=None must be the optimal value"):
        descent(q, [1.0, 1.0], 3, step="polyak")
    with pytest.raises(ValueError, match="step=-0.1 must be a finite number > 0"):
        descent(q, [1.0, 1.0], 3, step=-0.1)
    with pytest.raises(ValueError, match="lr=-3 must be left at its default unless step='armijo'; step=0.1 does not use it"):
        descent(q, [1.0, 1.0], 3, step=0.1, lr=-3)
    with pytest.raises(ValueError, match="c1=0.5 must be left at its default unless step='armijo'"):
        descent(q, [1.0, 1.0], 3, step="polyak", f_star=0.0, c1=0.5)


def test_descent_polyak_with_a_wrong_f_star_reports_divergence_with_a_hint():
    run = descent(Rosenbrock(), [-1.2, 1.0], steps=200, step="polyak", f_star=-1e6)
    assert run.diverged and run.diverged_at == 1
    assert "f_star=-1e+06 is probably below the true minimum of f" in run.hint
    fixed = descent(Quadratic(np.eye(2)), [1.0, 1.0], steps=20, step=3.0)
    assert fixed.diverged and fixed.hint == "the step 3 is too large: f blew up; try one 10x smaller"


# ----------------------------------------------------------------------------- Polyak
def test_polyak_halves_the_error_on_a_1d_quadratic():
    # f = a x^2 / 2: lr = (a x^2 / 2) / (a x)^2 = 1 / (2a), so x_{t+1} = x_t / 2 exactly.
    a = 3.0
    q = Quadratic(np.array([[a]]))
    run = descent(q, [8.0], steps=10, step="polyak", f_star=0.0)
    assert np.allclose(run.xs[:, 0], 8.0 * 0.5 ** np.arange(11), rtol=1e-14)
    assert np.allclose(run.lrs, 1 / (2 * a), rtol=1e-14) and run.n_evals[-1] == 10


def test_polyak_distance_never_increases_and_rate_bound():
    q = Quadratic.from_eigenvalues([1.0, 20.0], rotation=0.7)
    run = descent(q, [3.0, -2.0], steps=60, step="polyak", f_star=q.fmin)
    dist = np.linalg.norm(run.xs - q.minimizers[0], axis=1)
    assert np.all(np.diff(dist) <= 1e-15)
    assert np.all(dist[1:] / dist[:-1] <= np.sqrt(1 - q.mu / (4 * q.L)) + 1e-12)


def test_polyak_errors_and_cap():
    g = np.array([1.0, 1.0])
    assert polyak_lr(3.0, 1.0, g) == 1.0 and polyak_lr(3.0, 1.0, g, max_lr=0.25) == 0.25
    assert polyak_lr(3.0, 1.0, np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="f_star=None must be the optimal value"):
        polyak_lr(3.0, None, g)
    with pytest.raises(ValueError, match="f_star=nan must be the optimal value"):
        polyak_lr(3.0, float("nan"), g)
    with pytest.raises(ValueError, match="fx=0.5 must be >= f_star=1; f_star is not the minimum"):
        polyak_lr(0.5, 1.0, g)
    with pytest.raises(ValueError, match="max_lr=0.0 must be a finite number > 0"):
        polyak_lr(3.0, 1.0, g, max_lr=0)
    for bad in (np.array([np.nan, 1.0]), np.array([np.inf, 1.0])):
        with pytest.raises(ValueError, match=r"grad=array\(\[(nan|inf),  1.\]\) must be finite \(no NaN or infinite entries\)"):
            polyak_lr(3.0, 1.0, bad)


# ----------------------------------------------------------------------------- Newton
def test_newton_one_step_on_a_quadratic():
    rng = np.random.default_rng(4)
    M = rng.normal(size=(4, 4))
    q = Quadratic(M @ M.T + np.eye(4), b=rng.normal(size=4))
    run = newton(q, rng.normal(size=4), steps=1, damped=False)
    assert np.allclose(run.x, q.minimizers[0], rtol=0, atol=1e-12)


def test_pure_newton_iterates_equal_scipy_newton_in_1d():
    # Minimising f is finding a root of f'; scipy.optimize.newton iterates the same map.
    class Cosh:
        def f(self, x):
            return np.cosh(x[0] - 0.5) + 0.1 * x[0] ** 2

        def grad(self, x):
            return np.array([np.sinh(x[0] - 0.5) + 0.2 * x[0]])

        def hessian(self, x):
            return np.array([[np.cosh(x[0] - 0.5) + 0.2]])

    obj = Cosh()
    run = newton(obj, [2.0], steps=4, damped=False)
    for k in range(1, 5):
        ref = scipy.optimize.newton(lambda z: obj.grad([z])[0], 2.0, fprime=lambda z: obj.hessian([z])[0, 0],
                                    maxiter=k, tol=1e-300, disp=False)
        assert run.xs[k, 0] == pytest.approx(ref, rel=1e-13)


def test_damped_newton_converges_where_pure_newton_diverges():
    class Soft:   # f = sqrt(1 + x^2): pure Newton maps x to -x^3
        def f(self, x):
            return np.sqrt(1 + x[0] ** 2)

        def grad(self, x):
            return np.array([x[0] / np.sqrt(1 + x[0] ** 2)])

        def hessian(self, x):
            return np.array([[(1 + x[0] ** 2) ** -1.5]])

    pure = newton(Soft(), [1.1], steps=3, damped=False)
    assert np.allclose(pure.xs[:, 0], [1.1, -1.1 ** 3, 1.1 ** 9, -1.1 ** 27], rtol=1e-12)
    damped = newton(Soft(), [1.1], steps=30)
    # f - f* = x^2 / 2 reaches the rounding level of f = 1 at |x| ~ 1e-8, where the run stops.
    assert abs(damped.x[0]) < 1e-7 and damped.losses[-1] - 1.0 < 1e-15 and damped.lrs[0] < 1
    assert damped.converged_at is not None


def test_newton_matches_scipy_newton_cg_on_rosenbrock():
    rosen = Rosenbrock()
    run = newton(rosen, [-1.2, 1.0], steps=100)
    ref = scipy.optimize.minimize(rosen.f, [-1.2, 1.0], jac=rosen.grad, hess=rosen.hessian,
                                  method="Newton-CG", options={"xtol": 1e-12})
    assert np.allclose(run.x, ref.x, atol=1e-8) and np.allclose(run.x, [1.0, 1.0], atol=1e-9)
    assert run.converged_at is not None and np.all(np.diff(run.losses) <= 0)


def test_newton_errors():
    with pytest.raises(ValueError, match=r"hessian=\[\[2.0, 0.0\], \[0.0, -2.0\]\] must be positive definite for a Newton step; "
                                         "its smallest eigenvalue is -2"):
        newton(Saddle(), [0.5, 0.5], steps=3)
    with pytest.raises(ValueError, match=r"grad=array\(\[1., 1., 1.\]\) must be of shape \(2,\)"):
        newton_direction(np.ones(3), np.eye(2))
    with pytest.raises(ValueError, match="steps=-1 must be an integer >= 0"):
        newton(Rosenbrock(), [0.0, 0.0], steps=-1)


def test_exports():
    for name in ["armijo", "exact_step", "descent", "newton", "newton_direction", "polyak_lr",
                 "curvature", "curvature_on_grid", "power_iteration"]:
        assert callable(getattr(ol, name))


# ----------------------------------------------------------------------------- convex objectives
def _fd_hessian(obj, x, h=1e-5):
    return np.array([(obj.grad(x + h * e) - obj.grad(x - h * e)) / (2 * h) for e in np.eye(len(x))])


def test_least_squares_matches_lstsq_and_closed_form_hessian():
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.normal(size=(50, 3)), np.ones(50)])
    y = rng.normal(size=50)
    ls = ol.convex.LeastSquares(X, y)
    assert np.allclose(ls.minimizers[0], np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-12)
    x = rng.normal(size=4)
    assert ol.functions.check_grad(ls.f, ls.grad(x), x) < 1e-8
    assert np.allclose(ls.hessian(), 2 * X.T @ X / 50, rtol=1e-14)
    assert ls.L == pytest.approx(np.linalg.eigvalsh(2 * X.T @ X / 50)[-1], rel=1e-12)


def test_logistic_matches_sklearn_and_derivatives():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(6)
    X = np.column_stack([rng.normal(size=(80, 3)), np.ones(80)])
    y = (X[:, 0] + 0.5 * rng.normal(size=80) > 0).astype(float)
    lam = 0.1
    lg = ol.convex.Logistic(X, y, l2=lam).solve()
    # sklearn penalises |w|^2 / (2C) on the SUMMED loss: C = 1 / (n lam); the ones column is an
    # ordinary (penalised) feature when fit_intercept=False, as in Logistic.
    ref = LogisticRegression(C=1 / (80 * lam), fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, y)
    assert np.allclose(lg.minimizers[0], ref.coef_[0], atol=1e-6)
    x = rng.normal(size=4)
    assert ol.functions.check_grad(lg.f, lg.grad(x), x) < 1e-8
    assert np.allclose(lg.hessian(x), _fd_hessian(lg, x), atol=1e-8)
    H_max = X.T @ X / (4 * 80) + lam * np.eye(4)        # p(1 - p) <= 1/4
    assert lg.L == pytest.approx(np.linalg.eigvalsh(H_max)[-1], rel=1e-12) and lg.mu == lam
    assert np.linalg.eigvalsh(lg.hessian(x))[-1] <= lg.L
    big = np.full(4, 800.0)                             # no overflow warning far out
    assert np.isfinite(lg.f(big)) and np.all(np.isfinite(lg.grad(big)))
    with pytest.raises(ValueError, match="y=.* must be labels 0 and 1 only"):
        ol.convex.Logistic(X, 2 * y)


def test_pseudo_huber_derivatives():
    ph = ol.convex.PseudoHuber(dim=2)
    x = np.array([0.7, -1.3])
    assert ol.functions.check_grad(ph.f, ph.grad(x), x) < 1e-8
    assert np.allclose(ph.hessian(x), _fd_hessian(ph, x), atol=1e-8)
    assert np.linalg.eigvalsh(ph.hessian(x))[-1] <= 1.0
    with pytest.raises(ValueError, match=r"x=.* must be an array of shape \(\.\.\., 2\)"):
        ph.f(np.zeros(3))


def test_descent_reports_divergence_without_warnings():
    q = Quadratic(np.diag([1.0, 10.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = descent(q, [1.0, 1.0], steps=2000, step=0.25)      # > 2/L = 0.2
    assert run.diverged and run.diverged_at == run.n_steps + 1 and "too large" in run.hint
    assert np.all(np.isfinite(run.xs)) and np.all(np.abs(run.xs[1:, 1]) > np.abs(run.xs[:-1, 1]))


# ----------------------------------------------------------------------------- review fixes
def test_pure_newton_runaway_is_reported_as_divergence_not_non_convexity():
    # pseudo-Huber from 1.1: x -> -x^3 runs away; the curvature (1 + x^2)^(-3/2) underflows.
    with pytest.raises(FloatingPointError, match="(diverged|singular).*use damped=True"):
        newton(PseudoHuber(dim=1), [1.1], steps=12, damped=False)


def test_shape_errors_of_newton_and_curvature():
    with pytest.raises(ValueError, match=r"x0=\[1.0, 2.0, 3.0\] must be of shape \(2,\) for this objective"):
        newton(Rosenbrock(), [1.0, 2.0, 3.0], steps=3)
    with pytest.raises(ValueError, match="must be a non-empty square matrix"):
        curvature(np.zeros((0, 0)))


def test_power_iteration_refuses_to_return_an_unconverged_value():
    with pytest.raises(np.linalg.LinAlgError, match="did not converge in iters=200"):
        power_iteration(lambda v: np.diag([1.0, -1.0]) @ v, 2)


def test_logistic_solve_refuses_a_non_minimiser():
    X = np.column_stack([np.linspace(-3, 3, 40), np.ones(40)])
    y = (np.linspace(-3, 3, 40) + 0.5 * np.sin(np.arange(40)) > 0).astype(float)
    with pytest.raises(ValueError, match="steps=1 must be enough for Newton's method to converge"):
        Logistic(X, y, l2=1e-3).solve(steps=1)
    lg = Logistic(X, y, l2=1e-3).solve()
    assert np.linalg.norm(lg.grad(lg.minimizers[0])) < 1e-10
