"""conformance.case: the immutable case values and their small rules."""

from __future__ import annotations

import dataclasses

import pytest
from factories import make_case

from conformance.case import (
    DEFAULT_TIMEOUT,
    SCHEMA_VERSION,
    Expectation,
    MemoryBudget,
    OutcomeSpec,
    Selector,
    parse_version,
)


def spec(**values: object) -> OutcomeSpec:
    return OutcomeSpec.from_mapping(values)


def test_schema_version_is_one() -> None:
    assert SCHEMA_VERSION == 1


class TestOutcomeSpec:
    def test_from_mapping_records_which_keys_are_given(self) -> None:
        s = spec(stdout="x\n", raises=None)
        assert s.given == {"stdout", "raises"}
        assert (s.stdout, s.raises, s.message) == ("x\n", None, None)

    def test_from_mapping_ignores_other_keys(self) -> None:
        s = OutcomeSpec.from_mapping({"stdout": "", "category": "core", "reason": "r"})
        assert s.given == {"stdout"}

    def test_overlay_replaces_only_decided_keys(self) -> None:
        base = spec(stdout="a\n", raises="ValueError", message="long message")
        merged = base.overlay(spec(message="short"))
        assert (merged.stdout, merged.raises, merged.message) == ("a\n", "ValueError", "short")
        assert merged.given == {"stdout", "raises", "message"}

    def test_overlay_with_raises_null_means_finishes_normally(self) -> None:
        merged = spec(stdout="", raises="ValueError").overlay(spec(raises=None))
        assert merged.raises is None
        assert "raises" in merged.given

    def test_to_json_has_only_given_keys(self) -> None:
        assert spec(stdout="x", raises=None).to_json() == {"stdout": "x", "raises": None}

    def test_is_frozen(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            spec(stdout="x").stdout = "y"  # type: ignore[misc]


class TestExpectation:
    def test_no_matching_capability_gives_the_base(self) -> None:
        expectation = Expectation(spec(stdout="base\n"), (("float-single", spec(stdout="single\n")),))
        assert expectation.resolve(frozenset({"float-double"})).stdout == "base\n"

    def test_first_listed_capability_the_runner_has_wins(self) -> None:
        expectation = Expectation(spec(stdout="base\n"), (
            ("error-terse", spec(stdout="terse\n")),
            ("error-detailed", spec(stdout="detailed\n")),
            ("wordsize-64", spec(stdout="w64\n")),
        ))
        assert expectation.resolve(frozenset({"wordsize-64", "error-detailed"})).stdout == "detailed\n"

    def test_variant_keeps_base_keys_it_does_not_decide(self) -> None:
        expectation = Expectation(spec(stdout="out\n", raises="ValueError", message="detailed 'x'"),
                                  (("error-terse", spec(message="")),))
        resolved = expectation.resolve(frozenset({"error-terse"}))
        assert (resolved.stdout, resolved.raises, resolved.message) == ("out\n", "ValueError", "")


@pytest.mark.parametrize(("text", "expected"), [
    ("1.27.0", (1, 27, 0)),
    ("1.9.2", (1, 9, 2)),
    ("3.12", (3, 12)),
    ("1.23.0-preview", (1, 23, 0)),
    (" 2 ", (2,)),
    ("unknown", ()),
])
def test_parse_version(text: str, expected: tuple[int, ...]) -> None:
    assert parse_version(text) == expected


class TestSelector:
    @pytest.mark.parametrize(("text", "implementation", "version", "matches"), [
        ("micropython", "micropython", "1.27.0", True),
        ("micropython", "cpython", "3.12.1", False),
        ("cpython", "cpython", "3.12.1", True),
        ("cpython>=3.12", "cpython", "3.12.0", True),
        ("cpython>=3.12", "cpython", "3.11.9", False),
        ("micropython<1.20", "micropython", "1.19.1", True),
        ("micropython<1.20", "micropython", "1.20", False),
        ("micropython<1.20", "micropython", "1.20.0", False),
        # numeric, component by component: 1.9.2 < 1.27.0
        ("micropython<1.27", "micropython", "1.9.2", True),
        ("micropython>=1.9,<1.13", "micropython", "1.9.0", True),
        ("micropython>=1.9,<1.13", "micropython", "1.12.99", True),
        ("micropython>=1.9,<1.13", "micropython", "1.13.0", False),
        ("micropython>=1.9,<1.13", "micropython", "1.8.7", False),
        ("micropython >= 1.9 , < 1.13", "micropython", "1.10.0", True),
        ("micropython==1.27", "micropython", "1.27.0", True),
        ("micropython!=1.27", "micropython", "1.27.0", False),
        ("micropython<=1.27", "micropython", "1.27.0", True),
        ("micropython>1.27", "micropython", "1.27.1", True),
    ])
    def test_matches(self, text: str, implementation: str, version: str, matches: bool) -> None:
        assert Selector.parse(text).matches(implementation, version) is matches

    @pytest.mark.parametrize(("text", "version", "capabilities", "matches"), [
        ("micropython+float-single", "1.27.0", {"float-single"}, True),
        ("micropython+float-single", "1.27.0", {"float-double"}, False),
        ("micropython+float-single+error-terse", "1.27.0", {"float-single"}, False),
        ("micropython+float-single+error-terse", "1.27.0", {"float-single", "error-terse", "set"}, True),
        ("micropython<1.20+error-terse", "1.19.0", {"error-terse"}, True),
        ("micropython<1.20+error-terse", "1.27.0", {"error-terse"}, False),
    ])
    def test_capability_profile(self, text: str, version: str, capabilities: set[str], matches: bool) -> None:
        assert Selector.parse(text).matches("micropython", version, frozenset(capabilities)) is matches

    def test_capability_profile_is_parsed(self) -> None:
        selector = Selector.parse("micropython>=1.9+float-single+error-terse")
        assert selector.bounds == ((">=", (1, 9)),)
        assert selector.capabilities == {"float-single", "error-terse"}

    def test_parse_keeps_text_and_bounds(self) -> None:
        selector = Selector.parse("micropython>=1.9,<1.13")
        assert selector.implementation == "micropython"
        assert selector.bounds == ((">=", (1, 9)), ("<", (1, 13)))
        assert selector.text == "micropython>=1.9,<1.13"

    @pytest.mark.parametrize("text", ["pypy", "micropython~1.2", "micropython<=banana", "cpython3", "",
                                      "micropython+", "micropython+float+"])
    def test_bad_selectors_raise_value_error_naming_the_selector(self, text: str) -> None:
        with pytest.raises(ValueError, match="selector"):
            Selector.parse(text)


class TestMemoryBudget:
    def test_32_bit_limit_is_the_budget(self) -> None:
        assert MemoryBudget(allocated=100).limit("allocated", 32) == 100

    def test_64_bit_limit_is_doubled(self) -> None:
        assert MemoryBudget(allocated=100, retained=40).limit("allocated", 64) == 200
        assert MemoryBudget(allocated=100, retained=40).limit("retained", 64) == 80

    def test_missing_figure_has_no_limit(self) -> None:
        assert MemoryBudget(allocated=100).limit("retained", 32) is None

    def test_unknown_word_size_is_not_scaled_down(self) -> None:
        assert MemoryBudget(allocated=100).limit("allocated", 0) == 100


class TestCase:
    def test_defaults(self) -> None:
        case = make_case(expect={"stdout": ""})
        assert case.timeout == DEFAULT_TIMEOUT
        assert case.requires == frozenset()
        assert case.tags == ()
        assert case.memory is None
        assert case.differences == ()

    def test_difference_for_first_matching_selector_in_file_order(self) -> None:
        case = make_case(expect={"stdout": "a\n"}, differences={
            "micropython<1.20": {"stdout": "old\n", "category": "core", "reason": "first"},
            "micropython": {"stdout": "any\n", "category": "core", "reason": "second"},
            "cpython": {"stdout": "cp\n", "category": "core", "reason": "third"},
        })
        first = case.difference_for("micropython", "1.19.0")
        second = case.difference_for("micropython", "1.27.0")
        third = case.difference_for("cpython", "3.12.0")
        assert first is not None and first.reason == "first"
        assert second is not None and second.reason == "second"
        assert third is not None and third.reason == "third"

    def test_difference_for_no_match(self) -> None:
        case = make_case(expect={"stdout": ""}, differences={
            "cpython": {"stdout": "x", "category": "core", "reason": "r"}})
        assert case.difference_for("micropython", "1.27.0") is None

    def test_case_is_hashable_and_frozen(self) -> None:
        case = make_case(expect={"stdout": ""})
        hash(case)
        with pytest.raises(dataclasses.FrozenInstanceError):
            case.id = "other"  # type: ignore[misc]
