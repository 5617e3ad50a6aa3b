"""The search: Hypothesis generates batches of programs, a new divergence fails the property and is shrunk.

One Hypothesis run stops at its first new divergence, shrinks it (the batch
to one program, the program to its smallest form that still shows a
divergence with the same coarse signature) and replays it; ``search`` then
records it as known and starts another run, until the time is up. Used by
``mpconform fuzz`` and by the pytest fuzz tests.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.internal.conjecture import engine as hypothesis_engine

from conformance.fuzz.differential import Differential, Divergence, FuzzStats
from conformance.fuzz.expressions import expression_programs
from conformance.fuzz.formatting import format_programs
from conformance.fuzz.profiles import BATCH_SIZE
from conformance.fuzz.program import Program
from conformance.fuzz.statements import statement_programs

GRAMMARS: dict[str, Callable[[], st.SearchStrategy[Program]]] = {
    "expressions": expression_programs,
    "statements": statement_programs,
    "formatting": format_programs,
}


def programs(grammars: Sequence[str] = tuple(GRAMMARS)) -> st.SearchStrategy[Program]:
    """Programs from the named grammars, mixed."""
    unknown = [g for g in grammars if g not in GRAMMARS]
    if unknown:
        raise ValueError(f"unknown grammar {', '.join(unknown)}; choose from {', '.join(GRAMMARS)}")
    return st.one_of(*(GRAMMARS[g]() for g in grammars))


def batches(grammars: Sequence[str] = tuple(GRAMMARS), size: int = BATCH_SIZE) -> st.SearchStrategy[list[Program]]:
    """Lists of up to ``size`` programs: one Hypothesis example, run as one batch per runner."""
    return st.lists(programs(grammars), min_size=1, max_size=size)


#: Batches per Hypothesis run in ``search``: short runs, so the time limit is kept.
EXAMPLES_PER_RUN = 10


class NewDivergence(AssertionError):
    """The property failed: two runners disagree in a way nothing known explains."""

    def __init__(self, divergence: Divergence) -> None:
        super().__init__(divergence.describe())
        self.divergence = divergence


#: Seconds Hypothesis may spend shrinking one divergence; then the smallest failing batch so far stands.
SHRINK_SECONDS = 10.0


@contextmanager
def bounded_shrinking(seconds: float = SHRINK_SECONDS) -> Iterator[None]:
    """Make Hypothesis give up shrinking a failure after ``seconds`` (its own limit is five minutes).

    Hypothesis documents ``MAX_SHRINKING_SECONDS`` as the knob to monkeypatch
    for this; it is restored on exit. With ``Target``'s deadline a little
    earlier, the last seconds cost nothing but drawing candidates.
    """
    saved = hypothesis_engine.MAX_SHRINKING_SECONDS
    hypothesis_engine.MAX_SHRINKING_SECONDS = int(seconds) + 2
    try:
        yield
    finally:
        hypothesis_engine.MAX_SHRINKING_SECONDS = saved


@dataclass
class Target:
    """The divergence being shrunk: its coarse signature, the shrink deadline, the last failing batch.

    Shrinking keeps to the coarse signature of the first failure, so it cannot
    wander to another divergence. Past the deadline every other batch passes
    at once (the shrinker stops gaining), and the last failing batch still
    fails, so Hypothesis's final replay reproduces it.
    """

    coarse: tuple[object, ...] | None = None
    found_at: float = 0.0
    deadline: float = 0.0
    last: tuple[str, ...] | None = None
    divergence: Divergence | None = None


def check_batch(differential: Differential, batch: Sequence[Program], target: Target | None = None,
                shrink_seconds: float = SHRINK_SECONDS) -> None:
    """The differential property for one batch: raise NewDivergence for the first new divergence."""
    sources = tuple(program.source for program in batch)
    if target is not None and target.coarse is not None and time.monotonic() > target.deadline:
        if sources == target.last and target.divergence is not None:
            raise NewDivergence(target.divergence)
        return
    shrinking = target is not None and target.coarse is not None
    for divergence in differential.new_divergences(batch, counted=not shrinking):
        coarse = divergence.signature.coarse
        if target is not None:
            if target.coarse is not None and target.coarse != coarse:
                continue
            if target.coarse is None:
                target.found_at = time.monotonic()
                target.coarse, target.deadline = coarse, target.found_at + shrink_seconds
            target.last, target.divergence = sources, divergence
        raise NewDivergence(divergence)


@dataclass
class SearchResult:
    """What a time-bounded search found."""

    divergences: list[Divergence] = field(default_factory=list)
    seconds: float = 0.0
    shrink_seconds: float = 0.0  # of ``seconds``, spent shrinking divergences

    def searching_rate(self, programs: int) -> float:
        """Programs per second while searching (shrinking runs are not counted in the stats either)."""
        return programs / max(self.seconds - self.shrink_seconds, 1e-9)


class ProgressLine:
    """One status line on stderr: programs per second, classified differences, divergences.

    ``report`` replaces the writing (a parallel worker sends its counts to the parent instead).
    """

    def __init__(self, differential: Differential, enabled: bool,
                 report: Callable[[FuzzStats, int], None] | None = None) -> None:
        self.differential = differential
        self.enabled = enabled or report is not None
        self.report = report or self.write
        self.start = time.perf_counter()
        self._last = 0.0
        self.found = 0

    def update(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last < 0.5):
            return
        self._last = now
        self.report(self.differential.stats, self.found)

    def write(self, stats: FuzzStats, found: int) -> None:
        rate = stats.programs / max(time.perf_counter() - self.start, 1e-9)
        sys.stderr.write(f"\r{stats.programs} programs, {rate:.0f}/s, {sum(stats.classified.values())} known "
                         f"differences, {found} divergences found ")
        sys.stderr.flush()


def _property(differential: Differential, strategy: st.SearchStrategy[list[Program]], line: ProgressLine,
              target: Target) -> Callable[[], None]:
    """One Hypothesis run of the property: at most EXAMPLES_PER_RUN batches, no database."""

    @settings(max_examples=EXAMPLES_PER_RUN, deadline=None, database=None, derandomize=False,
              phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @given(strategy)
    def prop(batch: list[Program]) -> None:
        line.update()
        check_batch(differential, batch, target)

    return prop  # type: ignore[no-any-return]


def search(differential: Differential, seconds: float, grammars: Sequence[str] = tuple(GRAMMARS),
           on_found: Callable[[Divergence], None] | None = None, progress: bool = False,
           batch_size: int = BATCH_SIZE, seed: int | None = None, limit: int | None = None,
           report: Callable[[FuzzStats, int], None] | None = None) -> SearchResult:
    """Fuzz for ``seconds`` (or until ``limit`` divergences); each new one is shrunk, passed to ``on_found``
    and made known."""
    result = SearchResult()
    line = ProgressLine(differential, progress, report)
    started = time.monotonic()
    deadline = started + seconds
    strategy = batches(grammars, batch_size)
    run = 0
    while time.monotonic() < deadline and (limit is None or len(result.divergences) < limit):
        target = Target()
        prop = _property(differential, strategy, line, target)
        if seed is not None:
            prop = hypothesis.seed(seed + run)(prop)
        run += 1
        try:
            with bounded_shrinking():
                prop()
            continue
        except NewDivergence as found:
            result.shrink_seconds += time.monotonic() - target.found_at
            divergence = found.divergence
        except Flaky:
            result.shrink_seconds += time.monotonic() - target.found_at if target.coarse else 0.0
            if target.divergence is None:
                continue
            divergence = target.divergence  # the replay differed; the last failing batch still stands
        differential.known.append(divergence.signature)
        differential.stats.new += 1
        result.divergences.append(divergence)
        line.found += 1
        if on_found is not None:
            on_found(divergence)
    line.update(force=True)
    if progress and report is None:
        sys.stderr.write("\n")
    result.seconds = time.monotonic() - started
    return result
