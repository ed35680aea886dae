"""The erasure audit trail: which kind of object was erased, when and by which credential.
It holds no personal data: no ids of the erased objects, no text, no identifiers."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

erasure_audit = Table(
    "erasure_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_sid", String(40), nullable=False),
    Column("store_id", String(40)),
    # profile | observation | summary | conversation | store
    Column("object_kind", String(32), nullable=False),
    # What went with it (e.g. {"observations": 12, "communications": 3}), counts only.
    Column("erased_counts", String(1024), nullable=False),
    # The Account SID or API key SID whose request erased it.
    Column("credential_sid", String(40), nullable=False),
    Column("erased_at", UtcDateTime, nullable=False),
    Index("ix_erasure_audit_account_sid_erased_at", "account_sid", "erased_at"),
)
