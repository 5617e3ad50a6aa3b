"""Shared fixtures for the self-tests.

Every test builds its own tiny corpus under ``tmp_path`` (``cases/<area>/<file>.yaml``);
none reads the real ``cases/`` folder, which is written independently.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

MICROPYTHON_ENV = "MICROPY_MICROPYTHON"

#: A case (YAML list item) whose CPython outcome is a documented difference.
NAME_ERROR_CASE = """\
  - id: name-error
    code: |
      print('before')
      undefined_name
    expect:
      stdout: "before\\n"
      raises: NameError
      message: "name 'undefined_name' isn't defined"
    differences:
      cpython:
        message: "name 'undefined_name' is not defined"
        category: messages
        reason: CPython words it differently.
"""


def micropython_binary() -> str | None:
    """The unix-port binary named by MICROPY_MICROPYTHON, if it is an executable file."""
    path = os.environ.get(MICROPYTHON_ENV)
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


NO_BINARY_REASON = (
    f"no MicroPython unix binary: set {MICROPYTHON_ENV} to an executable micropython "
    "(unix port) to run the unix-runner tests"
)


def qemu_unavailable() -> str:
    """Why the emulated micro:bit cannot run here ('' when qemu-system-arm and the firmware are installed)."""
    from runners import qemu

    reason = qemu.unavailable_reason()
    return f"emulated micro:bit unavailable: {reason}" if reason else ""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "qemu: runs MicroPython on the emulated micro:bit (needs qemu-system-arm and "
                   "the firmware-microbit-micropython package); skipped with the reason when either is missing")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("qemu")]
    reason = qemu_unavailable() if marked else ""
    for item in marked if reason else ():
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def unix_binary() -> str:
    binary = micropython_binary()
    if binary is None:
        pytest.skip(NO_BINARY_REASON)
    return binary


CaseWriter = Callable[[str, str], Path]


@pytest.fixture
def write_cases(tmp_path: Path) -> CaseWriter:
    """write_cases("ints/arith.yaml", text) -> tmp_path/cases/ints/arith.yaml."""

    def write(relative: str, text: str) -> Path:
        path = tmp_path / "cases" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A site built from a real cpython+wasm run of a tmp corpus and the committed micro:bit sample."""
    from site_support import build_sample_site

    return build_sample_site(tmp_path_factory.mktemp("sample-site"))
