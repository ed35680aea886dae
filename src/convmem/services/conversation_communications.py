"""Communications: the transcript of a conversation. A new one links its addresses to
participants (creating UNKNOWN ones for strangers), reactivates an INACTIVE conversation and
restarts the timers; one with a known ``resourceId`` updates the earlier one in place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import conversation_lifecycle as lc
from convmem.domain import ids
from convmem.domain.errors import InvalidRequest, NotFound
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import parse_ts
from convmem.services import conversation_participants as participants
from convmem.services.conversation_lifecycle import (
    Clock,
    activity_of,
    advance_due,
    apply_transition,
    encode_activity,
    schedule,
)
from convmem.services.conversation_participants import require_conversation
from convmem.storage import conversations as repo
from convmem.storage.db import Database


def _link(conn: Connection, conversation: Row[Any], party: dict[str, Any], region: str, clock: Clock,
          now: datetime) -> dict[str, Any]:
    """The address with ``participantId`` filled in: given (must belong here), matched by
    channel and address, or a new UNKNOWN participant."""
    linked = {"address": party["address"], "channel": party["channel"]}
    given = party.get("participantId")
    if given:
        if repo.get_participant(conn, conversation.id, given) is None:
            raise InvalidRequest(f"Participant {given[:80]} does not belong to conversation {conversation.id}")
        linked["participantId"] = given
        return linked
    holder = participants.holder_of(repo.participants_of(conn, conversation.id), party["channel"], party["address"])
    if holder is None:
        linked["participantId"] = participants.add(
            conn, conversation, {"type": "UNKNOWN", "addresses": [{"channel": party["channel"],
                                                                     "address": party["address"]}]},
            region, clock, now)
    else:
        linked["participantId"] = holder.id
    return linked


def create(db: Database, account_sid: str, conversation_id: str, fields: dict[str, Any], region: str,
           clock: Clock) -> Row[Any]:
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        return add(conn, conversation, fields, region, clock)


def add(conn: Connection, conversation: Row[Any], fields: dict[str, Any], region: str, clock: Clock) -> Row[Any]:
    """Record a communication in a locked conversation (the Communications API and actions)."""
    occurred_raw = fields.get("occurredAt")
    try:
        occurred_at = parse_ts(occurred_raw) if occurred_raw else None
    except ValueError:
        raise InvalidRequest("'occurredAt' must be an RFC 3339 date-time with a time zone") from None
    content = {k: v for k, v in fields["content"].items() if v is not None}
    account_sid, conversation_id = conversation.account_sid, conversation.id
    now = clock.now()
    status = advance_due(conn, conversation, clock, now)
    lc.check_accepts_traffic(status)
    conversation = require_conversation(conn, account_sid, conversation_id)
    occurred = occurred_at or now
    author = _link(conn, conversation, fields["author"], region, clock, now)
    recipients = [_link(conn, conversation, r, region, clock, now) for r in fields["recipients"]]
    values: dict[str, Any] = {
        "author": author, "author_participant_id": author["participantId"], "channel": author["channel"],
        "content": content, "text": content.get("text", ""), "recipients": recipients,
        "channel_id": fields.get("channelId"), "occurred_at": occurred, "updated_at": now}
    resource_id = fields.get("resourceId")
    existing = repo.communication_by_resource(conn, conversation.id, resource_id) if resource_id else None
    if existing is not None:
        # Same external resource: updated in place, and not counted as new traffic.
        if values["channel_id"] is None:
            values.pop("channel_id")
        repo.update_communication(conn, existing.id, values)
        return _require(conn, conversation.id, existing.id)
    conversation = require_conversation(conn, account_sid, conversation_id)
    seq = conversation.communication_seq + 1
    communication_id = ids.new_id(ids.COMMUNICATION)
    repo.insert_communication(conn, {**values, "id": communication_id, "conversation_id": conversation.id,
                                     "account_sid": account_sid, "seq": seq, "resource_id": resource_id,
                                     "created_at": now})
    _record_traffic(conn, conversation, author["channel"], occurred, seq, clock, now)
    return _require(conn, conversation.id, communication_id)


def _record_traffic(conn: Connection, conversation: Row[Any], channel: str, occurred: datetime, seq: int,
                    clock: Clock, now: datetime) -> None:
    # The first communication replaces the participants' provisional channels.
    base = activity_of(conversation) if conversation.last_communication_at is not None else {}
    activity = lc.activity_with(base, channel, occurred)
    last = max(filter(None, [conversation.last_communication_at, occurred]))
    values = {"communication_seq": seq, "last_communication_at": last, "channel_activity": encode_activity(activity),
              "updated_at": now}
    repo.update_conversation(conn, conversation.id, values)
    refreshed = repo.get_conversation_any_account(conn, conversation.id)
    assert refreshed is not None
    if lc.reactivates(refreshed.status):
        apply_transition(conn, refreshed, lc.ACTIVE, "traffic", now, clock)
    else:
        repo.update_conversation(conn, conversation.id,
                                 {"next_due_at": schedule(refreshed, refreshed.status, activity, clock)})


def _require(conn: Connection, conversation_id: str, communication_id: str) -> Row[Any]:
    row = repo.get_communication(conn, conversation_id, communication_id) if len(communication_id) <= 64 else None
    if row is None:
        raise NotFound(f"Communication {communication_id[:80]} was not found in conversation {conversation_id}")
    return row


def fetch(db: Database, account_sid: str, conversation_id: str, communication_id: str) -> Row[Any]:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return _require(conn, conversation_id, communication_id)


def list_page(db: Database, account_sid: str, conversation_id: str, cursor: Cursor, size: int) -> Page:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return repo.communication_page(conn, conversation_id, cursor, size)
