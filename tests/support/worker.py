"""``convmem worker`` and ``convmem serve --no-jobs`` subprocesses, for the end-to-end tests of
the API and worker roles (tests/test_roles.py): start, wait until ready, signal, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.live import CONVMEM, TEST_ENV, LiveServer, free_port, stop, wait_ready
from tests.support.tiers import check_server_process

# What the worker prints on stderr once its threads run (progress.StartupSteps).
READY_MARK = "worker running"


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def signal(self, signum: int = signal.SIGTERM) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)


def _env(database_url: str, log_path: Path, extra_env: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, "CONVMEM_DATABASE_URL": database_url, "CONVMEM_DATA_DIR": str(log_path.with_suffix(".data")),
            **TEST_ENV, **(extra_env or {})}


def start_worker(database_url: str, log_path: Path, *, concurrency: int = 1, extra_env: dict[str, str] | None = None,
                 args: tuple[str, ...] = (), timeout: float = 60) -> WorkerProcess:
    """``convmem worker`` on ``database_url``, its output in ``log_path``; returns once it logged
    that it started. Only for tests marked ``e2e``."""
    check_server_process("`convmem worker`")
    with log_path.open("ab") as log:
        proc = subprocess.Popen([CONVMEM, "worker", "--concurrency", str(concurrency), *args],
                                env=_env(database_url, log_path, extra_env), stdout=log, stderr=subprocess.STDOUT)
    worker = WorkerProcess(proc, log_path)
    deadline = time.monotonic() + timeout
    while READY_MARK not in worker.log():
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{worker.log()}")
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"worker did not start:\n{worker.log()}")
        time.sleep(0.05)
    return worker


def stop_worker(worker: WorkerProcess) -> None:
    stop(worker.process, timeout=20)


def start_api_only(database_url: str, log_path: Path, *, extra_env: dict[str, str] | None = None,
                   workers: int = 1) -> LiveServer:
    """``convmem serve --no-jobs`` (HTTP only) on ``database_url``; returns once it is ready."""
    check_server_process("`convmem serve --no-jobs`")
    port = free_port()
    env = _env(database_url, log_path, extra_env)
    with log_path.open("ab") as log:
        proc = subprocess.Popen([CONVMEM, "serve", "--no-jobs", "--port", str(port), "--workers", str(workers)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", port, database_url, proc, log_path)
    wait_ready(server.url, proc, server.log, timeout=60, interval=0.1)
    return server
