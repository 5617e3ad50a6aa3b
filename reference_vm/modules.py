"""Built-in modules and IMPORT_NAME: a registry of module factories, one entry per module.

``BUILTIN_MODULES`` maps a module name to a function that builds a fresh
``Module`` for the current run; another module file can add itself with
``register("name", factory)``. Only built-in modules are importable (the
reference VM has no filesystem): anything else is
``ImportError: no module named 'x'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict
from reference_vm.exceptions import GuestException, exc_args, exc_data, mp_error
from reference_vm.mod_collections import make_collections
from reference_vm.mod_io import make_io
from reference_vm.mod_json import make_json
from reference_vm.mod_math import make_math
from reference_vm.mod_micropython import make_micropython
from reference_vm.mod_re import make_re
from reference_vm.mod_struct import make_struct
from reference_vm.objects import NULL, Instance, Module, MPType, NativeFunction
from reference_vm.runtime import SPECIAL_ATTRS, STATE, call, getattr_, iterate

BUILTIN_MODULES: dict[str, Callable[[], Module]] = {}
ALIASES = {"ucollections": "collections", "ujson": "json", "ure": "re", "ustruct": "struct", "uio": "io",
           "usys": "sys", "umath": "math"}


def register(name: str, factory: Callable[[], Module]) -> None:
    BUILTIN_MODULES[name] = factory


def new_module(name: str, members: dict[str, Any]) -> Module:
    g = MPDict()
    g["__name__"] = name
    for key, value in members.items():
        g[key] = value
    return Module(name, g)


def fn(name: str, impl: Callable[..., Any], lo: int = 0, hi: int = -1, kw: bool = False) -> NativeFunction:
    return NativeFunction(name, impl, lo, hi, kw)


def import_module(machine: Any, name: str, fromlist: Any, level: Any) -> Module:
    if level:
        raise mp_error("ImportError", f"no module named '{name}'" if False else "can't perform relative import")
    top = name.split(".")[0]
    key = ALIASES.get(top, top)
    module = machine.modules.get(key)
    if module is None:
        factory = BUILTIN_MODULES.get(key)
        if factory is None:
            raise mp_error("ImportError", f"no module named '{name}'" if STATE.detailed else "module not found")
        module = factory()
        machine.modules[key] = module
    if "." in name:
        raise mp_error("ImportError", f"no module named '{name}'")
    return module


# --- sys ---------------------------------------------------------------------------

class AttrTuple(tuple):  # type: ignore[type-arg]
    """MicroPython's attrtuple (sys.implementation): a tuple whose items also have names."""

    fields: tuple[str, ...] = ()

    def repr_text(self) -> str:
        from reference_vm.reprs import repr_
        return "(" + ", ".join(f"{k}={repr_(v)}" for k, v in zip(self.fields, self, strict=True)) + ")"


def attrtuple(**items: Any) -> AttrTuple:
    t = AttrTuple(items.values())
    t.fields = tuple(items)
    return t


T.register_host_type(AttrTuple, T.TUPLE_T)
SPECIAL_ATTRS[AttrTuple] = lambda t, name: t[t.fields.index(name)] if name in t.fields else NULL


class Stream:
    """sys.stdout / sys.stderr: ``write`` appends to the run's output (stderr is dropped)."""

    mp_type = MPType("TextIOWrapper", (T.OBJECT,))

    def __init__(self, is_stdout: bool) -> None:
        self.is_stdout = is_stdout
        self.addr = 0


Stream.mp_type.mp_type = T.TYPE
T.register_host_type(Stream, Stream.mp_type)


def _stream_write(stream: Stream, text: Any) -> int:
    data = text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")
    if stream.is_stdout:
        STATE.out.append(data)
    return len(data if isinstance(text, str) else text)


Stream.mp_type.locals["write"] = fn("write", _stream_write, 2, 2)
Stream.mp_type.locals["flush"] = fn("flush", lambda s: None, 1, 1)


def format_traceback(exc: Instance) -> list[str]:
    """MicroPython's traceback text for an exception (sys.print_exception and uncaught errors)."""
    from reference_vm.reprs import str_
    lines = ["Traceback (most recent call last):"]
    for filename, line, func in reversed(exc_data(exc).traceback):
        lines.append(f'  File "{filename}", line {line}, in {func}')
    text = str_(exc)
    lines.append(f"{exc.mp_type.name}: {text}" if text else exc.mp_type.name)
    return lines


def _print_exception(exc: Any, file: Any = None) -> None:
    text = "\n".join(format_traceback(exc)) + "\n"
    if file is None or (isinstance(file, Stream) and file.is_stdout):
        STATE.out.append(text)
    elif not isinstance(file, Stream):
        call(getattr_(file, "write"), [text])


def _exit(code: Any = None) -> None:
    raise GuestException(T.EXCEPTIONS["SystemExit"].make_new(T.EXCEPTIONS["SystemExit"],  # type: ignore[misc]
                                                             [] if code is None else [code], {}))


def make_sys() -> Module:
    stdout = Stream(True)
    STATE.stdout_obj = stdout
    return new_module("sys", {
        "argv": [], "path": ["", ".frozen"], "byteorder": "little",
        "implementation": attrtuple(name="micropython", version=(1, 29, 0, "preview"),
                                    _machine="linux [GCC 12.2.0] version", _mpy=2822, _build="standard",
                                    _thread="unsafe"),
        "maxsize": (1 << (STATE.profile.word_bits - 1)) - 1, "platform": "linux",
        "version": "3.4.0; MicroPython v1.29.0 (reference VM)", "version_info": (3, 4, 0),
        "modules": MPDict(), "stdout": stdout, "stderr": Stream(False), "stdin": Stream(False),
        "print_exception": fn("print_exception", _print_exception, 1, 2), "exit": fn("exit", _exit, 0, 1),
        "exc_info": fn("exc_info", lambda: (None, None, None), 0, 0), "executable": "", "ps1": ">>> ",
        "ps2": "... ", "atexit": fn("atexit", lambda f: None, 1, 1),
    })


def make_gc() -> Module:
    state = {"enabled": True}
    return new_module("gc", {
        "collect": fn("collect", lambda: None, 0, 0),
        "enable": fn("enable", lambda: state.__setitem__("enabled", True), 0, 0),
        "disable": fn("disable", lambda: state.__setitem__("enabled", False), 0, 0),
        "isenabled": fn("isenabled", lambda: state["enabled"], 0, 0),
        "mem_alloc": fn("mem_alloc", lambda: 0, 0, 0), "mem_free": fn("mem_free", lambda: 2000000, 0, 0),
        "threshold": fn("threshold", lambda *a: -1, 0, 1),
    })


register("sys", make_sys)
register("builtins", lambda: Module("builtins", STATE.machine.builtins))
register("gc", make_gc)
register("micropython", make_micropython)
register("math", make_math)
register("struct", make_struct)
register("json", make_json)
register("re", make_re)
register("collections", make_collections)
register("io", make_io)
_ = (iterate, exc_args)
