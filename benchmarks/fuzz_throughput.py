"""Fuzzing throughput: programs per second, and where the time goes; the compile rate.

Run: python benchmarks/fuzz_throughput.py [--runner wasm,cpython] [--seconds 20] [--micropython PATH]

Prints figures, it asserts nothing:
- generation alone (Hypothesis drawing programs, no runner);
- each runner executing the same programs one at a time (``run``) and batched (``run_batch``);
- the whole search (``mpconform fuzz`` without saving) for ``--seconds``, with the
  known differences classified and new divergences counted, in one process and
  with ``--jobs`` processes (default 2, one per core);
- the compile rate of a sample under CPython and mpy-cross.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import make_case
from conformance.fuzz.compile_rate import measure, sample_programs
from conformance.fuzz.differential import Differential, run_programs
from conformance.fuzz.driver import GRAMMARS, batches, programs, search
from conformance.fuzz.parallel import search_parallel
from conformance.fuzz.profiles import BATCH_SIZE
from conformance.fuzz.save import saved_signatures
from runners import create_runner
from runners.base import RunnerOptions

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runner", default="wasm,cpython")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--programs", type=int, default=300)
    parser.add_argument("--micropython", default=None)
    parser.add_argument("--jobs", type=int, default=2, help="also measure a parallel search with this many jobs")
    args = parser.parse_args()
    names = args.runner.split(",")
    runners = {name: create_runner(name, RunnerOptions(micropython=args.micropython)) for name in names}
    start = time.perf_counter()
    drawn = sample_programs(batches(), args.programs // 5)
    count = sum(len(batch) for batch in drawn)
    print(f"generation alone (batches of up to {BATCH_SIZE}): {count / (time.perf_counter() - start):7.0f} "
          "programs/s")
    sample = sample_programs(programs(), args.programs)
    codes = [p.source for p in sample]
    print(f"sample: {len(sample)} programs")
    for name, runner in runners.items():
        runner.probe()
        start = time.perf_counter()
        for i, code in enumerate(codes[:100]):
            runner.run(make_case(f"b{i}", code, ""))
        one = 100 / (time.perf_counter() - start)
        start = time.perf_counter()
        run_programs(runner, codes)
        batched = len(codes) / (time.perf_counter() - start)
        print(f"{name:8} one at a time: {one:7.0f} programs/s   batched: {batched:7.0f} programs/s")

    known = saved_signatures(ROOT / "cases" / "fuzz")
    differential = Differential(runners, known)
    result = search(differential, args.seconds)
    stats = differential.stats
    print(f"search on {', '.join(names)}: {stats.programs / result.seconds:.0f} programs/s over "
          f"{result.seconds:.1f} s (generation, all runners, comparison and shrinking); "
          f"{result.searching_rate(stats.programs):.0f} programs/s outside the {result.shrink_seconds:.1f} s "
          f"spent shrinking {len(result.divergences)} divergences")
    print(f"  {stats.summary()}")
    if args.jobs > 1:
        merged = search_parallel(names, RunnerOptions(micropython=args.micropython), known, args.seconds,
                                 list(GRAMMARS), args.jobs)
        print(f"search with {args.jobs} jobs: {merged.stats.programs / merged.seconds:.0f} programs/s over "
              f"{merged.seconds:.1f} s; {merged.searching_rate(args.jobs):.0f} programs/s outside shrinking "
              f"({merged.shrink_seconds:.1f} s over all jobs, {len(merged.divergences)} divergences)")
    rate = measure(sample[:150])
    print(f"compile rate: {rate.describe()}")
    for runner in runners.values():
        runner.close()


if __name__ == "__main__":
    main()
