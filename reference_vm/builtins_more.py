"""The rest of the builtins: lazy iterator types (enumerate, zip, map, filter, reversed),
generator methods, function attributes, int.from_bytes/to_bytes, and exec/eval/compile.

exec/eval/compile compile their source with mpy-cross on the fly, exactly as
the top-level program is, and run it with the given globals (an MPDict).
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict
from reference_vm.exceptions import GuestException, mp_error
from reference_vm.objects import NULL, BoundMethod, ClassMethod, Function, MPType, NativeFunction, NativeIterator
from reference_vm.runtime import SPECIAL_ATTRS, STATE, call, get_iter, iter_next, iterate, truth, type_name


def _lazy(it: Any) -> Any:
    """Yield the items of a guest iterator one by one (host generator over iter_next)."""
    while True:
        item = iter_next(it)
        if item is NULL:
            return
        yield item


def _enumerate(iterable: Any, start: Any = 0) -> Any:
    n = start
    for item in _lazy(get_iter(iterable)):
        yield (n, item)
        n += 1


def _zip(*iterables: Any) -> Any:
    its = [get_iter(x) for x in iterables]
    if not its:
        return
    while True:
        row = []
        for it in its:
            item = iter_next(it)
            if item is NULL:
                return
            row.append(item)
        yield tuple(row)


def _map(fn: Any, *iterables: Any) -> Any:
    its = [get_iter(x) for x in iterables]
    while True:
        row = []
        for it in its:
            item = iter_next(it)
            if item is NULL:
                return
            row.append(item)
        yield call(fn, row)


def _filter(fn: Any, iterable: Any) -> Any:
    for item in _lazy(get_iter(iterable)):
        if truth(item if fn is None else call(fn, [item])):
            yield item


def _reversed(seq: Any) -> Any:
    from reference_vm.objects import Instance
    if type(seq) is Instance:
        method = seq.mp_type.lookup("__reversed__")
        if method is not NULL:
            yield from _lazy(get_iter(call(method, [seq])))
            return
    from reference_vm.builtins import b_len
    from reference_vm.subscr import load_subscr
    n = b_len(seq)
    for i in range(n - 1, -1, -1):
        yield load_subscr(seq, i)


def _iter_type(name: str, factory: Any, lo: int, hi: int, kw: bool = False) -> MPType:
    t = MPType(name, (T.OBJECT,))
    t.mp_type = T.TYPE

    def make(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if kwargs and not kw:
            raise mp_error("TypeError", "function doesn't take keyword arguments")
        if len(args) < lo or (hi >= 0 and len(args) > hi):
            raise mp_error("TypeError", f"function takes {lo} positional arguments but {len(args)} were given"
                           if lo == hi else f"function missing {lo - len(args)} required positional arguments"
                           if len(args) < lo else f"function expected at most {hi} arguments, got {len(args)}")
        gen = factory(*args, **kwargs)
        if name in ("enumerate", "filter", "map", "reversed") and args:
            if name == "map" and len(args) >= 2:
                _ = [get_iter(a) for a in args[1:2]]
        return NativeIterator(gen, name)
    t.make_new = make
    T.ITER_KINDS[name] = t
    return t


# --- generators, functions, ints ---------------------------------------------------

def gen_send(gen: Any, value: Any) -> Any:
    kind, result = STATE.machine.resume(gen, value)
    if kind == 1:
        from reference_vm.exceptions import new_exception
        raise GuestException(new_exception(T.EXCEPTIONS["StopIteration"], () if result is None else (result,)))
    return result


def gen_throw(gen: Any, exc: Any, value: Any = NULL, tb: Any = NULL) -> Any:
    """gen.throw(): a value other than None replaces the type (it is normally its instance),
    and an object that is no exception becomes the TypeError raised inside the generator."""
    from reference_vm.runtime import make_exception
    if value is not NULL and value is not None:
        exc = value
    try:
        thrown = make_exception(exc)
    except GuestException as error:
        thrown = error.instance
    kind, result = STATE.machine.resume(gen, None, thrown)
    if kind == 1:
        from reference_vm.exceptions import new_exception
        raise GuestException(new_exception(T.EXCEPTIONS["StopIteration"], () if result is None else (result,)))
    return result


def _function_attr(fn: Any, name: str) -> Any:
    if name == "__name__":
        return fn.name
    if name == "__globals__" and type(fn) is Function:
        return fn.globals
    return NULL


def _bound_attr(bm: BoundMethod, name: str) -> Any:
    if name == "__self__":
        return bm.self_obj
    if name == "__func__":
        return bm.func
    if name == "__name__":
        return getattr(bm.func, "name", NULL)
    return NULL


def int_from_bytes(cls: Any, data: Any, byteorder: Any = "big", signed: Any = False) -> int:
    """int.from_bytes(bytes[, byteorder[, signed]]): positional only, any order but 'little' is
    big-endian, and the result is always unsigned (the signed argument is ignored)."""
    from reference_vm.builtins_str import read_buffer
    return int.from_bytes(read_buffer(data), "little" if byteorder == "little" else "big")


_TO_BYTES_PARAMS = ("length", "byteorder")


def int_to_bytes(n: int, *args: Any, **kwargs: Any) -> bytes:
    """int.to_bytes(length=1, byteorder='big', *, signed=False), range-checked as 1.29 does."""
    from reference_vm.builtins_seq import arg_mismatch
    from reference_vm.builtins_types import to_int_strict
    if len(args) > len(_TO_BYTES_PARAMS):
        raise arg_mismatch("extra positional arguments given")
    if any(name not in (*_TO_BYTES_PARAMS, "signed") for name in kwargs):
        raise arg_mismatch("extra keyword arguments given")
    params = {**kwargs, **dict(zip(_TO_BYTES_PARAMS, args, strict=False))}
    length = to_int_strict(params.get("length", 1))
    if length < 0:
        raise mp_error("ValueError")
    signed = truth(params.get("signed", False))
    value = int(n)
    if value < 0 and not signed:
        raise mp_error("OverflowError", "can't convert negative int to unsigned")
    try:
        return value.to_bytes(length, "little" if params.get("byteorder") == "little" else "big", signed=signed)
    except OverflowError:
        raise mp_error("OverflowError", f"value would overflow a {length} byte buffer") from None


# --- exec, eval, compile -----------------------------------------------------------

class CodeObject:
    """What compile() returns: the source to hand to mpy-cross when it is run."""

    mp_type = MPType("code", (T.OBJECT,))

    def __init__(self, source: str, filename: str, mode: str) -> None:
        self.source = source
        self.filename = filename
        self.mode = mode
        self.addr = 0


CodeObject.mp_type.mp_type = T.TYPE
T.register_host_type(CodeObject, CodeObject.mp_type)


def _run_source(source: str, filename: str, globals_: Any, locals_: Any) -> Any:
    from reference_vm.loader import run_compiled_source
    return run_compiled_source(STATE.machine, source, filename, globals_, locals_)


def _scopes(globals_: Any, locals_: Any) -> tuple[MPDict, MPDict]:
    if globals_ is None or globals_ is NULL:
        f = STATE.machine.frames[-1] if STATE.machine.frames else None
        g = f.globals if f is not None else MPDict()
        loc = f.locals_dict if f is not None else g
        return g, loc if locals_ in (None, NULL) else locals_
    if not isinstance(globals_, MPDict):
        raise mp_error("TypeError", "globals must be a dict" if False else "expected a dict")
    return globals_, globals_ if locals_ in (None, NULL) else locals_


def b_exec(code: Any, globals_: Any = None, locals_: Any = None) -> None:
    g, loc = _scopes(globals_, locals_)
    if isinstance(code, CodeObject):
        if code.mode == "eval":
            b_eval(code, g, loc)
            return
        source, filename = code.source, code.filename
    elif isinstance(code, (str, bytes)):
        source = code if isinstance(code, str) else code.decode()
        filename = "<string>"
    else:
        raise mp_error("TypeError", "exec() arg 1 must be a string, bytes or code object")
    _run_source(source, filename, g, loc)
    return None


def b_eval(code: Any, globals_: Any = None, locals_: Any = None) -> Any:
    g, loc = _scopes(globals_, locals_)
    if isinstance(code, CodeObject):
        source, filename = code.source, code.filename
        if code.mode != "eval":
            _run_source(source, filename, g, loc)
            return None
    elif isinstance(code, (str, bytes)):
        source = code if isinstance(code, str) else code.decode()
        filename = "<string>"
    else:
        raise mp_error("TypeError", "eval() arg 1 must be a string, bytes or code object")
    scratch = MPDict() if loc is g else loc
    key = "__mpconform_eval__"
    _run_source(f"{key}=(\n{source.strip()}\n)", filename, g, scratch)
    value = scratch.remove(key)
    return value


def b_compile(source: Any, filename: Any, mode: Any, *rest: Any) -> CodeObject:
    if mode not in ("exec", "eval", "single"):
        raise mp_error("ValueError", "bad compile mode")
    text = source if isinstance(source, str) else bytes(source).decode()
    if mode != "eval":
        from reference_vm.loader import compile_checked
        compile_checked(text, filename)
    return CodeObject(text, filename, mode)


def b_globals() -> Any:
    return STATE.machine.frames[-1].globals


def b_locals() -> Any:
    return STATE.machine.frames[-1].locals_dict


def install() -> None:
    nf = NativeFunction
    T.GENERATOR_T.locals.update({
        "send": nf("send", gen_send, 2, 2),
        "throw": nf("throw", gen_throw, 2, 4),
        "close": nf("close", lambda g: STATE.machine.generator_close(g), 1, 1),
        "__next__": nf("__next__", lambda g: __import__("reference_vm.builtins", fromlist=["b_next"]).b_next(g), 1, 1),
    })
    T.INT_T.locals.update({
        "from_bytes": ClassMethod(nf("from_bytes", int_from_bytes, 2, 4)),
        "to_bytes": nf("to_bytes", int_to_bytes, 1, -1, True),
    })
    for kind in (Function, NativeFunction):
        SPECIAL_ATTRS[kind] = _function_attr
    SPECIAL_ATTRS[BoundMethod] = _bound_attr


def add_builtins(d: MPDict) -> None:
    d["enumerate"] = _iter_type("enumerate", _enumerate, 1, 2, True)
    d["zip"] = _iter_type("zip", _zip, 0, -1)
    d["map"] = _iter_type("map", _map, 2, -1)
    d["filter"] = _iter_type("filter", _filter, 2, 2)
    d["reversed"] = _iter_type("reversed", _reversed, 1, 1)
    for name, fn, lo, hi in (("exec", b_exec, 1, 3), ("eval", b_eval, 1, 3), ("compile", b_compile, 3, 6),
                             ("globals", b_globals, 0, 0), ("locals", b_locals, 0, 0)):
        d[name] = NativeFunction(name, fn, lo, hi)
    _ = (type_name, iterate)
