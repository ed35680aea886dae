"""Observations: create in batches, list, fetch, patch (keeping revisions), delete.

Every write commits the item, its search-index row (lexically searchable at once) and an
``embed`` job in one transaction: the 202 the API then sends is a promise that the write is
durable and that it will become semantically searchable."""

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
class NewObservation:
    content: str
    source: str
    occurred_at: datetime
    conversation_ids: list[str]


def check_observation_id(observation_id: str) -> None:
    if not ids.is_valid(ids.OBSERVATION, observation_id):
        raise InvalidRequest(f"Invalid observation identifier {observation_id!r}: expected mem_observation_ "
                             "followed by 26 characters")


def create(db: Database, account: str, store_id: str, profile_id: str, items: list[NewObservation]) -> list[str]:
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        return insert_rows(conn, profile.id, items)


def insert_rows(conn: Connection, profile_id: str, items: list[NewObservation]) -> list[str]:
    """The write itself, in the caller's transaction (also used by conversation extraction)."""
    now = utcnow()
    rows = [{"id": ids.new_id(ids.OBSERVATION), "profile_id": profile_id, "content": item.content,
             "source": item.source, "occurred_at": item.occurred_at, "conversation_ids": item.conversation_ids,
             "created_at": now, "updated_at": now} for item in items]
    memories.insert_observations(conn, rows)
    return memory_indexing.index_new(conn, memory_index.OBSERVATION, profile_id, rows)


def list_page(db: Database, account: str, store_id: str, profile_id: str, cursor: Cursor,
              size: int) -> tuple[Page, str]:
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        return memories.observation_page(conn, profile.id, cursor, size), profile.id


def fetch(db: Database, account: str, store_id: str, profile_id: str, observation_id: str) -> tuple[Any, str]:
    """The observation and the canonical profile id (merged ids are followed, not redirected)."""
    check_observation_id(observation_id)
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = follow_profile(conn, store_id, profile_id)
        row = memories.get_observation(conn, profile.id, observation_id)
        if row is None:
            raise NotFound(f"Observation {observation_id} was not found")
        return row, profile.id


def patch(db: Database, account: str, store_id: str, profile_id: str, observation_id: str,
          changes: dict[str, Any]) -> None:
    """Apply the fields given (``content``, ``source``, ``occurred_at``, ``conversation_ids``)."""
    check_observation_id(observation_id)
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        current = memories.get_observation(conn, profile.id, observation_id, for_update=True)
        if current is None:
            raise NotFound(f"Observation {observation_id} was not found")
        apply_changes(conn, current, changes)


def apply_changes(conn: Connection, current: Any, changes: dict[str, Any]) -> None:
    """Update a (locked) observation row, keeping the new state as a revision and both indexes
    right, in the caller's transaction (also used by conversation extraction's reconciliation)."""
    changes = {**changes, "updated_at": utcnow()}
    memories.update_observation(conn, current, changes)
    memory_indexing.reindex_updated(conn, current, current.profile_id, changes)


def delete(db: Database, account: str, store_id: str, profile_id: str, observation_id: str,
           credential_sid: str | None = None, engine: RecallEngine | None = None) -> None:
    """Irreversible: the row, its revisions, its index entry and its vector go together, and
    every other copy with them (services/erasure.py)."""
    check_observation_id(observation_id)
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        if memories.get_observation(conn, profile.id, observation_id, for_update=True) is None:
            raise NotFound(f"Observation {observation_id} was not found")
        erased = erasure.erase_observation(conn, account, store_id, profile.id, observation_id,
                                           credential_sid or account)
    erasure.finish(erased, engine)


def revisions_page(db: Database, account: str, store_id: str, profile_id: str, observation_id: str,
                   cursor: Cursor, size: int) -> tuple[Page, str]:
    check_observation_id(observation_id)
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = follow_profile(conn, store_id, profile_id)
        if memories.get_observation(conn, profile.id, observation_id) is None:
            raise NotFound(f"Observation {observation_id} was not found")
        return memories.revision_page(conn, observation_id, cursor, size), profile.id

