"""A generated program: its grammar, its lines, and how it is rendered as source.

Every program prints its observable state. Expression steps go through
``show``, which prints the value's repr, or ``!`` and the type and the repr
of the message of the exception it raised (one line, whatever the message
holds), so one failing step does not hide the others and a difference in any
step shows in the output.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Defined at the top of every program that uses ``show``.
SHOW_PRELUDE = (
    "def show(f):\n"
    "    try:\n"
    "        print(repr(f()))\n"
    "    except Exception as e:\n"
    "        print('!' + type(e).__name__, repr(str(e)))\n"
)

#: The mark that starts a line printed for a caught exception (type, then message).
EXCEPTION_MARK = "!"


@dataclass(frozen=True)
class Program:
    """Source lines from one grammar; ``source`` is what runners execute."""

    grammar: str
    lines: tuple[str, ...]

    @property
    def body(self) -> str:
        """The generated lines, without the ``show`` prelude."""
        return "\n".join(self.lines) + "\n"

    @property
    def source(self) -> str:
        return (SHOW_PRELUDE + self.body) if "show(" in self.body else self.body

    def __repr__(self) -> str:
        shown = "\n".join("    " + line for line in self.source.splitlines())
        return f"Program({self.grammar!r}):\n{shown}"


def show(expression: str) -> str:
    """The line that prints an expression's repr (or the exception it raises)."""
    return f"show(lambda: {expression})"
