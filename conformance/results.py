"""results.jsonl: one line per case x runner, flushed as it is written.

A killed run keeps every line written before it; reports are rebuilt from
this file alone. The first line of a run is a header with the suite's
provenance; readers tolerate a truncated last line (the run was killed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from conformance.case import Case
from conformance.compare import Verdict
from conformance.errors import ResultsFileError
from conformance.outcome import Outcome

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Record:
    """One verdict with enough of its case to report on it without the case files."""

    case_id: str
    path: str
    line: int
    area: str
    tags: tuple[str, ...]
    verdict: Verdict
    outcome: Outcome

    @classmethod
    def of(cls, case: Case, verdict: Verdict, outcome: Outcome) -> Record:
        return cls(case.id, case.source.path, case.source.line, case.area, case.tags, verdict, outcome)

    @property
    def runner(self) -> str:
        return self.outcome.runner.name

    def to_json(self) -> dict[str, object]:
        return {
            "type": "result", "case": self.case_id, "path": self.path, "line": self.line,
            "area": self.area, "tags": list(self.tags),
            "verdict": self.verdict.to_json(), "outcome": self.outcome.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(
            case_id=str(data["case"]), path=str(data["path"]), line=int(data["line"]),
            area=str(data["area"]), tags=tuple(data.get("tags", ())),
            verdict=Verdict.from_json(data["verdict"]),
            outcome=Outcome.from_json(data["outcome"]),
        )


class ResultsWriter:
    """Appends records to a results.jsonl file, one flushed line each."""

    def __init__(self, path: Path, header: dict[str, object] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._write({"type": "header", "format": FORMAT_VERSION, **(header or {})})

    def _write(self, data: dict[str, object]) -> None:
        self._file.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._file.flush()

    def add(self, record: Record) -> None:
        self._write(record.to_json())

    def close(self) -> None:
        self._file.close()


@dataclass
class RunResults:
    """Everything read back from one or more results files."""

    headers: list[dict[str, object]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    truncated: bool = False


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as handle:
        yield from enumerate(handle, start=1)


def read_results(paths: Iterable[Path]) -> RunResults:
    """Read results files; a malformed line is an error except a truncated last one."""
    results = RunResults()
    for path in paths:
        lines = list(_lines(path))
        for number, text in lines:
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                if data.get("type") == "header":
                    results.headers.append(data)
                else:
                    results.records.append(Record.from_json(data))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                if number == len(lines) and not text.endswith("\n"):
                    results.truncated = True
                    continue
                raise ResultsFileError(str(path), number, f"unreadable record ({exc})") from exc
    return results
