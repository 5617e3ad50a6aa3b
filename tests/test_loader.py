"""conformance.loader (and the checks it runs): case files -> Case values or precise errors.

Every check ID is exercised on a small broken file; each error must name the
file, the line and the field, and one bad file must not hide the others.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CaseWriter

from conformance.case import Selector
from conformance.errors import CaseFileError, CaseFileErrors, ConformanceError
from conformance.loader import area_of, display_path, iter_case_files, load_file, load_suite

HEAD = "schema_version: 1\ncases:\n"

GOOD = HEAD + """\
  - id: add
    code: print(1 + 1)
    expect:
      stdout: "2\\n"
  - id: div-zero
    code: |
      print('before')
      1 // 0
    requires: [bigint]
    tags: [arith, errors]
    timeout: 2.5
    memory: {allocated: 64}
    expect:
      stdout: "before\\n"
      raises: ZeroDivisionError
      message: divide by zero
      by_capability:
        error-terse: {message: ""}
    differences:
      cpython>=3.0:
        message: integer division or modulo by zero
        category: messages
        reason: CPython words it differently.
        workaround: Compare the exception type only.
"""


def load_errors(write_cases: CaseWriter, tmp_path: Path, text: str,
                name: str = "area/file.yaml") -> list[CaseFileError]:
    path = write_cases(name, text)
    with pytest.raises(CaseFileErrors) as info:
        load_file(path, tmp_path)
    return info.value.errors


class TestValidFile:
    def test_loads_every_key(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        cases = load_file(write_cases("ints/basic.yaml", GOOD), tmp_path)
        assert [c.id for c in cases] == ["add", "div-zero"]
        add, div = cases
        assert add.code == "print(1 + 1)"
        assert add.area == "ints" and div.area == "ints"
        assert add.source.path == "cases/ints/basic.yaml"
        assert (add.source.line, div.source.line) == (3, 7)
        base = add.expect.base
        assert (base.stdout, base.raises) == ("2\n", None)
        assert "raises" in base.given, "no `raises` means the program must finish normally"
        assert div.code == "print('before')\n1 // 0\n"
        assert div.requires == {"bigint"}
        assert div.tags == ("arith", "errors")
        assert div.timeout == 2.5
        assert div.memory is not None and div.memory.allocated == 64 and div.memory.retained is None
        assert div.expect.resolve(frozenset({"error-terse"})).message == ""
        assert div.expect.resolve(frozenset()).message == "divide by zero"
        (difference,) = div.differences
        assert difference.selector == Selector.parse("cpython>=3.0")
        assert difference.outcome.message == "integer division or modulo by zero"
        assert difference.outcome.given == {"message"}
        assert (difference.category, difference.reason) == ("messages", "CPython words it differently.")
        assert difference.workaround == "Compare the exception type only."

    def test_default_timeout(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        (case, _) = load_file(write_cases("ints/basic.yaml", GOOD), tmp_path)
        assert case.timeout == 10.0

    def test_yml_suffix_and_stable_order(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        write_cases("b/z.yaml", GOOD.replace("id: add", "id: z1").replace("id: div-zero", "id: z2"))
        write_cases("b/a.yml", GOOD.replace("id: add", "id: a1").replace("id: div-zero", "id: a2"))
        write_cases("a/m.yaml", GOOD)
        write_cases("a/notes.txt", "not a case file")
        files = list(iter_case_files([tmp_path / "cases"]))
        assert [display_path(p, tmp_path) for p in files] == ["cases/a/m.yaml", "cases/b/a.yml", "cases/b/z.yaml"]
        suite = load_suite([tmp_path / "cases"], tmp_path)
        assert suite.errors == []
        assert [c.id for c in suite.cases] == ["add", "div-zero", "a1", "a2", "z1", "z2"]

    def test_area_is_the_folder_name(self, tmp_path: Path) -> None:
        assert area_of(tmp_path / "cases" / "strings" / "methods.yaml") == "strings"


# (check ID, file text, line of the error, text the field must contain)
BROKEN = [
    pytest.param("YAML_SYNTAX", HEAD + "  - id: a\n    code: [x\n    expect: {}\n", 5, "(yaml)", id="yaml-syntax"),
    pytest.param("UNKNOWN_KEY", HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n    colour: red\n",
                 7, "cases[0] (id a).colour", id="unknown-key"),
    pytest.param("UNKNOWN_KEY", "schema_version: 1\nauthor: me\ncases: []\n", 2, "author", id="unknown-top-key"),
    pytest.param("UNKNOWN_KEY", HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n      stderr: ''\n",
                 7, "cases[0] (id a).expect.stderr", id="unknown-expect-key"),
    pytest.param("WRONG_TYPE", HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: 5\n",
                 6, "cases[0] (id a).expect.stdout", id="wrong-type"),
    pytest.param("WRONG_TYPE", HEAD + "  - id: a\n    code: pass\n    timeout: soon\n    expect:\n      stdout: ''\n",
                 5, "cases[0] (id a).timeout", id="wrong-type-timeout"),
    pytest.param("WRONG_TYPE", "schema_version: 1\ncases: {}\n", 2, "cases", id="cases-not-a-list"),
    pytest.param("MISSING_KEY", HEAD + "  - id: a\n    expect:\n      stdout: ''\n", 3, "cases[0] (id a)",
                 id="missing-key"),
    pytest.param("MISSING_KEY", "schema_version: 1\n", 1, "(file)", id="missing-cases"),
    pytest.param("UNKNOWN_CAPABILITY",
                 HEAD + "  - id: a\n    code: pass\n    requires: [float, teleport]\n    expect:\n      stdout: ''\n",
                 5, "cases[0] (id a).requires[1]", id="unknown-capability"),
    pytest.param("DUPLICATE_ID",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n"
                        "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n",
                 7, "cases[1] (id a).id", id="duplicate-id-in-file"),
    pytest.param("BAD_SELECTOR",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n    differences:\n"
                        "      pypy>=1: {stdout: x, category: core, reason: r}\n",
                 8, "differences.pypy>=1", id="bad-selector"),
    pytest.param("BAD_SELECTOR",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n    differences:\n"
                        "      micropython<=banana: {stdout: x, category: core, reason: r}\n",
                 8, "differences.micropython<=banana", id="bad-selector-version"),
    pytest.param("UNKNOWN_CAPABILITY",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n    differences:\n"
                        "      micropython+teleport: {stdout: x, category: core, reason: r}\n",
                 8, "differences.micropython+teleport", id="unknown-capability-in-selector"),
    pytest.param("SCHEMA_VERSION", "schema_version: 2\ncases: []\n", 1, "schema_version", id="schema-version-2"),
    pytest.param("SCHEMA_VERSION", "cases: []\n", 1, "schema_version", id="schema-version-missing"),
    pytest.param("SCHEMA_VERSION", "- just\n- a list\n", 1, "(file)", id="not-a-mapping"),
    pytest.param("MESSAGE_WITHOUT_RAISES",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n      message: boo\n",
                 7, "cases[0] (id a).expect.message", id="message-without-raises"),
    pytest.param("EMPTY_EXPECT", HEAD + "  - id: a\n    code: pass\n    expect: {}\n", 5, "cases[0] (id a).expect",
                 id="empty-expect"),
    pytest.param("EMPTY_EXPECT",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      by_capability:\n        float: {message: x}\n",
                 5, "cases[0] (id a).expect", id="by-capability-decides-nothing"),
    pytest.param("BAD_VALUE",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n    differences:\n"
                        "      cpython:\n        stdout: x\n        category: misc\n        reason: r\n",
                 10, "differences.cpython.category", id="bad-category"),
    pytest.param("BAD_VALUE", HEAD + "  - id: Not_Lower\n    code: pass\n    expect:\n      stdout: ''\n",
                 3, "cases[0] (id Not_Lower).id", id="bad-id"),
    pytest.param("MISSING_KEY",
                 HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n    differences:\n"
                        "      cpython: {stdout: x, category: core}\n",
                 8, "differences.cpython", id="difference-without-reason"),
]


@pytest.mark.parametrize(("check", "text", "line", "field"), BROKEN)
def test_each_check_names_file_line_and_field(write_cases: CaseWriter, tmp_path: Path,
                                              check: str, text: str, line: int, field: str) -> None:
    errors = load_errors(write_cases, tmp_path, text)
    matching = [e for e in errors if e.check == check]
    assert matching, f"expected a {check} error, got {[(e.check, str(e)) for e in errors]}"
    error = matching[0]
    assert error.path == "cases/area/file.yaml"
    assert error.line == line
    assert field in error.field
    message = str(error)
    assert f"cases/area/file.yaml:{line}: " in message
    assert field in message
    assert f"[{check}]" in message
    assert "mpconform lint" in message, "the message says how to check all files"


def test_schema_version_error_names_the_supported_version(write_cases: CaseWriter, tmp_path: Path) -> None:
    (error,) = load_errors(write_cases, tmp_path, "schema_version: 7\ncases: []\n")
    assert error.check == "SCHEMA_VERSION"
    assert "7" in error.problem
    assert "schema_version 1" in error.problem


def test_yaml_syntax_error_reports_parser_problem(write_cases: CaseWriter, tmp_path: Path) -> None:
    (error,) = load_errors(write_cases, tmp_path, HEAD + '  - id: a\n    code: "x" y\n    expect: {}\n')
    assert (error.check, error.line) == ("YAML_SYNTAX", 4)
    assert "not valid YAML" in error.problem


def test_unknown_capability_in_by_capability(write_cases: CaseWriter, tmp_path: Path) -> None:
    text = HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n      by_capability:\n" \
                  "        teleport: {stdout: x}\n"
    errors = load_errors(write_cases, tmp_path, text)
    (error,) = [e for e in errors if e.check == "UNKNOWN_CAPABILITY"]
    assert "teleport" in error.problem
    assert "by_capability" in error.field


def test_unknown_capability_in_by_capability_points_at_the_key(write_cases: CaseWriter, tmp_path: Path) -> None:
    text = HEAD + "  - id: a\n    code: pass\n    expect:\n      stdout: ''\n      by_capability:\n" \
                  "        teleport: {stdout: x}\n"
    (error,) = [e for e in load_errors(write_cases, tmp_path, text) if e.check == "UNKNOWN_CAPABILITY"]
    assert error.line == 8
    assert error.field.endswith("by_capability.teleport")


def test_duplicate_key_is_reported_not_silently_overwritten(write_cases: CaseWriter, tmp_path: Path) -> None:
    text = HEAD + "  - id: a\n    code: pass\n    code: print(1)\n    expect:\n      stdout: ''\n"
    (error,) = load_errors(write_cases, tmp_path, text)
    assert error.check == "DUPLICATE_KEY"
    assert error.field == "cases[0] (id a).code"
    assert error.line in (4, 5), "one of the two `code:` lines"
    assert f"cases/area/file.yaml:{error.line}: " in str(error)


def test_all_problems_of_one_file_are_reported_together(write_cases: CaseWriter, tmp_path: Path) -> None:
    text = HEAD + ("  - id: a\n    code: pass\n    colour: red\n    expect:\n      stdout: ''\n"
                   "  - id: b\n    code: pass\n    requires: [teleport]\n    expect:\n      stdout: ''\n")
    path = write_cases("area/file.yaml", text)
    with pytest.raises(CaseFileErrors) as info:
        load_file(path, tmp_path)
    assert sorted((e.check, e.line) for e in info.value.errors) == [("UNKNOWN_CAPABILITY", 10), ("UNKNOWN_KEY", 5)]
    message = str(info.value)
    assert "cases/area/file.yaml:5:" in message and "cases/area/file.yaml:10:" in message
    assert isinstance(info.value, ConformanceError)


def test_semantic_checks_run_after_a_valid_structure(write_cases: CaseWriter, tmp_path: Path) -> None:
    text = HEAD + ("  - id: a\n    code: pass\n    expect:\n      stdout: ''\n      message: m\n"
                   "  - id: b\n    code: pass\n    expect: {}\n")
    checks = sorted(e.check for e in load_errors(write_cases, tmp_path, text))
    assert checks == ["EMPTY_EXPECT", "MESSAGE_WITHOUT_RAISES"]


def test_unreadable_file(write_cases: CaseWriter, tmp_path: Path) -> None:
    path = write_cases("area/file.yaml", "")
    path.write_bytes(b"schema_version: 1\ncases: [\xff\xfe]\n")
    with pytest.raises(CaseFileErrors) as info:
        load_file(path, tmp_path)
    (error,) = info.value.errors
    assert error.check == "UNREADABLE"
    assert error.path == "cases/area/file.yaml"


def test_empty_file_is_an_error(write_cases: CaseWriter, tmp_path: Path) -> None:
    (error,) = load_errors(write_cases, tmp_path, "")
    assert error.check == "SCHEMA_VERSION"
    assert str(error).startswith("cases/area/file.yaml: (file): ")


class TestSuite:
    def test_one_bad_file_does_not_hide_the_others(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        write_cases("a/first.yaml", HEAD + "  - id: one\n    code: pass\n    expect:\n      stdout: ''\n")
        write_cases("b/broken.yaml", HEAD + "  - id: two\n    code: pass\n    expect: {stdout: 1\n")
        write_cases("c/last.yaml", HEAD + "  - id: three\n    code: pass\n    expect:\n      stdout: ''\n")
        suite = load_suite([tmp_path / "cases"], tmp_path)
        assert [c.id for c in suite.cases] == ["one", "three"]
        (bad,) = suite.errors
        (error,) = bad.errors
        assert (error.path, error.check) == ("cases/b/broken.yaml", "YAML_SYNTAX")

    def test_duplicate_id_across_files(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        write_cases("a/first.yaml", HEAD + "  - id: shared\n    code: pass\n    expect:\n      stdout: ''\n")
        write_cases("b/second.yaml", HEAD + ("  - id: own\n    code: pass\n    expect:\n      stdout: ''\n"
                                             "  - id: shared\n    code: pass\n    expect:\n      stdout: ''\n"))
        suite = load_suite([tmp_path / "cases"], tmp_path)
        assert sorted((c.id, c.source.path) for c in suite.cases) == [
            ("own", "cases/b/second.yaml"), ("shared", "cases/a/first.yaml")]
        (bad,) = suite.errors
        (error,) = bad.errors
        assert error.check == "DUPLICATE_ID"
        assert (error.path, error.line) == ("cases/b/second.yaml", 7)
        assert "shared" in error.field
        assert "already used at cases/a/first.yaml:3" in str(error)

    def test_explicit_files_are_loaded_as_given(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        path = write_cases("a/first.yaml", HEAD + "  - id: one\n    code: pass\n    expect:\n      stdout: ''\n")
        suite = load_suite([path], tmp_path)
        assert [c.id for c in suite.cases] == ["one"]

    def test_the_same_file_twice_is_not_a_duplicate(self, write_cases: CaseWriter, tmp_path: Path) -> None:
        path = write_cases("a/first.yaml", HEAD + "  - id: one\n    code: pass\n    expect:\n      stdout: ''\n")
        suite = load_suite([path, path], tmp_path)
        assert suite.errors == []
