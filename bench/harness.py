"""Starting a ``convmem serve`` process on loopback, waiting until it is ready, and stopping it: for the
benchmarks. (Port, readiness and stopping are shared with the tests: tests/support/processes.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support
from tests.support.processes import free_port, stop, wait_ready

__all__ = ["free_port", "launch", "stop", "wait_ready"]

CONVMEM = str(Path(sys.executable).with_name("convmem"))


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


