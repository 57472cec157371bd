"""Data generators, real data, splitting and standardising."""

import numpy as np
import pytest

from optlearn import datasets as D


@pytest.mark.parametrize("make", [lambda s: D.linear(50, 3, 0.1, s), lambda s: D.polynomial(20, 3, 0.2, s),
                                  lambda s: D.two_moons(50, 0.1, s), lambda s: D.spirals(60, 3, 0.2, s),
                                  lambda s: D.sparse_features(100, 20, seed=s)])
def test_seeded(make):
    a, b, c = make(0), make(0), make(1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


def test_linear_and_polynomial_ground_truth():
    X, y, w = D.linear(40, 3, noise=0.0, seed=2, bias=1.5)
    np.testing.assert_allclose(X @ w + 1.5, y, atol=1e-12)
    x, y, coef = D.polynomial(30, degree=2, noise=0.0, seed=1)
    np.testing.assert_allclose(D.poly_features(x, 2, include_bias=True) @ coef, y, atol=1e-12)
    assert D.poly_features(x, 5).shape == (30, 5)


def test_classification_sets():
    X, y = D.two_moons(101, seed=0)
    assert X.shape == (101, 2) and np.bincount(y).tolist() == [50, 51]
    X, y = D.spirals(300, classes=5)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [60] * 5


def test_sparse_features_rare_and_informative():
    X, y, w, rare = D.sparse_features(5000, d=30, n_rare=5, rare_prob=0.02, frequent_prob=0.5, seed=0)
    assert rare.sum() == 5 and np.all(w[~rare] == 0) and np.all(np.abs(w[rare]) >= 2)
    freq = X.mean(axis=0)
    assert freq[rare].max() < 0.05 < 0.4 < freq[~rare].min()
    _, yc, _, _ = D.sparse_features(100, d=10, n_rare=2, task="classification")
    assert set(yc.tolist()) <= {0, 1}


def test_real_data_is_bundled():
    X, y = D.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and set(y.tolist()) == set(range(10))
    X, y = D.breast_cancer()
    assert X.shape == (569, 30) and set(y.tolist()) == {0, 1}


def test_split_and_standardize():
    X, y = np.arange(200.0).reshape(100, 2), np.arange(100)
    tr, va, te = D.train_val_test_split(X, y, (0.7, 0.2, 0.1), seed=3)
    assert (len(tr.X), len(va.X), len(te.X)) == (70, 20, 10)
    assert sorted(np.concatenate([tr.y, va.y, te.y]).tolist()) == list(range(100))
    np.testing.assert_array_equal(tr.X[:, 0], 2 * tr.y)
    Ztr, Zva, mean, std = D.standardize(tr.X, va.X)
    np.testing.assert_allclose(Ztr.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Ztr.std(0), 1.0, atol=1e-12)
    np.testing.assert_allclose(Zva, (va.X - mean) / std)


@pytest.mark.parametrize("call, match", [
    (lambda: D.train_val_test_split(np.zeros((4, 1)), np.zeros(3)), 'y=array([0., 0., 0.]) must be an array with one entry per row of X (4); got'),
    (lambda: D.train_val_test_split(np.zeros((4, 1)), np.zeros(4), (0.5, 0.5, 0.5)), 'fractions=(0.5, 0.5, 0.5) must be three numbers >= 0 summing to 1'),
    (lambda: D.linear(0), 'n=0 must be an integer >= 1'),
    (lambda: D.spirals(10, classes=1), 'classes=1 must be an integer >= 2'),
    (lambda: D.sparse_features(10, d=5, n_rare=6), 'n_rare=6 must be an integer in [0, 5]'),
    (lambda: D.poly_features(np.zeros((2, 2)), 3), 'x=array([[0., 0.],'),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(match), str(err.value)
