"""The reference VM's compiled basic blocks (reference_vm/blocks.py) against its interpreter tier.

A raw code runs one handler per instruction until it is hot, then as compiled
blocks. Both tiers must give the same outcome to the last detail (stdout,
exception type and message, traceback lines), so every corpus program is run
once with compilation off and once compiled from the first block entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reference_vm import blocks, run_source
from reference_vm.compile import compile_source
from reference_vm.machine import program
from reference_vm.mpyfile import load_mpy
from reference_vm.opcodes import Op

CASES = Path(__file__).resolve().parent.parent / "cases"
AREAS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _corpus_programs(area: str) -> list[tuple[str, str]]:
    programs = []
    for path in sorted((CASES / area).glob("*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            programs.append((case["id"], case["code"]))
    return programs


def _outcome(code: str, hot_after: int, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    monkeypatch.setattr(blocks, "HOT_AFTER", hot_after)
    result = run_source(code, timeout=5.0)
    return result.stdout, result.status, result.exc_type, result.exc_message, result.traceback_lines


@pytest.mark.parametrize("area", AREAS)
def test_compiled_blocks_agree_with_the_interpreter_tier(area: str, monkeypatch: pytest.MonkeyPatch) -> None:
    mismatches = []
    for case_id, code in _corpus_programs(area):
        interpreted = _outcome(code, 10**9, monkeypatch)
        compiled = _outcome(code, 0, monkeypatch)
        if interpreted != compiled:
            mismatches.append(f"{case_id}:\n  interpreted {interpreted}\n  compiled    {compiled}")
    assert not mismatches, "\n".join(mismatches)


def _module_program(source: str) -> list:
    mpy = load_mpy(compile_source(source, "<t>"))
    return program(mpy.raw_code, mpy.qstrs)


def test_block_starts_are_entry_points() -> None:
    source = "x = 0\nfor i in range(3):\n    if i:\n        x += f(i)\nprint(x)\n"
    prog = _module_program(source)
    starts = set(blocks.block_starts(prog))
    assert 0 in starts
    for ins in prog:
        if ins.target >= 0:
            assert ins.target in starts, f"jump target {ins.target} of {ins.op.name} is not a block start"
        if ins.op in (Op.CALL_FUNCTION, Op.CALL_METHOD):
            assert ins.index + 1 in starts, "a call's return point must start a block"
    # A conditional jump does not end its block: the instruction after it is not a start.
    cond = next(ins for ins in prog if ins.op is Op.POP_JUMP_IF_FALSE)
    assert cond.index + 1 not in starts


def test_hot_code_is_compiled_and_cold_code_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    original = blocks._compile

    def spy(prog: list, ranges: list, name: str) -> dict:
        compiled.append(name)
        return original(prog, ranges, name)

    monkeypatch.setattr(blocks, "_compile", spy)
    code = "def once():\n    return 1\ndef often(n):\n    return n + 1\nonce()\nt = 0\nfor i in range(200):\n" \
           "    t = often(t)\nprint(t)\n"
    assert run_source(code).stdout == "200\n"
    assert "often" in compiled and "<module>" in compiled
    assert "once" not in compiled


def test_an_exception_in_a_compiled_block_names_its_line() -> None:
    code = "def f(d, n):\n    t = 0\n    for i in range(n):\n        t += 10 // (d - i)\n    return t\n" \
           "print(f(100, 50))\nf(3, 50)\n"
    result = run_source(code)
    assert (result.exc_type, result.exc_message) == ("ZeroDivisionError", "divide by zero")
    assert result.traceback_lines == (7, 4)
