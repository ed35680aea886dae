"""Operations whose work happens in the background (bulk upserts): created PENDING with the
request, moved to RUNNING and then COMPLETED or FAILED by the job that does the work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, update

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.tables import operations


def insert_pending(conn: Connection, account_sid: str, kind: str) -> tuple[str, datetime]:
    op_id = ids.new_id(ids.OPERATION)
    now = utcnow()
    conn.execute(insert(operations).values(
        id=op_id, account_sid=account_sid, kind=kind, status="PENDING", created_at=now, completed_at=None,
        result_id=None, result_path=None, error=None))
    return op_id, now


def mark_running(conn: Connection, op_id: str) -> None:
    conn.execute(update(operations).where(operations.c.id == op_id, operations.c.status == "PENDING")
                 .values(status="RUNNING"))


def complete(conn: Connection, op_id: str, *, result_id: str | None, result_path: str | None,
             error: dict[str, Any] | None = None) -> None:
    conn.execute(update(operations).where(operations.c.id == op_id).values(
        status="FAILED" if error else "COMPLETED", completed_at=utcnow(), result_id=result_id,
        result_path=result_path, error=error))
