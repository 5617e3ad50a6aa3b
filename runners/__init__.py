"""Runner registry: names map to "module:Class" strings, imported only when used.

Built-in runners are listed here; third-party runners register under the
``mpconform.runners`` entry-point group. Importing this package imports no
runner module, so neither wasmtime nor pyserial is loaded by the pytest
plugin until a runner is actually chosen.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from typing import Any

from conformance.errors import UnknownRunner

ENTRY_POINT_GROUP = "mpconform.runners"

BUILTIN_RUNNERS: dict[str, str] = {
    "cpython": "runners.cpython:CPythonRunner",
    "wasm": "runners.wasm:WasmRunner",
    "unix": "runners.unix:UnixRunner",
    "serial": "runners.serial:SerialRunner",
    "qemu-microbit": "runners.qemu:QemuMicrobitRunner",
    "refvm": "runners.refvm:RefVMRunner",
}

#: Runners that need nothing but pip packages: the default selection.
EMBEDDED_RUNNERS: tuple[str, ...] = ("cpython", "wasm")


def available_runners() -> dict[str, str]:
    """All runner names with their "module:Class" target, built-ins first."""
    found = dict(BUILTIN_RUNNERS)
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


def runner_class(name: str) -> Any:
    """Import and return the class registered under ``name``."""
    known = available_runners()
    if name not in known:
        raise UnknownRunner(name, known)
    module_name, _, attribute = known[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def create_runner(name: str, options: Any = None) -> Any:
    """A new runner instance for ``name`` (see runners.base.RunnerOptions)."""
    return runner_class(name)(options)
