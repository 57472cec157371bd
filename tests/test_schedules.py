"""optlearn.schedules against torch.optim.lr_scheduler fixtures (rtol 1e-10)."""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

from optlearn import schedules

FIXTURES = json.loads((pathlib.Path(__file__).parent / "fixtures" / "torch_schedules.json").read_text())["cases"]


def _id(case):
    return case["name"] + "(" + ",".join(f"{k}={v}" for k, v in case["kwargs"].items()) + ")"


@pytest.mark.parametrize("case", FIXTURES, ids=_id)
def test_matches_torch_scheduler(case):
    schedule = getattr(schedules, case["name"])(**case["kwargs"])
    expected = np.array(case["lrs"])
    ours = np.array([schedule(t) for t in range(len(expected))])
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-15)
    # the array form gives the same values (for plotting)
    np.testing.assert_allclose(schedule(np.arange(len(expected))), ours, rtol=1e-14, atol=1e-16)


def _vaswani(step_num: np.ndarray, d_model: int, warmup_steps: int) -> np.ndarray:
    """Equation (3) of Vaswani et al. (2017), arXiv:1706.03762, step_num = 1, 2, ..."""
    return d_model ** -0.5 * np.minimum(step_num ** -0.5, step_num * warmup_steps ** -1.5)


@pytest.mark.parametrize("d_model, w", [(512, 4000), (1024, 4000), (64, 7), (16, 1)])
def test_inverse_sqrt_is_the_transformer_schedule(d_model, w):
    t = np.arange(3 * w + 50)
    s = schedules.inverse_sqrt((d_model * w) ** -0.5, warmup_steps=w)
    np.testing.assert_allclose(s(t), _vaswani(t + 1.0, d_model, w), rtol=1e-12, atol=0)
    assert s(w - 1) == pytest.approx((d_model * w) ** -0.5, rel=1e-14)   # the peak


def test_inverse_sqrt_warms_up_linearly_then_decays():
    w, lr = 5, 0.1
    s = schedules.inverse_sqrt(lr, warmup_steps=w)
    ramp = s(np.arange(w))
    np.testing.assert_allclose(ramp, lr * np.arange(1, w + 1) / w, rtol=1e-14)   # lr/w, 2lr/w, ..., lr
    np.testing.assert_allclose(np.diff(ramp), lr / w, rtol=1e-12)                  # linear
    tail = np.arange(w - 1, 200)
    np.testing.assert_allclose(s(tail), lr * np.sqrt(w / (tail + 1.0)), rtol=1e-14)
    assert np.all(np.diff(s(tail)) < 0)
    # the same values as torch's LambdaLR with this lambda (the documented PyTorch spelling)
    lam = [min((k + 1) / w, math.sqrt(w / (k + 1))) for k in range(60)]
    np.testing.assert_allclose(s(np.arange(60)), lr * np.array(lam), rtol=1e-14)
    assert schedules.inverse_sqrt(1.0)(3) == 0.5                                    # w = 1: 1/sqrt(t+1)


def test_scalar_in_float_out():
    s = schedules.cosine_annealing(0.1, 10)
    assert isinstance(s(3), float) and isinstance(s(np.int64(3)), float)
    assert s(np.arange(4)).shape == (4,)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: schedules.constant(-1.0), r"lr=-1.0 must be a finite number >= 0"),
        (lambda: schedules.inverse_sqrt(0.1, warmup_steps=0), r"warmup_steps=0 must be an integer >= 1"),
        (lambda: schedules.exponential(0.1, gamma=-0.5), r"gamma=-0.5 must be"),
        (lambda: schedules.cosine_annealing(0.1, T_max=0), r"T_max=0 must be an integer >= 1"),
        (lambda: schedules.linear_warmup(0.1, start_factor=0.0), r"start_factor=0.0 must be in \(0, 1\]"),
        (lambda: schedules.warmup_cosine(0.1, 10, 5), r"total_steps=5 must be an integer >= 11"),
        (lambda: schedules.one_cycle(0.1, 10, pct_start=1.5), r"pct_start=1.5 must be in \[0, 1\]"),
        (lambda: schedules.multistep(0.1, [-1]), r"milestones=\[-1\] must be a list of integers >= 0"),
        (lambda: schedules.constant(0.1)(-1), r"count=-1 must be an integer >= 0"),
        (lambda: schedules.constant(0.1)(1.5), r"count=1.5 must be an integer >= 0"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_fixtures_include_the_edges_torch_defines():
    """Cosine past T_max (torch's recursive step() = closed form) and one_cycle at count == total_steps."""
    assert any(c["name"] == "cosine_annealing" and len(c["lrs"]) > 2 * c["kwargs"]["T_max"] for c in FIXTURES)
    assert any(c["name"] == "one_cycle" and len(c["lrs"]) == c["kwargs"]["total_steps"] + 1 for c in FIXTURES)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: schedules.one_cycle(1.0, 10)(11),
         "count=11 must be an integer in [0, 10] (or an array of them); the schedule ends at total_steps=10 "
         "(torch raises 'Tried to step 11 times')"),
        (lambda: schedules.one_cycle(1.0, 10)(np.arange(12)), "count=array(shape=(12,), dtype=int64) must be"),
        (lambda: schedules.one_cycle(1.0, 10, pct_start=0.1),
         "pct_start=0.1 must be > 1/total_steps = 0.1; pct_start * total_steps = 1 leaves no step to warm up"),
        (lambda: schedules.one_cycle(1.0, 10, pct_start=0.05), "pct_start=0.05 must be > 1/total_steps = 0.1"),
        (lambda: schedules.one_cycle(1.0, 10, div_factor=0), "div_factor=0.0 must be a finite number > 0"),
        (lambda: schedules.multistep(0.1, [2.5, 4]),
         "milestones=[2.5, 4] must be a list of integers >= 0 (torch never reaches a fractional milestone); got 2.5"),
        (lambda: schedules.multistep(0.1, [1e30]), "milestones=[1e+30] must be a list of integers >= 0"),
        (lambda: schedules.multistep(0.1, [float("nan")]), "milestones=[nan] must be a list of integers >= 0"),
        (lambda: schedules.multistep(0.1, 5), "milestones=5 must be a list of integers >= 0"),
        (lambda: schedules.multistep(0.1, [10**30]), "milestones=[1000000000000000000000000000000] must be"),
        (lambda: schedules.linear_warmup(0.1, start_factor="a"), "start_factor='a' must be a finite number in (0, 1]"),
        (lambda: schedules.step_decay(0.1, step_size=2.0), "step_size=2.0 must be an integer >= 1"),
        (lambda: schedules.exponential(True, 0.5), "lr=True must be a finite number >= 0"),
        (lambda: schedules.constant(0.1)(True), "count=True must be an integer >= 0"),
        (lambda: schedules.constant(0.1)(np.array([0.5])), "count=array([0.5]) must be an integer >= 0"),
    ],
)
def test_refused_with_a_clear_message(make, message):
    with pytest.raises(ValueError) as err:
        make()
    assert str(err.value).startswith(message), str(err.value)


def test_one_cycle_accepts_count_total_steps_like_torch_and_huge_counts_work_elsewhere():
    s = schedules.one_cycle(1.0, 10)
    assert s(10) > s(9)  # torch 2.13: 0.0495 after 4e-6 (see the fixture)
    assert schedules.exponential(1.0, 0.5)(10**25) == 0.0  # an integer >= 0, however large
    assert schedules.step_decay(1.0, 3, 0.5)(np.int64(7)) == 0.25


def test_multistep_counts_repeated_milestones_twice_like_torch():
    assert schedules.multistep(1.0, [2, 2], 0.5)(2) == 0.25


def test_one_cycle_refuses_pct_start_one_which_divides_by_zero_at_the_last_step():
    with pytest.raises(ValueError, match=r"pct_start=1.0 must be in \[0, 1\); .*torch accepts it but divides by zero"):
        schedules.one_cycle(1.0, 10, pct_start=1.0)


@pytest.mark.parametrize("make, count", [(lambda: schedules.exponential(1.0, 2.0), 2000),
                                         (lambda: schedules.step_decay(1.0, 1, 10.0), 400)])
def test_schedule_overflow_is_a_clear_error_without_numpy_warning(make, count):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"count={count} must be a count where the schedule's value is a finite float"):
            make()(count)


def test_negative_count_message_does_not_mention_torch_overstep():
    with pytest.raises(ValueError) as info:
        schedules.one_cycle(1.0, 10)(-1)
    assert str(info.value) == "count=-1 must be an integer in [0, 10] (or an array of them)"


@pytest.mark.parametrize("bad", [True, 2.0, 0])
def test_inverse_sqrt_warmup_steps_uses_the_common_check(bad):
    with pytest.raises(ValueError, match=rf"warmup_steps={bad!r} must be an integer >= 1"):
        schedules.inverse_sqrt(1.0, bad)
