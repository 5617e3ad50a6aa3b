"""Literals and bounded constants: the leaves every grammar draws from.

Bounds keep programs small and fast on every runner (Csmith's discipline):
exponents, shift counts, repeat counts and widths are small literals, never
computed, so nesting cannot blow a value up. Widths are never negative:
``'ab'.center(-1)`` crashes real MicroPython builds (a segfault on unix 1.29,
a trap on WASM 1.27), which would leave nothing to compare. Strings use no
quote characters, so their reprs always use single quotes and they can sit
inside f-strings.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Integers near the boundaries where implementations switch representation.
BOUNDARY_INTS = (2**30 - 1, 2**30, 2**31 - 1, 2**31, 2**32, 2**62, 2**63 - 1, 2**63, 2**64, -(2**63), 10**20)
STR_ALPHABET = "abcXYZ 012-_.,\n\t"
BYTES_ALPHABET = b"abcXYZ 01-\x00\xff"


def _int_text(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


small_ints = st.integers(-20, 20).map(_int_text)
big_ints = st.sampled_from(BOUNDARY_INTS).map(_int_text)
int_literals = st.one_of(small_ints, big_ints)
float_literals = st.sampled_from(["0.0", "0.5", "(-1.5)", "2.25", "3.0", "1e10", "0.001", "0.1", "(-0.0)", "1e300"])
repeat_counts = st.integers(0, 4).map(str)
exponents = st.integers(0, 24).map(str)
float_exponents = st.integers(-3, 4).map(_int_text)
shift_counts = st.integers(0, 70).map(str)
widths = st.integers(0, 12).map(str)
indices = st.integers(-4, 4).map(_int_text)
slice_bounds = st.one_of(st.none(), st.integers(-6, 6)).map(lambda v: "" if v is None else str(v))
slice_steps = st.sampled_from(["", "1", "2", "-1", "-2", "3", "0"])
moduli = st.sampled_from(["7", "1", "2", "(-7)", "(-1)", "0", "1000"])
byte_orders = st.sampled_from(["'big'", "'little'"])
byte_lengths = st.integers(0, 9).map(str)
strip_sets = st.sampled_from(["'a'", "' '", "'ab'", "''", "'\\n'", "'X0'"])
code_points = st.one_of(st.integers(32, 126), st.integers(0, 300), st.sampled_from([0x10FFFF, 0x110000, -1])).map(
    _int_text)
digit_strings = st.sampled_from(["'12'", "' -7 '", "'+3'", "'0'", "''", "'abc'", "'1_000'", "'0x1f'", "'-0'",
                                 "'99999999999999999999'", "'٣'"])
int_bases = st.sampled_from(["10", "2", "16", "36", "0", "1", "8"])
float_strings = st.sampled_from(["'1.5'", "'inf'", "'-inf'", "'nan'", "'1e3'", "' 2 '", "'x'", "'-0.0'", "'.5'"])
hex_strings = st.sampled_from(["'00ff'", "'a'", "''", "'zz'", "'0a 1b'", "'DEAD'"])
byte_value_lists = st.lists(st.sampled_from([0, 1, 65, 97, 127, 128, 255, 256, -1]), max_size=4).map(repr)


@st.composite
def str_literals(draw: st.DrawFn) -> str:
    """A short str literal, ASCII with an occasional non-ASCII letter."""
    text = draw(st.text(st.sampled_from(STR_ALPHABET + "é"), max_size=6))
    return repr(text)


@st.composite
def bytes_literals(draw: st.DrawFn) -> str:
    """A short bytes literal."""
    return repr(bytes(draw(st.lists(st.sampled_from(BYTES_ALPHABET), max_size=5))))


@st.composite
def list_literals(draw: st.DrawFn) -> str:
    """A short list of small ints."""
    return repr(draw(st.lists(st.integers(-5, 9), max_size=5)))


@st.composite
def dict_literals(draw: st.DrawFn) -> str:
    """A short dict from str keys to small ints."""
    return repr(draw(st.dictionaries(st.sampled_from("abcde"), st.integers(-3, 9), max_size=4)))


@st.composite
def set_literals(draw: st.DrawFn) -> str:
    """A short set of small ints (``set()`` when empty)."""
    items = draw(st.lists(st.integers(-3, 9), max_size=4, unique=True))
    return "{" + ", ".join(map(str, items)) + "}" if items else "set()"
