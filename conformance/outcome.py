"""What happened when a runner ran a case, normalised across implementations.

Runners build ``Outcome`` values; the comparator and the reports read them.
Every type here round-trips through JSON (``to_json``/``from_json``) because
results.jsonl is the only thing reports are allowed to read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, TypeVar


class Status(str, Enum):
    """How the program ended."""

    OK = "ok"                    # finished normally
    RAISED = "raised"            # an exception escaped the program
    TIMEOUT = "timeout"          # stopped after its time limit
    CRASHED = "crashed"          # the implementation died or answered garbage
    UNSUPPORTED = "unsupported"  # the runner cannot run this program at all
    UNRESPONSIVE = "unresponsive"  # the board stopped answering earlier; this case was not run


_Flat = TypeVar("_Flat", bound="FlatRecord")


class FlatRecord:
    """JSON round-trip for dataclasses whose fields are all plain JSON values."""

    def to_json(self) -> dict[str, object]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]

    @classmethod
    def from_json(cls: type[_Flat], data: dict[str, Any]) -> _Flat:
        return cls(**data)


@dataclass(frozen=True)
class HeapFigures(FlatRecord):
    """Heap use of one case, already corrected by the runner's empty-case baseline.

    ``kind`` is "gc" for MicroPython's GC heap (gc.mem_alloc) and "tracemalloc"
    for CPython; figures of different kinds or word sizes are not comparable.
    """

    kind: str
    word_bits: int
    allocated: int | None = None
    retained: int | None = None


@dataclass(frozen=True)
class RunnerIdentity(FlatRecord):
    """Which implementation produced an outcome; every report prints these."""

    name: str
    implementation: str
    version: str
    word_bits: int
    details: str = ""


@dataclass(frozen=True)
class Outcome:
    """The normalised result of running one case on one runner."""

    runner: RunnerIdentity
    status: Status
    stdout: str = ""
    exc_type: str | None = None
    exc_message: str | None = None
    traceback_lines: tuple[int, ...] = ()
    heap: HeapFigures | None = None
    duration: float = 0.0
    detail: str = ""
    capabilities: frozenset[str] = field(default=frozenset())

    def to_json(self) -> dict[str, object]:
        return {
            "runner": self.runner.to_json(),
            "status": self.status.value,
            "stdout": self.stdout,
            "exc_type": self.exc_type,
            "exc_message": self.exc_message,
            "traceback_lines": list(self.traceback_lines),
            "heap": self.heap.to_json() if self.heap else None,
            "duration": round(self.duration, 6),
            "detail": self.detail,
            "capabilities": sorted(self.capabilities),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        heap = data.get("heap")
        return cls(
            runner=RunnerIdentity.from_json(data["runner"]),
            status=Status(data["status"]),
            stdout=str(data.get("stdout", "")),
            exc_type=data.get("exc_type"),
            exc_message=data.get("exc_message"),
            traceback_lines=tuple(data.get("traceback_lines", ())),
            heap=HeapFigures.from_json(heap) if isinstance(heap, dict) else None,
            duration=float(data.get("duration", 0.0)),
            detail=str(data.get("detail", "")),
            capabilities=frozenset(data.get("capabilities", ())),
        )


@dataclass(frozen=True)
class Probe:
    """A runner's answer to "can you run here, and what are you?"."""

    available: bool
    identity: RunnerIdentity
    capabilities: frozenset[str] = frozenset()
    reason: str = ""
