"""conformance.fuzz.classify: which CPython differences are known, by category, and which are new."""

from __future__ import annotations

import pytest
from factories import CPYTHON, UNIX, WASM

from conformance.fuzz.classify import agree, classify_cpython
from conformance.outcome import Outcome, Status


def mp(stdout: str, exc: str | None = None, message: str | None = None) -> Outcome:
    return Outcome(WASM, Status.RAISED if exc else Status.OK, stdout=stdout, exc_type=exc, exc_message=message)


def cp(stdout: str, exc: str | None = None, message: str | None = None) -> Outcome:
    return Outcome(CPYTHON, Status.RAISED if exc else Status.OK, stdout=stdout, exc_type=exc, exc_message=message)


@pytest.mark.parametrize(("micropython", "cpython", "category"), [
    (mp("!KeyError 'x'\n"), cp("!KeyError \"'x'\"\n"), "messages"),
    (mp("1\n", "ZeroDivisionError", "divide by zero"), cp("1\n", "ZeroDivisionError", "division by zero"),
     "messages"),
    (mp("!UnicodeError ''\n"), cp("!UnicodeDecodeError \"'utf-8' codec can't decode\"\n"), "exception-types"),
    (mp("0.30000000000000004\n"), cp("0.3000000000000000444\n"), "float-repr"),
    (mp("[1e+16, 2.5]\n"), cp("[1e16, 2.5]\n"), "float-repr"),
    (mp("!AttributeError 'str' object has no attribute 'title'\n2\n"), cp("'Ab'\n2\n"), "unsupported"),
    (mp("1\n", "AttributeError", "no attribute 'ljust'"), cp("1\n'a '\n3\n"), "unsupported"),
    (mp("", "NotImplementedError", "rsplit(None,n)"), cp("", "ValueError", "0 is not in list"), "unsupported"),
    (mp("'\\xe9'\n"), cp("'é'\n"), None),
    (mp("!ValueError 'x'\n"), cp("3\n"), None),
    (mp("1\n", "TypeError", "x"), cp("1\n", "ValueError", "x"), None),
    (mp("[0]\n"), cp("[]\n"), None),
])
def test_categories(micropython: Outcome, cpython: Outcome, category: str | None) -> None:
    assert classify_cpython(micropython, cpython).category == category


def test_micropythons_must_agree_exactly() -> None:
    first = Outcome(WASM, Status.OK, stdout="!KeyError 'a'\n")
    assert agree(first, Outcome(UNIX, Status.OK, stdout="!KeyError 'a'\n"))
    assert not agree(first, Outcome(UNIX, Status.OK, stdout="!KeyError 'b'\n"))
    assert not agree(first, Outcome(UNIX, Status.RAISED, stdout="!KeyError 'a'\n", exc_type="KeyError"))
