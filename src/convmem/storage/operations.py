"""Operations: the pollable record of every control-plane write (Memory's ``mem_operation_``
ids; the Conversations v2 ones, ``proc_job_`` ids of ``conv.*`` kinds, share the table)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.tables import operations


def record_completed(conn: Connection, account_sid: str, kind: str, *, result_id: str | None,
                     result_path: str | None, prefix: str = ids.OPERATION) -> str:
    """Write a COMPLETED operation in the caller's transaction, so the change and its operation
    commit (or vanish) together."""
    op_id = ids.new_id(prefix)
    now = utcnow()
    conn.execute(insert(operations).values(
        id=op_id, account_sid=account_sid, kind=kind, status="COMPLETED", created_at=now,
        completed_at=now, result_id=result_id, result_path=result_path, error=None))
    return op_id


def get(conn: Connection, account_sid: str, op_id: str, *, retained_since: datetime | None = None,
        kind_prefix: str | None = None) -> Row[Any] | None:
    """The account's operation; None when it finished before ``retained_since`` or its kind
    does not start with ``kind_prefix``."""
    stmt = select(operations).where(operations.c.id == op_id, operations.c.account_sid == account_sid)
    if kind_prefix is not None:
        stmt = stmt.where(operations.c.kind.like(f"{kind_prefix}%"))
    row = conn.execute(stmt).first()
    if row is None or (retained_since is not None and row.completed_at is not None
                       and row.completed_at < retained_since):
        return None
    return row


def purge_older_than(conn: Connection, days: int) -> int:
    cutoff = utcnow() - timedelta(days=days)
    return conn.execute(delete(operations).where(operations.c.completed_at < cutoff)).rowcount
