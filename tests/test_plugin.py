"""conformance.plugin, driven through pytest itself (pytester).

The plugin is loaded through its pytest11 entry point, as for any user; each
test writes a tiny corpus under the pytester directory (cases/<area>/<file>.yaml).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import NAME_ERROR_CASE

from conformance.results import read_results

HEAD = "schema_version: 1\ncases:\n"

PASSING = HEAD + """\
  - id: add
    code: print(1 + 1)
    tags: [fast]
    expect:
      stdout: "2\\n"
  - id: sub
    code: print(5 - 2)
    expect:
      stdout: "3\\n"
"""

FAILING = HEAD + """\
  - id: wrong
    code: |
      x = 1
      print(x + 2)
    expect:
      stdout: "4\\n"
"""

BROKEN = HEAD + """\
  - id: broken
    code: pass
    colour: red
    expect:
      stdout: ""
"""

NEEDS_GC = HEAD + """\
  - id: needs-gc
    code: |
      import gc
      print(gc.mem_alloc() > 0)
    requires: [gc-mem]
    expect:
      stdout: "True\\n"
"""

DOCUMENTED = HEAD + NAME_ERROR_CASE


@pytest.fixture
def corpus(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\n")
    return pytester


def write(pytester: pytest.Pytester, relative: str, text: str) -> Path:
    path = pytester.path / "cases" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_one_broken_file_is_one_error_and_the_rest_runs(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    write(corpus, "strings/bad.yaml", BROKEN)
    write(corpus, "zz/more.yaml", PASSING.replace("id: add", "id: add2").replace("id: sub", "id: sub2"))
    result = corpus.runpytest("--runner", "cpython")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*ERROR collecting cases/strings/bad.yaml*"])
    problem = [line for line in result.outlines if line.startswith("cases/strings/bad.yaml:")]
    assert len(problem) == 1
    assert problem[0].startswith("cases/strings/bad.yaml:5: cases[0] (id broken).colour: unknown key 'colour'")
    assert problem[0].endswith("[UNKNOWN_KEY]")


def test_item_ids(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    write(corpus, "strings/fail.yaml", FAILING)
    result = corpus.runpytest("--runner", "cpython,wasm", "--collect-only", "-q")
    assert result.ret == 0
    ids = [line for line in result.outlines if "::" in line]
    assert ids == [
        "cases/ints/arith.yaml::add[cpython]",
        "cases/ints/arith.yaml::add[wasm]",
        "cases/ints/arith.yaml::sub[cpython]",
        "cases/ints/arith.yaml::sub[wasm]",
        "cases/strings/fail.yaml::wrong[cpython]",
        "cases/strings/fail.yaml::wrong[wasm]",
    ]


def test_passing_and_failing_on_two_runners(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    write(corpus, "ints/fail.yaml", FAILING)
    result = corpus.runpytest("--runner", "cpython,wasm")
    result.assert_outcomes(passed=4, failed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_failure_shows_file_line_runner_diff_and_code(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/fail.yaml", FAILING)
    result = corpus.runpytest("--runner", "cpython")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "cases/ints/fail.yaml:3: case wrong failed on cpython (cpython *, 64-bit)",
        "kind: stdout",
        "stdout: expected '4\\n', got '3\\n'",
        "code:",
        "    1 | x = 1",
        "    2 | print(x + 2)",
    ])
    assert "Traceback" not in result.stdout.str(), "a verdict is reported, not the plugin's own stack"


def test_k_selects_by_case_id_and_runner(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    write(corpus, "ints/fail.yaml", FAILING)
    result = corpus.runpytest("--runner", "cpython,wasm", "-k", "add and wasm", "-v")
    result.assert_outcomes(passed=1, deselected=5)
    result.stdout.fnmatch_lines(["cases/ints/arith.yaml::add[[]wasm[]] PASSED*"])


def test_m_selects_by_tag_marker(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    result = corpus.runpytest("--runner", "cpython", "-m", "case_fast", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["cases/ints/arith.yaml::add[[]cpython[]] PASSED*"])


def test_a_tag_named_like_a_builtin_marker_changes_nothing(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", HEAD + "  - id: tagged\n    code: print(1)\n    tags: [skip, xfail]\n"
                                            "    expect:\n      stdout: \"1\\n\"\n")
    corpus.runpytest("--runner", "cpython").assert_outcomes(passed=1)


def test_missing_capability_skips_naming_capability_and_runner(corpus: pytest.Pytester) -> None:
    write(corpus, "gc/mem.yaml", NEEDS_GC)
    result = corpus.runpytest("--runner", "cpython,wasm", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] cases/gc/mem.yaml:3: needs-gc: cpython lacks gc-mem"])


def test_documented_difference_passes(corpus: pytest.Pytester) -> None:
    write(corpus, "errors/names.yaml", DOCUMENTED)
    corpus.runpytest("--runner", "cpython,wasm").assert_outcomes(passed=2)


def test_duplicate_id_across_files_is_a_collection_error(corpus: pytest.Pytester) -> None:
    write(corpus, "a/first.yaml", PASSING)
    write(corpus, "b/second.yaml", FAILING.replace("id: wrong", "id: add"))
    result = corpus.runpytest("--runner", "cpython")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["cases/b/second.yaml:3: id add: id already used at cases/a/first.yaml:3*"])


def test_results_file_has_one_line_per_verdict(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    write(corpus, "ints/fail.yaml", FAILING)
    write(corpus, "gc/mem.yaml", NEEDS_GC)
    result = corpus.runpytest("--runner", "cpython", "--results", "out/results.jsonl")
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    path = corpus.path / "out" / "results.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["type"] == "header" and header["runners"] == ["cpython"]
    results = read_results([path])
    assert len(results.records) == len(lines) - 1 == 4
    assert sorted((r.case_id, r.verdict.kind.value) for r in results.records) == [
        ("add", "pass"), ("needs-gc", "skip"), ("sub", "pass"), ("wrong", "fail")]
    assert {r.runner for r in results.records} == {"cpython"}


def test_xdist_runs_and_writes_exactly_one_results_file(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    write(corpus, "ints/fail.yaml", FAILING)
    write(corpus, "strings/more.yaml", PASSING.replace("id: add", "id: add2").replace("id: sub", "id: sub2"))
    result = corpus.runpytest_subprocess("-n", "2", "--runner", "cpython,wasm", "--results", "out/results.jsonl",
                                         "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8, failed=2)
    result.stdout.fnmatch_lines(["*2 workers*"])
    jsonl = sorted(p.relative_to(corpus.path).as_posix() for p in corpus.path.rglob("*.jsonl"))
    assert jsonl == ["out/results.jsonl"]
    lines = (corpus.path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum(json.loads(line)["type"] == "header" for line in lines) == 1
    records = read_results([corpus.path / "out" / "results.jsonl"]).records
    assert len(records) == 10
    assert len({(r.case_id, r.runner) for r in records}) == 10, "each verdict once"


def test_unix_runner_without_binary_skips_with_reason(corpus: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("MICROPY_MICROPYTHON", raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    write(corpus, "ints/arith.yaml", PASSING)
    result = corpus.runpytest("--runner", "unix", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([
        "SKIPPED [[]1[]] cases/ints/arith.yaml:3: runner unix unavailable: no MicroPython unix binary: "
        "pass --micropython PATH, set MICROPY_MICROPYTHON, or put `micropython` on PATH",
    ])


def test_unknown_runner_is_a_usage_error_listing_runners(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    result = corpus.runpytest("--runner", "cpython,nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown runner 'nope'; known runners: cpython, *"])
    assert all(name in result.stderr.str() for name in ("qemu-microbit", "serial", "unix", "wasm"))


def test_artifacts_for_a_failure(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/fail.yaml", FAILING)
    result = corpus.runpytest("--runner", "cpython", "--artifacts", "art")
    result.assert_outcomes(failed=1)
    program = corpus.path / "art" / "wrong.cpython.py"
    assert program.read_text(encoding="utf-8") == "x = 1\nprint(x + 2)\n"
    saved = json.loads((corpus.path / "art" / "wrong.cpython.fail.json").read_text(encoding="utf-8"))
    assert saved["verdict"]["diff_kind"] == "stdout"
    result.stdout.fnmatch_lines(["repro: art/wrong.cpython.py*"])


def test_files_outside_the_cases_root_are_not_collected(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    (corpus.path / "elsewhere").mkdir()
    (corpus.path / "elsewhere" / "config.yaml").write_text("not: a case file\n")
    result = corpus.runpytest("--runner", "cpython")
    result.assert_outcomes(passed=2)


@pytest.mark.qemu
def test_the_emulated_microbit_runs_a_corpus(corpus: pytest.Pytester) -> None:
    write(corpus, "ints/arith.yaml", PASSING)
    result = corpus.runpytest("--runner", "qemu-microbit", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "cases/ints/arith.yaml::add[[]qemu-microbit[]] PASSED*",
        "cases/ints/arith.yaml::sub[[]qemu-microbit[]] PASSED*",
    ])
