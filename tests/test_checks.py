"""conformance.checks: the lint checks' identity and the field descriptions they produce."""

from __future__ import annotations

from conformance.checks import ALL_CHECKS, Check, describe
from conformance.yamlmarks import load_marked


def test_every_check_has_a_unique_stable_id() -> None:
    ids = [check.ID for check in ALL_CHECKS]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(isinstance(check, Check) for check in ALL_CHECKS)
    assert ids[:2] == ["DUPLICATE_KEY", "SCHEMA_VERSION"], "structural checks first"


def test_describe_names_the_case_by_id() -> None:
    data = {"cases": [{"id": "first"}, {"id": "second", "expect": {"stdout": "x"}}]}
    assert describe(("cases", 1, "expect", "stdout"), data) == "cases[1] (id second).expect.stdout"
    assert describe(("cases", 7), data) == "cases[7]"
    assert describe((), data) == "(file)"
    assert describe(("schema_version",), data) == "schema_version"


def test_a_valid_document_passes_every_check() -> None:
    doc = load_marked("schema_version: 1\ncases:\n  - id: a\n    code: pass\n    expect:\n      stdout: ''\n")
    for check in ALL_CHECKS:
        assert list(check.run(doc)) == [], check.ID
