"""conformance.yamlmarks: YAML data with the line of every key and item, and duplicate keys kept."""

from __future__ import annotations

import pytest
import yaml

from conformance.yamlmarks import load_marked

TEXT = """\
schema_version: 1
cases:
  - id: a
    code: |
      print(1)
    expect:
      stdout: "1\\n"
  - id: b
    code: pass
"""


def test_data_is_what_safe_load_gives() -> None:
    assert load_marked(TEXT).data == yaml.safe_load(TEXT)


def test_lines_of_keys_and_items() -> None:
    doc = load_marked(TEXT)
    assert doc.lines[("schema_version",)] == 1
    assert doc.lines[("cases",)] == 2
    assert doc.lines[("cases", 0)] == 3
    assert doc.lines[("cases", 0, "code")] == 4
    assert doc.lines[("cases", 0, "expect", "stdout")] == 7
    assert doc.lines[("cases", 1)] == 8


def test_line_of_falls_back_to_the_nearest_ancestor() -> None:
    doc = load_marked(TEXT)
    assert doc.line_of(("cases", 0, "expect", "raises")) == 6
    assert doc.line_of(("cases", 5)) == 2
    assert doc.line_of(("nothing",)) == 1


def test_duplicate_keys_are_recorded_and_first_wins() -> None:
    doc = load_marked("a: 1\nb: 2\na: 3\n")
    assert doc.data == {"a": 1, "b": 2}
    assert doc.duplicate_keys == [(("a",), 3)]


def test_empty_document() -> None:
    doc = load_marked("")
    assert doc.data is None
    assert doc.line_of(("x",)) is None


def test_syntax_error_raises_yaml_error() -> None:
    with pytest.raises(yaml.YAMLError):
        load_marked("a: [1\n")


def test_unsafe_scalar_tags_are_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        load_marked("a: !!python/name:os.system x\n")


def test_tags_on_collections_never_construct_objects() -> None:
    """Collections are built by the marker itself, so a python/* tag on them is inert data."""
    doc = load_marked("a: !!python/object/apply:os.system ['echo never run']\n")
    assert doc.data == {"a": ["echo never run"]}
