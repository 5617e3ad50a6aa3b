"""reference_vm.strformat: MicroPython's % operator, str.format and format specs.

Three kinds of test:

* unit tests of quirks verified on the real builds (byte widths, comma
  padding, ignored int precision, error texts at each error level);
* differential tests: hypothesis generates batches of % and str.format calls
  (random flags, widths, precisions, conversions, fill/align specs, argument
  types, wrong argument counts), each batch runs as one program on real
  MicroPython and every result or exception repr is compared line by line;
* the case corpus: every % / .format expression with evaluable operands in
  cases/floats/*.yaml and cases/strings/{percent,format-method}.yaml is run
  through both MicroPython and the model, and cases made only of prints of
  such expressions must reproduce their ``expect`` (stdout or exception).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_refvm_floatfmt import DIFF, Target, bits_of, float_bits, from_bits, open_target, prelude

from conformance.loader import load_suite
from reference_vm.floatemu import to_single
from reference_vm.floatfmt import MpError, float_repr, float_to_int, int_to_float, parse_float
from reference_vm.fmtprint import Ctx, bytes_repr, str_repr
from reference_vm.profile import PICO32, UNIX32, UNIX64, Profile
from reference_vm.strformat import format_spec, percent_format, str_format

NORMAL64 = Profile("normal64", 64, 63, "double", 2, "normal", 32)
TERSE64 = Profile("terse64", 64, 63, "double", 2, "terse", 32)
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Fl:
    """A float argument given by its bit pattern in the target's precision (no literal parsing involved)."""

    bits: int


def host(v: Any, profile: Profile) -> Any:
    """The value as the model sees it."""
    if isinstance(v, Fl):
        return from_bits(v.bits, profile)
    if isinstance(v, (tuple, list)):
        return type(v)(host(x, profile) for x in v)
    if isinstance(v, dict):
        return {k: host(x, profile) for k, x in v.items()}
    return v


def src(v: Any) -> str:
    """MicroPython source text that rebuilds v."""
    if isinstance(v, Fl):
        return f"F({v.bits:#x})"
    if isinstance(v, tuple):
        return "(" + ", ".join(map(src, v)) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(map(src, v)) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{src(k)}: {src(x)}" for k, x in v.items()) + "}"
    return repr(v)


def mp_repr(v: Any, profile: Profile) -> str:
    """repr of the simple values these tests use, as MicroPython prints them (the VM's job in real use)."""
    if isinstance(v, str):
        return str_repr(v)
    if isinstance(v, bytes):
        return bytes_repr(v)
    if isinstance(v, float):
        return float_repr(v, profile)
    if isinstance(v, (list, tuple)):
        inner = ", ".join(mp_repr(x, profile) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner}{',' if len(v) == 1 else ''})"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{mp_repr(k, profile)}: {mp_repr(x, profile)}" for k, x in v.items()) + "}"
    return repr(v)


def mp_str(v: Any, profile: Profile) -> str:
    return v if isinstance(v, str) else mp_repr(v, profile)


def model_line(call: Callable[[], Any], profile: Profile) -> str | None:
    """What `R(lambda: expr)` prints, or None when the model's result holds a partial UTF-8 sequence."""
    try:
        r = call()
    except MpError as e:
        return e.exc_type + mp_repr(tuple(e.exc_args), profile)
    if isinstance(r, str):
        return None if any(0xDC80 <= ord(c) <= 0xDCFF for c in r) else str_repr(r)
    return bytes_repr(r)


RUNNER = "def R(f):\n try:\n  r = f()\n except Exception as e:\n  print(repr(e))\n else:\n  print(repr(r))\n"


def old_build_differs(target: Target, expr: str, line: str | None) -> bool:
    """Behaviour that changed between 1.27 and the 1.29 sources the model follows.

    1.29 prints non-ASCII characters of a str repr as they are (1.27 escaped
    them), encodes '%c' / '{:c}' code points as UTF-8 and range-checks them
    (1.27 kept the low byte), and inserts ',' / '_' into zero padding (1.27
    padded with plain zeros). Lines touching these are not compared on older builds.
    """
    if target.version >= (1, 29) or line is None:
        return False
    char_conversion = re.search(r"%[-+ #0-9.*]*c|c}", expr)
    zero_grouping = re.search(r"{[^{}]*:[^{}]*0[^{}]*[,_][^{}]*}", expr)
    return not line.isascii() or not expr.isascii() or bool(char_conversion or zero_grouping)


def run_batch(target: Target, exprs: list[str], expected: list[str | None]) -> None:
    """Run every expression through R(...) in one program and compare with the model's lines."""
    if not target.unicode:  # the harness sends the program as text; keep non-unicode builds to ASCII
        keep = [i for i, e in enumerate(exprs) if e.isascii()]
        exprs, expected = [exprs[i] for i in keep], [expected[i] for i in keep]
    expected = [None if old_build_differs(target, e, m) else m for e, m in zip(exprs, expected, strict=True)]
    source = prelude(target.profile, target.has_float) + RUNNER + "".join(f"R(lambda: {e})\n" for e in exprs)
    got = target.lines(source)
    assert len(got) == len(exprs), f"{target.name}: {len(got)} lines for {len(exprs)} expressions"
    bad = [f"{e}\n   micropython {g}\n   model       {m}" for e, g, m in zip(exprs, got, expected, strict=True)
           if m is not None and g != m]
    assert not bad, f"{target.name}: {len(bad)}/{len(exprs)} differ:\n" + "\n".join(bad[:15])


def pct(fmt: Any, args: Any, profile: Profile) -> Callable[[], Any]:
    return lambda: percent_format(host(fmt, profile), host(args, profile), profile,
                                  lambda v: mp_repr(v, profile), lambda v: mp_str(v, profile))


def fmt_call(fmt: Any, args: list[Any], kwargs: dict[str, Any], profile: Profile) -> Callable[[], Any]:
    return lambda: str_format(fmt, host(args, profile), host(kwargs, profile), profile,
                              lambda v: mp_repr(v, profile), lambda v: mp_str(v, profile))


def format_src(fmt: Any, args: list[Any], kwargs: dict[str, Any]) -> str:
    parts = [src(a) for a in args] + ([f"**{src(kwargs)}"] if kwargs else [])
    return f"{src(fmt)}.format({', '.join(parts)})"


# --- targets ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["unix64", "wasm", "single", "normal"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    yield from open_target(request.param)


@pytest.fixture(scope="module", params=["unix64", "wasm", "single", "normal", "minimal"])
def any_level_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    yield from open_target(request.param)


# --- unit tests: quirks verified on the builds ------------------------------------------------------

def P(fmt: Any, args: Any, profile: Profile = UNIX64) -> Any:
    return percent_format(fmt, args, profile, repr, str)


def S(fmt: str, *args: Any, profile: Profile = UNIX64, **kwargs: Any) -> Any:
    return str_format(fmt, args, kwargs, profile, repr, str)


def test_percent_quirks() -> None:
    assert P("%-05d|%05d|%-5d|%+05d|%.3d|%8.3d|%-8.3x|%#x|%#o|%#X|%x", (3, 3, 3, 3, 3, -3, 255, 255, 8, 255, -255)) \
        == "30000|00003|3    |+0003|003|    -003|0ff     |0xff|0o10|0XFF|-ff"
    assert P("%5s|", "é") == "   é|"  # widths count UTF-8 bytes
    assert P("%010.3f|%010f|%-010.2f|", (float("inf"), float("nan"), 1.5)) == "0000000inf|0000000nan|1.50000000|"
    assert P("%c%c|%5c|%-3c|", (65, "z", 66, "q")) == "Az|    B|q  |"
    assert P(b"%s %r %d", (b"ab", b"cd", 5)) == b"ab b'cd' 5"
    assert P(b"%s", "str") == b"str"
    assert P("[%*d]", (-4, 7)) == "[7]"
    assert P("%s", {"a": 1}) == "{'a': 1}"
    assert P("%(n)05d|%(name)-3s|", {"n": 3, "name": "x"}) == "00003|x  |"
    assert P("%d %i %u", (2.9, -2.9, 1e20)) == "2 -2 100000000000000000000"


def test_format_spec_quirks() -> None:
    assert S("{:010,.2f}|{:010,}|{:,}|{:_x}|{:#_b}", 1234.5, 12345, -1234567, 2**40, 37) \
        == "00,1234.50|00,012,345|-1,234,567|100_0000_0000|0b10_0101"
    assert S("{:5}|{:5}|{:.3d}|{:5}|", 1.0, True, 5, "é") == "    1|    1|5|é   |"
    assert S("{:,.2f} {:_.1f} {:,}", 1234567.5, 1234567.0, 1234.5) == "1234567.50 1234567.0 1234.5"
    assert S("{:%} {:.1%} {:.0%} {:8.2%}|", 0.5, 0.125, 1.0, 0.0625) == "50.000000% 12.5% 100%    6.25%|"
    assert S("[{:>{}}] [{:{}{}}] [{:{w}.{p}}]", "a", 4, 3, "<", 4, "abcdef", w=5, p=2) == "[   a] [3   ] [ab   ]"
    assert format_spec(255, "#06x", UNIX64, str) == "0x00ff"
    assert format_spec(2.5, "", UNIX64, str) == "2.5" and format_spec(2.5, "5", UNIX64, str) == "  2.5"


@pytest.mark.parametrize(("call", "detailed", "normal", "terse"), [
    (lambda p: S("{!x}", 1, profile=p), "unknown conversion specifier x", "bad conversion specifier", None),
    (lambda p: S("{!", 1, profile=p), "end of format while looking for conversion specifier",
     "bad conversion specifier", None),
    (lambda p: S("a { b", profile=p), "unmatched '{' in format", None, None),
    (lambda p: S("}", profile=p), "single '}' encountered in format string", None, None),
    (lambda p: S("{:d}", "7", profile=p), "unknown format code 'd' for object of type 'str'", None, None),
    (lambda p: S("{:=5}", "a", profile=p), "'=' alignment not allowed in string format specifier", None, None),
    (lambda p: S("{:+s}", "a", profile=p), "sign not allowed in string format specifier", None, None),
    (lambda p: S("{:<<5}", "a", profile=p), "invalid format specifier", None, None),
    (lambda p: S("{} {1}", 1, 2, profile=p),
     "can't switch from automatic field numbering to manual field specification", None, None),
    (lambda p: S("{0!r x}", 1, profile=p), "expected ':' after format specifier", None, None),
    (lambda p: P("%y", 1, p), "unsupported format character 'y' (0x79) at index 1", None, None),
    (lambda p: P("abc %", (), p), "incomplete format", None, None),
    (lambda p: P("%(a", {"a": 1}, p), "incomplete format key", None, None),
])
def test_value_error_texts_by_level(call: Callable[[Profile], Any], detailed: str, normal: str | None,
                                    terse: str | None) -> None:
    for profile, text in ((UNIX64, detailed), (NORMAL64, normal or detailed), (TERSE64, terse or "bad format string")):
        with pytest.raises(MpError) as info:
            call(profile)
        assert (info.value.exc_type, info.value.message) == ("ValueError", text), profile.name


@pytest.mark.parametrize(("call", "exc", "text"), [
    (lambda: P("%s %s", ("a",)), "TypeError", "format string needs more arguments"),
    (lambda: P("%s", ("a", "b")), "TypeError", "format string didn't convert all arguments"),
    (lambda: P("text", 5), "TypeError", "format string didn't convert all arguments"),
    (lambda: P("%c", "é"), "TypeError", "%c needs int or char"),
    (lambda: P("%c", 1.5), "TypeError", "integer needed"),
    (lambda: P("%c", -1), "OverflowError", "char not in range(0x110000)"),
    (lambda: P("%x", 3.0), "TypeError", "can't convert float to int"),
    (lambda: P("%d", "3"), "TypeError", "can't convert str to int"),
    (lambda: P("%f", "3"), "TypeError", "can't convert str to float"),
    (lambda: P("%d", float("inf")), "OverflowError", "can't convert inf to int"),
    (lambda: P("%d", float("nan")), "ValueError", "can't convert NaN to int"),
    (lambda: P("%*d", (2**70, 1)), "OverflowError", "overflow converting long int to machine word"),
    (lambda: P("%(a)s", (1,)), "TypeError", "format needs a dict"),
    (lambda: P("%(b)s", {"a": 1}), "KeyError", "b"),
    (lambda: S("{name}", nom=1), "KeyError", "name"),
    (lambda: S("{} {}", 1), "IndexError", "tuple index out of range"),
    (lambda: S("{0[1]}", [1, 2]), "NotImplementedError", "attributes not supported"),
    (lambda: S("{:>5}", None), "TypeError", "can't convert 'NoneType' object to str implicitly"),
])
def test_other_errors(call: Callable[[], Any], exc: str, text: str) -> None:
    with pytest.raises(MpError) as info:
        call()
    assert (info.value.exc_type, info.value.message) == (exc, text)


def test_terse_conversion_errors() -> None:
    with pytest.raises(MpError, match="can't convert to int"):
        P("%x", 3.0, TERSE64)
    with pytest.raises(MpError, match="can't convert to str implicitly"):
        S("{:>5}", None, profile=TERSE64)


def test_float_args_follow_the_profile() -> None:
    x = parse_float("1.1", PICO32)
    assert P("%s %r %.10f", (x, x, x), PICO32) == "1.1 1.1 1.1000000000"
    assert S("{} {:g} {:%}", x, 2**70, x, profile=PICO32) == "1.1 1.18059e+21 110.000000%"
    assert S("{:f}", 2**40 + 3, profile=PICO32) == "1099511600000.000000"
    assert S("{:f} {:f}", 2**70, 2**70 + 1) == "1180591620717411300000.000000 1180591620717411300000.000000"
    assert P("%.1f", 2**64 + 3) == "18446744073709552000.0"


def test_fixed_batch_matches_micropython(any_level_target: Target) -> None:
    """Hand-written edge cases (errors at every level included), one program per build."""
    profile = any_level_target.profile
    fl = any_level_target.has_float
    pcts: list[tuple[Any, Any]] = [] if "minimal" in any_level_target.name else [
        ("%-05d|%05d|%+05d|%.3d|%8.3d|%-8.3x|%#x|%#o|%#X|%x", (3, 3, 3, 3, -3, 255, 255, 8, 255, -255)),
        ("%5s|%.1s|%-4s|%.0s|", ("é", "ab", "x", "zz")), ("%c%c|%5c|%-3c|", (65, "z", 66, "q")),
        ("%c", 0x3B1), ("%c", "é"), ("%c", -1), ("%c", 0x110000), ("%c", "ab"), ("%c", [1]), ("%d", "3"),
        (b"%s %r %d", (b"ab", b"cd", 5)), (b"%s|%c", ("str", 200)), ("%s", {"a": 1}), ("%s %s", {"a": 1}),
        ("%(a)s %(a)r", {"a": "x"}), ("%(a)*d", {"a": 1}), ("%(b)s", {"a": 1}), ("%(a", {"a": 1}), ("%(a)s", (1,)),
        ("%*d|%-*d|%.*s|%*.*d", (-4, 7, 3, 1, 2, "xyz", 6, 3, 5)), ("%*d", ("a", 1)), ("%*d", (2**70, 1)),
        ("%y", 1), ("abc %", ()), ("%5%", ()), ("%s", ("a", "b")), ("text", 5), ("%%%s%%", "x"), ("%.", 1),
        ("%s %r %s", (True, None, [1, "b"])), ("%d|%x|%o", (True, False, True)), ("%i %u", (2**70, -(2**65))),
        ("%#.5x|%#08o|%0#6x|% 06d|%+ d", (255, 8, 10, 42, 5)), ("%d", 1.5), ("%x", 1.5),
    ]
    if fl:
        pcts += [("%f %e %g|%.0f %.0f %.1f|%010.3f %-+9.2e %G", (Fl(0), Fl(1), Fl(2), Fl(3), Fl(4), Fl(5), Fl(6),
                                                                 Fl(7), Fl(8)))]
    fmts: list[tuple[Any, list[Any], dict[str, Any]]] = [
        ("{} {}", ["a", "b"], {}), ("{1}{0}{1}", ["x", "y"], {}), ("{name}-{0}", [7], {"name": "n"}),
        ("{{}} {{{}}}", [5], {}), ("{!r} {!s} {!r:>6}|", ["a", "b", "c"], {}),
        ("{:5d}|{:<5}|{:^7}|{:^6}|", [12, "ab", "c", "d"], {}), ("[{:4}] [{:4}] [{:4}] [{:4}]", ["s", 7, True, -1], {}),
        ("{:,} {:_} {:,x} {:_o} {:_b}", [10**9, -(10**7), 2**33, 8**9, 255], {}),
        ("{:010,}|{:09_}|{:012,d}|{:=+12,}|{:0=10}", [12345, 2**20, -(10**6), 10**6, -5], {}),
        ("{:#x} {:#X} {:#o} {:#b} {:#010x} {:x<#8x}", [255, 255, 8, 5, 255, 255], {}),
        ("{:c}{:c}{:5c}|{:<3c}|", [72, 0x3B1, 65, 66], {}), ("{:+c}", [65], {}), ("{:+s}", ["a"], {}),
        ("{:s}", [1], {}), ("{:d}", ["7"], {}), ("{:=5}", ["a"], {}), ("{:<<5}", ["a"], {}), ("{:é>5}", ["a"], {}),
        ("{:*^9}|{:0>5}|{:05}|{:.2}|{:5.1}|{:,}", ["mid", "ab", "ab", "abc", "xyz", "abc"], {}),
        ("{!x}", [1], {}), ("{!", [1], {}), ("{0!r x}", [1], {}), ("a { b", [], {}), ("a } b", [], {}), ("{", [], {}),
        ("{:", [1], {}), ("{} {1}", [1, 2], {}), ("{1} {}", [1, 2], {}), ("{} {}", [1], {}), ("{5}", [1], {}),
        ("{name}", [], {"nom": 1}), ("{0[1]}", [[1, 2]], {}), ("{0.x}", [1], {}), ("{a.b}", [], {"a": 1}),
        ("{:>5}", [None], {}), ("{:5}", [[1]], {}), ("{:5}", [b"ab"], {}), ("{:.1}", ["é"], {}),
        ("{:{}{}}", [3, "<", 4], {}), ("{:{}}", ["a"], {}), ("{:{w}.{p}}", ["abcdef"], {"w": 5, "p": 2}),
        ("{0:{1}}", ["x", 4], {}), ("{:.3d}|{:5}|{:n}|{:X}", [5, True, 42, 3054], {}), ("{:b}", [-5], {}),
        ("{:q}", [1], {}), ("{:5q}", ["x"], {}), (b"{}|{:>4}", [1, "é"], {}), ("{ a}", [], {" a": 9}),
        ("{-1}", [], {}),
    ]
    if fl:
        fmts += [("{} {:5} {:f} {:.1%} {:e} {:10.3g} {:n} {:=+10.2f} {:010,.1f} {:.0e}",
                  [Fl(0), Fl(1), Fl(2), Fl(3), Fl(4), Fl(5), Fl(6), Fl(7), Fl(8), Fl(9)], {}),
                 ("{:f} {:.2e} {:g} {:%} {:d}", [3, 10, 7, 1, Fl(1)], {}), ("{:x}", [Fl(1)], {}),
                 ("{:f}|{:g}|{:e}", [2**70, -(2**90) + 1, 2**40 + 3], {})]
    floats = [1234.375, 1.5, -3.14159, 0.125, 12.5, 2.5, 0.5, 1e-20, 1234567.5, 25.0]
    bits = [bits_of(x, profile) for x in floats]

    def fix(v: Any) -> Any:
        if isinstance(v, Fl):
            return Fl(bits[v.bits])
        if isinstance(v, tuple):
            return tuple(fix(x) for x in v)
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v

    exprs = [f"{src(f)} % {src(fix(a))}" for f, a in pcts] + [format_src(f, fix(a), fix(k)) for f, a, k in fmts]
    expected = [model_line(pct(f, fix(a), profile), profile) for f, a in pcts] + \
               [model_line(fmt_call(f, fix(a), fix(k), profile), profile) for f, a, k in fmts]
    run_batch(any_level_target, exprs, expected)


# --- differential: random % and str.format calls ----------------------------------------------------

ASCII_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=6)
STRS = st.one_of(ASCII_TEXT, st.sampled_from(["", "a", "é", "αβγ", "it's", 'q"', "a\nb", "\t", "€uro"]))
INTS = st.one_of(st.integers(-300, 300), st.integers(-(2**70), 2**70),
                 st.sampled_from([0, 2**31 - 1, -(2**31), 2**62, -(2**62) - 1, 2**63, 2**64, 0x10FFFF, 0x110000]))


def values(single: bool) -> st.SearchStrategy[Any]:
    floats = float_bits(single).map(Fl)
    return st.one_of(INTS, floats, floats, STRS, st.booleans(), st.none(), st.binary(max_size=3),
                     st.lists(st.integers(-9, 9), max_size=2), st.tuples(st.integers(-9, 9)))


def rarely(draw: st.DrawFn, odds: int = 12) -> bool:
    """True about once in ``odds`` draws (and False for hypothesis' simplest example)."""
    return bool(draw(st.sampled_from([False] * (odds - 1) + [True])))


def typed_value(draw: st.DrawFn, kind: str, single: bool) -> Any:
    """A value fitting a conversion kind ('d' int-like, 'f' number, 'c' char, 's' anything), sometimes any value."""
    floats = float_bits(single).map(Fl)
    fitting = {"d": st.one_of(INTS, floats) if kind == "d%" else INTS, "f": st.one_of(floats, floats, INTS),
               "c": st.one_of(st.integers(0, 0x10FFFF), st.integers(0, 127), st.characters(max_codepoint=127)),
               "s": values(single)}.get(kind[0], values(single))
    return draw(values(single) if rarely(draw) else fitting)


@st.composite
def percent_items(draw: st.DrawFn, single: bool) -> tuple[Any, Any]:
    """A format string of 1-3 conversions with fitting arguments; sometimes bytes, a dict, a wrong count or type."""
    parts: list[str] = []
    args: list[Any] = []
    keyed = rarely(draw, 8)
    for k in range(draw(st.integers(1, 3))):
        conv = draw(st.sampled_from(list("diouxXeEfFgGcrs") * 4 + ["%", "a", "y"]))
        width = draw(st.sampled_from(["", "", "*", "0", "1", "5", "8", "12", "21"]))
        prec = draw(st.sampled_from(["", "", ".", ".*", ".0", ".1", ".3", ".6", ".10", ".17", ".25"]))
        flags = "".join(draw(st.lists(st.sampled_from("-+ #0"), max_size=3)))
        key = f"({'k' + str(k)})" if keyed else ""
        parts.append(draw(st.sampled_from(["", " ", "[", "|", "%%"])) + "%" + key + flags + width + prec + conv)
        for star in (width, prec):
            if "*" in star and not keyed:
                args.append(draw(st.integers(-5, 30)) if not rarely(draw) else draw(st.sampled_from(
                    [2**32 + 3, -(2**32) + 7, 2**62, "x", Fl(0), None])))
        kind = "d%" if conv in "diu" else "d" if conv in "oxX" else "f" if conv in "eEfFgG" else \
            "c" if conv == "c" else "s"
        args.append(typed_value(draw, kind, single))
    fmt = "".join(parts) + (draw(st.sampled_from(["]", "%"])) if rarely(draw) else "")
    if keyed:
        return fmt, {f"k{k}": a for k, a in enumerate(args) if not rarely(draw, 20)}
    if rarely(draw, 10):
        args = args[:-1] if draw(st.booleans()) else [*args, 1]
    if fmt.isascii() and rarely(draw, 6):
        return fmt.encode(), tuple(args)
    return fmt, (args[0] if len(args) == 1 and draw(st.booleans()) and not isinstance(args[0], tuple)
                 else tuple(args))


SPEC_TYPES = {"d": [*"bcdnoxX", "", "e", "f", "g", "%"], "f": ["", "e", "E", "f", "F", "g", "G", "n", "%"],
              "s": ["", "s"]}


@st.composite
def format_items(draw: st.DrawFn, single: bool) -> tuple[Any, list[Any], dict[str, Any]]:
    """A str.format call: 1-3 fields (automatic, numbered or keyword), conversions and specs fitting the values."""
    mode = draw(st.sampled_from(["auto", "auto", "manual", "keyword"]))
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    parts = []
    for n in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["d", "f", "f", "s"]))
        value = typed_value(draw, kind, single)
        if mode == "keyword":
            name = f"k{n}"
            kwargs[name] = value
        else:
            name = "" if mode == "auto" else str(len(args))
            args.append(value)
        conv = draw(st.sampled_from(["!r", "!s", "!r", "!s", "!x"])) if rarely(draw, 6) else ""
        fill_align = draw(st.sampled_from(["", "", "<", ">", "^", "=", "*<", "0>", "x^", "_=", " >"]))
        sign = draw(st.sampled_from(["", "", "+", "-", " "]))
        alt = draw(st.sampled_from(["", "", "#"]))
        zero = draw(st.sampled_from(["", "", "0"]))
        width = draw(st.sampled_from(["", "", "1", "5", "9", "13", "24"]))
        sep = draw(st.sampled_from(["", "", "", ",", "_"]))
        prec = draw(st.sampled_from(["", "", "", ".0", ".2", ".6", ".12", ".17", "."]))
        typ = draw(st.sampled_from(SPEC_TYPES["s" if conv else kind])) if not rarely(draw) else \
            draw(st.sampled_from(list("bcdeEfFgGnosxX%q")))
        spec = fill_align + sign + alt + zero + width + sep + prec + typ
        if rarely(draw, 4):
            spec = ""
        parts.append("{" + name + conv + (":" + spec if spec or rarely(draw, 4) else "") + "}")
    if rarely(draw, 15) and mode != "keyword":
        parts.append("{" + draw(st.sampled_from(["", "0", "5", "zz", "0[1]", "0.x"])) + "}")
    text = draw(st.sampled_from(["", " ", "{{", "}}", "|"]))
    tail = draw(st.sampled_from(["}", "{", "{!", "{:"])) if rarely(draw, 15) else ""
    return text.join(parts) + tail, args, kwargs


@DIFF
@given(data=st.data())
def test_percent_matches_micropython(target: Target, data: st.DataObject) -> None:
    profile = target.profile
    items = data.draw(st.lists(percent_items(profile.float_precision == "single"), min_size=40, max_size=150))
    exprs = [f"{src(f)} % {src(a)}" for f, a in items]
    run_batch(target, exprs, [model_line(pct(f, a, profile), profile) for f, a in items])


@DIFF
@given(data=st.data())
def test_str_format_matches_micropython(target: Target, data: st.DataObject) -> None:
    profile = target.profile
    items = data.draw(st.lists(format_items(profile.float_precision == "single"), min_size=40, max_size=150))
    exprs = [format_src(f, a, k) for f, a, k in items]
    run_batch(target, exprs, [model_line(fmt_call(f, a, k, profile), profile) for f, a, k in items])


# --- the case corpus ---------------------------------------------------------------------------------

CORPUS = [ROOT / "cases" / "floats", ROOT / "cases" / "strings" / "percent.yaml",
          ROOT / "cases" / "strings" / "format-method.yaml"]
HANDLED = {"ValueError", "TypeError", "KeyError", "IndexError", "OverflowError", "NotImplementedError"}


class Unsupported(Exception):
    """The mini-evaluator below does not handle this construct; the expression or case is left out."""


class Mini:
    """Evaluates the literal-heavy Python of the format cases with the model (floats parsed as the target does)."""

    def __init__(self, code: str, profile: Profile) -> None:
        self.code, self.profile, self.env, self.out = code, profile, {}, []  # type: ignore[var-annotated]

    def ev(self, node: ast.AST) -> Any:
        p = self.profile
        if isinstance(node, ast.Constant):
            if isinstance(node.value, float):
                return parse_float(ast.get_source_segment(self.code, node) or "", p)
            if isinstance(node.value, (int, str, bytes, type(None))):
                return node.value
        elif isinstance(node, ast.Name) and node.id in self.env:
            return self.env[node.id]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.ev(node.operand)
            if isinstance(v, (int, float)):
                return -v if isinstance(node.op, ast.USub) else v
        elif isinstance(node, (ast.Tuple, ast.List)):
            items = [self.ev(e) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        elif isinstance(node, ast.Dict) and None not in node.keys:
            return {self.ev(k): self.ev(v) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]
        elif isinstance(node, ast.BinOp):
            return self.binop(node)
        elif isinstance(node, ast.Call):
            return self.call(node)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            equal = self.ev(node.left) == self.ev(node.comparators[0])
            return equal if isinstance(node.ops[0], ast.Eq) else not equal
        raise Unsupported(ast.dump(node)[:60])

    def binop(self, node: ast.BinOp) -> Any:
        a, b, p = self.ev(node.left), self.ev(node.right), self.profile
        if isinstance(node.op, ast.Mod) and isinstance(a, (str, bytes)):
            return percent_format(a, b, p, lambda v: mp_repr(v, p), lambda v: mp_str(v, p))
        if isinstance(a, str) and isinstance(b, str) and isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Pow) and a == 2.0 and isinstance(a, float) and isinstance(b, int) and \
                -1000 < b < 1000:
            return to_single(2.0**b) if p.float_precision == "single" else 2.0**b  # exact powers only
        if isinstance(a, float) or isinstance(b, float) or isinstance(node.op, ast.Div):
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)):
                raise Unsupported("operands")
            ops = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__}
            fn = ops.get(type(node.op))
            if fn is None or (isinstance(node.op, ast.Div) and b == 0):
                raise Unsupported("float op")
            x, y = (int_to_float(v, p) if isinstance(v, int) else v for v in (a, b))
            r = fn(x, y)
            return r if p.float_precision == "double" else to_single(r)
        if isinstance(a, int) and isinstance(b, int) and type(node.op) in (ast.Add, ast.Sub, ast.Mult):
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]  # type: ignore[index]
        if isinstance(a, int) and isinstance(b, int) and isinstance(node.op, ast.Pow) and b >= 0:
            return a**b
        raise Unsupported("binop")

    def call(self, node: ast.Call) -> Any:
        p = self.profile
        args: list[Any] = []
        for a in node.args:
            args.extend(self.ev(a.value) if isinstance(a, ast.Starred) else [self.ev(a)])
        kwargs: dict[str, Any] = {}
        for k in node.keywords:
            kwargs.update(self.ev(k.value) if k.arg is None else {k.arg: self.ev(k.value)})
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "format":
            fmt = self.ev(f.value) if not (isinstance(f.value, ast.Name) and f.value.id == "str") else args.pop(0)
            if isinstance(fmt, (str, bytes)):
                return str_format(fmt, args, kwargs, p, lambda v: mp_repr(v, p), lambda v: mp_str(v, p))
        if isinstance(f, ast.Name) and not kwargs:
            if f.id == "float" and len(args) == 1:
                v = args[0]
                return parse_float(v, p) if isinstance(v, (str, bytes)) else Ctx(p, repr, str).get_float(v)
            if f.id == "int" and len(args) == 1 and isinstance(args[0], float):
                return float_to_int(args[0])
            if f.id in ("str", "repr") and len(args) == 1:
                return (mp_str if f.id == "str" else mp_repr)(args[0], p)
            if f.id == "len" and len(args) == 1 and isinstance(args[0], (str, bytes, tuple, list)):
                return len(args[0])
        raise Unsupported("call")

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                self.env[stmt.targets[0].id] = self.ev(stmt.value)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                    isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "print":
                call = stmt.value
                words = [mp_str(self.ev(a), self.profile) for a in call.args]
                opts = {k.arg: self.ev(k.value) for k in call.keywords}
                self.out.append(opts.get("sep", " ").join(words) + opts.get("end", "\n"))
            elif isinstance(stmt, ast.Expr):
                self.ev(stmt.value)
            elif isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name) and not stmt.orelse:
                for item in self.ev(stmt.iter):
                    self.env[stmt.target.id] = item
                    self.run(stmt.body)
            elif isinstance(stmt, ast.Try) and not stmt.orelse and not stmt.finalbody:
                self.run_try(stmt)
            else:
                raise Unsupported(type(stmt).__name__)

    def run_try(self, stmt: ast.Try) -> None:
        try:
            self.run(stmt.body)
        except MpError as e:
            for h in stmt.handlers:
                names = [] if h.type is None else [n.id for n in (h.type.elts if isinstance(h.type, ast.Tuple)
                                                                   else [h.type]) if isinstance(n, ast.Name)]
                if h.type is None or e.exc_type in names or "Exception" in names:
                    if h.name:
                        raise Unsupported("except as") from None
                    self.run(h.body)
                    return
            raise


def corpus_cases() -> list[Any]:
    suite = load_suite(CORPUS, ROOT)
    assert not suite.errors and suite.cases
    return suite.cases


def capabilities(profile: Profile) -> frozenset[str]:
    return frozenset({"float", f"float-{profile.float_precision}", f"error-{profile.error_level}",
                      f"wordsize-{profile.word_bits}", "str-percent", "unicode", "bigint", "slicing", "fstrings"})


@pytest.mark.parametrize("profile", [UNIX64, UNIX32, PICO32, NORMAL64], ids=lambda p: p.name)
def test_corpus_expectations_are_reproduced(profile: Profile) -> None:
    """Cases made only of assignments, prints, simple loops and format expressions reproduce their expect."""
    checked, wrong = [], []
    for case in corpus_cases():
        if not case.requires <= capabilities(profile):
            continue
        mini = Mini(case.code, profile)
        raised: MpError | None = None
        try:
            mini.run(ast.parse(case.code).body)
        except Unsupported:
            continue
        except MpError as e:
            raised = e
        spec = case.expect.resolve(capabilities(profile))
        got = {"stdout": "".join(mini.out), "raises": raised.exc_type if raised else None,
               "message": raised.message if raised else None}
        checked.append(case.id)
        diff = {k: (getattr(spec, k), got[k]) for k in spec.given if getattr(spec, k) != got[k]}
        if diff:
            wrong.append(f"{case.id}: {diff}")
    print(f"{profile.name}: {len(checked)} corpus cases reproduced by the model")
    assert len(checked) >= 40
    assert not wrong, "\n".join(wrong)


def corpus_expressions() -> list[tuple[str, str, ast.Module, ast.AST]]:
    """(case id, case code, its parsed module, node) for every % / .format expression of the corpus."""
    found = []
    for case in corpus_cases():
        tree = ast.parse(case.code)
        for node in ast.walk(tree):
            is_pct = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and \
                isinstance(node.left, ast.Constant) and isinstance(node.left.value, (str, bytes))
            is_fmt = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            if is_pct or is_fmt:
                found.append((case.id, case.code, tree, node))
    return found


def test_corpus_expressions_match_micropython(target: Target) -> None:
    """Every % / .format expression of the corpus whose operands the evaluator handles, on real MicroPython."""
    profile = target.profile
    exprs, expected = [], []
    for _case_id, code, tree, node in corpus_expressions():
        mini = Mini(code, profile)
        assigns = [s for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                   and isinstance(s.targets[0], ast.Name)]
        for s in assigns:
            try:
                mini.env[s.targets[0].id] = mini.ev(s.value)  # type: ignore[attr-defined]
            except (Unsupported, MpError):
                pass
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(mini.env)
        try:
            line = model_line(lambda n=node, m=mini: m.ev(n), profile)  # type: ignore[misc]
        except Unsupported:
            continue
        segment = ast.get_source_segment(code, node) or ""
        binds = "".join(f"{n}={src(bits_value(mini.env[n], profile))}," for n in sorted(names))
        exprs.append(f"(lambda {binds.rstrip(',')}: {segment})()" if names else segment)
        expected.append(line)
    assert len(exprs) >= 60
    run_batch(target, exprs, expected)


def bits_value(v: Any, profile: Profile) -> Any:
    """Floats of the model environment as Fl bit patterns, so MicroPython gets exactly the same value."""
    if isinstance(v, float):
        return Fl(bits_of(v, profile))
    if isinstance(v, (tuple, list)):
        return type(v)(bits_value(x, profile) for x in v)
    return v
