"""MicroPython bytecode opcodes (mpy v6.3) and the decoder for one instruction.

Decoding is kept apart from execution (byterun's shape): this module knows how
many bytes each instruction takes and what its operand means, and nothing about
running it. Names and numbers are those of MicroPython's ``py/bc0.h`` (without
the ``MP_BC_`` prefix) and ``Op`` lists them in bc0.h order, so a reader can put
this file next to bc0.h and vm.c. Operand encodings (reference-vm-notes §1.2, §2):

* vuint: 7 bits per byte, most significant group first, bit 7 = "more follows";
* signed vuint (LOAD_CONST_SMALL_INT only): as vuint, but the accumulator starts
  at -1 when bit 6 of the first byte is set;
* jump label: one byte ``b0`` (bit 7 clear) or two bytes ``b0 b1`` giving
  ``(b0 & 0x7f) | b1 << 7``; a signed label (bc.h's SLABEL) subtracts 0x40 from
  the one-byte form and 0x4000 from the two-byte form, an unsigned one (ULABEL)
  does not. The target is the address just after the label bytes plus the value;
* extra byte: MAKE_CLOSURE, MAKE_CLOSURE_DEFARGS and UNWIND_JUMP carry one raw
  byte after their operand (the opcodes with ``op & 0x9e == 0``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, IntEnum

from reference_vm.errors import MpyFormatError


class Operand(Enum):
    """What follows an opcode byte, and what the decoded ``Instruction.arg`` holds."""

    NONE = "none"                # no operand; arg is None
    QSTR = "qstr"                # vuint index into the file's qstr table
    UINT = "uint"                # vuint (local slot, item count, packed call counts, ...)
    SMALL_INT = "small int"      # signed vuint: the integer value itself
    OBJ = "object"               # vuint index into the file's object table
    CHILD = "child"              # vuint index into the current raw code's children
    SLABEL = "signed jump"       # arg is the absolute jump target
    ULABEL = "unsigned jump"     # arg is the absolute jump target (always forward)
    EMBEDDED = "in opcode"       # multi-opcode range: arg = opcode - base + bias


class Op(IntEnum):
    """Every opcode mpy-cross emits, by py/bc0.h name and number, in bc0.h order.

    Each member also carries ``operand`` (an ``Operand``), ``extra_byte`` and, for
    the multi-opcode ranges, ``count`` (opcodes in the range) and ``bias`` (added
    to ``opcode - base`` to give the embedded value).
    """

    operand: Operand
    extra_byte: bool
    count: int
    bias: int

    def __new__(cls, number: int, operand: Operand, extra_byte: bool = False,
                count: int = 1, bias: int = 0) -> Op:
        member = int.__new__(cls, number)
        member._value_ = number
        member.operand = operand
        member.extra_byte = extra_byte
        member.count = count
        member.bias = bias
        return member

    # --- multi-opcode ranges: the operand is folded into the opcode byte -----------
    LOAD_CONST_SMALL_INT_MULTI = 0x70, Operand.EMBEDDED, False, 64, -16   # push -16..47
    LOAD_FAST_MULTI = 0xb0, Operand.EMBEDDED, False, 16                   # push local 0..15
    STORE_FAST_MULTI = 0xc0, Operand.EMBEDDED, False, 16                  # local 0..15 = pop
    UNARY_OP_MULTI = 0xd0, Operand.EMBEDDED, False, 4                     # UnaryOp 0..3
    BINARY_OP_MULTI = 0xd7, Operand.EMBEDDED, False, 35                   # BinaryOp 0..34

    # --- load constants --------------------------------------------------------------
    LOAD_CONST_FALSE = 0x50, Operand.NONE
    LOAD_CONST_NONE = 0x51, Operand.NONE
    LOAD_CONST_TRUE = 0x52, Operand.NONE
    LOAD_CONST_SMALL_INT = 0x22, Operand.SMALL_INT
    LOAD_CONST_STRING = 0x10, Operand.QSTR
    LOAD_CONST_OBJ = 0x23, Operand.OBJ
    LOAD_NULL = 0x53, Operand.NONE

    # --- load ------------------------------------------------------------------------
    LOAD_FAST_N = 0x24, Operand.UINT
    LOAD_DEREF = 0x25, Operand.UINT
    LOAD_NAME = 0x11, Operand.QSTR
    LOAD_GLOBAL = 0x12, Operand.QSTR
    LOAD_ATTR = 0x13, Operand.QSTR
    LOAD_METHOD = 0x14, Operand.QSTR
    LOAD_SUPER_METHOD = 0x15, Operand.QSTR
    LOAD_BUILD_CLASS = 0x54, Operand.NONE
    LOAD_SUBSCR = 0x55, Operand.NONE

    # --- store -----------------------------------------------------------------------
    STORE_FAST_N = 0x26, Operand.UINT
    STORE_DEREF = 0x27, Operand.UINT
    STORE_NAME = 0x16, Operand.QSTR
    STORE_GLOBAL = 0x17, Operand.QSTR
    STORE_ATTR = 0x18, Operand.QSTR
    STORE_SUBSCR = 0x56, Operand.NONE

    # --- delete ----------------------------------------------------------------------
    DELETE_FAST = 0x28, Operand.UINT
    DELETE_DEREF = 0x29, Operand.UINT
    DELETE_NAME = 0x19, Operand.QSTR
    DELETE_GLOBAL = 0x1a, Operand.QSTR

    # --- stack -----------------------------------------------------------------------
    DUP_TOP = 0x57, Operand.NONE
    DUP_TOP_TWO = 0x58, Operand.NONE
    POP_TOP = 0x59, Operand.NONE
    ROT_TWO = 0x5a, Operand.NONE
    ROT_THREE = 0x5b, Operand.NONE

    # --- jumps, exception blocks, iteration ------------------------------------------
    UNWIND_JUMP = 0x40, Operand.SLABEL, True     # extra byte: 0x80 if leaving a for loop | blocks
    JUMP = 0x42, Operand.SLABEL
    POP_JUMP_IF_TRUE = 0x43, Operand.SLABEL
    POP_JUMP_IF_FALSE = 0x44, Operand.SLABEL
    JUMP_IF_TRUE_OR_POP = 0x45, Operand.ULABEL
    JUMP_IF_FALSE_OR_POP = 0x46, Operand.ULABEL
    SETUP_WITH = 0x47, Operand.ULABEL
    SETUP_EXCEPT = 0x48, Operand.ULABEL
    SETUP_FINALLY = 0x49, Operand.ULABEL
    POP_EXCEPT_JUMP = 0x4a, Operand.ULABEL
    FOR_ITER = 0x4b, Operand.ULABEL
    WITH_CLEANUP = 0x5c, Operand.NONE
    END_FINALLY = 0x5d, Operand.NONE
    GET_ITER = 0x5e, Operand.NONE
    GET_ITER_STACK = 0x5f, Operand.NONE

    # --- build and unpack ------------------------------------------------------------
    BUILD_TUPLE = 0x2a, Operand.UINT
    BUILD_LIST = 0x2b, Operand.UINT
    BUILD_MAP = 0x2c, Operand.UINT
    STORE_MAP = 0x62, Operand.NONE
    BUILD_SET = 0x2d, Operand.UINT
    BUILD_SLICE = 0x2e, Operand.UINT
    STORE_COMP = 0x2f, Operand.UINT             # depth << 2 | kind (0 list, 1 dict, 2 set)
    UNPACK_SEQUENCE = 0x30, Operand.UINT
    UNPACK_EX = 0x31, Operand.UINT              # n_left | n_right << 8

    # --- return, raise, yield --------------------------------------------------------
    RETURN_VALUE = 0x63, Operand.NONE
    RAISE_LAST = 0x64, Operand.NONE
    RAISE_OBJ = 0x65, Operand.NONE
    RAISE_FROM = 0x66, Operand.NONE
    YIELD_VALUE = 0x67, Operand.NONE
    YIELD_FROM = 0x68, Operand.NONE

    # --- make functions, call --------------------------------------------------------
    MAKE_FUNCTION = 0x32, Operand.CHILD
    MAKE_FUNCTION_DEFARGS = 0x33, Operand.CHILD
    MAKE_CLOSURE = 0x20, Operand.CHILD, True            # extra byte: number of cells
    MAKE_CLOSURE_DEFARGS = 0x21, Operand.CHILD, True    # extra byte: number of cells
    CALL_FUNCTION = 0x34, Operand.UINT          # n_pos | n_kw << 8
    CALL_FUNCTION_VAR_KW = 0x35, Operand.UINT
    CALL_METHOD = 0x36, Operand.UINT
    CALL_METHOD_VAR_KW = 0x37, Operand.UINT

    # --- import ----------------------------------------------------------------------
    IMPORT_NAME = 0x1b, Operand.QSTR
    IMPORT_FROM = 0x1c, Operand.QSTR
    IMPORT_STAR = 0x69, Operand.NONE


class UnaryOp(IntEnum):
    """UNARY_OP_MULTI operators, in MicroPython's ``mp_unary_op_t`` order (bytecode part)."""

    POSITIVE = 0
    NEGATIVE = 1
    INVERT = 2
    NOT = 3


#: BINARY_OP_MULTI operators, in MicroPython's ``mp_binary_op_t`` order (bytecode part): 9 comparisons,
#: 13 in-place and 13 plain arithmetic operators. IN has stack [item, container], EXCEPTION_MATCH
#: [exc, class-or-tuple]; ``not in`` and ``is not`` are emitted as IN / IS followed by UNARY_OP NOT.
BinaryOp = IntEnum("BinaryOp", [
    "LESS", "MORE", "EQUAL", "LESS_EQUAL", "MORE_EQUAL", "NOT_EQUAL", "IN", "IS", "EXCEPTION_MATCH",
    "INPLACE_OR", "INPLACE_XOR", "INPLACE_AND", "INPLACE_LSHIFT", "INPLACE_RSHIFT", "INPLACE_ADD",
    "INPLACE_SUBTRACT", "INPLACE_MULTIPLY", "INPLACE_MAT_MULTIPLY", "INPLACE_FLOOR_DIVIDE",
    "INPLACE_TRUE_DIVIDE", "INPLACE_MODULO", "INPLACE_POWER",
    "OR", "XOR", "AND", "LSHIFT", "RSHIFT", "ADD", "SUBTRACT", "MULTIPLY", "MAT_MULTIPLY",
    "FLOOR_DIVIDE", "TRUE_DIVIDE", "MODULO", "POWER",
], start=0)

#: Source spelling of each operator, for listings.
UNARY_OP_SYMBOLS: tuple[str, ...] = ("+", "-", "~", "not")
BINARY_OP_SYMBOLS: tuple[str, ...] = (
    "<", ">", "==", "<=", ">=", "!=", "in", "is", "exception match",
    "|=", "^=", "&=", "<<=", ">>=", "+=", "-=", "*=", "@=", "//=", "/=", "%=", "**=",
    "|", "^", "&", "<<", ">>", "+", "-", "*", "@", "//", "/", "%", "**",
)

JUMP_OPERANDS = frozenset({Operand.SLABEL, Operand.ULABEL})


def _build_table() -> tuple[Op | None, ...]:
    table: list[Op | None] = [None] * 256
    for op in Op:
        for number in range(op, op + op.count):
            assert table[number] is None, f"opcode 0x{number:02x} defined twice"
            table[number] = op
    return tuple(table)


#: Opcode byte -> the ``Op`` it belongs to (a multi range's base for its members); None if unused.
OPCODE_TABLE: tuple[Op | None, ...] = _build_table()


@dataclass(frozen=True)
class Instruction:
    """One decoded instruction. Offsets count from the first opcode byte of the function.

    ``arg`` holds the operand as far as decoding can resolve it: the qstr, object
    or child *index*; the uint; the small int's value; the absolute jump target;
    or, for a multi-opcode, the embedded value (int, local slot, operator number).
    ``extra`` is the raw extra byte of MAKE_CLOSURE* and UNWIND_JUMP.
    """

    offset: int
    opcode: int
    op: Op
    arg: int | None
    extra: int | None
    size: int

    @property
    def name(self) -> str:
        """The bc0.h name (multi-opcodes give their range's name, e.g. LOAD_FAST_MULTI)."""
        return self.op.name

    @property
    def end(self) -> int:
        """Offset of the next instruction."""
        return self.offset + self.size

    @property
    def target(self) -> int | None:
        """Absolute jump target for jump opcodes, else None."""
        return self.arg if self.op.operand in JUMP_OPERANDS else None


def read_vuint(data: Sequence[int], pos: int) -> tuple[int, int]:
    """Decode a vuint at ``pos``; return (value, position after it). MpyFormatError if truncated."""
    start, value = pos, 0
    while True:
        if pos >= len(data):
            raise MpyFormatError("<bytes>", start, "truncated variable-length integer")
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7f)
        if not byte & 0x80:
            return value, pos


def read_signed_vuint(data: Sequence[int], pos: int) -> tuple[int, int]:
    """Decode LOAD_CONST_SMALL_INT's signed vuint; return (value, position after it)."""
    if pos >= len(data):
        raise MpyFormatError("<bytes>", pos, "truncated signed variable-length integer")
    value = -1 if data[pos] & 0x40 else 0
    start = pos
    while True:
        if pos >= len(data):
            raise MpyFormatError("<bytes>", start, "truncated signed variable-length integer")
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7f)
        if not byte & 0x80:
            return value, pos


def _read_label(code: bytes, pos: int, signed: bool) -> tuple[int, int]:
    """Decode a jump label; return (relative value, position after the label bytes)."""
    if pos >= len(code) or (code[pos] & 0x80 and pos + 1 >= len(code)):
        raise MpyFormatError("<bytes>", pos, "truncated jump offset")
    if code[pos] & 0x80:
        value = (code[pos] & 0x7f) | (code[pos + 1] << 7)
        return (value - 0x4000 if signed else value), pos + 2
    return (code[pos] - 0x40 if signed else code[pos]), pos + 1


def decode(code: bytes, offset: int) -> Instruction:
    """Decode the instruction at ``offset`` of a function's opcode bytes.

    Raises MpyFormatError (path ``<bytes>``, offset into ``code``) for an unused
    opcode or an operand running past the end; callers that know the file
    re-raise it with the file's name and absolute offset.
    """
    if not 0 <= offset < len(code):
        raise MpyFormatError("<bytes>", offset, f"instruction offset outside the {len(code)} opcode bytes")
    opcode = code[offset]
    op = OPCODE_TABLE[opcode]
    if op is None:
        raise MpyFormatError("<bytes>", offset, f"unused opcode 0x{opcode:02x} (MicroPython would raise "
                             "NotImplementedError('opcode') on reaching it)")
    pos = offset + 1
    arg: int | None = None
    kind = op.operand
    if kind is Operand.EMBEDDED:
        arg = opcode - op + op.bias
    elif kind is Operand.SMALL_INT:
        arg, pos = read_signed_vuint(code, pos)
    elif kind in (Operand.QSTR, Operand.UINT, Operand.OBJ, Operand.CHILD):
        arg, pos = read_vuint(code, pos)
    elif kind in JUMP_OPERANDS:
        relative, pos = _read_label(code, pos, kind is Operand.SLABEL)
        arg = pos + relative
    extra: int | None = None
    if op.extra_byte:
        if pos >= len(code):
            raise MpyFormatError("<bytes>", pos, f"{op.name} is missing its extra byte")
        extra = code[pos]
        pos += 1
    return Instruction(offset, opcode, op, arg, extra, pos - offset)


def decode_all(code: bytes) -> tuple[Instruction, ...]:
    """Decode a function's opcode bytes front to back (mpy-cross emits no data between opcodes)."""
    out: list[Instruction] = []
    offset = 0
    while offset < len(code):
        instr = decode(code, offset)
        out.append(instr)
        offset = instr.end
    return tuple(out)


def call_counts(arg: int) -> tuple[int, int]:
    """Split a CALL_* operand into (positional count, keyword count)."""
    return arg & 0xff, (arg >> 8) & 0xff


def unpack_ex_counts(arg: int) -> tuple[int, int]:
    """Split an UNPACK_EX operand into (items before the star, items after it)."""
    return arg & 0xff, (arg >> 8) & 0xff
