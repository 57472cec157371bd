"""Models: exact gradients (with and without penalties), predictions, validation."""

import numpy as np
import pytest

from optlearn.functions import check_grad
from optlearn.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression, log_softmax, sigmoid

rng = np.random.default_rng(0)
X = rng.normal(size=(12, 3))
Y_REG, Y_BIN, Y_CLS = rng.normal(size=12), rng.integers(0, 2, 12), rng.integers(0, 4, 12)
PENALTIES = [{}, {"l2": 0.3}, {"l1": 0.2}, {"l1": 0.1, "l2": 0.5}]


def cases():
    for pen in PENALTIES:
        yield LinearRegression(3, **pen), Y_REG
        yield LogisticRegression(3, **pen), Y_BIN
        yield SoftmaxRegression(3, 4, **pen), Y_CLS
        for act in ("relu", "tanh"):
            yield MLP([3, 5, 4], activation=act, **pen), Y_CLS
            yield MLP([3, 6, 5, 1], activation=act, task="regression", **pen), Y_REG
    yield MLP([3, 4, 2], task="regression"), rng.normal(size=(12, 2))


@pytest.mark.parametrize("model, y", list(cases()), ids=lambda v: type(v).__name__)
def test_gradient_matches_central_differences(model, y):
    for seed in (0, 1):
        params = model.init_params(seed)
        params = {k: v + 0.3 * np.random.default_rng(seed + 10).normal(size=v.shape) for k, v in params.items()}
        loss, grads = model.loss_and_grad(params, X, y)
        assert loss == pytest.approx(model.loss(params, X, y), rel=1e-12)
        assert check_grad(lambda p: model.loss_and_grad(p, X, y)[0], grads, params) <= 1e-6


def test_dropout_gradient_is_exact_for_a_fixed_mask_and_inverted():
    net = MLP([3, 50, 4], dropout=0.5)
    p = net.init_params(0)
    loss, grads = net.loss_and_grad(p, X, Y_CLS, rng=7)
    assert check_grad(lambda q: net.loss_and_grad(q, X, Y_CLS, rng=7)[0], grads, p) <= 1e-6
    assert net.loss_and_grad(p, X, Y_CLS, rng=7)[0] == loss            # same seed, same mask
    assert net.loss_and_grad(p, X, Y_CLS, rng=8)[0] != loss
    assert net.loss_and_grad(p, X, Y_CLS, train=False)[0] == net.loss(p, X, Y_CLS)
    # inverted dropout keeps the expected hidden activation: mean over many masks ~ eval output
    outs = [net._forward(p, X, True, np.random.default_rng(s))[0] for s in range(4000)]
    np.testing.assert_allclose(np.mean(outs, axis=0), net._forward(p, X, False, None)[0], atol=0.1)


def test_init_is_seeded_and_named():
    net = MLP([3, 5, 5, 2])
    assert sorted(net.init_params(1)) == ["W0", "W1", "W2", "b0", "b1", "b2"]
    np.testing.assert_array_equal(net.init_params(1)["W1"], net.init_params(1)["W1"])
    assert not np.array_equal(net.init_params(1)["W1"], net.init_params(2)["W1"])


def test_biases_are_not_penalised():
    m0, m1 = LinearRegression(3), LinearRegression(3, l2=1.0, l1=1.0)
    p = {"W": np.zeros(3), "b": np.array([5.0])}
    assert m0.loss(p, X, Y_REG) == m1.loss(p, X, Y_REG)


def test_stable_for_huge_logits():
    m = LogisticRegression(1)
    p = {"W": np.array([1e4]), "b": np.zeros(1)}
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, g = m.loss_and_grad(p, np.array([[1.0], [-1.0]]), np.array([0, 1]))
    assert loss == pytest.approx(1e4) and np.all(np.isfinite(g["W"]))
    np.testing.assert_allclose(np.exp(log_softmax(np.array([[1e5, 0.0]]))), [[1.0, 0.0]])
    np.testing.assert_allclose(sigmoid(np.array([-1e5, 1e5])), [0.0, 1.0])


def test_predictions_and_accuracy():
    m = SoftmaxRegression(2, 3)
    p = {"W": np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]), "b": np.zeros(3)}
    Xs = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0]])
    np.testing.assert_array_equal(m.predict(p, Xs), [0, 1, 2])
    assert m.accuracy(p, Xs, [0, 1, 1]) == pytest.approx(2 / 3)
    np.testing.assert_allclose(m.predict_proba(p, Xs).sum(axis=1), 1.0)


BAD = [
    (lambda: LinearRegression(3).loss_and_grad(LinearRegression(3).init_params(), X[:, :2], Y_REG), 'X=array(shape=(12, 2), dtype=float64) must be an array of shape (n, 3) for '),
    (lambda: LinearRegression(3).loss_and_grad(LinearRegression(3).init_params(), X, Y_REG[:5]), 'y=array(shape=(5,), dtype=float64) must be an array with one entry per row '),
    (lambda: LinearRegression(3).loss_and_grad({"W": np.zeros(2), "b": np.zeros(1)}, X, Y_REG), "params['W']=array([0., 0.]) must be an array of shape (3,); got shape (2,)"),
    (lambda: LinearRegression(3).loss_and_grad({"w": np.zeros(3)}, X, Y_REG), "params={'w': array([0., 0., 0.])} must be a dict with keys ['W', 'b']; got "),
    (lambda: LinearRegression(3).loss_and_grad(LinearRegression(3).init_params(), X.astype(str), Y_REG), 'X=array(shape=(12, 3), dtype=<U32) must be a real numeric array; got dtype '),
    (lambda: LogisticRegression(3).loss_and_grad(LogisticRegression(3).init_params(), X, Y_CLS), 'y=array(shape=(12,), dtype=int64) must be class labels in 0..1; got values '),
    (lambda: SoftmaxRegression(3, 4).loss_and_grad(SoftmaxRegression(3, 4).init_params(), X, Y_REG), 'y=array(shape=(12,), dtype=float64) must be class labels in 0..3; got value'),
    (lambda: SoftmaxRegression(3, 4).accuracy(SoftmaxRegression(3, 4).init_params(), X, Y_CLS + 4), 'y=array(shape=(12,), dtype=int64) must be class labels in 0..3; got values '),
    (lambda: MLP([3, 4, 2], activation="sigmoid"), "activation='sigmoid' must be one of 'relu', 'tanh'"),
    (lambda: MLP([3, 4, 2], task="ranking"), "task='ranking' must be one of 'classification', 'regression'"),
    (lambda: MLP([3, 4, 1]), 'layer_sizes=[3, 4, 1] must be a list ending with >= 2 outputs (classes) for'),
    (lambda: MLP([3]), 'layer_sizes=[3] must be a list of at least two integer sizes >= 1 ([n_featu'),
    (lambda: MLP([3, 4, 2], dropout=1.0), 'dropout=1.0 must be in [0, 1)'),
    (lambda: MLP([3, 4, 2], dropout=0.5).loss_and_grad(MLP([3, 4, 2]).init_params(), X, Y_BIN), 'rng=None must be a numpy Generator or an int seed when dropout > 0 and trai'),
    (lambda: LinearRegression(3, l2=-1.0), 'l2=-1.0 must be a finite number >= 0'),
    (lambda: MLP([3, 4, 2], task="regression").loss_and_grad(MLP([3, 4, 2], task="regression").init_params(), X, Y_REG), 'y=array(shape=(12,), dtype=float64) must be a real array of shape (n, 2); g'),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(match), str(err.value)


@pytest.mark.parametrize("activation, gain", [("relu", 2.0), ("tanh", 1.0)])
def test_mlp_initial_weights_are_he_or_glorot_scaled_draws_of_the_seeded_generator(activation, gain):
    """W_i = N(0, gain / fan_in) drawn in layer order from default_rng(seed); biases zero."""
    net = MLP([5, 7, 3], activation=activation)
    params = net.init_params(seed=4)
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(params["W0"], rng.normal(0.0, np.sqrt(gain / 5), (5, 7)))
    np.testing.assert_array_equal(params["W1"], rng.normal(0.0, np.sqrt(gain / 7), (7, 3)))
    assert not params["b0"].any() and not params["b1"].any()
