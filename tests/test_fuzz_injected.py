"""The fuzzer finds an injected divergence, shrinks it to a few lines, and saves a case that reproduces it.

The injected divergence is a runner wrapper around WASM MicroPython whose
``sorted`` reverses results of three or more items (a prelude rebinds the
builtin): a MicroPython implementation that differs from the real one in one
behaviour. It claims an older version, so the saved case can document it
with a version selector.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance.case import Case
from conformance.compare import VerdictKind, compare
from conformance.fuzz.differential import Differential
from conformance.fuzz.driver import search
from conformance.fuzz.save import save_divergence, saved_signatures
from conformance.loader import load_file
from conformance.outcome import Outcome, Probe
from runners import create_runner

MUTANT_PRELUDE = ("def sorted(x, _sorted=sorted, **k):\n    r = _sorted(x, **k)\n"
                  "    return r[::-1] if len(r) > 2 else r\n")


class SortedMutant:
    """WASM MicroPython with a broken ``sorted``, reporting itself as version 1.0.0."""

    name = "wasm-mutant"

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def probe(self) -> Probe:
        probe = self.inner.probe()
        return replace(probe, identity=replace(probe.identity, name=self.name, version="1.0.0"))

    def _own(self, outcome: Outcome) -> Outcome:
        return replace(outcome, runner=self.probe().identity)

    def run_batch(self, codes: Sequence[str], timeout: float) -> list[Outcome]:
        return [self._own(o) for o in self.inner.run_batch([MUTANT_PRELUDE + c for c in codes], timeout)]

    def run(self, case: Case) -> Outcome:
        return self._own(self.inner.run(replace(case, code=MUTANT_PRELUDE + case.code)))

    def close(self) -> None:
        """The inner runner is closed by its owner."""


@pytest.fixture(scope="module")
def wasm() -> Iterator[Any]:
    runner = create_runner("wasm")
    if not runner.probe().available:
        pytest.skip(runner.probe().reason)
    yield runner
    runner.close()


def test_injected_divergence_is_found_shrunk_saved_and_reproduced(wasm: Any, tmp_path: Path) -> None:
    mutant = SortedMutant(wasm)
    differential = Differential({"wasm": wasm, "wasm-mutant": mutant})
    result = search(differential, seconds=60, grammars=["expressions"], seed=5, limit=1)
    assert result.divergences, differential.stats.summary()
    divergence = result.divergences[0]
    assert divergence.pair == ("wasm", "wasm-mutant")
    assert "sorted()" in divergence.signature.features or "sorted" in divergence.program.source
    body = [line for line in divergence.program.lines if line.strip()]
    assert len(body) <= 3, divergence.describe()
    print(divergence.describe())

    path = save_divergence(divergence, tmp_path / "cases" / "fuzz")
    (case,) = load_file(path, tmp_path)
    assert saved_signatures(path.parent) == [divergence.signature]
    real = compare(case, wasm.run(case))
    broken = compare(case, mutant.run(case))
    assert real.kind is VerdictKind.PASS
    assert broken.kind is VerdictKind.DOCUMENTED, broken.diff
