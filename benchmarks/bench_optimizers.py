"""Wall time of optlearn's optimizers, side by side with torch.optim when importable.

Run: ``python benchmarks/bench_optimizers.py`` (with torch: the torch venv after
``pip install -e .``). Prints one markdown table:

(a) 10,000 steps on a 2-parameter quadratic (per-step Python overhead), Adam
    and SGD with momentum; torch uses its default (foreach) implementation;
(b) one Adam update of 10,000,000 float32 params (memory bandwidth), torch with
    ``foreach=True`` and ``torch.set_num_threads(1)``; best of 5 (and (a) best of 5 interleaved runs).
"""

from __future__ import annotations

import platform
import time

import numpy as np

import optlearn as ol

try:
    import torch
except ImportError:  # the book's venv is torch-free
    torch = None

SMALL_STEPS = 10_000
BIG = 10_000_000
A = np.array([[3.0, 1.0], [1.0, 2.0]])


def small_optlearn(opt) -> float:
    x = np.array([2.0, -1.0])
    state = opt.init(x)
    t0 = time.perf_counter()
    for _ in range(SMALL_STEPS):
        updates, state = opt.update(A @ x, state, x)
        x = ol.apply_updates(x, updates)
    return time.perf_counter() - t0


def small_torch(make) -> float:
    p = torch.tensor([2.0, -1.0], dtype=torch.float64)
    At = torch.tensor(A)
    opt = make([p])
    t0 = time.perf_counter()
    for _ in range(SMALL_STEPS):
        p.grad = At @ p
        opt.step()
    return time.perf_counter() - t0


def big_optlearn(repeats: int = 5) -> float:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(BIG, dtype=np.float32)
    g = rng.standard_normal(BIG, dtype=np.float32)
    opt = ol.adam(lr=1e-3)
    state = opt.init(x)
    _, state = opt.update(g, state, x)  # leave the initial state
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        updates, new_state = opt.update(g, state, x)
        new_x = ol.apply_updates(x, updates)
        best = min(best, time.perf_counter() - t0)
        del updates, new_state, new_x
    assert new_x_dtype_ok(x, opt, g, state)
    return best


def new_x_dtype_ok(x, opt, g, state) -> bool:
    updates, _ = opt.update(g, state, x)
    return ol.apply_updates(x, updates).dtype == np.float32


def big_torch(repeats: int = 5) -> float:
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    p = torch.randn(BIG, generator=gen, dtype=torch.float32)
    p.grad = torch.randn(BIG, generator=gen, dtype=torch.float32)
    opt = torch.optim.Adam([p], lr=1e-3, foreach=True)
    opt.step()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        opt.step()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rows = []
    cases = [
        ("Adam, 10k steps, 2 params", lambda: small_optlearn(ol.adam(lr=1e-2)),
         lambda: small_torch(lambda ps: torch.optim.Adam(ps, lr=1e-2))),
        ("SGD momentum=0.9, 10k steps, 2 params", lambda: small_optlearn(ol.sgd(lr=1e-2, momentum=0.9)),
         lambda: small_torch(lambda ps: torch.optim.SGD(ps, lr=1e-2, momentum=0.9))),
    ]
    for label, ours, theirs in cases:
        o = t = float("inf")
        for _ in range(5):  # interleaved, best of 5: robust to other load on the machine
            o = min(o, ours())
            t = min(t, theirs()) if torch else None
        rows.append((label, o, t))
    o = big_optlearn()
    t = big_torch() if torch else None
    rows.append(("Adam, one update, 1e7 float32 params (1 thread)", o, t))

    print(f"machine: {platform.machine()}, {_cpu()}; python {platform.python_version()}, "
          f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}\n")
    print("| case | optlearn (s) | torch.optim (s) | optlearn / torch |")
    print("|---|---:|---:|---:|")
    for label, o, t in rows:
        ratio = f"{o / t:.2f}" if t else "n/a"
        print(f"| {label} | {o:.4f} | {t:.4f} | {ratio} |" if t else f"| {label} | {o:.4f} | n/a | n/a |")


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
