"""Keeping the search indexes in step with observation and summary writes.

Each step runs in the caller's transaction: the lexical index row changes with the item, stamped
with the profile's next index version, and the profile is bumped to that version (Recall's
caches, in this process and in others, then read the rows changed since the version they hold:
storage/memory_index.py); an ``embed`` job is queued whenever the text changed, so the item
becomes semantically searchable after the commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from convmem.jobs import queue
from convmem.services import embeddings as embed_jobs
from convmem.storage import memory_index, memory_provenance


def index_new(conn: Connection, kind: str, profile_id: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Index freshly inserted items (dicts with id, content, occurred_at); returns their ids."""
    # Taking the version first also gives a profile's rows their doc_ids in commit order, the
    # order Recall's caches keep items in.
    change_seq = memory_index.next_version(conn, profile_id)
    memory_index.add(conn, [(r["id"], kind, profile_id, r["content"], r["occurred_at"]) for r in rows], change_seq)
    memory_index.bump(conn, profile_id)
    item_ids = [r["id"] for r in rows]
    queue.enqueue(conn, embed_jobs.KIND, embed_jobs.payload(item_ids))
    return item_ids


def reindex_updated(conn: Connection, current: Any, profile_id: str, changes: Mapping[str, Any]) -> None:
    """After ``current`` (the row before the update) took ``changes``."""
    change_seq = memory_index.next_version(conn, profile_id)
    content_changed = "content" in changes and changes["content"] != current.content
    if content_changed or "occurred_at" in changes:
        memory_index.reindex(conn, current.id, changes.get("content", current.content),
                             changes.get("occurred_at", current.occurred_at), content_changed=content_changed,
                             change_seq=change_seq)
    else:
        memory_index.touch(conn, current.id, change_seq)
    memory_index.bump(conn, profile_id)
    if content_changed:
        queue.enqueue(conn, embed_jobs.KIND, embed_jobs.payload([current.id]))


def unindex(conn: Connection, item_id: str, profile_id: str) -> None:
    """Before deleting an item: it leaves every index (and its provenance) at once, and the
    profile's cached memories are reloaded, not patched (``deleted``)."""
    memory_index.next_version(conn, profile_id)  # the profile's lock before its index rows
    memory_index.remove(conn, item_id)
    memory_provenance.forget(conn, item_id)
    memory_index.bump(conn, profile_id, deleted=True)
