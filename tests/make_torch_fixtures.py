"""Write the torch.optim reference trajectories the tests compare against.

Run by hand where torch is installed (the book's venv stays torch-free)::

    /work/refvenv/bin/python tests/make_torch_fixtures.py     # torch 2.13.0

It writes ``tests/fixtures/torch_optimizers.json`` (params after every one of
``STEPS`` steps, for many hyperparameter settings per optimizer, float64) and
``tests/fixtures/torch_schedules.json`` (the lr after each ``scheduler.step()``).
The gradient is that of a fixed non-quadratic function, computed in numpy by
``tests/fixture_problem.py``'s ``grad`` so the tests use exactly the same one.
Cases with ``maximize=True`` are given the gradient of ``-f`` (so that they
climb ``-f``, i.e. descend ``f``, and stay bounded). It also stores
``torch.lerp`` on both of its rounding branches (``lerp``), which optlearn's
moment updates must reproduce bit for bit.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

try:  # importable without torch, so that pytest --doctest-modules can collect it
    import torch
except ImportError:  # pragma: no cover
    torch = None

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from fixture_problem import STEPS, grad, start  # noqa: E402

OUT = pathlib.Path(__file__).parent / "fixtures"

# Settings keep each 60-step trajectory well conditioned: once a sign-like
# adaptive method (RMSprop, NAdam with small beta2) oscillates around the
# minimum with a growing effective step, 1-ulp rounding differences grow ~4x per
# step and no two implementations agree to 1e-10 (torch's own foreach and
# single-tensor paths included).
SETTINGS = {
    "sgd": [
        dict(lr=0.05),
        dict(lr=0.05, weight_decay=0.1),
        dict(lr=0.02, momentum=0.9),
        dict(lr=0.02, momentum=0.9, dampening=0.5),
        dict(lr=0.02, momentum=0.9, nesterov=True),
        dict(lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.05),
        dict(lr=0.02, momentum=0.9, weight_decay=0.05, maximize=True),
    ],
    "adagrad": [
        dict(),
        dict(lr=0.1),
        dict(lr=0.1, lr_decay=0.05),
        dict(lr=0.1, weight_decay=0.1),
        dict(lr=0.1, initial_accumulator_value=0.5),
        dict(lr=0.1, eps=1e-3, lr_decay=0.01, weight_decay=0.02, initial_accumulator_value=0.1),
        dict(lr=0.1, weight_decay=0.05, maximize=True),
    ],
    "rmsprop": [
        dict(),
        dict(lr=0.003, alpha=0.9),
        dict(lr=0.01, centered=True),
        dict(lr=0.005, momentum=0.9),
        dict(lr=0.005, momentum=0.9, centered=True),
        dict(lr=0.01, weight_decay=0.1, eps=1e-4),
        dict(lr=0.005, alpha=0.95, eps=1e-3, weight_decay=0.05, momentum=0.5, centered=True),
        dict(lr=0.005, momentum=0.5, weight_decay=0.05, maximize=True),
    ],
    "adadelta": [
        dict(),
        dict(lr=0.5, rho=0.95),
        dict(lr=1.0, eps=1e-3),
        dict(lr=1.0, weight_decay=0.1),
        dict(lr=1.0, weight_decay=0.1, maximize=True),
    ],
    "adam": [
        dict(),
        dict(lr=0.05),
        dict(lr=0.05, betas=(0.8, 0.99)),
        dict(lr=0.05, eps=1e-3),
        dict(lr=0.05, weight_decay=0.1),
        dict(lr=0.05, amsgrad=True),
        dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.05, amsgrad=True),
        dict(lr=0.05, weight_decay=0.5, decoupled_weight_decay=True),
        dict(lr=0.05, weight_decay=0.2, amsgrad=True, decoupled_weight_decay=True, maximize=True),
        dict(lr=0.05, weight_decay=0.1, maximize=True),
    ],
    "adamw": [
        dict(),
        dict(lr=0.05),
        dict(lr=0.05, weight_decay=0.0),
        dict(lr=0.05, weight_decay=0.5),
        dict(lr=0.05, amsgrad=True),
        dict(lr=0.05, betas=(0.5, 0.9), eps=1e-4, weight_decay=0.2, amsgrad=True),
        dict(lr=0.05, weight_decay=0.5, maximize=True),
    ],
    "adamax": [
        dict(),
        dict(lr=0.05),
        dict(lr=0.05, betas=(0.8, 0.99)),
        dict(lr=0.05, eps=1e-2),
        dict(lr=0.05, weight_decay=0.1),
        dict(lr=0.05, weight_decay=0.1, maximize=True),
    ],
    "nadam": [
        dict(),
        dict(lr=0.05),
        dict(lr=0.02, betas=(0.8, 0.99)),
        dict(lr=0.05, momentum_decay=0.1),
        dict(lr=0.05, momentum_decay=0.0),
        dict(lr=0.05, weight_decay=0.1, eps=1e-4),
        dict(lr=0.05, weight_decay=0.5, decoupled_weight_decay=True),
        dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
        dict(lr=0.05, weight_decay=0.1, maximize=True),
    ],
}

CLASS_NAMES = {
    "sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta",
    "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
}
SHAPES = {"vec": (3,), "mat": (2, 3)}


def trajectory(name: str, kwargs: dict, shape: tuple[int, ...]) -> list:
    """Params after each step, single-tensor (foreach=False) implementation."""
    p = torch.tensor(start(shape), requires_grad=False)
    opt = getattr(torch.optim, CLASS_NAMES[name])([p], foreach=False, **kwargs)
    sign = -1.0 if kwargs.get("maximize") else 1.0  # maximize climbs -f
    out = []
    for _ in range(STEPS):
        p.grad = torch.from_numpy(sign * grad(p.detach().numpy().copy()))
        opt.step()
        out.append(p.detach().numpy().tolist())
    return out


def schedule_cases() -> list[dict]:
    S = torch.optim.lr_scheduler
    n = 60
    LR = 0.1

    def run(make, lr=LR):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        sch = make(opt)
        lrs = []
        for _ in range(n):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sch.step()
        return lrs

    w = 4
    cases = [
        ("constant", dict(lr=LR), run(lambda o: S.LambdaLR(o, lambda t: 1.0))),
        ("step_decay", dict(lr=LR, step_size=7, gamma=0.5), run(lambda o: S.StepLR(o, 7, 0.5))),
        ("multistep", dict(lr=LR, milestones=[5, 12, 30], gamma=0.3),
         run(lambda o: S.MultiStepLR(o, [5, 12, 30], 0.3))),
        ("exponential", dict(lr=LR, gamma=0.95), run(lambda o: S.ExponentialLR(o, 0.95))),
        ("cosine_annealing", dict(lr=LR, T_max=n - 1), run(lambda o: S.CosineAnnealingLR(o, n - 1))),
        ("cosine_annealing", dict(lr=LR, T_max=40, eta_min=0.01),
         run(lambda o: S.CosineAnnealingLR(o, 40, 0.01))[:41]),
        ("linear_warmup", dict(lr=LR), run(lambda o: S.LinearLR(o))),
        ("linear_warmup", dict(lr=LR, start_factor=0.1, end_factor=0.5, total_iters=20),
         run(lambda o: S.LinearLR(o, 0.1, 0.5, 20))),
        ("warmup_cosine", dict(lr=LR, warmup_steps=w, total_steps=n, start_factor=0.25, eta_min=0.001),
         run(lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.25, 1.0, w), S.CosineAnnealingLR(o, n - w, 0.001)], [w]))),
        ("one_cycle", dict(max_lr=1.0, total_steps=n),
         run(lambda o: S.OneCycleLR(o, 1.0, total_steps=n, cycle_momentum=False))),
        ("one_cycle", dict(max_lr=0.5, total_steps=n, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
         run(lambda o: S.OneCycleLR(o, 0.5, total_steps=n, pct_start=0.25, div_factor=10.0,
                                    final_div_factor=100.0, cycle_momentum=False))),
        ("inverse_time", dict(lr=LR, decay_rate=0.1), run(lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t)))),
        ("inverse_sqrt", dict(lr=LR, warmup_steps=5),
         run(lambda o: S.LambdaLR(o, lambda t: math.sqrt(5 / max(t + 1, 5))))),
    ]
    # CosineAnnealingLR past T_max: torch's recursive step() follows the closed
    # form (a cosine of period 2 T_max) there too; both are stored (3 periods).
    o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    sch = S.CosineAnnealingLR(o, 20, 0.01)
    closed = []
    for t in range(n):
        sch.last_epoch = t
        closed.append(sch._get_closed_form_lr()[0])
    cases.append(("cosine_annealing", dict(lr=LR, T_max=20, eta_min=0.01), closed))
    cases.append(("cosine_annealing", dict(lr=LR, T_max=20, eta_min=0.01),
                  run(lambda o: S.CosineAnnealingLR(o, 20, 0.01))))
    # OneCycleLR accepts count == total_steps (the step after the last) and raises after it
    o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    sch = S.OneCycleLR(o, 1.0, total_steps=10, cycle_momentum=False)
    lrs = []
    for _ in range(11):
        lrs.append(o.param_groups[0]["lr"])
        o.step()
        try:
            sch.step()
        except ValueError:
            break
    assert len(lrs) == 11
    cases.append(("one_cycle", dict(max_lr=1.0, total_steps=10), lrs))
    return [dict(name=c, kwargs=k, lrs=v) for c, k, v in cases]


def schedule_optimizer_cases() -> list[dict]:
    """A scheduled optimizer: Adam + StepLR and SGD-momentum + CosineAnnealingLR."""
    S = torch.optim.lr_scheduler
    out = []
    for name, kwargs, sched, skw in [
        ("adam", dict(lr=0.05), S.StepLR, dict(step_size=10, gamma=0.5)),
        ("sgd", dict(lr=0.02, momentum=0.9), S.CosineAnnealingLR, dict(T_max=STEPS)),
        ("adagrad", dict(lr=0.1, lr_decay=0.05), S.ExponentialLR, dict(gamma=0.97)),
        ("adamw", dict(lr=0.05, weight_decay=0.5), S.StepLR, dict(step_size=10, gamma=0.5)),
    ]:
        p = torch.tensor(start((3,)))
        opt = getattr(torch.optim, CLASS_NAMES[name])([p], foreach=False, **kwargs)
        sch = sched(opt, **skw)
        traj = []
        for _ in range(STEPS):
            p.grad = torch.from_numpy(grad(p.numpy().copy()))
            opt.step()
            sch.step()
            traj.append(p.numpy().tolist())
        out.append(dict(name=name, kwargs=kwargs, schedule=sched.__name__, schedule_kwargs=skw, params=traj))
    return out


def lerp_cases() -> dict:
    """``torch.lerp(old, new, w)`` for weights on both sides of 0.5 (torch rounds the two differently)."""
    rng = __import__("numpy").random.default_rng(0)
    old = rng.normal(size=64) * 10.0 ** rng.integers(-3, 4, size=64)
    new = rng.normal(size=64) * 10.0 ** rng.integers(-3, 4, size=64)
    out = []
    for w in (0.001, 0.1, 0.3, 0.4999, 0.5, 0.7, 0.9, 0.999):
        res = torch.lerp(torch.from_numpy(old), torch.from_numpy(new), w)
        out.append(dict(weight=w, out=res.numpy().tolist()))
    return dict(old=old.tolist(), new=new.tolist(), cases=out)


def failure_cases() -> dict:
    """Where torch itself produces a non-finite value from finite inputs (optlearn raises there)."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.RMSprop([p], lr=0.01, alpha=0.9, centered=True, foreach=False)
    nan_step = None
    for t in range(1, 1001):
        p.grad = torch.tensor([0.1])
        opt.step()
        if not torch.isfinite(p).all():
            nan_step = t
            break
    out = dict(centered_rmsprop_constant_grad_nan_step=nan_step)
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1, foreach=False)
    p.grad = torch.tensor([1e200])
    opt.step()
    out["adam_grad_1e200"] = dict(param=p.item(), exp_avg_sq=opt.state[p]["exp_avg_sq"].item())
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1, eps=0.0, foreach=False)
    p.grad = torch.tensor([0.0])
    opt.step()
    out["adam_eps0_zero_grad_param"] = p.item()
    return out


def main() -> None:
    """Write both fixture files."""
    # float64 default: torch's `step` and NAdam's `mu_product` scalars follow it
    # (with the float32 default, mu_product is float32 and torch drifts ~1e-7).
    torch.set_default_dtype(torch.float64)
    OUT.mkdir(exist_ok=True)
    cases = []
    for name, settings in SETTINGS.items():
        for kwargs in settings:
            for label, shape in SHAPES.items():
                cases.append(dict(name=name, kwargs=kwargs, shape=list(shape), params=trajectory(name, kwargs, shape)))
    meta = dict(torch=torch.__version__, steps=STEPS)
    (OUT / "torch_optimizers.json").write_text(
        json.dumps(dict(meta=meta, cases=cases, scheduled=schedule_optimizer_cases(), lerp=lerp_cases(),
             failures=failure_cases()), allow_nan=True)
    )
    (OUT / "torch_schedules.json").write_text(json.dumps(dict(meta=meta, cases=schedule_cases())))
    print(f"wrote {len(cases)} optimizer cases and the schedules to {OUT}")


if __name__ == "__main__":
    main()
