"""One key per kind of divergence, so the same difference is reported once.

A signature names the implementations involved (``runner_label``: version and
word size, not the runner's name), the kind of difference (status,
exception type, exception message, stdout), the exception types on the first
differing line (or escaping the program), and the program's *features*: the
methods, builtins and operators it uses. Features of a shrunk program are the
trigger; a divergence in a larger program is a duplicate of a known signature
when the coarse parts match and it contains all of that signature's features.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from conformance.case import parse_version
from conformance.fuzz.classify import Comparable
from conformance.fuzz.program import EXCEPTION_MARK
from conformance.outcome import RunnerIdentity

#: Names in every program's scaffolding, not features of what it tests.
_SCAFFOLD = frozenset({"show", "print", "repr", "type", "sorted", "list", "f", "e", "a", "s", "xs"})


@dataclass(frozen=True)
class Signature:
    """What makes two divergences the same."""

    runners: tuple[str, str]
    kind: str
    exc_types: tuple[str | None, str | None]
    features: frozenset[str] = frozenset()

    @property
    def coarse(self) -> tuple[tuple[str, str], str, tuple[str | None, str | None]]:
        return self.runners, self.kind, self.exc_types

    def covers(self, other: Signature) -> bool:
        """True when ``other`` is a duplicate of this signature: same runners and kind, the same exception
        types (where this one has none, any: the runner that went on may fail later), at least our features."""
        if (self.runners, self.kind) != (other.runners, other.kind):
            return False
        if any(mine is not None and mine != theirs for mine, theirs in zip(self.exc_types, other.exc_types,
                                                                            strict=True)):
            return False
        # A trigger with no features at all would cover every program: it only covers its equals.
        return self.features <= other.features if self.features else not other.features

    def to_json(self) -> dict[str, object]:
        return {"runners": list(self.runners), "kind": self.kind, "exc_types": list(self.exc_types),
                "features": sorted(self.features)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Signature:
        runners = tuple(data["runners"])
        exc_types = tuple(data["exc_types"])
        return cls((str(runners[0]), str(runners[1])), str(data["kind"]),
                   (exc_types[0], exc_types[1]), frozenset(data.get("features", ())))

    def describe(self) -> str:
        types = "/".join(t or "-" for t in self.exc_types)
        return (f"{self.runners[0]} vs {self.runners[1]}: {self.kind} ({types}); "
                f"features {', '.join(sorted(self.features)) or '-'}")


def difference_kind(first: Comparable, second: Comparable) -> str:
    """The first way two outcomes differ, in the comparator's order."""
    if first.status != second.status and "raised" not in (first.status, second.status):
        return "status"
    if first.exc_type != second.exc_type:
        return "exception-type"
    if first.exc_message != second.exc_message:
        return "exception-message"
    return "stdout"


def _first_line_type(line: str | None) -> str | None:
    if line is None or not line.startswith(EXCEPTION_MARK):
        return None
    return line[1:].split(" ", 1)[0]


def differing_exc_types(first: Comparable, second: Comparable) -> tuple[str | None, str | None]:
    """Exception types escaping the programs, else those on the first differing stdout line."""
    if first.exc_type or second.exc_type:
        return first.exc_type, second.exc_type
    a, b = first.lines, second.lines
    for index in range(max(len(a), len(b))):
        left = a[index] if index < len(a) else None
        right = b[index] if index < len(b) else None
        if left != right:
            return _first_line_type(left), _first_line_type(right)
    return None, None


def features(source: str) -> frozenset[str]:
    """Methods, builtins, operators and formatting styles a program uses."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset({"syntax-error"})
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                found.add("." + node.func.attr)
            elif isinstance(node.func, ast.Name) and node.func.id not in _SCAFFOLD:
                found.add(node.func.id + "()")
        elif isinstance(node, (ast.BinOp, ast.UnaryOp, ast.AugAssign)):
            found.add(type(node.op).__name__)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.isascii():
            found.add("non-ascii")
        elif isinstance(node, ast.Constant) and isinstance(node.value, int) and abs(node.value) >= 2**30:
            found.add("big-int")
        elif isinstance(node, ast.JoinedStr):
            found.add("f-string")
        elif isinstance(node, (ast.Try, ast.With, ast.ClassDef, ast.GeneratorExp, ast.Yield, ast.Nonlocal,
                               ast.Global, ast.ListComp, ast.SetComp, ast.DictComp, ast.While)):
            found.add(type(node).__name__)
    return frozenset(found)


def runner_label(identity: RunnerIdentity) -> str:
    """What a signature calls a runner: the implementation it is, not the runner's name.

    MicroPython runners of the same version and word size are expected to agree (the unix
    port and the reference VM modelling it), so a divergence saved from one is known for the
    other: 'micropython-1.29/64', 'micropython-1.27/32'. CPython is 'cpython'.
    """
    if identity.implementation == "cpython":
        return "cpython"
    major_minor = ".".join(str(p) for p in parse_version(identity.version)[:2])
    return f"{identity.implementation}-{major_minor}/{identity.word_bits}"


def signature_of(source: str, runners: tuple[str, str], first: Comparable, second: Comparable) -> Signature:
    """The signature of a divergence between two runners' (normalised) outcomes of ``source``."""
    return Signature(runners, difference_kind(first, second), differing_exc_types(first, second), features(source))
