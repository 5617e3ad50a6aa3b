"""From source or .mpy bytes to a running module: constants to guest values, module function, run.

Float and complex constants are parsed from the text mpy-cross wrote with the
profile's own parser, so a float32 profile holds the same value the target
would. Used for the top-level program and for exec/eval/compile.
"""

from __future__ import annotations

from typing import Any

from reference_vm.compile import compile_source
from reference_vm.containers import MPDict
from reference_vm.errors import CompileError
from reference_vm.exceptions import mp_error
from reference_vm.mpyfile import ComplexConst, FloatConst, MpyModule, load_mpy
from reference_vm.objects import CodeContext, Function
from reference_vm.runtime import STATE


def guest_constant(value: Any) -> Any:
    """An object-table entry as a guest value."""
    if isinstance(value, FloatConst):
        from reference_vm.floatfmt import parse_float
        return parse_float(value.text, STATE.profile)
    if isinstance(value, ComplexConst):
        text = value.text
        return complex(0, float(text.rstrip("jJ"))) if text.endswith(("j", "J")) else complex(text)
    if isinstance(value, tuple):
        return tuple(guest_constant(v) for v in value)
    return value


def module_function(module: MpyModule, globals_: MPDict) -> Function:
    context = CodeContext(module.qstrs, tuple(guest_constant(o) for o in module.objects), module.source_file)
    return Function(module.raw_code, context, globals_)


def compile_checked(source: str, filename: str) -> bytes:
    """mpy-cross's .mpy for ``source``; a rejected source raises what the compiler raised.

    That is usually SyntaxError, but the compiler raises others too (a ``\\N{...}``
    escape is NotImplementedError), and the runtime compiler behind exec/eval
    raises the very same exception.
    """
    from reference_vm.mptypes import EXCEPTIONS
    try:
        from reference_vm.runtime import STATE
        return compile_source(source, filename, (f"-O{STATE.opt_level}",) if STATE.opt_level else ())
    except CompileError as exc:
        raise mp_error(exc.exc_type if exc.exc_type in EXCEPTIONS else "SyntaxError", exc.message) from None


def run_compiled_source(machine: Any, source: str, filename: str, globals_: MPDict, locals_: Any) -> Any:
    """exec(): compile ``source`` and run it as a module body with these scopes."""
    data = compile_checked(source, filename)
    fn = module_function(load_mpy(data, filename), globals_)
    return machine.call_function(fn, [], None, locals_dict=locals_)
