"""`mpconform fuzz`: a short search saves loadable cases; --rerecord rewrites them; bad options are usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli import main
from conformance.loader import load_file


def test_short_search_saves_cases_that_load_and_rerecord(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "fuzz"
    status = main(["fuzz", "--runner", "cpython,wasm", "--time", "3", "--grammar", "expressions", "--seed", "3",
                   "--save", str(saved), "--known", str(tmp_path / "none"), "-q"])
    out = capsys.readouterr().out
    assert status in (0, 1)
    assert "programs/s" in out and "known CPython differences" in out
    files = sorted(saved.glob("*.yaml"))
    assert (status == 1) == bool(files)
    for path in files:
        (case,) = load_file(path, tmp_path)
        assert case.tags == ("fuzz",)
    if files:
        assert main(["fuzz", "--runner", "cpython,wasm", "--rerecord", "--save", str(saved)]) == 0
        assert "re-recorded" in capsys.readouterr().out


def test_rerecord_without_a_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--runner", "cpython,wasm", "--rerecord"]) == 2
    assert "--rerecord needs --save" in capsys.readouterr().err


def test_unknown_grammar_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--runner", "cpython,wasm", "--grammar", "nope", "--time", "1"]) == 2
    assert "unknown grammar nope" in capsys.readouterr().err


def test_parallel_jobs_merge_their_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["fuzz", "--runner", "cpython,wasm", "--time", "2", "--jobs", "2", "--grammar", "formatting",
                   "--seed", "1", "--save", str(tmp_path / "fuzz"), "-q"])
    out = capsys.readouterr().out
    assert status in (0, 1)
    assert "with 2 job(s)" in out
    assert int(out.rsplit(" programs: ", 1)[0].rsplit("\n", 1)[-1]) > 0
