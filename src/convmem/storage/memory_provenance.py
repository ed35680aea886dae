"""Where extracted memories came from: one row per (memory item, extraction) naming the
conversation and the communications the item was written from.

An observation updated by reconciliation gains a row per extraction that touched it, so its
provenance is the union of its rows. ``profile_id`` cascades like every memory table (a merge
re-points it with the rest); rows of an item deleted through the API are skipped by readers
and go with the profile."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import JSON, Column, Connection, ForeignKey, Index, Integer, String, Table, delete, insert, select

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

memory_provenance = Table(
    "memory_provenance",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(48), nullable=False),  # mem_observation_… or mem_summary_…
    Column("profile_id", String(40), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("conversation_id", String(64), nullable=False),
    Column("communication_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_memory_provenance_item_id", "item_id"),
    Index("ix_memory_provenance_profile_id", "profile_id"),
    Index("ix_memory_provenance_conversation_id", "conversation_id"),
)


def record(conn: Connection, rows: Iterable[tuple[str, str, str, Sequence[str]]], at: datetime) -> None:
    """(item_id, profile_id, conversation_id, communication_ids) for each written item."""
    values = [{"item_id": item, "profile_id": profile, "conversation_id": conversation,
               "communication_ids": list(comms), "created_at": at} for item, profile, conversation, comms in rows]
    if values:
        conn.execute(insert(memory_provenance), values)


def of_items(conn: Connection, item_ids: Sequence[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """item id -> [(conversation_id, communication_ids), ...] oldest first."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    if not item_ids:
        return out
    t = memory_provenance.c
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start:start + 500])
        for row in conn.execute(select(t.item_id, t.conversation_id, t.communication_ids)
                                .where(t.item_id.in_(chunk)).order_by(t.seq)):
            out.setdefault(row.item_id, []).append((row.conversation_id, list(row.communication_ids)))
    return out


def communications_of_items(conn: Connection, item_ids: Sequence[str]) -> dict[str, set[str]]:
    """item id -> every communication id it was written or updated from."""
    return {item: {c for _, comms in rows for c in comms} for item, rows in of_items(conn, item_ids).items()}


def forget(conn: Connection, item_id: str) -> None:
    """Drop the provenance of a deleted observation or summary (deletion is irreversible)."""
    conn.execute(delete(memory_provenance).where(memory_provenance.c.item_id == item_id))


def items_written_from(conn: Connection, conversation_ids: Sequence[str],
                       communication_ids: set[str]) -> list[tuple[str, str]]:
    """(item id, profile id) of every item of these conversations written or updated from any
    of ``communication_ids``, whichever profile it belongs to (erasure of their author)."""
    if not conversation_ids or not communication_ids:
        return []
    t = memory_provenance.c
    found: dict[str, str] = {}
    for start in range(0, len(conversation_ids), 500):
        chunk = list(conversation_ids[start:start + 500])
        # communication_ids is a JSON list; the intersection is taken here, the same way on
        # both databases.
        for row in conn.execute(select(t.item_id, t.profile_id, t.communication_ids)
                                .where(t.conversation_id.in_(chunk))):
            if communication_ids.intersection(row.communication_ids):
                found[row.item_id] = row.profile_id
    return sorted(found.items())


def forget_conversation(conn: Connection, conversation_id: str) -> int:
    """Drop every provenance row naming a deleted conversation (its communication ids would
    point at nothing; the items themselves stay with their profiles)."""
    return int(conn.execute(delete(memory_provenance)
                            .where(memory_provenance.c.conversation_id == conversation_id)).rowcount)
