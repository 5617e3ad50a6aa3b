"""Per-case cost of the harness for each runner, next to the implementation's bare cost.

Run: python benchmarks/harness_cost.py [--cases N] [--micropython PATH]

"harness" is runner.run() on a one-line case (probe and baseline excluded):
the price a user pays per case. "bare" is the cheapest way to execute an
empty program on the same implementation without the suite (a fresh unix
process on an empty file; a WASI instance started on `pass`; a CPython fork,
and a fresh CPython process for scale). The ratio says what the harness adds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import make_case, per_call
from runners import create_runner
from runners.base import RunnerOptions

CASE = make_case("bench", "x = 1 + 1\nprint(x)\n", "2\n")


def bare_fork() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--micropython", default=None)
    args = parser.parse_args()
    options = RunnerOptions(micropython=args.micropython)
    rows: list[tuple[str, float, str, float]] = []

    cpython = create_runner("cpython", options)
    cpython.probe()
    harness = per_call(lambda: cpython.run(CASE), args.cases)
    rows.append(("cpython", harness, "fork + exit", per_call(bare_fork, args.cases)))
    rows.append(("cpython", harness, "new interpreter (python -I -c pass)",
                 per_call(lambda: subprocess.run([sys.executable, "-I", "-c", "pass"], check=True), 20)))
    cpython.close()

    wasm = create_runner("wasm", options)
    if wasm.probe().available:
        harness = per_call(lambda: wasm.run(CASE), args.cases)
        rows.append(("wasm", harness, "fresh instance running `pass`",
                     per_call(lambda: wasm._execute("pass", 10.0), args.cases)))
    wasm.close()

    unix = create_runner("unix", options)
    probe = unix.probe()
    if probe.available:
        harness = per_call(lambda: unix.run(CASE), args.cases)
        with tempfile.NamedTemporaryFile("w", suffix=".py") as empty:
            rows.append(("unix", harness, "binary on an empty file",
                         per_call(lambda: subprocess.run([unix.binary, empty.name], check=True), args.cases)))
    else:
        print(f"unix: skipped ({probe.reason})")
    unix.close()

    print(f"{'runner':8} {'harness/case':>13} {'bare':>10} {'ratio':>6}  bare = ")
    for name, harness, label, bare in rows:
        print(f"{name:8} {harness * 1000:10.2f} ms {bare * 1000:7.2f} ms {harness / bare:6.1f}  {label}")
        print(f"{'':8} {1 / harness:10.0f}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
