"""micropython-conformance: a differential conformance suite for MicroPython implementations.

The public API is what reports, plugins and third-party runners need; the
rest of the package is internal and may change.
"""

from conformance.case import SCHEMA_VERSION, Case, Difference, Expectation, MemoryBudget, OutcomeSpec
from conformance.compare import DiffKind, Verdict, VerdictKind, compare
from conformance.errors import (
    CaseFileError,
    CaseFileErrors,
    ConformanceError,
    ProbeError,
    ResultsFileError,
    RunnerUnavailable,
    UnknownRunner,
)
from conformance.loader import load_file, load_suite
from conformance.outcome import HeapFigures, Outcome, Probe, RunnerIdentity, Status
from conformance.results import Record, ResultsWriter, read_results

__all__ = [
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
]
