"""The closed vocabulary of capabilities that cases may `require`.

Each capability has a one-line meaning and a probe: a snippet that runs on the
implementation under test and sets ``ok = True`` when the capability is there.
All probes are joined into one program (``probe_program()``) that every runner
executes once, so CPython, the WASM port, the unix port and a board are all
detected by the same code rather than by per-runner tables that go stale.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from conformance.errors import ProbeError


@dataclass(frozen=True)
class Capability:
    """One entry of the vocabulary: a name, what it means, how to detect it."""

    name: str
    meaning: str
    probe: str


def _cap(name: str, meaning: str, probe: str) -> Capability:
    return Capability(name, meaning, probe)


_DETAILED_INT_MSG = "invalid syntax for integer with base 10: 'xyz'"
_NORMAL_INT_MSG = "invalid syntax for integer with base 10"
_TERSE_INT_MSG = "invalid syntax for integer"
# Word size from sys.maxsize, or from struct's pointer size where sys has no
# maxsize (MicroPython 1.9 on the micro:bit).
_WORD_BYTES = (
    "import sys\n"
    "try:\n    w = 8 if sys.maxsize > 2147483647 else 4\n"
    "except AttributeError:\n    import struct\n    w = struct.calcsize('P')\n"
)

CAPABILITIES: tuple[Capability, ...] = (
    # Each probe is compiled on its own (see probe_program), so syntax a build
    # lacks (float literals, f-strings, slices) only fails that probe.
    _cap("float", "float type and literals", "ok = type(1.5) is float"),
    _cap("float-double", "floats are IEEE double precision", "ok = 1.0 + 2.0 ** -40 != 1.0"),
    _cap(
        "float-single",
        "floats are IEEE single precision",
        "ok = 1.0 + 2.0 ** -40 == 1.0 and 1.0 + 2.0 ** -20 != 1.0",
    ),
    _cap("complex", "complex numbers", "ok = (1j * 1j).real == -1"),
    _cap("bigint", "arbitrary-precision int", "ok = (2 ** 200) // (2 ** 199) == 2"),
    _cap("fstrings", "f-string literals", "ok = f'{1+1}' == '2'"),
    _cap("unicode", "str holds Unicode code points", "ok = len('\\u20ac') == 1"),
    _cap("slicing", "slice syntax on sequences", "ok = [1, 2, 3][1:] == [2, 3]"),
    _cap("str-percent", "printf-style str % formatting", "ok = '%d' % 5 == '5'"),
    _cap("str-count", "str.count", "ok = 'aXa'.count('a') == 2"),
    _cap("set", "set and set literals", "ok = len({1, 2} | {3}) == 3"),
    _cap("frozenset", "frozenset type", "ok = len(frozenset([1, 1])) == 1"),
    _cap("bytearray", "bytearray type", "ok = bytearray(b'ab')[1] == 98"),
    _cap("memoryview", "memoryview type", "ok = memoryview(b'ab')[0] == 97"),
    _cap("slice-attrs", "slice objects expose start/stop/step", "ok = slice(1, 2, 3).step == 3"),
    _cap("range-attrs", "range objects expose start/stop/step", "ok = range(1, 5, 2).step == 2"),
    _cap("round-int", "round() of an int with negative ndigits", "ok = round(1234, -2) == 1200"),
    _cap("bytes-hex", "bytes.hex() and bytes.fromhex()",
         "ok = b'\\x01'.hex() == '01' and bytes.fromhex('01') == b'\\x01'"),
    _cap("pow3", "three-argument pow()", "ok = pow(3, 4, 5) == 1"),
    _cap("property", "property builtin", "ok = callable(property)"),
    _cap(
        "descriptors",
        "user-defined __get__/__set__ descriptors",
        "class D:\n    def __get__(s, o, t):\n        return 5\n"
        "class C:\n    d = D()\n"
        "ok = C().d == 5",
    ),
    _cap("async", "async def / await syntax", "exec('async def f():\\n    await g()\\n')\nok = True"),
    _cap(
        "str-center",
        "str.center",
        "ok = 'a'.center(3) == ' a '",
    ),
    _cap("str-partition", "str.partition / rpartition", "ok = 'a=b'.partition('=')[2] == 'b'"),
    _cap("str-splitlines", "str.splitlines", "ok = 'a\\nb'.splitlines() == ['a', 'b']"),
    _cap("int-from-bytes", "int.from_bytes / int.to_bytes", "ok = int.from_bytes(b'\\x01\\x00', 'little') == 1"),
    _cap("micropython-module", "the micropython module (const, opt_level, ...)", "import micropython\nok = True"),
    _cap("gc-mem", "gc.mem_alloc / gc.mem_free", "import gc\nok = gc.mem_alloc() > 0"),
    _cap("module-struct", "struct module", "import struct\nok = struct.pack('<H', 1) == b'\\x01\\x00'"),
    _cap("module-json", "json module", "import json\nok = json.loads('[1]') == [1]"),
    _cap("module-re", "re module", "import re\nok = re.match('a+', 'aa') is not None"),
    _cap("module-collections", "collections module (namedtuple, OrderedDict, deque)",
         "from collections import namedtuple, OrderedDict, deque\nok = True"),
    _cap("module-io", "io.StringIO and io.BytesIO", "import io\nok = io.StringIO('x').read() == 'x'"),
    _cap("module-math", "math module", "import math\nok = math.sqrt(4) == 2"),
    _cap("module-array", "array module", "import array\nok = array.array('b', [1])[0] == 1"),
    _cap("module-binascii", "binascii module", "import binascii\nok = binascii.hexlify(b'\\x01') == b'01'"),
    _cap("module-heapq", "heapq module", "import heapq\nok = True"),
    _cap("module-sys", "sys module with implementation and maxsize", "import sys\nok = sys.maxsize > 0"),
    _cap(
        "error-detailed",
        "exception messages at MicroPython's DETAILED level (values named)",
        f"try:\n    int('xyz')\nexcept ValueError as e:\n    ok = str(e) == {_DETAILED_INT_MSG!r}",
    ),
    _cap(
        "error-normal",
        "exception messages at MicroPython's NORMAL level (no values)",
        f"try:\n    int('xyz')\nexcept ValueError as e:\n    ok = str(e) == {_NORMAL_INT_MSG!r}",
    ),
    _cap(
        "error-terse",
        "exception messages at MicroPython's TERSE level (short generic texts)",
        f"try:\n    int('xyz')\nexcept ValueError as e:\n    ok = str(e) == {_TERSE_INT_MSG!r}",
    ),
    _cap("wordsize-32", "32-bit machine word (pointer size 4)", _WORD_BYTES + "ok = w == 4"),
    _cap("wordsize-64", "64-bit machine word (pointer size 8)", _WORD_BYTES + "ok = w == 8"),
)

CAPABILITY_NAMES: frozenset[str] = frozenset(c.name for c in CAPABILITIES)

PROBE_MARKER = "@@mpconform-capabilities@@"


def probe_program(capabilities: Sequence[Capability] = CAPABILITIES) -> str:
    """One program that prints the marker and a repr'd list of present capabilities.

    Each probe is compiled and run separately through exec(), so a syntax the
    build lacks (set literals, f-strings, floats) or a missing module only
    costs that capability. Written in the Python subset that MicroPython 1.9
    and minimal builds understand.
    """
    probes = ", ".join(f"({cap.name!r}, {cap.probe!r})" for cap in capabilities)
    return (
        "_found = []\n"
        f"for _name, _code in [{probes}]:\n"
        "    _ns = {'ok': False}\n"
        "    try:\n"
        "        exec(_code, _ns)\n"
        "    except MemoryError:\n"
        "        _found.append('!' + _name)\n"
        "    except Exception:\n"
        "        pass\n"
        "    if _ns['ok'] is True:\n"
        "        _found.append(_name)\n"
        f"print({PROBE_MARKER!r} + repr(_found))\n"
    )


OUT_OF_MEMORY = "!"


def by_name(names: frozenset[str]) -> list[Capability]:
    """The capabilities with these names, in vocabulary order."""
    return [cap for cap in CAPABILITIES if cap.name in names]


def parse_probe_output(stdout: str, runner: str) -> frozenset[str]:
    """Read the capability list that ``probe_program()`` printed.

    Names prefixed with OUT_OF_MEMORY are probes that ran out of heap: neither
    present nor absent; the runner probes them again on their own.
    """
    index = stdout.rfind(PROBE_MARKER)
    if index < 0:
        raise ProbeError(runner, "the capability probe printed no result", stdout[-400:])
    line = stdout[index + len(PROBE_MARKER):].splitlines()[0]
    try:
        found = ast.literal_eval(line)
    except (ValueError, SyntaxError) as exc:
        raise ProbeError(runner, f"unreadable capability list {line!r}", stdout[-400:]) from exc
    return frozenset(name for name in found if name.lstrip(OUT_OF_MEMORY) in CAPABILITY_NAMES)
