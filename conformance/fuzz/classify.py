"""Is a difference between two outcomes known, and of which category, or new?

MicroPython implementations must agree exactly. CPython is compared with a
MicroPython through normalisations, each named after the documented
difference it forgives (the categories of cases/README.md, refined):

- ``messages``: exception wording differs; only the exception type counts;
- ``exception-types``: CPython raises a subclass MicroPython does not have
  (UnicodeDecodeError where MicroPython raises UnicodeError);
- ``float-repr``: floats print with different digits but are close;
- ``unsupported``: MicroPython lacks the method or feature
  (AttributeError / NotImplementedError where CPython has an answer).

The generators avoid the differences that need no judgement (dict and set
order: everything unordered is printed sorted; bool and int: printed via
repr, which agrees). Normalisations apply cumulatively, in that order; the
first after which the outputs agree is the category. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.fuzz.program import EXCEPTION_MARK
from conformance.outcome import Outcome

_FLOAT = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:e[+-]?\d+)|-?\d+\.\d+|-?(?:inf|nan)\b")
_GAP_TYPES = ("AttributeError", "NotImplementedError")
#: CPython exception types MicroPython lacks, and the base class it raises instead.
MICROPYTHON_BASES = {"UnicodeDecodeError": "UnicodeError", "UnicodeEncodeError": "UnicodeError",
                     "ModuleNotFoundError": "ImportError", "FileNotFoundError": "OSError",
                     "RecursionError": "RuntimeError"}


@dataclass(frozen=True)
class Comparable:
    """The parts of an outcome a comparison looks at, after normalisation."""

    status: str
    exc_type: str | None
    exc_message: str | None
    lines: tuple[str, ...]


def comparable(outcome: Outcome) -> Comparable:
    return Comparable(outcome.status.value, outcome.exc_type, outcome.exc_message,
                      tuple(outcome.stdout.split("\n")))


def _mask_messages(c: Comparable) -> Comparable:
    lines = tuple(line.split(" ", 1)[0] if line.startswith(EXCEPTION_MARK) else line for line in c.lines)
    return Comparable(c.status, c.exc_type, None, lines)


def _base_types(c: Comparable) -> Comparable:
    def base(name: str) -> str:
        return MICROPYTHON_BASES.get(name, name)

    lines = tuple(EXCEPTION_MARK + base(line[1:]) if line.startswith(EXCEPTION_MARK) else line for line in c.lines)
    return Comparable(c.status, base(c.exc_type) if c.exc_type else None, c.exc_message, lines)


def _round_float(match: re.Match[str]) -> str:
    value = float(match.group(0))
    return match.group(0) if value != value or value in (float("inf"), float("-inf")) else f"{value:.10g}"


def _round_floats(c: Comparable) -> Comparable:
    return Comparable(c.status, c.exc_type, c.exc_message, tuple(_FLOAT.sub(_round_float, line) for line in c.lines))


def _is_gap(line: str) -> bool:
    return line.startswith(EXCEPTION_MARK) and line[1:].split(" ", 1)[0] in _GAP_TYPES


def _mask_gaps(micropython: Comparable, other: Comparable) -> tuple[Comparable, Comparable]:
    """Forgive lines where MicroPython lacks a feature, and a program it ended early for that reason."""
    if micropython.exc_type in _GAP_TYPES:
        shown = micropython.lines[:-1]  # the text after the last newline is ''
        if other.lines[:len(shown)] == shown:
            return other, other
    if len(micropython.lines) != len(other.lines):
        return micropython, other
    pairs = [("<gap>", "<gap>") if _is_gap(m) else (m, o) for m, o in zip(micropython.lines, other.lines, strict=True)]
    mp_lines, other_lines = zip(*pairs, strict=True) if pairs else ((), ())
    return (Comparable(micropython.status, micropython.exc_type, micropython.exc_message, tuple(mp_lines)),
            Comparable(other.status, other.exc_type, other.exc_message, tuple(other_lines)))


@dataclass(frozen=True)
class Classification:
    """``known`` with the category that explains the difference, or new (category None).

    ``micropython`` and ``other`` are the outcomes as last normalised: a new
    difference is described (signature, first differing line) by what is
    left of it once the known differences are masked.
    """

    category: str | None
    micropython: Comparable
    other: Comparable

    @property
    def known(self) -> bool:
        return self.category is not None


def classify_cpython(micropython: Outcome, cpython: Outcome) -> Classification:
    """Which documented difference explains CPython's outcome differing from MicroPython's, if any."""
    mp, cp = _mask_messages(comparable(micropython)), _mask_messages(comparable(cpython))
    if mp == cp:
        return Classification("messages", mp, cp)
    cp = _base_types(cp)
    if mp == cp:
        return Classification("exception-types", mp, cp)
    mp, cp = _round_floats(mp), _round_floats(cp)
    if mp == cp:
        return Classification("float-repr", mp, cp)
    mp, cp = _mask_gaps(mp, cp)
    return Classification("unsupported" if mp == cp else None, mp, cp)


def classify(micropython: Outcome, other: Outcome) -> Classification:
    """Classify ``other`` against the reference MicroPython: CPython through the normalisations,
    another MicroPython exactly (nothing is known)."""
    if other.runner.implementation == "cpython":
        return classify_cpython(micropython, other)
    return Classification(None, comparable(micropython), comparable(other))


def agree(first: Outcome, second: Outcome) -> bool:
    """Exact agreement: status, exception type and message, and stdout."""
    return comparable(first) == comparable(second)
