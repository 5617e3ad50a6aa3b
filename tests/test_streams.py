"""runners.streams: the byte streams under the raw REPL.

PtyStream and SerialStream run against a real pseudo-terminal pair from
os.openpty(): the test holds the master side, as QEMU (or a board) would.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable, Iterator

import pytest

from conformance.errors import TransportError
from runners.streams import PtyStream, ScriptedStream, SerialStream

ALL_BYTES = bytes(range(256))


def read_exactly(read: Callable[[float], bytes], count: int, timeout: float = 2.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < count and time.monotonic() < deadline:
        data += read(0.2)
    return data


def read_master(fd: int, count: int, timeout: float = 2.0) -> bytes:
    return read_exactly(lambda wait: os.read(fd, 4096) if select.select([fd], [], [], wait)[0] else b"",
                        count, timeout)


class Pty:
    """A pseudo-terminal pair: the test holds ``master`` (the device side), streams open ``path``."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)
        self.open = True

    def hang_up(self) -> None:
        """The device goes away (QEMU killed, board unplugged)."""
        if self.open:
            os.close(self.master)
            self.open = False


@pytest.fixture
def pty() -> Iterator[Pty]:
    pair = Pty()
    yield pair
    pair.hang_up()


def serial_stream(path: str) -> SerialStream:
    pytest.importorskip("serial", reason="pyserial is not installed (pip install pyserial)")
    return SerialStream(path)


STREAMS: dict[str, Callable[[str], PtyStream | SerialStream]] = {"pty": PtyStream, "serial": serial_stream}


@pytest.fixture(params=sorted(STREAMS))
def stream_on_pty(request: pytest.FixtureRequest, pty: Pty) -> Iterator[tuple[Pty, PtyStream | SerialStream]]:
    stream = STREAMS[request.param](pty.path)
    yield pty, stream
    stream.close()


# -- PtyStream and SerialStream on a real pty --------------------------------------------------------

def test_every_byte_value_passes_unchanged_both_ways(stream_on_pty: tuple[Pty, PtyStream | SerialStream]) -> None:
    """Raw mode: no echo, no CR/LF translation, Ctrl-C and Ctrl-D are data, not signals or EOF."""
    pty, stream = stream_on_pty
    os.write(pty.master, ALL_BYTES)
    assert read_exactly(stream.read, 256) == ALL_BYTES
    stream.write(ALL_BYTES)
    assert read_master(pty.master, 256) == ALL_BYTES
    assert read_master(pty.master, 1, timeout=0.1) == b"", "nothing echoed back to the device"


def test_read_timeout_returns_empty_quickly(stream_on_pty: tuple[Pty, PtyStream | SerialStream]) -> None:
    _, stream = stream_on_pty
    start = time.monotonic()
    assert stream.read(0.1) == b""
    assert 0.09 <= time.monotonic() - start < 0.5
    start = time.monotonic()
    assert stream.read(0.0) == b""
    assert time.monotonic() - start < 0.1


def test_the_device_going_away_is_a_transport_error_with_gone(
        stream_on_pty: tuple[Pty, PtyStream | SerialStream]) -> None:
    pty, stream = stream_on_pty
    pty.hang_up()
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        stream.read(1.0)
    assert time.monotonic() - start < 0.5, "noticed at once, not after the timeout"
    assert info.value.gone is True
    assert info.value.port == stream.name
    with pytest.raises(TransportError) as info:
        stream.write(b"x")
    assert info.value.gone is True


def test_pty_stream_name_close_and_use_after_close(pty: Pty) -> None:
    stream = PtyStream(pty.path)
    assert stream.name == pty.path
    stream.close()
    stream.close()  # idempotent
    for use in (lambda: stream.write(b"x"), lambda: stream.read(0.1)):
        with pytest.raises(TransportError, match="closed") as info:
            use()
        assert info.value.gone is False


def test_pty_stream_on_a_missing_path_says_so() -> None:
    with pytest.raises(TransportError) as info:
        PtyStream("/dev/pts/does-not-exist")
    assert info.value.port == "/dev/pts/does-not-exist"
    assert info.value.problem.startswith("cannot open")


def test_serial_stream_on_a_missing_port_says_so() -> None:
    pytest.importorskip("serial", reason="pyserial is not installed (pip install pyserial)")
    with pytest.raises(TransportError) as info:
        SerialStream("/dev/ttyACM-does-not-exist")
    assert info.value.port == "/dev/ttyACM-does-not-exist"
    assert info.value.problem.startswith("cannot open")


# -- ScriptedStream ------------------------------------------------------------------------------------

def test_scripted_stream_answers_each_write() -> None:
    stream = ScriptedStream(lambda data: data.upper(), name="script")
    assert stream.name == "script"
    stream.write(b"ab")
    stream.write(b"c")
    assert stream.read(1.0) == b"ABC", "everything pending comes in one read"
    assert bytes(stream.written) == b"abc"
    start = time.monotonic()
    assert stream.read(1.0) == b""
    assert time.monotonic() - start < 0.5, "an empty script does not wait out the timeout"


def test_scripted_stream_feed_queues_unprompted_bytes() -> None:
    stream = ScriptedStream(lambda data: b"reply")
    stream.feed(b"boot\r\n")
    stream.write(b"x")
    assert stream.read(0.1) == b"boot\r\nreply"


def test_scripted_stream_can_fail_like_an_unplugged_board() -> None:
    def unplugged(data: bytes) -> bytes:
        raise TransportError("scripted", "device went away", b"", gone=True)

    stream = ScriptedStream(unplugged)
    with pytest.raises(TransportError) as info:
        stream.write(b"x")
    assert info.value.gone is True


def test_scripted_stream_after_close() -> None:
    stream = ScriptedStream(lambda data: b"")
    stream.close()
    assert stream.closed
    with pytest.raises(TransportError, match="closed"):
        stream.write(b"x")
