"""run_batch: many programs per execution, each still a fresh __main__ with its own outcome.

Runs on the embedded runners (cpython, wasm); a program that stops its batch
(a hang here) is run alone, and the programs after it still run batched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.outcome import RunnerIdentity, Status
from runners import create_runner
from runners.mpharness import RawExecution, build_batch_program, interpret_batch

PROGRAMS = ["leaked = 1\nprint('a', end='')", "print('leaked' in globals(), __name__)", "1 // 0",
            "raise KeyError('k')", "print(len([0] * 1000))"]


@pytest.fixture(params=["cpython", "wasm"], scope="module")
def runner(request: pytest.FixtureRequest) -> Iterator[Any]:
    made = create_runner(request.param)
    if not made.probe().available:
        pytest.skip(made.probe().reason)
    yield made
    made.close()


def test_each_program_gets_fresh_globals_and_its_own_outcome(runner: Any) -> None:
    outcomes = runner.run_batch(PROGRAMS, 5.0)
    assert [o.status for o in outcomes] == [Status.OK, Status.OK, Status.RAISED, Status.RAISED, Status.OK]
    assert outcomes[0].stdout == "a" and outcomes[1].stdout == "False __main__\n"
    assert outcomes[2].exc_type == "ZeroDivisionError" and outcomes[3].exc_type == "KeyError"
    assert outcomes[4].stdout == "1000\n"
    assert all(o.runner.name == runner.name and o.heap is None for o in outcomes)


def test_a_hanging_program_is_run_alone_and_the_rest_still_run(runner: Any) -> None:
    outcomes = runner.run_batch(["print(1)", "while True:\n    pass", "print(3)"], 0.5)
    assert [o.status for o in outcomes] == [Status.OK, Status.TIMEOUT, Status.OK]
    assert outcomes[2].stdout == "3\n"


def test_batch_answers_are_read_in_order_and_a_cut_batch_gives_a_prefix() -> None:
    identity = RunnerIdentity("fake", "micropython", "1.27.0", 32)
    program = build_batch_program(["print(1)", "x"], pause_gc=True)
    compile(program, "<batch>", "exec")
    from runners.mpharness import BATCH_BEGIN, BATCH_RESULT
    whole = (f"{BATCH_BEGIN}1\n{BATCH_RESULT}(None, None)\n{BATCH_BEGIN}{BATCH_RESULT}"
             f"(\"<class 'NameError'>\", \"name 'x' isn't defined\")\n").encode()
    done = interpret_batch(RawExecution(whole), identity, 2)
    assert [(o.stdout, o.exc_type) for o in done] == [("1\n", None), ("", "NameError")]
    cut = interpret_batch(RawExecution(f"{BATCH_BEGIN}1\n{BATCH_RESULT}(None, None)\n{BATCH_BEGIN}par".encode()),
                          identity, 2)
    assert len(cut) == 1
