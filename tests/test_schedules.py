"""optlearn.schedules against torch.optim.lr_scheduler fixtures (rtol 1e-10)."""

from __future__ import annotations

import json
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


def test_scalar_in_float_out():
    s = schedules.cosine_annealing(0.1, 10)
    assert isinstance(s(3), float) and isinstance(s(np.int64(3)), float)
    assert s(np.arange(4)).shape == (4,)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: schedules.constant(-1.0), r"lr=-1.0 must be a finite number >= 0"),
        (lambda: schedules.exponential(0.1, gamma=-0.5), r"gamma=-0.5 must be"),
        (lambda: schedules.cosine_annealing(0.1, T_max=0), r"T_max=0 must be a positive integer"),
        (lambda: schedules.linear_warmup(0.1, start_factor=0.0), r"start_factor=0.0 must be in \(0, 1\]"),
        (lambda: schedules.warmup_cosine(0.1, 10, 5), r"total_steps=5 must be an integer > warmup_steps=10"),
        (lambda: schedules.one_cycle(0.1, 10, pct_start=1.5), r"pct_start=1.5 must be in \[0, 1\]"),
        (lambda: schedules.multistep(0.1, [-1]), r"milestones=\[-1\] must be >= 0"),
        (lambda: schedules.constant(0.1)(-1), r"count=-1 must be an integer >= 0"),
        (lambda: schedules.constant(0.1)(1.5), r"count=1.5 must be an integer >= 0"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
