"""pytest entry point: case files become items, one per case and runner.

`pytest conformance/` collects the whole corpus (the `conformance` package
folder stands for the cases root); `pytest cases/ints/bigint.yaml` collects
one file. Item ids read `cases/ints/bigint.yaml::bigint-pow[wasm]`. A bad
file is one collection error naming file, line and field; every other file
still runs. Only verdicts decide pass/fail, via conformance.compare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.artifacts import save_failure
from conformance.case import Case
from conformance.compare import VerdictKind
from conformance.errors import CaseFileErrors, ConformanceError
from conformance.loader import CASE_SUFFIXES, IdRegistry, iter_case_files, load_file
from conformance.results import Record, ResultsWriter

PACKAGE_DIR = Path(__file__).resolve().parent
FUZZ_TESTS = PACKAGE_DIR / "fuzz" / "test_fuzz.py"
POOL = pytest.StashKey[Any]()
IDS = pytest.StashKey[IdRegistry]()
WRITER = pytest.StashKey[ResultsWriter]()
RECORD_PROPERTY = "conformance_record"
#: Runners that drive one shared device; under xdist they need a single owner.
DEVICE_RUNNERS = frozenset({"serial"})


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "MicroPython conformance cases")
    group.addoption("--runner", default=None, metavar="NAMES",
                    help="comma-separated runners (cpython,wasm,unix,...); default: the embedded "
                         "runners plus unix when a binary is found")
    group.addoption("--micropython", default=None, metavar="PATH",
                    help="MicroPython unix-port binary for the unix runner (or env MICROPY_MICROPYTHON)")
    group.addoption("--heapsize", default=None, help="MicroPython heap size, e.g. 2M (-X heapsize=)")
    group.addoption("--case-timeout", type=float, default=None, metavar="SECONDS",
                    help="time limit for every case (default: each case's own, 10 s)")
    group.addoption("--port", default=None, metavar="PORT",
                    help="serial runner: 'auto' (a Raspberry Pi Pico by USB VID), a device such as "
                         "/dev/ttyACM0, or 'qemu:microbit' (the emulated micro:bit)")
    group.addoption("--serial-reuse", action="store_true", default=False,
                    help="serial runners: no soft reset between cases (faster; cases share interpreter state)")
    group.addoption("--vm-profile", default="unix64", metavar="NAME",
                    help="refvm runner: the build it models (unix64, unix32, pico32, wasm32)")
    group.addoption("--results", default=None, metavar="PATH", help="stream verdicts to this results.jsonl")
    group.addoption("--artifacts", default=None, metavar="DIR",
                    help="save each failing case's program and outcome in DIR (<id>.<runner>.py, .fail.json)")
    group.addoption("--fuzz-save", default=None, metavar="DIR",
                    help="fuzz tests (-m fuzz): write each new divergence, shrunk, as a case file in DIR "
                         "(e.g. cases/fuzz/)")
    group.addoption("--cases-root", default=None, metavar="DIR",
                    help="folder of case files (default: the ini value conformance_cases, 'cases')")
    parser.addini("conformance_cases", "folder of case files, relative to the rootdir", default="cases")


def _cases_root(config: pytest.Config) -> Path:
    chosen = config.getoption("cases_root") or config.getini("conformance_cases")
    return (config.rootpath / str(chosen)).resolve()


def wants_fuzz(config: pytest.Config) -> bool:
    """True when the marker expression asks for the fuzz tests (`-m fuzz`)."""
    return "fuzz" in (config.getoption("markexpr", "") or "")


def _register_fuzz_profiles(config: pytest.Config) -> None:
    """Make the fuzz profiles (ci, dev, deep) known before Hypothesis's plugin loads --hypothesis-profile."""
    from conformance.fuzz.profiles import PROFILES, register_profiles

    if wants_fuzz(config) or config.getoption("hypothesis_profile", None) in PROFILES:
        try:
            register_profiles()
        except ImportError as exc:
            raise pytest.UsageError("the fuzz tests need hypothesis: pip install -e '.[test]'") from exc


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance: a case from the conformance corpus")
    config.addinivalue_line("markers", "fuzz: differential fuzzing of the runners (pytest conformance/ -m fuzz)")
    _register_fuzz_profiles(config)
    # A malformed case file is one collection error; the other files must still run.
    config.option.continue_on_collection_errors = True
    names = (config.getoption("runner", None) or "").split(",")
    parallel = getattr(config.option, "numprocesses", None) and getattr(config.option, "dist", "no") in ("no", "load")
    if DEVICE_RUNNERS & set(names):
        # xdist_group marks only take effect with loadgroup scheduling: the
        # controller schedules by group, and each worker (which parses the
        # command line itself) must tag the items with their group.
        if parallel:
            config.option.dist = "loadgroup"
        if hasattr(config, "workerinput"):
            config.option.loadgroup = True
    config.stash[IDS] = IdRegistry()
    from conformance.session import parse_runner_list

    try:
        parse_runner_list(config.getoption("runner", None), config.getoption("micropython", None))
    except ConformanceError as exc:
        raise pytest.UsageError(str(exc)) from exc
    results = config.getoption("results", None)
    if results and not hasattr(config, "workerinput"):
        from conformance.session import parse_runner_list, provenance

        names = parse_runner_list(config.getoption("runner"), config.getoption("micropython"))
        config.stash[WRITER] = ResultsWriter(Path(results), provenance(names))
        config.pluginmanager.register(ResultsStreamer(config.stash[WRITER]), "conformance-results")


def _pool(config: pytest.Config) -> Any:
    if POOL not in config.stash:
        from conformance.session import RunnerPool, parse_runner_list
        from runners.base import RunnerOptions

        options = RunnerOptions(micropython=config.getoption("micropython"),
                                heapsize=config.getoption("heapsize"),
                                timeout=config.getoption("case_timeout"),
                                port=config.getoption("port"),
                                reuse_session=config.getoption("serial_reuse"),
                                extra={"profile": config.getoption("vm_profile")})
        names = parse_runner_list(config.getoption("runner"), config.getoption("micropython"))
        config.stash[POOL] = RunnerPool(names, options)
    return config.stash[POOL]


def pytest_unconfigure(config: pytest.Config) -> None:
    if POOL in config.stash:
        config.stash[POOL].close()
    if WRITER in config.stash:
        config.stash[WRITER].close()


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if path.resolve() == PACKAGE_DIR:
        return CorpusDirectory.from_parent(parent, path=path)
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in CASE_SUFFIXES and _cases_root(parent.config) in file_path.resolve().parents:
        return CaseFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give device items their xdist group suffix, so loadgroup keeps a board on one worker.

    pytest-xdist 3.8 appends "@group" by assigning ``item._nodeid``, which
    pytest 9 no longer reads; do it through the node id pytest 9 uses, once.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is None or not mark.args or "@" in item.nodeid:
            continue
        try:
            from _pytest.nodeid import coerce_node_id
        except ImportError:  # pytest 8: xdist's own suffix works there
            return
        item._id = coerce_node_id(f"{item.nodeid}@{mark.args[0]}")  # type: ignore[attr-defined]


class CorpusDirectory(pytest.Directory):
    """Stands for the whole cases root when `pytest conformance/` is asked for."""

    def collect(self) -> list[pytest.Collector]:
        root = _cases_root(self.config)
        if not root.is_dir():
            raise self.CollectError(f"no cases folder at {root}; pass --cases-root DIR")
        files: list[pytest.Collector] = [CaseFile.from_parent(self, path=path) for path in iter_case_files([root])]
        if wants_fuzz(self.config):
            # The fuzz tests join the corpus only when asked for: they are not part of a corpus run.
            files.append(pytest.Module.from_parent(self, path=FUZZ_TESTS))
        return files


class CaseFile(pytest.File):
    """One YAML case file."""

    def collect(self) -> list[pytest.Item]:
        try:
            cases = load_file(self.path, self.config.rootpath)
        except CaseFileErrors as exc:
            raise self.CollectError(str(exc)) from exc
        duplicates = self.config.stash[IDS].claim(cases)
        if duplicates:
            raise self.CollectError(str(CaseFileErrors(duplicates)))
        try:
            names = _pool(self.config).names
        except ConformanceError as exc:
            raise self.CollectError(str(exc)) from exc
        items: list[pytest.Item] = []
        for case in cases:
            for name in names:
                item = CaseItem.from_parent(self, name=f"{case.id}[{name}]", case=case, runner_name=name)
                item.add_marker("conformance")
                if name in DEVICE_RUNNERS:
                    # One physical board: every case for it goes to the same xdist worker.
                    item.add_marker(pytest.mark.xdist_group(f"device-{name}"))
                for tag in case.tags:
                    # Prefixed so a tag can never mean pytest's own skip/xfail marks.
                    self.config.addinivalue_line("markers", f"case_{tag}: cases tagged {tag}")
                    item.add_marker(f"case_{tag}")
                items.append(item)
        return items


class CaseFailed(Exception):
    """Raised by CaseItem.runtest when the verdict is a failure."""

    def __init__(self, record: Record, artifact: Path | None = None) -> None:
        super().__init__(record.verdict.diff)
        self.record = record
        self.artifact = artifact


class CaseItem(pytest.Item):
    """One case on one runner."""

    def __init__(self, *, case: Case, runner_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.runner_name = runner_name

    def runtest(self) -> None:
        pool = _pool(self.config)
        probe = pool.probe(self.runner_name)
        if not probe.available:
            raise pytest.skip.Exception(f"runner {self.runner_name} unavailable: {probe.reason}",
                                        _use_item_location=True)
        record = pool.run(self.case, self.runner_name)
        self.user_properties.append((RECORD_PROPERTY, json.dumps(record.to_json())))
        known = pool.get(self.runner_name).known_failures().get(self.case.id) \
            if hasattr(pool.get(self.runner_name), "known_failures") else None
        if known is not None:
            if record.verdict.kind is VerdictKind.FAIL:
                pytest.xfail(f"tracked failure of {self.runner_name}: {known}")
            if record.verdict.passed:
                pytest.fail(f"{self.case.id} is listed as a known failure of {self.runner_name} but now passes: "
                            "remove it from the runner's tracked list", pytrace=False)
        if record.verdict.kind is VerdictKind.SKIP:
            raise pytest.skip.Exception(f"{self.case.id}: {record.verdict.note}", _use_item_location=True)
        if record.verdict.kind is VerdictKind.FAIL:
            artifacts = self.config.getoption("artifacts")
            saved = save_failure(Path(artifacts), self.case, record) if artifacts else None
            raise CaseFailed(record, saved)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            text = failure_text(self.case, excinfo.value.record)
            if excinfo.value.artifact is not None:
                text += f"\nrepro: {excinfo.value.artifact} (outcome in .fail.json beside it)"
            return text
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.source.line - 1, f"{self.case.id}[{self.runner_name}]"


def failure_text(case: Case, record: Record) -> str:
    """What a failing item prints: where the case is, which runner, the diff, the code."""
    identity = record.outcome.runner
    lines = [
        f"{case.source.path}:{case.source.line}: case {case.id} failed on {identity.name} "
        f"({identity.implementation} {identity.version}, {identity.word_bits}-bit)",
        f"kind: {record.verdict.diff_kind.value if record.verdict.diff_kind else '?'}",
        record.verdict.diff,
    ]
    if record.outcome.traceback_lines:
        lines.append(f"exception raised at case line(s) {', '.join(map(str, record.outcome.traceback_lines))}")
    if record.outcome.detail:
        lines.append(f"detail: {record.outcome.detail}")
    lines.append("code:")
    lines += [f"  {n:3d} | {text}" for n, text in enumerate(case.code.splitlines(), start=1)]
    return "\n".join(lines)


class ResultsStreamer:
    """Writes each verdict to results.jsonl as its report arrives (controller only).

    Under xdist the record travels from the worker in the report's
    user_properties, so exactly one process writes the file.
    """

    def __init__(self, writer: ResultsWriter) -> None:
        self.writer = writer

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for key, value in report.user_properties:
            if key == RECORD_PROPERTY:
                self.writer.add(Record.from_json(json.loads(str(value))))
                return
