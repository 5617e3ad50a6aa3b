"""The static qstrs that a .mpy file may name by number instead of spelling out.

A qstr-table entry whose vuint is odd refers to this fixed list (id = value >> 1)
rather than carrying the text inline, so a reader must know the list exactly.
It is the ``static_qstr_list`` of MicroPython's ``py/makeqstrdata.py`` for mpy
v6; ids start at 1 (id 0 is the null qstr, which a .mpy never references).
Source: reference-vm-notes.md, Appendix A.
"""

from __future__ import annotations

#: Static qstrs in id order; ``STATIC_QSTRS[i]`` has id ``i + 1``.
STATIC_QSTRS: tuple[str, ...] = (
    '', '__dir__', '\n', ' ', '*', '/', '<module>', '_', '__call__', '__class__', '__delitem__', '__enter__',
    '__exit__', '__getattr__', '__getitem__', '__hash__', '__init__', '__int__', '__iter__', '__len__',
    '__main__', '__module__', '__name__', '__new__', '__next__', '__qualname__', '__repr__', '__setitem__',
    '__str__', 'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'EOFError',
    'Ellipsis', 'Exception', 'GeneratorExit', 'ImportError', 'IndentationError', 'IndexError', 'KeyError',
    'KeyboardInterrupt', 'LookupError', 'MemoryError', 'NameError', 'NoneType', 'NotImplementedError',
    'OSError', 'OverflowError', 'RuntimeError', 'StopIteration', 'SyntaxError', 'SystemExit', 'TypeError',
    'ValueError', 'ZeroDivisionError', 'abs', 'all', 'any', 'append', 'args', 'bool', 'builtins',
    'bytearray', 'bytecode', 'bytes', 'callable', 'chr', 'classmethod', 'clear', 'close', 'const', 'copy',
    'count', 'dict', 'dir', 'divmod', 'end', 'endswith', 'eval', 'exec', 'extend', 'find', 'format',
    'from_bytes', 'get', 'getattr', 'globals', 'hasattr', 'hash', 'id', 'index', 'insert', 'int', 'isalpha',
    'isdigit', 'isinstance', 'islower', 'isspace', 'issubclass', 'isupper', 'items', 'iter', 'join', 'key',
    'keys', 'len', 'list', 'little', 'locals', 'lower', 'lstrip', 'main', 'map', 'micropython', 'next',
    'object', 'open', 'ord', 'pop', 'popitem', 'pow', 'print', 'range', 'read', 'readinto', 'readline',
    'remove', 'replace', 'repr', 'reverse', 'rfind', 'rindex', 'round', 'rsplit', 'rstrip', 'self', 'send',
    'sep', 'set', 'setattr', 'setdefault', 'sort', 'sorted', 'split', 'start', 'startswith', 'staticmethod',
    'step', 'stop', 'str', 'strip', 'sum', 'super', 'throw', 'to_bytes', 'tuple', 'type', 'update', 'upper',
    'utf-8', 'value', 'values', 'write', 'zip',
)

FIRST_STATIC_ID = 1
LAST_STATIC_ID = len(STATIC_QSTRS)  # 165


def static_qstr(qstr_id: int) -> str:
    """The text of static qstr ``qstr_id``; KeyError for 0 (null) or an id past the list."""
    if not FIRST_STATIC_ID <= qstr_id <= LAST_STATIC_ID:
        raise KeyError(qstr_id)
    return STATIC_QSTRS[qstr_id - FIRST_STATIC_ID]
