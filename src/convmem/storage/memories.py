"""Observation, revision and summary rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, and_, cast, delete, insert, select, update

from convmem.domain.pagination import Cursor, Page
from convmem.storage.memory_tables import observation_revisions, observations, summaries
from convmem.storage.paging import keyset_page

_SNAPSHOT_FIELDS = ("content", "source", "occurred_at", "conversation_ids", "created_at", "updated_at")


def insert_observations(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """New observations, each with its first revision: its original state."""
    conn.execute(insert(observations), rows)
    conn.execute(insert(observation_revisions), [
        {"observation_id": r["id"], "profile_id": r["profile_id"], **{f: r[f] for f in _SNAPSHOT_FIELDS}}
        for r in rows])


def get_observation(conn: Connection, profile_id: str, observation_id: str, *, for_update: bool = False) -> Any:
    stmt = select(observations).where(observations.c.id == observation_id, observations.c.profile_id == profile_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def update_observation(conn: Connection, current: Any, changes: dict[str, Any]) -> None:
    """Apply ``changes`` (which include updated_at) and keep the new full state as a revision."""
    conn.execute(update(observations).where(observations.c.id == current.id).values(**changes))
    state = {f: changes.get(f, getattr(current, f)) for f in _SNAPSHOT_FIELDS}
    conn.execute(insert(observation_revisions).values(observation_id=current.id, profile_id=current.profile_id,
                                                      **state))


def delete_observation(conn: Connection, observation_id: str) -> None:
    # Revisions go with it (ON DELETE CASCADE, and explicitly for databases without FKs on).
    conn.execute(delete(observation_revisions).where(observation_revisions.c.observation_id == observation_id))
    conn.execute(delete(observations).where(observations.c.id == observation_id))


def _conversation_filter(conversation_id: str) -> Any:
    # conversationIds is a JSON array of fixed-format ids, so containment of the quoted id in
    # its text is exact (works the same on SQLite and PostgreSQL).
    return cast(observations.c.conversation_ids, String).like(f'%"{conversation_id}"%')


def observation_page(conn: Connection, profile_id: str, cursor: Cursor, size: int) -> Page:
    f = cursor.filters
    stmt = select(observations).where(observations.c.profile_id == profile_id)
    if f.get("source") is not None:
        stmt = stmt.where(observations.c.source == f["source"])
    if f.get("after") is not None:
        stmt = stmt.where(observations.c.created_at >= datetime.fromisoformat(f["after"]))
    if f.get("before") is not None:
        stmt = stmt.where(observations.c.created_at < datetime.fromisoformat(f["before"]))
    if f.get("conversation") is not None:
        stmt = stmt.where(_conversation_filter(f["conversation"]))
    # Ids are time-ordered TTIDs, so id order is creation order.
    return keyset_page(conn, stmt, observations.c.id, cursor, size)


def revision_page(conn: Connection, observation_id: str, cursor: Cursor, size: int) -> Page:
    stmt = select(observation_revisions).where(observation_revisions.c.observation_id == observation_id)
    return keyset_page(conn, stmt, observation_revisions.c.seq, cursor, size)


def insert_summaries(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(summaries), rows)


def get_summary(conn: Connection, profile_id: str, summary_id: str, *, for_update: bool = False) -> Any:
    stmt = select(summaries).where(summaries.c.id == summary_id, summaries.c.profile_id == profile_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def has_summary(conn: Connection, profile_id: str, conversation_id: str, source: str) -> bool:
    """Whether the profile has a summary of the conversation from ``source``."""
    t = summaries.c
    return conn.execute(select(t.id).where(and_(t.profile_id == profile_id, t.conversation_id == conversation_id,
                                                t.source == source)).limit(1)).first() is not None


def update_summary(conn: Connection, summary_id: str, changes: dict[str, Any]) -> None:
    conn.execute(update(summaries).where(summaries.c.id == summary_id).values(**changes))


def delete_summary(conn: Connection, summary_id: str) -> None:
    conn.execute(delete(summaries).where(summaries.c.id == summary_id))


def summary_page(conn: Connection, profile_id: str, cursor: Cursor, size: int) -> Page:
    stmt = select(summaries).where(summaries.c.profile_id == profile_id)
    if cursor.filters.get("conversation") is not None:
        stmt = stmt.where(summaries.c.conversation_id == cursor.filters["conversation"])
    return keyset_page(conn, stmt, summaries.c.id, cursor, size)
