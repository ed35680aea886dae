"""Profile rows and aliases (the parts every profile-scoped resource needs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from convmem.storage.profile_tables import profile_aliases, profiles


def get(conn: Connection, store_id: str, profile_id: str, *, for_update: bool = False) -> Row[Any] | None:
    stmt = select(profiles).where(profiles.c.id == profile_id, profiles.c.store_id == store_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def canonical_of_alias(conn: Connection, store_id: str, alias_id: str) -> str | None:
    return conn.execute(select(profile_aliases.c.canonical_id).where(
        profile_aliases.c.alias_id == alias_id, profile_aliases.c.store_id == store_id)).scalar()
