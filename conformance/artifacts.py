"""Reproduction files for failing case x runner pairs.

For each failure we keep the exact program and what came back, so a report
reader can re-run it by hand (`micropython <id>.<runner>.py`) without the
suite: ``<id>.<runner>.py`` holds the case code and
``<id>.<runner>.fail.json`` the outcome, verdict and case location.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.case import Case
from conformance.results import Record


def save_failure(directory: Path, case: Case, record: Record) -> Path:
    """Write the repro pair for one failure; returns the path of the .py file."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{case.id}.{record.runner}"
    program = directory / f"{stem}.py"
    program.write_text(case.code, encoding="utf-8")
    (directory / f"{stem}.fail.json").write_text(
        json.dumps(record.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return program
