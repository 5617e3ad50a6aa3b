"""A MicroPython unix-port binary, one process per case.

The binary comes from ``--micropython PATH``, the ``MICROPY_MICROPYTHON``
environment variable, or ``micropython`` on PATH, in that order. A fresh
process per case is the only way to guarantee no state leaks; the unix port
starts in about a millisecond, which the benchmark script shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from runners.base import MicroPythonRunner, RunnerOptions
from runners.mpharness import RawExecution

ENV_VARIABLE = "MICROPY_MICROPYTHON"
DEFAULT_HEAPSIZE: str | None = None  # the build's own default heap


def find_binary(explicit: str | None) -> tuple[str | None, str]:
    """(path, how it was found) for the unix-port binary, or (None, why not)."""
    if explicit:
        return (explicit, "--micropython") if os.access(explicit, os.X_OK) else (
            None, f"--micropython {explicit} is not an executable file")
    from_env = os.environ.get(ENV_VARIABLE)
    if from_env:
        return (from_env, ENV_VARIABLE) if os.access(from_env, os.X_OK) else (
            None, f"{ENV_VARIABLE}={from_env} is not an executable file")
    on_path = shutil.which("micropython")
    if on_path:
        return on_path, "PATH"
    return None, (f"no MicroPython unix binary: pass --micropython PATH, set {ENV_VARIABLE}, "
                  "or put `micropython` on PATH")


class UnixRunner(MicroPythonRunner):
    """MicroPython's unix port, given as a binary path."""

    name = "unix"

    def __init__(self, options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self.binary, self._found_by = find_binary(self.options.micropython)

    def _unavailable_reason(self) -> str:
        return "" if self.binary else self._found_by

    def _describe(self) -> str:
        return f"{self.binary} (from {self._found_by})" if self.binary else ""

    def _execute(self, program: str, timeout: float) -> RawExecution:
        assert self.binary is not None
        heapsize = self.options.heapsize or DEFAULT_HEAPSIZE
        heap_args = ["-X", f"heapsize={heapsize}"] if heapsize else []
        command = [self.binary, *heap_args, "-c", program]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  env={**os.environ, "MICROPYPATH": ""})
        except subprocess.TimeoutExpired as exc:
            return RawExecution(exc.stdout or b"", exc.stderr or b"", timed_out=True,
                                crashed=f"no answer within {timeout:g} s", exit_code=None)
        except OSError as exc:
            return RawExecution(b"", b"", crashed=f"cannot start {self.binary}: {exc}", exit_code=None)
        crashed = f"killed by signal {-done.returncode}" if done.returncode < 0 else ""
        return RawExecution(done.stdout, done.stderr, crashed=crashed, exit_code=done.returncode)
