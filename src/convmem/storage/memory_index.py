"""The search index rows of memory items, their embeddings, and the per-profile change counter
that tells Recall's in-process cache when to reload."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, LargeBinary, String, column, delete, func, insert, select, update, values

from convmem.search import text as search_text
from convmem.storage.memory_tables import memory_index, memory_index_state, observations, summaries

OBSERVATION = "observation"
SUMMARY = "summary"


def bump(conn: Connection, profile_id: str) -> None:
    """Record that the profile's searchable memories changed (in the writer's transaction)."""
    changed = conn.execute(update(memory_index_state).where(memory_index_state.c.profile_id == profile_id)
                           .values(version=memory_index_state.c.version + 1)).rowcount
    if not changed:
        conn.execute(insert(memory_index_state).values(profile_id=profile_id, version=1))


def cache_key(conn: Connection, profile_id: str) -> tuple[int, int]:
    """Changes whenever the profile's memories or embeddings change, and when a merge
    re-points another profile's rows here (the row count grows)."""
    row = conn.execute(select(func.count(), func.coalesce(func.sum(memory_index_state.c.version), 0))
                       .where(memory_index_state.c.profile_id == profile_id)).one()
    return int(row[0]), int(row[1])


def cache_keys(conn: Connection, profile_ids: list[str]) -> dict[str, tuple[int, int]]:
    """``cache_key`` of many profiles in one query; a profile without index rows is absent."""
    state = memory_index_state.c
    out: dict[str, tuple[int, int]] = {}
    for start in range(0, len(profile_ids), 500):
        rows = conn.execute(select(state.profile_id, func.count(), func.coalesce(func.sum(state.version), 0))
                            .where(state.profile_id.in_(profile_ids[start:start + 500]))
                            .group_by(state.profile_id)).all()
        out.update((row[0], (int(row[1]), int(row[2]))) for row in rows)
    return out


def add(conn: Connection, items: Iterable[tuple[str, str, str, str, datetime]]) -> None:
    """Index new items: (item_id, kind, profile_id, content, occurred_at)."""
    rows = [{"item_id": item_id, "kind": kind, "profile_id": profile_id,
             "search_text": search_text.document_text(content, occurred_at), "content_version": 1,
             "needs_embedding": True}
            for item_id, kind, profile_id, content, occurred_at in items]
    if rows:
        conn.execute(insert(memory_index), rows)


def reindex(conn: Connection, item_id: str, content: str, occurred_at: datetime, *, content_changed: bool) -> None:
    values: dict[str, Any] = {"search_text": search_text.document_text(content, occurred_at)}
    if content_changed:
        values["content_version"] = memory_index.c.content_version + 1
        values["needs_embedding"] = True
    conn.execute(update(memory_index).where(memory_index.c.item_id == item_id).values(**values))


def remove(conn: Connection, item_id: str) -> None:
    conn.execute(delete(memory_index).where(memory_index.c.item_id == item_id))


def pending_embeddings(conn: Connection, item_ids: list[str], batch: int) -> list[Any]:
    """Items needing a vector, with their content: those of ``item_ids`` first, then other
    waiting items (oldest first) up to ``batch`` in all."""
    waiting = select(memory_index.c.item_id).where(memory_index.c.needs_embedding.is_(True))
    wanted = list(conn.execute(waiting.where(memory_index.c.item_id.in_(item_ids))).scalars()) if item_ids else []
    if len(wanted) < batch:
        others = conn.execute(waiting.order_by(memory_index.c.doc_id).limit(batch)).scalars()
        wanted += [i for i in others if i not in set(wanted)][:batch - len(wanted)]
    if not wanted:
        return []
    out: list[Any] = []
    for table in (observations, summaries):
        out.extend(conn.execute(
            select(memory_index.c.item_id, memory_index.c.profile_id, memory_index.c.content_version,
                   table.c.content).join(table, table.c.id == memory_index.c.item_id)
            .where(memory_index.c.item_id.in_(wanted))).all())
    return out


def store_embeddings(conn: Connection, fresh: list[tuple[str, int, bytes]]) -> list[str]:
    """Store vectors, each (item id, content version it was computed from, vector); one whose
    item's content has changed since is ignored (a newer job embeds the new content). One
    UPDATE ... FROM a VALUES list (as a CTE, which SQLite accepts too) instead of a round trip
    per item. Returns the profile of each item stored, one entry per item."""
    if not fresh:
        return []
    batch = values(column("item_id", String), column("version", Integer), column("blob", LargeBinary),
                   name="fresh").data(fresh).cte("fresh")
    stmt = (update(memory_index)
            .where(memory_index.c.item_id == batch.c.item_id, memory_index.c.content_version == batch.c.version)
            .values(embedding=batch.c.blob, embedded_version=batch.c.version, needs_embedding=False)
            .returning(memory_index.c.profile_id))
    return list(conn.execute(stmt).scalars())


def observations_with_vectors(conn: Connection, profile_id: str) -> list[Any]:
    """Every observation of the profile with its stored embedding and whether that is current
    (``fresh``), for reconciliation."""
    fresh = (memory_index.c.embedded_version == memory_index.c.content_version).label("fresh")
    return list(conn.execute(
        select(observations, memory_index.c.embedding, fresh)
        .join(memory_index, memory_index.c.item_id == observations.c.id, isouter=True)
        .where(observations.c.profile_id == profile_id)).all())


def load_search_rows(conn: Connection, profile_id: str) -> tuple[list[Any], list[Any]]:
    """What Recall scores the profile's observations and summaries on: id, occurredAt, current
    embedding (with ``fresh``), lexical text and full-text document id; nothing of the wire form."""
    fresh = (memory_index.c.embedded_version == memory_index.c.content_version).label("fresh")
    out = []
    for table in (observations, summaries):
        out.append(conn.execute(
            select(table.c.id, table.c.occurred_at, memory_index.c.embedding, fresh, memory_index.c.search_text,
                   memory_index.c.doc_id)
            .join(memory_index, memory_index.c.item_id == table.c.id, isouter=True)
            .where(table.c.profile_id == profile_id)).all())
    return out[0], out[1]


def wire_rows(conn: Connection, observation_ids: list[str], summary_ids: list[str]) -> dict[str, Any]:
    """Full rows of the given observations and summaries, by id (what Recall returns)."""
    rows: dict[str, Any] = {}
    for table, wanted in ((observations, observation_ids), (summaries, summary_ids)):
        if wanted:
            rows.update((r.id, r) for r in conn.execute(select(table).where(table.c.id.in_(wanted))))
    return rows


def waiting_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(memory_index).where(
        memory_index.c.needs_embedding.is_(True))).scalar() or 0)


def embedded_count(conn: Connection, item_ids: list[str]) -> int:
    return int(conn.execute(select(func.count()).select_from(memory_index).where(
        memory_index.c.item_id.in_(item_ids), memory_index.c.embedded_version == memory_index.c.content_version
    )).scalar() or 0)
