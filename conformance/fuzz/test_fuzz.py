"""The differential fuzz tests: ``pytest conformance/ -m fuzz --hypothesis-profile ci``.

Collected by the conformance plugin when ``-m fuzz`` is given (a corpus run
does not include them). One property per grammar: on every batch of
generated programs the runners (``--runner``, default: the embedded runners
plus unix when found) agree, or differ only in a documented way. A new
divergence fails with the shrunk program and each runner's outcome; save it
as a case with ``--fuzz-save cases/fuzz/`` (or ``mpconform fuzz --save cases/fuzz/``). Divergences saved in
cases/fuzz/ are known and do not fail. Hypothesis's example database replays
a failure first on the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given

from conformance.fuzz.differential import Differential, Divergence
from conformance.fuzz.driver import NewDivergence, Target, batches, bounded_shrinking, check_batch
from conformance.fuzz.program import Program
from conformance.fuzz.save import save_divergence, saved_signatures
from conformance.plugin import _cases_root, _pool

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def differential(request: pytest.FixtureRequest) -> Iterator[Differential]:
    """The chosen runners that are usable here, with the divergences saved in cases/fuzz/ as known."""
    pool = _pool(request.config)
    runners = {name: pool.get(name) for name in pool.names if pool.probe(name).available}
    if len(runners) < 2 or all(r.probe().identity.implementation == "cpython" for r in runners.values()):
        pytest.skip(f"differential fuzzing needs a MicroPython runner and another runner; usable: {sorted(runners)}")
    fuzz = Differential(runners, saved_signatures(_cases_root(request.config) / "fuzz"))
    with bounded_shrinking():
        yield fuzz
    request.config.stash.setdefault(FUZZ_SUMMARIES, []).append(fuzz.stats.summary())


FUZZ_SUMMARIES = pytest.StashKey[list[str]]()
_TARGETS: dict[str, Target] = {}
#: The last divergence raised per grammar: after Hypothesis's final replay, the shrunk one.
_LAST: dict[str, Divergence] = {}


def _check(differential: Differential, batch: list[Program], grammar: str) -> None:
    try:
        check_batch(differential, batch, _TARGETS.setdefault(grammar, Target()))
    except NewDivergence as failure:
        _LAST[grammar] = failure.divergence
        raise


@pytest.fixture(autouse=True)
def _save_shrunk_divergence(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --fuzz-save DIR, the shrunk divergence of a failing test becomes a case file in DIR."""
    _LAST.clear()
    _TARGETS.clear()
    yield
    folder = request.config.getoption("fuzz_save")
    for divergence in _LAST.values():
        if folder:
            print(f"saved as {save_divergence(divergence, Path(folder))}")


@given(batch=batches(["expressions"]))
def test_expressions_agree(differential: Differential, batch: list[Program]) -> None:
    _check(differential, batch, "expressions")


@given(batch=batches(["statements"]))
def test_statements_agree(differential: Differential, batch: list[Program]) -> None:
    _check(differential, batch, "statements")


@given(batch=batches(["formatting"]))
def test_formatting_agrees(differential: Differential, batch: list[Program]) -> None:
    _check(differential, batch, "formatting")
