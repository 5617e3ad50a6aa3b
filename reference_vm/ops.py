"""One handler per opcode, named and ordered as in py/bc0.h (``opcodes.Op`` order).

The handlers live in three modules by what they do (``ops_data``: moving values,
``ops_flow``: control flow, ``ops_calls``: building and calling) and register
themselves in ``opreg``. ``DISPATCH`` is built here, once: a 256-entry list
indexed by opcode byte, where an opcode MicroPython does not use raises
NotImplementedError. Semantics: reference-vm-notes §2-§3.
"""

from __future__ import annotations

from reference_vm import mptypes as T
from reference_vm import ops_calls, ops_data, ops_flow
from reference_vm.exceptions import GuestException, new_exception
from reference_vm.machine import Frame, Ins, Machine
from reference_vm.opreg import HANDLERS, Handler
from reference_vm.ops_calls import RepeatedKwargs
from reference_vm.ops_data import name_error, unbound_local

__all__ = ["DISPATCH", "RepeatedKwargs", "name_error", "ops_calls", "ops_data", "ops_flow", "unbound_local"]


def _bad_opcode(m: Machine, f: Frame, ins: Ins) -> None:
    raise GuestException(new_exception(T.EXCEPTIONS["NotImplementedError"], ("opcode",)))


def _build_dispatch() -> list[Handler]:
    table: list[Handler] = [_bad_opcode] * 256
    for op, fn in HANDLERS.items():
        for number in range(op, op + op.count):
            table[number] = fn
    return table


DISPATCH: list[Handler] = _build_dispatch()
