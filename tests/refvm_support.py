"""Differential helper for the reference VM: run a snippet on the VM and on real MicroPython.

``assert_same(code)`` compiles ``code`` with mpy-cross, runs it on the
reference VM and on a real MicroPython (the unix port when
``MICROPY_MICROPYTHON`` or /opt/mpbuild/micropython points at one, otherwise
the WASM port, which is always installed), and fails with both outcomes and
the VM's disassembly when stdout, exception type or message differ. The
expectation is always real MicroPython, never CPython.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest

from reference_vm import VMResult, run_source
from reference_vm.profile import UNIX64, Profile

FALLBACK_BINARY = "/opt/mpbuild/micropython"


@functools.lru_cache(maxsize=1)
def real_runner() -> Any:
    """A probed runner for real MicroPython: unix if a binary is there, else WASM."""
    from runners import create_runner
    from runners.base import RunnerOptions

    binary = os.environ.get("MICROPY_MICROPYTHON") or (FALLBACK_BINARY if Path(FALLBACK_BINARY).exists() else None)
    runner = create_runner("unix", RunnerOptions(micropython=binary)) if binary else create_runner("wasm")
    probe = runner.probe()
    if not probe.available:
        runner = create_runner("wasm")
        probe = runner.probe()
    if not probe.available:
        pytest.skip(f"no real MicroPython to compare with: {probe.reason}")
    return runner


def run_real(code: str) -> tuple[str, str | None, str | None]:
    runner = real_runner()
    outcome = runner._run_code(code, 30.0, runner.probe().identity)
    return outcome.stdout, outcome.exc_type, outcome.exc_message


def run_vm(code: str, profile: Profile = UNIX64) -> VMResult:
    return run_source(code, profile, timeout=30.0)


def assert_same(code: str, profile: Profile = UNIX64) -> VMResult:
    """Fail unless the VM and real MicroPython print the same and raise the same."""
    result = run_vm(code, profile)
    real = run_real(code)
    mine = (result.stdout, result.exc_type, result.exc_message)
    if mine != real:
        pytest.fail(f"reference VM differs from MicroPython\n--- code\n{code}\n--- MicroPython\n{real!r}\n"
                    f"--- reference VM ({profile.name})\n{mine!r}\n--- disassembly\n{result.disassembly()}",
                    pytrace=False)
    return result
