"""Trait groups: the typed trait schemas of a store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.tables import data_mapping_groups, trait_groups


def count(conn: Connection, store_id: str) -> int:
    return conn.execute(select(func.count()).select_from(trait_groups)
                        .where(trait_groups.c.store_id == store_id)).scalar_one()


def insert_group(conn: Connection, store_id: str, name: str, description: str | None,
                 traits: dict[str, Any]) -> None:
    now = utcnow()
    conn.execute(insert(trait_groups).values(
        id=ids.new_id(ids.TRAIT_GROUP), store_id=store_id, name=name, description=description,
        traits=traits, version=1, created_at=now, updated_at=now))


def get(conn: Connection, store_id: str, name: str, *, for_update: bool = False) -> Row[Any] | None:
    stmt = select(trait_groups).where(trait_groups.c.store_id == store_id, trait_groups.c.name == name)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def all_traits(conn: Connection, store_id: str) -> dict[str, dict[str, Any]]:
    """group name -> trait map, for every group of the store."""
    rows = conn.execute(select(trait_groups.c.name, trait_groups.c.traits)
                        .where(trait_groups.c.store_id == store_id)).all()
    return {row.name: row.traits for row in rows}


def update_group(conn: Connection, group_id: str, *, description: str | None, traits: dict[str, Any]) -> None:
    conn.execute(update(trait_groups).where(trait_groups.c.id == group_id).values(
        description=description, traits=traits, version=trait_groups.c.version + 1, updated_at=utcnow()))


def delete_group(conn: Connection, group_id: str) -> None:
    conn.execute(delete(trait_groups).where(trait_groups.c.id == group_id))


def referenced_by_mapping(conn: Connection, store_id: str, name: str) -> bool:
    return conn.execute(select(data_mapping_groups.c.mapping_id).where(
        data_mapping_groups.c.store_id == store_id, data_mapping_groups.c.group_name == name).limit(1)
    ).first() is not None


def list_query(store_id: str) -> Any:
    return select(trait_groups).where(trait_groups.c.store_id == store_id)
