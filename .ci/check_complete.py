"""CI check: every case of the corpus has exactly one verdict for RUNNER in RESULTS.

Usage: python .ci/check_complete.py RESULTS.jsonl RUNNER
A missing verdict means a case hung past every guard or a result was lost;
a harness-level error would show as a crash whose detail names the harness.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from conformance.loader import load_suite
from conformance.outcome import Status
from conformance.results import read_results


def main() -> int:
    results_path, runner = Path(sys.argv[1]), sys.argv[2]
    expected = {case.id for case in load_suite([Path("cases")]).cases}
    records = [r for r in read_results([results_path]).records if r.runner == runner]
    seen = Counter(r.case_id for r in records)
    missing = sorted(expected - set(seen))
    doubled = sorted(case for case, count in seen.items() if count > 1)
    statuses = Counter(r.outcome.status.value for r in records)
    verdicts = Counter(r.verdict.kind.value for r in records)
    print(f"{runner}: {len(records)} verdicts for {len(expected)} cases; verdicts {dict(verdicts)}; "
          f"statuses {dict(statuses)}")
    unresponsive = [r.case_id for r in records if r.outcome.status is Status.UNRESPONSIVE]
    problems = []
    if missing:
        problems.append(f"{len(missing)} cases without a verdict, e.g. {missing[:5]}")
    if doubled:
        problems.append(f"{len(doubled)} cases with more than one verdict, e.g. {doubled[:5]}")
    if unresponsive:
        problems.append(f"the board was given up on; {len(unresponsive)} cases not run, from {unresponsive[0]}")
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
