"""The schema, as SQLAlchemy Core tables. Alembic migrations under ``migrations/`` create it;
``tests/test_migrations.py`` checks that the two agree.

Every row that belongs to a store references it with ``ON DELETE CASCADE``, so deleting a store
is one statement and can never leave orphans behind."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from convmem.storage.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

server_settings = Table(
    "server_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("sid", String(34), primary_key=True),
    # SHA-256 of the auth token: tokens are 128-bit random values, so a fast hash is enough
    # and keeps authentication off the latency budget of every request.
    Column("token_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

stores = Table(
    "stores",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("description", String(128)),
    Column("status", String(16), nullable=False),
    Column("intelligence_service_id", String(64)),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("data_as_of", UtcDateTime),
    UniqueConstraint("account_sid", "display_name", name="uq_stores_account_display_name"),
)

identity_settings = Table(
    "identity_settings",
    metadata,
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True),
    Column("identifier_configs", JSON, nullable=False),
    Column("matching_rules", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

trait_groups = Table(
    "trait_groups",
    metadata,
    # Internal, time-ordered id: it orders the list and is its pagination cursor. The API
    # addresses groups by name.
    Column("id", String(48), primary_key=True),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("description", String(1024)),
    # Ordered map trait name -> definition. Plain JSON (not JSONB) keeps insertion order.
    Column("traits", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("store_id", "name", name="uq_trait_groups_store_name"),
)

data_mappings = Table(
    "data_mappings",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("description", String(512)),
    Column("is_enabled", Boolean, nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("mapping_to", JSON, nullable=False),
    Column("mapping_from", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("store_id", "display_name", name="uq_data_mappings_store_display_name"),
)

# Trait groups referenced by each data mapping, kept in step with ``mapping_to`` so that
# "is this group still referenced?" is an indexed lookup rather than a scan of JSON.
data_mapping_groups = Table(
    "data_mapping_groups",
    metadata,
    Column("mapping_id", String(48), ForeignKey("data_mappings.id", ondelete="CASCADE"),
           primary_key=True),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("group_name", String(64), primary_key=True),
    Index("ix_data_mapping_groups_store_group", "store_id", "group_name"),
)

operations = Table(
    "operations",
    metadata,
    Column("id", String(48), primary_key=True),
    # Operations belong to the account, not the store: the operation of a store deletion has
    # to outlive the store.
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("kind", String(48), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
    Column("result_id", String(128)),
    Column("result_path", String(512)),
    Column("error", JSON),
    Index("ix_operations_completed_at", "completed_at"),
)
