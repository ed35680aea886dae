"""Several ``convmem serve`` processes on one database behave as one service: their writes
serialise through the database (If-Match, the store quota, unique names), and a write through
one process is visible at once through the others. Runs on PostgreSQL (the scale-out backend)
and on SQLite (several processes on one WAL file, serialised by BEGIN IMMEDIATE). End to end,
except the shared rate-limit buckets' own tests (in-process, on the test database)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update

from convmem.storage.db import Database
from convmem.storage.rate_limits import SharedTokenBuckets, rate_limit_buckets
from tests.support.credentials import Credentials
from tests.support.databases import BACKEND
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.wire import create_store

STORES = "/v1/ControlPlane/Stores"
EXTRA_PROCESSES = 2
# The extra processes enforce a per-account budget that barely refills: every other test uses a
# fresh account and stays well under the burst; the rate-limit test spends one budget through
# two processes.
RATE_LIMIT_BURST = 40
RATE_LIMITS = {"CONVMEM_RATE_LIMIT_PER_SECOND": "0.001", "CONVMEM_RATE_LIMIT_BURST": str(RATE_LIMIT_BURST)}


@pytest.fixture(scope="module")
def processes(live_server: LiveServer, database_url: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    """The session server plus two more ``convmem serve`` on the same database, started in
    parallel and with rate limiting on; the first of the two runs ``--workers 2``."""
    logs = tmp_path_factory.mktemp("multiprocess")

    def start(i: int) -> LiveServer:
        return start_server(database_url, logs / f"server{i}.log", extra_env=RATE_LIMITS, workers=2 if i == 0 else 1)

    with ThreadPoolExecutor(EXTRA_PROCESSES) as pool:
        extra = list(pool.map(start, range(EXTRA_PROCESSES)))
    yield [live_server, *extra]
    for live in extra:
        stop_server(live)


@pytest.fixture(scope="module")
def servers(processes: list[LiveServer]) -> list[str]:
    return [live.url for live in processes]


def _concurrently(urls: list[str], account: Credentials, count: int,
                  request: Callable[[httpx.Client, int], httpx.Response]) -> list[httpx.Response]:
    """``count`` requests released together, spread round-robin over the processes."""
    barrier = threading.Barrier(count)
    clients = [httpx.Client(base_url=urls[i % len(urls)], auth=(account.account_sid, account.auth_token),
                            timeout=60) for i in range(count)]

    def one(i: int) -> httpx.Response:
        clients[i].get("/healthz")  # connect before the barrier, so the requests really race
        barrier.wait(timeout=30)
        return request(clients[i], i)

    try:
        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(one, range(count)))
    finally:
        for client in clients:
            client.close()


def _codes(responses: list[httpx.Response]) -> list[tuple[int, Any]]:
    return sorted((r.status_code, r.json().get("code")) for r in responses)


@pytest.mark.e2e
def test_if_match_lets_exactly_one_patch_through(servers: list[str], account: Credentials,
                                                  http: httpx.Client) -> None:
    store_id = create_store(http)
    group_path = f"{STORES}/{store_id}/TraitGroups/Race"
    assert http.post(f"{STORES}/{store_id}/TraitGroups", json={"displayName": "Race"}).status_code == 202
    etag = http.get(group_path).headers["ETag"]
    responses = _concurrently(servers, account, 9, lambda c, i: c.patch(
        group_path, headers={"If-Match": etag}, json={"traits": {f"racer{i}": {"dataType": "STRING"}}}))

    assert _codes(responses) == [(202, None)] + [(412, 520043)] * 8
    winner = next(i for i, r in enumerate(responses) if r.status_code == 202)
    group = http.get(group_path).json()["traitGroup"]
    assert group["version"] == 2
    assert [t for t in group["traits"] if t.startswith("racer")] == [f"racer{winner}"]


@pytest.mark.e2e
def test_store_quota_holds_across_processes(servers: list[str], account: Credentials,
                                            http: httpx.Client) -> None:
    responses = _concurrently(servers, account, 24, lambda c, i: c.post(
        STORES, json={"displayName": f"quota-{i}"}))

    assert _codes(responses) == [(202, None)] * 15 + [(400, 520044)] * 9
    assert len(http.get(STORES, params={"pageSize": 100}).json()["stores"]) == 15


@pytest.mark.e2e
def test_one_store_name_wins_across_processes(servers: list[str], account: Credentials,
                                              http: httpx.Client) -> None:
    responses = _concurrently(servers, account, 9, lambda c, i: c.post(STORES, json={"displayName": "same-name"}))

    assert _codes(responses) == [(202, None)] + [(400, 520045)] * 8
    assert len(http.get(STORES).json()["stores"]) == 1


@pytest.mark.e2e
def test_a_write_through_one_process_is_read_through_the_others(servers: list[str],
                                                                account: Credentials) -> None:
    auth = (account.account_sid, account.auth_token)
    clients = [httpx.Client(base_url=url, auth=auth, timeout=30) for url in servers]
    try:
        for i, writer in enumerate(clients):
            name = f"seen-{i}"
            store_id = create_store(writer, name)
            for reader in clients:
                fetched = reader.get(f"{STORES}/{store_id}")
                assert fetched.status_code == 200, fetched.text
                assert fetched.json()["displayName"] == name
    finally:
        for client in clients:
            client.close()


def _worker_processes(pid: int) -> list[int]:
    """The uvicorn workers a ``serve`` process spawned (not multiprocessing's resource tracker)."""
    children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.e2e
def test_serve_with_two_workers(processes: list[LiveServer], account: Credentials) -> None:
    workers = processes[1]
    assert len(_worker_processes(workers.process.pid)) == 2
    auth = (account.account_sid, account.auth_token)
    ids = []
    for i in range(6):
        # A new connection per request, so that both workers take turns.
        created = httpx.post(f"{workers.url}{STORES}", auth=auth, json={"displayName": f"worker-{i}"}, timeout=30)
        assert created.status_code == 202, created.text
        op = httpx.get(created.json()["statusUrl"], auth=auth, timeout=30).json()
        assert op["status"] == "COMPLETED"
        ids.append(op["result"]["id"])
        assert httpx.get(f"{workers.url}{STORES}/{ids[-1]}", auth=auth, timeout=30).status_code == 200
    # Visible through a separate process too.
    assert sorted(httpx.get(f"{processes[0].url}{STORES}", auth=auth, timeout=30).json()["stores"]) == sorted(ids)


postgresql_only = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="rate-limit buckets live in PostgreSQL; a SQLite deployment is one server with in-process buckets")


@postgresql_only
def test_shared_buckets_never_overdraw_under_concurrency(db: Database) -> None:
    buckets = SharedTokenBuckets(db, rate=0.001, burst=10)
    key = f"test-{secrets.token_hex(8)}"
    barrier = threading.Barrier(20)

    def take(_: int) -> int:
        barrier.wait(timeout=30)
        return buckets.take(key)

    with ThreadPoolExecutor(20) as pool:
        waits = list(pool.map(take, range(20)))
    assert waits.count(0) == 10
    assert all(wait >= 900 for wait in waits if wait)  # about 1/rate seconds until the next token


@postgresql_only
def test_shared_buckets_refill_up_to_the_burst(db: Database) -> None:
    buckets = SharedTokenBuckets(db, rate=0.01, burst=2)
    key = f"test-{secrets.token_hex(8)}"

    def age(seconds: float) -> None:
        """Move the bucket's last refill into the past, as if ``seconds`` had gone by."""
        with db.write() as conn:
            conn.execute(update(rate_limit_buckets).where(rate_limit_buckets.c.key == key)
                         .values(refilled_at=rate_limit_buckets.c.refilled_at - seconds))

    assert [buckets.take(key), buckets.take(key)] == [0, 0]
    assert 99 <= buckets.take(key) <= 100  # an empty bucket: one token per 100 s
    age(50)  # half a token
    assert 49 <= buckets.take(key) <= 51
    age(10_000)  # a hundred tokens' worth, capped at the burst of 2
    assert [buckets.take(key), buckets.take(key)] == [0, 0]
    assert buckets.take(key) > 0
    assert SharedTokenBuckets(db, rate=0, burst=1).take(key) == 0  # rate 0 disables the limit
    with db.read() as conn:  # disposable state: no WAL, no fsync on the request path
        assert conn.execute(text("SELECT relpersistence FROM pg_class WHERE relname = 'rate_limit_buckets'")
                            ).scalar() == "u"


@pytest.mark.e2e
@postgresql_only
def test_processes_share_one_rate_limit_budget(servers: list[str], account: Credentials) -> None:
    limited = servers[1:]  # the session server runs without a limit
    auth = (account.account_sid, account.auth_token)
    with httpx.Client(auth=auth, timeout=30) as http:
        responses = [http.get(f"{limited[i % len(limited)]}{STORES}") for i in range(RATE_LIMIT_BURST + 10)]
    # One budget for the account, however many processes serve it.
    assert [r.status_code for r in responses] == [200] * RATE_LIMIT_BURST + [429] * 10
    refused = responses[-1]
    assert refused.json()["code"] == 20429
    assert int(refused.headers["Retry-After"]) >= 1
