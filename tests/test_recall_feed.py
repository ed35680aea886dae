"""Recall's cached profile is kept current from the index's change feed (storage/memory_index.py,
services/recall.py), in process: writes, revisions, summaries and embeddings landing are applied
to the cached entry without rebuilding it, and every answer equals a freshly built engine's;
a removal or a merge rebuilds, and what was deleted is never returned. Plus the version
bookkeeping itself: versions in commit order, rows stamped with them, removals in the
generation."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from convmem.search.vectors import ProfileCache, ProfileMemories
from convmem.services import recall as recall_service
from convmem.services.recall import RecallEngine, RecallRequest
from convmem.storage import memory_index
from convmem.storage.db import Database
from convmem.storage.memory_tables import memory_index as index_table
from convmem.storage.memory_tables import observations
from tests.support.credentials import Credentials, new_account
from tests.support.inprocess import AppServer
from tests.test_observations import new_profile, obs, wait_embedded
from tests.test_recall_incremental import assert_same

QUERIES = ["green tea in the morning", "dog vaccination", "hiking trip", "typewriters", "firefighter downtown",
           "What does she drink?", "13 January 2025"]
FACTS = ["Enjoys drinking green tea every morning", "Owns a golden retriever named Biscuit",
         "Works as a nurse at the city hospital", "Is allergic to peanuts", "Plans a hiking trip to Patagonia",
         "Prefers window seats on long flights", "Collects vinyl records from the seventies",
         "Learning to play the cello", "Runs a small bakery on weekends", "Volunteers at the animal shelter"]


class CountingCache(ProfileCache):
    """Counts the entries it built from scratch."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def get(self, profile_id: str, key: tuple[int, int], load: Callable[[], ProfileMemories],
            catch_up: Callable[[ProfileMemories], ProfileMemories | None] | None = None) -> ProfileMemories:
        def counted() -> ProfileMemories:
            self.loads += 1
            return load()

        return super().get(profile_id, key, counted, catch_up)


@pytest.fixture
def engine(server: AppServer) -> RecallEngine:
    """An engine of its own (its own cache), sharing the server's query vectors."""
    shared = server.runtime.recall
    return RecallEngine(queries=shared.queries, cache=CountingCache(),
                        weights=shared.weights)


def loads(engine: RecallEngine) -> int:
    assert isinstance(engine.cache, CountingCache)
    return engine.cache.loads


class Harness:
    def __init__(self, db: Database, server: AppServer, engine: RecallEngine, http: httpx.Client, account: Credentials,
                 store_id: str, profile_id: str) -> None:
        self.db, self.server, self.engine, self.http = db, server, engine, http
        self.account, self.store_id, self.profile_id = account, store_id, profile_id
        self.base = f"/v1/Stores/{store_id}/Profiles/{profile_id}"

    def recall(self, engine: RecallEngine, **request: Any) -> Any:
        result = recall_service.recall(self.db, engine, self.account.account_sid, self.store_id, self.profile_id,
                                       RecallRequest(**request))
        return result.observations, result.summaries

    def fresh(self) -> RecallEngine:
        shared = self.engine
        return RecallEngine(queries=shared.queries, cache=ProfileCache(),
                            weights=shared.weights)

    def key(self) -> tuple[int, int]:
        with self.db.read() as conn:
            return memory_index.cache_key(conn, self.profile_id)

    def same_as_fresh(self, engine: RecallEngine, **request: Any) -> Any:
        """``engine``'s answer, checked against a freshly built engine's at the same version
        (the server's embed job may land a vector between two Recalls: then they are asked again)."""
        for _ in range(20):
            before = self.key()
            answer = self.recall(engine, **request)
            expected = self.recall(self.fresh(), **request)
            if self.key() == before:
                assert answer == expected, request
                return answer
        raise AssertionError("the profile kept changing")

    def check(self) -> list[Any]:
        """Every query (and the recency mode) answers as a freshly built engine does."""
        return [self.same_as_fresh(self.engine, **request)
                for request in [{"query": q} for q in QUERIES] + [{}, {"observations_limit": 100,
                                                                       "summaries_limit": 100}]]

    def post(self, *contents: str, occurred: str = "2025-01-15T10:15:30Z") -> list[str]:
        resp = self.http.post(f"{self.base}/Observations",
                              json={"observations": [obs(c, occurred=occurred) for c in contents]})
        assert resp.status_code == 202, resp.text
        with self.db.read() as conn:
            rows = conn.execute(select(observations.c.id, observations.c.content)
                                .where(observations.c.profile_id == self.profile_id)).all()
        return [i for i, c in rows if c in contents]

    def ids(self, answer: Any) -> set[str]:
        observations_, summaries_ = answer
        return {o["id"] for o in observations_ + summaries_}


@pytest.fixture
def harness(db: Database, server: AppServer, engine: RecallEngine, http: httpx.Client, account: Credentials,
            store_id: str) -> Harness:
    return Harness(db, server, engine, http, account, store_id, new_profile(db, store_id))


def test_writes_revisions_and_embeddings_are_applied_without_a_rebuild(harness: Harness) -> None:
    h = harness
    first = h.post(*FACTS[:6])
    wait_embedded(h.db, first)
    h.check()
    assert loads(h.engine) == 1  # the first Recall builds the entry; nothing after rebuilds it
    added = h.post("Collects vintage typewriters", occurred="2025-03-01T09:00:00Z")
    answers = h.check()  # lexically at once, before the embed job
    assert added[0] in h.ids(answers[QUERIES.index("typewriters")])
    wait_embedded(h.db, added)
    h.check()
    nurse = next(i for i in first if i in h.ids(h.recall(h.engine, query="nurse hospital")))
    resp = h.http.patch(f"{h.base}/Observations/{nurse}", json={"content": "Works as a firefighter downtown"})
    assert resp.status_code == 202, resp.text
    answers = h.check()
    top = answers[QUERIES.index("firefighter downtown")][0][0]
    assert (top["id"], top["content"]) == (nurse, "Works as a firefighter downtown")
    wait_embedded(h.db, [nurse])
    h.check()
    h.http.patch(f"{h.base}/Observations/{first[0]}", json={"occurredAt": "2025-01-13T08:00:00Z"}).raise_for_status()
    h.check()
    h.http.patch(f"{h.base}/Observations/{first[1]}", json={"source": "email"}).raise_for_status()
    recency = h.check()[-1][0]
    assert next(o for o in recency if o["id"] == first[1])["source"] == "email"  # the wire form too
    resp = h.http.post(f"{h.base}/ConversationSummaries", json={"summaries": [
        {"content": "Discussed the dog's vaccination schedule", "conversationId": "conv_conversation_" + "2" * 26,
         "occurredAt": "2025-01-15T08:00:00Z"}]})
    assert resp.status_code == 202
    summary = h.check()[QUERIES.index("dog vaccination")][1][0]["id"]
    h.http.patch(f"{h.base}/ConversationSummaries/{summary}",
                 json={"content": "Talked about the dog's diet"}).raise_for_status()
    h.check()
    wait_all_embedded(h)
    h.check()
    assert loads(h.engine) == 1


def wait_all_embedded(h: Harness) -> None:
    with h.db.read() as conn:
        items = list(conn.execute(select(index_table.c.item_id).where(index_table.c.profile_id == h.profile_id))
                     .scalars())
    wait_embedded(h.db, items)


def test_a_deletion_rebuilds_and_is_never_returned(harness: Harness) -> None:
    h = harness
    items = h.post(*FACTS)
    wait_embedded(h.db, items)
    h.check()
    tea = next(iter(h.ids(h.recall(h.engine, query="green tea", observations_limit=1))))
    assert h.http.delete(f"{h.base}/Observations/{tea}").status_code == 202
    for answer in h.check():
        assert tea not in h.ids(answer)
    assert loads(h.engine) == 2  # the deletion: a rebuild, not a patch
    h.post("Drinks oolong tea after lunch")
    for answer in h.check():
        assert tea not in h.ids(answer)
    assert loads(h.engine) == 2


def test_a_cache_behind_another_engine_catches_up_or_rebuilds(harness: Harness) -> None:
    """A second engine (another process, as far as the database tells) left behind by writes
    catches up from the feed; left behind by more than the feed applies, or by a deletion, it
    rebuilds."""
    h = harness
    h.post(*FACTS)
    h.recall(h.engine, query="tea")
    h.post("Drinks oolong tea after lunch", "Collects vintage typewriters")
    h.same_as_fresh(h.engine, query="tea")
    assert loads(h.engine) == 1
    many = [f"Note number {n} about tea" for n in range(recall_service._catch_up_limit(12) + 1)]
    for start in range(0, len(many), 10):
        h.post(*many[start:start + 10])
    # Their vectors landed first: on a loaded machine they could otherwise arrive after the rebuild, more
    # of them than the feed applies, and rightly cause a second one.
    wait_all_embedded(h)
    h.same_as_fresh(h.engine, query="tea")
    assert loads(h.engine) == 2  # too far behind: rebuilt


def test_concurrent_recalls_and_writes(harness: Harness) -> None:
    h = harness
    h.post(*FACTS)
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                h.recall(h.engine, query="tea dog hiking records")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for n in range(15):
            h.post(f"Tried a new tea blend number {n}")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    wait_all_embedded(h)
    h.check()


def test_versions_stamps_and_generations(db: Database, harness: Harness) -> None:
    """(The server's embed job runs meanwhile: it moves versions too.)"""
    h = harness
    assert h.key() == (0, 0)
    first = h.post("Enjoys drinking green tea every morning")
    generation, after_first = h.key()
    assert generation == 1 and after_first >= 1
    with db.read() as conn:
        assert [r.id for r in memory_index.changes_since(conn, h.profile_id, 0, 10)] == first
    second = h.post("Owns a golden retriever named Biscuit", "Is allergic to peanuts")
    generation, after_second = h.key()
    assert generation == 1 and after_second > after_first
    with db.read() as conn:
        changed = {r.id for r in memory_index.changes_since(conn, h.profile_id, after_first, 10)}
        assert set(second) <= changed <= set(first + second)
    wait_embedded(db, first + second)
    generation, embedded = h.key()
    assert generation == 1 and embedded > after_second  # storing the vectors of ``second`` moved it
    with db.read() as conn:
        assert all(r.fresh for r in memory_index.changes_since(conn, h.profile_id, after_second, 10))
        assert memory_index.changes_since(conn, h.profile_id, embedded, 10) == []
    assert h.http.delete(f"{h.base}/Observations/{first[0]}").status_code == 202
    key = h.key()
    assert key[0] > generation and key[1] > embedded
    with db.read() as conn:
        assert memory_index.cache_keys(conn, [h.profile_id, "mem_profile_none"]) == {h.profile_id: key}


def test_concurrent_writers_get_versions_in_commit_order(private_database: str) -> None:
    """Writers to one profile queue on its state rows: each transaction gets the next version,
    and its new rows doc ids above every earlier one's, so a cache appending the rows of each
    version in turn lays them out as a rebuild does. (A database of its own: no server's embed
    job re-stamps the rows meanwhile.)"""
    from convmem.domain import ids
    from convmem.services import observations as observation_service
    from convmem.storage import migrate, stores

    db = Database(private_database)
    try:
        migrate.upgrade(db)
        store_id, account_sid = ids.new_id(ids.STORE), new_account(db).account_sid
        with db.write() as conn:
            stores.insert_store(conn, store_id=store_id, account_sid=account_sid, display_name="s", description=None,
                                status="ACTIVE")
        profile_id = new_profile(db, store_id)
        when = datetime(2025, 1, 15, tzinfo=UTC)

        def write(n: int) -> None:
            with db.write() as conn:
                observation_service.insert_rows(conn, profile_id, [
                    observation_service.NewObservation(f"Note {n}.{k} about tea", "chat", when, []) for k in range(3)])

        write(0)
        with db.read() as conn:
            first_key = memory_index.cache_key(conn, profile_id)
            cached = recall_service._load(conn, profile_id, first_key)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(write, range(1, 25)))
        with db.read() as conn:
            rows = conn.execute(select(index_table.c.change_seq, index_table.c.doc_id)
                                .where(index_table.c.profile_id == profile_id)).all()
            key = memory_index.cache_key(conn, profile_id)
            caught_up = recall_service._catch_up(conn, profile_id, cached, key)
            rebuilt = recall_service._load(conn, profile_id, key)
        by_version: dict[int, list[int]] = {}
        for version, doc_id in rows:
            by_version.setdefault(version, []).append(doc_id)
        assert sorted(by_version) == list(range(1, 26)) and key == (1, 25)
        ordered = [sorted(by_version[v]) for v in sorted(by_version)]
        assert all(len(docs) == 3 for docs in ordered)
        assert all(a[-1] < b[0] for a, b in itertools.pairwise(ordered))
        assert caught_up is not None
        assert_same(caught_up, rebuilt)
    finally:
        db.dispose()
