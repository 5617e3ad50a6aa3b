"""results.jsonl: one line per case x runner, flushed as it is written.

A killed run keeps every line written before it; reports are rebuilt from
this file alone. The first line of a run is a header with the suite's
provenance; readers tolerate a truncated last line (the run was killed).

Record format 2 adds what the HTML report needs so that it never reads case
files: the case's code, the expectation resolved for the runner, the case's
documented differences, and the selector of the difference that applied to
the runner (so a report can tell "difference still holds" from "no longer
shows"). Format 1 files stay readable; those fields are then empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from conformance.case import Case, Difference
from conformance.compare import Verdict
from conformance.errors import ResultsFileError
from conformance.outcome import FlatRecord, Outcome

FORMAT_VERSION = 2
#: Formats this reader understands (a header naming another one is an error).
READABLE_FORMATS = frozenset({1, 2})


@dataclass(frozen=True)
class DocumentedDifference(FlatRecord):
    """A case's documented difference as recorded: the selector, the outcome shown instead, and why."""

    selector: str
    category: str
    reason: str
    workaround: str = ""
    outcome: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, difference: Difference) -> DocumentedDifference:
        return cls(difference.selector.text, difference.category, difference.reason, difference.workaround,
                   difference.outcome.to_json())


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
    code: str = ""
    #: The expectation resolved for this runner's capabilities (stdout/raises/message keys).
    expect: dict[str, object] = field(default_factory=dict)
    differences: tuple[DocumentedDifference, ...] = ()
    #: Selector of the documented difference that applied to this runner, if any.
    difference: str | None = None

    @classmethod
    def of(cls, case: Case, verdict: Verdict, outcome: Outcome) -> Record:
        applied = case.difference_for(outcome.runner.implementation, outcome.runner.version, outcome.capabilities)
        return cls(case.id, case.source.path, case.source.line, case.area, case.tags, verdict, outcome,
                   code=case.code, expect=case.expect.resolve(outcome.capabilities).to_json(),
                   differences=tuple(DocumentedDifference.of(d) for d in case.differences),
                   difference=applied.selector.text if applied else None)

    @property
    def runner(self) -> str:
        return self.outcome.runner.name

    def to_json(self) -> dict[str, object]:
        return {
            "type": "result", "case": self.case_id, "path": self.path, "line": self.line,
            "area": self.area, "tags": list(self.tags),
            "verdict": self.verdict.to_json(), "outcome": self.outcome.to_json(),
            "code": self.code, "expect": self.expect,
            "differences": [d.to_json() for d in self.differences], "difference": self.difference,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(
            case_id=str(data["case"]), path=str(data["path"]), line=int(data["line"]),
            area=str(data["area"]), tags=tuple(data.get("tags", ())),
            verdict=Verdict.from_json(data["verdict"]),
            outcome=Outcome.from_json(data["outcome"]),
            code=str(data.get("code", "")),
            expect=dict(data.get("expect") or {}),
            differences=tuple(DocumentedDifference.from_json(d) for d in data.get("differences", ())),
            difference=data.get("difference"),
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
    #: Lines or files skipped by a lenient read, each naming its file and line.
    problems: list[ResultsFileError] = field(default_factory=list)


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            return list(enumerate(handle, start=1))
    except FileNotFoundError as exc:
        raise ResultsFileError(str(path), None, "no such results file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(str(path), None, f"cannot read the file ({exc})") from exc


def _check_header(data: dict[str, object]) -> None:
    version = data.get("format", 1)
    if version not in READABLE_FORMATS:
        raise ValueError(f"record format {version!r} is not one this suite reads "
                         f"({', '.join(map(str, sorted(READABLE_FORMATS)))}); upgrade micropython-conformance")


def read_results(paths: Iterable[Path], strict: bool = True) -> RunResults:
    """Read results files; a malformed line is an error except a truncated last one.

    With ``strict=False`` a missing file or a garbled line is recorded in
    ``problems`` (file and line named) and every other record is kept, so one
    bad line never costs the rest of a report.
    """
    results = RunResults()
    for path in paths:
        try:
            lines = _lines(path)
        except ResultsFileError as error:
            if strict:
                raise
            results.problems.append(error)
            continue
        for number, text in lines:
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                if data.get("type") == "header":
                    _check_header(data)
                    results.headers.append(data)
                else:
                    results.records.append(Record.from_json(data))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                if number == len(lines) and not text.endswith("\n"):
                    results.truncated = True
                    continue
                unreadable = ResultsFileError(str(path), number, f"unreadable record ({exc})")
                if strict:
                    raise unreadable from exc
                results.problems.append(unreadable)
    return results
