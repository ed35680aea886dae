"""A ``convmem serve`` subprocess on loopback, for the end-to-end tier (tests marked ``e2e``):
starting it, waiting until it is ready, and stopping it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
from twilio.rest import Client

from tests.support.credentials import AccountCredentials, basic_auth
from tests.support.processes import free_port, stop, wait_ready
from tests.support.tiers import check_server_process

CONVMEM = str(Path(sys.executable).with_name("convmem"))
# What every test server runs with unless a test says otherwise: no rate limit, and no failed-
# authentication throttle (many tests check refusals from 127.0.0.1 on one shared server).
TEST_ENV = {"CONVMEM_RATE_LIMIT_PER_SECOND": "0", "CONVMEM_AUTH_FAILURE_BURST": "1000000",
            "CONVMEM_LOG_LEVEL": "WARNING"}


@dataclass
class LiveServer:
    url: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def http(self, creds: AccountCredentials | None = None, **options: object) -> httpx.Client:
        """An httpx client on this server, with ``creds`` as Basic credentials when given."""
        return httpx.Client(base_url=self.url, auth=basic_auth(creds),
                            **{"timeout": 30, **options})  # type: ignore[arg-type]

    def twilio(self, creds: AccountCredentials) -> Client:
        """The official client, its Memory and Conversations domains pointed at this server."""
        client = Client(creds.account_sid, creds.auth_token)
        client.memory.base_url = client.conversations.base_url = self.url
        return client


def start_server(database_url: str, log_path: Path, *, extra_env: dict[str, str] | None = None,
                 port: int | None = None, workers: int = 1) -> LiveServer:
    """``convmem serve`` on ``database_url`` (migrated by the server), its output in ``log_path``;
    returns once it is ready. Only for tests marked ``e2e``."""
    check_server_process("`convmem serve`")
    port = port or free_port()
    env = {**os.environ, "CONVMEM_DATABASE_URL": database_url,
           "CONVMEM_DATA_DIR": str(log_path.with_suffix(".data")), **TEST_ENV, **(extra_env or {})}
    with log_path.open("ab") as log:
        proc = subprocess.Popen([CONVMEM, "serve", "--port", str(port), "--workers", str(workers)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", port, database_url, proc, log_path)
    wait_ready(server.url, proc, server.log, timeout=60, interval=0.1)
    return server


def stop_server(server: LiveServer) -> None:
    stop(server.process, timeout=15)
