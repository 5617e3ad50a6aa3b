"""The operations every opcode uses: calls, attributes, truth, iteration, subscripts.

These follow py/runtime.c and py/objtype.c rather than CPython: attribute
lookup is depth-first through the bases, instances of user classes delegate
to a native payload for built-in bases, ``bool`` is not an ``int``, and every
error text is MicroPython's (at the profile's error level). Arithmetic lives
in ``arith``, repr/str in ``reprs``. ``STATE`` holds what one run shares (the
profile, the machine that runs bytecode, the output buffer); runs are
serialised by ``reference_vm.run_source``.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict, MPSet, fixed_copy
from reference_vm.exceptions import GuestException, exc_data, is_exception, mp_error, new_exception
from reference_vm.objects import (
    NULL,
    BoundMethod,
    ClassMethod,
    ExcData,
    Function,
    Instance,
    Module,
    MPType,
    NativeFunction,
    NativeIterator,
    Property,
    StaticMethod,
    Super,
)
from reference_vm.profile import UNIX64, Profile


class State:
    """What one run shares. ``machine`` runs bytecode functions (set by machine.Machine)."""

    def __init__(self) -> None:
        self.profile: Profile = UNIX64
        self.machine: Any = None
        self.out: list[str] = []
        self.detailed = True
        self.fully_detailed = True
        self.terse = False   # the texts C guards with MICROPY_ERROR_REPORTING <= TERSE (normal is not terse)
        self.stdout_obj: Any = None
        self.opt_level = 0   # micropython.opt_level(): the level exec/eval/compile compile at

    def set_profile(self, profile: Profile) -> None:
        self.profile = profile
        # Most of MicroPython's messages only tell TERSE from the rest (``<= TERSE``): ``detailed``
        # is that test. A few name values only at DETAILED (function names in argument errors,
        # the text of a bad int literal...): ``fully_detailed``.
        self.detailed = profile.error_level != "terse"
        self.fully_detailed = profile.error_level == "detailed"
        self.terse = profile.error_level == "terse"


STATE = State()


def type_name(value: Any) -> str:
    return T.type_of(value).name


# --- calls ----------------------------------------------------------------------------

def call(fn: Any, args: list[Any] | tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> Any:
    """Call any guest callable with positional args and str-keyed keyword args."""
    kind = type(fn)
    if kind is Function:
        return STATE.machine.call_function(fn, args, kwargs)
    if kind is NativeFunction:
        return call_native(fn, args, kwargs)
    if kind is BoundMethod:
        return call(fn.func, [fn.self_obj, *args], kwargs)
    if kind is MPType:
        return call_type(fn, args, kwargs)
    if kind is Instance:
        method = fn.mp_type.lookup("__call__")
        if method is not NULL:
            return call(method, [fn, *args], kwargs)
    if kind is StaticMethod or kind is ClassMethod:
        pass
    raise mp_error("TypeError", f"'{type_name(fn)}' object isn't callable" if STATE.detailed
                   else "object not callable")


def call_native(fn: NativeFunction, args: Any, kwargs: dict[str, Any] | None) -> Any:
    n = len(args)
    if kwargs and not fn.takes_kw:
        raise mp_error("TypeError", "function doesn't take keyword arguments")
    if n < fn.n_min or (fn.n_max >= 0 and n > fn.n_max):
        if fn.n_min == fn.n_max:
            raise mp_error("TypeError", f"function takes {fn.n_min} positional arguments but {n} were given")
        if n < fn.n_min:
            raise mp_error("TypeError", f"function missing {fn.n_min - n} required positional arguments")
        raise mp_error("TypeError", f"function expected at most {fn.n_max} arguments, got {n}")
    if kwargs:
        return fn.fn(*args, **kwargs)
    return fn.fn(*args)


def call_type(cls: MPType, args: Any, kwargs: dict[str, Any] | None) -> Any:
    """``cls(...)``: a built-in constructor, a metaclass ``__call__``, or instance creation."""
    meta = cls.mp_type
    if meta is not T.TYPE and meta is not None:
        method = meta.lookup("__call__")
        if method is not NULL and not isinstance(method, NativeFunction):
            return call(method, [cls, *args], kwargs)
    if not cls.is_user:
        if cls.make_new is None:
            raise mp_error("TypeError", f"cannot create '{cls.name}' instances")
        return cls.make_new(cls, list(args), kwargs or {})
    new = cls.lookup("__new__")
    func = new.func if type(new) is StaticMethod else new
    if func is not NULL and type(func) is not NativeFunction:
        obj = call(func, [cls, *args], kwargs)
        if not (isinstance(obj, Instance) and obj.mp_type.is_subclass(cls)) and \
                not (isinstance(obj, MPType) and cls.is_subclass(T.TYPE)):
            return obj
    elif cls.is_subclass(T.TYPE):
        obj = T.TYPE.make_new(cls, list(args), kwargs or {})  # type: ignore[misc]
        if type(obj) is MPType and obj.is_user:
            obj.mp_type = cls
    else:
        obj = Instance(cls, MPDict(), NULL if cls.native_base is not None else None)
    init = cls.lookup("__init__")
    if init is not NULL and not isinstance(init, NativeFunction):
        result = call(init, [obj, *args], kwargs)
        if result is not None:
            raise mp_error("TypeError", f"__init__() should return None, not '{type_name(result)}'"
                           if STATE.detailed else "__init__() should return None")
    if type(obj) is Instance and obj.native is NULL:
        base = cls.native_base
        assert base is not None and base.make_new is not None
        obj.native = base.make_new(base, list(args), kwargs or {})
        if isinstance(obj.native, Instance):  # exceptions: keep only the payload
            obj.native = obj.native.native
    return obj


def native_of(obj: Any) -> Any:
    """The native payload of an instance of a subclass of a built-in type (or the object itself)."""
    if type(obj) is Instance and obj.native is not None and not isinstance(obj.native, ExcData):
        if obj.native is NULL:
            raise mp_error("AttributeError", "call super().__init__() first")
        return obj.native
    return obj


# --- attributes -----------------------------------------------------------------------

def _no_attr(obj: Any, name: str) -> GuestException:
    if not STATE.detailed:
        return mp_error("AttributeError", "no such attribute")
    if isinstance(obj, MPType):
        return mp_error("AttributeError", f"type object '{obj.name}' has no attribute '{name}'")
    return mp_error("AttributeError", f"'{type_name(obj)}' object has no attribute '{name}'")


def bind(value: Any, obj: Any, cls: MPType) -> Any:
    """mp_convert_member_lookup: what a class member found for ``obj`` turns into."""
    kind = type(value)
    if kind is Function or kind is NativeFunction:
        return BoundMethod(value, obj)
    if kind is StaticMethod:
        return value.func
    if kind is ClassMethod:
        return BoundMethod(value.func, cls)
    if kind is Property:
        if value.fget is None:
            raise mp_error("AttributeError", "unreadable attribute")
        return call(value.fget, [obj])
    if kind is Instance:
        get = value.mp_type.lookup("__get__")
        if get is not NULL:
            return call(get, [value, obj, cls])
    return value


def descriptor_left_behind(obj: Any, name: str) -> Any:
    """The class member whose getter just raised AttributeError during a protected load, or NULL.

    MicroPython's protected lookup (getattr with a default, hasattr) writes the
    property or descriptor found in the class into its result slot before
    calling the getter; when the getter raises AttributeError the slot keeps
    that member, so the lookup "succeeds" with the descriptor object itself.
    """
    if type(obj) is not Instance or not obj.mp_type.is_user or obj.attrs.get(name) is not NULL:
        return NULL
    member = obj.mp_type.lookup(name)
    if type(member) is Property or (type(member) is Instance and member.mp_type.lookup("__get__") is not NULL):
        return member
    return NULL


def getattr_(obj: Any, name: str, default: Any = NULL) -> Any:
    """``obj.name``; ``default`` (when given) instead of AttributeError."""
    try:
        value = _load_attr(obj, name)
    except GuestException as exc:
        if default is not NULL and exc.instance.mp_type.is_subclass(T.EXCEPTIONS["AttributeError"]):
            member = descriptor_left_behind(obj, name)
            return default if member is NULL else member
        raise
    if value is NULL:
        if default is not NULL:
            return default
        raise _no_attr(obj, name)
    return value


def _load_attr(obj: Any, name: str) -> Any:
    kind = type(obj)
    if kind is Instance:
        return _instance_attr(obj, name)
    if kind is MPType:
        return _type_attr(obj, name)
    if kind is Module:
        value = obj.globals.get(name)
        if value is NULL and name == "__name__":
            return obj.name
        if value is NULL and name == "__dict__":
            return obj.globals
        return value
    if kind is Super:
        return _super_attr(obj, name)
    cls = T.type_of(obj)
    value = cls.lookup(name)
    if value is not NULL:
        return bind(value, obj, cls)
    if name == "__class__":
        return cls
    special = SPECIAL_ATTRS.get(kind)
    if special is not None:
        return special(obj, name)
    return NULL


#: Per host/VM class: extra attributes that are not class members (function __name__, ...).
SPECIAL_ATTRS: dict[type, Any] = {}


def _instance_attr(obj: Instance, name: str) -> Any:
    value = obj.attrs.get(name)
    if value is not NULL:
        return value
    cls = obj.mp_type
    member = cls.lookup(name)
    if member is not NULL:
        if type(member) is NativeFunction and obj.native is not None and not isinstance(obj.native, ExcData):
            return BoundMethod(member, native_of(obj))
        return bind(member, obj, cls)
    if name == "__class__":
        return cls
    if name == "__dict__":
        return fixed_copy(obj.attrs)
    if isinstance(obj.native, ExcData):
        if name == "args":
            return obj.native.args
        if name == "value" and cls.is_subclass(T.EXCEPTIONS["StopIteration"]):
            return obj.native.args[0] if obj.native.args else None
        if name == "errno" and cls.is_subclass(T.EXCEPTIONS["OSError"]):
            return obj.native.args[0] if obj.native.args else None
    getattr_hook = cls.lookup("__getattr__")
    if getattr_hook is not NULL:
        return call(getattr_hook, [obj, name])
    return NULL


def _type_attr(cls: MPType, name: str) -> Any:
    value = cls.lookup(name)
    if value is NULL:
        if name == "__name__":
            return cls.name
        if name == "__bases__":
            return tuple(b for b in cls.bases if cls is not T.OBJECT)
        if name == "__dict__" and cls.is_user:
            return fixed_copy(cls.locals)  # type: ignore[arg-type]  # a user class's locals is an MPDict
        if name == "__class__":
            return cls.mp_type
        meta = cls.mp_type
        if meta is not None and meta is not T.TYPE:
            member = meta.lookup(name)
            if member is not NULL:
                return bind(member, cls, meta)
        return NULL
    kind = type(value)
    if kind is StaticMethod:
        return value.func
    if kind is ClassMethod:
        return BoundMethod(value.func, cls)
    if kind is Instance:
        get = value.mp_type.lookup("__get__")
        if get is not NULL:
            return call(get, [value, None, cls])
    return value


def _super_attr(sup: Super, name: str) -> Any:
    obj_type = sup.obj.mp_type if isinstance(sup.obj, Instance) else T.type_of(sup.obj)
    if obj_type is T.TYPE:   # super() in a classmethod: a classmethod found binds to that class itself
        obj_type = sup.obj
    for base in sup.cls.bases:
        value = base.lookup(name)
        if value is not NULL:
            if type(value) is NativeFunction and isinstance(sup.obj, Instance):
                if name == "__init__":
                    return NativeFunction("__init__", lambda *a, **k: _native_init(sup.obj, a, k), 0, -1, True)
                return BoundMethod(value, native_of(sup.obj))
            return bind(value, sup.obj, obj_type)
    if name == "__init__":
        if isinstance(sup.obj, Instance) and sup.obj.native is NULL and sup.cls.native_base is not None:
            return NativeFunction("__init__", lambda *a, **k: _native_init(sup.obj, a, k), 0, -1, True)
        return NativeFunction("__init__", lambda *a: None, 0, -1)
    value = T.OBJECT.lookup(name)
    if value is not NULL:
        return bind(value, sup.obj, obj_type)
    return NULL


def _native_init(obj: Instance, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    base = obj.mp_type.native_base
    assert base is not None and base.make_new is not None
    native = base.make_new(base, list(args), kwargs)
    obj.native = native.native if isinstance(native, Instance) else native


def load_method(obj: Any, name: str) -> tuple[Any, Any]:
    """LOAD_METHOD: (function, self) for methods found on the type, else (attribute, NULL)."""
    kind = type(obj)
    if kind is Instance:
        if obj.attrs.get(name) is NULL:
            member = obj.mp_type.lookup(name)
            if type(member) is Function:
                return member, obj
    elif kind is not MPType and kind is not Module and kind is not Super:
        cls = T.type_of(obj)
        member = cls.lookup(name)
        if type(member) is NativeFunction or type(member) is Function:
            return member, obj
    return getattr_(obj, name), NULL


def setattr_(obj: Any, name: str, value: Any) -> None:
    """``obj.name = value``; ``value`` NULL means delete."""
    kind = type(obj)
    if kind is Instance:
        cls = obj.mp_type
        if not cls.is_user and (cls is T.OBJECT or isinstance(obj.native, ExcData)):
            # object() and built-in exception instances have no attribute table; an exception
            # only accepts ``__traceback__ = None``, which empties its traceback.
            if name == "__traceback__" and value is None and isinstance(obj.native, ExcData):
                obj.native.traceback.clear()
                return
            raise _no_attr(obj, name)
        member = cls.lookup(name)
        if type(member) is Property:
            fn = member.fset if value is not NULL else member.fdel
            if fn is None:
                raise _no_attr(obj, name)
            call(fn, [obj, value] if value is not NULL else [obj])
            return
        if type(member) is Instance:
            hook = member.mp_type.lookup("__set__" if value is not NULL else "__delete__")
            if hook is not NULL:
                call(hook, [member, obj, value] if value is not NULL else [member, obj])
                return
        hook = cls.lookup("__setattr__" if value is not NULL else "__delattr__")
        if hook is not NULL and not isinstance(hook, NativeFunction):
            call(hook, [obj, name, value] if value is not NULL else [obj, name])
            return
        if value is NULL:
            if obj.attrs.remove(name) is NULL:
                raise _no_attr(obj, name)
        else:
            obj.attrs[name] = value
        return
    if kind is MPType and obj.is_user:
        if value is NULL:
            if obj.locals.remove(name) is NULL:
                raise _no_attr(obj, name)
        else:
            obj.locals[name] = value
        return
    if kind is Module:
        if value is NULL:
            obj.globals.remove(name)
        else:
            obj.globals[name] = value
        return
    if kind is Function and value is not NULL:
        raise _no_attr(obj, name)
    raise _no_attr(obj, name)


# --- truth, iteration, subscripts ----------------------------------------------------

def truth(value: Any) -> bool:
    """mp_obj_is_true: only ``__bool__``/``__len__`` results decide for instances."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    kind = type(value)
    if kind is int or kind is float or kind is str or kind is list or kind is tuple or kind is bytes:
        return bool(value)
    if kind is MPDict or kind is MPSet or kind is bytearray or kind is complex or kind is range:
        return len(value) != 0 if kind is not complex else bool(value)
    if kind is Instance:
        method = value.mp_type.lookup("__bool__")
        if method is not NULL:
            return call(method, [value]) is True
        method = value.mp_type.lookup("__len__")
        if method is not NULL:
            return truth(call(method, [value]))
        if value.native is not None and not isinstance(value.native, ExcData):
            return truth(native_of(value))
        return True
    if kind is not MPType:
        cls = T.type_of(value)
        if cls is T.MEMORYVIEW_T:
            return value.length != 0
        method = cls.lookup("__len__")
        if method is not NULL:
            return truth(call(method, [value]))
    return True


def get_iter(value: Any) -> Any:
    """mp_getiter: an iterator for ``value`` (TypeError "'int' object isn't iterable")."""
    kind = type(value)
    if kind is list or kind is tuple or kind is str or kind is range or kind is bytearray:
        return NativeIterator(iter(value))
    if kind is bytes:
        return NativeIterator(iter(value))
    if kind is MPDict:
        return NativeIterator(iter(value.keys()))
    if kind is MPSet:
        return NativeIterator(iter(value.items()))
    if kind is NativeIterator:
        return value
    if kind is Instance:
        method = value.mp_type.lookup("__iter__")
        if method is not NULL:
            return call(method, [value])
        if value.mp_type.lookup("__getitem__") is not NULL:
            return _GetItemIterator(value)
        if value.native is not None and not isinstance(value.native, ExcData):
            return get_iter(native_of(value))
    cls = T.type_of(value)
    if cls is T.GENERATOR_T or kind is _GetItemIterator:
        return value
    it = cls.lookup("__iter__")
    if it is not NULL and kind is not MPType:
        return call(it, [value])
    if isinstance(value, tuple):
        return NativeIterator(iter(value))
    if cls is T.MEMORYVIEW_T:
        from reference_vm.memview import items
        return NativeIterator(items(value))
    raise mp_error("TypeError", f"'{type_name(value)}' object isn't iterable" if STATE.detailed
                   else "object not iterable")


class _GetItemIterator:
    """Iteration through ``__getitem__`` until IndexError, for classes without ``__iter__``."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.index = 0
        self.addr = 0
        self.mp_type = T.ITERATOR_T

    def next(self) -> Any:
        try:
            value = call(self.obj.mp_type.lookup("__getitem__"), [self.obj, self.index])
        except GuestException as exc:
            if exc.instance.mp_type.is_subclass(T.EXCEPTIONS["IndexError"]) or \
                    exc.instance.mp_type.is_subclass(T.EXCEPTIONS["StopIteration"]):
                return NULL
            raise
        self.index += 1
        return value


def iter_next(it: Any) -> Any:
    """mp_iternext: the next item, or NULL when exhausted (StopIteration with a value propagates)."""
    kind = type(it)
    if kind is NativeIterator:
        return next(it.it, NULL)
    if kind is _GetItemIterator:
        return it.next()
    cls = T.type_of(it)
    if cls is T.GENERATOR_T:
        return STATE.machine.generator_next(it)
    method = cls.lookup("__next__")
    if method is NULL:
        raise mp_error("TypeError", f"'{type_name(it)}' object isn't an iterator" if STATE.detailed
                       else "object not an iterator")
    try:
        return call(method, [it])
    except GuestException as exc:
        if exc.instance.mp_type is T.EXCEPTIONS["StopIteration"] and not exc_data(exc.instance).args:
            return NULL
        if exc.instance.mp_type.is_subclass(T.EXCEPTIONS["StopIteration"]):
            return NULL
        raise


def iterate(value: Any) -> list[Any]:
    """All items of an iterable, as a host list (for builtins that consume iterables)."""
    kind = type(value)
    if kind is list or kind is tuple:
        return list(value)
    it = get_iter(value)
    if type(it) is NativeIterator:
        return list(it.it)
    out: list[Any] = []
    while True:
        item = iter_next(it)
        if item is NULL:
            return out
        out.append(item)


def make_exception(value: Any) -> Instance:
    """RAISE_OBJ's rule: a class is instantiated, an instance used as is, anything else is a TypeError."""
    if isinstance(value, MPType) and T.is_exception_type(value):
        value = call(value, [])
    if is_exception(value):
        return value
    return new_exception(T.EXCEPTIONS["TypeError"], ("exceptions must derive from BaseException",))
