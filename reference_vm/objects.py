"""The MicroPython object model: the VM's own classes where MicroPython differs from CPython.

Value representation (decided once, relied on everywhere):

* Host ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``,
  ``bytearray``, ``tuple``, ``list``, ``range`` and ``slice`` stand for the
  MicroPython values of the same name. They are only ever operated on through
  the VM's own operation functions (``reference_vm.runtime``), which apply
  MicroPython's rules (bool is not an int subclass, messages, float32 rounding),
  so CPython's own behaviour for them never leaks out.
* Everything whose behaviour or identity differs is a VM class defined here:
  dict and set (``MPDict``/``MPSet``, slot-ordered like MicroPython's open
  addressing tables), functions, bound methods, cells, classes (``MPType``, also
  used for the built-in types so ``type(1).__name__ == 'int'``), instances and
  exceptions (``Instance`` with an ``ExcData`` payload), modules, properties.
* ``NULL`` is the VM's empty-slot sentinel (MP_OBJ_NULL); guest code never sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reference_vm.mpyfile import RawCode


class NullType:
    """MP_OBJ_NULL: an unbound local, a missing value, or a NULL pushed by LOAD_NULL."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<NULL>"


NULL: Any = NullType()

_next_address = [0x7F0000010000]


def fake_address(obj: Any) -> int:
    """A deterministic heap-like address for ``obj`` (real addresses cannot match the target's)."""
    addr = getattr(obj, "addr", 0)
    if not addr:
        _next_address[0] += 32
        addr = _next_address[0]
        try:
            obj.addr = addr
        except AttributeError:
            return addr
    return addr


def reset_addresses() -> None:
    """Start every run from the same address so output is reproducible."""
    _next_address[0] = 0x7F0000010000


#: Bumped whenever a class's attribute table changes: every class's lookup cache is then stale.
CLASS_EPOCH = [0]
_UNCACHED = object()


def _class_changed() -> None:
    CLASS_EPOCH[0] += 1


class MPType:
    """A type: a built-in one (``locals`` is a host dict of natives) or a class (``locals`` an MPDict).

    ``bases`` keeps the declared order; attribute lookup is MicroPython's
    depth-first, left-to-right search (no C3, no ``__mro__``). ``make_new`` is
    the constructor of a built-in type; ``native_base`` is the nearest built-in
    base whose instances carry a native payload (exceptions, list, dict...).
    """

    __slots__ = ("addr", "bases", "cache", "cache_epoch", "is_user", "locals", "make_new", "mp_type", "name",
                 "native_base")

    def __init__(self, name: str, bases: tuple[MPType, ...] = (), locals_: Any = None,
                 make_new: Callable[..., Any] | None = None, is_user: bool = False) -> None:
        self.name = name
        self.bases = bases
        self.locals = {} if locals_ is None else locals_
        self.make_new = make_new
        self.is_user = is_user
        self.addr = 0
        self.mp_type: MPType | None = None   # the metaclass; filled in by types.py
        self.native_base: MPType | None = None
        if not is_user and name != "object":
            self.native_base = self
        for base in bases:
            if base.native_base is not None and self.native_base is None:
                self.native_base = base.native_base
        # A class's lookups are cached until any class's attribute table changes (CLASS_EPOCH);
        # built-in types' tables are complete before any guest code runs.
        self.cache: dict[str, Any] | None = None
        self.cache_epoch = -1
        table = getattr(self.locals, "table", None) if is_user else None
        if table is not None:  # a guest-visible table (an MPDict): its changes are seen
            table.on_change = _class_changed
            self.cache = {}

    def own(self, name: str) -> Any:
        """This class's own attribute ``name`` (not inherited), or NULL."""
        return self.locals.get(name, NULL)

    def lookup(self, name: str) -> Any:
        """Depth-first, left-to-right search through the bases (mp_obj_class_lookup)."""
        cache = self.cache
        if cache is None:
            return self._search(name)
        if self.cache_epoch != CLASS_EPOCH[0]:
            cache.clear()
            self.cache_epoch = CLASS_EPOCH[0]
        value = cache.get(name, _UNCACHED)
        if value is _UNCACHED:
            value = cache[name] = self._search(name)
        return value

    def _search(self, name: str) -> Any:
        value = self.own(name)
        if value is not NULL:
            return value
        for base in self.bases:
            value = base.lookup(name)
            if value is not NULL:
                return value
        return NULL

    def is_subclass(self, other: MPType) -> bool:
        if self is other:
            return True
        return any(base.is_subclass(other) for base in self.bases)

    def __repr__(self) -> str:
        return f"<MPType {self.name}>"


class Instance:
    """An instance of a user class (or of a built-in exception type).

    ``attrs`` is an MPDict so ``__dict__`` iterates in MicroPython's slot order.
    ``native`` holds the payload of a native base (an ExcData for exceptions,
    the host list for ``class L(list)``...), or None.
    """

    __slots__ = ("addr", "attrs", "mp_type", "native")

    def __init__(self, mp_type: MPType, attrs: Any, native: Any = None) -> None:
        self.mp_type = mp_type
        self.attrs = attrs
        self.native = native
        self.addr = 0


@dataclass
class ExcData:
    """The payload of an exception instance: its args and the traceback entries collected so far."""

    args: tuple[Any, ...] = ()
    traceback: list[tuple[str, int, str]] = field(default_factory=list)


class Cell:
    """A closure cell; ``value`` is NULL while the variable is unbound."""

    __slots__ = ("addr", "value")

    def __init__(self, value: Any = NULL) -> None:
        self.value = value
        self.addr = 0


@dataclass(eq=False)
class CodeContext:
    """What every function of one loaded .mpy shares: constants converted to guest values, file name."""

    qstrs: tuple[str, ...]
    objects: tuple[Any, ...]
    source_file: str


class Function:
    """A bytecode function: raw code + its module globals + defaults + closure cells."""

    __slots__ = ("addr", "closure", "code", "context", "defaults", "globals", "kwdefaults", "name", "raw",
                 "simple_arity")

    def __init__(self, raw: RawCode, context: CodeContext, globals_: Any, defaults: tuple[Any, ...] = (),
                 kwdefaults: Any = None, closure: tuple[Cell, ...] = ()) -> None:
        self.raw = raw
        self.context = context
        self.globals = globals_
        self.defaults = defaults
        self.kwdefaults = kwdefaults
        self.closure = closure
        self.addr = 0
        self.name = raw.simple_name
        self.code: Any = None  # (decoded program, block table), filled by the first frame
        #: The call fast path: the number of positional arguments that bind one to one to the first
        #: local slots (no defaults needed, no *args/**kwargs/keyword-only, no cells, not a
        #: generator), or -1 when arguments need the general binding.
        self.simple_arity = raw.n_pos_args if (raw.positional_only and not closure and not raw.cells
                                               and not raw.is_generator) else -1


class NativeFunction:
    """A built-in function implemented in Python.

    ``fn`` receives the positional guest arguments (and keyword arguments as
    str-keyed ``**kwargs`` when ``takes_kw``). ``n_min``/``n_max`` are checked
    before the call so argument-count errors carry MicroPython's messages.
    """

    __slots__ = ("addr", "fn", "n_max", "n_min", "name", "takes_kw")

    def __init__(self, name: str, fn: Callable[..., Any], n_min: int = 0, n_max: int = -1,
                 takes_kw: bool = False) -> None:
        self.name = name
        self.fn = fn
        self.n_min = n_min
        self.n_max = n_max
        self.takes_kw = takes_kw
        self.addr = 0


class BoundMethod:
    """``self`` bound to a function (bytecode or native)."""

    __slots__ = ("addr", "func", "self_obj")

    def __init__(self, func: Any, self_obj: Any) -> None:
        self.func = func
        self.self_obj = self_obj
        self.addr = 0


class StaticMethod:
    __slots__ = ("addr", "func")

    def __init__(self, func: Any) -> None:
        self.func = func
        self.addr = 0


class ClassMethod:
    __slots__ = ("addr", "func")

    def __init__(self, func: Any) -> None:
        self.func = func
        self.addr = 0


class Property:
    __slots__ = ("addr", "fdel", "fget", "fset")

    def __init__(self, fget: Any = None, fset: Any = None, fdel: Any = None) -> None:
        self.fget = fget
        self.fset = fset
        self.fdel = fdel
        self.addr = 0


class Super:
    """``super(cls, obj)``: lookups start after ``cls`` in the depth-first order."""

    __slots__ = ("addr", "cls", "obj")

    def __init__(self, cls: MPType, obj: Any) -> None:
        self.cls = cls
        self.obj = obj
        self.addr = 0


class Module:
    """A module: a name and a globals dict (an MPDict)."""

    __slots__ = ("addr", "globals", "name")

    def __init__(self, name: str, globals_: Any) -> None:
        self.name = name
        self.globals = globals_
        self.addr = 0


class NativeIterator:
    """An iterator over a host iterator (list/str/range/dict... iteration); ``kind`` names its type."""

    __slots__ = ("addr", "it", "kind")

    def __init__(self, it: Any, kind: str = "iterator") -> None:
        self.it = it
        self.kind = kind
        self.addr = 0


class Marker:
    """END_FINALLY's pending-jump/return markers, kept apart from guest ints (reference-vm-notes §3.5)."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count   # -1 = return, n >= 0 = unwind jump with n blocks left

    def __repr__(self) -> str:
        return f"<Marker {self.count}>"
