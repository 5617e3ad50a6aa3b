"""A pure-Python interpreter of MicroPython .mpy bytecode (to come: issue 4)."""

__all__: list[str] = []
