"""MicroPython's open-addressing hash tables (py/map.c), the storage behind dict and set.

Iteration visits slots 0..alloc-1, so order is a pure function of hashes, table
size and insert/delete history, never insertion order. Rules (notes §4.1,
checked against map.c, objdict.c, objset.c):

* probe from ``hash (as unsigned word) % alloc``, linearly, wrapping; a lookup
  skips tombstones, an insert reuses the first tombstone it passed;
* grow only when a new key finds neither an empty slot nor a tombstone in a full
  circle, to the first ``SIZES`` entry >= alloc + 1, re-adding (and re-hashing)
  old entries in old slot order, then the new key;
* deleting empties the slot if the next slot is empty, else leaves a tombstone;
  ``dict.popitem`` always leaves a tombstone. Tables never shrink; ``clear()``
  drops the table (alloc 0).

Initial alloc (``initial_alloc``): 0 for ``{}``, comprehensions, ``dict(...)``,
``set()``, ``set(it)`` and instance dicts; exactly n for a ``{k: v, ...}`` or
``{a, ...}`` display of n items (even if n is not in ``SIZES``); the number of
keywords for a ``**kw`` dict; 1 for module globals; len(it) (or 0 without
``__len__``) for ``dict.fromkeys(it)``; ``copy()`` keeps alloc and slots.

The dict compares keys by identity, then ``eq_fn``; the set calls only ``eq_fn``
(mp_obj_equal), whose own identity shortcut skips floats, so a NaN is found in a
dict by identity but never in a set. ``hash_fn``/``eq_fn`` may raise guest
exceptions; they propagate unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from reference_vm.profile import Profile

__all__ = ["SIZES", "MPMap", "MPSet", "initial_alloc", "next_alloc"]

SIZES = (0, 2, 4, 6, 8, 10, 12, 17, 23, 29, 37, 47, 59, 73, 97, 127, 167, 223, 293, 389, 521,
         691, 919, 1223, 1627, 2161, 3229, 4831, 7243, 10861, 16273, 24407, 36607, 54907)

_INITIAL = {"empty": 0, "comprehension": 0, "constructor": 0, "instance": 0, "globals": 1}


class _Slot:
    """Marker for an empty or deleted slot; compared only by identity, never equal to a guest key."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


EMPTY = _Slot("EMPTY")
DELETED = _Slot("DELETED")
_MISSING = _Slot("MISSING")
_T = TypeVar("_T", bound="_Table")


def _filled(key: Any) -> bool:
    return key is not EMPTY and key is not DELETED


HashFn = Callable[[Any], int]
EqFn = Callable[[Any, Any], bool]
KeyKindFn = Callable[[Any], str]


def next_alloc(alloc: int) -> int:
    """Size after growing a full table of ``alloc`` slots: first size >= alloc + 1."""
    for size in SIZES:
        if size >= alloc + 1:
            return size
    want = alloc + 1
    return (want + want // 2) | 1


def initial_alloc(kind: str, n: int = 0) -> int:
    """Table size MicroPython starts with; ``kind`` is one of display, kwargs, fromkeys
    (these take ``n``) or empty, comprehension, constructor, instance, globals."""
    if kind in ("display", "kwargs", "fromkeys"):
        return n
    try:
        return _INITIAL[kind]
    except KeyError:
        raise ValueError(f"unknown creation kind {kind!r}") from None


class _Table:
    """Slot arrays and probing shared by MPMap and MPSet (a set leaves its values None)."""

    def __init__(self, profile: Profile, hash_fn: HashFn, eq_fn: EqFn, alloc: int = 0) -> None:
        if alloc < 0:
            raise ValueError("alloc must be >= 0")
        self.profile, self.hash_fn, self.eq_fn = profile, hash_fn, eq_fn
        self._word_mask = profile.word_mask  # table_index: the hash read as an unsigned word
        self._reset(alloc)

    #: Called after any change of keys or values when set (a class's attribute table: see
    #: ``objects.MPType.lookup``, whose cache this invalidates).
    on_change: Callable[[], None] | None = None

    def _reset(self, alloc: int) -> None:
        if self.on_change is not None:
            self.on_change()
        self._keys: list[Any] = [EMPTY] * alloc
        self._values: list[Any] = [None] * alloc
        self._used = 0
        # Lookup caches for exact-str keys, kept only while every key ever placed since the last
        # reset is an exact str (``_str_only``): then a probe compares strs only (pure, no guest
        # ``__eq__`` to skip) and hashes a str (pure), so its answer can be remembered.
        # ``_str_pos``: str -> slot where a lookup found it. The probe chain before a found key
        # never breaks (a delete there leaves a tombstone, because its next slot is filled) and
        # gains no equal key, so while the slot still holds an equal str (checked on use) and the
        # table keeps its size (a resize resets), the probe would stop there again.
        # ``_str_miss``: strs a lookup did not find; any newly placed key clears it.
        self._str_only = True
        self._str_pos: dict[str, int] = {}
        self._str_miss: set[str] = set()

    @property
    def alloc(self) -> int:
        """Number of slots (``map->alloc``); drives order and heap size."""
        return len(self._keys)

    def __len__(self) -> int:
        return self._used

    #: map.c compares a stored key by identity before calling eq_fn; a set does not (see MPSet).
    _IDENTITY_FIRST = True

    def _matches(self, stored: Any, key: Any, ptrs_only: bool) -> bool:
        return stored is key or (not ptrs_only and self.eq_fn(stored, key))

    def _find(self, key: Any, add: bool, ptrs_only: bool = False) -> tuple[int, bool]:
        """Slot of ``key`` and whether it was already there; -1 when absent and not adding.

        One pass of map.c's loop. When adding to a full table it grows the table
        and probes again, as ``mp_map_lookup`` does. The caller fills a new slot.
        (``_matches`` and ``table_index`` are inlined here: this is the VM's hottest loop. Two exact
        strs are compared with ``==`` directly: every eq_fn (the guest's ``equal``) answers that.)
        """
        keys = self._keys
        if not keys:
            if not add:
                return -1, False  # an empty table answers without hashing: `[] in {}` is False
            self._grow()
            keys = self._keys
        h = self.hash_fn(key)
        n = len(keys)
        word_mask = self._word_mask
        pos = start = (h & word_mask) % n
        identity_first = self._IDENTITY_FIRST
        if identity_first and keys[pos] is key:
            return pos, True
        eq = self.eq_fn
        avail = -1
        while True:
            stored = keys[pos]
            if stored is EMPTY:
                if not add:
                    return -1, False
                return (pos if avail < 0 else avail), False
            if stored is DELETED:
                if avail < 0:
                    avail = pos
            elif (identity_first and stored is key) or (not ptrs_only and (
                    stored == key if type(stored) is str and type(key) is str  # eq_fn of two strs
                    else eq(stored, key))):
                return pos, True
            pos += 1
            if pos == n:
                pos = 0
            if pos == start:
                if not add:
                    return -1, False
                if avail >= 0:
                    return avail, False
                self._grow()
                keys = self._keys
                n = len(keys)
                pos = start = (h & word_mask) % n

    def _grow(self) -> None:
        """Rehash into the next size: old entries re-added (and re-hashed) in old slot order."""
        old = [(k, v) for k, v in zip(self._keys, self._values, strict=True) if _filled(k)]
        self._reset(next_alloc(len(self._keys)))
        for key, value in old:
            self._insert(key, value)

    def _insert(self, key: Any, value: Any) -> tuple[int, bool]:
        pos, found = self._find(key, add=True)
        if not found:
            self._place(pos, key, value)
        return pos, found

    def _place(self, pos: int, key: Any, value: Any) -> None:
        self._keys[pos], self._values[pos] = key, value
        self._used += 1
        if self.on_change is not None:
            self.on_change()
        if self._str_miss:
            self._str_miss.clear()
        if type(key) is not str and self._str_only:
            self._str_only = False
            self._str_pos.clear()

    def _vacate(self, pos: int, always_tombstone: bool = False) -> None:
        """Delete slot ``pos``: empty if the next slot is empty (and allowed), else a tombstone."""
        keys = self._keys
        empty_next = keys[(pos + 1) % len(keys)] is EMPTY
        keys[pos] = EMPTY if empty_next and not always_tombstone else DELETED
        self._values[pos] = None
        if self.on_change is not None:
            self.on_change()
        self._used -= 1

    def _first_filled(self, cur: int = 0) -> int:
        for pos in range(cur, len(self._keys)):
            if _filled(self._keys[pos]):
                return pos
        return -1

    def _copy_into(self, new: _T) -> _T:
        new._keys, new._values, new._used = list(self._keys), list(self._values), self._used
        new._str_only, new._str_pos, new._str_miss = self._str_only, {}, set()
        return new

    def slots(self) -> list[Any]:
        """The raw slot array (keys, EMPTY or DELETED), for debugging and tests."""
        return list(self._keys)

    def clear(self) -> None:
        """Drop the table entirely (alloc 0), as mp_map_clear / mp_set_clear do."""
        self._reset(0)


class MPMap(_Table):
    """A dict's table: keys and values in slot order.

    ``key_kind`` is optional. When given it returns "qstr" for interned strings,
    "str" for other exact str objects and "other" for everything else; the map
    then tracks "all keys are qstrs" and takes map.c's shortcut: such a map
    compares keys by identity only and answers a lookup of a non-str key (even an
    equal str subclass instance) with "absent" without hashing it. Without it,
    keys are always compared with identity then ``eq_fn``.
    """

    def __init__(self, profile: Profile, hash_fn: HashFn, eq_fn: EqFn, alloc: int = 0,
                 key_kind: KeyKindFn | None = None) -> None:
        self.key_kind = key_kind
        super().__init__(profile, hash_fn, eq_fn, alloc)

    @classmethod
    def from_display(cls, profile: Profile, hash_fn: HashFn, eq_fn: EqFn, n: int,
                     key_kind: KeyKindFn | None = None) -> MPMap:
        """Table for a ``{k: v, ...}`` display of n pairs (BUILD_MAP n): alloc exactly n."""
        return cls(profile, hash_fn, eq_fn, initial_alloc("display", n), key_kind)

    def _reset(self, alloc: int) -> None:
        super()._reset(alloc)
        self._all_qstrs = True

    def _place(self, pos: int, key: Any, value: Any) -> None:
        super()._place(pos, key, value)
        if self.key_kind is not None and self.key_kind(key) != "qstr":
            self._all_qstrs = False

    def _insert(self, key: Any, value: Any) -> tuple[int, bool]:
        return self._locate(key, add=True, value=value)

    def _locate(self, key: Any, add: bool, value: Any = None) -> tuple[int, bool]:
        """mp_map_lookup: the all-qstr shortcut, then probing; a new key gets ``value``."""
        ptrs_only = False
        if self.key_kind is not None and self._all_qstrs:
            kind = self.key_kind(key)
            if kind != "str":
                if kind != "qstr" and not add:
                    return -1, False
                ptrs_only = True
        pos, found = self._find(key, add, ptrs_only)
        if add and not found:
            self._place(pos, key, value)
        return pos, found

    def lookup(self, key: Any) -> tuple[bool, Any]:
        """(True, value) if ``key`` is present, else (False, None)."""
        value = self.get(key, _MISSING)
        return (False, None) if value is _MISSING else (True, value)

    def get(self, key: Any, default: Any) -> Any:
        """The value of ``key``, or ``default`` when absent (``lookup`` without the pair)."""
        if self.key_kind is None:
            if type(key) is str and self._str_only:
                pos = self._str_pos.get(key)
                if pos is not None and self._keys[pos] == key:
                    return self._values[pos]
                if key in self._str_miss:
                    return default
                pos, found = self._find(key, False)
                if found:
                    self._str_pos[key] = pos
                    return self._values[pos]
                self._str_miss.add(key)
                return default
            pos, found = self._find(key, False)
        else:
            pos, found = self._locate(key, add=False)
        return self._values[pos] if found else default

    def __contains__(self, key: Any) -> bool:
        return self._locate(key, add=False)[1]

    def store(self, key: Any, value: Any) -> None:
        """``d[key] = value``: insert, or replace the value and keep the original key object."""
        if type(key) is str and self.key_kind is None and self._str_only:
            pos = self._str_pos.get(key)
            if pos is not None and self._keys[pos] == key:
                self._values[pos] = value
                if self.on_change is not None:
                    self.on_change()
                return
        pos, _ = self._locate(key, add=True)
        self._values[pos] = value
        if self.on_change is not None:
            self.on_change()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """dict.setdefault: the existing value, or ``default`` newly stored."""
        pos, _ = self._locate(key, add=True, value=default)
        return self._values[pos]

    def remove(self, key: Any) -> Any:
        """``del d[key]``: the value, or KeyError(key) if absent."""
        return self.pop(key)

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        """dict.pop: one probe (a user ``__hash__``/``__eq__`` runs once); ``default`` or KeyError if absent."""
        pos, found = self._locate(key, add=False)
        if not found:
            if default is _MISSING:
                raise KeyError(key)
            return default
        value = self._values[pos]
        self._vacate(pos)
        return value

    def popitem(self) -> tuple[Any, Any]:
        """dict.popitem: the entry in the lowest filled slot, always left as a tombstone.

        Unlike ``del``, objdict.c never empties the slot here. Raises
        KeyError("popitem(): dictionary is empty") when empty.
        """
        pos = self._first_filled()
        if pos < 0:
            raise KeyError("popitem(): dictionary is empty")
        item = (self._keys[pos], self._values[pos])
        self._vacate(pos, always_tombstone=True)
        return item

    def next_filled(self, cur: int) -> tuple[int, Any, Any] | None:
        """(slot, key, value) of the first entry at slot >= cur, for iterators that
        walk the live table as dict_iter_next does (MicroPython has no size-change check)."""
        pos = self._first_filled(cur)
        return None if pos < 0 else (pos, self._keys[pos], self._values[pos])

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())

    def keys(self) -> list[Any]:
        return [k for k in self._keys if _filled(k)]

    def values(self) -> list[Any]:
        return [v for k, v in zip(self._keys, self._values, strict=True) if _filled(k)]

    def items(self) -> list[tuple[Any, Any]]:
        return [(k, v) for k, v in zip(self._keys, self._values, strict=True) if _filled(k)]

    def update(self, other: MPMap) -> None:
        """dict.update(other_dict): stores other's entries in other's slot order."""
        if other is not self:
            for key, value in other.items():
                self.store(key, value)

    def copy(self) -> MPMap:
        """d.copy(): same alloc and a verbatim copy of the slots, tombstones included."""
        new = self._copy_into(MPMap(self.profile, self.hash_fn, self.eq_fn, 0, self.key_kind))
        new._all_qstrs = self._all_qstrs
        return new


class MPSet(_Table):
    """A set's table (py/map.c mp_set_*): same probing and growth, elements only."""

    @classmethod
    def from_display(cls, profile: Profile, hash_fn: HashFn, eq_fn: EqFn, n: int) -> MPSet:
        """Table for a ``{a, b, ...}`` display of n items (BUILD_SET n): alloc exactly n."""
        return cls(profile, hash_fn, eq_fn, initial_alloc("display", n))

    _IDENTITY_FIRST = False  # mp_set_lookup has no identity pre-check of its own

    def _matches(self, stored: Any, key: Any, ptrs_only: bool) -> bool:
        return bool(self.eq_fn(stored, key))

    def add(self, item: Any) -> bool:
        """set.add: True if ``item`` was new (an equal element already present is kept)."""
        return not self._insert(item, None)[1]

    def find(self, item: Any) -> tuple[bool, Any]:
        """(True, the stored element equal to ``item``) or (False, None)."""
        pos, found = self._find(item, add=False)
        return (True, self._keys[pos]) if found else (False, None)

    def __contains__(self, item: Any) -> bool:
        return self._find(item, add=False)[1]

    def discard(self, item: Any) -> bool:
        """set.discard: True if an element was removed."""
        pos, found = self._find(item, add=False)
        if found:
            self._vacate(pos)
        return found

    def remove(self, item: Any) -> None:
        """set.remove: KeyError(item) when absent."""
        if not self.discard(item):
            raise KeyError(item)

    def toggle(self, item: Any) -> None:
        """One step of symmetric_difference_update (ADD_IF_NOT_FOUND_OR_REMOVE_IF_FOUND)."""
        pos, found = self._insert(item, None)
        if found:
            self._vacate(pos)

    def pop(self) -> Any:
        """set.pop: the element in the lowest filled slot, removed by the normal
        empty-or-tombstone rule. KeyError("pop from an empty set") when empty."""
        pos = self._first_filled()
        if pos < 0:
            raise KeyError("pop from an empty set")
        item = self._keys[pos]
        self._vacate(pos)
        return item

    def next_filled(self, cur: int) -> tuple[int, Any] | None:
        """(slot, element) of the first element at slot >= cur, for live iterators."""
        pos = self._first_filled(cur)
        return None if pos < 0 else (pos, self._keys[pos])

    def __iter__(self) -> Iterator[Any]:
        return iter([k for k in self._keys if _filled(k)])

    def copy(self) -> MPSet:
        """s.copy() (also how union, difference and symmetric_difference start): same slots."""
        return self._copy_into(MPSet(self.profile, self.hash_fn, self.eq_fn, 0))

    def adopt(self, other: MPSet) -> None:
        """Take over ``other``'s table, as intersection_update does with its fresh result set."""
        other._copy_into(self)
