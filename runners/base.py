"""The runner contract, and the template the built-in runners share.

A runner turns a case's code into an ``Outcome`` and never raises because the
target misbehaved: hangs, crashes and garbage become statuses. The template
(``HarnessRunner``) owns what every runner does the same way: probing
identity and capabilities with one program, skipping cases whose
requirements are missing, and subtracting the empty-case heap baseline.
Subclasses implement ``_run_code`` only; MicroPython transports go one step
further and implement just ``_execute`` (program text in, bytes out).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

from conformance.case import Case
from conformance.features import CAPABILITIES, OUT_OF_MEMORY, by_name, parse_probe_output, probe_program
from conformance.outcome import HeapFigures, Outcome, Probe, RunnerIdentity, Status
from runners import mpharness
from runners.mpharness import RawExecution

PROBE_TIMEOUT = 30.0


@dataclass(frozen=True)
class RunnerOptions:
    """Settings a user can give any runner; each runner reads what applies to it."""

    micropython: str | None = None   # unix: path of the binary
    heapsize: str | None = None      # MicroPython heap, e.g. "2M" (-X heapsize=)
    timeout: float | None = None     # overrides every case's timeout
    port: str | None = None          # serial: "auto", a device path, or "qemu:microbit"
    reuse_session: bool = False      # serial: no soft reset between cases (faster, shared state)
    baudrate: int = 115200           # serial
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Runner(Protocol):
    """What the suite needs from an implementation under test."""

    name: str

    def probe(self) -> Probe: ...

    def run(self, case: Case) -> Outcome: ...

    def close(self) -> None: ...


class HarnessRunner:
    """Template: probe once, then run cases through ``_run_code``."""

    name = "runner"
    implementation = "micropython"
    #: Capabilities probed per program; small boards cannot compile all probes at once.
    probe_batch: int = 0

    def __init__(self, options: RunnerOptions | None = None) -> None:
        self.options = options or RunnerOptions()
        self._probe: Probe | None = None
        self._baseline: tuple[int | None, int | None] = (0, 0)

    # -- to implement ---------------------------------------------------------
    def _unavailable_reason(self) -> str:
        """Why this runner cannot run here ('' when it can)."""
        return ""

    def _describe(self) -> str:
        """Extra identity text (package versions, binary path)."""
        return ""

    def _run_code(self, code: str, timeout: float, identity: RunnerIdentity) -> Outcome:
        """Run one program; heap figures uncorrected."""
        raise NotImplementedError

    def _run_batch(self, codes: list[str], timeout: float) -> list[Outcome]:
        """Outcomes of a prefix of ``codes`` run together (the rest are run one by one); none by default."""
        return []

    # -- the contract ---------------------------------------------------------
    def probe(self) -> Probe:
        if self._probe is None:
            self._probe = self._do_probe()
        return self._probe

    def run(self, case: Case) -> Outcome:
        probe = self.probe()
        if not probe.available:
            return Outcome(probe.identity, Status.UNSUPPORTED, detail=probe.reason)
        if case.requires - probe.capabilities:
            return Outcome(probe.identity, Status.UNSUPPORTED, capabilities=probe.capabilities,
                           detail="missing capabilities; not run")
        return self._run_corrected(case.code, self.options.timeout or case.timeout)

    def run_batch(self, codes: Sequence[str], timeout: float) -> list[Outcome]:
        """Outcomes of many programs, in order; each runs as a fresh ``__main__`` as ``run`` would.

        For throughput (the fuzzer): no heap figures, no traceback lines, no
        capability check. This default runs them one at a time; runners that
        can run several programs in one execution override ``_run_batch``.
        """
        probe = self.probe()
        if not probe.available:
            return [Outcome(probe.identity, Status.UNSUPPORTED, detail=probe.reason) for _ in codes]
        timeout = self.options.timeout or timeout
        done: list[Outcome] = []
        while len(done) < len(codes):
            done += self._run_batch(list(codes[len(done):]), timeout)
            if len(done) < len(codes):
                # The batch stopped at this program (crash, hang, heap): it runs alone.
                done.append(self._run_corrected(codes[len(done)], timeout))
        return [replace(outcome, capabilities=probe.capabilities, heap=None, traceback_lines=())
                for outcome in done]

    def close(self) -> None:
        """Nothing to release by default."""

    def known_failures(self) -> dict[str, str]:
        """Case ids this runner is known to fail, with why (a tracked list; none by default)."""
        return {}

    # -- shared mechanics -----------------------------------------------------
    def _do_probe(self) -> Probe:
        unknown = RunnerIdentity(self.name, self.implementation, "unknown", 0, self._describe())
        reason = self._unavailable_reason()
        if reason:
            return Probe(False, unknown, reason=reason)
        batch = self.probe_batch or len(CAPABILITIES)
        programs = [mpharness.IDENTITY_PROGRAM] + [
            probe_program(CAPABILITIES[i:i + batch]) for i in range(0, len(CAPABILITIES), batch)]
        try:
            answers = []
            for program in programs:
                answers.append(self._run_code(program, PROBE_TIMEOUT, unknown))
            implementation, version, word_bits = mpharness.parse_identity(answers[0].stdout)
            capabilities = frozenset().union(*(parse_probe_output(a.stdout, self.name) for a in answers[1:]))
            capabilities = self._reprobe_out_of_memory(capabilities, unknown)
        except Exception as exc:  # noqa: BLE001 - any failure here means "not usable"
            last = answers[-1] if answers else None
            detail = f"{last.status.value}: {last.detail or last.exc_message or ''}" if last else ""
            return Probe(False, unknown, reason=f"probe failed ({exc}); {detail}".strip())
        identity = RunnerIdentity(self.name, implementation, version, word_bits, self._describe())
        self._probe = Probe(True, identity, capabilities)
        empty = self._run_code("pass", PROBE_TIMEOUT, identity)
        if empty.heap is not None:
            self._baseline = (empty.heap.allocated, empty.heap.retained)
        return self._probe

    def _reprobe_out_of_memory(self, found: frozenset[str], identity: RunnerIdentity) -> frozenset[str]:
        """Probe again, one by one, the capabilities whose probe ran out of heap in a batch."""
        pending = frozenset(name[len(OUT_OF_MEMORY):] for name in found if name.startswith(OUT_OF_MEMORY))
        present = {name for name in found if not name.startswith(OUT_OF_MEMORY)}
        for capability in by_name(pending):
            answer = self._run_code(probe_program([capability]), PROBE_TIMEOUT, identity)
            if capability.name in parse_probe_output(answer.stdout, self.name):
                present.add(capability.name)
        return frozenset(present)

    def _run_corrected(self, code: str, timeout: float) -> Outcome:
        assert self._probe is not None
        outcome = self._run_code(code, timeout, self._probe.identity)
        outcome = replace(outcome, capabilities=self._probe.capabilities)
        if outcome.heap is not None:
            outcome = replace(outcome, heap=self._corrected(outcome.heap))
        return outcome

    def _corrected(self, heap: HeapFigures) -> HeapFigures:
        base_alloc, base_retained = self._baseline

        def minus(value: int | None, base: int | None) -> int | None:
            return None if value is None else max(0, value - (base or 0))

        return replace(heap, allocated=minus(heap.allocated, base_alloc),
                       retained=minus(heap.retained, base_retained))


class MicroPythonRunner(HarnessRunner):
    """Template for runners that execute MicroPython source text somewhere.

    Subclasses implement ``_execute`` (program in, bytes out). ``collect_safe``
    says whether the harness may call ``gc.collect()`` (False for the WASI
    build, whose collector frees objects still in use).
    """

    collect_safe = True

    def _execute(self, program: str, timeout: float) -> RawExecution:
        raise NotImplementedError

    def _run_code(self, code: str, timeout: float, identity: RunnerIdentity) -> Outcome:
        outcome = self._execute_case(code, timeout, identity, pause_gc=True)
        if outcome.exc_type == "MemoryError":
            # Perhaps only because automatic collection was paused: retry with it on.
            outcome = self._execute_case(code, timeout, identity, pause_gc=False)
        return outcome

    #: Largest batch program (characters): the unix port takes it as one argv entry.
    batch_limit = 100_000

    def _run_batch(self, codes: list[str], timeout: float) -> list[Outcome]:
        assert self._probe is not None
        done: list[Outcome] = []
        while len(done) < len(codes):
            chunk = self._batch_chunk(codes[len(done):])
            program = mpharness.build_batch_program(chunk, pause_gc=not self.collect_safe)
            # One program's time limit for the whole batch: the program running when
            # it runs out is then run alone, with its own full limit.
            raw = self._execute(program, timeout)
            answers = mpharness.interpret_batch(raw, self._probe.identity, len(chunk))
            # Out of heap with collection paused, or cut short: the rest goes one by one.
            clean = next((i for i, o in enumerate(answers) if o.exc_type == "MemoryError"), len(answers))
            done += answers[:clean]
            if clean < len(chunk):
                break
        return done

    def _batch_chunk(self, codes: list[str]) -> list[str]:
        size, count = 0, 0
        for code in codes:
            size += len(repr(code)) + 2
            if count and size > self.batch_limit:
                break
            count += 1
        return codes[:count]

    def _harness_program(self, code: str, pause_gc: bool) -> str:
        """The program that runs ``code`` under the harness on this target."""
        return mpharness.build_program(code, collect=self.collect_safe, pause_gc=pause_gc)

    def _execute_case(self, code: str, timeout: float, identity: RunnerIdentity, pause_gc: bool) -> Outcome:
        program = self._harness_program(code, pause_gc)
        start = time.perf_counter()
        raw = self._execute(program, timeout)
        return mpharness.interpret(raw, identity, time.perf_counter() - start, paused_gc=pause_gc)
