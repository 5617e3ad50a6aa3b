"""runners.base: the template every MicroPython runner shares (probe, skip, baseline, retry).

A scripted transport stands in for the implementation here, only to inject
answers a real port gives rarely (a garbled probe, a MemoryError, a baseline);
the real runners are exercised in test_runners.py.
"""

from __future__ import annotations

from collections.abc import Callable

from factories import make_case

from conformance.features import PROBE_MARKER
from conformance.outcome import HeapFigures, Status
from runners.base import MicroPythonRunner, Runner, RunnerOptions
from runners.mpharness import END_MARKER, IDENTITY_MARKER, RESULT_MARKER, RawExecution

PROBE_ANSWER = (f"{IDENTITY_MARKER}('micropython', '1.22.0', 2147483647)\n"
                f"{PROBE_MARKER}['float', 'set', 'gc-mem', 'wordsize-32']\n").encode()


def result(allocated: int | None, retained: int | None,
           exc_type: str | None = None, message: str | None = None) -> bytes:
    exc_class = f"<class '{exc_type}'>" if exc_type else None
    return (RESULT_MARKER + repr((allocated, retained, exc_class, message)) + "\n" + END_MARKER + "\n").encode()


class Scripted(MicroPythonRunner):
    """Answers the probe with PROBE_ANSWER and each other program with the next scripted reply."""

    name = "scripted"

    def __init__(self, replies: list[RawExecution | Callable[[str], RawExecution]],
                 probe: bytes = PROBE_ANSWER, unavailable: str = "", options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self.replies = list(replies)
        self.probe_answer = probe
        self.unavailable = unavailable
        self.programs: list[tuple[str, float]] = []

    def _unavailable_reason(self) -> str:
        return self.unavailable

    def _execute(self, program: str, timeout: float) -> RawExecution:
        if IDENTITY_MARKER in program or PROBE_MARKER in program:
            return RawExecution(self.probe_answer)
        self.programs.append((program, timeout))
        reply = self.replies.pop(0)
        return reply(program) if callable(reply) else reply


BASELINE = RawExecution(result(100, 40))


def test_is_a_runner() -> None:
    assert isinstance(Scripted([]), Runner)


def test_probe_reads_identity_and_capabilities() -> None:
    runner = Scripted([BASELINE])
    probe = runner.probe()
    assert probe.available
    assert (probe.identity.name, probe.identity.implementation, probe.identity.version, probe.identity.word_bits) == (
        "scripted", "micropython", "1.22.0", 32)
    assert probe.capabilities == {"float", "set", "gc-mem", "wordsize-32"}
    assert runner.probe() is probe
    assert len(runner.programs) == 1, "one empty case for the heap baseline"
    assert "'pass'" in runner.programs[0][0]


def test_heap_figures_are_corrected_by_the_baseline() -> None:
    runner = Scripted([BASELINE, RawExecution(b"x\n" + result(180, 30))])
    outcome = runner.run(make_case(code="x = 1", expect={"stdout": ""}))
    assert outcome.heap == HeapFigures("gc", 32, 80, 0), "never below zero"
    assert outcome.stdout == "x\n"
    assert outcome.capabilities == runner.probe().capabilities


def test_memory_error_is_retried_with_collection_on() -> None:
    runner = Scripted([BASELINE, RawExecution(result(5000, 0, "MemoryError", "memory allocation failed")),
                       RawExecution(b"done\n" + result(999, 50))])
    outcome = runner.run(make_case(code="big = [0] * 10**6", expect={"stdout": ""}))
    assert (outcome.status, outcome.stdout) == (Status.OK, "done\n")
    assert outcome.heap == HeapFigures("gc", 32, None, 10), "no allocated figure without the pause"
    first, second = runner.programs[1][0], runner.programs[2][0]
    assert "p=1;" in first and "p=0;" in second, "the retry runs with automatic collection on"


def test_a_real_memory_error_stays_a_memory_error() -> None:
    error = RawExecution(result(0, 0, "MemoryError", "memory allocation failed"))
    outcome = Scripted([BASELINE, error, error]).run(make_case(code="x", expect={"raises": "MemoryError"}))
    assert (outcome.status, outcome.exc_type) == (Status.RAISED, "MemoryError")


def test_case_timeout_and_option_override() -> None:
    runner = Scripted([BASELINE, RawExecution(result(0, 0))])
    runner.run(make_case(expect={"stdout": ""}, timeout=2.5))
    assert runner.programs[-1][1] == 2.5
    runner = Scripted([BASELINE, RawExecution(result(0, 0))], options=RunnerOptions(timeout=0.5))
    runner.run(make_case(expect={"stdout": ""}, timeout=2.5))
    assert runner.programs[-1][1] == 0.5


def test_missing_capability_is_not_executed() -> None:
    runner = Scripted([BASELINE])
    outcome = runner.run(make_case(expect={"stdout": ""}, requires=["complex"]))
    assert outcome.status is Status.UNSUPPORTED
    assert len(runner.programs) == 1, "only the baseline ran"


def test_unavailable_runner_does_not_execute_anything() -> None:
    runner = Scripted([], unavailable="no board attached")
    probe = runner.probe()
    assert (probe.available, probe.reason) == (False, "no board attached")
    outcome = runner.run(make_case(expect={"stdout": ""}))
    assert (outcome.status, outcome.detail) == (Status.UNSUPPORTED, "no board attached")
    assert runner.programs == []


def test_garbled_probe_makes_the_runner_unavailable_with_a_reason() -> None:
    runner = Scripted([], probe=b"MicroPython v1.x; Type help() for more\n>>> ")
    probe = runner.probe()
    assert probe.available is False
    assert probe.reason.startswith("probe failed (")
    assert probe.identity.version == "unknown"


def test_probe_without_capability_line_is_unavailable() -> None:
    runner = Scripted([], probe=f"{IDENTITY_MARKER}('micropython', '1.22.0', 2147483647)\n".encode())
    probe = runner.probe()
    assert probe.available is False
    assert "capability probe printed no result" in probe.reason
