"""Build parameters of the MicroPython target the reference VM imitates.

Dict/set order, hashes, small-int range, float precision, error text and heap
costs all depend on how the target firmware was built (notes §5.5). Keeping
them in one frozen value lets every part of the VM ask the same question the
same way, and lets tests run one program against several targets.

Presets (see the notes' "Verified against" list):

* ``UNIX64``: the unix port on x86-64 (U64).
* ``UNIX32``: the same port built with ``-m32`` (U32).
* ``PICO32``: rp2 settings (P32): 32-bit, float32, 1-byte qstr hash, normal errors.
* ``WASM32``: the WASI build run by the suite's ``wasm`` runner. Hashing and
  word size match ``UNIX32`` (2-byte qstr hash, measured: ``hash('hello')`` is
  60903); it differs only in the empty tuple's address, which is fixed in a
  WASM image (``hash(())`` is 27312) but randomised by ASLR on unix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PICO32", "PROFILES", "UNIX32", "UNIX64", "WASM32", "Profile"]


@dataclass(frozen=True)
class Profile:
    """One target build. Derived values are properties so presets stay one line each.

    ``tuple_base_address`` is the address of the empty-tuple singleton, the seed
    of every tuple hash; only matters for tuple keys (notes §4.2).
    ``float_cast_saturates`` says how the C cast ``(mp_int_t)x`` behaves for a
    float outside the word range or NaN: x86 and WASM give the "indefinite"
    value 0x80..0 (hash 0, verified); an ARM soft-float cast clamps instead
    (unverified for rp2, hence off in every preset).
    """

    name: str
    word_bits: int
    small_int_bits: int
    float_precision: str
    qstr_hash_bytes: int
    error_level: str
    bytes_per_block: int
    tuple_base_address: int = 0x5555_5560_0000
    float_cast_saturates: bool = False

    def __post_init__(self) -> None:
        if self.word_bits not in (32, 64):
            raise ValueError(f"word_bits must be 32 or 64, not {self.word_bits}")
        if not 2 <= self.small_int_bits <= self.word_bits:
            raise ValueError(f"small_int_bits {self.small_int_bits} does not fit a {self.word_bits}-bit word")
        if self.float_precision not in ("double", "single"):
            raise ValueError(f"float_precision must be 'double' or 'single', not {self.float_precision!r}")
        if self.error_level not in ("detailed", "normal", "terse"):
            raise ValueError(f"error_level must be detailed, normal or terse, not {self.error_level!r}")
        if self.qstr_hash_bytes not in (0, 1, 2):
            raise ValueError(f"qstr_hash_bytes must be 0, 1 or 2, not {self.qstr_hash_bytes}")

    @property
    def word_bytes(self) -> int:
        return self.word_bits // 8

    @property
    def word_mask(self) -> int:
        """All ones in one machine word: reduces a C integer to what the register holds."""
        return (1 << self.word_bits) - 1

    @property
    def small_int_min(self) -> int:
        return -(1 << (self.small_int_bits - 1))

    @property
    def small_int_max(self) -> int:
        return (1 << (self.small_int_bits - 1)) - 1

    @property
    def qstr_hash_mask(self) -> int:
        """Mask applied to djb2 string hashes; 0 bytes in the hash still masks to 16 bits (py/qstr.c)."""
        return (1 << (8 * self.qstr_hash_bytes)) - 1 if self.qstr_hash_bytes else 0xFFFF

    def is_small_int(self, n: int) -> bool:
        """Whether ``n`` fits a tagged small int (otherwise MicroPython uses an mpz)."""
        return self.small_int_min <= n <= self.small_int_max

    def wrap_word(self, n: int) -> int:
        """``n`` as a signed machine word (two's complement wrap-around, like C arithmetic)."""
        n &= self.word_mask
        return n - (1 << self.word_bits) if n >> (self.word_bits - 1) else n

    def wrap_small_int(self, n: int) -> int:
        """What ``MP_OBJ_NEW_SMALL_INT(n)`` keeps: the low small-int bits, sign-extended.

        The tag shift drops the top bit(s) of the word silently, so a hash computed
        in a full word ends up cut to small-int width.
        """
        bits = self.small_int_bits
        n &= (1 << bits) - 1
        return n - (1 << bits) if n >> (bits - 1) else n

    def unsigned_word(self, n: int) -> int:
        """``(mp_uint_t)n``: how a signed hash is read when it picks a table slot."""
        return n & self.word_mask


UNIX64 = Profile("unix64", 64, 63, "double", 2, "detailed", 32)
UNIX32 = Profile("unix32", 32, 31, "double", 2, "detailed", 16, tuple_base_address=0x5663_4F10)
PICO32 = Profile("pico32", 32, 31, "single", 1, "normal", 16, tuple_base_address=0x1006_2C4C)
WASM32 = Profile("wasm32", 32, 31, "double", 2, "detailed", 16, tuple_base_address=27312)

PROFILES: dict[str, Profile] = {p.name: p for p in (UNIX64, UNIX32, PICO32, WASM32)}
