"""Warm CPython worker: forks once per case so each case starts from a clean process.

Started by runners/cpython.py as ``python -I cpython_worker.py``. It imports
only the standard library and speaks one JSON object per line: a request
``{"code": ..., "timeout": ...}`` on stdin, a response on stdout. The fork
costs well under a millisecond; a fresh interpreter would cost ~15 ms.
"""

import builtins
import gc
import io
import json
import os
import selectors
import signal
import sys
import time
import traceback
import tracemalloc

MAX_OUTPUT = 1 << 20


def _child(code, out_fd, result_fd):
    os.dup2(out_fd, 1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # the worker's stdin carries requests: a case must not read them
    os.dup2(devnull, 2)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", newline="\n", write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8")
    sys.argv = ["<case>"]
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    exc = None
    compiled = None
    try:
        compiled = compile(code, "<case>", "exec")
    except BaseException as error:  # noqa: BLE001 - a SyntaxError is an outcome
        exc = error
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    if compiled is not None:
        try:
            exec(compiled, namespace)
        except BaseException as error:  # noqa: BLE001 - every escape is an outcome
            exc = error
    try:
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001
        pass
    peak = tracemalloc.get_traced_memory()[1]
    gc.collect()
    current = tracemalloc.get_traced_memory()[0]
    result = {"allocated": peak - base, "retained": current - base, "exc_type": None,
              "exc_message": None, "tb_lines": []}
    if exc is not None:
        result["exc_type"] = type(exc).__name__
        try:
            result["exc_message"] = str(exc)
        except BaseException:  # noqa: BLE001
            result["exc_message"] = "<str() failed>"
        frames = traceback.extract_tb(exc.__traceback__)
        result["tb_lines"] = [f.lineno for f in frames if f.filename == "<case>"]
        if isinstance(exc, SyntaxError) and exc.lineno and not result["tb_lines"]:
            result["tb_lines"] = [exc.lineno]
    os.write(result_fd, json.dumps(result).encode())
    os._exit(0)


def _run_one_captured(code):
    """Run one program of a batch in fresh globals, its stdout captured in memory."""
    capture = io.StringIO()
    sys.stdout = capture
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    result = {"status": "ok", "exc_type": None, "exc_message": None}
    try:
        exec(compile(code, "<case>", "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - every escape is an outcome
        result.update(status="raised", exc_type=type(error).__name__)
        try:
            result["exc_message"] = str(error)
        except BaseException:  # noqa: BLE001
            result["exc_message"] = "<str() failed>"
    result["stdout"] = capture.getvalue()[:MAX_OUTPUT]
    return result


def _child_batch(codes, out_fd, result_fd):
    """Run a batch in one forked child; each finished program's result is written as one line."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.argv = ["<case>"]
    for code in codes:
        os.write(result_fd, json.dumps(_run_one_captured(code)).encode() + b"\n")
    os._exit(0)


def run_case(code, timeout, batch=None):
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(res_r)
        try:
            if batch is not None:
                _child_batch(batch, out_w, res_w)
            _child(code, out_w, res_w)
        finally:
            os._exit(70)
    os.close(out_w)
    os.close(res_w)
    chunks = {out_r: [], res_r: []}
    sizes = {out_r: 0, res_r: 0}
    selector = selectors.DefaultSelector()
    for fd in chunks:
        selector.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    timed_out = False
    open_fds = set(chunks)
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        for key, _ in selector.select(remaining):
            data = os.read(key.fd, 65536)
            if not data:
                selector.unregister(key.fd)
                open_fds.discard(key.fd)
            elif sizes[key.fd] < MAX_OUTPUT:
                chunks[key.fd].append(data)
                sizes[key.fd] += len(data)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    selector.close()
    os.close(out_r)
    os.close(res_r)
    stdout = b"".join(chunks[out_r]).decode("utf-8", "replace")
    response = {"stdout": stdout}
    if batch is not None:
        # Whatever finished counts, even after a timeout; the caller runs the rest one by one.
        lines = b"".join(chunks[res_r]).splitlines()
        response["results"] = [json.loads(line) for line in lines if line.endswith(b"}")]
        response["status"] = "ok"
        return response
    if timed_out:
        response.update(status="timeout", detail=f"no answer within {timeout:g} s")
        return response
    raw = b"".join(chunks[res_r])
    if not raw:
        if os.WIFSIGNALED(status):
            detail = f"killed by signal {os.WTERMSIG(status)}"
        else:
            detail = f"exit status {os.WEXITSTATUS(status)} before the result was written"
        response.update(status="crashed", detail=detail)
        return response
    result = json.loads(raw)
    response.update(result)
    response["status"] = "raised" if result["exc_type"] else "ok"
    return response


def main():
    # Objects that exist now are shared with every forked child: freezing them
    # keeps the child's gc.collect() from walking (and copying) them all.
    gc.collect()
    gc.freeze()
    requests, responses = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = requests.readline()
        if not line:
            return
        request = json.loads(line)
        response = run_case(request.get("code", ""), float(request["timeout"]), request.get("batch"))
        responses.write(json.dumps(response).encode() + b"\n")
        responses.flush()


if __name__ == "__main__":
    main()
