"""The differential property: run programs on several runners and find the new divergences.

MicroPython runners are compared with the newest MicroPython runner (the
reference) exactly; CPython is compared with the reference through the
classifier, so documented differences are counted, not reported. A
divergence whose signature is already known (saved earlier, or found earlier
in this run) is counted as a duplicate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from conformance.case import Case, Expectation, OutcomeSpec, SourceRef, parse_version
from conformance.fuzz.classify import agree, classify
from conformance.fuzz.program import Program
from conformance.fuzz.signature import Signature, runner_label, signature_of
from conformance.outcome import Outcome, RunnerIdentity, Status

#: Time limit per program (seconds); generated programs take milliseconds.
PROGRAM_TIMEOUT = 5.0


@dataclass(frozen=True)
class Divergence:
    """Two runners disagree on a program in a way no documented difference explains."""

    program: Program
    outcomes: Mapping[str, Outcome]
    pair: tuple[str, str]
    signature: Signature

    def describe(self) -> str:
        first, second = (self.outcomes[name] for name in self.pair)
        lines = [f"divergence {self.signature.describe()}", "program:"]
        lines += [f"  {n:3d} | {line}" for n, line in enumerate(self.program.source.splitlines(), start=1)]
        for outcome in (first, second):
            ending = outcome.status.value + (f" {outcome.exc_type}: {outcome.exc_message}" if outcome.exc_type else "")
            lines.append(f"{outcome.runner.name} ({outcome.runner.implementation} {outcome.runner.version}): "
                         f"{ending}; stdout {outcome.stdout!r}")
        return "\n".join(lines)


@dataclass
class FuzzStats:
    """Counts for the progress line and the closing summary."""

    programs: int = 0
    batches: int = 0
    agreed: int = 0
    classified: Counter[str] = field(default_factory=Counter)
    new: int = 0
    duplicates: int = 0
    syntax_errors: Counter[str] = field(default_factory=Counter)

    def add(self, other: FuzzStats) -> None:
        """Add another search's counts to these (parallel workers)."""
        for name in ("programs", "batches", "agreed", "new", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.classified.update(other.classified)
        self.syntax_errors.update(other.syntax_errors)

    def summary(self) -> str:
        known = ", ".join(f"{k} {v}" for k, v in self.classified.most_common()) or "none"
        compiled = ", ".join(f"{name} {1 - n / max(self.programs, 1):.1%}" for name, n in
                             sorted(self.syntax_errors.items())) or "all 100%"
        return (f"{self.programs} programs: {self.agreed} agreed everywhere; known CPython differences: {known}; "
                f"new divergences {self.new} (+{self.duplicates} duplicates); compiled: {compiled}")


def run_programs(runner: Any, codes: Sequence[str], timeout: float = PROGRAM_TIMEOUT) -> list[Outcome]:
    """Outcomes of ``codes`` on ``runner``, batched when the runner can (``run_batch``)."""
    if hasattr(runner, "run_batch"):
        return list(runner.run_batch(codes, timeout))
    return [runner.run(Case(f"fuzz-{i}", code, Expectation(OutcomeSpec()), SourceRef("<fuzz>", 1), "fuzz",
                            timeout=timeout)) for i, code in enumerate(codes)]


def reference_of(identities: Mapping[str, RunnerIdentity]) -> str:
    """The newest MicroPython among these runners: the others are compared with it."""
    micropythons = [name for name, ident in identities.items() if ident.implementation != "cpython"]
    return max(micropythons, key=lambda name: parse_version(identities[name].version))


def signatures_in_subsets(program: Program, outcomes: Mapping[str, Outcome]) -> list[Signature]:
    """The divergence signatures a run on any subset of these runners would see for ``program``.

    Saved with a case, so the divergence is known whichever of the runners a later run uses
    (the reference, and so the pairs compared, depend on which MicroPythons take part).
    """
    found: list[Signature] = []
    names = list(outcomes)
    for size in range(2, len(names) + 1):
        for subset in combinations(names, size):
            identities = {name: outcomes[name].runner for name in subset}
            if all(ident.implementation == "cpython" for ident in identities.values()):
                continue
            reference = outcomes[reference_of(identities)]
            for name in subset:
                other = outcomes[name]
                if other is reference or agree(reference, other):
                    continue
                classified = classify(reference, other)
                if classified.known:
                    continue
                signature = signature_of(program.body, (runner_label(reference.runner), runner_label(other.runner)),
                                         classified.micropython,
                                         classified.other)
                if signature not in found:
                    found.append(signature)
    return found


class Differential:
    """Runs programs on named runners and sorts their differences into agreed, known and new."""

    def __init__(self, runners: Mapping[str, Any], known: Iterable[Signature] = ()) -> None:
        self.runners = dict(runners)
        self.identities = {name: runner.probe().identity for name, runner in self.runners.items()}
        micropythons = [n for n, ident in self.identities.items() if ident.implementation != "cpython"]
        if not micropythons or len(self.runners) < 2:
            raise ValueError("differential fuzzing needs a MicroPython runner and at least one other runner; "
                             f"got {', '.join(self.runners) or 'none'}")
        self.reference = reference_of({name: self.identities[name] for name in micropythons})
        self.known: list[Signature] = list(known)
        self.stats = FuzzStats()

    def outcomes(self, programs: Sequence[Program]) -> list[dict[str, Outcome]]:
        """Each program's outcome on every runner, in program order."""
        codes = [p.source for p in programs]
        per_runner = {name: run_programs(runner, codes) for name, runner in self.runners.items()}
        return [{name: per_runner[name][i] for name in self.runners} for i in range(len(codes))]

    def divergences(self, program: Program, outcomes: Mapping[str, Outcome],
                    stats: FuzzStats | None = None) -> list[Divergence]:
        """Every unexplained difference of one program (known signatures included; see ``is_known``)."""
        reference = outcomes[self.reference]
        found = []
        for name, outcome in outcomes.items():
            if name == self.reference or agree(reference, outcome):
                continue
            classified = classify(reference, outcome)
            if classified.category is not None:
                (stats or self.stats).classified[classified.category] += 1
                continue
            labels = (runner_label(self.identities[self.reference]), runner_label(self.identities[name]))
            found.append(Divergence(program, dict(outcomes), (self.reference, name),
                                    signature_of(program.body, labels, classified.micropython,
                                                 classified.other)))
        return found

    def is_known(self, divergence: Divergence) -> bool:
        return any(known.covers(divergence.signature) for known in self.known)

    def new_divergences(self, programs: Sequence[Program], counted: bool = True) -> list[Divergence]:
        """Run a batch; count what agreed or is known (unless ``counted`` is False: shrinking runs);
        return the new divergences."""
        stats = self.stats if counted else FuzzStats()
        new: list[Divergence] = []
        for program, outcomes in zip(programs, self.outcomes(programs), strict=True):
            stats.programs += 1
            for name, outcome in outcomes.items():
                if outcome.status is Status.RAISED and outcome.exc_type == "SyntaxError":
                    stats.syntax_errors[name] += 1
            found = self.divergences(program, outcomes, stats)
            if not found and all(agree(outcomes[self.reference], o) for o in outcomes.values()):
                stats.agreed += 1
            for divergence in found:
                if self.is_known(divergence):
                    stats.duplicates += 1
                else:
                    new.append(divergence)
        stats.batches += 1
        return new
