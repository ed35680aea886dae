"""Conversation actions (SEND_MESSAGE). This server has no carrier behind it, so an action
records the message as a communication at once and completes: agent replies sent this way
still land in the transcript that memory extraction reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.errors import InvalidRequest, NotFound
from convmem.services import conversation_communications as communications
from convmem.services.conversation_lifecycle import Clock
from convmem.services.conversation_participants import require_conversation
from convmem.storage import conversations as repo
from convmem.storage.db import Database

ACTION = "conv_action"


def _address(conn: Connection, conversation_id: str, party: dict[str, Any], role: str) -> dict[str, Any]:
    """A send party as a participant address: participantId + channel, participantId alone
    (exactly one address), or address + channel."""
    participant_id, channel = party.get("participantId"), party.get("channel")
    if participant_id:
        participant = repo.get_participant(conn, conversation_id, participant_id)
        if participant is None:
            raise InvalidRequest(f"'{role}' names participant {participant_id[:80]}, not in this conversation")
        candidates = [a for a in participant.addresses if channel is None or a["channel"] == channel]
        if party.get("address"):
            candidates = [a for a in candidates if a["address"] == party["address"]]
        if len(candidates) != 1:
            raise InvalidRequest(f"'{role}': cannot choose one address of participant {participant_id}; "
                                 "give the channel")
        return {"address": candidates[0]["address"], "channel": candidates[0]["channel"],
                "participantId": participant_id}
    if party.get("address") and channel:
        return {"address": party["address"], "channel": channel}
    raise InvalidRequest(f"'{role}' needs a participantId, or an address and a channel")


def create(db: Database, account_sid: str, conversation_id: str, fields: dict[str, Any], region: str,
           clock: Clock) -> Row[Any]:
    payload = fields["payload"]
    content = payload["content"]
    text = content.get("text")
    if text is None:
        if not content.get("contentId"):
            raise InvalidRequest("payload.content needs a text or a contentId")
        text = f"[template {content['contentId']}]"
    with db.write() as conn:
        conversation = require_conversation(conn, account_sid, conversation_id, for_update=True)
        author = _address(conn, conversation.id, payload["from"], "from")
        recipients = [_address(conn, conversation.id, party, "to") for party in payload["to"]]
        communication = communications.add(conn, conversation, {
            "author": author, "recipients": recipients, "content": {"type": "TEXT", "text": text}}, region, clock)
        now = clock.now()
        action_id = ids.new_id(ACTION)
        repo.insert_action(conn, {"id": action_id, "conversation_id": conversation.id, "account_sid": account_sid,
                                  "type": fields["type"], "status": "COMPLETED",
                                  "related": {"communicationId": communication.id}, "failure_reason": None,
                                  "created_at": now, "updated_at": now, "completed_at": now})
        return _require(conn, conversation.id, action_id)


def _require(conn: Connection, conversation_id: str, action_id: str) -> Row[Any]:
    row = repo.get_action(conn, conversation_id, action_id) if len(action_id) <= 64 else None
    if row is None:
        raise NotFound(f"Action {action_id[:80]} was not found in conversation {conversation_id}")
    return row


def fetch(db: Database, account_sid: str, conversation_id: str, action_id: str) -> Row[Any]:
    with db.read() as conn:
        require_conversation(conn, account_sid, conversation_id)
        return _require(conn, conversation_id, action_id)
