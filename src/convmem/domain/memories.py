"""Observations and conversation summaries: their wire form and the rules their writes follow."""

from __future__ import annotations

import re
from typing import Any

from convmem.domain.timefmt import format_ts

# The spec's pattern plus '/', which the official client's documentation allows (contract §8.11).
SOURCE_PATTERN = r"^[a-zA-Z0-9 _./-]+$"
SOURCE_RE = re.compile(SOURCE_PATTERN)
CONVERSATION_PATTERN = r"^conv_conversation_[0-7][0-9a-z]{25}$"
MAX_BATCH = 10
MAX_CONTENT = 4096
MAX_CONVERSATIONS = 10


def observation_wire(row: Any, item_id: str | None = None) -> dict[str, Any]:
    return {"id": item_id or row.id, "content": row.content, "occurredAt": format_ts(row.occurred_at),
            "source": row.source, "conversationIds": list(row.conversation_ids or []),
            "createdAt": format_ts(row.created_at), "updatedAt": format_ts(row.updated_at)}


def revision_wire(row: Any) -> dict[str, Any]:
    """A revision: the observation's full state at one change, under the observation's id."""
    return observation_wire(row, row.observation_id)


def summary_wire(row: Any) -> dict[str, Any]:
    body = {"id": row.id, "content": row.content, "occurredAt": format_ts(row.occurred_at),
            "conversationId": row.conversation_id, "createdAt": format_ts(row.created_at),
            "updatedAt": format_ts(row.updated_at)}
    if row.source is not None:
        body["source"] = row.source
    return body
