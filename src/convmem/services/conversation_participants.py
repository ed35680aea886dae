"""Participants of a conversation, resolved to Memory profiles when they are customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import conversation_lifecycle as lc
from convmem.domain import ids
from convmem.domain import participant_resolution as pr
from convmem.domain.errors import Conflict, InvalidRequest, NotFound
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.services.conversation_lifecycle import Clock, activity_of, encode_activity, schedule
from convmem.services.participant_profiles import resolve_participant, usable_store
from convmem.storage import conversations as repo
from convmem.storage.db import Database


@dataclass(frozen=True)
class ParticipantView:
    row: Row[Any]
    profile_id: str | None


class AddressTaken(Conflict):
    def __init__(self, message: str, holder_id: str) -> None:
        super().__init__(message)
        self.holder_id = holder_id


def require_conversation(conn: Connection, account_sid: str, conversation_id: str, *,
                         for_update: bool = False) -> Row[Any]:
    row = repo.get_conversation(conn, account_sid, conversation_id, for_update=for_update) \
        if len(conversation_id) <= 64 else None
    if row is None:
        raise NotFound(f"Conversation {conversation_id[:80]} was not found")
    return row


def _address_key(address: dict[str, Any]) -> tuple[str, str]:
    return str(address["channel"]), str(address["address"]).strip().lower()


def holder_of(participants: list[Row[Any]], channel: str, address: str) -> Row[Any] | None:
    key = (channel, address.strip().lower())
    for participant in participants:
        if any(_address_key(a) == key for a in participant.addresses):
            return participant
    return None


def _check_addresses_free(participants: list[Row[Any]], addresses: list[dict[str, Any]], own_id: str | None) -> None:
    for address in addresses:
        holder = holder_of(participants, address["channel"], address["address"])
        if holder is not None and holder.id != own_id:
            raise AddressTaken(f"Address {address['channel']}:{address['address']} already belongs to participant "
                               f"{holder.id} of this conversation", holder.id)


def _track_channels(conn: Connection, conversation: Row[Any], addresses: list[dict[str, Any]], clock: Clock) -> None:
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


def add(conn: Connection, conversation: Row[Any], fields: dict[str, Any], region: str, clock: Clock,
        now: datetime) -> str:
    """Create a participant in a locked conversation (resolution included); its id."""
    lc.check_accepts_traffic(conversation.status)
    addresses = list(fields.get("addresses") or [])
    participants = repo.participants_of(conn, conversation.id)
    _check_addresses_free(participants, addresses, None)
    requested_type = fields.get("type") or pr.UNKNOWN
    profile_id = resolve_participant(conn, conversation.account_sid, conversation.memory_store_id,
                                     pr.plan(requested_type, fields.get("profileId"), addresses), region)
    participant_id = ids.new_id(ids.PARTICIPANT)
    repo.insert_participant(conn, {
        "id": participant_id, "conversation_id": conversation.id, "account_sid": conversation.account_sid,
        "name": fields.get("name"), "type": pr.type_after_resolution(requested_type, profile_id),
        "addresses": addresses, "created_at": now, "updated_at": now})
    if profile_id is not None:
        repo.set_profile_link(conn, participant_id, conversation.id,
                              usable_store(conn, conversation.account_sid, conversation.memory_store_id), profile_id)
    _track_channels(conn, repo.get_conversation_any_account(conn, conversation.id) or conversation, addresses, clock)
    return participant_id


def views(conn: Connection, rows: list[Row[Any]]) -> list[ParticipantView]:
    links = repo.profile_links(conn, [r.id for r in rows])
    return [ParticipantView(r, links.get(r.id)) for r in rows]


def _view(conn: Connection, conversation_id: str, participant_id: str) -> ParticipantView:
    row = repo.get_participant(conn, conversation_id, participant_id) if len(participant_id) <= 64 else None
    if row is None:
        raise NotFound(f"Participant {participant_id[:80]} was not found in conversation {conversation_id}")
    return views(conn, [row])[0]


def create(db: Database, account_sid: str, conversation_id: str, fields: dict[str, Any], region: str,
           clock: Clock) -> ParticipantView:
    if not fields.get("addresses"):
        raise InvalidRequest("'addresses' is required")
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        participant_id = add(conn, conversation, fields, region, clock, utcnow())
        return _view(conn, conversation.id, participant_id)


def fetch(db: Database, account_sid: str, conversation_id: str, participant_id: str) -> ParticipantView:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return _view(conn, conversation_id, participant_id)


def list_page(db: Database, account_sid: str, conversation_id: str, cursor: Cursor, size: int
              ) -> tuple[Page, list[ParticipantView]]:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        page = repo.participant_page(conn, conversation_id, cursor, size)
        return page, views(conn, list(page.items))


def update(db: Database, account_sid: str, conversation_id: str, participant_id: str, fields: dict[str, Any],
           region: str, clock: Clock) -> ParticipantView:
    """PUT: present fields replace, absent ones are kept; resolution runs again when the
    participant became a customer, its addresses changed or a profileId was given."""
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        current = _view(conn, conversation.id, participant_id)
        row = current.row
        addresses = list(fields["addresses"]) if fields.get("addresses") is not None else list(row.addresses)
        new_type = fields.get("type") or row.type
        addresses_changed = fields.get("addresses") is not None and addresses != list(row.addresses)
        if addresses_changed:
            _check_addresses_free(repo.participants_of(conn, conversation.id), addresses, row.id)
        values: dict[str, Any] = {"addresses": addresses, "type": new_type, "updated_at": utcnow()}
        if "name" in fields and fields["name"] is not None:
            values["name"] = fields["name"]
        if pr.needs_re_resolution(row.type, new_type, addresses_changed, fields.get("profileId"),
                                  current.profile_id is not None):
            profile_id = resolve_participant(conn, account_sid, conversation.memory_store_id,
                                             pr.plan(new_type, fields.get("profileId"), addresses), region)
            if profile_id is not None or addresses_changed or new_type not in (pr.CUSTOMER, pr.UNKNOWN):
                repo.set_profile_link(conn, row.id, conversation.id,
                                      usable_store(conn, account_sid, conversation.memory_store_id), profile_id)
            values["type"] = pr.type_after_resolution(new_type, profile_id or current.profile_id)
        elif new_type not in (pr.CUSTOMER, pr.UNKNOWN) and current.profile_id is not None:
            repo.set_profile_link(conn, row.id, conversation.id, None, None)
        repo.update_participant(conn, row.id, values)
        if addresses_changed:
            _track_channels(conn, conversation, addresses, clock)
        return _view(conn, conversation.id, row.id)
