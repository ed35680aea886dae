"""Finding the Conversations v2 resource a request names, or answering 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain.errors import NotFound
from convmem.storage import conversations as repo

# Ids are at most 48 characters; longer ones are not looked up (and are cut in messages).
MAX_ID = 64


def require(resource_id: str, lookup: Callable[[str], Row[Any] | None], what: str, where: str = "") -> Row[Any]:
    """``lookup(resource_id)``'s row, or NotFound naming ``what`` (``where``: in which parent)."""
    row = lookup(resource_id) if len(resource_id) <= MAX_ID else None
    if row is None:
        raise NotFound(f"{what} {resource_id[:80]} was not found{where}")
    return row


def in_conversation(conversation_id: str) -> str:
    return f" in conversation {conversation_id}"


def require_conversation(conn: Connection, account_sid: str, conversation_id: str, *,
                         for_update: bool = False) -> Row[Any]:
    return require(conversation_id, lambda cid: repo.get_conversation(conn, account_sid, cid, for_update=for_update),
                   "Conversation")


def require_configuration(conn: Connection, account_sid: str, config_id: str, *,
                          for_update: bool = False) -> Row[Any]:
    return require(config_id, lambda cid: repo.get_configuration(conn, account_sid, cid, for_update=for_update),
                   "Configuration")
