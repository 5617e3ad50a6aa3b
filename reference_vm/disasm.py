"""Readable listings of decoded .mpy files, for failure output and for debugging the VM.

When the reference VM disagrees with a MicroPython port, the first question is
"what bytecode did it run?". ``disassemble`` answers with one block per raw code
(its name and prelude facts) and one line per instruction: offset, source line,
MicroPython's opcode name and the operand resolved to what it means (the qstr's
text, the constant's repr, the local's name, the jump target).
"""

from __future__ import annotations

from reference_vm.mpyfile import ComplexConst, Constant, FloatConst, MpyModule, RawCode
from reference_vm.opcodes import (
    BINARY_OP_SYMBOLS,
    UNARY_OP_SYMBOLS,
    BinaryOp,
    Instruction,
    Op,
    Operand,
    UnaryOp,
    call_counts,
    unpack_ex_counts,
)

#: Longest constant repr shown in a listing before it is cut.
MAX_REPR = 60
_SLOT_OPS = {Op.LOAD_FAST_N, Op.STORE_FAST_N, Op.DELETE_FAST, Op.LOAD_DEREF, Op.STORE_DEREF, Op.DELETE_DEREF,
             Op.LOAD_FAST_MULTI, Op.STORE_FAST_MULTI}
_CALL_OPS = {Op.CALL_FUNCTION, Op.CALL_FUNCTION_VAR_KW, Op.CALL_METHOD, Op.CALL_METHOD_VAR_KW}
_COMP_KINDS = ("list", "dict", "set", "?")


def constant_repr(value: Constant) -> str:
    """Python-like repr of an object-table entry; floats and complexes as mpy-cross wrote them."""
    if isinstance(value, (FloatConst, ComplexConst)):
        return value.text
    if isinstance(value, tuple):
        inner = ", ".join(constant_repr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if value is ...:
        return "Ellipsis"
    return repr(value)


def _short(text: str) -> str:
    return text if len(text) <= MAX_REPR else text[:MAX_REPR - 3] + "..."


def _slot(raw: RawCode, slot: int) -> str:
    return f"{slot} ({raw.arg_names[slot]})" if slot < len(raw.arg_names) else str(slot)


def format_operand(module: MpyModule, raw: RawCode, ins: Instruction) -> str:
    """The operand of ``ins`` as text, resolved through the module's tables where it refers to one."""
    op, arg, kind = ins.op, ins.arg, ins.op.operand
    if kind is Operand.NONE or arg is None:
        return ""
    if kind is Operand.QSTR:
        text = module.qstrs[arg]
        return _short(repr(text)) if op is Op.LOAD_CONST_STRING else text
    if kind is Operand.OBJ:
        return f"{arg} = {_short(constant_repr(module.objects[arg]))}"
    if kind is Operand.CHILD:
        shown = f"{arg} ({raw.children[arg].simple_name})"
        return shown if ins.extra is None else f"{shown} n_closed={ins.extra}"
    if kind in (Operand.SLABEL, Operand.ULABEL):
        if ins.extra is None:
            return f"-> {arg}"
        leaving_for = ", pops for-loop iterator" if ins.extra & 0x80 else ""
        return f"-> {arg} (unwind {ins.extra & 0x7f}{leaving_for})"
    if op in _SLOT_OPS:
        return _slot(raw, arg)
    if op is Op.UNARY_OP_MULTI:
        return f"{arg} {UnaryOp(arg).name} ({UNARY_OP_SYMBOLS[arg]})"
    if op is Op.BINARY_OP_MULTI:
        return f"{arg} {BinaryOp(arg).name} ({BINARY_OP_SYMBOLS[arg]})"
    if op in _CALL_OPS:
        n_pos, n_kw = call_counts(arg)
        return f"{arg} (n_pos={n_pos} n_kw={n_kw})"
    if op is Op.UNPACK_EX:
        before, after = unpack_ex_counts(arg)
        return f"{arg} (before={before} after={after})"
    if op is Op.STORE_COMP:
        return f"{arg} ({_COMP_KINDS[arg & 3]} at depth {arg >> 2})"
    return str(arg)


def format_instruction(module: MpyModule, raw: RawCode, ins: Instruction) -> str:
    """One listing line: ``offset  line  OPCODE_NAME  operand``."""
    operand = format_operand(module, raw, ins)
    return f"{ins.offset:>6}  {raw.line_for(ins.offset):>4}  {ins.name:<26}  {operand}".rstrip()


def describe_raw_code(raw: RawCode) -> list[str]:
    """The prelude facts of one raw code, as listing header lines."""
    flags = "|".join(f.name or "" for f in type(raw.scope_flags) if f in raw.scope_flags) or "-"
    return [
        f"  n_state={raw.n_state} n_exc_stack={raw.n_exc_stack} scope_flags=0x{int(raw.scope_flags):02x} ({flags})",
        f"  n_pos_args={raw.n_pos_args} n_kwonly_args={raw.n_kwonly_args} n_def_pos_args={raw.n_def_pos_args}",
        f"  args: {' '.join(raw.arg_names) or '-'}   cells: {' '.join(map(str, raw.cells)) or '-'}"
        f"   children: {' '.join(c.simple_name for c in raw.children) or '-'}",
    ]


def disassemble_raw_code(module: MpyModule, raw: RawCode, path: str | None = None) -> str:
    """The listing of one raw code (not its children); ``path`` is its dotted name in the module."""
    lines = [f"{path or raw.simple_name}  (bytecode, {len(raw.body)} bytes at file offset {raw.file_offset}, "
             f"{len(raw.code)} bytes of opcodes)"]
    lines += describe_raw_code(raw)
    lines.append(f"  {'offset':>6}  {'line':>4}  {'opcode':<26}  operand")
    lines += ["  " + format_instruction(module, raw, ins) for ins in raw.instructions]
    return "\n".join(lines)


def disassemble(module: MpyModule) -> str:
    """The listing of a whole module: file facts, constants, then every raw code parent-first."""
    h = module.header
    lines = [f"{module.path}: source file {module.source_file!r}, mpy v{h.major}.{h.sub_version} "
             f"arch {h.arch_name}, small-int bits {h.small_int_bits}, {len(module.qstrs)} qstrs, "
             f"{len(module.objects)} objects"]
    lines += [f"  object {i}: {_short(constant_repr(v))}" for i, v in enumerate(module.objects)]
    for path, raw in module.walk():
        lines += ["", disassemble_raw_code(module, raw, path)]
    return "\n".join(lines) + "\n"
