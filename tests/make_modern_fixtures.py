"""Write the reference trajectories for the modern optimizers (chapter 6b).

Run by hand where torch 2.13, optax 0.2.8 (with jax) and schedulefree are installed::

    /work/refvenv/bin/python tests/make_modern_fixtures.py

It writes ``tests/fixtures/modern_optimizers.json``: params after each of ``STEPS``
steps (float64) of

* ``torch.optim.Adafactor`` and ``torch.optim.Muon`` (single-tensor path);
  Muon twice: as shipped (Newton–Schulz in bfloat16) and with torch's own
  ``_zeropower_via_newtonschulz`` run in float64 (the ``.bfloat16()`` cast
  replaced by a float64 copy: the same algorithm without bfloat16 rounding);
* ``optax.lion``, ``optax.lamb`` and ``optax.lars`` (jax with x64 enabled);
* ``schedulefree.AdamWScheduleFree`` (foreach=False), recording the train point
  ``y`` and the evaluation point ``x`` (what ``.eval()`` sets, computed on a copy);
* ``torch.nn.utils.clip_grad_norm_`` and ``optax.clip_by_global_norm`` on fixed
  gradient dicts.

The gradient is ``tests/fixture_problem.py``'s, so the tests use exactly the same one.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

try:  # importable without the reference libraries (pytest --doctest-modules collects it)
    import jax
    import numpy as np
    import optax
    import schedulefree
    import torch
except ImportError:  # pragma: no cover
    torch = None

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from fixture_problem import STEPS, grad, start  # noqa: E402

OUT = pathlib.Path(__file__).parent / "fixtures" / "modern_optimizers.json"

ADAFACTOR = [  # lr (the cap on the relative step) kept small enough for a well-conditioned trajectory:
    # near the minimum Adafactor's normalised step oscillates and 1-ulp differences grow ~10x per 10 steps
    dict(),
    dict(lr=0.02),
    dict(lr=0.02, beta2_decay=-0.5),
    dict(lr=0.02, eps=(1e-3, 1e-2)),
    dict(lr=0.02, eps=(None, 0.5)),
    dict(lr=0.02, d=1.2),
    dict(lr=0.02, weight_decay=0.2),
    dict(lr=0.01, beta2_decay=-0.6, eps=(1e-4, 0.05), d=2.0, weight_decay=0.1),
    dict(lr=0.5),  # the relative step min(lr, 1/sqrt(t)) switches to 1/sqrt(t) after step 4
]
ADAFACTOR_SHAPES = [(3,), (2, 3), (2, 3, 4)]
MUON = [
    dict(),
    dict(lr=0.02),
    dict(lr=0.02, weight_decay=0.0),
    dict(lr=0.02, momentum=0.8),
    dict(lr=0.02, nesterov=False),
    dict(lr=0.02, ns_coefficients=(2.0, -1.5, 0.5)),
    dict(lr=0.02, ns_steps=3),
    dict(lr=0.02, eps=1.0),  # larger than the momentum's norm: the clamp is active
    dict(lr=0.02, adjust_lr_fn="original"),
    dict(lr=0.005, adjust_lr_fn="match_rms_adamw"),
]
MUON_SHAPES = [(2, 3), (4, 3), (3, 3)]
LION = [
    dict(learning_rate=0.01),
    dict(learning_rate=0.01, weight_decay=0.0),
    dict(learning_rate=0.01, weight_decay=0.3),
    dict(learning_rate=0.01, b1=0.8),
    dict(learning_rate=0.005, b2=0.9),
]
LAMB = [
    dict(learning_rate=0.01),
    dict(learning_rate=0.02, b1=0.8, b2=0.99),
    dict(learning_rate=0.01, eps=1e-3),
    dict(learning_rate=0.01, eps_root=1e-4),
    dict(learning_rate=0.01, weight_decay=0.1),
]
LARS = [
    dict(learning_rate=1.0),
    dict(learning_rate=2.0, trust_coefficient=0.01),
    dict(learning_rate=1.0, weight_decay=0.1),
    dict(learning_rate=1.0, trust_coefficient=0.01, eps=0.5),
    dict(learning_rate=1.0, momentum=0.5),
    dict(learning_rate=1.0, nesterov=True),
]
SF = [
    dict(),
    dict(lr=0.05),
    dict(lr=0.05, betas=(0.8, 0.99)),
    dict(lr=0.05, eps=1e-3),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, warmup_steps=10),
    dict(lr=0.05, r=1.0),
    dict(lr=0.05, warmup_steps=10, weight_lr_power=0.0),
    dict(lr=0.02, betas=(0.95, 0.98), weight_decay=0.05, warmup_steps=5, r=0.5, weight_lr_power=1.0),
]
SHAPES = [(3,), (2, 3)]


def torch_traj(cls, kwargs, shape):
    p = torch.tensor(start(shape))
    opt = cls([p], **kwargs)
    out = []
    for _ in range(STEPS):
        p.grad = torch.from_numpy(grad(p.numpy().copy()))
        opt.step()
        out.append(p.numpy().tolist())
    return out


def ns_float64(grad_, ns_coefficients, ns_steps, eps):
    """torch 2.13's _zeropower_via_newtonschulz with ``.bfloat16()`` replaced by ``.clone()``."""
    a, b, c = ns_coefficients
    X = grad_.clone()
    if grad_.size(0) > grad_.size(1):
        X = X.T
    X.div_(X.norm().clamp(min=eps))
    for _ in range(ns_steps):
        A = X @ X.T
        B = torch.addmm(A, A, A, beta=b, alpha=c)
        X = torch.addmm(X, B, X, beta=a)
    if grad_.size(0) > grad_.size(1):
        X = X.T
    return X


def optax_traj(make, kwargs, shape):
    opt = make(**kwargs)
    x = jax.numpy.asarray(start(shape))
    state = opt.init(x)
    out = []
    for _ in range(STEPS):
        g = jax.numpy.asarray(grad(np.asarray(x)))
        u, state = opt.update(g, state, x)
        x = optax.apply_updates(x, u)
        out.append(np.asarray(x).tolist())
    return out


def sf_traj(kwargs, shape):
    p = torch.tensor(start(shape))
    opt = schedulefree.AdamWScheduleFree([p], foreach=False, **kwargs)
    opt.train()
    beta1 = opt.param_groups[0]["betas"][0]
    ys, xs = [], []
    for _ in range(STEPS):
        p.grad = torch.from_numpy(grad(p.numpy().copy()))
        opt.step()
        ys.append(p.numpy().tolist())
        xs.append(torch.lerp(p.clone(), opt.state[p]["z"], 1 - 1 / beta1).numpy().tolist())
    return ys, xs


def clip_cases():
    rng = np.random.default_rng(0)
    out = []
    for max_norm in [0.5, 3.0, 100.0]:
        for norm_type in [2.0, 1.0, 3.0, math.inf]:
            g = {"w": rng.normal(size=(3, 4)).tolist(), "b": rng.normal(size=(4,)).tolist()}
            ts = [torch.zeros(3, 4), torch.zeros(4)]
            for t, k in zip(ts, ["w", "b"]):
                t.grad = torch.tensor(g[k])
            norm = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type=norm_type)
            case = dict(max_norm=max_norm, norm_type=norm_type if norm_type != math.inf else "inf",
                        grads=g, norm=float(norm), torch={"w": ts[0].grad.tolist(), "b": ts[1].grad.tolist()})
            if norm_type == 2.0:
                u, _ = optax.clip_by_global_norm(max_norm).update(
                    {k: jax.numpy.asarray(v) for k, v in g.items()}, optax.EmptyState())
                case["optax"] = {k: np.asarray(v).tolist() for k, v in u.items()}
            out.append(case)
    return out


def adafactor_tiny_gradients():
    """One Adafactor step with gradients near 1e-20: the clamp of the estimate at eps1**2 is active."""
    out = []
    for shape, g in [((3,), [1e-20, 1.0, -2.0]), ((2, 3), [[1e-20, 1e-19, 0.0], [0.0, 3.0, 1e-20]])]:
        for kw in [dict(), dict(eps=(1e-12, 1e-3))]:
            p = torch.tensor(start(shape))
            opt = torch.optim.Adafactor([p], foreach=False, **kw)
            p.grad = torch.tensor(g)
            opt.step()
            out.append(dict(kwargs=kw, shape=shape, grad=g, params=p.tolist()))
    return out


def main() -> None:
    torch.set_default_dtype(torch.float64)
    jax.config.update("jax_enable_x64", True)
    cases = []
    for kw in ADAFACTOR:
        for shape in ADAFACTOR_SHAPES:
            cases.append(dict(name="adafactor", kwargs=kw, shape=shape,
                              params=torch_traj(torch.optim.Adafactor, dict(foreach=False, **kw), shape)))
    for kw in MUON:
        for shape in MUON_SHAPES:
            cases.append(dict(name="muon_bf16", kwargs=kw, shape=shape, params=torch_traj(torch.optim.Muon, kw, shape)))
    import torch.optim._muon as M

    shipped = M._zeropower_via_newtonschulz
    M._zeropower_via_newtonschulz = ns_float64
    try:
        for kw in MUON:
            for shape in MUON_SHAPES:
                cases.append(dict(name="muon", kwargs=kw, shape=shape, params=torch_traj(torch.optim.Muon, kw, shape)))
    finally:
        M._zeropower_via_newtonschulz = shipped
    for kw in LION:
        for shape in SHAPES:
            cases.append(dict(name="lion", kwargs=kw, shape=shape, params=optax_traj(optax.lion, kw, shape)))
    for kw in LAMB:
        for shape in SHAPES:
            cases.append(dict(name="lamb", kwargs=kw, shape=shape, params=optax_traj(optax.lamb, kw, shape)))
    for kw in LARS:
        for shape in SHAPES:
            cases.append(dict(name="lars", kwargs=kw, shape=shape, params=optax_traj(optax.lars, kw, shape)))
    for kw in SF:
        for shape in SHAPES:
            ys, xs = sf_traj(kw, shape)
            cases.append(dict(name="schedule_free_adamw", kwargs=kw, shape=shape, params=ys, eval_params=xs))
    # one bf16 Newton–Schulz call in isolation, for the emulation test
    G = torch.tensor(start((4, 6)))
    ns = dict(G=G.tolist(), bf16=M._zeropower_via_newtonschulz(G, (3.4445, -4.7750, 2.0315), 5, 1e-7).double().tolist())
    ns_large = newton_schulz_large()
    meta = dict(torch=torch.__version__, optax=optax.__version__, jax=jax.__version__,
                schedulefree=getattr(schedulefree, "__version__", "1.4.1"), steps=STEPS)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(dict(meta=meta, cases=cases, clip=clip_cases(), newton_schulz=ns,
                              newton_schulz_64x32=ns_large,
                              adafactor_tiny=adafactor_tiny_gradients())) + "\n")
    print(f"wrote {OUT} ({len(cases)} trajectories)")


def newton_schulz_large() -> dict:
    """One bf16 Newton-Schulz call on a seeded 64 x 32 matrix: larger than the bit-exact case;
    torch's bf16 matmul accumulates in its own order, so the emulation is only within 2**-8 here."""
    import torch.optim._muon as M

    G = torch.tensor(np.random.default_rng(64).normal(size=(64, 32)))
    return dict(G=G.tolist(), bf16=M._zeropower_via_newtonschulz(G, (3.4445, -4.7750, 2.0315), 5, 1e-7).double().tolist())


def add_newton_schulz_large() -> None:
    """Add only the 64 x 32 case to the existing fixture (the trajectories are unchanged)."""
    data = json.loads(OUT.read_text())
    data["newton_schulz_64x32"] = newton_schulz_large()
    OUT.write_text(json.dumps(data) + "\n")
    print(f"added newton_schulz_64x32 to {OUT}")


if __name__ == "__main__" and sys.argv[1:] == ["--add-newton-schulz-64x32"]:
    add_newton_schulz_large()
elif __name__ == "__main__":
    main()
