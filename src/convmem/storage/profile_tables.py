"""Profiles and the aliases merges leave behind. Everything a profile owns references
``profiles.id`` with ``ON DELETE CASCADE``, so deleting a profile erases all of it."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

profiles = Table(
    "profiles",
    metadata,
    # Canonical profiles only; a merged-away id lives on in profile_aliases.
    Column("id", String(40), primary_key=True),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_profiles_store_id_id", "store_id", "id"),
)

profile_aliases = Table(
    "profile_aliases",
    metadata,
    Column("alias_id", String(40), primary_key=True),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    # Always the current canonical profile: merges re-point older aliases, so a chain of
    # merges resolves in one hop.
    Column("canonical_id", String(40), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("merged_at", UtcDateTime, nullable=False),
)
