"""Reading operations back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Row

from convmem.domain import errors, ids
from convmem.domain.errors import InvalidRequest, NotFound
from convmem.domain.timefmt import utcnow
from convmem.storage import operations as op_repo
from convmem.storage.db import Database


def fetch(db: Database, account_sid: str, operation_id: str, retention_days: int) -> Row[Any]:
    if len(operation_id) > 512 or not ids.is_valid(ids.OPERATION, operation_id):
        raise InvalidRequest(f"Invalid operation identifier {operation_id[:80]!r}",
                             code=errors.INVALID_OPERATION_ID)
    with db.read() as conn:
        row = op_repo.get(conn, account_sid, operation_id,
                          retained_since=utcnow() - timedelta(days=retention_days))
    if row is None:
        raise NotFound(f"Operation {operation_id} was not found (operations are kept {retention_days} days)",
                       code=errors.OPERATION_NOT_FOUND)
    return row
