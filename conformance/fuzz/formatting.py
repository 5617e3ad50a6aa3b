"""Grammar 3: string formatting with ``%``, ``str.format`` and f-strings.

Values are bound to variables first (``v0``, ``v1``) and formatted by name,
so f-string fields hold no quotes or backslashes, which CPython before 3.12
rejects inside them. Specs mostly match the value's kind; a few mismatches
are kept on purpose to exercise the errors.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.fuzz.expressions import expression
from conformance.fuzz.program import Program, show

VALUE_KINDS = ("int", "float", "str")
SPECS = {
    "int": ("", "d", "5d", "<5", ">5", "^6", "05d", "+d", " d", "x", "X", "#x", "o", "#o", "b", "#b", "c", "08b",
            "e", ".2f"),
    "float": ("", ".2f", "10.3f", "e", ".3e", "g", ".4g", "%", "+.1f", "08.2f", "<9", "^9.1f", "G", ".0f", "d"),
    "str": ("", "s", ">6", "<6", "^7", "*^7", ".2", "-<5", "10.3", "d"),
}
PERCENT = {
    "int": ("%d", "%5d", "%-5d|", "%05d", "%x", "%X", "%#x", "%o", "%c", "%+d", "%s", "%r", "%e", "%.2f"),
    "float": ("%f", "%.2f", "%e", "%.3g", "%g", "%10.3f", "%-8.1f|", "%d", "%s", "%r", "%+.0f"),
    "str": ("%s", "%r", "%5s", "%-5s|", "%.2s", "%d", "%c"),
}
CONVERSIONS = ("", "!r", "!s")


@st.composite
def format_programs(draw: st.DrawFn, max_steps: int = 4) -> Program:
    """Two bound values, then 1 to ``max_steps`` formatting expressions over them."""
    kinds = [draw(st.sampled_from(VALUE_KINDS)) for _ in range(2)]
    lines = [f"v{i} = {draw(expression(kind, 1))}" for i, kind in enumerate(kinds)]
    for _ in range(draw(st.integers(1, max_steps))):
        i = draw(st.integers(0, 1))
        kind, name = kinds[i], f"v{i}"
        style = draw(st.sampled_from(("percent", "format", "fstring", "percent-tuple", "format-indexed")))
        spec = draw(st.sampled_from(SPECS[kind]))
        if style == "percent":
            text = f"{draw(st.sampled_from(PERCENT[kind]))!r} % {name}"
        elif style == "percent-tuple":
            first, second = (draw(st.sampled_from(PERCENT[k])) for k in kinds)
            text = f"{first + ' ' + second + ' %%'!r} % (v0, v1)"
        elif style == "format":
            conversion = draw(st.sampled_from(CONVERSIONS))
            text = f"{'<{' + conversion + (':' + spec if spec else '') + '}>'!r}.format({name})"
        elif style == "format-indexed":
            text = f"{'{1}-{0}-{1:' + spec + '}'!r}.format(v0, v1)"
        else:
            conversion = draw(st.sampled_from(CONVERSIONS))
            text = "f'<{" + name + conversion + (":" + spec if spec else "") + "}>'"
        lines.append(show(text))
    return Program("formatting", tuple(lines))
