"""conformance/__init__.py: the public API is exactly what __all__ says, and all of it imports."""

from __future__ import annotations

import importlib
import subprocess
import sys

import conformance

EXPECTED = {
    "SCHEMA_VERSION",
    "Case",
    "CaseFileError",
    "CaseFileErrors",
    "ConformanceError",
    "DiffKind",
    "Difference",
    "Expectation",
    "HeapFigures",
    "MemoryBudget",
    "Outcome",
    "OutcomeSpec",
    "Probe",
    "ProbeError",
    "Record",
    "ResultsFileError",
    "ResultsWriter",
    "RunnerIdentity",
    "RunnerUnavailable",
    "Status",
    "UnknownRunner",
    "Verdict",
    "VerdictKind",
    "compare",
    "load_file",
    "load_suite",
    "read_results",
}


def test_all_is_the_expected_set() -> None:
    assert len(conformance.__all__) == len(set(conformance.__all__)), "no duplicates"
    assert set(conformance.__all__) == EXPECTED


def test_every_name_is_importable() -> None:
    for name in conformance.__all__:
        assert getattr(conformance, name) is not None, name


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from conformance import *", namespace)
    assert set(namespace) - {"__builtins__"} == EXPECTED


def test_names_come_from_their_modules() -> None:
    homes = {"Case": "conformance.case", "compare": "conformance.compare", "Outcome": "conformance.outcome",
             "Record": "conformance.results", "UnknownRunner": "conformance.errors", "load_suite": "conformance.loader"}
    for name, module in homes.items():
        assert getattr(importlib.import_module(module), name) is getattr(conformance, name)


def test_errors_share_one_root() -> None:
    for name in ("CaseFileError", "CaseFileErrors", "ProbeError", "ResultsFileError", "RunnerUnavailable",
                 "UnknownRunner"):
        assert issubclass(getattr(conformance, name), conformance.ConformanceError), name


def test_schema_version() -> None:
    assert conformance.SCHEMA_VERSION == 1


def test_importing_the_package_is_light() -> None:
    """The public API imports no runner implementation (and so nothing heavy)."""
    script = ("import sys, conformance\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('runners', 'wasmtime', 'serial')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
