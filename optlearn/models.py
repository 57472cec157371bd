"""Small models with exact, hand-written gradients (numpy only).

Every model has

* ``init_params(seed=0)``: seeded initial parameters, a dict name -> array,
* ``loss_and_grad(params, X, y, *, train=True, rng=None) -> (loss, grads)``:
  the mean loss over the rows of ``X`` plus the penalties, and its gradient
  (a dict with the keys of ``params``),
* ``loss(params, X, y)``: the same loss in evaluation mode, without the gradient,
* ``predict(params, X)``, and for classifiers ``predict_proba`` and ``accuracy``.

Penalties: ``l2`` adds ``l2/2 * sum(W**2)`` (gradient ``l2 * W``, i.e. weight
decay ``l2``) and ``l1`` adds ``l1 * sum(|W|)`` (subgradient ``l1 * sign(W)``)
over the *weight matrices only*; biases are never penalised.

Example:
    >>> import numpy as np
    >>> model = LinearRegression(n_features=2)
    >>> params = model.init_params(seed=0)
    >>> X, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 2.0])
    >>> loss, grads = model.loss_and_grad(params, X, y)
    >>> sorted(grads)
    ['W', 'b']
"""

from __future__ import annotations

import numpy as np

from optlearn.validation import check_choice, check_in_range, check_int, check_non_negative, fail

__all__ = ["Model", "LinearRegression", "LogisticRegression", "SoftmaxRegression", "MLP", "sigmoid", "log_softmax"]

Params = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``, computed without overflow.

    Example:
        >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        array([0. , 0.5, 1. ])
    """
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``z - logsumexp(z)`` along the last axis, stable for large ``z``.

    Example:
        >>> np.exp(log_softmax(np.array([[1000.0, 1000.0]])))
        array([[0.5, 0.5]])
    """
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


class Model:
    """Base class: input validation, penalties and the evaluation-mode ``loss``.

    Example:
        >>> LogisticRegression(3).is_classifier
        True
    """

    is_classifier = False
    n_features: int
    l1: float = 0.0
    l2: float = 0.0

    def _weight_names(self) -> list[str]:
        return ["W"]

    def init_params(self, seed: int = 0) -> Params:
        raise NotImplementedError

    def loss_and_grad(self, params: Params, X, y, *, train: bool = True, rng=None):
        raise NotImplementedError

    def _linear(self, params: Params, X) -> np.ndarray:
        """``X W + b``, after checking ``X`` and the parameters' shapes."""
        self._check_params(params, self._shapes())
        return self._check_X(X) @ params["W"] + params["b"]

    def loss(self, params: Params, X, y) -> float:
        """The loss in evaluation mode (no dropout), penalties included."""
        return self.loss_and_grad(params, X, y, train=False)[0]

    # -- validation -------------------------------------------------------
    def _check_penalties(self, l1: float, l2: float) -> None:
        self.l1, self.l2 = check_non_negative("l1", l1), check_non_negative("l2", l2)

    def _check_X(self, X) -> np.ndarray:
        X_in, X = X, np.asarray(X)
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool) or np.iscomplexobj(X):
            raise fail("X", X_in, "a real numeric array", f"got dtype {X.dtype}")
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise fail("X", X_in, f"an array of shape (n, {self.n_features}) for this model", f"got shape {X.shape}")
        return X.astype(float, copy=False)

    def _check_params(self, params: Params, expected: dict[str, tuple]) -> None:
        if not isinstance(params, dict) or set(params) != set(expected):
            got = f"keys {sorted(params)}" if isinstance(params, dict) else f"a {type(params).__name__}"
            raise fail("params", params, f"a dict with keys {sorted(expected)}", f"got {got}")
        for k, shape in expected.items():
            if np.shape(params[k]) != shape:
                raise fail(f"params[{k!r}]", params[k], f"an array of shape {shape}", f"got shape {np.shape(params[k])}")

    def _check_y_len(self, X: np.ndarray, y) -> np.ndarray:
        y_in, y = y, np.asarray(y)
        if y.shape[:1] != X.shape[:1]:
            raise fail("y", y_in, f"an array with one entry per row of X ({X.shape[0]})", f"got shape {y.shape}")
        return y

    def _check_targets(self, X, y, shape_tail=()) -> np.ndarray:
        y = self._check_y_len(X, y)
        if not np.issubdtype(y.dtype, np.number) or y.shape[1:] != shape_tail:
            raise fail("y", y, f"a real array of shape (n{', ' if shape_tail else ''}"
                       f"{', '.join(map(str, shape_tail))})", f"got shape {y.shape}, dtype {y.dtype}")
        return y.astype(float, copy=False)

    def _check_labels(self, X, y, n_classes: int) -> np.ndarray:
        y = self._check_y_len(X, y)
        if y.ndim != 1 or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
            raise fail("y", y, "a 1-D array of integer class labels", f"got shape {y.shape}, dtype {y.dtype}")
        labels = y.astype(np.int64)
        if np.any(labels != y) or np.any(labels < 0) or np.any(labels >= n_classes):
            raise fail("y", y, f"class labels in 0..{n_classes - 1}", f"got values {np.unique(y)[:10]}")
        return labels

    # -- penalties --------------------------------------------------------
    def _penalty(self, params: Params, grads: Params) -> float:
        """Add the penalty gradients to ``grads`` in place; return the penalty value."""
        total = 0.0
        for k in self._weight_names():
            W = params[k]
            if self.l2:
                total += 0.5 * self.l2 * float(np.sum(W * W))
                grads[k] = grads[k] + self.l2 * W
            if self.l1:
                total += self.l1 * float(np.sum(np.abs(W)))
                grads[k] = grads[k] + self.l1 * np.sign(W)
        return total


class _LinearModel(Model):
    """A model with one weight per feature and a bias: ``z = X W + b``."""

    def __init__(self, n_features: int, *, l2: float = 0.0, l1: float = 0.0):
        self.n_features = check_int("n_features", n_features, low=1)
        self._check_penalties(l1, l2)

    def _shapes(self):
        return {"W": (self.n_features,), "b": (1,)}

    def init_params(self, seed: int = 0) -> Params:
        """Small Gaussian weights (std 0.01), zero bias."""
        rng = np.random.default_rng(seed)
        return {"W": rng.normal(0.0, 0.01, self.n_features), "b": np.zeros(1)}


class LinearRegression(_LinearModel):
    """``y_hat = X W + b`` with the mean squared error ``mean((y_hat - y)^2)``.

    Args:
        n_features: number of columns of ``X``.
        l2, l1: penalty strengths on ``W`` (see the module docstring).

    Example:
        >>> m = LinearRegression(1)
        >>> p = {"W": np.array([2.0]), "b": np.array([1.0])}
        >>> m.predict(p, np.array([[1.0], [2.0]]))
        array([3., 5.])
    """


    def predict(self, params: Params, X) -> np.ndarray:
        return self._linear(params, X)

    def loss_and_grad(self, params, X, y, *, train=True, rng=None):
        X = self._check_X(X)
        y = self._check_targets(X, y)
        residual = self.predict(params, X) - y
        n = X.shape[0]
        grads = {"W": 2.0 / n * X.T @ residual, "b": np.array([2.0 / n * residual.sum()])}
        loss = float(np.mean(residual**2)) + self._penalty(params, grads)
        return loss, grads


class LogisticRegression(_LinearModel):
    """Binary classifier ``p = sigmoid(X W + b)`` with the mean binary cross-entropy,
    computed from the logits as ``softplus(z) - y z`` (stable for any ``z``).

    Labels ``y`` must be 0 or 1.

    Example:
        >>> m = LogisticRegression(1)
        >>> p = {"W": np.array([1.0]), "b": np.array([0.0])}
        >>> m.predict(p, np.array([[-2.0], [3.0]]))
        array([0, 1])
    """

    is_classifier = True
    n_classes = 2


    def logits(self, params: Params, X) -> np.ndarray:
        return self._linear(params, X)

    def predict_proba(self, params: Params, X) -> np.ndarray:
        """The probability of class 1 for each row."""
        return sigmoid(self.logits(params, X))

    def predict(self, params: Params, X) -> np.ndarray:
        return (self.logits(params, X) > 0).astype(np.int64)

    def accuracy(self, params: Params, X, y) -> float:
        """Fraction of rows whose predicted class equals ``y``."""
        y = self._check_labels(self._check_X(X), y, 2)
        return float(np.mean(self.predict(params, X) == y))

    def loss_and_grad(self, params, X, y, *, train=True, rng=None):
        X = self._check_X(X)
        y = self._check_labels(X, y, 2)
        z = self.logits(params, X)
        n = X.shape[0]
        dz = (sigmoid(z) - y) / n
        grads = {"W": X.T @ dz, "b": np.array([dz.sum()])}
        loss = float(np.mean(np.logaddexp(0.0, z) - y * z)) + self._penalty(params, grads)
        return loss, grads


def _softmax_xent(z: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of logits ``z`` (n, k) and its gradient w.r.t. ``z``."""
    logp = log_softmax(z)
    n = z.shape[0]
    loss = -float(np.mean(logp[np.arange(n), labels]))
    dz = np.exp(logp)
    dz[np.arange(n), labels] -= 1.0
    return loss, dz / n


class SoftmaxRegression(Model):
    """Multi-class classifier ``softmax(X W + b)`` with the mean cross-entropy
    (log-sum-exp computed stably). Labels are integers ``0..n_classes-1``.

    Example:
        >>> m = SoftmaxRegression(n_features=4, n_classes=3)
        >>> {k: v.shape for k, v in m.init_params().items()}
        {'W': (4, 3), 'b': (3,)}
    """

    is_classifier = True

    def __init__(self, n_features: int, n_classes: int, *, l2: float = 0.0, l1: float = 0.0):
        self.n_features = check_int("n_features", n_features, low=1)
        self.n_classes = check_int("n_classes", n_classes, low=2)
        self._check_penalties(l1, l2)

    def _shapes(self):
        return {"W": (self.n_features, self.n_classes), "b": (self.n_classes,)}

    def init_params(self, seed: int = 0) -> Params:
        """Small Gaussian weights (std 0.01), zero biases."""
        rng = np.random.default_rng(seed)
        return {"W": rng.normal(0.0, 0.01, self._shapes()["W"]), "b": np.zeros(self.n_classes)}

    def logits(self, params: Params, X) -> np.ndarray:
        return self._linear(params, X)

    def predict_proba(self, params: Params, X) -> np.ndarray:
        """Class probabilities, shape ``(n, n_classes)``."""
        return np.exp(log_softmax(self.logits(params, X)))

    def predict(self, params: Params, X) -> np.ndarray:
        return np.argmax(self.logits(params, X), axis=1)

    def accuracy(self, params: Params, X, y) -> float:
        """Fraction of rows whose predicted class equals ``y``."""
        y = self._check_labels(self._check_X(X), y, self.n_classes)
        return float(np.mean(self.predict(params, X) == y))

    def loss_and_grad(self, params, X, y, *, train=True, rng=None):
        X = self._check_X(X)
        labels = self._check_labels(X, y, self.n_classes)
        loss, dz = _softmax_xent(self.logits(params, X), labels)
        grads = {"W": X.T @ dz, "b": dz.sum(axis=0)}
        return loss + self._penalty(params, grads), grads


_ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z, h: 1.0 - h**2),
}


class MLP(Model):
    """A fully connected network ``layer_sizes[0] -> ... -> layer_sizes[-1]`` with
    hand-written backpropagation.

    Args:
        layer_sizes: ``[n_features, hidden_1, ..., n_out]`` (at least two entries).
        activation: ``"relu"`` (He initialisation) or ``"tanh"`` (Glorot/Xavier).
        task: ``"classification"`` (softmax cross-entropy, ``n_out >= 2`` classes,
            integer labels) or ``"regression"`` (mean squared error; ``y`` has
            shape ``(n,)`` if ``n_out == 1`` else ``(n, n_out)``).
        l2, l1: penalty strengths on the weight matrices ``W0, W1, ...`` (biases are not penalised).
        dropout: probability of zeroing each hidden unit in training mode
            (inverted dropout: survivors are scaled by ``1/(1-dropout)``, so nothing
            changes at evaluation). With ``dropout > 0``, ``loss_and_grad(..., train=True)``
            needs ``rng`` (a ``numpy.random.Generator`` or an int seed) for the masks.

    Parameters are ``{"W0", "b0", "W1", "b1", ...}`` with ``W_i`` of shape
    ``(layer_sizes[i], layer_sizes[i+1])``.

    Example:
        >>> net = MLP([2, 8, 3], activation="tanh")
        >>> params = net.init_params(seed=0)
        >>> sorted(params)
        ['W0', 'W1', 'b0', 'b1']
        >>> net.predict(params, np.zeros((5, 2))).shape
        (5,)
    """

    def __init__(self, layer_sizes, activation: str = "relu", task: str = "classification", *,
                 l2: float = 0.0, l1: float = 0.0, dropout: float = 0.0):
        expect = "a list of at least two integer sizes >= 1 ([n_features, hidden..., n_out])"
        if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
            raise fail("layer_sizes", layer_sizes, expect)
        for size in layer_sizes:
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
                raise fail("layer_sizes", layer_sizes, expect)
        sizes = [int(s) for s in layer_sizes]
        check_choice("activation", activation, sorted(_ACTIVATIONS))
        check_choice("task", task, ["classification", "regression"])
        if task == "classification" and sizes[-1] < 2:
            raise fail("layer_sizes", layer_sizes, "a list ending with >= 2 outputs (classes) for classification")
        dropout = check_in_range("dropout", dropout, 0, 1, high_open=True)
        self.sizes, self.activation, self.task, self.dropout = sizes, activation, task, float(dropout)
        self.n_features, self.n_layers = sizes[0], len(sizes) - 1
        self.is_classifier = task == "classification"
        self.n_classes = sizes[-1] if self.is_classifier else None
        self._check_penalties(l1, l2)

    def _weight_names(self):
        return [f"W{i}" for i in range(self.n_layers)]

    def _shapes(self):
        shapes = {}
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            shapes[f"W{i}"], shapes[f"b{i}"] = (fan_in, fan_out), (fan_out,)
        return shapes

    def init_params(self, seed: int = 0) -> Params:
        """Gaussian weights with std ``sqrt(2/fan_in)`` (relu) or ``sqrt(1/fan_in)`` (tanh), zero biases."""
        rng = np.random.default_rng(seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        params = {}
        for name, shape in self._shapes().items():
            params[name] = rng.normal(0.0, np.sqrt(gain / shape[0]), shape) if name[0] == "W" else np.zeros(shape)
        return params

    def _forward(self, params, X, train, rng):
        """Return the output and the per-layer cache ``(input, z, h, mask)`` for backprop."""
        act = _ACTIVATIONS[self.activation][0]
        use_dropout = train and self.dropout > 0
        if use_dropout:
            if rng is None:
                raise fail("rng", rng, "a numpy Generator or an int seed when dropout > 0 and train=True")
            rng = np.random.default_rng(rng)
        a, cache = X, []
        for i in range(self.n_layers - 1):
            z = a @ params[f"W{i}"] + params[f"b{i}"]
            h = act(z)
            mask = (rng.random(h.shape) >= self.dropout) / (1.0 - self.dropout) if use_dropout else None
            cache.append((a, z, h, mask))
            a = h * mask if use_dropout else h
        last = self.n_layers - 1
        return a @ params[f"W{last}"] + params[f"b{last}"], cache, a

    def _output(self, params, X, train=False, rng=None):
        self._check_params(params, self._shapes())
        return self._forward(params, self._check_X(X), train, rng)[0]

    def predict_proba(self, params: Params, X) -> np.ndarray:
        """Class probabilities, shape ``(n, n_classes)`` (classification only)."""
        if not self.is_classifier:
            raise fail("task", self.task, "'classification' for predict_proba")
        return np.exp(log_softmax(self._output(params, X)))

    def predict(self, params: Params, X) -> np.ndarray:
        """Class labels (classification) or the regression output (evaluation mode)."""
        out = self._output(params, X)
        if self.is_classifier:
            return np.argmax(out, axis=1)
        return out[:, 0] if self.sizes[-1] == 1 else out

    def accuracy(self, params: Params, X, y) -> float:
        """Fraction of rows whose predicted class equals ``y`` (classification only)."""
        if not self.is_classifier:
            raise fail("task", self.task, "'classification' for accuracy")
        y = self._check_labels(self._check_X(X), y, self.n_classes)
        return float(np.mean(self.predict(params, X) == y))

    def _output_loss(self, out, X, y):
        if self.is_classifier:
            return _softmax_xent(out, self._check_labels(X, y, self.n_classes))
        tail = () if self.sizes[-1] == 1 else (self.sizes[-1],)
        y = self._check_targets(X, y, tail).reshape(out.shape)
        residual = out - y
        return float(np.mean(np.sum(residual**2, axis=1))), 2.0 * residual / out.shape[0]

    def loss_and_grad(self, params, X, y, *, train=True, rng=None):
        self._check_params(params, self._shapes())
        X = self._check_X(X)
        out, cache, a_last = self._forward(params, X, train, rng)
        loss, d = self._output_loss(out, X, y)
        last = self.n_layers - 1
        grads = {f"W{last}": a_last.T @ d, f"b{last}": d.sum(axis=0)}
        d_act = _ACTIVATIONS[self.activation][1]
        da = d @ params[f"W{last}"].T
        for i in reversed(range(last)):
            a_in, z, h, mask = cache[i]
            if mask is not None:
                da = da * mask
            dz = da * d_act(z, h)
            grads[f"W{i}"], grads[f"b{i}"] = a_in.T @ dz, dz.sum(axis=0)
            da = dz @ params[f"W{i}"].T
        grads = {k: grads[k] for k in params}  # same key order as params
        return loss + self._penalty(params, grads), grads
