"""Lint checks on case files, each with a stable ID.

The loader runs them at collection time and `mpconform lint` runs the same
ones, so an editor, CI and pytest agree on what a valid file is. A check
receives the parsed document and yields ``(path, field, problem)`` triples;
the loader turns those into ``CaseFileError`` with the line of ``path``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources

import jsonschema

from conformance.case import SCHEMA_VERSION, Selector
from conformance.features import CAPABILITY_NAMES
from conformance.yamlmarks import MarkedDocument, Path

Finding = tuple[Path, str, str]


class Check:
    """Base of all checks: ``ID`` names it in messages and docs."""

    ID = ""

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        raise NotImplementedError


def describe(path: Path, data: object) -> str:
    """'cases[2] (id floordiv-negative).expect.stdout' for a data path."""
    parts: list[str] = []
    node = data
    for element in path:
        if isinstance(element, int):
            label = f"[{element}]"
            item = node[element] if isinstance(node, list) and element < len(node) else None
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                label += f" (id {item['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(element))
        node = node.get(element) if isinstance(node, dict) else (
            node[element] if isinstance(node, list) and isinstance(element, int) and element < len(node) else None
        )
    return "".join(parts) or "(file)"


class DuplicateKey(Check):
    ID = "DUPLICATE_KEY"

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        for path, line in doc.duplicate_keys:
            yield path, describe(path, doc.data), (
                f"key {path[-1]!r} appears twice in the same mapping (again at line {line})")


class SchemaVersion(Check):
    ID = "SCHEMA_VERSION"

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        if not isinstance(doc.data, dict):
            yield (), "(file)", "a case file is a mapping with keys schema_version and cases"
            return
        version = doc.data.get("schema_version")
        if version != SCHEMA_VERSION:
            yield ("schema_version",), "schema_version", (
                f"version {version!r} is not supported; this suite reads schema_version {SCHEMA_VERSION}"
            )


@cache
def case_file_schema() -> dict[str, object]:
    """The JSON Schema of a case file, with the capability vocabulary filled in."""
    text = resources.files("conformance").joinpath("schema/case-file.schema.json").read_text()
    schema = json.loads(text)
    schema["$defs"]["capability"]["enum"] = sorted(CAPABILITY_NAMES)
    return schema


_VALIDATOR_IDS = {
    "additionalProperties": "UNKNOWN_KEY",
    "required": "MISSING_KEY",
    "type": "WRONG_TYPE",
    "enum": "BAD_VALUE",
    "const": "SCHEMA_VERSION",
}


class Schema(Check):
    """Structural validation against case-file.schema.json; the ID depends on the rule broken."""

    ID = "SCHEMA"

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        validator = jsonschema.Draft202012Validator(case_file_schema())
        for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
            if list(error.absolute_path) == ["schema_version"]:
                continue  # SchemaVersion says it better
            yield from self._explain(error, doc)

    def _explain(self, error: jsonschema.ValidationError, doc: MarkedDocument) -> Iterator[Finding]:
        path: Path = tuple(error.absolute_path)
        kind = _VALIDATOR_IDS.get(str(error.validator), "BAD_VALUE")
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            schema = error.schema if isinstance(error.schema, dict) else {}
            allowed = set(schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    key_path = (*path, key)
                    yield key_path, describe(key_path, doc.data), (
                        f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))}) [{kind}]"
                    )
            return
        message = error.message
        if error.validator == "enum" and error.validator_value == sorted(CAPABILITY_NAMES):
            if "propertyNames" in error.relative_schema_path:
                path = (*path, error.instance)
            kind = "UNKNOWN_CAPABILITY"
            message = f"{error.instance!r} is not a capability; the list is in conformance/features.py"
        elif error.validator == "propertyNames" or "propertyNames" in error.relative_schema_path:
            path = (*path, error.instance)
            if "by_capability" in path:
                kind = "UNKNOWN_CAPABILITY"
                message = f"{error.instance!r} is not a capability; the list is in conformance/features.py"
            else:
                kind = "BAD_SELECTOR"
                message = (f"selector {error.instance!r} must be 'cpython' or 'micropython', optionally "
                           "with version bounds and capabilities, e.g. 'micropython<1.20', "
                           "'micropython>=1.9,<1.13' or 'micropython+float-single'")
        yield path, describe(path, doc.data), f"{message} [{kind}]"


def _cases(doc: MarkedDocument) -> Iterator[tuple[int, dict[str, object]]]:
    if isinstance(doc.data, dict) and isinstance(doc.data.get("cases"), list):
        for index, case in enumerate(doc.data["cases"]):
            if isinstance(case, dict):
                yield index, case


class ExpectDecides(Check):
    """An expectation must decide the output or the exception, and message needs raises."""

    ID = "EMPTY_EXPECT"

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        for index, case in _cases(doc):
            expect = case.get("expect")
            if not isinstance(expect, dict):
                continue
            path = ("cases", index, "expect")
            branches = expect.get("by_capability") or {}
            decided = "stdout" in expect or "raises" in expect
            if not decided and not (isinstance(branches, dict) and branches and all(
                isinstance(b, dict) and ("stdout" in b or "raises" in b) for b in branches.values()
            )):
                yield path, describe(path, doc.data), "expect must give stdout or raises [EMPTY_EXPECT]"
            if "message" in expect and "raises" not in expect:
                yield (*path, "message"), describe((*path, "message"), doc.data), (
                    "message is only compared with raises; add the exception type [MESSAGE_WITHOUT_RAISES]"
                )


class Selectors(Check):
    ID = "BAD_SELECTOR"

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        for index, case in _cases(doc):
            differences = case.get("differences")
            if not isinstance(differences, dict):
                continue
            for key in differences:
                path = ("cases", index, "differences", key)
                try:
                    selector = Selector.parse(str(key))
                except ValueError as exc:
                    yield path, describe(path, doc.data), f"{exc} [BAD_SELECTOR]"
                    continue
                for capability in sorted(selector.capabilities - CAPABILITY_NAMES):
                    yield path, describe(path, doc.data), (
                        f"{capability!r} in selector {key!r} is not a capability; "
                        "the list is in conformance/features.py [UNKNOWN_CAPABILITY]")


class DuplicateIdInFile(Check):
    ID = "DUPLICATE_ID"

    def run(self, doc: MarkedDocument) -> Iterator[Finding]:
        seen: dict[str, int] = {}
        for index, case in _cases(doc):
            case_id = case.get("id")
            if not isinstance(case_id, str):
                continue
            if case_id in seen:
                path = ("cases", index, "id")
                first = doc.line_of(("cases", seen[case_id], "id"))
                yield path, describe(path, doc.data), f"id {case_id!r} already used at line {first} [DUPLICATE_ID]"
            else:
                seen[case_id] = index


ALL_CHECKS: tuple[Check, ...] = (
    DuplicateKey(), SchemaVersion(), Schema(), ExpectDecides(), Selectors(), DuplicateIdInFile(),
)
