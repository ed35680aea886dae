"""What the extraction job reads from a conversation (the transcript in the extractor's own
types, and which communications are new) and the watermark it advances.

Plain functions over a connection, so the extraction job can call them inside its own
transactions. (Recall's reads of conversations are in services/recall_conversation.py.)"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from convmem.extract.base import Communication, Participant, ParticipantType, Transcript
from convmem.storage import conversations as repo


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
    return {row.id: Participant(row.id, row.name, ParticipantType(row.type), profile_id)
            for row, profile_id in repo.linked_participants(conn, conversation_id)}


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


def advance_watermark(conn: Connection, conversation_id: str, watermark: int,
                      withheld: Collection[str] = (), screened: Collection[str] = ()) -> None:
    """Mark everything up to ``watermark`` processed, in the transaction that wrote the results,
    adding to the conversation's record the communications the injection guard withheld and
    those with a sentence the special-category screen dropped."""
    changes: dict[str, Any] = {"extraction_watermark": watermark}
    if withheld or screened:
        current = repo.get_conversation_any_account(conn, conversation_id)
        for column, ids in (("memory_withheld", withheld), ("memory_screened", screened)):
            if ids:
                known = list((getattr(current, column) or []) if current is not None else [])
                changes[column] = known + sorted(set(ids) - set(known))
    repo.update_conversation(conn, conversation_id, changes)
