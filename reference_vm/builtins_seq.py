"""list and tuple methods, and MicroPython's (unstable) quicksort used by sort()/sorted().

``mp_quicksort`` is ported exactly (py/objlist.c): pivot = last element, Hoare
partition, the smaller side first. It is not stable, so equal keys can come out
in a different order than in CPython; cases rely on that verified order.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.arith import binary_op, equal
from reference_vm.exceptions import mp_error
from reference_vm.objects import NULL, NativeFunction
from reference_vm.opcodes import BinaryOp as B
from reference_vm.runtime import STATE, call, iterate, type_name


def quicksort(items: list[Any], key: Any = None, reverse: bool = False) -> None:
    """Sort ``items`` in place with MicroPython's algorithm and comparison calls."""
    if len(items) < 2:
        return
    less_result = not reverse
    key_fn = None if key is None else key

    def k(x: Any) -> Any:
        return x if key_fn is None else call(key_fn, [x])

    def sort(head: int, tail: int) -> None:
        while tail - head > 1:
            h, t = head, tail
            v = k(items[tail])
            while True:
                h += 1
                while h < t and binary_op(B.LESS, k(items[h]), v) is less_result:
                    h += 1
                t -= 1
                while h < t and binary_op(B.LESS, v, k(items[t])) is less_result:
                    t -= 1
                if h >= t:
                    break
                items[h], items[t] = items[t], items[h]
            items[h], items[tail] = items[tail], items[h]
            if t - head < tail - h:
                sort(head, t)
                head = h
            else:
                sort(h, tail)
                tail = t

    sort(-1, len(items) - 1)


def _check_list(self: Any) -> list[Any]:
    return self


def list_append(self: list[Any], x: Any) -> None:
    self.append(x)


def list_extend(self: list[Any], it: Any) -> None:
    self.extend(iterate(it))


def list_insert(self: list[Any], i: Any, x: Any) -> None:
    n = len(self)
    i = int(i)
    if i < 0:
        i = max(0, i + n)
    self.insert(min(i, n), x)


def list_pop(self: list[Any], i: Any = -1) -> Any:
    if not self:
        raise mp_error("IndexError", "pop from empty list")
    n = len(self)
    j = int(i) + n if int(i) < 0 else int(i)
    if not 0 <= j < n:
        raise mp_error("IndexError", "list index out of range")
    return self.pop(j)


def list_remove(self: list[Any], x: Any) -> None:
    for i, item in enumerate(self):
        if equal(item, x):
            del self[i]
            return
    raise mp_error("ValueError", "object not in sequence")


def seq_index(self: Any, x: Any, start: Any = 0, stop: Any = None) -> int:
    n = len(self)
    start = int(start)
    stop = n if stop is None else int(stop)
    if start < 0:
        start = max(0, start + n)
    if stop < 0:
        stop = max(0, stop + n)
    for i in range(start, min(stop, n)):
        if equal(self[i], x):
            return i
    raise mp_error("ValueError", "object not in sequence")


def seq_count(self: Any, x: Any) -> int:
    return sum(1 for item in self if equal(item, x))


def list_sort(self: list[Any], key: Any = None, reverse: Any = False) -> None:
    from reference_vm.runtime import truth
    quicksort(self, key, truth(reverse))


def list_reverse(self: list[Any]) -> None:
    self.reverse()


def list_clear(self: list[Any]) -> None:
    self.clear()


def list_copy(self: list[Any]) -> list[Any]:
    return list(self)


def _sort_kw(self: list[Any], *args: Any, **kwargs: Any) -> None:
    """list.sort(*, key=None, reverse=False), its arguments checked as mp_arg_parse_all does."""
    if args:
        raise arg_mismatch("extra positional arguments given")
    if any(name not in ("key", "reverse") for name in kwargs):
        raise arg_mismatch("extra keyword arguments given")
    list_sort(self, kwargs.get("key"), kwargs.get("reverse", False))


def arg_mismatch(message: str) -> Exception:
    """mp_arg_parse_all's complaint: its own text, or the terse build's single message."""
    return mp_error("TypeError", "argument num/types mismatch" if STATE.terse else message)


def sorted_(items: Any, *args: Any, **kwargs: Any) -> list[Any]:
    """sorted(): a key given positionally is refused; the rest is list() then list.sort()."""
    if args:
        raise mp_error("TypeError", "must use keyword argument for key function")
    from reference_vm.runtime import iterate
    out = list(iterate(items))
    _sort_kw(out, **kwargs)
    return out


def install() -> None:
    def nf(name: str, fn: Any, lo: int, hi: int, kw: bool = False) -> NativeFunction:
        return NativeFunction(name, fn, lo, hi, kw)

    T.LIST_T.locals.update({
        "append": nf("append", list_append, 2, 2), "extend": nf("extend", list_extend, 2, 2),
        "insert": nf("insert", list_insert, 3, 3), "pop": nf("pop", list_pop, 1, 2),
        "remove": nf("remove", list_remove, 2, 2), "index": nf("index", seq_index, 2, 4),
        "count": nf("count", seq_count, 2, 2), "sort": nf("sort", _sort_kw, 1, -1, True),
        "reverse": nf("reverse", list_reverse, 1, 1), "clear": nf("clear", list_clear, 1, 1),
        "copy": nf("copy", list_copy, 1, 1),
    })
    T.TUPLE_T.locals.update({
        "index": nf("index", seq_index, 2, 4), "count": nf("count", seq_count, 2, 2),
    })
    _ = (type_name, NULL)
