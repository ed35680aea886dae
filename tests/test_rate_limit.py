"""Per-account rate limiting on a dedicated server with a tiny token bucket
(CONVMEM_RATE_LIMIT_PER_SECOND / CONVMEM_RATE_LIMIT_BURST): over the limit an account gets 429
with Retry-After, while other accounts, probes and the account itself after waiting are served."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from convmem.auth import service as auth
from convmem.storage.db import Database
from tests.conftest import LiveServer, start_server, stop_server
from tests.wire_support import STORES, assert_error

BURST = 4
RATE = 2.0  # tokens per second: Retry-After rounds up to 1 s


@pytest.fixture(scope="module")
def limited(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(server.database_url, tmp_path_factory.mktemp("limited") / "server.log",
                        extra_env={"CONVMEM_RATE_LIMIT_PER_SECOND": str(RATE),
                                   "CONVMEM_RATE_LIMIT_BURST": str(BURST)})
    yield live
    stop_server(live)


def _client(live: LiveServer, db: Database) -> httpx.Client:
    issued = auth.create_account(db)
    return httpx.Client(base_url=live.url, auth=(issued.account_sid, issued.auth_token), timeout=30)


def test_over_the_limit_is_429_with_retry_after(limited: LiveServer, db: Database) -> None:
    with _client(limited, db) as busy, _client(limited, db) as quiet:
        statuses = [busy.get(STORES).status_code for _ in range(BURST)]
        assert statuses == [200] * BURST
        refused = busy.get(STORES)
        assert_error(refused, 429, 20429, "Retry-After")
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 2

        # A refused write is not applied.
        assert_error(busy.post(STORES, json={"displayName": "refused"}), 429, 20429)

        # Everyone else is still served: another account, the probes, bad credentials get 401 not 429.
        assert quiet.get(STORES).status_code == 200
        assert httpx.get(f"{limited.url}/healthz").status_code == 200
        assert httpx.get(f"{limited.url}/readyz").status_code == 200
        assert_error(httpx.get(f"{limited.url}{STORES}"), 401, 20003)

        time.sleep(wait)
        assert busy.get(STORES).json()["stores"] == []


def test_sustained_rate_is_enforced(limited: LiveServer, db: Database) -> None:
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
        # The burst plus what the bucket refilled, give or take one token of timing slack.
        assert served <= BURST + RATE * elapsed + 1
        assert served >= BURST + RATE * elapsed - 2


def test_a_zero_rate_disables_the_limiter(http: httpx.Client) -> None:
    # The shared test server runs with the limiter off (rate 0): a quick burst is never refused.
    assert {http.get(STORES).status_code for _ in range(30)} == {200}
