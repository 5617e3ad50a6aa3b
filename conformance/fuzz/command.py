"""``mpconform fuzz``: search for divergences for a while, save each one shrunk as a case.

Kept apart from conformance/cli.py so that Hypothesis is imported only when
fuzzing is asked for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.fuzz.differential import Differential, Divergence
from conformance.fuzz.driver import GRAMMARS, search
from conformance.fuzz.parallel import search_parallel
from conformance.fuzz.save import rerecord, save_divergence, saved_signatures


def available_runners(pool: Any) -> dict[str, Any]:
    """The pool's runners that are usable here; the others are named on stderr and left out."""
    usable = {}
    for name in pool.names:
        probe = pool.probe(name)
        if probe.available:
            usable[name] = pool.get(name)
        else:
            print(f"skipping runner {name}: {probe.reason}", file=sys.stderr)
    return usable


def run_fuzz(args: argparse.Namespace, pool: Any) -> int:
    """Fuzz for ``args.time`` seconds on the pool's runners; 1 when a new divergence was found."""
    grammars = [g.strip() for g in args.grammar.split(",")] if args.grammar else list(GRAMMARS)
    save_dir = Path(args.save) if args.save else None
    known = [*saved_signatures(Path(args.known)), *(saved_signatures(save_dir) if save_dir else [])]
    differential = Differential(available_runners(pool), known)
    if args.rerecord:
        if save_dir is None:
            raise ValueError("--rerecord needs --save DIR, the folder of saved fuzz cases")
        for path in rerecord(save_dir, differential):
            print(f"re-recorded {path}")
        return 0

    def found(divergence: Divergence) -> None:
        where = ""
        if save_dir is not None:
            where = f"\nsaved as {save_divergence(divergence, save_dir)}"
        print(("\n" if not args.quiet else "") + divergence.describe() + where + "\n", flush=True)

    progress = not args.quiet and sys.stderr.isatty()
    if args.jobs > 1:
        merged = search_parallel(list(differential.runners), pool.options, differential.known, args.time, grammars,
                                 args.jobs, args.seed, found, progress)
        stats, seconds, found_count = merged.stats, merged.seconds, len(merged.divergences)
        searching, shrinking = merged.searching_rate(args.jobs), merged.shrink_seconds
    else:
        result = search(differential, args.time, grammars, on_found=found, progress=progress, seed=args.seed)
        stats, seconds, found_count = differential.stats, result.seconds, len(result.divergences)
        searching, shrinking = result.searching_rate(stats.programs), result.shrink_seconds
    print(f"{stats.summary()}; {stats.programs / max(seconds, 1e-9):.0f} programs/s over {seconds:.1f} s "
          f"({searching:.0f}/s outside {shrinking:.1f} s of shrinking) on {', '.join(differential.runners)} "
          f"with {args.jobs} job(s); {len(known)} known signatures loaded")
    return 1 if found_count else 0
