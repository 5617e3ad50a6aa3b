"""MicroPython's hash values, computed for a given target Profile.

Dict and set iteration order is a pure function of these hashes (notes §4.1),
so they must be bit-exact, including the ways C integer arithmetic wraps:

* every hash ends up as a tagged small int (``MP_OBJ_NEW_SMALL_INT``), which
  silently drops the word's top bit(s): ``Profile.wrap_small_int``;
* a table slot is chosen from the hash read as an *unsigned* word, so negative
  hashes land differently on 32- and 64-bit targets: ``table_index``.

Sources: py/qstr.c ``qstr_compute_hash``, py/mpz.c ``mpz_hash``, py/obj.h
``mp_float_hash`` (the non-high-quality variant), py/objtuple.c, py/runtime.c
``mp_unary_op``. Measured values are in the notes §4.2 and in
tests/test_refvm_mpdict.py.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable
from typing import Any

from reference_vm.profile import Profile

__all__ = [
    "FALSE_HASH",
    "NONE_HASH",
    "TRUE_HASH",
    "bool_hash",
    "combined_hash",
    "float_hash",
    "hash_value",
    "int_hash",
    "none_hash",
    "str_hash",
    "table_index",
    "tuple_hash",
]

#: None is an immediate object (word value 6 in object representation A) and its
#: type has no unary_op, so its hash is the object word itself.
NONE_HASH = 6
#: bool's unary_op hashes to the truth value, so True collides with 1 and False with 0.
TRUE_HASH = 1
FALSE_HASH = 0

HashOther = Callable[[Any], int]


#: Memoised str/bytes hashes, one table per ``qstr_hash_bytes`` (the only profile field the hash
#: depends on). MicroPython stores a qstr's hash next to it; this plays the same role for the VM's
#: name lookups. A str never equals a bytes object, so both share a table; emptied when it gets big.
_STR_HASHES: dict[int, dict[Any, int]] = {}  # keys: exact str or bytes values
_STR_HASHES_LIMIT = 1 << 16


def str_hash(s: str | bytes | bytearray, profile: Profile) -> int:
    """djb2 as MicroPython's qstr code computes it, for str (over UTF-8) and bytes.

    h = 5381; h = (h * 33) XOR byte for each byte; then the mask of
    ``qstr_hash_bytes`` (16 bits on unix and WASM, 8 on rp2). 0 is reserved for
    "not computed yet", so a hash of 0 becomes 1. Interned and heap strings
    hash alike, since both use this function (and makeqstrdata.py mirrors it).
    Results for exact str and bytes values are memoised.
    """
    kind = type(s)
    if kind is not str and kind is not bytes:
        return _djb2(s, profile)
    cache = _STR_HASHES.get(profile.qstr_hash_bytes)
    if cache is None:
        cache = _STR_HASHES[profile.qstr_hash_bytes] = {}
    h = cache.get(s)
    if h is None:
        h = _djb2(s, profile)
        if len(cache) >= _STR_HASHES_LIMIT:
            cache.clear()
        cache[s] = h
    return h


def _djb2(s: str | bytes | bytearray, profile: Profile) -> int:
    data = s.encode("utf-8", "surrogatepass") if isinstance(s, str) else bytes(s)
    h = 5381
    for byte in data:
        h = ((h * 33) ^ byte) & 0xFFFF_FFFF_FFFF_FFFF  # size_t wraps; the mask below keeps fewer bits anyway
    h &= profile.qstr_hash_mask
    return h or 1


def int_hash(n: int, profile: Profile) -> int:
    """Hash of an int: a small int is its own hash (so hash(-1) is -1, unlike CPython).

    A big int (mpz) folds its digits into one unsigned word, which keeps the low
    word of |n|; it is negated for n < 0 and then cut to small-int width. For
    values in small-int range this gives n again, so an mpz that happens to hold
    a small value hashes like the small int it equals.
    Verified: 2**40 -> 0 and -(2**40+5) -> -5 on 32-bit; 2**64+7 -> 7 and
    2**62 -> -2**62 on 64-bit.
    """
    if profile.is_small_int(n):
        return n
    low = abs(n) & profile.word_mask
    if n < 0:
        low = -low
    return profile.wrap_small_int(low)


def float_hash(x: float, profile: Profile) -> int:
    """Hash of a float on builds without MICROPY_FLOAT_HIGH_QUALITY_HASH: ``(mp_int_t)x``.

    That C cast truncates toward zero, so hash(1.5) is 1 and hash(-1.5) is -1
    (1.5 and 1 then share a slot, and 1.0 == 1 finds the int key). Out of word
    range and NaN are undefined in C: x86 and WASM yield 0x80..0, whose
    small-int cut is 0 (verified for 1e30, -1e30, inf, nan); a saturating cast
    gives the clamped word instead.
    """
    if profile.float_precision == "single" and math.isfinite(x):
        x = struct.unpack("<f", struct.pack("<f", x))[0]  # the target only ever holds float32 values
    bits = profile.word_bits
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if math.isnan(x):
        word = 0 if profile.float_cast_saturates else lo
    else:
        t = math.trunc(x) if math.isfinite(x) else (hi + 1 if x > 0 else lo - 1)
        if lo <= t <= hi:
            word = t
        elif profile.float_cast_saturates:
            word = hi if t > hi else lo
        else:
            word = lo
    return profile.wrap_small_int(word)


def none_hash(profile: Profile) -> int:
    """Hash of None: the immediate object's word, 6 on every preset (notes §4.2)."""
    return NONE_HASH


def bool_hash(b: bool) -> int:
    return TRUE_HASH if b else FALSE_HASH


def combined_hash(base: int, item_hashes: Iterable[int], profile: Profile) -> int:
    """``base`` plus the item hashes in word arithmetic, cut to a small int.

    This is the tuple rule (base = address of the empty tuple) and also the
    frozenset rule (base = address of the frozenset type, items in slot order).
    """
    total = base
    for h in item_hashes:
        total += h
    return profile.wrap_small_int(profile.wrap_word(total))


def tuple_hash(items: Iterable[Any], profile: Profile, hash_item: HashOther) -> int:
    """Hash of a tuple: the empty tuple's address (a profile parameter) plus its items' hashes.

    Address-dependent by nature: on unix ASLR moves it on every run, so only a
    profile whose address is known (WASM32) can reproduce tuple-keyed order.
    """
    return combined_hash(profile.tuple_base_address, (hash_item(item) for item in items), profile)


def hash_value(value: Any, profile: Profile, hash_other: HashOther) -> int:
    """MicroPython's ``hash()`` of a host value standing for a guest object.

    Handles None, bool, int, float, str, bytes and tuple (recursively); anything
    else (instances, functions, types, frozensets, ...) is the VM's business and
    goes to ``hash_other``, which should also raise for unhashable types.
    bool is tested before int because MicroPython's bool is not an int subclass
    but hashes to 0/1 all the same.
    """
    if value is None:
        return NONE_HASH
    if value is True or value is False:
        return bool_hash(value)
    kind = type(value)
    if kind is int:
        return int_hash(value, profile)
    if kind is str or kind is bytes:
        return str_hash(value, profile)
    if kind is float:
        return float_hash(value, profile)
    if kind is tuple:
        return tuple_hash(value, profile, lambda item: hash_value(item, profile, hash_other))
    return hash_other(value)


def table_index(h: int, alloc: int, profile: Profile) -> int:
    """First slot probed for hash ``h`` in a table of ``alloc`` slots.

    ``map.c`` reads the hash as ``mp_uint_t`` before ``%``, so -1 becomes
    2**64-1 on 64-bit and 2**32-1 on 32-bit targets; that is why keys -1..-18
    come out in different orders on U64 and U32 (notes §4.1).
    """
    if alloc <= 0:
        raise ValueError("a table with no slots has no index")
    return profile.unsigned_word(h) % alloc
