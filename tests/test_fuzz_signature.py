"""conformance.fuzz.signature: one key per kind of divergence; a known trigger covers larger programs."""

from __future__ import annotations

from factories import UNIX, WASM

from conformance.fuzz.classify import comparable
from conformance.fuzz.signature import Signature, difference_kind, differing_exc_types, features, signature_of
from conformance.outcome import Outcome, Status


def test_features_name_methods_builtins_operators_and_literals() -> None:
    found = features("show(lambda: b''.hex())\nx = abs(-3) + 2 ** 70\ny = f'{x}'\nz = 'é'\n")
    assert {".hex", "abs()", "Add", "Pow", "USub", "f-string", "non-ascii"} <= found
    assert "show()" not in found and "print()" not in found


def test_kind_and_exception_types_of_the_first_differing_line() -> None:
    a = comparable(Outcome(WASM, Status.OK, stdout="1\n!OverflowError 'x'\n"))
    b = comparable(Outcome(UNIX, Status.OK, stdout="1\n'\\x00'\n"))
    assert difference_kind(a, b) == "stdout"
    assert differing_exc_types(a, b) == ("OverflowError", None)
    raised = comparable(Outcome(UNIX, Status.RAISED, exc_type="TypeError", exc_message="m"))
    assert difference_kind(a, raised) == "exception-type"
    assert signature_of("x = 1", ("wasm", "unix"), a, raised).kind == "exception-type"


def test_a_cpython_signature_is_taken_after_the_known_differences_are_masked() -> None:
    from factories import CPYTHON

    from conformance.fuzz.classify import classify_cpython

    mp = Outcome(WASM, Status.OK, stdout="!NotImplementedError 'rsplit'\nb''\n")
    cp = Outcome(CPYTHON, Status.OK, stdout="'0'\n''\n")
    classified = classify_cpython(mp, cp)
    assert not classified.known
    assert differing_exc_types(classified.micropython, classified.other) == (None, None)


def test_a_shrunk_trigger_covers_programs_that_contain_it() -> None:
    trigger = Signature(("unix", "wasm"), "stdout", (None, None), frozenset({".hex"}))
    assert trigger.covers(Signature(("unix", "wasm"), "stdout", (None, None), frozenset({".hex", "Add"})))
    assert not trigger.covers(Signature(("unix", "wasm"), "stdout", (None, None), frozenset({"Add"})))
    assert not trigger.covers(Signature(("unix", "cpython"), "stdout", (None, None), frozenset({".hex"})))
    empty = Signature(("unix", "wasm"), "stdout", (None, None))
    assert not empty.covers(Signature(("unix", "wasm"), "stdout", (None, None), frozenset({"Add"})))
    assert Signature.from_json(trigger.to_json()) == trigger
