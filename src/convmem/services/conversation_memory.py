"""What Memory reads from conversations (contract section 8): the communications of a
conversation in Recall's own communication shape, the recent turns a query is inferred from,
and the transcript an extraction job processes.

Plain functions over a connection, so Recall and the extraction job can call them inside
their own transactions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain.timefmt import format_ts
from convmem.storage import conversations as repo

# Memory's enums lack VIDEO and READ.
_CHANNEL = {"VIDEO": "VOICE"}
_DELIVERY = {"READ": "DELIVERED"}


def _conversation_in_store(conn: Connection, account_sid: str, store_id: str, conversation_id: str) -> Row[Any] | None:
    if len(conversation_id) > 64:
        return None
    row = repo.get_conversation(conn, account_sid, conversation_id)
    if row is None or row.memory_store_id != store_id:
        return None
    return row


def _participant_index(conn: Connection, conversation_id: str) -> dict[str, dict[str, Any]]:
    rows = repo.participants_of(conn, conversation_id)
    links = repo.profile_links(conn, [r.id for r in rows])
    return {r.id: {"name": r.name, "type": r.type, "profileId": links.get(r.id)} for r in rows}


def _party(party: dict[str, Any], people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    known = people.get(party.get("participantId") or "", {})
    body: dict[str, Any] = {"id": party.get("participantId"), "name": (known.get("name") or party["address"])[:256],
                            "type": known.get("type", "UNKNOWN")}
    if known.get("profileId"):
        body["profileId"] = known["profileId"]
    body.update(address=party["address"][:254], channel=_CHANNEL.get(party["channel"], party["channel"]))
    return body


def recall_communication(row: Row[Any], people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    recipients = []
    for recipient in row.recipients:
        mapped = _party(recipient, people)
        if recipient.get("deliveryStatus"):
            mapped["deliveryStatus"] = _DELIVERY.get(recipient["deliveryStatus"], recipient["deliveryStatus"])
        recipients.append(mapped)
    body: dict[str, Any] = {"id": row.id, "author": _party(row.author, people), "content": {"text": row.text},
                            "recipients": recipients, "createdAt": format_ts(row.created_at),
                            "updatedAt": format_ts(row.updated_at)}
    channel_id = row.channel_id or row.resource_id
    if channel_id:
        body["channelId"] = channel_id[:256]
    return body


def recall_communications(conn: Connection, account_sid: str, store_id: str, conversation_id: str,
                          limit: int) -> list[dict[str, Any]]:
    """Recall's ``communications``: the ``limit`` newest, oldest first; ``[]`` for an unknown
    conversation or one of another account or store."""
    if limit <= 0 or _conversation_in_store(conn, account_sid, store_id, conversation_id) is None:
        return []
    people = _participant_index(conn, conversation_id)
    return [recall_communication(r, people) for r in repo.recent_communications(conn, conversation_id, limit)]


@dataclass(frozen=True)
class Turn:
    """One communication as extraction and query inference see it."""

    communication_id: str
    seq: int
    author_type: str
    author_name: str | None
    author_profile_id: str | None
    text: str
    occurred_at: Any


def _turns(conn: Connection, conversation_id: str, rows: list[Row[Any]]) -> list[Turn]:
    people = _participant_index(conn, conversation_id)
    turns = []
    for row in rows:
        who = people.get(row.author_participant_id or "", {})
        turns.append(Turn(row.id, row.seq, who.get("type", "UNKNOWN"), who.get("name"), who.get("profileId"),
                          row.text, row.occurred_at))
    return turns


def recent_turns(conn: Connection, account_sid: str, store_id: str, conversation_id: str,
                 limit: int = 10) -> list[Turn]:
    """The last ``limit`` communications (oldest first), for inferring a Recall query."""
    if _conversation_in_store(conn, account_sid, store_id, conversation_id) is None:
        return []
    return _turns(conn, conversation_id, repo.recent_communications(conn, conversation_id, limit))


def unprocessed_turns(conn: Connection, conversation_id: str) -> tuple[Row[Any] | None, list[Turn]]:
    """For the extraction job: the conversation (locked) and its communications above the
    watermark, in transcript order. ``None`` when the conversation was deleted."""
    row = repo.get_conversation_any_account(conn, conversation_id, for_update=True)
    if row is None:
        return None, []
    return row, _turns(conn, conversation_id, repo.communications_after(conn, conversation_id,
                                                                        row.extraction_watermark))


def advance_watermark(conn: Connection, conversation_id: str, turns: list[Turn]) -> None:
    """Mark ``turns`` processed (in the transaction that wrote what was extracted from them)."""
    if turns:
        repo.update_conversation(conn, conversation_id, {"extraction_watermark": max(t.seq for t in turns)})


def extraction_targets(conn: Connection, conversation_id: str) -> list[str]:
    """The canonical profiles of the conversation's resolved CUSTOMER participants."""
    rows = repo.participants_of(conn, conversation_id)
    links = repo.profile_links(conn, [r.id for r in rows if r.type == "CUSTOMER"])
    return sorted(set(links.values()))
