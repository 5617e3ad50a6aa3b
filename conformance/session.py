"""Runners for one run: created on first use, probed once, closed at the end.

Shared by the pytest plugin and the CLI so that both pick runners, judge
outcomes and describe provenance the same way.
"""

from __future__ import annotations

import datetime
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import runners as registry
from conformance.case import Case
from conformance.compare import compare
from conformance.outcome import Probe
from conformance.results import Record
from runners.unix import find_binary

SUITE_ROOT = Path(__file__).resolve().parent.parent


def default_runner_names(micropython: str | None = None) -> list[str]:
    """The embedded runners, plus unix when a binary can be found."""
    names = list(registry.EMBEDDED_RUNNERS)
    if find_binary(micropython)[0]:
        names.append("unix")
    return names


def parse_runner_list(text: str | None, micropython: str | None = None) -> list[str]:
    """'cpython,wasm' -> ['cpython', 'wasm'], validated; None or 'default' -> the defaults."""
    if not text or text == "default":
        return default_runner_names(micropython)
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = registry.available_runners()
    for name in names:
        if name not in known:
            raise registry.UnknownRunner(name, known)
    return names


class RunnerPool:
    """Creates each named runner once and remembers its probe."""

    def __init__(self, names: list[str], options: Any) -> None:
        self.names = names
        self.options = options
        self._runners: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._runners:
            self._runners[name] = registry.create_runner(name, self.options)
        return self._runners[name]

    def probe(self, name: str) -> Probe:
        return self.get(name).probe()

    def run(self, case: Case, name: str) -> Record:
        outcome = self.get(name).run(case)
        return Record.of(case, compare(case, outcome), outcome)

    def close(self) -> None:
        for runner in self._runners.values():
            runner.close()
        self._runners.clear()


def _git_commit() -> str:
    try:
        done = subprocess.run(["git", "-C", str(SUITE_ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def provenance(names: list[str], probes: dict[str, Probe] | None = None) -> dict[str, object]:
    """Header for results.jsonl: what ran, when, from which suite, on which host.

    ``probes`` (when the runners were probed before the run) adds each runner's
    identity and capability profile, so a report can state them even for a
    runner whose every case was skipped.
    """
    try:
        version = metadata.version("micropython-conformance")
    except metadata.PackageNotFoundError:
        version = "uninstalled"
    return {
        "suite_version": version,
        "commit": _git_commit(),
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "runners": names,
        "host": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        **({"runner_profiles": {name: {**probe.identity.to_json(), "capabilities": sorted(probe.capabilities)}
                                for name, probe in probes.items()}} if probes else {}),
    }
