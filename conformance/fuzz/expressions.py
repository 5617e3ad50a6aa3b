"""Grammar 1: expressions over int, big int, float, str, bytes, tuple, list, dict, set and bool.

Typed on purpose: each form names the kinds of its operands, so most method
calls are applied to values that have them and the program exercises the
method rather than an AttributeError. Forms are tables of
``(template, operand kinds)``; an operand kind is either a value kind (a
sub-expression, one level shallower) or a leaf strategy from ``leaves``. The
first form of every kind is its literal, so Hypothesis shrinks towards
literals. Dicts and sets are printed sorted: their iteration order is a known
difference, not a finding.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.fuzz import leaves
from conformance.fuzz.program import Program, show

Form = tuple[str, tuple[object, ...]]

LITERALS: dict[str, st.SearchStrategy[str]] = {
    "int": leaves.int_literals,
    "float": leaves.float_literals,
    "str": leaves.str_literals(),
    "bytes": leaves.bytes_literals(),
    "list": leaves.list_literals(),
    "tuple": leaves.list_literals().map(lambda text: f"tuple({text})"),
    "dict": leaves.dict_literals(),
    "set": leaves.set_literals(),
    "bool": st.sampled_from(["True", "False"]),
}

L = leaves
FORMS: dict[str, list[Form]] = {
    "int": [
        ("({0} + {1})", ("int", "int")), ("({0} - {1})", ("int", "int")), ("({0} * {1})", ("int", "int")),
        ("({0} // {1})", ("int", "int")), ("({0} % {1})", ("int", "int")),
        ("({0} ** {1})", (L.int_literals, L.exponents)),
        ("({0} << {1})", ("int", L.shift_counts)), ("({0} >> {1})", ("int", L.shift_counts)),
        ("({0} & {1})", ("int", "int")), ("({0} | {1})", ("int", "int")), ("({0} ^ {1})", ("int", "int")),
        ("(-{0})", ("int",)), ("(~{0})", ("int",)), ("abs({0})", ("int",)), ("len({0})", ("str",)),
        ("len({0})", ("list",)), ("len({0})", ("bytes",)), ("len({0})", ("dict",)), ("int({0})", ("float",)),
        ("int({0})", (L.digit_strings,)), ("int({0}, {1})", (L.digit_strings, L.int_bases)), ("round({0})", ("float",)),
        ("min({0}, {1})", ("int", "int")), ("max({0}, {1})", ("int", "int")), ("sum({0})", ("list",)),
        ("{0}.count({1})", ("str", "str")), ("{0}.find({1})", ("str", "str")), ("{0}.rfind({1})", ("str", "str")),
        ("{0}.index({1})", ("list", "int")), ("pow({0}, {1}, {2})", ("int", L.exponents, L.moduli)),
        ("divmod({0}, {1})[0]", ("int", "int")), ("int.from_bytes({0}, {1})", ("bytes", L.byte_orders)),
        ("ord({0})", ("str",)), ("{0}[{1}]", ("bytes", L.indices)), ("({0} if {1} else {2})", ("int", "bool", "int")),
        ("len({0}.keys())", ("dict",)), ("{0}.get({1}, {2})", ("dict", "str", "int")), ("{0}[{1}]", ("dict", "str")),
        ("int({0})", ("bool",)), ("({0} + {1})", ("bool", "int")),
    ],
    "float": [
        ("({0} + {1})", ("float", "float")), ("({0} - {1})", ("float", "int")), ("({0} * {1})", ("float", "float")),
        ("({0} / {1})", ("float", "float")), ("({0} / {1})", ("int", "int")), ("float({0})", ("int",)),
        ("float({0})", (L.float_strings,)), ("abs({0})", ("float",)), ("round({0}, {1})", ("float", L.repeat_counts)),
        ("({0} ** {1})", (L.float_literals, L.float_exponents)), ("({0} // {1})", ("float", "float")),
        ("({0} % {1})", ("float", "float")), ("min({0}, {1})", ("float", "int")),
        ("divmod({0}, {1})[1]", ("float", "int")),
    ],
    "str": [
        ("({0} + {1})", ("str", "str")), ("({0} * {1})", ("str", L.repeat_counts)), ("{0}[{1}]", ("str", L.indices)),
        ("{0}[{1}:{2}]", ("str", L.slice_bounds, L.slice_bounds)),
        ("{0}[{1}:{2}:{3}]", ("str", L.slice_bounds, L.slice_bounds, L.slice_steps)),
        ("{0}.upper()", ("str",)), ("{0}.lower()", ("str",)), ("{0}.strip()", ("str",)),
        ("{0}.strip({1})", ("str", L.strip_sets)), ("{0}.lstrip({1})", ("str", L.strip_sets)),
        ("{0}.rstrip()", ("str",)), ("{0}.replace({1}, {2})", ("str", "str", "str")),
        ("{0}.replace({1}, {2}, {3})", ("str", "str", "str", L.repeat_counts)),
        ("{0}.center({1})", ("str", L.widths)), ("{0}.join({1})", ("str", "str")),
        ("{0}.join({1})", ("str", "list")), ("str({0})", ("int",)),
        ("str({0})", ("float",)), ("str({0})", ("list",)), ("str({0})", ("bytes",)), ("repr({0})", ("str",)),
        ("hex({0})", ("int",)), ("bin({0})", ("int",)), ("oct({0})", ("int",)), ("chr({0})", (L.code_points,)),
        ("{0}.decode()", ("bytes",)), ("{0}.hex()", ("bytes",)), ("{0}.split({1})[{2}]", ("str", "str", L.indices)),
        ("{0}.partition({1})[{2}]", ("str", "str", L.indices)), ("{0}.rsplit(None, {1})[0]", ("str", L.repeat_counts)),
    ],
    "bytes": [
        ("({0} + {1})", ("bytes", "bytes")), ("({0} * {1})", ("bytes", L.repeat_counts)),
        ("{0}[{1}:{2}]", ("bytes", L.slice_bounds, L.slice_bounds)), ("bytes({0})", (L.repeat_counts,)),
        ("bytes({0})", (L.byte_value_lists,)), ("{0}.encode()", ("str",)), ("bytes.fromhex({0})", (L.hex_strings,)),
        ("({0}).to_bytes({1}, {2})", ("int", L.byte_lengths, L.byte_orders)),
        ("({0}).to_bytes({1}, {2}, signed=True)", ("int", L.byte_lengths, L.byte_orders)),
        ("{0}.replace({1}, {2})", ("bytes", "bytes", "bytes")), ("{0}.upper()", ("bytes",)),
        ("{0}.strip()", ("bytes",)), ("{0}.center({1})", ("bytes", L.widths)), ("bytes({0}, 'utf-8')", ("str",)),
    ],
    "list": [
        ("list(range({0}))", (L.repeat_counts,)), ("list(range({0}, {1}, {2}))", (L.indices, L.indices, L.slice_steps)),
        ("sorted({0})", ("list",)), ("sorted({0}, reverse=True)", ("list",)), ("({0} + {1})", ("list", "list")),
        ("({0} * {1})", ("list", L.repeat_counts)), ("{0}[{1}:{2}:{3}]", ("list", L.slice_bounds, L.slice_bounds,
                                                                       L.slice_steps)),
        ("list(reversed({0}))", ("list",)), ("[x * {1} for x in {0}]", ("list", "int")), ("list({0})", ("str",)),
        ("list({0})", ("bytes",)), ("{0}.split()", ("str",)), ("{0}.split({1})", ("str", "str")),
        ("sorted({0})", ("dict",)),
        ("sorted({0})", ("set",)), ("list(map(abs, {0}))", ("list",)), ("list(filter(None, {0}))", ("list",)),
        ("list(enumerate({0}))", ("str",)), ("list(zip({0}, {1}))", ("list", "str")), ("[{0}, {1}]", ("int", "float")),
        ("{0}.splitlines()", ("str",)), ("sorted({0}.values())", ("dict",)), ("list({0})", ("tuple",)),
    ],
    "tuple": [
        ("({0}, {1})", ("int", "str")), ("tuple({0})", ("list",)), ("divmod({0}, {1})", ("int", "int")),
        ("divmod({0}, {1})", ("float", "float")), ("{0}.partition({1})", ("str", "str")),
        ("{0}.rpartition({1})", ("str", "str")), ("{0}[1:]", ("tuple",)), ("({0} + {1})", ("tuple", "tuple")),
    ],
    "dict": [
        ("dict(zip({0}, {1}))", ("str", "list")), ("dict.fromkeys({0}, {1})", ("str", "int")),
        ("{{k: {1} for k in {0}}}", ("str", "int")), ("dict({0}, z={1})", ("dict", "int")),
    ],
    "set": [
        ("set({0})", ("list",)), ("({0} | {1})", ("set", "set")), ("({0} & {1})", ("set", "set")),
        ("({0} - {1})", ("set", "set")), ("({0} ^ {1})", ("set", "set")), ("{{x % 5 for x in {0}}}", ("list",)),
        ("set({0}.keys())", ("dict",)),
    ],
    "bool": [
        ("({0} < {1})", ("int", "int")), ("({0} < {1})", ("str", "str")), ("({0} <= {1})", ("list", "list")),
        ("({0} == {1})", ("int", "float")), ("({0} == {1})", ("bytes", "str")), ("({0} in {1})", ("int", "list")),
        ("({0} in {1})", ("str", "str")), ("(not {0})", ("list",)), ("{0}.startswith({1})", ("str", "str")),
        ("{0}.endswith({1})", ("bytes", "bytes")), ("any({0})", ("list",)), ("all({0})", ("str",)),
        ("({0} < {1} < {2})", ("int", "int", "int")), ("{0}.isdigit()", ("str",)), ("{0}.isspace()", ("str",)),
        ("bool({0})", ("dict",)), ("bool({0}.values())", ("dict",)), ("{0}.issubset({1})", ("set", "set")),
        ("({0} is {1})", ("bool", "bool")),
    ],
}

KINDS: tuple[str, ...] = tuple(FORMS)


def _operand(kind: object, depth: int) -> st.SearchStrategy[str]:
    return expression(str(kind), depth) if isinstance(kind, str) else kind  # type: ignore[return-value]


@st.composite
def expression(draw: st.DrawFn, kind: str | None = None, depth: int = 2) -> str:
    """An expression of ``kind`` (drawn when None), at most ``depth`` forms deep."""
    kind = kind or draw(st.sampled_from(KINDS))
    forms = FORMS[kind]
    choice = draw(st.integers(0, len(forms) if depth > 0 else 0))
    if choice == 0:
        return draw(LITERALS[kind])
    template, operands = forms[choice - 1]
    return template.format(*(draw(_operand(operand, depth - 1)) for operand in operands))


def printable(expression_text: str, kind: str) -> str:
    """The expression as printed: dicts and sets sorted, since their order is not the point."""
    if kind == "dict":
        return f"sorted({expression_text}.items())"
    if kind == "set":
        return f"sorted({expression_text})"
    return expression_text


@st.composite
def expression_programs(draw: st.DrawFn, max_steps: int = 4) -> Program:
    """1 to ``max_steps`` expressions, each shown on its own line."""
    lines = []
    for _ in range(draw(st.integers(1, max_steps))):
        kind = draw(st.sampled_from(KINDS))
        lines.append(show(printable(draw(expression(kind, draw(st.integers(0, 3)))), kind)))
    return Program("expressions", tuple(lines))
