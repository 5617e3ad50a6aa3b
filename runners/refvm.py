"""The reference VM (reference_vm/): mpy-cross output run by a pure-Python MicroPython VM.

Runs in-process: the VM enforces the case timeout itself (a step budget and a
wall-clock deadline checked every few thousand instructions), so an infinite
loop ends as a timeout without a subprocess. A case the VM cannot handle (a
VM bug, or a feature it does not implement yet) becomes a *crashed* outcome
whose detail names what is missing; nothing escapes ``run()``. The profile
(word size, float precision, hash width, error level) is chosen with
``RunnerOptions.extra["profile"]`` (default ``unix64``).
"""

from __future__ import annotations

import time
import traceback

from conformance.errors import ConformanceError
from conformance.outcome import Outcome, RunnerIdentity, Status
from runners.base import HarnessRunner, RunnerOptions
from runners.mpharness import clip_frames

_STATUS = {"ok": Status.OK, "raised": Status.RAISED, "timeout": Status.TIMEOUT}


class RefVMRunner(HarnessRunner):
    """MicroPython semantics from the reference VM, under a chosen build profile."""

    name = "refvm"
    implementation = "micropython"

    def __init__(self, options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self.profile_name = self.options.extra.get("profile", "unix64")

    def _unavailable_reason(self) -> str:
        from reference_vm.profile import PROFILES
        if self.profile_name not in PROFILES:
            return f"unknown profile {self.profile_name!r}; choose one of {', '.join(sorted(PROFILES))}"
        try:
            from reference_vm.compile import mpy_cross_version
            mpy_cross_version()
        except ConformanceError as exc:
            return str(exc)
        return ""

    def _describe(self) -> str:
        try:
            from reference_vm.compile import mpy_cross_version
            words = mpy_cross_version().split()
            version = words[1].lstrip("v") if len(words) > 1 else "?"
        except ConformanceError:
            version = "unavailable"
        return f"reference VM, profile {self.profile_name}, mpy-cross {version}"

    def _run_code(self, code: str, timeout: float, identity: RunnerIdentity) -> Outcome:
        from reference_vm import run_source
        from reference_vm.errors import VMInternalError
        from reference_vm.profile import PROFILES
        start = time.perf_counter()
        try:
            result = run_source(code, PROFILES[self.profile_name], timeout)
        except VMInternalError as exc:
            return self._crash(identity, start, f"reference VM internal error: {exc.message}")
        except NotImplementedError as exc:
            return self._crash(identity, start, f"not implemented in the reference VM: {exc}")
        except ConformanceError as exc:
            return self._crash(identity, start, str(exc))
        except Exception as exc:  # noqa: BLE001 - a VM bug must become an outcome, never escape run()
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return self._crash(identity, start, f"reference VM bug: {type(exc).__name__}: {exc} "
                               f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno} in {where.name})")
        return Outcome(identity, _STATUS[result.status], stdout=_as_printed(result.stdout), exc_type=result.exc_type,
                       exc_message=None if result.exc_message is None else _as_printed(result.exc_message),
                       traceback_lines=clip_frames(result.traceback_lines),
                       duration=time.perf_counter() - start,
                       detail="stopped by the reference VM's deadline" if result.status == "timeout" else "")

    def known_failures(self) -> dict[str, str]:
        """The tracked list in reference_vm/KNOWN_FAILURES.md (case id -> reason)."""
        from reference_vm.tools.known_failures import DEFAULT_OUT, read_known_failures

        return read_known_failures(DEFAULT_OUT) if self.profile_name == "unix64" else {}

    @staticmethod
    def _crash(identity: RunnerIdentity, start: float, detail: str) -> Outcome:
        return Outcome(identity, Status.CRASHED, duration=time.perf_counter() - start, detail=detail)


def _as_printed(text: str) -> str:
    """Text the way the other MicroPython runners read it: the guest's bytes (invalid UTF-8 kept by
    the VM as surrogate escapes) decoded as UTF-8 with U+FFFD for what is not."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
