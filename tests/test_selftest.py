"""The contract test for runners passes on every built-in runner that can run here."""

from __future__ import annotations

import os

import pytest

from runners import create_runner
from runners.base import RunnerOptions
from runners.selftest import check_runner


@pytest.mark.parametrize("name", ["cpython", "wasm"])
def test_embedded_runners_keep_the_contract(name: str) -> None:
    check_runner(lambda: create_runner(name))


def test_unix_runner_keeps_the_contract(unix_binary: str) -> None:
    check_runner(lambda: create_runner("unix", RunnerOptions(micropython=unix_binary)))


def test_a_broken_runner_is_named_with_the_promise_it_breaks() -> None:
    class Forgetful:
        """Wraps CPython but prints nothing: the check must say so."""

        name = "forgetful"

        def __init__(self) -> None:
            self.inner = create_runner("cpython")

        def probe(self):  # type: ignore[no-untyped-def]
            return self.inner.probe()

        def run(self, case):  # type: ignore[no-untyped-def]
            from dataclasses import replace

            return replace(self.inner.run(case), stdout="")

        def close(self) -> None:
            self.inner.close()

    with pytest.raises(AssertionError, match=r"forgetful.*prints stdout"):
        check_runner(Forgetful)


def test_unavailable_runner_is_reported() -> None:
    env_before = os.environ.pop("MICROPY_MICROPYTHON", None)
    try:
        with pytest.raises(AssertionError, match="not available"):
            check_runner(lambda: create_runner("unix", RunnerOptions(micropython="/nonexistent/micropython")))
    finally:
        if env_before is not None:
            os.environ["MICROPY_MICROPYTHON"] = env_before
