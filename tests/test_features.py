"""conformance.features: the closed capability vocabulary and its one probe program."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib import resources

import pytest

from conformance.checks import case_file_schema
from conformance.errors import ConformanceError, ProbeError
from conformance.features import CAPABILITIES, CAPABILITY_NAMES, PROBE_MARKER, parse_probe_output, probe_program


def run_probe_on_cpython() -> frozenset[str]:
    done = subprocess.run([sys.executable, "-I", "-c", probe_program()], capture_output=True, text=True,
                          timeout=60, check=True)
    return parse_probe_output(done.stdout, "cpython")


@pytest.fixture(scope="module")
def cpython_capabilities() -> frozenset[str]:
    return run_probe_on_cpython()


def test_probe_program_runs_on_cpython_and_parses(cpython_capabilities: frozenset[str]) -> None:
    assert cpython_capabilities <= CAPABILITY_NAMES
    assert {"float", "float-double", "bigint", "complex", "set", "frozenset", "fstrings", "unicode",
            "module-json", "module-re", "module-struct"} <= cpython_capabilities


def test_cpython_lacks_micropython_only_capabilities(cpython_capabilities: frozenset[str]) -> None:
    assert not {"micropython-module", "gc-mem", "float-single"} & cpython_capabilities
    # CPython's int() message is none of MicroPython's three levels
    assert not {"error-detailed", "error-normal", "error-terse"} & cpython_capabilities


def test_word_size_is_detected(cpython_capabilities: frozenset[str]) -> None:
    expected = "wordsize-64" if sys.maxsize > 2**32 else "wordsize-32"
    assert expected in cpython_capabilities
    assert len({"wordsize-32", "wordsize-64"} & cpython_capabilities) == 1


def test_vocabulary_is_well_formed() -> None:
    names = [c.name for c in CAPABILITIES]
    assert len(names) == len(set(names)) == len(CAPABILITY_NAMES)
    for capability in CAPABILITIES:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", capability.name), capability.name
        assert capability.meaning.strip(), capability.name
        compile(capability.probe, capability.name, "exec")


def test_the_schema_enum_is_the_vocabulary() -> None:
    schema = case_file_schema()
    assert set(schema["$defs"]["capability"]["enum"]) == CAPABILITY_NAMES  # type: ignore[index]
    shipped = json.loads(resources.files("conformance").joinpath("schema/case-file.schema.json").read_text())
    assert shipped["$defs"]["capability"]["enum"] == [], "the file leaves the enum to features.py"


def test_probe_program_avoids_fstrings() -> None:
    """It must compile on MicroPython 1.9, which has no f-strings: probes are data, exec'd one by one."""
    program = probe_program()
    tree = ast.parse(program)
    assert not any(isinstance(node, ast.JoinedStr) for node in ast.walk(tree))
    compile(program, "<probe>", "exec")


def test_parse_ignores_names_outside_the_vocabulary() -> None:
    stdout = f"noise\n{PROBE_MARKER}['float', 'teleport', 'set']\n"
    assert parse_probe_output(stdout, "x") == {"float", "set"}


def test_parse_uses_the_last_marker() -> None:
    stdout = f"{PROBE_MARKER}['float']\n{PROBE_MARKER}['set']\n"
    assert parse_probe_output(stdout, "x") == {"set"}


@pytest.mark.parametrize(("stdout", "problem"), [
    ("Traceback (most recent call last):\nSyntaxError\n", "printed no result"),
    (f"{PROBE_MARKER}['float'\n", "unreadable capability list"),
])
def test_unreadable_probe_output_is_a_probe_error(stdout: str, problem: str) -> None:
    with pytest.raises(ProbeError) as info:
        parse_probe_output(stdout, "myrunner")
    error = info.value
    assert isinstance(error, ConformanceError)
    assert error.runner == "myrunner"
    assert problem in error.problem
    assert error.output_tail == stdout[-400:]
    assert "mpconform runners" in str(error), "the message says how to investigate"
