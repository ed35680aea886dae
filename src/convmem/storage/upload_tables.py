"""Uploaded CSV files of profile imports, kept in the database in chunks so that every server
and worker sharing the database can read an upload, whichever process received it."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, Table

from convmem.storage.tables import metadata

import_upload_chunks = Table(
    "import_upload_chunks",
    metadata,
    Column("import_id", String(40), ForeignKey("profile_imports.id", ondelete="CASCADE"), primary_key=True),
    # The upload attempt (profile_imports.upload_attempt) that wrote the chunk: two PUTs on one
    # URL never mix their chunks, and a superseded attempt's leftovers are told apart.
    Column("attempt", Integer, primary_key=True),
    # 0, 1, 2, ... in file order, committed one by one as the body streams in.
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
