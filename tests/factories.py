"""Builders for cases and outcomes used by several test modules.

Cases are built the way the suite builds them (YAML text through the loader),
so a test's case means exactly what the same text in a case file means.
"""

from __future__ import annotations

from typing import Any

import yaml

from conformance.case import Case
from conformance.loader import build_case, parse_document
from conformance.outcome import HeapFigures, Outcome, RunnerIdentity, Status

SHOWN = "cases/demo/demo.yaml"

CPYTHON = RunnerIdentity("cpython", "cpython", "3.12.1", 64, "test identity")
WASM = RunnerIdentity("wasm", "micropython", "1.27.0", 32, "test identity")
UNIX = RunnerIdentity("unix", "micropython", "1.27.0", 64, "test identity")

BASE_CAPS = frozenset({"float", "float-double", "bigint", "set", "error-detailed", "wordsize-32"})


def case_yaml(*cases: dict[str, Any]) -> str:
    """A complete case file (schema_version 1) holding these case mappings."""
    return yaml.safe_dump({"schema_version": 1, "cases": list(cases)}, sort_keys=False)


def make_case(raw: dict[str, Any] | None = None, **keys: Any) -> Case:
    """One case from a case mapping, through the loader's validation and building."""
    mapping: dict[str, Any] = {"id": "demo", "code": "pass", **(raw or {}), **keys}
    doc = parse_document(case_yaml(mapping), SHOWN)
    return build_case(doc.data["cases"][0], 0, doc, SHOWN, "demo")  # type: ignore[index]


def make_outcome(
    identity: RunnerIdentity = WASM,
    status: Status | None = None,
    stdout: str = "",
    exc_type: str | None = None,
    exc_message: str | None = None,
    heap: HeapFigures | None = None,
    capabilities: frozenset[str] = BASE_CAPS,
    **extra: Any,
) -> Outcome:
    """An outcome; the status defaults to raised/ok from exc_type."""
    if status is None:
        status = Status.RAISED if exc_type else Status.OK
    return Outcome(identity, status, stdout=stdout, exc_type=exc_type, exc_message=exc_message,
                   heap=heap, capabilities=capabilities, **extra)
