"""Immutable values describing a test case, as read from a case file.

A ``Case`` knows nothing about runners; ``compare()`` combines it with an
``Outcome``. See cases/README.md for the meaning of every field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 10.0

_FIELDS = ("stdout", "raises", "message")


@dataclass(frozen=True)
class OutcomeSpec:
    """A partial description of an outcome: only the keys in ``given`` are decided.

    ``raises=None`` with "raises" in ``given`` means "finishes normally".
    """

    stdout: str | None = None
    raises: str | None = None
    message: str | None = None
    given: frozenset[str] = frozenset()

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> OutcomeSpec:
        values = {k: data[k] for k in _FIELDS if k in data}
        return cls(given=frozenset(values), **values)

    def overlay(self, other: OutcomeSpec) -> OutcomeSpec:
        """Return this spec with the keys that ``other`` decides replaced by its values."""
        merged = {k: getattr(other if k in other.given else self, k) for k in _FIELDS}
        return OutcomeSpec(given=self.given | other.given, **merged)

    def to_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in _FIELDS if k in self.given}


@dataclass(frozen=True)
class Expectation:
    """What a conforming MicroPython does, with per-capability variants."""

    base: OutcomeSpec
    by_capability: tuple[tuple[str, OutcomeSpec], ...] = ()

    def resolve(self, capabilities: frozenset[str]) -> OutcomeSpec:
        """The expectation for a runner with these capabilities (first matching variant wins)."""
        for capability, spec in self.by_capability:
            if capability in capabilities:
                return self.base.overlay(spec)
        return self.base


_BOUND = re.compile(r"\s*(<=|>=|==|!=|<|>)\s*([0-9]+(?:\.[0-9]+)*)\s*")


def parse_version(text: str) -> tuple[int, ...]:
    """'1.9.2' -> (1, 9, 2); trailing text such as '-preview' is ignored."""
    match = re.match(r"[0-9]+(?:\.[0-9]+)*", text.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    pa, pb = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (pa > pb) - (pa < pb)


_OPS = {
    "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0,
    ">=": lambda c: c >= 0, "==": lambda c: c == 0, "!=": lambda c: c != 0,
}


@dataclass(frozen=True)
class Selector:
    """Which implementations a documented difference applies to.

    Grammar: ``IMPLEMENTATION [BOUND{,BOUND}] {+CAPABILITY}``, e.g. ``cpython``,
    ``micropython<1.20``, ``micropython>=1.9,<1.13`` or ``micropython+float-single``
    (a capability profile: only runners that have every named capability).
    """

    implementation: str
    bounds: tuple[tuple[str, tuple[int, ...]], ...] = ()
    capabilities: frozenset[str] = frozenset()
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> Selector:
        head, *profile = text.split("+")
        match = re.match(r"\s*(cpython|micropython)", head)
        if not match:
            raise ValueError(f"selector {text!r} must start with 'cpython' or 'micropython'")
        bounds = []
        for part in filter(None, (p.strip() for p in head[match.end():].split(","))):
            bound = _BOUND.fullmatch(part)
            if not bound:
                raise ValueError(f"bad version bound {part!r} in selector {text!r}")
            bounds.append((bound.group(1), parse_version(bound.group(2))))
        capabilities = frozenset(p.strip() for p in profile)
        if "" in capabilities:
            raise ValueError(f"empty capability after '+' in selector {text!r}")
        return cls(match.group(1), tuple(bounds), capabilities, text.strip())

    def matches(self, implementation: str, version: str, capabilities: frozenset[str] = frozenset()) -> bool:
        if implementation != self.implementation or not self.capabilities <= capabilities:
            return False
        have = parse_version(version)
        return all(_OPS[op](_cmp(have, want)) for op, want in self.bounds)


@dataclass(frozen=True)
class Difference:
    """A documented divergence: the outcome an implementation shows instead, and why."""

    selector: Selector
    outcome: OutcomeSpec
    category: str
    reason: str
    workaround: str = ""


@dataclass(frozen=True)
class MemoryBudget:
    """Heap budget in bytes for a 32-bit port (doubled for 64-bit words)."""

    allocated: int | None = None
    retained: int | None = None

    def limit(self, figure: str, word_bits: int) -> int | None:
        value = getattr(self, figure)
        return None if value is None else value * max(1, word_bits // 32)


@dataclass(frozen=True)
class SourceRef:
    """Where a case comes from, for error messages and pytest's reportinfo."""

    path: str
    line: int


@dataclass(frozen=True)
class Case:
    """One test program with what a conforming MicroPython does."""

    id: str
    code: str
    expect: Expectation
    source: SourceRef
    area: str
    requires: frozenset[str] = frozenset()
    tags: tuple[str, ...] = ()
    memory: MemoryBudget | None = None
    differences: tuple[Difference, ...] = field(default=())
    timeout: float = DEFAULT_TIMEOUT

    def difference_for(self, implementation: str, version: str,
                       capabilities: frozenset[str] = frozenset()) -> Difference | None:
        """The first documented difference whose selector matches this implementation."""
        for difference in self.differences:
            if difference.selector.matches(implementation, version, capabilities):
                return difference
        return None
