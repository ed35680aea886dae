"""Reading Conversations v2 operations back (configuration writes and conversation deletions;
each one is recorded COMPLETED with its write)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from convmem.domain.conversations.results import Operation, OperationResource
from convmem.services.conversations import configurations, conversations
from convmem.services.conversations.scope import require
from convmem.storage import operations as op_repo
from convmem.storage.db import Database

KIND_PREFIX = "conv."
RESOURCES: dict[str, OperationResource] = {configurations.OPERATION_KIND: "configuration",
                                           conversations.OPERATION_KIND: "conversation"}


def operation_of(row: Row[Any]) -> Operation:
    return Operation(id=row.id, status=row.status, created_at=row.created_at, completed_at=row.completed_at,
                     error=row.error, resource=RESOURCES.get(row.kind), result_id=row.result_id)


def fetch(db: Database, account_sid: str, operation_id: str) -> Operation:
    with db.read() as conn:
        return operation_of(require(operation_id, lambda op_id: op_repo.get(conn, account_sid, op_id,
                                                                            kind_prefix=KIND_PREFIX), "Operation"))
