"""The re module as MicroPython's modre.c over re1.5: a small backtracking matcher on UTF-8 bytes.

The subset: literals, ``.`` (matches newline too), ``[...]``/``[^...]`` with
ranges and ``\\d \\D \\s \\S \\w \\W`` (ASCII only), ``^``/``$`` (start/end of the
whole subject only), ``* + ?`` with lazy ``?`` forms, ``|``, ``(...)`` and
``(?:...)``. ``{`` is a literal; any other escape is the escaped character
itself. A bad pattern is ``ValueError('regex too complex')`` (or ``'error in
regex'`` for an unmatched ``)``). Match objects have only ``group(n)``;
the module has compile/match/search/sub; compiled patterns add split.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm import mptypes as T
from reference_vm.exceptions import GuestException, mp_error, new_exception
from reference_vm.objects import Module, MPType, NativeFunction

Cont = Callable[[int], bool]
Node = Callable[[int, Cont], bool]
_TOO_COMPLEX = "regex too complex"
_SPACE = b" \t\n\r\f\v"
_REPEAT = frozenset(b"*+?")


class _Syntax(Exception):
    def __init__(self, message: str = _TOO_COMPLEX) -> None:
        super().__init__(message)
        self.message = message


def _named(c: int, name: int) -> bool:
    ch = chr(name)
    if ch in "dD":
        hit = 48 <= c <= 57
    elif ch in "sS":
        hit = c in _SPACE
    else:
        hit = (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95
    return hit if ch.islower() else not hit


class Matcher:
    """One match attempt's state: the subject bytes, its end, and the capture slots."""

    def __init__(self, subject: bytes, end: int, ncaps: int) -> None:
        self.s = subject
        self.end = end
        self.caps: list[int | None] = [None] * (2 * ncaps)


class Compiler:
    """Pattern bytes -> a tree of matcher closures (re1.5's grammar, recursive descent)."""

    def __init__(self, pattern: bytes) -> None:
        self.p = pattern
        self.i = 0
        self.ngroups = 1
        self.m: Matcher = Matcher(b"", 0, 1)

    def peek(self) -> int:
        return self.p[self.i] if self.i < len(self.p) else -1

    def alternation(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == ord("|"):
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]

        def alt(pos: int, k: Cont) -> bool:
            return any(b(pos, k) for b in branches)
        return alt

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.i < len(self.p) and self.peek() not in (ord("|"), ord(")")):
            atom = self.atom()
            c = self.peek()
            if c in _REPEAT:
                self.i += 1
                greedy = self.peek() != ord("?")
                self.i += not greedy
                if self.peek() in _REPEAT:
                    raise _Syntax()
                atom = self.repeat(atom, chr(c), greedy)
            items.append(atom)
        return self.chain(items)

    @staticmethod
    def chain(items: list[Node]) -> Node:
        if not items:
            return lambda pos, k: k(pos)
        if len(items) == 1:
            return items[0]
        head, rest = items[0], Compiler.chain(items[1:])
        return lambda pos, k: head(pos, lambda p: rest(p, k))

    @staticmethod
    def repeat(atom: Node, op: str, greedy: bool) -> Node:
        if op == "?":
            if greedy:
                return lambda pos, k: atom(pos, k) or k(pos)
            return lambda pos, k: k(pos) or atom(pos, k)

        def star(pos: int, k: Cont) -> bool:
            def again(p: int) -> bool:
                if p == pos:  # re1.5 loops on an empty iteration until the stack check fires
                    raise mp_error("RuntimeError", "maximum recursion depth exceeded")
                return star(p, k)
            if greedy:
                return atom(pos, again) or k(pos)
            return k(pos) or atom(pos, again)
        if op == "*":
            return star
        return lambda pos, k: atom(pos, lambda p: star(p, k))

    def atom(self) -> Node:
        c = self.peek()
        self.i += 1
        m = self
        if c in _REPEAT:
            raise _Syntax()
        if c == ord("("):
            index = None
            if self.p[self.i:self.i + 1] == b"?":
                if self.p[self.i + 1:self.i + 2] != b":":
                    raise _Syntax()
                self.i += 2
            else:
                index = self.ngroups
                self.ngroups += 1
            inner = self.alternation()
            if self.peek() != ord(")"):
                raise _Syntax()
            self.i += 1
            if index is None:
                return inner
            slot = 2 * index

            def group(pos: int, k: Cont) -> bool:
                caps = m.m.caps

                def close(p: int) -> bool:  # re1.5's Save: set, and restore if the rest fails
                    old = caps[slot], caps[slot + 1]
                    caps[slot], caps[slot + 1] = pos, p
                    if k(p):
                        return True
                    caps[slot], caps[slot + 1] = old
                    return False
                return inner(pos, close)
            return group
        if c == ord("."):
            return lambda pos, k: pos < m.m.end and k(pos + 1)
        if c in (ord("^"), ord("$")):  # an assertion: nothing to repeat
            if self.peek() in _REPEAT:
                raise _Syntax()
            if c == ord("^"):
                return lambda pos, k: pos == 0 and k(pos)
            return lambda pos, k: pos == m.m.end and k(pos)
        if c == ord("["):
            return self.char_class()
        if c == ord("\\"):
            if self.i >= len(self.p):
                raise _Syntax()
            c = self.p[self.i]
            self.i += 1
            if chr(c) in "dDsSwW":
                name = c
                return lambda pos, k: pos < m.m.end and _named(m.m.s[pos], name) and k(pos + 1)
        lit = c
        return lambda pos, k: pos < m.m.end and m.m.s[pos] == lit and k(pos + 1)

    def char_class(self) -> Node:
        negate = self.peek() == ord("^")
        if negate:
            self.i += 1
        pairs: list[tuple[int, int, bool]] = []
        p = self.p
        while True:
            if self.i >= len(p):
                raise _Syntax()
            c = p[self.i]
            if c == ord("]"):
                break
            if c == ord("\\"):
                self.i += 1
                if self.i >= len(p):
                    raise _Syntax()
                c = p[self.i]
                if chr(c) in "dDsSwW":
                    pairs.append((c, c, True))
                    self.i += 1
                    continue
            hi = c
            if p[self.i + 1:self.i + 2] == b"-" and self.i + 2 < len(p) and p[self.i + 2] != ord("]"):
                self.i += 2
                hi = p[self.i]
            pairs.append((c, hi, False))
            self.i += 1
        self.i += 1
        m = self

        def cls(pos: int, k: Cont) -> bool:
            if pos >= m.m.end:
                return False
            b = m.m.s[pos]
            hit = any(_named(b, lo) if named else lo <= b <= hi for lo, hi, named in pairs)
            return hit != negate and k(pos + 1)
        return cls


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    from reference_vm.runtime import type_name
    raise mp_error("TypeError", f"can't convert '{type_name(value)}' object to str implicitly")


def _text(data: bytes, like: Any) -> Any:
    if isinstance(like, str):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise mp_error("UnicodeError") from None
    return data


class Regex:
    def __init__(self, pattern: Any) -> None:
        self.mp_type = RE_T
        self.addr = 0
        self.compiler = Compiler(_as_bytes(pattern))
        try:
            self.root = self.compiler.alternation()
            if self.compiler.i < len(self.compiler.p):
                raise _Syntax("error in regex")
        except _Syntax as exc:
            raise mp_error("ValueError", exc.message) from None
        self.ngroups = self.compiler.ngroups

    def repr_text(self) -> str:
        from reference_vm.objects import fake_address
        return f"<re {fake_address(self):x}>"

    def run(self, subject: bytes, start: int, end: int, anchored: bool) -> list[int | None] | None:
        matcher = Matcher(subject, end, self.ngroups)
        self.compiler.m = matcher
        for pos in range(start, end + 1) if not anchored else (start,):
            matcher.caps = [None] * (2 * self.ngroups)

            def finish(p: int, at: int = pos) -> bool:
                matcher.caps[0], matcher.caps[1] = at, p
                return True
            if self.root(pos, finish):
                return matcher.caps
        return None


class Match:
    def __init__(self, subject: Any, data: bytes, caps: list[int | None]) -> None:
        self.mp_type = MATCH_T
        self.addr = 0
        self.subject = subject
        self.data = data
        self.caps = caps

    def repr_text(self) -> str:
        return f"<match num={len(self.caps) // 2}>"

    def group(self, n: Any) -> Any:
        from reference_vm.builtins_types import to_int_strict
        index = to_int_strict(n)
        if index < 0 or index >= len(self.caps) // 2:
            raise GuestException(new_exception(T.EXCEPTIONS["IndexError"], (n,)))
        start, end = self.caps[2 * index], self.caps[2 * index + 1]
        if start is None or end is None:
            return None
        return _text(self.data[start:end], self.subject)


def _exec(rx: Regex, anchored: bool, subject: Any, *bounds: Any) -> Any:
    from reference_vm.builtins_types import to_int_strict
    data = _as_bytes(subject)
    start, end = 0, len(data)
    if bounds:
        length = len(subject)
        pos = to_int_strict(bounds[0])
        if pos >= length:
            return None
        pos = max(pos, 0)
        start = _offset(subject, pos)
        if len(bounds) > 1:
            endpos = to_int_strict(bounds[1])
            if endpos <= pos:
                return None
            end = _offset(subject, min(endpos, length))
    caps = rx.run(data, start, end, anchored)
    return None if caps is None else Match(subject, data, caps)


def _offset(subject: Any, index: int) -> int:
    return len(subject[:index].encode("utf-8", "surrogatepass")) if isinstance(subject, str) else index


def _expand(template: bytes, caps: list[int | None], data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(template):
        c = template[i]
        if c != ord("\\"):
            out.append(c)
            i += 1
            continue
        i += 1
        g_form = template[i:i + 2] == b"g<"
        if g_form:
            i += 2
        if i < len(template) and 48 <= template[i] <= 57:
            num = 0
            while i < len(template) and 48 <= template[i] <= 57:
                num = num * 10 + template[i] - 48
                i += 1
            if g_form and template[i:i + 1] == b">":
                i += 1
            if num >= len(caps) // 2:
                raise GuestException(new_exception(T.EXCEPTIONS["IndexError"], (num,)))
            start, end = caps[2 * num], caps[2 * num + 1]
            if start is not None and end is not None:
                out += data[start:end]
        elif template[i:i + 1] == b"\\":
            out.append(92)
            i += 1
    return bytes(out)


def _scan(rx: Regex, data: bytes, limit: Any) -> Any:
    """The successive matches sub and split act on: an empty match (or ``limit`` of them) ends the scan."""
    from reference_vm.builtins_types import to_int_strict
    begin: Any = 0
    remaining = to_int_strict(limit)
    while True:
        caps = rx.run(data, begin, len(data), False)
        if caps is None or caps[0] == caps[1]:
            return
        yield caps
        begin = caps[1]
        remaining -= 1
        if remaining == 0:
            return


def _sub(rx: Regex, repl: Any, subject: Any, count: Any = 0) -> Any:
    from reference_vm.builtins import b_callable
    from reference_vm.runtime import call
    data, out, begin, is_func = _as_bytes(subject), bytearray(), 0, b_callable(repl)
    for caps in _scan(rx, data, count):
        out += data[begin:caps[0]]
        text = call(repl, [Match(subject, data, caps)]) if is_func else repl
        out += _expand(_as_bytes(text), caps, data)
        begin = caps[1]
    return _text(bytes(out + data[begin:]), subject)


def _split(rx: Regex, subject: Any, maxsplit: Any = 0) -> list[Any]:
    data, parts, begin = _as_bytes(subject), [], 0
    for caps in _scan(rx, data, maxsplit):
        parts.append(_text(data[begin:caps[0]], subject))
        if rx.ngroups > 1:
            raise mp_error("NotImplementedError", "splitting with sub-captures")
        begin = caps[1]
    parts.append(_text(data[begin:], subject))
    return parts


def _type(name: str, members: dict[str, NativeFunction]) -> MPType:
    cls = MPType(name, (T.OBJECT,), members)
    cls.mp_type = T.TYPE
    return cls


MATCH_T = _type("match", {"group": NativeFunction("group", Match.group, 2, 2)})
RE_T = _type("re", {
    "match": NativeFunction("match", lambda rx, *a: _exec(rx, True, *a), 2, 4),
    "search": NativeFunction("search", lambda rx, *a: _exec(rx, False, *a), 2, 4),
    "sub": NativeFunction("sub", _sub, 3, 4),
    "split": NativeFunction("split", _split, 2, 3),
})


def make_re() -> Module:
    from reference_vm.modules import fn, new_module

    def compile_(pattern: Any, flags: Any = 0) -> Regex:
        return Regex(pattern)
    return new_module("re", {
        "compile": fn("compile", compile_, 1, 2),
        "match": fn("match", lambda p, s, flags=0: _exec(Regex(p), True, s), 2, 3),
        "search": fn("search", lambda p, s, flags=0: _exec(Regex(p), False, s), 2, 3),
        "sub": fn("sub", lambda p, r, s, count=0, flags=0: _sub(Regex(p), r, s, count), 3, 5),
    })
