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
from convmem.extract.base import Communication, Participant, ParticipantType, Transcript
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
class ExtractionInput:
    """Everything an extraction job needs about one conversation, in the extractor's own types.

    ``transcript`` is the whole conversation (context); ``new_ids`` are the communications above
    the watermark (the only ones candidates may come from); ``customers`` are the resolved
    CUSTOMER participants (one ExtractionRequest each); ``watermark`` is the value to store once
    the results are written (``advance_watermark``)."""

    conversation: Row[Any]
    transcript: Transcript
    customers: list[Participant]
    new_ids: frozenset[str]
    watermark: int


def _participants(conn: Connection, conversation_id: str) -> dict[str, Participant]:
    rows = repo.participants_of(conn, conversation_id)
    links = repo.profile_links(conn, [r.id for r in rows])
    return {r.id: Participant(r.id, r.name, ParticipantType(r.type), links.get(r.id)) for r in rows}


def extraction_input(conn: Connection, conversation_id: str) -> ExtractionInput | None:
    """The conversation (locked, so concurrent jobs on one conversation queue up) and its
    transcript; None when the conversation was deleted (nothing is extracted then)."""
    row = repo.get_conversation_any_account(conn, conversation_id, for_update=True)
    if row is None:
        return None
    people = _participants(conn, conversation_id)
    rows = repo.communications_after(conn, conversation_id, 0)
    communications = [Communication(r.id, people.get(r.author_participant_id or "", Participant(
        r.author_participant_id or "unknown")), r.text, r.occurred_at) for r in rows]
    new = [r for r in rows if r.seq > row.extraction_watermark]
    customers = [p for p in people.values() if p.type == ParticipantType.CUSTOMER and p.profile_id]
    return ExtractionInput(row, Transcript.of(conversation_id, communications), customers,
                           frozenset(r.id for r in new), max([row.extraction_watermark, *(r.seq for r in new)]))


def recent_customer_first_texts(conn: Connection, account_sid: str, store_id: str, conversation_id: str,
                                limit: int = 10) -> list[str]:
    """Recall query inference: the texts of the last ``limit`` communications, customer turns
    first, newest first."""
    if _conversation_in_store(conn, account_sid, store_id, conversation_id) is None:
        return []
    people = _participants(conn, conversation_id)
    rows = list(reversed(repo.recent_communications(conn, conversation_id, limit)))

    def is_customer(r: Row[Any]) -> bool:
        who = people.get(r.author_participant_id or "")
        return who is not None and who.type == ParticipantType.CUSTOMER

    return [r.text for r in rows if is_customer(r)] + [r.text for r in rows if not is_customer(r)]


def recent_turns(conn: Connection, account_sid: str, store_id: str, conversation_id: str,
                 limit: int = 10) -> list[tuple[str, bool]]:
    """The last ``limit`` communications as (text, said by a CUSTOMER), newest first."""
    if _conversation_in_store(conn, account_sid, store_id, conversation_id) is None:
        return []
    people = _participants(conn, conversation_id)
    rows = reversed(repo.recent_communications(conn, conversation_id, limit))
    return [(r.text, getattr(people.get(r.author_participant_id or ""), "type", None) == ParticipantType.CUSTOMER)
            for r in rows]


def advance_watermark(conn: Connection, conversation_id: str, watermark: int) -> None:
    """Mark everything up to ``watermark`` processed, in the transaction that wrote the results."""
    repo.update_conversation(conn, conversation_id, {"extraction_watermark": watermark})
