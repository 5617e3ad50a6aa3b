"""Which runners agree with each other on a case, regardless of expectations.

Two outcomes agree when they end the same way (status, exception type and
message) and print the same stdout. Heap figures and durations are not part
of agreement: they are compared in the memory view instead.
"""

from __future__ import annotations

from conformance.outcome import Outcome


def behaviour_key(outcome: Outcome) -> tuple[str, str, str | None, str | None]:
    """What must be equal for two outcomes to agree."""
    return outcome.status.value, outcome.stdout, outcome.exc_type, outcome.exc_message


def agreement(outcomes: list[Outcome]) -> list[list[str]]:
    """Runner names grouped by identical behaviour, largest group first."""
    groups: dict[tuple[str, str, str | None, str | None], list[str]] = {}
    for outcome in outcomes:
        groups.setdefault(behaviour_key(outcome), []).append(outcome.runner.name)
    return sorted(groups.values(), key=len, reverse=True)


def side_by_side(outcomes: list[Outcome]) -> str:
    """A readable block per runner: status, exception, stdout, heap, time."""
    blocks = []
    for outcome in outcomes:
        ident = outcome.runner
        head = f"== {ident.name}: {ident.implementation} {ident.version} ({ident.word_bits}-bit)"
        ending = outcome.status.value
        if outcome.exc_type:
            ending += f" {outcome.exc_type}: {outcome.exc_message}"
            if outcome.traceback_lines:
                ending += f" (case lines {', '.join(map(str, outcome.traceback_lines))})"
        heap = ""
        if outcome.heap:
            heap = (f"heap ({outcome.heap.kind}): allocated {outcome.heap.allocated}, "
                    f"retained {outcome.heap.retained}")
        body = "\n".join("   | " + line for line in outcome.stdout.splitlines()) or "   | (no output)"
        detail = f"\n   detail: {outcome.detail}" if outcome.detail else ""
        blocks.append(f"{head}\n   {ending}; {outcome.duration * 1000:.1f} ms\n   {heap}{detail}\n{body}")
    return "\n".join(blocks)
