"""`mpconform`: run the corpus, write reports, inspect runners and cases.

A thin layer over the same core the pytest plugin uses (loader, RunnerPool,
compare, results, report), so both produce the same verdicts.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from conformance.artifacts import save_failure
from conformance.baseline import DEFAULT_HEAP_THRESHOLD, compare_runs
from conformance.baseline import render_markdown as render_changes
from conformance.compare import VerdictKind
from conformance.differential import agreement, side_by_side
from conformance.errors import ConformanceError
from conformance.html import build_site
from conformance.loader import load_suite
from conformance.report import build_report, render_markdown
from conformance.results import ResultsWriter, RunResults, read_results
from conformance.session import SUITE_ROOT, RunnerPool, parse_runner_list, provenance
from runners.base import RunnerOptions


def _default_cases() -> list[Path]:
    local = Path.cwd() / "cases"
    return [local if local.is_dir() else SUITE_ROOT / "cases"]


def _add_runner_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runner", default=None,
                        help="comma-separated runner names (default: embedded runners, plus unix if found)")
    parser.add_argument("--micropython", default=None, help="unix-port binary (or env MICROPY_MICROPYTHON)")
    parser.add_argument("--heapsize", default=None, help="MicroPython heap size, e.g. 2M")
    parser.add_argument("--timeout", type=float, default=None, help="time limit per case in seconds")
    parser.add_argument("--port", default=None,
                        help="serial runner: auto (a Pico by USB VID), a device path, or qemu:microbit")
    parser.add_argument("--serial-reuse", action="store_true",
                        help="serial runners: no soft reset between cases (faster, shared state)")
    parser.add_argument("--vm-profile", default="unix64",
                        help="refvm runner: the build it models (unix64, unix32, pico32, wasm32)")


def _pool(args: argparse.Namespace) -> RunnerPool:
    names = parse_runner_list(args.runner, args.micropython)
    return RunnerPool(names, RunnerOptions(micropython=args.micropython, heapsize=args.heapsize,
                                           timeout=args.timeout, port=args.port,
                                           reuse_session=args.serial_reuse,
                                           extra={"profile": args.vm_profile}))


class Progress:
    """One status line on stderr: done/total, rate, failures so far."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.failed = 0
        self.start = time.perf_counter()
        self._last = 0.0

    def step(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.perf_counter()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            rate = self.done / max(now - self.start, 1e-9)
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                             f"{rate:.0f}/s, {self.failed} failed")
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def write_reports(results: RunResults, out: Path, markdown: Path | None = None) -> dict[str, object]:
    """report.json and report.md in ``out`` from saved results (and the Markdown also at ``markdown``)."""
    report = build_report(results)
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = render_markdown(report)
    (out / "report.md").write_text(text, encoding="utf-8")
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(text, encoding="utf-8")
    return report


def cmd_run(args: argparse.Namespace) -> int:
    suite = load_suite([Path(p) for p in args.paths] or _default_cases())
    for error in suite.errors:
        print(error, file=sys.stderr)
    pool = _pool(args)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else SUITE_ROOT / "reports" / f"run-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    probes = {}
    for name in pool.names:
        probe = pool.probe(name)
        if probe.available:
            probes[name] = probe
        else:
            print(f"skipping runner {name}: {probe.reason}", file=sys.stderr)
    names = list(probes)
    writer = ResultsWriter(out / "results.jsonl", provenance(names, probes))
    progress = Progress(len(suite.cases) * len(names), enabled=not args.quiet and sys.stderr.isatty())
    try:
        for case in suite.cases:
            for name in names:
                record = pool.run(case, name)
                writer.add(record)
                if record.verdict.kind is VerdictKind.FAIL:
                    save_failure(out / "artifacts", case, record)
                progress.step(record.verdict.kind is VerdictKind.FAIL)
    finally:
        progress.finish()
        writer.close()
        pool.close()
    markdown = Path(args.markdown) if args.markdown else None
    report = write_reports(read_results([out / "results.jsonl"]), out, markdown)
    failures = len(report["failures"])  # type: ignore[arg-type]
    print(f"{len(suite.cases)} cases x {len(names)} runners: {failures} failures, "
          f"{len(suite.errors)} bad case files; wrote {out}/results.jsonl, report.json, report.md")
    return 1 if failures or suite.errors else 0


def cmd_runners(args: argparse.Namespace) -> int:
    pool = _pool(args)
    rows = []
    try:
        for name in pool.names:
            probe = pool.probe(name)
            ident = probe.identity
            if probe.available:
                rows.append(f"{name:10} yes  {ident.implementation} {ident.version} {ident.word_bits}-bit  "
                            f"{ident.details}\n{'':15}capabilities: {', '.join(sorted(probe.capabilities))}")
            else:
                rows.append(f"{name:10} no   {probe.reason}")
    finally:
        pool.close()
    print("\n".join(rows))
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    suite = load_suite([Path(p) for p in args.paths] or _default_cases())
    for error in suite.errors:
        print(error)
    print(f"{len(suite.cases)} cases valid, {len(suite.errors)} files with errors")
    return 1 if suite.errors else 0


def cmd_diff(args: argparse.Namespace) -> int:
    suite = load_suite([Path(p) for p in args.paths] or _default_cases())
    matches = [c for c in suite.cases if c.id == args.case_id]
    if not matches:
        print(f"no case with id {args.case_id!r} (searched {len(suite.cases)} cases)", file=sys.stderr)
        return 2
    case = matches[0]
    pool = _pool(args)
    records = []
    try:
        for name in pool.names:
            if pool.probe(name).available:
                records.append(pool.run(case, name))
    finally:
        pool.close()
    print(f"{case.source.path}:{case.source.line}: {case.id}")
    print(side_by_side([r.outcome for r in records]))
    print("agreement: " + " | ".join(", ".join(group) for group in agreement([r.outcome for r in records])))
    for record in records:
        verdict = record.verdict
        print(f"verdict {record.runner}: {verdict.kind.value}"
              + (f" ({verdict.diff_kind.value})" if verdict.diff_kind else "")
              + (f" - {verdict.note}" if verdict.note else ""))
    return 0


def _read_leniently(paths: list[str]) -> RunResults:
    """Read results files, naming each skipped line or missing file on stderr and keeping the rest."""
    results = read_results([Path(p) for p in paths], strict=False)
    for problem in results.problems:
        print(f"mpconform: skipped: {problem}", file=sys.stderr)
    return results


def cmd_report(args: argparse.Namespace) -> int:
    results = _read_leniently(args.results)
    if not results.records and results.problems:
        print("mpconform: no readable results; nothing to report", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(args.results[0]).parent
    out.mkdir(parents=True, exist_ok=True)
    report = write_reports(results, out, Path(args.markdown) if args.markdown else None)
    print(f"{len(results.records)} verdicts, {len(report['failures'])} failures; "  # type: ignore[arg-type]
          f"wrote {out}/report.json and {out}/report.md")
    comparison = None
    problems = len(results.problems)
    if args.baseline:
        baseline = _read_leniently([args.baseline])
        problems += len(baseline.problems)
        comparison = compare_runs(baseline, results, args.heap_threshold)
        text = render_changes(comparison)
        (out / "changes.md").write_text(text, encoding="utf-8")
        print(text, end="")
        print(f"wrote {out}/changes.md")
    if args.html:
        site = build_site(results, Path(args.html), comparison)
        print(f"wrote {site.pages} pages in {site.seconds:.2f} s; open {site.index}")
    return 1 if problems else 0


def cmd_fuzz(args: argparse.Namespace) -> int:
    try:
        from conformance.fuzz.command import run_fuzz
    except ImportError as exc:
        print(f"mpconform fuzz needs {exc.name}: pip install -e '.[test]' (or pip install hypothesis)",
              file=sys.stderr)
        return 2
    pool = _pool(args)
    try:
        return run_fuzz(args, pool)
    except ValueError as exc:
        print(f"mpconform fuzz: {exc}", file=sys.stderr)
        return 2
    finally:
        pool.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mpconform", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run cases on runners and write results.jsonl, report.json, report.md")
    _add_runner_options(run)
    run.add_argument("--out", default=None, help="output folder (default: reports/run-DATE)")
    run.add_argument("--markdown", default=None, metavar="PATH",
                     help="also write the Markdown report here (e.g. reports/README.md)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.add_argument("paths", nargs="*", help="case files or folders (default: cases/)")
    run.set_defaults(func=cmd_run)
    probe = commands.add_parser("runners", help="probe runners: version, word size, capabilities")
    _add_runner_options(probe)
    probe.set_defaults(func=cmd_runners)
    lint = commands.add_parser("lint", help="validate case files")
    lint.add_argument("paths", nargs="*")
    lint.set_defaults(func=cmd_lint)
    diff = commands.add_parser("diff", help="run one case on every runner and show outcomes side by side")
    _add_runner_options(diff)
    diff.add_argument("case_id")
    diff.add_argument("paths", nargs="*")
    diff.set_defaults(func=cmd_diff)
    report = commands.add_parser("report", help="rebuild report.json and report.md (and the HTML site, or a "
                                 "comparison with a baseline) from results.jsonl files")
    report.add_argument("results", nargs="+", help="results.jsonl files (several: their runners side by side)")
    report.add_argument("--out", default=None, help="folder for report.json, report.md (default: beside the "
                        "first results file)")
    report.add_argument("--markdown", default=None, metavar="PATH", help="also write the Markdown report here")
    report.add_argument("--html", default=None, metavar="DIR",
                        help="also build the static HTML site in DIR (open DIR/index.html)")
    report.add_argument("--baseline", default=None, metavar="OLD.jsonl",
                        help="compare with an earlier run: new failures, fixes, changed outputs, heap growth "
                             "(printed as Markdown and written to changes.md; with --html also changes.html)")
    report.add_argument("--heap-threshold", type=float, default=DEFAULT_HEAP_THRESHOLD, metavar="PERCENT",
                        help=f"heap growth worth reporting (default {DEFAULT_HEAP_THRESHOLD:g}%%, and at least "
                             "one heap block)")
    report.set_defaults(func=cmd_report)
    fuzz = commands.add_parser("fuzz", help="generate programs, run them on several runners, save shrunk divergences")
    _add_runner_options(fuzz)
    fuzz.add_argument("--time", type=float, default=60.0, metavar="SECONDS", help="how long to search (default 60)")
    fuzz.add_argument("--save", default=None, metavar="DIR",
                      help="write each new divergence as a case file here (e.g. cases/fuzz/); "
                           "divergences already saved there count as known")
    fuzz.add_argument("--grammar", default=None,
                      help="comma-separated grammars: expressions,statements,formatting (default: all)")
    fuzz.add_argument("--known", default=str(_default_cases()[0] / "fuzz"), metavar="DIR",
                      help="divergences saved here are known and not reported again (default: cases/fuzz)")
    fuzz.add_argument("--rerecord", action="store_true",
                      help="do not search: run the cases saved in --save DIR on these runners and rewrite them "
                           "with every runner's outcome")
    fuzz.add_argument("--jobs", type=int, default=1, metavar="N",
                      help="searches in parallel, one process each with its own runners (e.g. 2 on 2 cores)")
    fuzz.add_argument("--seed", type=int, default=None, help="Hypothesis seed, for a reproducible search")
    fuzz.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    fuzz.set_defaults(func=cmd_fuzz)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # Options may follow positional paths (`mpconform diff ID --runner x cases/`):
    # argparse leaves such trailing paths over, so they are added back here.
    args, leftover = parser.parse_known_args(argv)
    if leftover:
        if not hasattr(args, "paths") or any(item.startswith("-") for item in leftover):
            parser.error(f"unrecognized arguments: {' '.join(leftover)}")
        args.paths = [*args.paths, *leftover]
    try:
        return int(args.func(args))
    except ConformanceError as exc:
        print(f"mpconform: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
