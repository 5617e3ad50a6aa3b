"""The harness program that wraps a case on MicroPython, and how to read its answer.

The case is compiled under the file name ``<case>`` (so traceback lines are
the case's own) and executed in a fresh globals dict with
``__name__ == "__main__"``. Around it the harness reads ``gc.mem_alloc()``:
with automatic collection disabled while the case runs, the difference is the
bytes the case allocated; after ``gc.collect()`` (where that is safe) the
difference is what it retained. The answer is one line after a marker, a
Python literal, so no json module is needed on the target. The harness is
written in the subset MicroPython 1.9 understands.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from conformance.outcome import HeapFigures, Outcome, RunnerIdentity, Status


@dataclass(frozen=True)
class RawExecution:
    """Bytes out of one MicroPython execution, before interpretation."""

    stdout: bytes
    stderr: bytes = b""
    timed_out: bool = False
    crashed: str = ""      # why the implementation died, if it did
    exit_code: int | None = 0
    unresponsive: bool = False  # the target was given up on before this program ran


RESULT_MARKER = "\x1e@@mpconform-result@@"
END_MARKER = "\x1e@@mpconform-end@@"
DAMAGED = "mpconform: program damaged in transfer"
IDENTITY_MARKER = "@@mpconform-identity@@"
MAX_OUTPUT = 1 << 20

IDENTITY_PROGRAM = (
    "import sys\n"
    "try:\n"
    "    _i = sys.implementation\n"
    "    _v = str(_i.version[0]) + '.' + str(_i.version[1]) + '.' + str(_i.version[2])\n"
    "    _n = _i.name\n"
    "except Exception:\n"
    "    _v, _n = '0', 'micropython'\n"
    "try:\n"
    "    _m = sys.maxsize\n"
    "except AttributeError:\n"
    "    try:\n"
    "        import struct\n"
    "        _m = (1 << (8 * struct.calcsize('P') - 1)) - 1\n"
    "    except Exception:\n"
    "        _m = 0\n"
    f"print({IDENTITY_MARKER!r} + repr((_n, _v, _m)))\n"
)

# The harness body, shared by the one-shot program and the on-board module.
# Compact on purpose: old boards without flow control take input at a few
# tens of bytes per millisecond. Short names live only in the harness's scope;
# the case runs in its own dict ``g``. Inputs: ``s`` the case source, ``k``
# collect around it, ``p`` pause automatic collection, ``M``/``N`` the answer
# and end markers. The answer line is followed by the traceback (printed to
# stdout: no io module needed) and the end marker.
_BODY = """\
try:
 import gc;m=gc.mem_alloc
except Exception:
 gc=None
g={'__name__':'__main__'};e=None;c=None;a=0;b=None;r=None
try:c=compile(s,'<case>','exec')
except NameError:c=s
except BaseException as x:e=x
if gc:
 if k:gc.collect()
 if p:gc.disable()
 a=m()
if c is not None:
 try:exec(c,g)
 except BaseException as x:e=x
if gc:
 b=m()-a;gc.enable()
 if k:gc.collect();r=m()-a
t=None;u=None
if e is not None:
 t=repr(type(e))
 try:u=str(e)
 except BaseException:u='<str() failed>'
print(M+repr((b,r,t,u)))
if e is not None:sys.print_exception(e)
print(N)
"""

#: Module name of the harness when it is installed on a board's filesystem.
HARNESS_MODULE = "_mpconform"


def _check(length: str) -> str:
    return f"if len(s)!={length}:raise OSError({DAMAGED!r})\n"


def build_program(code: str, collect: bool, pause_gc: bool = True) -> str:
    """The self-contained harness program for one case.

    ``collect`` enables gc.collect() around it; ``pause_gc`` disables automatic
    collection while the case runs, which makes "allocated" exact but turns a
    case that needs a collection into a MemoryError (the runner then retries
    with collection on and no "allocated" figure). The program refuses to run
    a case whose text arrived damaged (a board without flow control can drop
    bytes), so the runner can send it again.
    """
    return (f"import sys\ns={code!r}\n" + _check(str(len(code)))
            + f"k={int(collect)};p={int(pause_gc)};M={RESULT_MARKER!r};N={END_MARKER!r}\n" + _BODY)


def harness_module() -> str:
    """Source of the harness as a module with one function ``r(s, n, k, p)``, for boards."""
    body = "".join(" " + line + "\n" for line in _BODY.splitlines())
    return (f"import sys\nM={RESULT_MARKER!r};N={END_MARKER!r}\ndef r(s,n,k,p):\n "
            + _check("n") + body)


def module_call(code: str, collect: bool, pause_gc: bool = True) -> str:
    """The short program that runs a case through the installed harness module."""
    return f"import {HARNESS_MODULE}\n{HARNESS_MODULE}.r({code!r},{len(code)},{int(collect)},{int(pause_gc)})\n"


def parse_identity(stdout: str) -> tuple[str, str, int]:
    """(implementation name, version, word bits) from IDENTITY_PROGRAM's output."""
    index = stdout.find(IDENTITY_MARKER)
    if index < 0:
        raise ValueError("no identity line in the probe output")
    name, version, maxsize = ast.literal_eval(stdout[index + len(IDENTITY_MARKER):].splitlines()[0])
    return str(name), str(version), 64 if int(maxsize) > 2**31 else 32  # unknown (0): assume 32


def class_name(text: str | None) -> str | None:
    """"<class 'ValueError'>" -> "ValueError" (old firmware has no __name__ on types)."""
    if text is None:
        return None
    match = re.fullmatch(r"<class '([^']*)'>", text)
    return (match.group(1) if match else text).rsplit(".", 1)[-1]


_CASE_FRAME = re.compile(r'File "(?:<case>|<string>)", line (\d+)')


def traceback_lines(traceback: str) -> tuple[int, ...]:
    """Line numbers of the case's own frames in a MicroPython traceback, outermost first."""
    return clip_frames(tuple(int(n) for n in _CASE_FRAME.findall(traceback)))


def clip_frames(lines: tuple[int, ...], keep: int = 10) -> tuple[int, ...]:
    """The outermost and innermost ``keep`` frames of a deep (recursive) traceback."""
    return lines if len(lines) <= 2 * keep else lines[:keep] + lines[-keep:]


_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:: (.*))?$")


def _harness_error(raw: RawExecution) -> tuple[str, str] | None:
    """(type, message) when stderr ends with a traceback and the target did not crash or hang."""
    if raw.timed_out or raw.crashed:
        return None
    lines = raw.stderr.decode("utf-8", "replace").replace("\r\n", "\n").strip().splitlines()
    if not lines:
        return None
    match = _EXCEPTION_LINE.match(lines[-1])
    return (match.group(1), match.group(2) or "") if match else None


def _tail(data: bytes, limit: int = 400) -> str:
    return data[-limit:].decode("utf-8", "replace")


def _capped(text: str) -> str:
    if len(text) <= MAX_OUTPUT:
        return text
    return text[:MAX_OUTPUT] + f"\n[... {len(text) - MAX_OUTPUT} more characters cut by the harness]"


def interpret(raw: RawExecution, identity: RunnerIdentity, duration: float, paused_gc: bool = True) -> Outcome:
    """Turn the bytes of one harness execution into an Outcome."""
    text = raw.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    index = text.rfind(RESULT_MARKER)
    if index < 0:
        text = _capped(text)
        if raw.unresponsive:
            return Outcome(identity, Status.UNRESPONSIVE, stdout=text, duration=duration, detail=raw.crashed)
        harness_error = _harness_error(raw)
        if harness_error is not None:
            # The harness itself raised (a MemoryError compiling it on a small board).
            return Outcome(identity, Status.RAISED, stdout=text, exc_type=harness_error[0],
                           exc_message=harness_error[1], duration=duration,
                           detail="raised by the harness around the case, before or after it ran")
        status = Status.TIMEOUT if raw.timed_out else Status.CRASHED
        detail = raw.crashed or f"exit code {raw.exit_code}; no result from the harness"
        stderr = _tail(raw.stderr)
        return Outcome(identity, status, stdout=text, duration=duration,
                       detail=(detail + ("\n" + stderr if stderr else "")).strip())
    answer, _, after = text[index + len(RESULT_MARKER):].partition("\n")
    tb = after.split(END_MARKER, 1)[0]
    try:
        allocated, retained, exc_class, exc_message = ast.literal_eval(answer)
        exc_type = class_name(exc_class)
    except (ValueError, SyntaxError, TypeError):
        return Outcome(identity, Status.CRASHED, stdout=text[:index], duration=duration,
                       detail=f"unreadable harness answer: {answer[:200]!r}")
    stdout = _capped(text[:index])
    heap = None
    if allocated is not None:
        heap = HeapFigures("gc", identity.word_bits, allocated if paused_gc else None, retained)
    status = Status.RAISED if exc_type else Status.OK
    return Outcome(identity, status, stdout=stdout, exc_type=exc_type, exc_message=exc_message,
                   traceback_lines=traceback_lines(tb), heap=heap, duration=duration)


# -- batches: many programs in one execution ---------------------------------
# Used by the fuzzer, where starting the implementation per program would
# dominate. Each program still gets fresh globals and its own exception
# capture; no heap figures are taken. ``B`` opens a program's output, ``R``
# carries its (exception class, message) answer.
BATCH_BEGIN = "\x1e@@mpconform-batch@@"
BATCH_RESULT = "\x1e@@mpconform-batch-result@@"

_BATCH_BODY = """\
for s in S:
 print(B,end='')
 g={'__name__':'__main__'};e=None;t=None;u=None
 try:exec(compile(s,'<case>','exec'),g)
 except BaseException as x:e=x
 if e is not None:
  t=repr(type(e))
  try:u=str(e)
  except BaseException:u='<str() failed>'
 print(R+repr((t,u)))
 g=None;e=None
"""


def build_batch_program(codes: list[str], pause_gc: bool) -> str:
    """One program that runs every code in ``codes`` in turn, each in fresh globals.

    ``pause_gc`` keeps automatic collection off for the whole batch (for
    builds whose collector is unsafe); a program that then runs out of heap
    is re-run on its own by the runner.
    """
    head = "import gc\ngc.disable()\n" if pause_gc else ""
    return (head + f"S={codes!r}\nB={BATCH_BEGIN!r};R={BATCH_RESULT!r}\n" + _BATCH_BODY)


def interpret_batch(raw: RawExecution, identity: RunnerIdentity, count: int) -> list[Outcome]:
    """The outcomes of the programs of a batch that finished, in order (possibly fewer than ``count``).

    A program whose answer line is missing (the batch crashed or timed out
    while it ran) and every program after it are left out: the caller runs
    them again one by one.
    """
    text = raw.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    outcomes: list[Outcome] = []
    for chunk in text.split(BATCH_BEGIN)[1:count + 1]:
        index = chunk.rfind(BATCH_RESULT)
        if index < 0:
            break
        answer = chunk[index + len(BATCH_RESULT):].split("\n", 1)[0]
        try:
            exc_class, exc_message = ast.literal_eval(answer)
        except (ValueError, SyntaxError, TypeError):
            break
        exc_type = class_name(exc_class)
        status = Status.RAISED if exc_type else Status.OK
        outcomes.append(Outcome(identity, status, stdout=_capped(chunk[:index]), exc_type=exc_type,
                                exc_message=exc_message))
    return outcomes
