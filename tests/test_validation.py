"""optlearn.validation: each check's accepted forms, refused forms and exact message."""

import numpy as np
import pytest

from optlearn import validation as V


def test_error_is_value_and_type_error():
    assert issubclass(V.InvalidArgumentError, ValueError) and issubclass(V.InvalidArgumentError, TypeError)


@pytest.mark.parametrize("call, message", [
    (lambda: V.check_non_negative("lr", -0.1), "lr=-0.1 must be a finite number >= 0"),
    (lambda: V.check_non_negative("lr", float("nan")), "lr=nan must be a finite number >= 0"),
    (lambda: V.check_non_negative("lr", True), "lr=True must be a finite number >= 0"),
    (lambda: V.check_non_negative("lr", "a"), "lr='a' must be a finite number >= 0"),
    (lambda: V.check_positive("x", 0), "x=0.0 must be a finite number > 0"),
    (lambda: V.check_in_range("b", 1.0, 0, 1, high_open=True), "b=1.0 must be in [0, 1)"),
    (lambda: V.check_in_range("f", 0.0, 0, 1, low_open=True), "f=0.0 must be in (0, 1]"),
    (lambda: V.check_in_range("f", None, 0, 1), "f=None must be a finite number in [0, 1]"),
    (lambda: V.check_number("h", 3.0, high=2), "h=3.0 must be a finite number <= 2"),
    (lambda: V.check_int("steps", 5.0), "steps=5.0 must be an integer >= 0"),
    (lambda: V.check_int("steps", True), "steps=True must be an integer >= 0"),
    (lambda: V.check_int("n", 0, low=1), "n=0 must be an integer >= 1"),
    (lambda: V.check_int("k", 7, low=1, high=5), "k=7 must be an integer in [1, 5]"),
    (lambda: V.check_int("k", -1, low=None), None),
    (lambda: V.check_bool("nesterov", "no"), "nesterov='no' must be True or False"),
    (lambda: V.check_bool("centered", 1), "centered=1 must be True or False"),
    (lambda: V.check_choice("task", "cls", ["a", "b"]), "task='cls' must be one of 'a', 'b'"),
    (lambda: V.check_choice("k", True, [1, 2]), "k=True must be one of 1, 2"),
    (lambda: V.check_callable("fn", 3), "fn=3 must be a callable"),
    (lambda: V.check_scalar_or_schedule("lr", True), "lr=True must be a finite number >= 0 or a schedule count -> lr"),
    (lambda: V.check_scalar_or_schedule("lr", -1), "lr=-1 must be a finite number >= 0 or a schedule count -> lr"),
    (lambda: V.check_float_array("params", [1.0]), "params=[1.0] must be a real floating-point numpy array; got list"),
    (lambda: V.check_float_array("params", np.array([1 + 2j])),
     "params=array([1.+2.j]) must be a real floating-point numpy array; got dtype complex128 (complex"),
    (lambda: V.check_float_array("params", np.arange(10)),
     "params=array(shape=(10,), dtype=int64) must be a real floating-point numpy array; got dtype int64"),
])
def test_messages(call, message):
    if message is None:
        assert call() == -1
        return
    with pytest.raises(V.InvalidArgumentError) as err:
        call()
    assert str(err.value).startswith(message)


def test_accepted_values_come_back_canonical():
    assert V.check_non_negative("a", np.float32(0.5)) == 0.5 and type(V.check_non_negative("a", 1)) is float
    assert V.check_int("n", np.int64(3)) == 3 and type(V.check_int("n", np.int64(3))) is int
    assert V.check_bool("b", np.bool_(True)) is True
    assert V.check_in_range("m", 0.0, 0, 1, high_open=True) == 0.0
    assert V.check_positive("p", 1e-300) == 1e-300
    f = lambda t: 0.1  # noqa: E731
    assert V.check_scalar_or_schedule("lr", f) is f and V.check_scalar_or_schedule("lr", 0) == 0.0
    a = np.zeros(2, dtype=np.float16)
    assert V.check_float_array("p", a) is a
    assert V.check_choice("c", 2, [1, 2]) == 2


@pytest.mark.parametrize("make, message", [
    (lambda: __import__("optlearn").momentum_ema(beta=1.0), r"beta=1.0 must be in \[0, 1\)"),
    (lambda: __import__("optlearn").transforms.scale_by_learning_rate(learning_rate=-1), r"learning_rate=-1 must be"),
    (lambda: __import__("optlearn").transforms.trace_classic(learning_rate=-1, momentum=0.5), r"learning_rate=-1 must be"),
    (lambda: __import__("optlearn").transforms.decoupled_weight_decay(0.1, learning_rate=-1), r"learning_rate=-1 must be"),
    (lambda: __import__("importlib").import_module("optlearn.adafactor").scale_by_factored_rms(eps1=-1), r"eps1=-1.0 must be"),
    (lambda: __import__("importlib").import_module("optlearn.adafactor").scale_by_relative_step(eps2=-1), r"eps2=-1.0 must be"),
    (lambda: __import__("optlearn").adafactor(eps=(-1, 1e-3)), r"eps\[0\]=-1.0 must be"),
    (lambda: __import__("optlearn").adafactor(eps=(None, -1)), r"eps\[1\]=-1.0 must be"),
    (lambda: __import__("optlearn").sgd(lr=-1), r"lr=-1 must be"),
])
def test_messages_name_the_argument_as_the_caller_spelled_it(make, message):
    with pytest.raises(ValueError, match="^" + message):
        make()


@pytest.mark.parametrize("make, message", [
    (lambda: __import__("optlearn").adam(lr=10**400), "lr=<an int of 401 digits, beyond float's range> must be a finite number >= 0"),
    (lambda: __import__("optlearn").adam(eps=10**400), "eps=<an int of 401 digits, beyond float's range> must be a finite number >= 0"),
    (lambda: __import__("optlearn").validation.check_number("x", -10**400), "x=<an int of 401 digits, beyond float's range> must be a finite number"),
])
def test_ints_beyond_float_range_get_a_clear_message(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("make, name, reason", [
    (lambda: __import__("optlearn").sgd(momentum=1.0), "momentum", "torch accepts momentum >= 1"),
    (lambda: __import__("optlearn").sgd(momentum=0.5, dampening=1.0), "dampening", "torch accepts dampening >= 1"),
    (lambda: __import__("optlearn").rmsprop(alpha=1.0), "alpha", "torch accepts alpha >= 1"),
    (lambda: __import__("optlearn").rmsprop(momentum=1.5), "momentum", "torch accepts momentum >= 1"),
    (lambda: __import__("optlearn").adadelta(rho=1.0), "rho", "torch accepts rho = 1"),
    (lambda: __import__("optlearn").muon(momentum=1.0), "momentum", "torch accepts momentum >= 1"),
])
def test_refusals_of_values_torch_accepts_say_so(make, name, reason):
    with pytest.raises(ValueError, match=rf"^{name}=1.\d must be in \[0, 1\); {reason}, but .*refused here"):
        make()


def test_betas_which_torch_also_refuses_get_no_torch_note():
    import optlearn as _ol
    with pytest.raises(ValueError) as info:
        _ol.adam(betas=(1.0, 0.9))
    assert str(info.value) == "betas[0]=1.0 must be in [0, 1)"
