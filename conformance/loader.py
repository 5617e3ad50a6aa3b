"""Case files -> ``Case`` values, with errors that name file, line and field.

One bad file is one ``CaseFileErrors`` (all its problems together); the other
files still load. ``load_suite`` also catches ids reused across files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.case import (
    DEFAULT_TIMEOUT,
    Case,
    Difference,
    Expectation,
    MemoryBudget,
    OutcomeSpec,
    Selector,
    SourceRef,
)
from conformance.checks import ALL_CHECKS
from conformance.errors import CaseFileError, CaseFileErrors
from conformance.yamlmarks import MarkedDocument, load_marked

CASE_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path, root: Path | None = None) -> str:
    """A path relative to ``root`` (or the working directory) with forward slashes."""
    base = root or Path.cwd()
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:
        return path.as_posix()


def area_of(path: Path) -> str:
    """The area of a case file is the name of the folder that holds it."""
    return path.resolve().parent.name


def parse_document(text: str, shown: str) -> MarkedDocument:
    """YAML text -> marked document, or a CaseFileErrors naming the line of the syntax error."""
    try:
        doc = load_marked(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = str(getattr(exc, "problem", None) or exc).strip()
        error = CaseFileError(shown, line, "(yaml)", f"not valid YAML: {problem}", "YAML_SYNTAX")
        raise CaseFileErrors([error]) from exc
    errors = []
    for check in ALL_CHECKS:
        for path, where, problem in check.run(doc):
            check_id = re.search(r"\[([A-Z_]+)\]$", problem)
            text_only = re.sub(r"\s*\[[A-Z_]+\]$", "", problem)
            errors.append(CaseFileError(shown, doc.line_of(path), where, text_only,
                                        check_id.group(1) if check_id else check.ID))
        if errors and check.ID in ("SCHEMA_VERSION", "SCHEMA"):
            break  # later checks assume a structurally valid file
    if errors:
        raise CaseFileErrors(errors)
    return doc


def _spec(data: object) -> OutcomeSpec:
    return OutcomeSpec.from_mapping(data if isinstance(data, dict) else {})


def build_case(raw: dict[str, Any], index: int, doc: MarkedDocument, shown: str, area: str) -> Case:
    """One validated case mapping -> Case."""
    expect = raw["expect"]
    assert isinstance(expect, dict)
    base = _spec(expect)
    if "raises" not in base.given:
        base = base.overlay(OutcomeSpec(raises=None, given=frozenset({"raises"})))
    variants = tuple((cap, _spec(spec)) for cap, spec in (expect.get("by_capability") or {}).items())
    differences = tuple(
        Difference(
            selector=Selector.parse(str(key)),
            outcome=_spec(value),
            category=str(value["category"]),
            reason=str(value["reason"]).strip(),
            workaround=str(value.get("workaround", "")).strip(),
        )
        for key, value in (raw.get("differences") or {}).items()
    )
    memory = raw.get("memory")
    return Case(
        id=str(raw["id"]),
        code=str(raw["code"]),
        expect=Expectation(base, variants),
        source=SourceRef(shown, doc.line_of(("cases", index)) or 1),
        area=area,
        requires=frozenset(raw.get("requires") or ()),
        tags=tuple(raw.get("tags") or ()),
        memory=MemoryBudget(**memory) if isinstance(memory, dict) else None,
        differences=differences,
        timeout=float(raw.get("timeout", DEFAULT_TIMEOUT)),
    )


def load_file(path: Path, root: Path | None = None) -> list[Case]:
    """Load and validate one case file; raises CaseFileErrors listing every problem in it."""
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileErrors([CaseFileError(shown, None, "(file)", f"cannot read: {exc}", "UNREADABLE")]) from exc
    doc = parse_document(text, shown)
    assert isinstance(doc.data, dict)
    area = area_of(path)
    return [build_case(raw, i, doc, shown, area) for i, raw in enumerate(doc.data["cases"])]


def iter_case_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Case files under the given files or folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())
        else:
            yield path


@dataclass
class Suite:
    """Everything loaded from a set of paths: the good cases and one error per bad file."""

    cases: list[Case] = field(default_factory=list)
    errors: list[CaseFileErrors] = field(default_factory=list)


class IdRegistry:
    """Remembers where each id was first defined, to refuse the same id in another file."""

    def __init__(self) -> None:
        self._first: dict[str, SourceRef] = {}

    def claim(self, cases: list[Case]) -> list[CaseFileError]:
        errors = []
        for case in cases:
            first = self._first.setdefault(case.id, case.source)
            if first != case.source:
                errors.append(CaseFileError(case.source.path, case.source.line, f"id {case.id}",
                                            f"id already used at {first.path}:{first.line}", "DUPLICATE_ID"))
        return errors


def load_suite(paths: Iterable[Path], root: Path | None = None) -> Suite:
    """Load every case file under ``paths``; bad files are collected, not fatal."""
    suite = Suite()
    registry = IdRegistry()
    for path in iter_case_files(paths):
        try:
            cases = load_file(path, root)
        except CaseFileErrors as exc:
            suite.errors.append(exc)
            continue
        duplicates = registry.claim(cases)
        if duplicates:
            suite.errors.append(CaseFileErrors(duplicates))
            bad = {e.field for e in duplicates}
            cases = [c for c in cases if f"id {c.id}" not in bad]
        suite.cases.extend(cases)
    return suite
