"""Shared fixtures: a real convmem server on loopback, driven by the official twilio client.

The backend comes from ``CONVMEM_TEST_BACKEND``: ``sqlite`` (default; a fresh file per test
session) or ``postgresql`` (a fresh database on the server at ``CONVMEM_TEST_POSTGRES_URL``,
created and dropped by the session)."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from bench.harness import CONVMEM, free_port, stop, wait_ready
from twilio.rest import Client

from convmem.auth import service as auth
from convmem.storage import migrate
from convmem.storage.db import Database

BACKEND = os.environ.get("CONVMEM_TEST_BACKEND", "sqlite")
POSTGRES_ADMIN_URL = os.environ.get("CONVMEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def empty_database(directory: Path, label: str) -> Iterator[str]:
    """The URL of a new, empty database of the test backend: a SQLite file in ``directory``, or
    a PostgreSQL database dropped afterwards."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{directory / f'{label}.db'}"
        return
    if BACKEND != "postgresql":
        raise RuntimeError(f"unknown CONVMEM_TEST_BACKEND {BACKEND!r}")
    name = f"convmem_{label}_{os.getpid()}_{secrets.token_hex(4)}"
    _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with empty_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


@pytest.fixture
def private_database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, so that no other server's worker takes its jobs."""
    with empty_database(tmp_path, "private") as url:
        yield url


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    migrate.upgrade(database)
    yield database
    database.dispose()


@dataclass
class LiveServer:
    url: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(database_url: str, log_path: Path, *, extra_env: dict[str, str] | None = None,
                 port: int | None = None, workers: int = 1) -> LiveServer:
    port = port or free_port()
    env = {**os.environ, "CONVMEM_DATABASE_URL": database_url, "CONVMEM_RATE_LIMIT_PER_SECOND": "0",
           # Many tests check refusals from 127.0.0.1 on one shared server: no failure throttle there.
           "CONVMEM_AUTH_FAILURE_BURST": "1000000",
           "CONVMEM_LOG_LEVEL": "WARNING", **(extra_env or {})}
    log = log_path.open("ab")
    proc = subprocess.Popen([CONVMEM, "serve", "--port", str(port), "--workers", str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", port, database_url, proc, log_path)
    wait_ready(server.url, proc, server.log, timeout=60, interval=0.1)
    return server


def stop_server(server: LiveServer) -> None:
    stop(server.process, timeout=15)


@pytest.fixture(scope="session")
def server(database_url: str, db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(database_url, tmp_path_factory.mktemp("server") / "server.log")
    yield live
    stop_server(live)


@dataclass(frozen=True)
class Credentials:
    account_sid: str
    auth_token: str


@pytest.fixture
def account(db: Database) -> Credentials:
    """A fresh account per test, so tests never see each other's stores."""
    issued = auth.create_account(db)
    return Credentials(issued.account_sid, issued.auth_token)


@pytest.fixture
def client(server: LiveServer, account: Credentials) -> Client:
    twilio = Client(account.account_sid, account.auth_token)
    twilio.memory.base_url = server.url
    return twilio


@pytest.fixture
def v1(client: Client):  # type: ignore[no-untyped-def]
    return client.memory.v1


@pytest.fixture
def http(server: LiveServer, account: Credentials) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, auth=(account.account_sid, account.auth_token), timeout=30) as c:
        yield c


def operation_id(status_url: str) -> str:
    return status_url.rstrip("/").rsplit("/", 1)[1]


def create_store(http: httpx.Client, name: str | None = None) -> str:
    """Create a store through the API and return its id (read from the operation)."""
    name = name or f"store-{secrets.token_hex(4)}"
    resp = http.post("/v1/ControlPlane/Stores", json={"displayName": name})
    assert resp.status_code == 202, resp.text
    op = http.get(resp.json()["statusUrl"])
    assert op.json()["status"] == "COMPLETED", op.text
    return str(op.json()["result"]["id"])


@pytest.fixture
def store_id(http: httpx.Client) -> str:
    return create_store(http)
