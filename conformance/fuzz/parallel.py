"""Several searches at once, one process each (``mpconform fuzz --jobs N``), to use every core.

Generation (Hypothesis) runs in the searching process, so one search keeps
about one core busy; N processes with their own runners and seeds keep N
busy. Workers send progress counts and found divergences to the parent over
a queue; the parent drops a divergence another worker already reported
(same signature) and hands the rest on. Processes are spawned, not forked:
the parent may already hold a wasmtime engine and its ticker thread.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.fuzz.differential import Differential, Divergence, FuzzStats
from conformance.fuzz.signature import Signature
from runners.base import RunnerOptions

#: Seconds a worker may take beyond the time limit (shrinking, start-up) before it is stopped.
GRACE_SECONDS = 60.0


@dataclass(frozen=True)
class WorkerPlan:
    """What one worker searches with: runners, options, known signatures, time, grammars, seed."""

    runner_names: tuple[str, ...]
    options: RunnerOptions
    known: tuple[Signature, ...]
    seconds: float
    grammars: tuple[str, ...]
    seed: int


def _worker(index: int, plan: WorkerPlan, messages: Any) -> None:
    from conformance.fuzz.driver import search
    from runners import create_runner

    runners = {name: create_runner(name, plan.options) for name in plan.runner_names}
    try:
        differential = Differential(runners, plan.known)
        result = search(differential, plan.seconds, plan.grammars, seed=plan.seed,
                        on_found=lambda divergence: messages.put(("found", index, divergence)),
                        report=lambda stats, found: messages.put(("stats", index, stats)))
        messages.put(("done", index, differential.stats, result.shrink_seconds))
    finally:
        for runner in runners.values():
            runner.close()


@dataclass
class ParallelResult:
    """The merged outcome of the workers."""

    divergences: list[Divergence] = field(default_factory=list)
    stats: FuzzStats = field(default_factory=FuzzStats)
    seconds: float = 0.0
    shrink_seconds: float = 0.0  # summed over workers, so it can exceed ``seconds``

    def searching_rate(self, jobs: int) -> float:
        """Programs per second of wall time, excluding each worker's share spent shrinking."""
        return self.stats.programs / max(self.seconds - self.shrink_seconds / jobs, 1e-9)


def search_parallel(runner_names: Sequence[str], options: RunnerOptions, known: Sequence[Signature],
                    seconds: float, grammars: Sequence[str], jobs: int, seed: int | None = None,
                    on_found: Callable[[Divergence], None] | None = None, progress: bool = False) -> ParallelResult:
    """Run ``jobs`` searches in parallel for ``seconds``; divergences are deduplicated across them."""
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    base = random.randrange(1 << 30) if seed is None else seed
    plans = [WorkerPlan(tuple(runner_names), options, tuple(known), seconds, tuple(grammars), base + 1000 * i)
             for i in range(jobs)]
    workers = [context.Process(target=_worker, args=(i, plan, messages), daemon=True)
               for i, plan in enumerate(plans)]
    for worker in workers:
        worker.start()
    result = ParallelResult()
    accepted = list(known)
    latest: dict[int, FuzzStats] = {}
    started = time.monotonic()
    finished = 0
    while finished < jobs and time.monotonic() < started + seconds + GRACE_SECONDS:
        try:
            kind, index, *payload = messages.get(timeout=0.5)
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers):
                break
            continue
        if kind == "found":
            divergence = payload[0]
            if any(signature.covers(divergence.signature) for signature in accepted):
                result.stats.duplicates += 1
                continue
            accepted.append(divergence.signature)
            result.divergences.append(divergence)
            if on_found is not None:
                on_found(divergence)
        elif kind == "stats":
            latest[index] = payload[0]
        else:
            finished += 1
            latest.pop(index, None)
            result.stats.add(payload[0])
            result.shrink_seconds += payload[1]
        if progress:
            programs = result.stats.programs + sum(s.programs for s in latest.values())
            rate = programs / max(time.monotonic() - started, 1e-9)
            sys.stderr.write(f"\r{jobs} jobs: about {programs} programs, {rate:.0f}/s, "
                             f"{len(result.divergences)} divergences found ")
            sys.stderr.flush()
    for worker in workers:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
    if progress:
        sys.stderr.write("\n")
    result.stats.new = len(result.divergences)
    result.seconds = time.monotonic() - started
    return result
