"""Grammar 2: statement programs over three variables, ``a`` (int), ``s`` (str) and ``xs`` (list).

Blocks cover assignments, if/while/for with bounded ranges, try/except/else/
finally, functions with defaults and closures, generators, comprehensions
and simple classes. Loops only run over ``range`` of a small literal or over
a bounded value, and every ``while`` counts up to a small literal, so every
program terminates. Each block prints what it changed, and the program
prints the final state.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.fuzz import leaves
from conformance.fuzz.expressions import expression
from conformance.fuzz.program import Program

EXCEPTIONS = ("ValueError", "TypeError", "ZeroDivisionError", "IndexError", "KeyError", "OverflowError",
              "ArithmeticError", "LookupError", "Exception")

#: Block templates: holes are ``{int}``, ``{str}``, ``{list}``, ``{bool}``, ``{n}`` (a loop bound)
#: and ``{exc}`` (an exception class name), each filled by a fresh draw.
BLOCKS: tuple[str, ...] = tuple(block.strip("\n") for block in (
    """
a = {int}
print(a)
""",
    """
if {bool}:
    a = {int}
elif a > {int}:
    s = {str}
else:
    xs = xs + [a]
print(a, repr(s), xs)
""",
    """
for i in range({n}):
    a = a + i * {int}
    xs.append(i)
print(a, xs)
""",
    """
k = 0
while k < {n}:
    s = s + str(k)
    k += 1
    if k == {n}:
        break
print(repr(s), k)
""",
    """
for ch in s:
    if ch == {str}:
        continue
    a += ord(ch)
print(a)
""",
    """
try:
    a = {int}
    print('try', a)
except {exc} as e:
    print('except', type(e).__name__)
else:
    print('else')
finally:
    print('finally', a)
""",
    """
try:
    raise {exc}({str})
except Exception as e:
    print('!' + type(e).__name__, e.args)
""",
    """
def f(x, y={int}, *rest):
    return x * 2 + y + len(rest)
print(f(a), f(a, {int}), f(1, 2, 3, 4))
""",
    """
def mk(n):
    def g(x):
        return x + n
    return g
print(mk({int})(a), mk(a)(-1))
""",
    """
def counter():
    c = {int}
    def inc():
        nonlocal c
        c += 1
        return c
    return inc
inc = counter()
print(inc(), inc())
""",
    """
def gen(n):
    for i in range(n):
        yield i * {int}
    return 'done'
print(list(gen({n})), sum(gen({n})))
""",
    """
g = (x + 1 for x in xs)
print(next(g, None), list(g))
""",
    """
print([x * {int} for x in xs if x % 2], sorted({{x % 3 for x in xs}}), sorted({{str(x): x for x in xs}}.items()))
""",
    """
class C:
    k = {int}
    def __init__(self, v):
        self.v = v
    def m(self):
        return self.v + self.k
    def __repr__(self):
        return 'C(' + repr(self.v) + ')'
c = C({int})
print(c, c.m(), C.k, [c])
""",
    """
class P:
    def __init__(self, v):
        self.v = v
    def __add__(self, o):
        return P(self.v + o.v)
    def __eq__(self, o):
        return self.v == o.v
    def __lt__(self, o):
        return self.v < o.v
print((P(a) + P({int})).v, P(1) == P(1), [p.v for p in sorted([P(3), P(a), P({int})])])
""",
    """
class B:
    def m(self):
        return {int}
class D(B):
    def m(self):
        return super().m() * 2
print(D().m(), isinstance(D(), B))
""",
    """
class M:
    def __enter__(self):
        print('enter')
        return self
    def __exit__(self, t, v, tb):
        print('exit', t is not None)
        return {bool}
with M():
    a = {int}
print(a)
""",
    """
def setg():
    global a
    a = {int}
setg()
print(a)
""",
    """
xs += [a]
xs[0:1] = [{int}]
del xs[-1:]
print(xs)
""",
    """
p, *q = xs + [1, 2]
print(p, q)
""",
    """
a, b = divmod(a, {int})
print(a, b)
""",
    """
print(sorted(xs, key=lambda x: -x), max(xs + [0]), min(xs + [{int}]))
""",
    """
s = {str}
print(repr(s), len(s))
""",
    """
xs.sort()
xs.reverse()
print(xs, xs.count({int}))
""",
    """
d = {{}}
for x in xs:
    d[x % 3] = d.get(x % 3, 0) + 1
print(sorted(d.items()))
""",
))

_HOLES = {
    "int": lambda: expression("int", 1),
    "str": lambda: expression("str", 1),
    "list": lambda: expression("list", 1),
    "bool": lambda: expression("bool", 1),
    "n": lambda: leaves.repeat_counts,
    "exc": lambda: st.sampled_from(EXCEPTIONS),
}


class _Filler(dict):  # type: ignore[type-arg]
    """Fills each ``{hole}`` of a template with a fresh draw (str.format_map calls __missing__)."""

    def __init__(self, draw: st.DrawFn) -> None:
        super().__init__()
        self.draw = draw

    def __missing__(self, key: str) -> str:
        return str(self.draw(_HOLES[key]()))


@st.composite
def statement_programs(draw: st.DrawFn, max_blocks: int = 4) -> Program:
    """Initial ``a``, ``s``, ``xs``; 1 to ``max_blocks`` blocks; the final state printed."""
    lines = [f"a = {draw(expression('int', 1))}", f"s = {draw(expression('str', 1))}",
             f"xs = list({draw(expression('list', 1))})"]
    for _ in range(draw(st.integers(1, max_blocks))):
        template = draw(st.sampled_from(BLOCKS))
        lines += template.format_map(_Filler(draw)).splitlines()
    lines.append("print(a, repr(s), xs)")
    return Program("statements", tuple(lines))
