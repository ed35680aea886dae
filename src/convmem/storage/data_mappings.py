"""Data mappings from external sources onto traits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from convmem.domain.data_mappings import referenced_groups
from convmem.domain.timefmt import utcnow
from convmem.storage.tables import data_mapping_groups, data_mappings


def _set_groups(conn: Connection, mapping_id: str, store_id: str, mapping_to: dict[str, Any]) -> None:
    conn.execute(delete(data_mapping_groups).where(data_mapping_groups.c.mapping_id == mapping_id))
    conn.execute(insert(data_mapping_groups), [
        {"mapping_id": mapping_id, "store_id": store_id, "group_name": g}
        for g in sorted(referenced_groups(mapping_to))
    ])


def name_taken(conn: Connection, store_id: str, name: str, *, except_id: str | None = None) -> bool:
    stmt = select(data_mappings.c.id).where(data_mappings.c.store_id == store_id,
                                            data_mappings.c.display_name == name)
    if except_id:
        stmt = stmt.where(data_mappings.c.id != except_id)
    return conn.execute(stmt).first() is not None


def insert_mapping(conn: Connection, *, mapping_id: str, store_id: str, display_name: str,
                   description: str | None, is_enabled: bool, mapping_to: dict[str, Any],
                   mapping_from: dict[str, Any]) -> None:
    now = utcnow()
    conn.execute(insert(data_mappings).values(
        id=mapping_id, store_id=store_id, display_name=display_name, description=description,
        is_enabled=is_enabled, source_type=mapping_from["type"], mapping_to=mapping_to,
        mapping_from=mapping_from, version=1, created_at=now, updated_at=now))
    _set_groups(conn, mapping_id, store_id, mapping_to)


def get(conn: Connection, store_id: str, mapping_id: str, *, for_update: bool = False) -> Row[Any] | None:
    stmt = select(data_mappings).where(data_mappings.c.store_id == store_id, data_mappings.c.id == mapping_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def update_mapping(conn: Connection, row: Row[Any], values: dict[str, Any]) -> None:
    conn.execute(update(data_mappings).where(data_mappings.c.id == row.id).values(
        **values, version=data_mappings.c.version + 1, updated_at=utcnow()))
    if "mapping_to" in values:
        _set_groups(conn, row.id, row.store_id, values["mapping_to"])


def delete_mapping(conn: Connection, mapping_id: str) -> None:
    conn.execute(delete(data_mappings).where(data_mappings.c.id == mapping_id))


def list_query(store_id: str, source_type: str | None) -> Any:
    stmt = select(data_mappings).where(data_mappings.c.store_id == store_id)
    if source_type:
        stmt = stmt.where(data_mappings.c.source_type == source_type)
    return stmt
