"""The micropython module: opt_level drives exec/eval compilation, stack_use models the C stack.

``opt_level(n)`` is the runtime compiler's optimisation level
(``MP_STATE_VM(mp_optimise_value)``): code compiled afterwards by exec/eval/
compile is compiled with mpy-cross ``-On``, so from level 1 on asserts vanish
and ``__debug__`` is False there (the already-compiled program is unchanged).

``stack_use()`` reports bytes of C stack in use. The VM has no C stack, so it
reports the unix64 port's measured figures: 800 bytes at module level and 400
more per Python call level. Only its type and sign are meaningful to compare.

Not modelled: ``heap_lock`` (MicroPython then raises MemoryError on any heap
allocation; the VM does not track allocations), so heap_lock/heap_unlock do
nothing.
"""

from __future__ import annotations

from typing import Any

from reference_vm.objects import Module
from reference_vm.runtime import STATE

_MODULE_LEVEL_STACK = 800
_STACK_PER_CALL = 400


def opt_level(*args: Any) -> Any:
    """opt_level() returns the level; opt_level(n) sets it (an int, through mp_obj_get_int)."""
    if not args:
        return STATE.opt_level
    from reference_vm.builtins_types import to_int_strict
    STATE.opt_level = to_int_strict(args[0])
    return None


def stack_use() -> int:
    depth = max(STATE.machine.depth - 1, 0) if STATE.machine is not None else 0
    return _MODULE_LEVEL_STACK + _STACK_PER_CALL * depth


def make_micropython() -> Module:
    """A fresh micropython module."""
    from reference_vm.modules import fn, new_module
    return new_module("micropython", {
        "const": fn("const", lambda x: x, 1, 1), "opt_level": fn("opt_level", opt_level, 0, 1),
        "heap_lock": fn("heap_lock", lambda: 0, 0, 0), "heap_unlock": fn("heap_unlock", lambda: 0, 0, 0),
        "kbd_intr": fn("kbd_intr", lambda c: None, 1, 1), "mem_info": fn("mem_info", lambda *a: None, 0, 1),
        "qstr_info": fn("qstr_info", lambda *a: None, 0, 1), "stack_use": fn("stack_use", stack_use, 0, 0),
        "schedule": fn("schedule", lambda f, a: None, 2, 2),
        "mem_current": fn("mem_current", lambda: 0, 0, 0), "mem_peak": fn("mem_peak", lambda: 0, 0, 0),
        "mem_total": fn("mem_total", lambda: 0, 0, 0),
    })
