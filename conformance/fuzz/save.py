"""A shrunk divergence as a YAML regression case under cases/fuzz/, and the signatures already saved.

The saved case keeps the corpus green while still reproducing the divergence:
``expect`` is what the newest MicroPython did (the conforming behaviour, as in
every case); each older MicroPython version that behaved differently, and
CPython, get a documented difference with their exact outcome, so the case
passes on every runner of the run that found it, and turns into a failure the
day one of them changes behaviour. The outcome of each runner is also
recorded in a comment, with how the program was found. The signature is kept
in the file's description, so later runs treat the divergence as known.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from conformance.case import parse_version
from conformance.fuzz.differential import Differential, Divergence, signatures_in_subsets
from conformance.fuzz.program import SHOW_PRELUDE, Program
from conformance.fuzz.signature import Signature, runner_label
from conformance.outcome import Outcome

SIGNATURE_MARK = "fuzz-signature: "
REASON = ("Found by differential fuzzing (mpconform fuzz): {who} behaves differently from {reference}; "
          "not yet explained.")


def _spec(outcome: Outcome) -> dict[str, Any]:
    spec: dict[str, Any] = {"stdout": outcome.stdout}
    if outcome.exc_type:
        spec.update(raises=outcome.exc_type, message=outcome.exc_message)
    return spec


def _who(outcome: Outcome) -> str:
    return f"{outcome.runner.implementation} {outcome.runner.version} ({outcome.runner.name})"


def _category(divergence: Divergence) -> str:
    return "builtin-types" if any(f.startswith(".") for f in divergence.signature.features) else "core"


def case_document(divergence: Divergence, case_id: str) -> dict[str, Any]:
    """The case file's data: expect from the newest MicroPython, differences for the others."""
    outcomes = divergence.outcomes
    micropythons = sorted((o for o in outcomes.values() if o.runner.implementation != "cpython"),
                          key=lambda o: parse_version(o.runner.version), reverse=True)
    newest = micropythons[0]
    expected = _spec(newest)
    differences: dict[str, Any] = {}
    older = [o for o in micropythons[1:] if _spec(o) != expected]
    # Oldest first: the first matching selector applies, and "<newer" also matches older versions.
    for outcome, newer in sorted(((o, micropythons[micropythons.index(o) - 1]) for o in older),
                                 key=lambda pair: parse_version(pair[0].runner.version)):
        bound = newer.runner.version.split("-")[0]
        differences[f"micropython<{bound}"] = {
            **_diff_spec(outcome, expected), "category": _category(divergence),
            "reason": REASON.format(who=_who(outcome), reference=_who(newer))}
    for outcome in outcomes.values():
        if outcome.runner.implementation == "cpython" and _spec(outcome) != expected:
            differences["cpython"] = {**_diff_spec(outcome, expected), "category": _category(divergence),
                                      "reason": REASON.format(who=_who(outcome), reference=_who(newest))}
    case: dict[str, Any] = {"id": case_id, "tags": ["fuzz"], "code": divergence.program.source,
                            "expect": expected}
    if differences:
        case["differences"] = differences
    signatures = [divergence.signature, *(s for s in signatures_in_subsets(divergence.program, outcomes)
                                          if s != divergence.signature)]
    marks = " ".join(f"{SIGNATURE_MARK}{json.dumps(s.to_json(), sort_keys=True)}" for s in signatures)
    description = (f"Found by mpconform fuzz ({divergence.program.grammar} grammar) on "
                   f"{datetime.date.today().isoformat()}: {divergence.signature.describe()}. {marks}")
    return {"schema_version": 1, "description": description, "cases": [case]}


def _diff_spec(outcome: Outcome, expected: Mapping[str, Any]) -> dict[str, Any]:
    spec = _spec(outcome)
    if "raises" in expected and "raises" not in spec:
        spec["raises"] = None
    return spec


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so saved programs read as code."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and value.endswith("\n") and not re.search(r"[ \t]\n|\t", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def _outcome_comment(divergence: Divergence) -> str:
    lines = ["# Outcome of each runner when found:"]
    for name, outcome in divergence.outcomes.items():
        ending = outcome.status.value + (f" {outcome.exc_type}: {outcome.exc_message}" if outcome.exc_type else "")
        lines.append(f"#   {name} ({outcome.runner.implementation} {outcome.runner.version}): {ending}; "
                     f"stdout {outcome.stdout!r}")
    return "\n".join(lines) + "\n"


def case_id_for(divergence: Divergence) -> str:
    digest = hashlib.sha1(divergence.program.source.encode()).hexdigest()[:10]
    return f"fuzz-{divergence.program.grammar}-{digest}"


def save_divergence(divergence: Divergence, folder: Path) -> Path:
    """Write the divergence as ``folder/<id>.yaml`` and return its path."""
    case_id = case_id_for(divergence)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case_id}.yaml"
    text = yaml.dump(case_document(divergence, case_id), Dumper=_BlockDumper, sort_keys=False,
                     allow_unicode=True, width=100)
    path.write_text(text + _outcome_comment(divergence), encoding="utf-8")
    return path


def saved_signatures(folder: Path) -> list[Signature]:
    """The signatures recorded in the case files of ``folder`` (none when it does not exist)."""
    found = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        description = str(data.get("description", "")) if isinstance(data, dict) else ""
        decoder = json.JSONDecoder()
        for part in description.split(SIGNATURE_MARK)[1:]:
            found.append(Signature.from_json(decoder.raw_decode(part.strip())[0]))
    return found


def rerecord(folder: Path, differential: Differential) -> list[Path]:
    """Run every saved fuzz case of ``folder`` again on the differential's runners and rewrite it.

    For a folder recorded with some runners and later run with others (CI has
    no unix binary, a developer has one): the case then documents every
    runner's outcome and carries the signatures of every subset of them.
    """
    written = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        case = data["cases"][0]
        code = str(case["code"])
        body = code[len(SHOW_PRELUDE):] if code.startswith(SHOW_PRELUDE) else code
        grammar = str(case["id"]).split("-")[1]
        program = Program(grammar, tuple(body.rstrip("\n").split("\n")))
        outcomes = differential.outcomes([program])[0]
        signatures = signatures_in_subsets(program, outcomes)
        if not signatures:
            continue  # the runners agree now: nothing left to record
        divergence = Divergence(program, outcomes, _pair_named(outcomes, signatures[0].runners), signatures[0])
        path.unlink()
        written.append(save_divergence(divergence, folder))
    return written


def _pair_named(outcomes: dict[str, Any], labels: tuple[str, str]) -> tuple[str, str]:
    """The runner names behind a signature's implementation labels (the first runner of each label)."""
    by_label: dict[str, str] = {}
    for name, outcome in outcomes.items():
        by_label.setdefault(runner_label(outcome.runner), name)
    return by_label[labels[0]], by_label[labels[1]]
