"""The embedding queue is durable: work accepted while no worker runs (or left half-done by a
crashed one) is finished by the next server to start on the database; and the embedding model
itself behaves."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select, update

from convmem.auth import service as auth
from convmem.search.embedding import DIMENSIONS, get_embedder
from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs
from convmem.storage.memory_tables import memory_index
from tests.support.credentials import new_account
from tests.support.inprocess import serve_in_process
from tests.support.wire import create_store
from tests.test_observations import new_profile, obs


def test_restart_finishes_a_non_empty_queue(private_database: str, tmp_path: Path) -> None:
    db = Database(private_database)
    migrate.upgrade(db)
    creds = new_account(db)
    # A server that runs no job worker, stopped; then one that does, on the same database.
    with serve_in_process(private_database, tmp_path / "data", run_jobs=False) as stopped, \
            stopped.http(creds) as http:
        store_id = create_store(http)
        profile_id = new_profile(db, store_id)
        url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations"
        for batch in range(3):
            resp = http.post(url, json={"observations": [obs(f"Fact {batch}.{n} about sailing boats")
                                                         for n in range(10)]})
            assert resp.status_code == 202
        # Accepted, durable and lexically searchable, but not embedded: no worker ran.
        recalled = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall",
                             json={"query": "sailing", "observationsLimit": 100}).json()
        assert len(recalled["observations"]) == 30
    with db.write() as conn:
        assert conn.execute(select(memory_index.c.needs_embedding)).scalars().all() == [True] * 30
        pending = conn.execute(select(jobs.c.id).where(jobs.c.status == "PENDING").order_by(jobs.c.id)).scalars().all()
        assert len(pending) == 3
        # One job as a crashed worker leaves it: RUNNING, with a lease long expired.
        conn.execute(update(jobs).where(jobs.c.id == pending[0]).values(
            status="RUNNING", claimed_by="crashed", claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    with serve_in_process(private_database, tmp_path / "data"):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with db.read() as conn:
                waiting = conn.execute(select(memory_index.c.item_id).where(
                    memory_index.c.needs_embedding.is_(True))).all()
                statuses = conn.execute(select(jobs.c.status)).scalars().all()
            if not waiting and set(statuses) == {"DONE"}:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"queue not finished: {len(waiting)} items waiting, jobs {statuses}")
        with db.read() as conn:
            vectors = conn.execute(select(memory_index.c.embedding)).scalars().all()
        assert all(v is not None and len(v) == DIMENSIONS * 4 for v in vectors)
    db.dispose()


def test_embeddings_are_normalised_and_meaningful() -> None:
    model = get_embedder()
    vectors = model.embed_sorted(["The cat sat on the mat", "A kitten rested on the rug",
                                  "Quarterly revenue grew by four percent"], batch=2)
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.5 > unrelated
    # Batching changes a vector only slightly: the dynamically quantized model scales its
    # activations per batch, so a sentence's vector depends a little on its neighbours
    # (reconciliation's duplicate threshold, 0.97, sits well below this).
    alone = model.embed(["A kitten rested on the rug"])[0]
    assert float(alone @ vectors[1]) > 0.98


def test_vectors_of_changed_content_are_not_stored(private_database: str) -> None:
    """A vector computed from an older content version is dropped in the batched store (the
    content changed while the model ran; a newer job embeds the new content)."""
    from convmem.domain import ids
    from convmem.storage import memory_index as index_repo
    from convmem.storage import stores

    db = Database(private_database)  # no server's worker may embed these items meanwhile
    migrate.upgrade(db)
    creds = auth.create_account(db)
    store_id = ids.new_id(ids.STORE)
    with db.write() as conn:
        stores.insert_store(conn, store_id=store_id, account_sid=creds.account_sid, display_name="s",
                            description=None, status="ACTIVE")
    profile_id = new_profile(db, store_id)
    current, changed = f"mem_observation_test{secrets.token_hex(8)}", f"mem_observation_test{secrets.token_hex(8)}"
    now = datetime.now(UTC)
    with db.write() as conn:
        index_repo.add(conn, [(current, "observation", profile_id, "likes tea", now),
                              (changed, "observation", profile_id, "likes coffee", now)])
        index_repo.reindex(conn, changed, "likes cocoa", now, content_changed=True)  # now at version 2
    vector = np.ones(DIMENSIONS, dtype=np.float32).tobytes()
    with db.write() as conn:
        assert index_repo.store_embeddings(conn, [(current, 1, vector), (changed, 1, vector)]) == [profile_id]
    with db.read() as conn:
        rows = {r.item_id: r for r in conn.execute(select(memory_index).where(
            memory_index.c.item_id.in_([current, changed])))}
    assert not rows[current].needs_embedding and rows[current].embedding == vector
    assert rows[changed].needs_embedding and rows[changed].embedding is None
    db.dispose()
