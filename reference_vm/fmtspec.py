"""str.format's field parser and format-spec interpreter (mp_obj_str_format_helper in py/objstr.c).

Kept apart from strformat.py (the public entry points) only for size. Works on
UTF-8 bytes like the C code: a fill character is one byte, widths and
precisions count bytes.
"""

from __future__ import annotations

from typing import Any

from reference_vm.floatfmt import MpError, mul_100
from reference_vm.fmtprint import (
    ADD_PERCENT,
    CENTER,
    LEFT,
    OCTAL_LETTER,
    PAD_AFTER_SIGN,
    SEP_POS,
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

__all__ = ["FLOAT_TYPES", "MISSING", "bad", "decode", "format_helper", "format_one", "lookup", "str_to_int"]

MISSING = object()
_ALIGN = b"<>=^"
_TYPES = b"bcdeEfFgGnosxX%"
FLOAT_TYPES = b"eEfFgG"


def decode(b: bytes | bytearray) -> str:
    return bytes(b).decode("utf-8", "surrogateescape")


def bad(ctx: Ctx, message: str) -> MpError:
    """A ValueError whose text collapses to "bad format string" on terse builds."""
    return MpError("ValueError", "bad format string" if ctx.terse else message)


def lookup(mapping: Any, key: str) -> Any:
    value = MISSING if mapping is None else mapping.get(key, MISSING)
    if value is MISSING:
        raise MpError("KeyError", key)
    return value


def str_to_int(buf: bytes, i: int, top: int, num: int) -> tuple[int, int]:
    """``str_to_int``: unsigned decimal digits at buf[i:top]; num unchanged when there are none."""
    if i < top and 48 <= buf[i] <= 57:
        num = 0
        while i < top and 48 <= buf[i] <= 57:
            num = c_int(num * 10 + buf[i] - 48)
            i += 1
    return i, num


def _is_integer(v: Any) -> bool:
    return isinstance(v, int)


def _is_numeric(v: Any) -> bool:
    return isinstance(v, (int, float))


def format_helper(ctx: Ctx, pat: bytes, i: int, top: int, state: list[int], args: list[Any],
                   kwargs: Any) -> bytearray:
    """``mp_obj_str_format_helper`` over pat[i:top]; state[0] is the shared automatic-numbering counter."""
    out = bytearray()

    def at(k: int) -> int:
        return pat[k] if k < len(pat) else 0

    while i < top:
        c = pat[i]
        if c == 0x7D:
            i += 1
            if i < top and pat[i] == 0x7D:
                out.append(0x7D)
                i += 1
                continue
            raise bad(ctx, "single '}' encountered in format string")
        if c != 0x7B:
            out.append(c)
            i += 1
            continue
        i += 1
        if i < top and pat[i] == 0x7B:
            out.append(0x7B)
            i += 1
            continue
        field: tuple[int, int] | None = None
        if i < top and pat[i] not in b"}!:":
            start = i
            while i < top and pat[i] not in b"}!:":
                i += 1
            field = (start, i)
        conversion = ""
        if i < top and pat[i] == 0x21:
            i += 1
            if i < top and pat[i] in b"rs":
                conversion = chr(pat[i])
                i += 1
            elif ctx.terse or not ctx.detailed:
                raise bad(ctx, "bad conversion specifier")
            elif i >= top:
                raise bad(ctx, "end of format while looking for conversion specifier")
            else:
                raise bad(ctx, decode(b"unknown conversion specifier " + bytes([pat[i]])))
        spec: tuple[int, int] | None = None
        if i < top and pat[i] == 0x3A:
            i += 1
            if at(i) != 0x7D:
                start, nest = i, 1
                while i < top:
                    if pat[i] == 0x7B:
                        nest += 1
                    elif pat[i] == 0x7D:
                        nest -= 1
                        if nest == 0:
                            break
                    i += 1
                spec = (start, i)
        if i >= top:
            raise bad(ctx, "unmatched '{' in format")
        if pat[i] != 0x7D:
            raise bad(ctx, "expected ':' after format specifier")
        arg = _field_arg(ctx, pat, field, state, args, kwargs)
        if spec is None and not conversion:
            conversion = "s"
        if conversion:
            arg = decode(ctx.text(arg, "str" if conversion == "s" else "repr"))
        spec_text = None if spec is None else bytes(format_helper(ctx, pat, spec[0], spec[1], state, args, kwargs))
        format_one(ctx, out, arg, spec_text)
        i += 1
    return out


def _field_arg(ctx: Ctx, pat: bytes, field: tuple[int, int] | None, state: list[int], args: list[Any],
               kwargs: Any) -> Any:
    """The argument a replacement field names: explicit index, keyword, or the next automatic one."""
    if field is None:
        if state[0] < 0:
            raise bad(ctx, "can't switch from manual field specification to automatic field numbering")
        if state[0] >= len(args):
            raise MpError("IndexError", "tuple index out of range")
        state[0] += 1
        return args[state[0] - 1]
    start, end = field
    if 48 <= pat[start] <= 57:
        if state[0] > 0:
            raise bad(ctx, "can't switch from automatic field numbering to manual field specification")
        rest, index = str_to_int(pat, start, end, 0)
        if index >= len(args):
            raise MpError("IndexError", "tuple index out of range")
        arg = args[index]
        state[0] = -1
    else:
        rest = start
        while rest < end and pat[rest] not in b".[":
            rest += 1
        arg = lookup(kwargs, decode(pat[start:rest]))
    if rest < end:
        raise MpError("NotImplementedError", "attributes not supported")
    return arg


def format_one(ctx: Ctx, out: bytearray, arg: Any, spec: bytes | None) -> None:
    """Apply one (already expanded) format spec to arg: [[fill]align][sign][#][0][width][,][.prec][type]."""
    fill = align = typ = flags = 0
    width = precision = -1
    if spec is not None:
        n = len(spec)

        def at(k: int) -> int:
            return spec[k] if k < n else 0

        s = 0
        if at(0) and at(0) in _ALIGN:
            align, s = at(0), 1
        elif at(0) and at(1) and at(1) in _ALIGN:
            fill, align, s = at(0), at(1), 2
        if at(s) and at(s) in b"+- ":
            flags |= SHOW_SIGN if at(s) == 0x2B else SPACE_SIGN if at(s) == 0x20 else 0
            s += 1
        if at(s) == 0x23:
            flags |= SHOW_PREFIX
            s += 1
        if at(s) == 0x30:
            if not align and _is_numeric(arg):
                align = 0x3D
            fill = fill or 0x30
        s, width = str_to_int(spec, s, n, width)
        if at(s) and at(s) in b",_":
            flags |= at(s) << SEP_POS
            s += 1
        if at(s) == 0x2E:
            s, precision = str_to_int(spec, s + 1, n, precision)
        if at(s) and at(s) in _TYPES:
            typ = at(s)
            s += 1
        if at(s):
            raise bad(ctx, "invalid format specifier")
    if not align:
        align = 0x3E if _is_numeric(arg) else 0x3C
    fill = fill or 0x20
    if flags & (SHOW_SIGN | SPACE_SIGN):
        if typ == 0x73:
            raise bad(ctx, "sign not allowed in string format specifier")
        if typ == 0x63:
            raise bad(ctx, "sign not allowed with integer format specifier 'c'")
    flags |= {0x3C: LEFT, 0x3D: PAD_AFTER_SIGN, 0x5E: CENTER}.get(align, 0)

    def unknown() -> MpError:
        return bad(ctx, f"unknown format code '{chr(typ)}' for object of type '{ctx.type_name(arg)}'")

    if _is_integer(arg):
        if typ == 0x62:
            return print_mp_int(ctx, out, arg, 2, 0x61, flags, fill, width, 0)
        if typ == 0x63:
            return print_char(ctx, out, arg, flags, fill, width)
        if typ in (0, 0x6E, 0x64):
            return print_mp_int(ctx, out, arg, 10, 0x61, flags, fill, width, 0)
        if typ == 0x6F:
            return print_mp_int(ctx, out, arg, 8, 0x61, flags | (OCTAL_LETTER if flags & SHOW_PREFIX else 0), fill,
                                width, 0)
        if typ in b"xX":
            return print_mp_int(ctx, out, arg, 16, typ - 23, flags, fill, width, 0)
        if typ not in b"eEfFgG%":
            raise unknown()
    if _is_numeric(arg):
        if typ in (0, 0x6E):
            typ = 0x67
        if typ in FLOAT_TYPES:
            return print_float(ctx, out, ctx.get_float(arg), chr(typ), flags, fill, width, precision)
        if typ == 0x25:
            return print_float(ctx, out, mul_100(ctx.get_float(arg), ctx.profile), "f", flags | ADD_PERCENT, fill,
                               width, precision)
        raise unknown()
    if align == 0x3D:
        raise bad(ctx, "'=' alignment not allowed in string format specifier")
    if typ not in (0, 0x73):
        raise unknown()
    if isinstance(arg, str):
        data = arg.encode("utf-8", "surrogateescape")
    elif isinstance(arg, bytes):
        data = arg
    else:
        name = ctx.type_name(arg)
        raise MpError("TypeError", "can't convert to str implicitly" if ctx.terse
                      else f"can't convert '{name}' object to {'bytes' if name == 'str' else 'str'} implicitly")
    if precision >= 0:
        data = data[:precision]
    print_strn(out, data, flags, fill, width)
