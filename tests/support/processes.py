"""A server process on loopback, for the tests and the benchmarks alike: a free port, waiting
until it answers /readyz, stopping it. (Only the standard library and httpx: bench/ imports it.)"""

from __future__ import annotations

import itertools
import os
import random
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx

# Ports are handed out below the kernel's ephemeral range (32768 and up on Linux), in a block of
# their own per pytest-xdist worker. Asking the kernel for port 0 instead let two workers be given
# the same port: the second server failed to bind, but its /readyz poll was answered by the first
# worker's server, and the test then spoke to a server that did not know its credentials (401).
_BLOCK, _FIRST = 2000, 16000


def _block_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under pytest -n
    return int(worker[2:]) % 7 if worker.startswith("gw") and worker[2:].isdigit() else 7


_candidates = itertools.cycle(range(_BLOCK))
for _ in range(random.randrange(_BLOCK)):  # not the same ports as the previous run's
    next(_candidates)


def free_port() -> int:
    """A loopback port nobody listens on, from this process's own block."""
    base = _FIRST + _block_index() * _BLOCK
    for _ in range(_BLOCK):
        port = base + next(_candidates)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {base}..{base + _BLOCK - 1}")


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Callable[[], str], *, timeout: float = 60,
               interval: float = 0.1) -> None:
    """Return once the server at ``url`` answers /readyz with 200. If ``proc`` exits first, or the
    server is not ready within ``timeout`` seconds (then it is killed), raise with ``log()``'s text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"server did not become ready:\n{log()}")


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate the process, and kill it if it does not exit within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(what: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll ``what`` every 0.1 s until it returns something truthy, and return that; fail the test after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out waiting")
