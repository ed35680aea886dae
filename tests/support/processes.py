"""A server process on loopback, for the tests and the benchmarks alike: a free port, waiting
until it answers /readyz, stopping it. (Only the standard library and httpx: bench/ imports it.)"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
