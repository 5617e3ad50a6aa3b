"""The opcode handler registry: each handler module registers its handlers here by opcode.

A handler takes (machine, frame, instruction) and returns None to go on, or
``RETURN``/``YIELD``/``CALL`` to leave the block it runs in (see ``machine``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm.machine import Frame, Ins, Machine
from reference_vm.opcodes import Op

Handler = Callable[[Machine, Frame, Ins], Any]
HANDLERS: dict[Op, Handler] = {}


def handler(op: Op) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``op`` (every opcode of its range)."""
    def register(fn: Handler) -> Handler:
        HANDLERS[op] = fn
        return fn
    return register
