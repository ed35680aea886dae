"""Communications: the transcript of a conversation. A new one links its addresses to
participants (creating UNKNOWN ones for strangers), reactivates an INACTIVE conversation and
restarts the timers; one with a known ``resourceId`` updates the earlier one in place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.conversations import lifecycle as lc
from convmem.domain.conversations import participants as participant_rules
from convmem.domain.conversations.commands import Address, NewCommunication, NewParticipant, Party
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.conversations.results import Communication
from convmem.domain.conversations.rules import parse_occurred_at
from convmem.domain.errors import InvalidRequest
from convmem.domain.pagination import Cursor, Page
from convmem.services.conversations import participants
from convmem.services.conversations.lifecycle import (
    activity_of,
    advance_due,
    apply_transition,
    encode_activity,
    schedule,
)
from convmem.services.conversations.scope import in_conversation, require, require_conversation
from convmem.storage import conversations as repo
from convmem.storage.db import Database


def communication_of(row: Row[Any]) -> Communication:
    return Communication(id=row.id, conversation_id=row.conversation_id, account_sid=row.account_sid,
                         author=row.author, content=row.content, channel_id=row.channel_id,
                         resource_id=row.resource_id, recipients=row.recipients, created_at=row.created_at,
                         updated_at=row.updated_at, occurred_at=row.occurred_at)


def _link(conn: Connection, conversation: Row[Any], party: Party, region: str, clock: Clock,
          now: datetime) -> Party:
    """The party with its participant: given (must belong here), matched by channel and
    address, or a new UNKNOWN participant."""
    if party.participant_id:
        if repo.get_participant(conn, conversation.id, party.participant_id) is None:
            raise InvalidRequest(f"Participant {party.participant_id[:80]} does not belong to conversation "
                                 f"{conversation.id}")
        return Party(party.address, party.channel, party.participant_id)
    holder = participant_rules.holder_of(repo.participants_of(conn, conversation.id), party.channel, party.address)
    if holder is not None:
        return Party(party.address, party.channel, holder.id)
    stranger = NewParticipant(addresses=(Address(party.channel, party.address),), type=participant_rules.UNKNOWN)
    return Party(party.address, party.channel, participants.add(conn, conversation, stranger, region, clock, now))


def create(db: Database, account_sid: str, conversation_id: str, new: NewCommunication, region: str,
           clock: Clock) -> Communication:
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        return add(conn, conversation, new, region, clock)


def add(conn: Connection, conversation: Row[Any], new: NewCommunication, region: str, clock: Clock) -> Communication:
    """Record a communication in a locked conversation (the Communications API and actions)."""
    occurred_at = parse_occurred_at(new.occurred_at)
    content = new.content.document()
    account_sid, conversation_id = conversation.account_sid, conversation.id
    now = clock.now()
    status = advance_due(conn, conversation, clock, now)
    lc.check_accepts_traffic(status)
    conversation = require_conversation(conn, account_sid, conversation_id)
    occurred = occurred_at or now
    author = _link(conn, conversation, new.author, region, clock, now)
    recipients = [_link(conn, conversation, r, region, clock, now) for r in new.recipients]
    values: dict[str, Any] = {
        "author": author.document(), "author_participant_id": author.participant_id, "channel": author.channel,
        "content": content, "text": content.get("text", ""), "recipients": [r.document() for r in recipients],
        "channel_id": new.channel_id, "occurred_at": occurred, "updated_at": now}
    existing = repo.communication_by_resource(conn, conversation.id, new.resource_id) if new.resource_id else None
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
                                     "account_sid": account_sid, "seq": seq, "resource_id": new.resource_id,
                                     "created_at": now})
    _record_traffic(conn, conversation, author.channel, occurred, seq, clock, now)
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


def _require(conn: Connection, conversation_id: str, communication_id: str) -> Communication:
    return communication_of(require(communication_id, lambda cid: repo.get_communication(conn, conversation_id, cid),
                                    "Communication", in_conversation(conversation_id)))


def fetch(db: Database, account_sid: str, conversation_id: str, communication_id: str) -> Communication:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return _require(conn, conversation_id, communication_id)


def list_page(db: Database, account_sid: str, conversation_id: str, cursor: Cursor, size: int) -> Page:
    """A page of ``Communication``s, in transcript order (filter: ``channelId``)."""
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return repo.communication_page(conn, conversation_id, cursor, size).mapped(communication_of)
