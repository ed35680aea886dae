"""Starting a ``convmem serve`` process on loopback, waiting until it is ready, and stopping it: for the
benchmarks. (The tests start theirs with tests/support/live.py.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

CONVMEM = str(Path(sys.executable).with_name("convmem"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(env: dict[str, str], log_path: Path, timeout: float = 120) -> tuple[str, subprocess.Popen[bytes]]:
    """Run the server with ``env`` added to ours (rate limiting off, quiet logs unless
    overridden); return its base URL and process once /readyz answers 200."""
    port = free_port()
    full_env = {**os.environ, "CONVMEM_RATE_LIMIT_PER_SECOND": "0", "CONVMEM_LOG_LEVEL": "WARNING",
                "CONVMEM_JOB_POLL_SECONDS": "0.05", **env}
    proc = subprocess.Popen([CONVMEM, "serve", "--port", str(port)], env=full_env, stdout=log_path.open("ab"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, proc, log_path.read_text, timeout=timeout)
    return url, proc


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Callable[[], str], *, timeout: float = 120,
               interval: float = 0.2) -> None:
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


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Terminate the server, and kill it if it does not exit within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
