"""The ``%`` operator and ``str.format`` of MicroPython (py/objstr.c), ported to work on UTF-8 bytes.

MicroPython differs from CPython in many visible ways and this module keeps
them: widths and precisions count bytes; '{:5}'.format(1.0) is '    1' (no
type means 'g'); '{:5}'.format(True) is '    1'; int precision is ignored
in format specs; '<<5' is not fill+align; '%-05d' pads with zeros on the
right; negative '*' widths pad nothing; '{0[1]}' and '{0.x}' raise
NotImplementedError; at the terse error level nearly every ValueError says
"bad format string".

Values: host bool/int/float/str/bytes/None are handled here; anything else is
printed through the VM's ``repr_fn``/``str_fn`` callbacks. Errors are raised
as ``MpError(exc_type, *args)`` (``reference_vm.floatfmt``), for the VM to
turn into guest exceptions (KeyError carries the missing key).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reference_vm.floatemu import FloatProfile
from reference_vm.floatfmt import MpError, float_to_int
from reference_vm.fmtprint import (
    LEFT,
    OCTAL_LETTER,
    PAD_AFTER_SIGN,
    SHOW_PREFIX,
    SHOW_SIGN,
    SPACE_SIGN,
    Ctx,
    c_int,
    print_char,
    print_float,
    print_mp_int,
    print_strn,
)
from reference_vm.fmtspec import FLOAT_TYPES, MISSING, bad, decode, format_helper, format_one, lookup, str_to_int

__all__ = ["MpError", "format_spec", "percent_format", "str_format"]


def _make_ctx(profile: FloatProfile, repr_fn: Callable[[Any], str], str_fn: Callable[[Any], str],
              kw: dict[str, Any]) -> Ctx:
    return Ctx(profile, repr_fn, str_fn, kw.get("type_name_fn"), kw.get("int_fn"), kw.get("float_fn"))


def percent_format(fmt: str | bytes, args: Any, profile: FloatProfile, repr_fn: Callable[[Any], str],
                   str_fn: Callable[[Any], str], *, is_dict: bool | None = None, **hooks: Any) -> str | bytes:
    """``fmt % args`` (str_modulo_format). A tuple supplies the arguments, a dict (host dict or the VM's
    MPDict, or ``is_dict=True``) allows ``%(key)s``, anything else is one argument.

    Returns bytes for a bytes pattern. Optional hooks: type_name_fn, int_fn, float_fn (see fmtprint.Ctx).
    """
    ctx = _make_ctx(profile, repr_fn, str_fn, hooks)
    is_bytes = not isinstance(fmt, str)
    pat = fmt.encode("utf-8", "surrogateescape") if isinstance(fmt, str) else bytes(fmt)
    if is_dict is None:
        is_dict = isinstance(args, dict) or type(args).__name__ == "MPDict"
    items: Sequence[Any] = args if isinstance(args, tuple) and not is_dict else (args,)
    mapping = args if is_dict else None
    n, arg_i, i, top = len(items), 0, 0, len(pat)
    out = bytearray()

    def at(k: int) -> int:
        return pat[k] if k < top else 0

    def next_arg() -> Any:
        nonlocal arg_i
        if arg_i >= n:
            raise MpError("TypeError", "format string needs more arguments")
        arg_i += 1
        return items[arg_i - 1]

    while i < top:
        if pat[i] != 0x25:
            out.append(pat[i])
            i += 1
            continue
        i += 1
        if i >= top:
            raise bad(ctx, "incomplete format")
        if pat[i] == 0x25:
            out.append(0x25)
            i += 1
            continue
        arg: Any = MISSING
        if pat[i] == 0x28:
            if mapping is None:
                raise MpError("TypeError", "format needs a dict")
            arg_i = 1
            i += 1
            key_start = i
            while at(i) != 0x29:
                if i >= top:
                    raise bad(ctx, "incomplete format key")
                i += 1
            arg = lookup(mapping, decode(pat[key_start:i]))
            i += 1
        flags, fill, alt = 0, 0x20, 0
        while i < top and pat[i] in b"-+ #0":
            c = pat[i]
            if c == 0x2D:
                flags |= LEFT
            elif c == 0x2B:
                flags |= SHOW_SIGN
            elif c == 0x20:
                flags |= SPACE_SIGN
            elif c == 0x23:
                alt = SHOW_PREFIX
            else:
                flags |= PAD_AFTER_SIGN
                fill = 0x30
            i += 1
        width = 0
        if i < top:
            if pat[i] == 0x2A:
                width = c_int(ctx.get_int(next_arg()))
                i += 1
            else:
                i, width = str_to_int(pat, i, top, width)
        prec = -1
        if i < top and pat[i] == 0x2E:
            i += 1
            if i < top:
                if pat[i] == 0x2A:
                    prec = c_int(ctx.get_int(next_arg()))
                    i += 1
                else:
                    i, prec = str_to_int(pat, i, top, 0)
        if i >= top:
            raise bad(ctx, "incomplete format")
        if arg is MISSING:
            arg = next_arg()
        _percent_one(ctx, out, pat, i, arg, flags, fill, alt, width, prec, is_bytes)
        i += 1
    if mapping is None and arg_i != n:
        raise MpError("TypeError", "format string didn't convert all arguments")
    return bytes(out) if is_bytes else decode(out)


def _percent_one(ctx: Ctx, out: bytearray, pat: bytes, i: int, arg: Any, flags: int, fill: int, alt: int,
                 width: int, prec: int, is_bytes: bool) -> None:
    """One conversion of ``%`` formatting: the switch on the conversion character."""
    ch = pat[i]
    if ch == 0x63:  # c
        if isinstance(arg, str):
            data = arg.encode("utf-8", "surrogateescape")
            if len(data) != 1:
                raise MpError("TypeError", "%c needs int or char")
            print_strn(out, data, flags, 0x20, width)
        elif isinstance(arg, int):
            print_char(ctx, out, arg, flags, 0x20, width)
        else:
            raise MpError("TypeError", "integer needed")
    elif ch in b"diu":
        print_mp_int(ctx, out, float_to_int(arg) if isinstance(arg, float) else arg, 10, 0x61, flags, fill,
                     width, prec)
    elif ch in FLOAT_TYPES:
        print_float(ctx, out, ctx.get_float(arg), chr(ch), flags, fill, width, prec)
    elif ch == 0x6F:  # o
        print_mp_int(ctx, out, arg, 8, 0x61, flags | (SHOW_PREFIX | OCTAL_LETTER if alt else 0), fill, width, prec)
    elif ch in b"rs":
        kind = "repr" if ch == 0x72 else "raw" if is_bytes and isinstance(arg, bytes) else "str"
        data = ctx.text(arg, kind)
        if prec >= 0:
            data = data[:prec]
        print_strn(out, data, flags, 0x20, width)
    elif ch in b"xX":
        print_mp_int(ctx, out, arg, 16, ch - 23, flags | alt, fill, width, prec)
    else:
        msg = b"unsupported format character '" + bytes([ch]) + f"' (0x{ch:x}) at index {i}".encode()
        raise bad(ctx, decode(msg))


def str_format(fmt: str | bytes, args: Sequence[Any], kwargs: Mapping[str, Any] | None, profile: FloatProfile,
               repr_fn: Callable[[Any], str], str_fn: Callable[[Any], str],
               getattr_fn: Callable[[Any, str], Any] | None = None, **hooks: Any) -> str | bytes:
    """``fmt.format(*args, **kwargs)`` (mp_obj_str_format). Returns bytes for a bytes pattern.

    ``getattr_fn`` is accepted for interface symmetry but never called: MicroPython
    rejects '{0.x}' and '{0[1]}' with NotImplementedError('attributes not supported').
    """
    ctx = _make_ctx(profile, repr_fn, str_fn, hooks)
    is_bytes = not isinstance(fmt, str)
    pat = fmt.encode("utf-8", "surrogateescape") if isinstance(fmt, str) else bytes(fmt)
    out = format_helper(ctx, pat, 0, len(pat), [0], list(args), kwargs)
    return bytes(out) if is_bytes else decode(out)


def format_spec(value: Any, spec: str, profile: FloatProfile, str_fn: Callable[[Any], str],
                repr_fn: Callable[[Any], str] | None = None, **hooks: Any) -> str:
    """``'{:' + spec + '}'.format(value)`` for a spec without nested fields (an empty spec means str())."""
    ctx = _make_ctx(profile, repr_fn or str_fn, str_fn, hooks)
    out = bytearray()
    if not spec:
        value = decode(ctx.text(value, "str"))
    format_one(ctx, out, value, spec.encode("utf-8", "surrogateescape") if spec else None)
    return decode(out)


