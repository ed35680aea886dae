"""Conversation actions (SEND_MESSAGE). This server has no carrier behind it, so an action
records the message as a communication at once and completes: agent replies sent this way
still land in the transcript that memory extraction reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.conversations.commands import Content, NewCommunication, Party, SendMessage, SendParty
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.conversations.results import Action
from convmem.domain.errors import InvalidRequest
from convmem.services.conversations import communications
from convmem.services.conversations.scope import in_conversation, require, require_conversation
from convmem.storage import conversations as repo
from convmem.storage.db import Database


def action_of(row: Row[Any]) -> Action:
    return Action(id=row.id, type=row.type, status=row.status, conversation_id=row.conversation_id,
                  communication_id=(row.related or {}).get("communicationId"), created_at=row.created_at,
                  updated_at=row.updated_at, completed_at=row.completed_at, failure_reason=row.failure_reason)


def _party(conn: Connection, conversation_id: str, party: SendParty, role: str) -> Party:
    """A send party as a participant address: participantId + channel, participantId alone
    (exactly one address), or address + channel."""
    if party.participant_id:
        participant = repo.get_participant(conn, conversation_id, party.participant_id)
        if participant is None:
            raise InvalidRequest(f"'{role}' names participant {party.participant_id[:80]}, not in this conversation")
        candidates = [a for a in participant.addresses if party.channel is None or a["channel"] == party.channel]
        if party.address:
            candidates = [a for a in candidates if a["address"] == party.address]
        if len(candidates) != 1:
            raise InvalidRequest(f"'{role}': cannot choose one address of participant {party.participant_id}; "
                                 "give the channel")
        return Party(candidates[0]["address"], candidates[0]["channel"], party.participant_id)
    if party.address and party.channel:
        return Party(party.address, party.channel)
    raise InvalidRequest(f"'{role}' needs a participantId, or an address and a channel")


def create(db: Database, account_sid: str, conversation_id: str, message: SendMessage, region: str,
           clock: Clock) -> Action:
    text = message.text
    if text is None:
        if not message.content_id:
            raise InvalidRequest("payload.content needs a text or a contentId")
        text = f"[template {message.content_id}]"
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        author = _party(conn, conversation.id, message.sender, "from")
        recipients = [_party(conn, conversation.id, party, "to") for party in message.recipients]
        communication = communications.add(conn, conversation, NewCommunication(
            author=author, recipients=recipients, content=Content("TEXT", text)), region, clock)
        now = clock.now()
        action_id = ids.new_id(ids.ACTION)
        repo.insert_action(conn, {"id": action_id, "conversation_id": conversation.id, "account_sid": account_sid,
                                  "type": message.type, "status": "COMPLETED",
                                  "related": {"communicationId": communication.id}, "failure_reason": None,
                                  "created_at": now, "updated_at": now, "completed_at": now})
        return _require(conn, conversation.id, action_id)


def _require(conn: Connection, conversation_id: str, action_id: str) -> Action:
    return action_of(require(action_id, lambda aid: repo.get_action(conn, conversation_id, aid), "Action",
                             in_conversation(conversation_id)))


def fetch(db: Database, account_sid: str, conversation_id: str, action_id: str) -> Action:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return _require(conn, conversation_id, action_id)
