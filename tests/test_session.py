"""conformance.session: runner selection, the runner pool and run provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_case

from conformance.compare import VerdictKind
from conformance.errors import UnknownRunner
from conformance.session import RunnerPool, default_runner_names, parse_runner_list, provenance
from runners.base import RunnerOptions


def test_default_runners_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MICROPY_MICROPYTHON", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert default_runner_names() == ["cpython", "wasm"]
    assert parse_runner_list(None) == parse_runner_list("default") == ["cpython", "wasm"]


def test_default_runners_include_unix_when_a_binary_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    binary = tmp_path / "micropython"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.delenv("MICROPY_MICROPYTHON", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert default_runner_names() == ["cpython", "wasm", "unix"]


def test_parse_runner_list() -> None:
    assert parse_runner_list(" cpython, wasm ,") == ["cpython", "wasm"]
    with pytest.raises(UnknownRunner) as info:
        parse_runner_list("cpython,toaster")
    assert info.value.name == "toaster"


def test_pool_creates_each_runner_once_and_judges() -> None:
    pool = RunnerPool(["cpython"], RunnerOptions())
    try:
        assert pool.get("cpython") is pool.get("cpython")
        assert pool.probe("cpython").available
        record = pool.run(make_case(code="print(7 // -2)", expect={"stdout": "-4\n"}), "cpython")
        assert record.verdict.kind is VerdictKind.PASS
        assert (record.case_id, record.runner, record.outcome.stdout) == ("demo", "cpython", "-4\n")
    finally:
        pool.close()
    assert pool._runners == {}


def test_provenance() -> None:
    header = provenance(["cpython", "wasm"])
    assert header["runners"] == ["cpython", "wasm"]
    assert header["suite_version"]
    assert header["commit"]
    assert str(header["started"]).endswith("+00:00")
