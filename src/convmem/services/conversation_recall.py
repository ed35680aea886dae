"""Recall's conversation mode: with a ``conversationId`` and no ``query``, the query is inferred
from the conversation's last 10 communications, offline and in milliseconds (Twilio runs an LLM
for this, measured at 1.8-10 s).

The inferred query has two halves, one per side of the hybrid search: the text of the recent
customer turns, newest first and cut at 400 characters, for the embedding; and the salient terms
of all of them (stemmed content words, most frequent first, newest first on ties) for the lexical
index, which weights them by rarity itself. Agent turns only count when no customer spoke. The
embedding is the cost: MiniLM on 1024 characters takes ~4x as long as on 400 (about 130 ms
against 30 ms on a busy 2-core machine), and the newest turns carry the intent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from convmem.search import text as search_text
from convmem.services import conversation_memory

RECENT = 10
MAX_QUERY_CHARS = 400
MAX_TERMS = 24


@dataclass(frozen=True)
class InferredQuery:
    text: str
    terms: list[str]


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
    return infer(conversation_memory.recent_turns(conn, account_sid, store_id, conversation_id, RECENT))
