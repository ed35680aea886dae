"""Shared fixtures, in two tiers (tests/support/tiers.py):

- in-process (every test not marked ``e2e``; ``make test-fast``): ``server`` is the app of
  ``convmem.app.create_app`` running in the test process (tests/support/inprocess.py), one per
  test session and database, reached without a socket;
- end-to-end (tests marked ``e2e``; ``make test`` runs both tiers): ``server`` is a real
  ``convmem serve`` process on loopback (tests/support/live.py).

``http``, ``anon``, ``client``, ``v1`` and ``v2`` talk to whichever ``server`` the test's tier
gives, so moving a test between tiers is a matter of its marker. The backend comes from
``CONVMEM_TEST_BACKEND`` (tests/support/databases.py): ``sqlite`` (default) or ``postgresql``;
each test session (each xdist worker) gets a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.rest import Client

from convmem.storage.db import Database
from tests.support import tiers
from tests.support.credentials import Credentials, new_account
from tests.support.databases import empty_database, migrated
from tests.support.fake_model import FakeModelServer
from tests.support.fake_model import model_server as run_model_server
from tests.support.inprocess import AppServer, serve_in_process
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.wire import create_store


def pytest_configure(config: pytest.Config) -> None:
    tiers.install_popen_guard()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture of the test is set up (a session or module fixture may start a server).
    tiers.enter(item)


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
    with migrated(database_url) as database:
        yield database


@pytest.fixture(scope="session")
def app_server(database_url: str, db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The session's in-process server on the session database."""
    with serve_in_process(database_url, tmp_path_factory.mktemp("app")) as app:
        yield app


@pytest.fixture(scope="session")
def live_server(database_url: str, db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The session's ``convmem serve`` process on the session database (e2e tests only)."""
    live = start_server(database_url, tmp_path_factory.mktemp("server") / "server.log")
    yield live
    stop_server(live)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> AppServer | LiveServer:
    """The server of the test's tier: the live process for e2e tests, else the in-process app."""
    e2e = request.node.get_closest_marker(tiers.E2E) is not None
    return request.getfixturevalue("live_server" if e2e else "app_server")  # type: ignore[no-any-return]


@pytest.fixture
def account(db: Database) -> Credentials:
    """A fresh account per test, so tests never see each other's stores."""
    return new_account(db)


@pytest.fixture
def client(server: AppServer | LiveServer, account: Credentials) -> Client:
    """The official twilio client on the server, Memory and Conversations."""
    return server.twilio(account)


@pytest.fixture
def v1(client: Client) -> Any:
    return client.memory.v1


@pytest.fixture
def v2(client: Client) -> Any:
    return client.conversations.v2


@pytest.fixture
def http(server: AppServer | LiveServer, account: Credentials) -> Iterator[httpx.Client]:
    """httpx on the server with the account's Basic credentials."""
    with server.http(account) as c:
        yield c


@pytest.fixture
def anon(server: AppServer | LiveServer) -> Iterator[httpx.Client]:
    """httpx on the server without credentials (each request may bring its own)."""
    with server.http() as c:
        yield c


@pytest.fixture
def store_id(http: httpx.Client) -> str:
    return create_store(http)


@pytest.fixture
def model_server() -> Iterator[FakeModelServer]:
    """A scripted chat-completions server on loopback (tests/support/fake_model.py)."""
    with run_model_server() as state:
        yield state
