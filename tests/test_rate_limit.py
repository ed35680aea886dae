"""Per-account rate limiting on a dedicated server with a tiny token bucket
(CONVMEM_RATE_LIMIT_PER_SECOND / CONVMEM_RATE_LIMIT_BURST): over the limit an account gets 429
with Retry-After, while other accounts, probes and the account itself after waiting are served."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from convmem.storage.db import Database
from tests.support.credentials import new_account
from tests.support.inprocess import AppServer, serve_in_process
from tests.support.wire import STORES, assert_error

BURST = 4
RATE = 2.0  # tokens per second: Retry-After rounds up to 1 s


@pytest.fixture(scope="module")
def limited(database_url: str, db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A second server on the test database, limited (the session server runs the jobs)."""
    with serve_in_process(database_url, tmp_path_factory.mktemp("limited"), rate_limit_per_second=RATE,
                          rate_limit_burst=BURST, run_jobs=False, run_conversation_timers=False) as app:
        yield app


def _client(live: AppServer, db: Database) -> httpx.Client:
    return live.http(new_account(db))


def _until_refused(send: Callable[[int], httpx.Response], limit: int = 40) -> tuple[int, httpx.Response]:
    """Send until the first refusal: (requests served before it, the refusal). Timing-proof: on
    a slow machine the bucket may refill a little while the burst is being spent."""
    for i in range(limit):
        resp = send(i)
        if resp.status_code == 429:
            return i, resp
        assert resp.status_code in (200, 202), resp.text
    raise AssertionError(f"no 429 after {limit} requests")


def test_over_the_limit_is_429_with_retry_after(limited: AppServer, db: Database) -> None:
    with _client(limited, db) as busy, _client(limited, db) as quiet, limited.http() as anonymous:
        served, refused = _until_refused(lambda _: busy.get(STORES))
        assert served >= BURST
        assert_error(refused, 429, 20429, "Retry-After")
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 2

        # A refused write is not applied.
        served, refused = _until_refused(lambda i: busy.post(STORES, json={"displayName": f"w{i}"}))
        assert_error(refused, 429, 20429)

        # Everyone else is still served: another account, the probes, bad credentials get 401 not 429.
        assert quiet.get(STORES).status_code == 200
        assert anonymous.get("/healthz").status_code == 200
        assert anonymous.get("/readyz").status_code == 200
        assert_error(anonymous.get(STORES), 401, 20003)

        time.sleep(int(refused.headers["Retry-After"]))
        # Exactly the accepted creates exist: the refused one was not applied.
        assert len(busy.get(STORES).json()["stores"]) == served


def test_sustained_rate_is_enforced(limited: AppServer, db: Database) -> None:
    with _client(limited, db) as c:
        started = time.monotonic()
        served = 0
        while time.monotonic() - started < 1.5:
            resp = c.get(STORES)
            if resp.status_code == 200:
                served += 1
            else:
                assert_error(resp, 429, 20429)
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        # Never more than the burst plus what the bucket refilled (one token of timing slack).
        assert BURST <= served <= BURST + RATE * elapsed + 1


def test_a_zero_rate_disables_the_limiter(http: httpx.Client) -> None:
    # The shared test server runs with the limiter off (rate 0): a quick burst is never refused.
    assert {http.get(STORES).status_code for _ in range(30)} == {200}
