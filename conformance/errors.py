"""The suite's exception tree.

Every error a user can meet is a subclass of ``ConformanceError`` carrying its
structured fields as attributes, and a message that says what to do next.
Nothing in the suite matches on message text.
"""

from __future__ import annotations

from collections.abc import Iterable


class ConformanceError(Exception):
    """Root of every error raised by micropython-conformance."""


class CaseFileError(ConformanceError):
    """A case file is malformed: names the file, the line and the field."""

    def __init__(self, path: str, line: int | None, field: str, problem: str, check: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        self.check = check
        where = f"{path}:{line}" if line else path
        super().__init__(
            f"{where}: {field}: {problem} [{check}]\n"
            "Hint: the case format is described in cases/README.md; run `mpconform lint` to check all files."
        )


class CaseFileErrors(ConformanceError):
    """Several problems in one case file, reported together."""

    def __init__(self, errors: list[CaseFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e).splitlines()[0] for e in errors)
                         + "\nHint: the case format is described in cases/README.md.")


class UnknownRunner(ConformanceError):
    """A runner name that neither the built-ins nor an installed plugin provides."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(
            f"unknown runner {name!r}; known runners: {', '.join(self.known)}. "
            "Third-party runners register under the 'mpconform.runners' entry-point group."
        )


class RunnerUnavailable(ConformanceError):
    """A runner that exists but cannot run here (missing binary, package or device)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"runner {name!r} is unavailable: {reason}")


class ProbeError(ConformanceError):
    """A runner's capability probe did not produce a readable answer."""

    def __init__(self, runner: str, problem: str, output_tail: str) -> None:
        self.runner = runner
        self.problem = problem
        self.output_tail = output_tail
        super().__init__(
            f"runner {runner!r}: {problem}; last output: {output_tail!r}. "
            "Check that the implementation starts (`mpconform runners`)."
        )


class TransportError(ConformanceError):
    """A serial or pty connection failed, or the device answered what the protocol does not allow.

    ``gone`` is True when the device itself disappeared (unplugged, emulator
    killed); ``received`` holds the tail of the bytes read before the failure.
    """

    def __init__(self, port: str, problem: str, received: bytes, gone: bool = False) -> None:
        self.port = port
        self.problem = problem
        self.received = received
        self.gone = gone
        tail = f"; last bytes received: {received[-200:]!r}" if received else ""
        super().__init__(
            f"{port}: {problem}{tail}. Check the cable and that no other program (mpremote, a terminal) "
            "holds the port; `mpconform runners --runner serial --port auto` lists the ports it sees."
        )


class ResultsFileError(ConformanceError):
    """A results.jsonl line that cannot be read back."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(
            f"{where}: {problem}. The file is written one JSON object per line by "
            "`mpconform run` or `pytest --results`; a truncated last line means the run was killed."
        )
