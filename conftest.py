"""Reproducible floating point for the book's stored outputs.

nbval compares every notebook cell with the output stored in the repository. A few
experiments (long runs of adaptive optimizers, grids of learning rates) amplify
last-bit differences, and numpy and OpenBLAS pick different SIMD kernels (AVX2 or
AVX-512) on different x86 CPUs, so a notebook executed on one machine could print a
different last digit on another. Before any kernel starts, pin both libraries to their
AVX2 code paths, which every x86-64 CPU of the last decade runs identically. The
notebooks were executed with the same settings (`python tests/execute_notebooks.py`).
"""

from __future__ import annotations

import os
import platform

REPRODUCIBLE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
if platform.machine().lower() in ("x86_64", "amd64"):
    REPRODUCIBLE_ENV |= {"OPENBLAS_CORETYPE": "Haswell",
                         "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}

for _name, _value in REPRODUCIBLE_ENV.items():
    os.environ.setdefault(_name, _value)
