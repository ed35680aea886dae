"""Structured logs: one JSON object per line on stderr, one access line per request carrying
the request id that the response returns in ``X-Request-Id``."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from convmem.storage.db import Database
from tests.support.live import CONVMEM, free_port, stop, wait_ready

# End to end: what a server process writes on stdout and stderr.
pytestmark = pytest.mark.e2e

STORES = "/v1/ControlPlane/Stores"


@dataclass
class LoggingServer:
    url: str
    stdout: Path
    stderr: Path
    auth: tuple[str, str]

    def entries(self) -> list[dict[str, Any]]:
        """Every stderr line, each of which must be a JSON object."""
        lines = self.stderr.read_text().splitlines()
        parsed = [json.loads(line) for line in lines]
        assert all(isinstance(entry, dict) for entry in parsed)
        return parsed

    def access_entry(self, request_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [e for e in self.entries() if e.get("request_id") == request_id]
            if found:
                assert len(found) == 1, found
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no log line for request {request_id}:\n{self.stderr.read_text()}")


@pytest.fixture(scope="module")
def logging_server(database_url: str, db: Database,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoggingServer]:
    """A server logging at INFO, its stdout and stderr kept apart."""
    folder = tmp_path_factory.mktemp("logs")
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CONVMEM_")},
           "CONVMEM_DATABASE_URL": database_url, "CONVMEM_LOG_LEVEL": "INFO",
           "CONVMEM_ACCOUNT_SID": sid, "CONVMEM_AUTH_TOKEN": token}
    port = free_port()
    live = LoggingServer(f"http://127.0.0.1:{port}", folder / "stdout", folder / "stderr", (sid, token))
    with live.stdout.open("wb") as out, live.stderr.open("wb") as err:
        proc = subprocess.Popen([CONVMEM, "serve", "--port", str(port)], env=env, stdout=out, stderr=err)
    try:
        wait_ready(live.url, proc, live.stderr.read_text, timeout=60, interval=0.1)
        yield live
    finally:
        stop(proc, timeout=15)


def test_client_request_id_is_echoed_and_logged(logging_server: LoggingServer) -> None:
    request_id = f"client-{secrets.token_hex(6)}"
    resp = httpx.post(f"{logging_server.url}{STORES}", auth=logging_server.auth, json={"displayName": request_id},
                      headers={"X-Request-Id": request_id}, timeout=10)
    assert resp.status_code == 202
    assert resp.headers["X-Request-Id"] == request_id

    entry = logging_server.access_entry(request_id)
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", STORES, 202)
    assert entry["account"] == logging_server.auth[0]
    assert isinstance(entry["duration_ms"], int | float) and entry["duration_ms"] >= 0
    assert entry["level"] == "info" and entry["ts"]


def test_a_request_id_is_generated_when_absent(logging_server: LoggingServer) -> None:
    first = httpx.get(f"{logging_server.url}{STORES}", timeout=10)
    second = httpx.get(f"{logging_server.url}{STORES}/mem_store_nope", auth=logging_server.auth, timeout=10)
    assert (first.status_code, second.status_code) == (401, 400)
    ids = [first.headers.get("X-Request-Id"), second.headers.get("X-Request-Id")]
    assert all(ids) and ids[0] != ids[1]

    unauthorized = logging_server.access_entry(ids[0])
    assert (unauthorized["method"], unauthorized["path"], unauthorized["status"]) == ("GET", STORES, 401)
    assert unauthorized["account"] is None
    assert logging_server.access_entry(ids[1])["status"] == 400


def test_an_unusable_request_id_is_replaced(logging_server: LoggingServer) -> None:
    """A client id that could break the log line (spaces, quotes, too long) is not trusted."""
    for bad in ('two words "quoted"', "x" * 200):
        resp = httpx.get(f"{logging_server.url}/healthz", headers={"X-Request-Id": bad}, timeout=10)
        generated = resp.headers["X-Request-Id"]
        assert generated and generated != bad
        assert logging_server.access_entry(generated)["path"] == "/healthz"


def test_stderr_is_json_lines_and_stdout_stays_quiet(logging_server: LoggingServer) -> None:
    httpx.get(f"{logging_server.url}/healthz", timeout=10)
    entries = logging_server.entries()
    assert entries and all({"ts", "level", "logger", "msg"} <= set(e) for e in entries)
    assert any(e["logger"] == "convmem.access" for e in entries)
    # The bootstrap account came from the environment, so no credentials were printed.
    assert logging_server.stdout.read_text() == ""
    assert logging_server.auth[1] not in logging_server.stderr.read_text()
