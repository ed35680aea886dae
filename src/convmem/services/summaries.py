"""Conversation summaries: like observations, without revisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from convmem.domain import ids
from convmem.domain.errors import InvalidRequest, NotFound
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.services import erasure, memory_indexing
from convmem.services.common import require_store
from convmem.services.profile_scope import follow_profile, require_profile
from convmem.storage import memories, memory_index
from convmem.storage.db import Database

if TYPE_CHECKING:
    from convmem.services.recall import RecallEngine


@dataclass(frozen=True)
class NewSummary:
    content: str
    conversation_id: str
    occurred_at: datetime
    source: str | None


def check_summary_id(summary_id: str) -> None:
    if not ids.is_valid(ids.SUMMARY, summary_id):
        raise InvalidRequest(f"Invalid summary identifier {summary_id!r}: expected mem_summary_ followed by "
                             "26 characters")


def create(db: Database, account: str, store_id: str, profile_id: str, items: list[NewSummary]) -> list[str]:
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        return insert_rows(conn, profile.id, items)


def insert_rows(conn: Connection, profile_id: str, items: list[NewSummary]) -> list[str]:
    """The write itself, in the caller's transaction (also used by conversation extraction)."""
    now = utcnow()
    rows = [{"id": ids.new_id(ids.SUMMARY), "profile_id": profile_id, "content": item.content,
             "source": item.source, "occurred_at": item.occurred_at, "conversation_id": item.conversation_id,
             "created_at": now, "updated_at": now} for item in items]
    memories.insert_summaries(conn, rows)
    return memory_indexing.index_new(conn, memory_index.SUMMARY, profile_id, rows)


def list_page(db: Database, account: str, store_id: str, profile_id: str, cursor: Cursor,
              size: int) -> tuple[Page, str]:
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        return memories.summary_page(conn, profile.id, cursor, size), profile.id


def fetch(db: Database, account: str, store_id: str, profile_id: str, summary_id: str) -> tuple[Any, str]:
    check_summary_id(summary_id)
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = follow_profile(conn, store_id, profile_id)
        row = memories.get_summary(conn, profile.id, summary_id)
        if row is None:
            raise NotFound(f"Conversation summary {summary_id} was not found")
        return row, profile.id


def patch(db: Database, account: str, store_id: str, profile_id: str, summary_id: str,
          changes: dict[str, Any]) -> None:
    check_summary_id(summary_id)
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        current = memories.get_summary(conn, profile.id, summary_id, for_update=True)
        if current is None:
            raise NotFound(f"Conversation summary {summary_id} was not found")
        memories.update_summary(conn, summary_id, {**changes, "updated_at": utcnow()})
        memory_indexing.reindex_updated(conn, current, profile.id, changes)


def delete(db: Database, account: str, store_id: str, profile_id: str, summary_id: str,
           credential_sid: str | None = None, engine: RecallEngine | None = None) -> None:
    """Irreversible, and every copy goes with it (services/erasure.py)."""
    check_summary_id(summary_id)
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        if memories.get_summary(conn, profile.id, summary_id, for_update=True) is None:
            raise NotFound(f"Conversation summary {summary_id} was not found")
        erased = erasure.erase_summary(conn, account, store_id, profile.id, summary_id, credential_sid or account)
    erasure.finish(erased, engine)
