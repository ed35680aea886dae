"""Observations (with their revisions), conversation summaries, and the search index over both.

Every table here carries ``profile_id`` → ``profiles.id`` ON DELETE CASCADE: deleting a profile
erases its memories, and a merge re-points them by updating that one column.

``memory_index.search_text`` is the lexical text Recall's per-profile postings are built from
(search/lexical.py); the database keeps no full-text index of it (dropped by migration 0014)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime


def _profile_fk() -> Column[str]:
    return Column("profile_id", String(40), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False)


observations = Table(
    "observations",
    metadata,
    Column("id", String(48), primary_key=True),
    _profile_fk(),
    Column("content", Text, nullable=False),
    Column("source", String(100), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("conversation_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_observations_profile_id_id", "profile_id", "id"),
)

observation_revisions = Table(
    "observation_revisions",
    metadata,
    # Increases with every snapshot, so it orders revisions by updatedAt and pages them.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("observation_id", String(48), ForeignKey("observations.id", ondelete="CASCADE"), nullable=False),
    _profile_fk(),
    Column("content", Text, nullable=False),
    Column("source", String(100), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("conversation_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_observation_revisions_observation_id_seq", "observation_id", "seq"),
    Index("ix_observation_revisions_profile_id", "profile_id"),
)

summaries = Table(
    "summaries",
    metadata,
    Column("id", String(48), primary_key=True),
    _profile_fk(),
    Column("content", Text, nullable=False),
    Column("source", String(100), nullable=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("conversation_id", String(48), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_summaries_profile_id_id", "profile_id", "id"),
    Index("ix_summaries_profile_id_conversation_id", "profile_id", "conversation_id"),
)

memory_index = Table(
    "memory_index",
    metadata,
    # Integer key: the per-profile search cache orders and finds its items by it.
    Column("doc_id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(48), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # "observation" | "summary"
    _profile_fk(),
    # Stemmed, stop-word-free tokens of the content and its date: what the lexical index holds.
    Column("search_text", Text, nullable=False),
    # Bumped when the content changes; the embedding is current when embedded_version matches.
    Column("content_version", Integer, nullable=False),
    Column("embedding", LargeBinary, nullable=True),  # float32 little-endian, L2-normalised
    Column("embedded_version", Integer, nullable=True),
    # True until the current content has a vector: what the embedding worker looks for.
    Column("needs_embedding", Boolean, nullable=False),
    # The profile version (memory_index_state) of the write that last changed the row, NULL when
    # unchanged since migration 0010: Recall's caches read the rows changed since their version.
    Column("change_seq", Integer, nullable=True),
    Index("ix_memory_index_profile_id_change_seq", "profile_id", "change_seq"),
    Index("ix_memory_index_needs_embedding", "needs_embedding"),
)

memory_index_state = Table(
    "memory_index_state",
    metadata,
    # Not keyed by profile: a merge re-points rows generically, which would collide on a
    # profile-keyed primary key. A profile's version is the max(version) of its rows (every write
    # sets them all to one more); see storage/memory_index.py for the cache key.
    Column("id", Integer, primary_key=True, autoincrement=True),
    _profile_fk(),
    Column("version", Integer, nullable=False),
    # Items removed from the profile's index (erasure): a change the feed of rows cannot show.
    Column("deletions", Integer, nullable=False, server_default="0"),
    Index("ix_memory_index_state_profile_id", "profile_id"),
)
