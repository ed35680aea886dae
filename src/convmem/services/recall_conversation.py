"""Recall's conversation mode (contract section 8): the communications of a conversation in
Recall's own communication shape, and the query inferred from its recent turns.

With a ``conversationId`` and no ``query``, the query is inferred from the conversation's last 10
communications, offline and in milliseconds (Twilio runs an LLM for this, measured at 1.8-10 s).
The inferred query has two halves, one per side of the hybrid search: the text of the recent
customer turns, newest first and cut at 400 characters, for the embedding; and the salient terms
of all of them (stemmed content words, most frequent first, newest first on ties) for the lexical
index, which weights them by rarity itself. Agent turns only count when no customer spoke. The
embedding is the cost: MiniLM on 1024 characters takes ~4x as long as on 400 (about 130 ms
against 30 ms on a busy 2-core machine), and the newest turns carry the intent.

Plain functions over a connection, run inside Recall's read transaction. Memory reads the
Conversations tables here (storage/conversations.py) rather than through the Conversations
services, which themselves build on Memory's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain.conversations.participants import CUSTOMER
from convmem.domain.timefmt import format_ts
from convmem.search import text as search_text
from convmem.storage import conversations as repo

RECENT = 10
MAX_QUERY_CHARS = 400
MAX_TERMS = 24
# Memory's enums lack VIDEO and READ.
_CHANNEL = {"VIDEO": "VOICE"}
_DELIVERY = {"READ": "DELIVERED"}


@dataclass(frozen=True)
class Person:
    name: str | None
    type: str
    profile_id: str | None


@dataclass(frozen=True)
class InferredQuery:
    text: str
    terms: list[str]


def _conversation_in_store(conn: Connection, account_sid: str, store_id: str, conversation_id: str) -> Row[Any] | None:
    if len(conversation_id) > 64:
        return None
    row = repo.get_conversation(conn, account_sid, conversation_id)
    if row is None or row.memory_store_id != store_id:
        return None
    return row


def _people(conn: Connection, conversation_id: str) -> dict[str, Person]:
    return {row.id: Person(row.name, row.type, profile_id)
            for row, profile_id in repo.linked_participants(conn, conversation_id)}


def _party(party: dict[str, Any], people: dict[str, Person]) -> dict[str, Any]:
    known = people.get(party.get("participantId") or "")
    body: dict[str, Any] = {"id": party.get("participantId"),
                            "name": ((known.name if known else None) or party["address"])[:256],
                            "type": known.type if known else "UNKNOWN"}
    if known is not None and known.profile_id:
        body["profileId"] = known.profile_id
    body.update(address=party["address"][:254], channel=_CHANNEL.get(party["channel"], party["channel"]))
    return body


def recall_communication(row: Row[Any], people: dict[str, Person]) -> dict[str, Any]:
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
    people = _people(conn, conversation_id)
    return [recall_communication(r, people) for r in repo.recent_communications(conn, conversation_id, limit)]


def recent_turns(conn: Connection, account_sid: str, store_id: str, conversation_id: str,
                 limit: int = RECENT) -> list[tuple[str, bool]]:
    """The last ``limit`` communications as (text, said by a CUSTOMER), newest first."""
    if _conversation_in_store(conn, account_sid, store_id, conversation_id) is None:
        return []
    people = _people(conn, conversation_id)

    def by_customer(r: Row[Any]) -> bool:
        who = people.get(r.author_participant_id or "")
        return who is not None and who.type == CUSTOMER

    return [(r.text, by_customer(r)) for r in reversed(repo.recent_communications(conn, conversation_id, limit))]


def recent_customer_first_texts(conn: Connection, account_sid: str, store_id: str, conversation_id: str,
                                limit: int = RECENT) -> list[str]:
    """The texts of the last ``limit`` communications, customer turns first, newest first."""
    turns = recent_turns(conn, account_sid, store_id, conversation_id, limit)
    return [text for text, by_customer in turns if by_customer] + [text for text, by_customer in turns
                                                                   if not by_customer]


def infer(turns: Sequence[tuple[str, bool]]) -> InferredQuery | None:
    """``turns``: (text, said by a customer), newest first."""
    said = [text for text, by_customer in turns if by_customer and text.strip()]
    said = said or [text for text, _ in turns if text.strip()]
    if not said:
        return None
    text = " ".join(t.strip() for t in said)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    counts = Counter(t for t in search_text.terms(" ".join(said)) if not t.isdigit())
    return InferredQuery(text, [term for term, _ in counts.most_common(MAX_TERMS)])


def inferred_query(conn: Connection, account_sid: str, store_id: str, conversation_id: str) -> InferredQuery | None:
    """None for an unknown conversation, one of another account or store, or one without text."""
    return infer(recent_turns(conn, account_sid, store_id, conversation_id, RECENT))
