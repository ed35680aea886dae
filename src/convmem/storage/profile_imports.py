"""Import tasks (CSV uploads) of a store, and the chunks of their uploaded files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.identity_tables import profile_imports
from convmem.storage.upload_tables import import_upload_chunks as chunks

_FINISHED = ("COMPLETED", "FAILED")


def insert_import(conn: Connection, store_id: str, filename: str, file_size: int,
                  mappings: list[dict[str, str]], upload_expires_at: datetime) -> Row[Any]:
    now = utcnow()
    import_id = ids.new_id(ids.IMPORT)
    conn.execute(insert(profile_imports).values(
        id=import_id, store_id=store_id, status="PENDING", filename=filename, file_size=file_size,
        column_mappings=mappings, upload_state="WAITING", upload_attempt=0, upload_expires_at=upload_expires_at,
        rows_done=0, errors=0, warnings=0, details=[], failure=None, created_at=now, updated_at=now))
    return get(conn, store_id, import_id)  # type: ignore[return-value]


def get(conn: Connection, store_id: str | None, import_id: str) -> Row[Any] | None:
    stmt = select(profile_imports).where(profile_imports.c.id == import_id)
    if store_id is not None:
        stmt = stmt.where(profile_imports.c.store_id == store_id)
    return conn.execute(stmt).first()


def _current(import_id: str, attempt: int) -> Any:
    """The import is still waiting for this attempt's upload to finish."""
    return ((profile_imports.c.id == import_id) & (profile_imports.c.upload_attempt == attempt)
            & (profile_imports.c.upload_state == "UPLOADING") & (profile_imports.c.status == "PENDING"))


def start_attempt(conn: Connection, import_id: str) -> int | None:
    """Open a new upload attempt (WAITING or UPLOADING -> UPLOADING, attempt + 1) and return its
    number; None once a complete upload was accepted or the import is finished. An UPLOADING
    import is taken over: its attempt was interrupted (the process died) or is being replaced
    by this later PUT, which wins. On PostgreSQL the UPDATE's row lock waits for a chunk write
    of the older attempt in flight, so that write commits before this one or sees the new number."""
    changed = conn.execute(update(profile_imports).where(
        profile_imports.c.id == import_id, profile_imports.c.status == "PENDING",
        profile_imports.c.upload_state.in_(("WAITING", "UPLOADING")))
        .values(upload_state="UPLOADING", upload_attempt=profile_imports.c.upload_attempt + 1,
                updated_at=utcnow())).rowcount
    if changed != 1:
        return None
    return int(conn.execute(select(profile_imports.c.upload_attempt)
                            .where(profile_imports.c.id == import_id)).scalar_one())


def touch_attempt(conn: Connection, import_id: str, attempt: int) -> bool:
    """Check that ``attempt`` is still the current upload and record progress (``updated_at``,
    which housekeeping reads to tell a slow upload from an abandoned one). The UPDATE also locks
    the row on PostgreSQL until the caller's transaction ends, so a newer attempt cannot start
    between this check and the caller's chunk insert."""
    return conn.execute(update(profile_imports).where(_current(import_id, attempt))
                        .values(updated_at=utcnow())).rowcount == 1


def end_attempt(conn: Connection, import_id: str, attempt: int, state: str) -> bool:
    """UPLOADING -> ``state`` (WAITING: given up, retryable; UPLOADED: complete, URL spent), only
    if ``attempt`` is still the current one."""
    return conn.execute(update(profile_imports).where(_current(import_id, attempt))
                        .values(upload_state=state, updated_at=utcnow())).rowcount == 1


def add_chunk(conn: Connection, import_id: str, attempt: int, seq: int, data: bytes) -> None:
    conn.execute(insert(chunks).values(import_id=import_id, attempt=attempt, seq=seq, data=data))


def read_chunk(conn: Connection, import_id: str, attempt: int, seq: int) -> bytes | None:
    data = conn.execute(select(chunks.c.data).where(chunks.c.import_id == import_id, chunks.c.attempt == attempt,
                                                    chunks.c.seq == seq)).scalar()
    return None if data is None else bytes(data)


def has_chunks(conn: Connection, import_id: str) -> bool:
    return conn.execute(select(chunks.c.seq).where(chunks.c.import_id == import_id).limit(1)).first() is not None


def delete_chunks(conn: Connection, import_id: str, *, attempt: int | None = None,
                  before_attempt: int | None = None) -> int:
    """All chunks of the import, or those of one attempt, or those of attempts before one."""
    stmt = delete(chunks).where(chunks.c.import_id == import_id)
    if attempt is not None:
        stmt = stmt.where(chunks.c.attempt == attempt)
    if before_attempt is not None:
        stmt = stmt.where(chunks.c.attempt < before_attempt)
    return int(conn.execute(stmt).rowcount)


def uploads_not_complete(conn: Connection) -> list[Row[Any]]:
    """Imports still waiting for a complete upload (housekeeping decides which have expired)."""
    return list(conn.execute(select(profile_imports.c.id, profile_imports.c.created_at,
                                    profile_imports.c.upload_expires_at).where(
        profile_imports.c.status == "PENDING", profile_imports.c.upload_state.in_(("WAITING", "UPLOADING")))))


def expire_upload(conn: Connection, import_id: str, failure: str, idle_before: datetime) -> bool:
    """PENDING -> FAILED for an import whose upload never completed: none is in progress
    (WAITING), or the one in progress made no progress since ``idle_before``. On PostgreSQL the
    UPDATE waits for a chunk write in flight and re-checks the row that write committed."""
    abandoned = or_(profile_imports.c.upload_state == "WAITING",
                    (profile_imports.c.upload_state == "UPLOADING") & (profile_imports.c.updated_at < idle_before))
    return conn.execute(update(profile_imports).where(
        profile_imports.c.id == import_id, profile_imports.c.status == "PENDING", abandoned)
        .values(status="FAILED", upload_state="EXPIRED", failure=failure, updated_at=utcnow())).rowcount == 1


def imports_with_stale_chunks(conn: Connection) -> list[str]:
    """Imports holding chunks nobody will read: the import finished (its job deletes them, but a
    crash between may leave them), or the chunks belong to an attempt that is not the current one."""
    stale = or_(profile_imports.c.status.in_(_FINISHED), chunks.c.attempt != profile_imports.c.upload_attempt)
    return list(conn.execute(select(chunks.c.import_id).distinct()
                             .join(profile_imports, profile_imports.c.id == chunks.c.import_id)
                             .where(stale)).scalars())


def delete_stale_chunks(conn: Connection, import_id: str) -> int:
    """Delete the chunks ``imports_with_stale_chunks`` found for one import, re-checking the
    import in this transaction (it may have started a new attempt meanwhile)."""
    # FOR UPDATE (PostgreSQL; SQLite's write transaction already excludes other writers): no new
    # attempt may start between reading the current number and deleting the others' chunks.
    row = conn.execute(select(profile_imports.c.status, profile_imports.c.upload_attempt)
                       .where(profile_imports.c.id == import_id).with_for_update()).first()
    if row is None:
        return 0
    if row.status in _FINISHED:
        return delete_chunks(conn, import_id)
    return int(conn.execute(delete(chunks).where(chunks.c.import_id == import_id,
                                                 chunks.c.attempt != row.upload_attempt)).rowcount)


def save(conn: Connection, import_id: str, **values: Any) -> None:
    conn.execute(update(profile_imports).where(profile_imports.c.id == import_id)
                 .values(**values, updated_at=utcnow()))


def list_query(store_id: str) -> Any:
    return select(profile_imports.c.id).where(profile_imports.c.store_id == store_id)
