"""Mutation check: apply one small behaviour-changing edit at a time and show the suite catches it.

Run by hand (not collected by pytest; it has no ``test_`` prefix)::

    python tests/mutants.py            # every mutant
    python tests/mutants.py 3 5        # mutants 3 and 5

Each mutant is applied to a scratch copy of the package (the working tree is never
modified); the package's unit tests then run there with ``-x``. A mutant is
*caught* when they fail. The first nine are the changes issue #13 found
uncaught; the others guard the new code of that issue.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTS = ["tests/test_optimizers.py", "tests/test_schedules.py", "tests/test_train.py", "tests/test_models.py",
         "tests/test_tuning.py", "tests/test_datasets.py", "tests/test_functions.py", "tests/test_validation.py"]

# (description, file, old text, new text)
MUTANTS = [
    ("momentum_classic ignores its schedule after step 1", "optlearn/transforms.py",
     "        lr = lr_at(state.count)\n        v = tree_map(lambda v, g: momentum * v + lr * g",
     "        lr = lr_at(0)\n        v = tree_map(lambda v, g: momentum * v + lr * g"),
    ("_lerp: drop torch's second branch (weight >= 0.5)", "optlearn/transforms.py",
     "    if weight < 0.5:\n        out *= weight", "    if True:\n        out *= weight"),
    ("_lerp: always torch's second branch", "optlearn/transforms.py",
     "    if weight < 0.5:\n        out *= weight", "    if False:\n        out *= weight"),
    ("apply_updates: no cast back to the params' dtype", "optlearn/base.py",
     "np.asarray(p + u, dtype=np.result_type(p))", "np.asarray(p + u)"),
    ("fit: early stopping ignores min_delta", "optlearn/train.py",
     "if val_loss < self.loss - self.stopper.min_delta:", "if val_loss < self.loss:"),
    ("fit: shuffle=False still shuffles", "optlearn/train.py",
     "order = rng.permutation(n) if shuffle else np.arange(n)", "order = rng.permutation(n)"),
    ("fit: shuffle=True does not shuffle", "optlearn/train.py",
     "order = rng.permutation(n) if shuffle else np.arange(n)", "order = np.arange(n)"),
    ("MLP: Glorot scale for relu too", "optlearn/models.py",
     'gain = 2.0 if self.activation == "relu" else 1.0', "gain = 1.0"),
    ("MLP: scale by fan_out instead of fan_in", "optlearn/models.py",
     "np.sqrt(gain / shape[0])", "np.sqrt(gain / shape[1])"),
    # new code of issue #13
    ("maximize ignored", "optlearn/optimizers.py",
     '        head.append(T.scale(-1.0))  # torch: grad = -grad', "        pass"),
    ("nadam decoupled_weight_decay acts coupled", "optlearn/optimizers.py",
     '    if check_bool("decoupled_weight_decay", decoupled_weight_decay):\n        transforms = [T.scale_by_nadam',
     '    if check_bool("decoupled_weight_decay", decoupled_weight_decay) and False:\n        transforms = [T.scale_by_nadam'),
    ("one_cycle has no end", "optlearn/schedules.py",
     "    return _schedule(formula, last=total_steps)", "    return _schedule(formula)"),
    ("non-finite updates pass silently", "optlearn/transforms.py",
     "                if bad is None:\n                    return out, new_state",
     "                if True:\n                    return out, new_state"),
    ("grads not cast to the params' dtype", "optlearn/transforms.py",
     "            updates = tree_map(lambda g, sd: g if g.dtype == sd[1] else g.astype(sd[1]), updates, state.structure)",
     "            pass"),
    ("state of another shape accepted", "optlearn/transforms.py",
     "        if state.structure is not None:\n            _check_state_structure(",
     "        if False:\n            _check_state_structure("),
    ("last_lr records the lr of the next update", "optlearn/transforms.py",
     "LearningRateState(state.count + 1, lr)", "LearningRateState(state.count + 1, lr_at(state.count + 1))"),
    ("multistep accepts fractional milestones", "optlearn/schedules.py",
     "if not isinstance(m, Integral) or isinstance(m, (bool, np.bool_)) or m < 0 or m >= 2**63:",
     "if m < 0:"),
    ("complex params accepted", "optlearn/validation.py",
     "    if not np.issubdtype(value.dtype, np.floating):", "    if not np.issubdtype(value.dtype, np.inexact):"),
]


def run(index: int) -> bool:
    desc, rel, old, new = MUTANTS[index]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        shutil.copytree(ROOT / "optlearn", tmp / "optlearn")
        shutil.copytree(ROOT / "tests", tmp / "tests")
        shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
        path = tmp / rel
        text = path.read_text()
        assert text.count(old) == 1, f"mutant {index}: the text to replace is not unique in {rel}"
        path.write_text(text.replace(old, new))
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                               "-o", "addopts=", "--rootdir", str(tmp), *TESTS],
                              cwd=tmp, capture_output=True, text=True,
                              env={"PYTHONPATH": str(tmp) + ":" + str(tmp / "tests"), "PATH": "/usr/bin:/bin",
                                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
        failed = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED")]
        caught = proc.returncode != 0
        print(f"{index:2d} {'CAUGHT' if caught else 'MISSED'}  {desc}  [{rel}]"
              + (f"\n     by {failed[0][7:]}" if failed else ""), flush=True)
        return caught


def main() -> int:
    picks = [int(a) for a in sys.argv[1:]] or range(len(MUTANTS))
    results = [run(i) for i in picks]
    print(f"caught {sum(results)} of {len(results)} mutants")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
