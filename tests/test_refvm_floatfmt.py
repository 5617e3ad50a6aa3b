"""reference_vm.floatfmt: MicroPython's float repr, float formatting and float parsing.

Unit tests pin the values the reference-VM notes (§4.3) and the case corpus
verified. Differential tests generate floats and strings with hypothesis, run
each batch as one program on real MicroPython builds and compare line by line:

* unix64: the x86-64 unix port (MICROPY_MICROPYTHON; skipped when unset);
* unix32: the -m32 unix build when present (double, x87 long double);
* wasm: the suite's WASM runner (32-bit, double, IEEE quad long double);
* single: a float32 unix build found under /tmp/ca (skipped when there is none).

The Target helper here is shared with tests/test_refvm_strformat.py.
"""

from __future__ import annotations

import dataclasses
import glob
import math
import os
import random
import struct
import subprocess
from collections.abc import Iterator

import pytest
from conftest import NO_BINARY_REASON, micropython_binary
from factories import make_case
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import runners
from reference_vm.floatemu import to_single
from reference_vm.floatfmt import MpError, float_repr, format_float, parse_float
from reference_vm.profile import PICO32, UNIX32, UNIX64, WASM32, Profile
from runners.base import RunnerOptions

M32_BINARY = "/opt/mpbuild/src/ports/unix/build-standard-m32/micropython"
SINGLE_GLOB = "/tmp/ca/**/micropython"

# --- targets ---------------------------------------------------------------------------------------


def find_build(single: bool, level: str | None = None) -> str | None:
    """A unix micropython under /tmp/ca whose float precision (and error level) is as asked."""
    for path in sorted(glob.glob(SINGLE_GLOB, recursive=True)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        probe = "print(1.0 + 2**-40 == 1.0)\ntry:\n int('z')\nexcept ValueError as e:\n print(len(str(e)))"
        try:
            out = subprocess.run([path, "-c", probe], capture_output=True, text=True, timeout=10).stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            continue
        found_level = {"26": "terse", "39": "normal"}.get(out[1] if len(out) > 1 else "", "detailed")
        if out[:1] == [str(single)] and (level is None or level == found_level):
            return path
    return None


@dataclasses.dataclass(frozen=True)
class Minimal(Profile):
    """A profile for the unix minimal variant: no MICROPY_FULL_CHECKS."""

    full_checks: bool = False


class Target:
    """One MicroPython build run through the suite's runner, with the profile that describes it."""

    PRESETS = {"unix64": UNIX64, "unix32": UNIX32, "wasm": WASM32}

    def __init__(self, name: str, binary: str | None) -> None:
        self.name = name
        options = RunnerOptions(micropython=binary, heapsize="16M")
        self.runner = runners.create_runner("wasm" if name == "wasm" else "unix", options)
        probe = self.runner.probe()
        if not probe.available:
            pytest.skip(f"{name}: {probe.reason}")
        caps = probe.capabilities
        word = probe.identity.word_bits
        level = next((lv for lv in ("terse", "normal") if f"error-{lv}" in caps), "detailed")
        precision = "single" if "float-single" in caps else "double"
        self.profile = self.PRESETS.get(name) or Profile(name, word, word - 1, precision, 2, level, 4 * word // 8)
        if name == "minimal":  # MICROPY_FULL_CHECKS is off below the core feature level
            self.profile = Minimal(**{f.name: getattr(self.profile, f.name) for f in dataclasses.fields(Profile)})
        assert (self.profile.word_bits, self.profile.error_level) == (word, level), name
        self.has_float = "float" in caps
        self.unicode = "unicode" in caps
        # reference_vm follows the 1.29 sources; the wasm package is an older build (see the strformat tests)
        self.version = tuple(int(p) for p in probe.identity.version.split(".")[:2] if p.isdigit())

    def lines(self, source: str) -> list[str]:
        outcome = self.runner.run(make_case(code=source, expect={"stdout": ""}, timeout=120))
        assert outcome.exc_type is None, f"{self.name}: {outcome.exc_type}: {outcome.exc_message}"
        return outcome.stdout.splitlines()


def target_binary(name: str) -> str | None:
    """The binary behind a target name, or pytest.skip with the reason it is missing."""
    if name == "wasm":
        return None
    if name == "unix64":
        binary = micropython_binary()
        if binary is None:
            pytest.skip(NO_BINARY_REASON)
        return binary
    if name == "unix32":
        if not os.access(M32_BINARY, os.X_OK):
            pytest.skip(f"no 32-bit unix build at {M32_BINARY}")
        return M32_BINARY
    if name == "minimal":
        path = os.path.join(os.path.dirname(M32_BINARY), "..", "build-minimal", "micropython")
        if not os.access(path, os.X_OK):
            pytest.skip("no minimal (terse errors) unix build")
        return path
    found = find_build(single=name == "single", level=None if name == "single" else "normal")
    if found is None:
        pytest.skip(f"no {name} unix build under {SINGLE_GLOB}")
    return found


def open_target(name: str) -> Iterator[Target]:
    made = Target(name, target_binary(name))
    try:
        yield made
    finally:
        made.runner.close()


@pytest.fixture(scope="module", params=["unix64", "unix32", "wasm"])
def double_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    yield from open_target(request.param)


@pytest.fixture(scope="module")
def single_target() -> Iterator[Target]:
    yield from open_target("single")


@pytest.fixture(scope="module", params=["unix64", "unix32", "wasm", "single"])
def any_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    yield from open_target(request.param)


# No shrinking: a failing batch already names its differing lines, and each shrink step reruns a program.
DIFF = settings(max_examples=12, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


def prelude(profile: Profile, has_float: bool = True) -> str:
    """Program header: F(bits) rebuilds a float from its bit pattern, so no literal parsing is involved."""
    if not has_float:
        return ""
    f, i = ("<f", "<I") if profile.float_precision == "single" else ("<d", "<Q")
    return f"import struct\ndef F(b):\n return struct.unpack('{f}', struct.pack('{i}', b))[0]\n"


def from_bits(bits: int, profile: Profile) -> float:
    if profile.float_precision == "single":
        return float(struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0])
    return float(struct.unpack("<d", struct.pack("<Q", bits))[0])


def bits_of(x: float, profile: Profile) -> int:
    if profile.float_precision == "single":
        return int(struct.unpack("<I", struct.pack("<f", to_single(x)))[0])
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


# --- value strategies ----------------------------------------------------------------------------

EDGE_DOUBLES = [0.0, -0.0, 5e-324, 1e-323, 2.225073858507201e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
                math.inf, -math.inf, math.nan, 1.0, 0.5, 0.1, 9.8, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5,
                0.00015, 1e22, 1e23, 2.0**53 + 2, 123456789012345678.0, 1e-320, 4.9e-324, 2.5, 0.125]
EDGE_SINGLES = [0.0, -0.0, 1.401298464324817e-45, 1.1754942106924411e-38, 1.1754943508222875e-38,
                3.4028234663852886e38, math.inf, -math.inf, math.nan, 0.1, 1 / 3, 123456789.0, 1e16, 16777217.0,
                2.0**-149 * 3, 1e-4, 1e-5, 0.00015, 9.8, 3.3000001907348633]


def float_bits(profile_single: bool) -> st.SearchStrategy[int]:
    """Bit patterns: uniformly random, from short decimals, small dyadic ties, and edge values."""
    width = 32 if profile_single else 64
    fmt = "<I" if profile_single else "<Q"
    pack = "<f" if profile_single else "<d"

    def of(x: float) -> int:
        return int(struct.unpack(fmt, struct.pack(pack, to_single(x) if profile_single else x))[0])

    decimal = st.builds(lambda d, p, s: of(float(f"{'-' if s else ''}{d}e{p}")),
                        st.integers(1, 10**17 - 1), st.integers(-340 if not profile_single else -50,
                                                                  300 if not profile_single else 30),
                        st.booleans())
    dyadic = st.builds(lambda n, k: of(n / 2**k), st.integers(-(10**6), 10**6), st.integers(0, 12))
    edge = st.sampled_from([of(x) for x in (EDGE_SINGLES if profile_single else EDGE_DOUBLES)])
    subnormal = st.integers(1, (1 << (23 if profile_single else 52)) - 1)
    return st.one_of(st.integers(0, (1 << width) - 1), decimal, dyadic, edge, subnormal)


# --- unit tests: verified values -------------------------------------------------------------------

def test_to_single_rounds_like_a_c_cast() -> None:
    assert to_single(0.1) == 0.10000000149011612
    assert to_single(16777217.0) == 16777216.0  # tie to even
    midpoint = 3.4028235677973366e38  # FLT_MAX + half an ulp: ties to even, which is infinity
    assert to_single(math.nextafter(midpoint, 0.0)) == 3.4028234663852886e38
    assert to_single(midpoint) == math.inf and to_single(-1e39) == -math.inf
    assert to_single(1e-46) == 0.0 and math.copysign(1.0, to_single(-1e-46)) == -1.0
    assert math.isnan(to_single(math.nan))


@pytest.mark.parametrize(("x", "text"), [
    (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (-2.5, "-2.5"), (0.1, "0.1"), (9.8, "9.800000000000001"),
    (0.1 + 0.2, "0.30000000000000004"), (1 / 3, "0.3333333333333333"), (1e16, "1e+16"),
    (1e15, "1000000000000000.0"), (1e-4, "0.0001"), (1e-5, "1e-05"), (5e-324, "4.940656458412465e-324"),
    (1e-323, "0.988131291682493e-323"), (1e-320, "0.999988867182683e-320"), (2.0**70, "1.1805916207174113e+21"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (math.inf, "inf"), (-math.inf, "-inf"),
    (math.nan, "nan"), (-math.nan, "nan"), (123456789012345678.0, "1.2345678901234568e+17")])
def test_double_repr_known(x: float, text: str) -> None:
    assert float_repr(x, UNIX64) == text


SINGLE_NOTES = {"0.1": "0.1", "0.2": "0.2", "0.3": "0.3", "3.14159": "3.14159", "2.5": "2.5", "1e-05": "1e-05",
                "123.456": "123.456", "0.001": "0.001", "10000000000.0": "10000000000.0", "1e+16": "1e+16",
                "1.1": "1.1", "9.8": "9.8", "25.4": "25.4", "0.05": "0.05", "123456789.0": "123456790.0",
                "1234567890123456789.0": "1.234568e+18", "1e100": "inf"}


@pytest.mark.parametrize(("source", "text"), sorted(SINGLE_NOTES.items()))
def test_single_repr_of_literals(source: str, text: str) -> None:
    assert float_repr(parse_float(source, PICO32), PICO32) == text


def test_single_repr_of_arithmetic() -> None:
    one, three, eleven = (parse_float(s, PICO32) for s in ("1.0", "3.0", "1.1"))
    assert float_repr(to_single(three * eleven), PICO32) == "3.3000002"
    assert float_repr(to_single(one / three), PICO32) == "0.33333334"
    assert float_repr(to_single(2 / three), PICO32) == "0.6666667"
    assert float_repr(to_single(math.sqrt(2.0)), PICO32) == "1.4142135"
    p1, p2, p3 = (parse_float(s, PICO32) for s in ("0.1", "0.2", "0.3"))
    assert to_single(p1 + p2) == p3
    assert float_repr(2.0**52, PICO32) == "4503599600000000.0"


@pytest.mark.parametrize(("text", "value"), [
    (".", 0.0), ("e5", 0.0), ("_", 0.0), ("+.e1", 0.0), ("1_0.5_", 10.5), (" 1.5 ", 1.5), ("\t2\n", 2.0),
    ("-INFINITY", -math.inf), ("inf", math.inf), ("1e400", math.inf), ("1e-400", 0.0), (".5", 0.5), ("5.", 5.0)])
def test_parse_quirks(text: str, value: float) -> None:
    assert parse_float(text, UNIX64) == value
    assert parse_float(text.encode(), PICO32) == value


@pytest.mark.parametrize("text", ["", " ", "e", "1e", "1e+", "-", "--1", "in", "infx", "1j", "0x10", "nanx", "1 2"])
def test_parse_errors(text: str) -> None:
    with pytest.raises(MpError) as info:
        parse_float(text, UNIX64)
    assert (info.value.exc_type, info.value.message) == ("ValueError", "invalid syntax for number")


@pytest.mark.parametrize(("x", "fmt", "prec", "text"), [
    (12345.678, "f", -1, "12345.678000"), (12345.678, "e", 3, "1.235e+04"), (12345.678, "G", -1, "12345.7"),
    (0.5, "f", 0, "1"), (2.5, "f", 0, "3"), (0.25, "f", 1, "0.3"), (1.125, "f", 2, "1.13"), (25.0, "e", 0, "3e+01"),
    (0.1, "g", 17, "0.1"), (0.1, "f", 20, "0.10000000000000000000"), (1 / 3, "f", 25, "0.3333333333333333000000000"),
    (1e-10, "G", -1, "1E-10"), (math.inf, "F", -1, "INF"), (math.nan, "E", 2, "NAN"), (-0.0, "f", 2, "-0.00")])
def test_format_float_known(x: float, fmt: str, prec: int, text: str) -> None:
    assert format_float(x, fmt, prec, UNIX64) == text


def test_very_high_precision_is_cut_to_the_buffer() -> None:
    assert len(format_float(1.0, "f", 50, UNIX64)) == 31
    assert len(format_float(0.5, "f", 60, UNIX64)) == 31
    assert format_float(1.5, "f", 2, UNIX64, "+") == "+1.50"


def test_single_ties_are_inconsistent_as_in_the_corpus() -> None:
    got = [format_float(parse_float(s, PICO32), "f", p, PICO32) for s, p in (("0.5", 0), ("2.5", 0), ("0.25", 1))]
    assert got == ["0", "3", "0.2"]


# --- differential ----------------------------------------------------------------------------------

def compare(target: Target, source: str, expected: list[str], what: list[str]) -> int:
    """Run source, compare with expected line by line; returns the number of mismatches (asserted by callers)."""
    got = target.lines(source)
    assert len(got) == len(expected), f"{target.name}: {len(got)} lines for {len(expected)} values"
    bad = [f"{w}: micropython {g!r} model {e!r}" for w, g, e in zip(what, got, expected, strict=True) if g != e]
    return len(bad) if not bad else pytest.fail(f"{target.name}: {len(bad)}/{len(expected)} differ:\n"
                                                + "\n".join(bad[:20]))


@DIFF
@given(data=st.data())
def test_repr_matches_micropython(any_target: Target, data: st.DataObject) -> None:
    profile = any_target.profile
    single = profile.float_precision == "single"
    batch = data.draw(st.lists(float_bits(single), min_size=50, max_size=400))
    source = prelude(profile) + f"for b in {batch!r}:\n print(repr(F(b)))\n"
    expected = [float_repr(from_bits(b, profile), profile) for b in batch]
    compare(any_target, source, expected, [hex(b) for b in batch])


def test_single_repr_rate_on_random_patterns(single_target: Target) -> None:
    """A fixed sample of 4000 random float32 patterns: reports the match rate (the port reaches 100%)."""
    rng = random.Random(20260828)
    batch = [rng.getrandbits(32) for _ in range(4000)]
    profile = single_target.profile
    got = single_target.lines(prelude(profile) + f"for b in {batch!r}:\n print(repr(F(b)))\n")
    expected = [float_repr(from_bits(b, profile), profile) for b in batch]
    same = sum(g == e for g, e in zip(got, expected, strict=True))
    print(f"float32 repr: {same}/{len(batch)} identical to MicroPython")
    assert same == len(batch)


FORMAT_CHARS = st.sampled_from("eEfFgG")
PRECISIONS = st.one_of(st.integers(-1, 20), st.sampled_from([25, 30, 31, 32, 40, 50, 99]))


@DIFF
@given(data=st.data())
def test_format_float_matches_micropython(any_target: Target, data: st.DataObject) -> None:
    profile = any_target.profile
    single = profile.float_precision == "single"
    items = data.draw(st.lists(st.tuples(float_bits(single), FORMAT_CHARS, PRECISIONS, st.sampled_from(["", "+", " "])),
                               min_size=50, max_size=300))
    fmts = ["%" + sign + ("" if prec < 0 else f".{prec}") + ch for _, ch, prec, sign in items]
    source = prelude(profile) + f"for b, f in {[(b, f) for (b, *_), f in zip(items, fmts, strict=True)]!r}:\n" \
                                " print(f % F(b))\n"
    expected = [format_float(from_bits(b, profile), ch, prec, profile, sign) for b, ch, prec, sign in items]
    compare(any_target, source, expected, [f"{f} % {hex(b)}" for (b, *_), f in zip(items, fmts, strict=True)])


EXPONENT = st.one_of(st.just(""), st.builds(lambda s, n: "e" + s + str(n), st.sampled_from(["", "+", "-"]),
                                            st.integers(0, 400)))
NUMBER_TEXT = st.builds(
    lambda sign, ws, mant, point, exp, under: ws + sign + (mant[:point] + "." + mant[point:] if point >= 0 else mant)
    .replace("5", "5_" if under else "5") + exp + ws,
    st.sampled_from(["", "+", "-"]), st.sampled_from(["", " ", "\t"]), st.text("0123456789", min_size=0, max_size=28),
    st.integers(-1, 28), EXPONENT, st.booleans())
SPECIAL_TEXT = st.sampled_from(["inf", "-Inf", "INFINITY", "nan", "-nan", "NaN", "e", "1e", ".", "e5", "_", "in",
                                "1j", "infinit", "1e99999999999", "0.000000000000000000000000000001e30"])


def parse_line(text: str, profile: Profile) -> str:
    try:
        x = parse_float(text, profile)
    except MpError as e:
        return f"VE {e.message}"
    return struct.pack("<f" if profile.float_precision == "single" else "<d", x).hex()


@DIFF
@given(texts=st.lists(st.one_of(NUMBER_TEXT, NUMBER_TEXT.map(lambda s: s.strip()), SPECIAL_TEXT),
                      min_size=50, max_size=300))
def test_parse_float_matches_micropython(any_target: Target, texts: list[str]) -> None:
    profile = any_target.profile
    pack = "<f" if profile.float_precision == "single" else "<d"
    source = (f"import struct\nfor s in {texts!r}:\n try:\n  x = float(s)\n except ValueError as e:\n"
              f"  print('VE', e)\n else:\n  print(struct.pack('{pack}', x).hex())\n")
    compare(any_target, source, [parse_line(t, profile) for t in texts], [repr(t) for t in texts])
