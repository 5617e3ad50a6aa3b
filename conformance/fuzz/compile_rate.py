"""How many generated programs compile, under CPython and under mpy-cross (MicroPython's compiler).

A program that does not compile tests nothing but the parser, so the
grammars aim for (nearly) all of them to compile on both. Measured on a
sample by the benchmark and by a test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conformance.errors import ConformanceError
from conformance.fuzz.program import Program


@dataclass(frozen=True)
class CompileRate:
    """Programs tried, and how many each compiler accepted; failures kept for the report."""

    programs: int
    cpython: int
    mpy_cross: int
    failures: tuple[str, ...] = ()

    def describe(self) -> str:
        total = max(self.programs, 1)
        return (f"{self.programs} programs: CPython compiles {self.cpython / total:.1%}, "
                f"mpy-cross compiles {self.mpy_cross / total:.1%}")


def sample_programs(strategy: st.SearchStrategy[Program], count: int) -> list[Program]:
    """``count`` programs drawn from ``strategy`` (derandomized: the same sample every time)."""
    found: list[Program] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(program: Program) -> None:
        found.append(program)

    collect()
    return found[:count]


def measure(programs: Sequence[Program]) -> CompileRate:
    """Compile each program with CPython's compile() and with mpy-cross."""
    from reference_vm.compile import compile_source

    cpython = mpy = 0
    failures = []
    for program in programs:
        try:
            compile(program.source, "<case>", "exec")
            cpython += 1
        except SyntaxError as exc:
            failures.append(f"CPython: {exc}\n{program.source}")
        try:
            compile_source(program.source)
            mpy += 1
        except ConformanceError as exc:
            failures.append(f"mpy-cross: {exc}\n{program.source}")
    return CompileRate(len(programs), cpython, mpy, tuple(failures))
