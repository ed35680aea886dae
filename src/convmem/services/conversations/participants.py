"""Participants of a conversation, resolved to Memory profiles when they are customers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.conversations import lifecycle as lc
from convmem.domain.conversations import participants as rules
from convmem.domain.conversations.commands import NewParticipant, ParticipantUpdate
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.conversations.results import Participant
from convmem.domain.errors import InvalidRequest
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.services.common import active_store_id
from convmem.services.conversations.lifecycle import activity_of, encode_activity, schedule
from convmem.services.conversations.profiles import resolve_participant
from convmem.services.conversations.scope import in_conversation, require, require_conversation
from convmem.storage import conversations as repo
from convmem.storage.db import Database


def participant_of(row: Row[Any], profile_id: str | None) -> Participant:
    return Participant(id=row.id, conversation_id=row.conversation_id, account_sid=row.account_sid, name=row.name,
                       type=row.type, profile_id=profile_id, addresses=list(row.addresses),
                       created_at=row.created_at, updated_at=row.updated_at)


def participants_of(conn: Connection, rows: Sequence[Row[Any]]) -> list[Participant]:
    links = repo.profile_links(conn, [r.id for r in rows])
    return [participant_of(r, links.get(r.id)) for r in rows]


def _track_channels(conn: Connection, conversation: Row[Any], addresses: Sequence[Mapping[str, Any]],
                    clock: Clock) -> None:
    """Before the first communication, the timers run on the participants' channels from the
    conversation's creation."""
    if conversation.last_communication_at is not None or not addresses:
        return
    activity = activity_of(conversation)
    activity.update({ch: at for ch, at in lc.initial_activity([a["channel"] for a in addresses],
                                                              conversation.created_at).items() if ch not in activity})
    repo.update_conversation(conn, conversation.id, {"channel_activity": encode_activity(activity),
                                                     "next_due_at": schedule(conversation, conversation.status,
                                                                             activity, clock)})


def add(conn: Connection, conversation: Row[Any], new: NewParticipant, region: str, clock: Clock,
        now: datetime) -> str:
    """Create a participant in a locked conversation (resolution included); its id."""
    lc.check_accepts_traffic(conversation.status)
    addresses = [address.document() for address in new.addresses]
    rules.check_addresses_free(repo.participants_of(conn, conversation.id), addresses, None)
    requested_type = new.type or rules.UNKNOWN
    profile_id = resolve_participant(conn, conversation.account_sid, conversation.memory_store_id,
                                     rules.plan(requested_type, new.profile_id, addresses), region)
    participant_id = ids.new_id(ids.PARTICIPANT)
    repo.insert_participant(conn, {
        "id": participant_id, "conversation_id": conversation.id, "account_sid": conversation.account_sid,
        "name": new.name, "type": rules.type_after_resolution(requested_type, profile_id),
        "addresses": addresses, "created_at": now, "updated_at": now})
    if profile_id is not None:
        repo.set_profile_link(conn, participant_id, conversation.id,
                              active_store_id(conn, conversation.account_sid, conversation.memory_store_id),
                              profile_id)
    _track_channels(conn, repo.get_conversation_any_account(conn, conversation.id) or conversation, addresses, clock)
    return participant_id


def _require(conn: Connection, conversation_id: str, participant_id: str) -> Participant:
    row = require(participant_id, lambda pid: repo.get_participant(conn, conversation_id, pid), "Participant",
                  in_conversation(conversation_id))
    return participants_of(conn, [row])[0]


def create(db: Database, account_sid: str, conversation_id: str, new: NewParticipant, region: str,
           clock: Clock) -> Participant:
    if not new.addresses:
        raise InvalidRequest("'addresses' is required")
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        participant_id = add(conn, conversation, new, region, clock, utcnow())
        return _require(conn, conversation.id, participant_id)


def fetch(db: Database, account_sid: str, conversation_id: str, participant_id: str) -> Participant:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return _require(conn, conversation_id, participant_id)


def list_page(db: Database, account_sid: str, conversation_id: str, cursor: Cursor, size: int) -> Page:
    """A page of ``Participant``s."""
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        page = repo.participant_page(conn, conversation_id, cursor, size)
        return replace(page, items=participants_of(conn, page.items))


def update(db: Database, account_sid: str, conversation_id: str, participant_id: str, changes: ParticipantUpdate,
           region: str, clock: Clock) -> Participant:
    """PUT: the fields given replace, the others are kept; resolution runs again when the
    participant became a customer, its addresses changed or a profileId was given."""
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        current = _require(conn, conversation.id, participant_id)
        given = None if changes.addresses is None else [a.document() for a in changes.addresses]
        addresses = given if given is not None else list(current.addresses)
        new_type = changes.type or current.type
        addresses_changed = given is not None and addresses != list(current.addresses)
        if addresses_changed:
            rules.check_addresses_free(repo.participants_of(conn, conversation.id), addresses, current.id)
        values: dict[str, Any] = {"addresses": addresses, "type": new_type, "updated_at": utcnow()}
        if changes.name is not None:
            values["name"] = changes.name
        if rules.needs_re_resolution(current.type, new_type, addresses_changed, changes.profile_id,
                                     current.profile_id is not None):
            profile_id = resolve_participant(conn, account_sid, conversation.memory_store_id,
                                             rules.plan(new_type, changes.profile_id, addresses), region)
            if profile_id is not None or addresses_changed or new_type not in (rules.CUSTOMER, rules.UNKNOWN):
                repo.set_profile_link(conn, current.id, conversation.id,
                                      active_store_id(conn, account_sid, conversation.memory_store_id), profile_id)
            values["type"] = rules.type_after_resolution(new_type, profile_id or current.profile_id)
        elif new_type not in (rules.CUSTOMER, rules.UNKNOWN) and current.profile_id is not None:
            repo.set_profile_link(conn, current.id, conversation.id, None, None)
        repo.update_participant(conn, current.id, values)
        if addresses_changed:
            _track_channels(conn, conversation, addresses, clock)
        return _require(conn, conversation.id, current.id)
