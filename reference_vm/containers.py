"""Guest dict and set, iterating in MicroPython's open-addressing slot order.

MicroPython's dict is a hash table probed linearly, grown only when full, whose
iteration order is slot order (reference-vm-notes §4.1), so host dicts (which
keep insertion order) cannot stand in for it. ``MPDict``/``MPSet`` wrap the
tables of ``reference_vm.mpdict`` (MicroPython's algorithm) with the small API
the VM uses. Hashing and equality are the guest's: ``runtime`` installs them in
``HOOKS`` when a run starts, which also breaks the import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm import mpdict
from reference_vm.objects import NULL
from reference_vm.profile import UNIX64, Profile


class Hooks:
    """The guest hash and equality and the profile, installed by ``runtime`` for the current run."""

    def __init__(self) -> None:
        self.profile: Profile = UNIX64
        self.hash: Callable[[Any], int] = hash
        self.equal: Callable[[Any, Any], bool] = lambda a, b: bool(a == b)


HOOKS = Hooks()


def _hash(key: Any) -> int:
    return HOOKS.hash(key)


def _equal(a: Any, b: Any) -> bool:
    return HOOKS.equal(a, b)


def _new_map(alloc: int) -> mpdict.MPMap:
    return mpdict.MPMap(HOOKS.profile, _hash, _equal, alloc)


def _new_set(alloc: int) -> mpdict.MPSet:
    return mpdict.MPSet(HOOKS.profile, _hash, _equal, alloc)


class MPDict:
    """A guest dict (or the attribute table of an instance/class/module)."""

    __slots__ = ("addr", "table")

    def __init__(self, alloc: int = 0) -> None:
        self.table = _new_map(alloc)
        self.addr = 0

    def get(self, key: Any, default: Any = NULL) -> Any:
        return self.table.get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.table.store(key, value)

    def remove(self, key: Any) -> Any:
        """Delete ``key``; return its value, or NULL if it was absent."""
        return self.table.pop(key, NULL)

    def __contains__(self, key: Any) -> bool:
        return key in self.table

    def __len__(self) -> int:
        return len(self.table)

    def items(self) -> list[tuple[Any, Any]]:
        return self.table.items()

    def keys(self) -> list[Any]:
        return self.table.keys()

    def values(self) -> list[Any]:
        return self.table.values()

    def copy(self) -> MPDict:
        new = MPDict()
        new.table = self.table.copy()
        return new

    def clear(self) -> None:
        self.table.clear()


class _FixedMap(mpdict.MPMap):
    """The table of a read-only dict (``map.is_fixed``): every change is a bare TypeError.

    MicroPython checks the flag before looking the key up, so even deleting a
    missing key or ``pop`` with a default fails this way. A copy is writable.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        from reference_vm.exceptions import mp_error
        raise mp_error("TypeError")

    store = setdefault = pop = remove = popitem = clear = update = _refuse


def fixed_copy(d: MPDict) -> MPDict:
    """A read-only snapshot of ``d``: what ``obj.__dict__`` and ``Class.__dict__`` give in MicroPython."""
    new = d.copy()
    new.table.__class__ = _FixedMap
    return new


class MPSet:
    """A guest set or frozenset; members in slot order."""

    __slots__ = ("addr", "frozen", "table")

    def __init__(self, items: Any = (), frozen: bool = False, alloc: int = 0) -> None:
        self.table = _new_set(alloc)
        self.frozen = frozen
        self.addr = 0
        for item in items:
            self.table.add(item)

    def add(self, item: Any) -> None:
        self.table.add(item)

    def __contains__(self, item: Any) -> bool:
        return item in self.table

    def discard(self, item: Any) -> bool:
        return self.table.discard(item)

    def __len__(self) -> int:
        return len(self.table)

    def items(self) -> list[Any]:
        return list(self.table)

    def copy(self, frozen: bool | None = None) -> MPSet:
        new = MPSet(frozen=self.frozen if frozen is None else frozen)
        new.table = self.table.copy()
        return new

    def clear(self) -> None:
        self.table.clear()
