"""check_runner(): the contract test every runner must pass, built-in or third-party.

A plugin author calls ``check_runner(MyRunner)`` from a test; it runs a few
real programs and raises ``AssertionError`` naming the first broken promise.
It needs nothing but the runner itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.case import Case, Expectation, OutcomeSpec, SourceRef
from conformance.outcome import Outcome, Status


def _case(case_id: str, code: str, timeout: float = 10.0) -> Case:
    return Case(case_id, code, Expectation(OutcomeSpec()), SourceRef("<selftest>", 1), "selftest", timeout=timeout)


def _expect(condition: bool, runner: str, promise: str, outcome: Outcome) -> None:
    if not condition:
        raise AssertionError(
            f"runner {runner!r} breaks the contract: {promise}; got status={outcome.status.value} "
            f"stdout={outcome.stdout!r} exception={outcome.exc_type}: {outcome.exc_message!r} "
            f"detail={outcome.detail!r}")


def check_runner(factory: Callable[[], Any], hang_timeout: float = 1.0) -> None:
    """Run the contract checks on a fresh runner from ``factory``; closes it afterwards."""
    runner = factory()
    try:
        probe = runner.probe()
        if not probe.available:
            raise AssertionError(f"runner {runner.name!r} is not available here: {probe.reason}")
        name = runner.name
        done = runner.run(_case("st-stdout", "print('a', 1)\nprint(__name__)"))
        _expect(done.status is Status.OK and done.stdout == "a 1\n__main__\n", name,
                "prints stdout and runs the case as __main__", done)
        _expect(done.runner.name == name, name, "names itself in the outcome", done)
        raised = runner.run(_case("st-raise", "x = 1\n\ndef f():\n    raise ValueError('bad')\nf()\n"))
        _expect(raised.status is Status.RAISED and raised.exc_type == "ValueError"
                and raised.exc_message == "bad", name, "reports the escaping exception's type and message", raised)
        _expect(raised.traceback_lines[-1:] == (4,), name, "reports traceback lines of the case's own code", raised)
        runner.run(_case("st-leak-1", "leaked = 1"))
        leak = runner.run(_case("st-leak-2", "print('leaked' in globals())"))
        _expect(leak.stdout == "False\n", name, "keeps no state from one case to the next", leak)
        hang = runner.run(_case("st-hang", "while True:\n    pass\n", timeout=hang_timeout))
        _expect(hang.status is Status.TIMEOUT, name, "ends a hanging case as a timeout", hang)
        after = runner.run(_case("st-after-hang", "print('ok')"))
        _expect(after.stdout == "ok\n", name, "keeps working after a timeout", after)
        for outcome in (done, raised, hang):
            _expect(Outcome.from_json(outcome.to_json()).to_json() == outcome.to_json(), name,
                    "produces outcomes that survive a JSON round trip", outcome)
    finally:
        runner.close()
