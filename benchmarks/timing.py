"""Shared by the benchmark scripts: a median-of-batches timer and a one-off case builder."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from conformance.case import Case, Expectation, OutcomeSpec, SourceRef


def per_call(function: Callable[[], object], count: int) -> float:
    """Median seconds per call over ``count`` calls, in 5 batches."""
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(max(1, count // 5)):
            function()
        batches.append((time.perf_counter() - start) / max(1, count // 5))
    return statistics.median(batches)


def make_case(name: str, code: str, stdout: str) -> Case:
    """A case outside the corpus, expecting ``stdout``."""
    return Case(name, code, Expectation(OutcomeSpec(stdout=stdout, given=frozenset({"stdout"}))),
                SourceRef("bench", 1), "bench")
