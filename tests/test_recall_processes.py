"""Recall through one ``convmem serve`` process returns what was written through another: new
observations on its next Recall (lexically; by meaning once the embed job, in either process,
stored the vector), revisions with their new content, and never a deleted item. The second
process's cached profile is kept current from the database's change feed, not rebuilt. End to
end, on the test backend (PostgreSQL is the scale-out one)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from convmem.storage.db import Database
from convmem.storage.memory_tables import observations
from tests.support.credentials import Credentials
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.wire import create_store
from tests.test_observations import new_profile, obs, wait_embedded

WRITES = 20


@pytest.fixture(scope="module")
def second_server(live_server: LiveServer, database_url: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Another ``convmem serve`` on the session database, beside the session's live server."""
    server = start_server(database_url, tmp_path_factory.mktemp("recall-processes") / "second.log")
    yield server
    stop_server(server)


def _ids(resp: httpx.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return [o["id"] for o in body["observations"] + body["summaries"]]


@pytest.mark.e2e
def test_writes_through_one_process_are_recalled_through_another(live_server: LiveServer, second_server: LiveServer,
                                                                 account: Credentials, db: Database) -> None:
    auth = (account.account_sid, account.auth_token)
    with httpx.Client(base_url=live_server.url, auth=auth, timeout=30) as a, \
            httpx.Client(base_url=second_server.url, auth=auth, timeout=30) as b:
        store_id = create_store(a)
        profile_id = new_profile(db, store_id)
        base = f"/v1/Stores/{store_id}/Profiles/{profile_id}"
        background = [obs(f"Bought item number {n} from the spring catalogue") for n in range(60)]
        for start in range(0, len(background), 10):
            assert a.post(f"{base}/Observations", json={"observations": background[start:start + 10]}).status_code \
                == 202
        assert len(_ids(b.post(f"{base}/Recall", json={"query": "catalogue"}))) == 20  # B caches the profile

        delays, attempts = [], []
        for n in range(WRITES):
            resp = a.post(f"{base}/Observations", json={"observations": [obs(f"Adopted a parrot called Kiwi{n}")]})
            assert resp.status_code == 202
            written = time.perf_counter()
            tries = 0
            while True:
                tries += 1
                found = b.post(f"{base}/Recall", json={"query": f"kiwi{n}", "observationsLimit": 5}).json()
                if f"Adopted a parrot called Kiwi{n}" in [o["content"] for o in found["observations"]]:
                    break
                assert time.perf_counter() - written < 5, f"Kiwi{n} not recalled through the other process"
            delays.append(time.perf_counter() - written)
            attempts.append(tries)
        assert np.percentile(delays, 95) <= 1.0, delays
        assert attempts == [1] * WRITES  # on the very next Recall: the write had committed

        tea = obs("Enjoys drinking green tea every morning", occurred="2025-02-01T08:00:00Z")
        assert a.post(f"{base}/Observations", json={"observations": [tea]}).status_code == 202
        with db.read() as conn:
            tea_id = conn.execute(select(observations.c.id).where(
                observations.c.profile_id == profile_id, observations.c.content == tea["content"])).scalar_one()
        wait_embedded(db, [tea_id])
        by_meaning = b.post(f"{base}/Recall", json={"query": "What beverage does she like in the morning?"})
        assert _ids(by_meaning)[0] == tea_id  # the vector, stored by either process's embed job

        revised = a.patch(f"{base}/Observations/{tea_id}", json={"content": "Enjoys drinking black coffee daily"})
        assert revised.status_code == 202
        coffee = b.post(f"{base}/Recall", json={"query": "black coffee", "observationsLimit": 1}).json()
        assert [(o["id"], o["content"]) for o in coffee["observations"]] == [
            (tea_id, "Enjoys drinking black coffee daily")]

        kiwi = _ids(b.post(f"{base}/Recall", json={"query": "kiwi3", "observationsLimit": 1}))[0]
        assert a.delete(f"{base}/Observations/{kiwi}").status_code == 202
        for body in ({"query": "kiwi3"}, {"query": "parrot"}, {"observationsLimit": 100}):
            assert kiwi not in _ids(b.post(f"{base}/Recall", json=body))
            assert tea_id in _ids(b.post(f"{base}/Recall", json={"observationsLimit": 100}))
