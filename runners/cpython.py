"""The current CPython interpreter, as a reference for "what CPython does".

Cases run in a warm worker process (runners/cpython_worker.py) that forks per
case: each case gets a pristine interpreter state without paying for a new
interpreter start. Heap figures come from tracemalloc ("allocated" is the
peak while the case ran, "retained" what is left after gc.collect()). They
are not comparable with MicroPython's GC heap and reports keep them apart.
"""

from __future__ import annotations

import json
import os
import platform
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conformance.outcome import HeapFigures, Outcome, RunnerIdentity, Status
from runners.base import HarnessRunner, RunnerOptions
from runners.mpharness import clip_frames

WORKER = Path(__file__).with_name("cpython_worker.py")
GRACE_SECONDS = 5.0


class CPythonRunner(HarnessRunner):
    """CPython (the interpreter running the suite) through a fork-per-case worker."""

    name = "cpython"
    implementation = "cpython"

    def __init__(self, options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self._worker: subprocess.Popen[bytes] | None = None

    def _unavailable_reason(self) -> str:
        if not hasattr(os, "fork"):
            return "the CPython runner needs os.fork (POSIX)"
        return ""

    def _describe(self) -> str:
        return f"{platform.python_implementation()} {platform.python_version()} at {sys.executable}"

    def _start(self) -> subprocess.Popen[bytes]:
        if self._worker is None or self._worker.poll() is not None:
            self._worker = subprocess.Popen(
                [sys.executable, "-I", str(WORKER)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        return self._worker

    def _ask(self, code: str, timeout: float, batch: list[str] | None = None) -> dict[str, Any] | None:
        worker = self._start()
        assert worker.stdin is not None and worker.stdout is not None
        request: dict[str, Any] = {"code": code, "timeout": timeout}
        if batch is not None:
            request["batch"] = batch
        try:
            worker.stdin.write((json.dumps(request) + "\n").encode())
            worker.stdin.flush()
        except OSError:
            self.close()
            return None
        with selectors.DefaultSelector() as selector:
            selector.register(worker.stdout, selectors.EVENT_READ)
            if not selector.select(timeout + GRACE_SECONDS):
                self.close()
                return None
        line = worker.stdout.readline()
        if not line:
            self.close()
            return None
        return json.loads(line)

    def _run_code(self, code: str, timeout: float, identity: RunnerIdentity) -> Outcome:
        start = time.perf_counter()
        answer = self._ask(code, timeout)
        duration = time.perf_counter() - start
        if answer is None:
            return Outcome(identity, Status.CRASHED, duration=duration,
                           detail="the CPython worker died or stopped answering; it will be restarted")
        status = Status(answer["status"])
        heap = None
        if "allocated" in answer:
            heap = HeapFigures("tracemalloc", identity.word_bits,
                               int(answer["allocated"]), int(answer["retained"]))
        return Outcome(
            identity, status, stdout=str(answer.get("stdout", "")).replace("\r\n", "\n"),
            exc_type=answer.get("exc_type"),
            exc_message=answer.get("exc_message"),
            traceback_lines=clip_frames(tuple(answer.get("tb_lines", ()))),
            heap=heap, duration=duration, detail=str(answer.get("detail", "")),
        )

    def _run_batch(self, codes: list[str], timeout: float) -> list[Outcome]:
        """One fork for the whole batch; each program gets fresh globals and its own captured stdout."""
        assert self._probe is not None
        answer = self._ask("", timeout, batch=codes)
        if answer is None:
            return []
        return [Outcome(self._probe.identity, Status(result["status"]), stdout=str(result["stdout"]),
                        exc_type=result["exc_type"], exc_message=result["exc_message"])
                for result in answer.get("results", ())]

    def close(self) -> None:
        if self._worker is not None:
            if self._worker.poll() is None:
                self._worker.kill()
            self._worker.wait()
            for stream in (self._worker.stdin, self._worker.stdout):
                if stream is not None:
                    stream.close()
            self._worker = None
