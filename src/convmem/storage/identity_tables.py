"""Traits, identifiers and CSV imports of profiles.

``profile_traits`` and ``profile_identifiers`` reference ``profiles.id`` with ON DELETE CASCADE
like everything else a profile owns. Identifier uniqueness (``enforceUnique``) is a database
constraint, not a check-then-insert: ``unique_value`` carries the normalized value only for
types that enforce uniqueness (NULL otherwise, and NULLs never collide), so two concurrent
writers cannot both attach one value to different profiles."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
_SEQ = BigInteger().with_variant(Integer(), "sqlite")

profile_traits = Table(
    "profile_traits",
    metadata,
    Column("profile_id", String(40), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("group_name", String(64), nullable=False),
    Column("trait_name", String(64), nullable=False),
    Column("value", JSON, nullable=False),
    # The trait's last write time: it orders /Traits and decides merges (newest wins).
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("profile_id", "group_name", "trait_name", name="pk_profile_traits"),
    Index("ix_profile_traits_store_group", "store_id", "group_name"),
)

profile_identifiers = Table(
    "profile_identifiers",
    metadata,
    # Insertion order: limitPolicy eviction and the chronological order of IdentifierSet.values.
    Column("seq", _SEQ, primary_key=True, autoincrement=True),
    Column("profile_id", String(40), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("id_type", String(30), nullable=False),
    Column("value", String(255), nullable=False),
    Column("unique_value", String(255)),
    Column("added_at", UtcDateTime, nullable=False),
    UniqueConstraint("store_id", "id_type", "unique_value", name="uq_profile_identifiers_unique_value"),
    UniqueConstraint("profile_id", "id_type", "value", name="uq_profile_identifiers_profile_value"),
    Index("ix_profile_identifiers_lookup", "store_id", "id_type", "value"),
)

profile_imports = Table(
    "profile_imports",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("column_mappings", JSON, nullable=False),
    # WAITING (no upload in progress) -> UPLOADING -> UPLOADED. An interrupted or refused upload
    # returns to (or stays) retryable until the URL expires; a complete one spends the URL.
    Column("upload_state", String(16), nullable=False),
    # Bumped by every PUT on the upload URL: its chunks carry the number, and only the attempt
    # that is still current when it finishes may mark the upload complete (the later PUT wins).
    Column("upload_attempt", Integer, nullable=False, server_default="0"),
    # When the signed upload URL expires (NULL for imports created before this column existed:
    # housekeeping then assumes created_at + the configured TTL).
    Column("upload_expires_at", UtcDateTime),
    # Rows fully processed and committed: a resumed import continues after this watermark.
    Column("rows_done", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("details", JSON, nullable=False),
    Column("failure", String(1024)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_profile_imports_store_id_id", "store_id", "id"),
)
