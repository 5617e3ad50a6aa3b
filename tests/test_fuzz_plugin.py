"""The fuzz tests join `pytest conformance/` only with `-m fuzz`; a corpus run does not collect them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def collect(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pytest", "conformance/", "--collect-only", "-q",
                           "-p", "no:randomly", "--runner", "cpython", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    return done.stdout


def test_fuzz_tests_are_collected_with_the_fuzz_marker_and_profile() -> None:
    out = collect("-m", "fuzz", "--hypothesis-profile", "ci")
    for name in ("test_expressions_agree", "test_statements_agree", "test_formatting_agrees"):
        assert f"conformance/fuzz/test_fuzz.py::{name}" in out
    assert "[cpython]" not in out  # corpus items are deselected by -m fuzz


def test_a_corpus_run_collects_no_fuzz_test() -> None:
    out = collect()
    assert "test_fuzz.py" not in out
    assert "[cpython]" in out
