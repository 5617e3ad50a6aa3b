"""Cases per second through the serial runner, on the emulated micro:bit.

Run: python benchmarks/serial_rate.py [--cases N]

"reset per case" is the default serial runner (a soft reset before every
case, fresh state); "shared session" is ``RunnerOptions(reuse_session=True)``
(``--serial-reuse``: no reset, cases share interpreter state). Each is timed
over N cases of two sizes: a one-line print and a ~10-line case. Probe and
baseline are excluded. For scale, the bare raw-REPL figures on the same
emulator, without the suite: ``print(1)`` run with RawRepl.exec, and a soft
reset. Needs qemu-system-arm and Debian's firmware-microbit-micropython.
Figures, not timed tests: nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import make_case, per_call
from conformance.outcome import Status
from runners import create_runner, qemu
from runners.base import RunnerOptions
from runners.rawrepl import RawRepl
from runners.serial import SerialRunner

RUNNER = "qemu-microbit"

ONE_LINE = "print('hello')\n"
TEN_LINES = """\
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
squares = [i * i for i in range(8)]
table = {}
for i, sq in enumerate(squares):
    table[sq] = i
print(fib(20), sum(squares), len(table))
"""
CASES = {
    "1 line": (ONE_LINE, "hello\n"),
    "10 lines": (TEN_LINES, "6765 140 8\n"),
}


def runner_rows(count: int) -> list[tuple[str, str, float, str]]:
    """(mode, case size, seconds per case, remark) for both modes and both case sizes."""
    rows = []
    for mode, reuse in (("reset per case", False), ("shared session", True)):
        runner = create_runner(RUNNER, RunnerOptions(reuse_session=reuse))
        try:
            probe = runner.probe()
            if not probe.available:
                print(f"{mode}: {RUNNER} unavailable ({probe.reason})")
                continue
            for size, (code, stdout) in CASES.items():
                case = make_case(f"bench-{size}", code, stdout)
                statuses: list[Status] = []

                def run_one(runner=runner, case=case, statuses=statuses) -> None:
                    statuses.append(runner.run(case).status)

                seconds = per_call(run_one, count)
                bad = sum(status is not Status.OK for status in statuses)
                remark = f"{bad} not ok" if bad else ""
                if runner.damaged_transfers:
                    remark = (remark + "; " if remark else "") + f"{runner.damaged_transfers} resent so far"
                rows.append((mode, size, seconds, remark))
        finally:
            runner.close()
    return rows


def bare_rows(count: int) -> list[tuple[str, float]]:
    """Raw-REPL figures on the emulator's pty, paced like the serial runner."""
    emulator = qemu.QemuMicrobit()
    try:
        repl = RawRepl(emulator.start(), chunk_size=SerialRunner.chunk_size, chunk_delay=SerialRunner.chunk_delay)
        repl.enter(soft_reset=True)
        exec_time = per_call(lambda: repl.exec("print(1)\n", 5.0), count)
        reset_time = per_call(repl.soft_reset, count)
        repl.stream.close()
    finally:
        emulator.stop()
    return [("exec print(1)", exec_time), ("soft reset", reset_time)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="cases per figure (default 200)")
    args = parser.parse_args()
    reason = qemu.unavailable_reason()
    if reason:
        print(f"{RUNNER}: skipped ({reason})")
        return 0
    print(f"{RUNNER}: {qemu.QemuMicrobit().describe()}; {args.cases} cases per figure")

    bare = bare_rows(args.cases)
    rows = runner_rows(args.cases)
    bare_exec = bare[0][1]

    print(f"\n{'mode':15} {'case':9} {'per case':>10} {'cases/s':>8} {'x bare exec':>11}")
    for mode, size, seconds, remark in rows:
        print(f"{mode:15} {size:9} {seconds * 1000:7.2f} ms {1 / seconds:8.1f} {seconds / bare_exec:11.1f}"
              + (f"  ({remark})" if remark else ""))
    by_key = {(mode, size): seconds for mode, size, seconds, _ in rows}
    for size in CASES:
        reset, shared = by_key.get(("reset per case", size)), by_key.get(("shared session", size))
        if reset and shared:
            print(f"{'':15} {size:9} reset per case / shared session: {reset / shared:.2f}x")

    print(f"\n{'bare raw REPL':25} {'per call':>10} {'calls/s':>8}")
    for label, seconds in bare:
        print(f"{label:25} {seconds * 1000:7.2f} ms {1 / seconds:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
