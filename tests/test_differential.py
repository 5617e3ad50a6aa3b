"""conformance.differential: which runners agree, and the side-by-side view."""

from __future__ import annotations

from factories import CPYTHON, UNIX, WASM

from conformance.differential import agreement, side_by_side
from conformance.outcome import HeapFigures, Outcome, Status


def test_agreement_groups_identical_behaviour_largest_first() -> None:
    outcomes = [
        Outcome(CPYTHON, Status.RAISED, "x\n", "NameError", "name 'a' is not defined"),
        Outcome(WASM, Status.RAISED, "x\n", "NameError", "name 'a' isn't defined", duration=0.1),
        Outcome(UNIX, Status.RAISED, "x\n", "NameError", "name 'a' isn't defined", duration=0.9,
                heap=HeapFigures("gc", 64, 10, 0)),
    ]
    assert agreement(outcomes) == [["wasm", "unix"], ["cpython"]], "heap and time are not behaviour"


def test_agreement_of_nothing() -> None:
    assert agreement([]) == []


def test_side_by_side() -> None:
    text = side_by_side([
        Outcome(CPYTHON, Status.OK, "1\n2\n", duration=0.0123),
        Outcome(WASM, Status.RAISED, "", "ValueError", "bad", traceback_lines=(3, 1),
                heap=HeapFigures("gc", 32, 64, None)),
        Outcome(UNIX, Status.TIMEOUT, detail="no answer within 1 s"),
    ])
    assert "== cpython: cpython 3.12.1 (64-bit)\n   ok; 12.3 ms" in text
    assert "   | 1\n   | 2" in text
    assert "raised ValueError: bad (case lines 3, 1)" in text
    assert "heap (gc): allocated 64, retained None" in text
    assert "== unix: micropython 1.27.0 (64-bit)\n   timeout" in text
    assert "detail: no answer within 1 s" in text
    assert text.count("(no output)") == 2
