"""Import tasks (CSV uploads) of a store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.identity_tables import profile_imports


def insert_import(conn: Connection, store_id: str, filename: str, file_size: int,
                  mappings: list[dict[str, str]]) -> Row[Any]:
    now = utcnow()
    import_id = ids.new_id(ids.IMPORT)
    conn.execute(insert(profile_imports).values(
        id=import_id, store_id=store_id, status="PENDING", filename=filename, file_size=file_size,
        column_mappings=mappings, upload_state="WAITING", rows_done=0, errors=0, warnings=0, details=[],
        failure=None, created_at=now, updated_at=now))
    return get(conn, store_id, import_id)  # type: ignore[return-value]


def get(conn: Connection, store_id: str | None, import_id: str) -> Row[Any] | None:
    stmt = select(profile_imports).where(profile_imports.c.id == import_id)
    if store_id is not None:
        stmt = stmt.where(profile_imports.c.store_id == store_id)
    return conn.execute(stmt).first()


def claim_upload(conn: Connection, import_id: str) -> bool:
    """WAITING -> UPLOADING; False if the token was already used (or is in use)."""
    return conn.execute(update(profile_imports).where(
        profile_imports.c.id == import_id, profile_imports.c.upload_state == "WAITING")
        .values(upload_state="UPLOADING", updated_at=utcnow())).rowcount == 1


def set_upload_state(conn: Connection, import_id: str, state: str) -> None:
    conn.execute(update(profile_imports).where(profile_imports.c.id == import_id)
                 .values(upload_state=state, updated_at=utcnow()))


def save(conn: Connection, import_id: str, **values: Any) -> None:
    conn.execute(update(profile_imports).where(profile_imports.c.id == import_id)
                 .values(**values, updated_at=utcnow()))


def list_query(store_id: str) -> Any:
    return select(profile_imports.c.id).where(profile_imports.c.store_id == store_id)
