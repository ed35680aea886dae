"""Validation rules of conversations and their communications that are not about the lifecycle
(lifecycle.py) or participants (participants.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from convmem.domain.conversations import lifecycle as lc
from convmem.domain.conversations.commands import ConversationChange
from convmem.domain.errors import InvalidRequest
from convmem.domain.timefmt import parse_ts

MAX_METADATA = 8


def merged_metadata(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON merge patch of the metadata: a key set to None goes."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_METADATA:
        raise InvalidRequest(f"metadata can hold at most {MAX_METADATA} entries")
    return merged


def check_change(status: str, change: ConversationChange) -> bool:
    """Whether ``change`` moves a conversation now in ``status`` to another status. A CLOSED
    conversation takes no other change (and never leaves CLOSED)."""
    changes_status = change.status is not None and lc.check_api_transition(status, change.status)
    if status == lc.CLOSED and change.touches_more_than_status and not changes_status:
        raise InvalidRequest("Conversation is closed: a CLOSED conversation cannot be changed")
    return changes_status


def parse_occurred_at(raw: str | None) -> datetime | None:
    try:
        return parse_ts(raw) if raw else None
    except ValueError:
        raise InvalidRequest("'occurredAt' must be an RFC 3339 date-time with a time zone") from None
