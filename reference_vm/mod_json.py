"""The json module as MicroPython's modjson.c: dumps/dump with ``separators`` only, lenient loads/load.

dumps prints through MicroPython's JSON print mode: str escapes only ``"``,
``\\``, ``\\n``, ``\\r``, ``\\t`` and other control characters (``\\u00XX``;
non-ASCII is written as is), tuples are lists, non-str dict keys are quoted,
inf/nan are written bare and any other object is written as its repr. loads
is modjson's one-pass parser: commas and colons are skipped as whitespace, so
``[1,]`` and ``{"a" 1}`` are accepted; every error is
``ValueError('syntax error in JSON')``.
"""

from __future__ import annotations

from typing import Any

from reference_vm.containers import MPDict
from reference_vm.exceptions import exc_args, is_exception, mp_error
from reference_vm.objects import NULL, Function, Instance, Module

_FAIL = "syntax error in JSON"


def _json_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) >= 32:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


def _encode(value: Any, item_sep: str, key_sep: str, out: list[str]) -> None:
    from reference_vm.reprs import float_repr, repr_
    kind = type(value)
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(str(value))
    elif kind is float:
        out.append(float_repr(value))
    elif kind is str:
        out.append(_json_str(value))
    elif kind is bytes or kind is bytearray:
        out.append(_json_str(bytes(value).decode("utf-8", "replace")))
    elif kind is list or kind is tuple:
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(item_sep)
            _encode(item, item_sep, key_sep, out)
        out.append("]")
    elif kind is MPDict:
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(item_sep)
            if type(key) is str:
                out.append(_json_str(key))
            else:
                out.append('"')
                _encode(key, item_sep, key_sep, out)
                out.append('"')
            out.append(key_sep)
            _encode(item, item_sep, key_sep, out)
        out.append("}")
    elif kind is Instance and type(value.mp_type.lookup("__repr__")) is not Function:
        if is_exception(value):  # exception_print in JSON mode: the args tuple
            _encode(exc_args(value), item_sep, key_sep, out)
        elif value.native is not None and value.native is not NULL and \
                (value.mp_type.is_user or type(value.native) is not tuple):  # a subclass of a built-in: its payload
            _encode(value.native, item_sep, key_sep, out)
        else:
            out.append(repr_(value))
    else:
        out.append(repr_(value))


def _separators(kwargs: dict[str, Any]) -> tuple[str, str]:
    for key in kwargs:
        if key != "separators":
            raise mp_error("TypeError", f"unexpected keyword argument '{key}'")
    seps = kwargs.get("separators")
    if seps is None:
        return ", ", ": "
    from reference_vm.runtime import iterate
    items = iterate(seps)
    if len(items) != 2:
        raise mp_error("ValueError", f"requested length 2 but object has length {len(items)}")
    for item in items:
        if not isinstance(item, str):
            from reference_vm.runtime import type_name
            raise mp_error("TypeError", f"can't convert '{type_name(item)}' object to str implicitly")
    return items[0], items[1]


def dumps(obj: Any, *extra: Any, **kwargs: Any) -> str:
    if extra:
        raise mp_error("TypeError", "extra positional arguments given")
    item_sep, key_sep = _separators(kwargs)
    out: list[str] = []
    _encode(obj, item_sep, key_sep, out)
    return "".join(out)


def dump(obj: Any, stream: Any, *extra: Any, **kwargs: Any) -> None:
    if extra:
        raise mp_error("TypeError", "extra positional arguments given")
    from reference_vm.runtime import call, getattr_
    call(getattr_(stream, "write"), [dumps(obj, **kwargs)])


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def cur(self) -> int:
        return self.data[self.pos] if self.pos < len(self.data) else 0

    def next(self) -> int:
        self.pos += 1
        return self.cur()

    def end(self) -> bool:
        return self.pos >= len(self.data)


def _number(text: str, is_float: bool) -> Any:
    from reference_vm.builtins_types import int_from_str, to_float
    from reference_vm.exceptions import GuestException
    if is_float:
        return to_float(text)
    try:
        return int_from_str(text)
    except GuestException:
        # mp_parse_num_integer names the text after the sign it consumed
        shown = text[1:] if text[:1] == "-" else text
        raise mp_error("ValueError", f"invalid syntax for integer with base 10: {shown!r}") from None


def _parse(data: bytes) -> Any:
    s = _Reader(data)
    stack: list[Any] = []
    top: Any = None
    have_top = False
    key: Any = None
    have_key = False
    while True:
        if s.end():
            raise mp_error("ValueError", _FAIL)
        cur = s.cur()
        s.next()
        enter = False
        c = chr(cur)
        if c in ",: \t\n\r":
            continue
        if c in "nft":
            rest = {"n": b"ull", "f": b"alse", "t": b"rue"}[c]
            if s.data[s.pos:s.pos + len(rest)] != rest:
                raise mp_error("ValueError", _FAIL)
            s.pos += len(rest)
            nxt: Any = {"n": None, "f": False, "t": True}[c]
        elif c == '"':
            buf = bytearray()
            while not s.end() and s.cur() != ord('"'):
                ch = s.cur()
                if ch == ord("\\"):
                    ch = s.next()
                    esc = {ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9}
                    if ch == ord("u"):
                        num = 0
                        for _ in range(4):
                            d = ((s.next() | 0x20) - ord("0")) & 0xFF
                            if d > 9:
                                d = (d - (ord("a") - (ord("9") + 1))) & 0xFF
                            num = (num << 4) | d
                        buf += chr(num).encode("utf-8", "surrogatepass")
                        s.next()
                        continue
                    ch = esc.get(ch, ch)
                buf.append(ch)
                s.next()
            if s.end():
                raise mp_error("ValueError", _FAIL)
            s.next()
            try:
                nxt = buf.decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                nxt = buf.decode("utf-8", "replace")
        elif c == "-" or "0" <= c <= "9":
            is_float = False
            text = [c]
            while not s.end():
                nc = chr(s.cur())
                if nc in ".Ee":
                    is_float = True
                elif not (nc in "+-" or "0" <= nc <= "9"):
                    break
                text.append(nc)
                s.next()
            nxt = _number("".join(text), is_float)
        elif c == "[":
            nxt = []
            enter = True
        elif c == "{":
            nxt = MPDict()
            enter = True
        elif c in "]}":
            if not have_top:
                raise mp_error("ValueError", _FAIL)
            if not stack:
                break
            top = stack.pop()
            continue
        else:
            raise mp_error("ValueError", _FAIL)
        if not have_top:
            top, have_top = nxt, True
            if not enter:
                break
            continue
        if type(top) is list:
            top.append(nxt)
        elif not have_key:
            key, have_key = nxt, True
            if enter:
                raise mp_error("ValueError", _FAIL)
        else:
            top[key] = nxt
            have_key = False
        if enter:
            stack.append(top)
            top = nxt
    while not s.end() and chr(s.cur()) in " \t\n\r\f\v":
        s.next()
    if not s.end() or stack:
        raise mp_error("ValueError", _FAIL)
    return top


def loads(text: Any) -> Any:
    from reference_vm.builtins_str import read_buffer
    return _parse(read_buffer(text))


def load(stream: Any) -> Any:
    from reference_vm.runtime import call, getattr_
    return loads(call(getattr_(stream, "read"), []))


def make_json() -> Module:
    from reference_vm.modules import fn, new_module
    return new_module("json", {
        "dumps": fn("dumps", dumps, 1, -1, True), "dump": fn("dump", dump, 2, -1, True),
        "loads": fn("loads", loads, 1, 1), "load": fn("load", load, 1, 1),
    })
