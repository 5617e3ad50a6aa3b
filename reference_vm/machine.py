"""Frames, the dispatch loop, exception unwinding, generators and argument binding.

Shaped like byterun: ``Machine.execute`` runs one frame until it returns or
yields, with one handler per opcode from a table built once (``ops.DISPATCH``,
indexed by opcode byte). It runs a basic block at a time: interpreted, one
handler call per instruction, until the raw code is hot, then as a Python
function compiled from the block (``blocks``), which inlines the commonest
handlers' common cases and calls the handler for everything else.

A frame is resumable (its ip, value stack and block stack live in the
``Frame``), so a generator is just a frame that ``execute`` is called on again.
A call from bytecode to a bytecode function runs inline in the caller's
``execute`` (no host recursion); calls from native code (a key function, a
dunder method) recurse on the host stack. ``MAX_DEPTH`` reproduces
MicroPython's "maximum recursion depth exceeded" at a depth comparable to the
unix port's.

The step budget and the wall-clock deadline are charged per backward jump and
per guest call (every endless run takes infinitely many of one or the other,
and straight-line code between them is bounded), checked every
``CHECK_EVERY`` charges, so a guest infinite loop ends as ``Timeout`` without a
counter on every instruction. Unwinding rules: reference-vm-notes §3.5.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict
from reference_vm.errors import VMInternalError
from reference_vm.exceptions import GuestException, exc_data, mp_error, new_exception
from reference_vm.mpyfile import RawCode
from reference_vm.objects import NULL, Cell, CodeContext, Function, Instance
from reference_vm.opcodes import Op, Operand
from reference_vm.runtime import STATE

#: Guest call depth at which RuntimeError('maximum recursion depth exceeded') is raised.
MAX_DEPTH = 190
CHECK_EVERY = 1024
RETURN, YIELD, CALL = 1, 2, 3


_HOST_ERRORS = (ValueError, TypeError, IndexError, KeyError, OverflowError, ZeroDivisionError)


def _host_error_name(error: Exception) -> str:
    if isinstance(error, UnicodeError):
        return "UnicodeError"
    for cls in type(error).__mro__:
        if cls.__name__ in T.EXCEPTIONS:
            return cls.__name__
    return "RuntimeError"


def _positional_mismatch(name: str, expected: int, given: int) -> GuestException:
    """bc.c's fun_pos_args_mismatch at each error-reporting level (only DETAILED names the function)."""
    if STATE.fully_detailed:
        return mp_error("TypeError", f"{name}() takes {expected} positional arguments but {given} were given")
    if STATE.detailed:
        return mp_error("TypeError", f"function takes {expected} positional arguments but {given} were given")
    return mp_error("TypeError", "argument num/types mismatch")


class Timeout(Exception):
    """The guest ran past its step budget or wall-clock deadline."""


class Ins:
    """One pre-decoded instruction: the handler's view of it (jump targets as instruction indexes)."""

    __slots__ = ("arg", "extra", "handler", "index", "name", "offset", "op", "opcode", "target")

    def __init__(self, opcode: int, op: Op, arg: Any, extra: Any, target: int, offset: int, index: int,
                 name: str = "") -> None:
        self.name = name  # the qstr a QSTR operand names, resolved once
        from reference_vm.ops import DISPATCH
        self.handler = DISPATCH[opcode]  # ops.DISPATCH[opcode], looked up once
        if 0 <= target <= index:
            self.handler = _charged(self.handler)  # a backward jump: a loop's step
        self.opcode = opcode
        self.op = op
        self.arg = arg
        self.extra = extra
        self.target = target
        self.offset = offset
        self.index = index


def _charged(handler: Any) -> Any:
    """``handler`` preceded by one charge against the step budget (see the module docstring)."""
    def charged(m: Machine, f: Frame, ins: Ins) -> Any:
        m.budget -= 1
        if m.budget <= 0:
            m.check_limits()
        return handler(m, f, ins)
    return charged


def _block_table(raw: RawCode, prog: list[Ins]) -> list[Any]:
    """The raw code's shared block table (see ``blocks``), imported late: blocks builds on this module."""
    from reference_vm.blocks import block_table
    return block_table(raw, prog)


def program(raw: RawCode, qstrs: Sequence[str]) -> list[Ins]:
    """The decoded instruction list of a raw code, built once and kept on the raw code.

    ``qstrs`` is the qstr table of the file the raw code came from (a raw code belongs to one file).
    """
    cached: list[Ins] | None = raw.__dict__.get("decoded")
    if cached is not None:
        return cached
    out = []
    for i, ins in enumerate(raw.instructions):
        target = raw.index_of(ins.target) if ins.target is not None else -1
        name = qstrs[ins.arg] if ins.op.operand is Operand.QSTR and ins.arg is not None else ""
        out.append(Ins(ins.opcode, ins.op, ins.arg, ins.extra, target, ins.offset, i, name))
    object.__setattr__(raw, "decoded", out)
    return out


class Block:
    """An exception-stack entry: handler, saved stack depth, finally/with flag, saved exception."""

    __slots__ = ("depth", "exc", "handler", "handler_offset", "is_finally")

    def __init__(self, handler: int, handler_offset: int, depth: int, is_finally: bool) -> None:
        self.handler = handler
        self.handler_offset = handler_offset
        self.depth = depth
        self.is_finally = is_finally
        self.exc: Any = None


class Frame:
    """One activation: locals (n_state slots), value stack, block stack, name scopes.

    No ``__slots__``: a frame is made per guest call, and class-level defaults for
    the fields most frames never change (ip, inject, retval, parent) make that a
    third cheaper, while reading an attribute costs the same.
    """

    ip = 0
    inject: Any = NULL  # an exception to throw in when a generator resumes
    retval: Any = None
    parent: Frame | None = None  # the caller, while this frame runs inline in its execute

    def __init__(self, fn: Function, locals_dict: Any = None, fast: list[Any] | None = None) -> None:
        """A frame running ``fn``; ``fast``, when given, is the complete initial local slots list."""
        self.fn = fn
        raw = self.raw = fn.raw
        code = fn.code
        if code is None:
            prog = program(raw, fn.context.qstrs)
            code = fn.code = (prog, _block_table(raw, prog))
        self.prog, self.table = code
        self.context = fn.context
        self.stack: list[Any] = []
        self.fast: list[Any] = [NULL] * raw.n_state if fast is None else fast
        self.blocks: list[Block] = []
        self.globals = fn.globals
        self.locals_dict = fn.globals if locals_dict is None else locals_dict


class Generator:
    """A generator object: a suspended frame plus its run state."""

    __slots__ = ("addr", "finished", "frame", "name", "running", "started")
    mp_type = T.GENERATOR_T

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.running = False
        self.finished = False
        self.started = False
        self.addr = 0
        self.name = frame.raw.simple_name

    def repr_text(self) -> str:
        from reference_vm.objects import fake_address
        return f"<generator object '{self.name}' at 0x{fake_address(self):x}>"


T.register_host_type(Generator, T.GENERATOR_T)


class Machine:
    """Runs bytecode frames; one per guest program run."""

    def __init__(self, step_limit: int, deadline: float) -> None:
        from reference_vm.blocks import run_cold
        self.run_cold = run_cold
        self.step_limit = step_limit
        self.deadline = deadline
        self.steps = 0
        self.budget = CHECK_EVERY
        self.callee: Any = None  # the Frame a handler returning CALL asks to enter
        self.builtins: MPDict = MPDict()
        self.modules: dict[str, Any] = {}
        self.frames: list[Frame] = []

    @property
    def depth(self) -> int:
        """Guest call depth: the frames running now, inline or not."""
        return len(self.frames)

    # --- running frames -------------------------------------------------------------
    def check_limits(self) -> None:
        self.budget = CHECK_EVERY
        self.steps += CHECK_EVERY
        if self.steps > self.step_limit or time.monotonic() > self.deadline:
            raise Timeout(f"stopped after {self.steps} backward jumps and calls")

    def execute(self, f: Frame) -> int:
        """Run ``f`` until it returns (RETURN, value in f.retval) or yields (YIELD).

        A call to a bytecode function from a call opcode runs inline: the handler
        returns CALL with the bound frame in ``self.callee``, this loop switches to
        it and back on its RETURN, so guest calls cost no host recursion. An
        exception no handler of an inline frame takes leaves that frame and is
        routed in its caller, at the call instruction, as if it had propagated.
        """
        base = f
        prog = f.prog
        if f.inject is not NULL and prog[f.ip].op is not Op.YIELD_FROM:
            exc, f.inject = f.inject, NULL
            # Thrown in at the yield that suspended the frame (or at its start).
            if not self.unwind(f, exc, f.ip - 1 if f.ip else 0):
                raise GuestException(exc)
        run_cold = self.run_cold
        frames = self.frames
        table = f.table
        try:
            while True:
                block = table[f.ip]
                try:
                    result = block(self, f) if block is not None else run_cold(self, f)
                    if result is None:
                        continue
                    if result is CALL:  # small ints: identity is equality, and cheaper
                        callee = self.callee
                        self.budget -= 1  # a call: one charge against the step budget
                        if self.budget <= 0:
                            self.check_limits()
                        if len(frames) >= MAX_DEPTH:
                            raise mp_error("RuntimeError", "maximum recursion depth exceeded")
                        frames.append(callee)
                        callee.parent = f
                        f = callee
                        table = f.table
                        continue
                    if f is base:
                        return result
                    if result is not RETURN:
                        raise VMInternalError("an inline frame yielded")
                    value = f.retval
                    frames.pop()
                    f = f.parent  # type: ignore[assignment]
                    table = f.table
                    f.stack[-1] = value
                    continue
                except GuestException as exc:
                    error: BaseException = exc
                    instance = exc.instance
                except RecursionError:
                    instance = new_exception(T.EXCEPTIONS["RuntimeError"], ("maximum recursion depth exceeded",))
                    error = GuestException(instance)
                except _HOST_ERRORS as host_error:
                    # A host operation on a guest value failed the way the guest operation fails in
                    # MicroPython too (bytearray.append(300), int('x', 99)...): same type, host message.
                    instance = new_exception(T.EXCEPTIONS[_host_error_name(host_error)],
                                             tuple(str(a) for a in host_error.args[:1]))
                    error = GuestException(instance)
                # The raising instruction: every block sets f.ip to its index + 1 before it runs.
                while not self.unwind(f, instance, f.ip - 1):
                    if f is base:
                        raise error
                    frames.pop()
                    f = f.parent  # type: ignore[assignment]
                    table = f.table
        except BaseException:
            while f is not base:  # inline frames end with the run (a Timeout, a VM error)
                frames.pop()
                f = f.parent  # type: ignore[assignment]
            raise

    def unwind(self, f: Frame, exc: Instance, index: int) -> bool:
        """Route an exception raised by instruction ``index`` to a handler of this frame; False to propagate."""
        ins = f.prog[index]
        if ins.op is not Op.END_FINALLY and ins.op is not Op.RAISE_LAST:
            exc_data(exc).traceback.append((f.context.source_file, f.raw.line_for(ins.offset),
                                            f.raw.simple_name))
        blocks = f.blocks
        while blocks and blocks[-1].handler_offset <= ins.offset:
            blocks.pop()
        if not blocks:
            return False
        block = blocks[-1]
        del f.stack[block.depth:]
        block.exc = exc
        f.stack.append(exc)
        f.ip = block.handler
        return True

    def run_frame(self, f: Frame) -> Any:
        """Run a non-generator frame to its return value, on its own host-level execute."""
        self.budget -= 1  # a call: one charge against the step budget
        if self.budget <= 0:
            self.check_limits()
        frames = self.frames
        if len(frames) >= MAX_DEPTH:
            raise mp_error("RuntimeError", "maximum recursion depth exceeded")
        frames.append(f)
        try:
            if self.execute(f) != RETURN:
                raise VMInternalError("a non-generator frame yielded")
            if f.stack or f.blocks:
                raise VMInternalError(f"{f.raw.simple_name} returned with {len(f.stack)} values and "
                                      f"{len(f.blocks)} blocks left")
            return f.retval
        finally:
            frames.pop()

    # --- calls ----------------------------------------------------------------------
    def new_frame(self, fn: Function, args: Any, kwargs: dict[str, Any] | None, locals_dict: Any = None) -> Frame:
        """A frame for ``fn(*args, **kwargs)`` with its arguments bound."""
        if not kwargs and len(args) == fn.simple_arity:
            return Frame(fn, locals_dict, [*args, *[NULL] * (fn.raw.n_state - len(args))])
        f = Frame(fn, locals_dict)
        raw = fn.raw
        if not kwargs and raw.positional_only and not fn.closure and len(args) == raw.n_pos_args:
            # The common case, bound as bind_arguments would: exactly the positional parameters.
            f.fast[:len(args)] = args
            for slot in raw.cells:
                f.fast[slot] = Cell(f.fast[slot])
        else:
            self.bind_arguments(f, fn, args, kwargs)
        return f

    def call_function(self, fn: Function, args: Any, kwargs: dict[str, Any] | None,
                      locals_dict: Any = None) -> Any:
        f = self.new_frame(fn, args, kwargs, locals_dict)
        if fn.raw.is_generator:
            return Generator(f)
        return self.run_frame(f)

    def bind_arguments(self, f: Frame, fn: Function, args: Any, kwargs: dict[str, Any] | None) -> None:
        """Argument binding as py/bc.c does it (reference-vm-notes §3.2)."""
        raw = fn.raw
        fast = f.fast
        has_varargs = raw.has_varargs
        n_pos, n_kwonly = raw.n_pos_args, raw.n_kwonly_args
        if fn.closure:
            args = [*fn.closure, *args]
        n_args = len(args)
        if n_args > n_pos:
            if not has_varargs:
                raise _positional_mismatch(raw.simple_name, n_pos, n_args)
            fast[n_pos + n_kwonly] = tuple(args[n_pos:])
            fast[:n_pos] = args[:n_pos]
        else:
            fast[:n_args] = args
            if has_varargs:
                fast[n_pos + n_kwonly] = ()
        kw_slot = n_pos + n_kwonly + (1 if has_varargs else 0)
        n_def = raw.n_def_pos_args
        if not kwargs and not raw.has_kwonly_defaults:
            if n_args < n_pos:
                if n_args + n_def < n_pos:
                    raise _positional_mismatch(raw.simple_name, n_pos - n_def, n_args)
                for i in range(n_args, n_pos):
                    fast[i] = fn.defaults[i - (n_pos - n_def)]
            if n_kwonly:
                raise mp_error("TypeError", "function missing keyword-only argument")
            if raw.has_varkw:
                fast[kw_slot] = MPDict()
        else:
            self._bind_keywords(f, fn, kwargs or {}, n_args, kw_slot)
        for slot in raw.cells:
            fast[slot] = Cell(fast[slot])

    def _bind_keywords(self, f: Frame, fn: Function, kwargs: dict[str, Any], n_args: int, kw_slot: int) -> None:
        raw = fn.raw
        fast = f.fast
        names = raw.arg_names
        n_pos, n_kwonly, n_def = raw.n_pos_args, raw.n_kwonly_args, raw.n_def_pos_args
        kw_dict = MPDict(len(kwargs)) if raw.has_varkw else None
        if kw_dict is not None:
            fast[kw_slot] = kw_dict
        repeated = getattr(kwargs, "repeated", None)   # ops.RepeatedKwargs: a name passed twice
        for key, value in kwargs.items():
            if key == repeated and (kw_dict is not None or key in names[:n_pos + n_kwonly]):
                raise mp_error("TypeError", f"function got multiple values for argument '{key}'")
            for i in range(n_pos + n_kwonly):
                if names[i] == key:
                    if fast[i] is not NULL:
                        raise mp_error("TypeError", f"function got multiple values for argument '{key}'")
                    fast[i] = value
                    break
            else:
                if kw_dict is None:
                    raise mp_error("TypeError", f"unexpected keyword argument '{key}'" if STATE.detailed
                                   else "unexpected keyword argument")
                kw_dict[key] = value
        for i in range(n_pos - n_def, n_pos):
            if fast[i] is NULL:
                fast[i] = fn.defaults[i - (n_pos - n_def)]
        for i in range(n_pos):
            if fast[i] is NULL:
                raise mp_error("TypeError", f"function missing required positional argument #{i}"
                               if STATE.detailed else "function missing required positional argument")
        for i in range(n_pos, n_pos + n_kwonly):
            if fast[i] is NULL:
                default = fn.kwdefaults.get(names[i]) if fn.kwdefaults is not None else NULL
                if default is NULL:
                    raise mp_error("TypeError", f"function missing required keyword argument '{names[i]}'"
                                   if STATE.detailed else "function missing required keyword argument")
                fast[i] = default

    # --- generators -----------------------------------------------------------------
    def resume(self, gen: Generator, send: Any, exc: Any = NULL) -> tuple[int, Any]:
        """Resume ``gen``; (YIELD, value) or (RETURN, value). Guest exceptions propagate."""
        if gen.finished:
            return RETURN, None
        if gen.running:
            raise mp_error("ValueError", "generator already executing")
        f = gen.frame
        if not gen.started:
            if send is not None and exc is NULL:
                raise mp_error("TypeError", "can't send non-None value to a just-started generator")
            gen.started = True
        elif exc is NULL:
            f.stack[-1] = send
        f.inject = exc
        gen.running = True
        self.frames.append(f)
        try:
            if len(self.frames) > MAX_DEPTH:
                raise mp_error("RuntimeError", "maximum recursion depth exceeded")
            kind = self.execute(f)
        except GuestException as error:
            gen.finished = True
            if error.instance.mp_type.is_subclass(T.EXCEPTIONS["StopIteration"]):
                raise mp_error("RuntimeError", "generator raised StopIteration") from None
            raise
        finally:
            gen.running = False
            self.frames.pop()
        if kind == RETURN:
            gen.finished = True
            return RETURN, f.retval
        value = f.stack[-1]
        return YIELD, value

    def generator_next(self, gen: Generator) -> Any:
        kind, value = self.resume(gen, None)
        return value if kind == YIELD else NULL

    def generator_close(self, gen: Generator) -> Any:
        if gen.finished or not gen.started:
            gen.finished = True
            return None
        try:
            kind, _ = self.resume(gen, None, new_exception(T.EXCEPTIONS["GeneratorExit"]))
        except GuestException as error:
            if error.instance.mp_type.is_subclass(T.EXCEPTIONS["GeneratorExit"]) or \
                    error.instance.mp_type.is_subclass(T.EXCEPTIONS["StopIteration"]):
                return None
            raise
        if kind == YIELD:
            raise mp_error("RuntimeError", "generator ignored GeneratorExit")
        return None


def make_module_function(raw: RawCode, context: CodeContext, globals_: MPDict) -> Function:
    return Function(raw, context, globals_)
