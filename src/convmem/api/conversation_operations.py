"""/v2/ControlPlane/Operations/{id}"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api import conversation_wire as wire
from convmem.api.deps import Account, BaseUrl, Context
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.domain.errors import NotFound
from convmem.domain.timefmt import format_ts
from convmem.storage import conversations as repo

router = APIRouter(prefix="/v2/ControlPlane/Operations", tags=["Conversations: Operation"],
                   responses=ERROR_RESPONSES)


@router.get("/{id}", summary="FetchOperationStatus")
def fetch_operation(ctx: Context, account: Account, base: BaseUrl, id: str) -> JSONResponse:
    row = None
    if len(id) <= 64:
        with ctx.db.read() as conn:
            row = repo.get_operation(conn, account, id)
    if row is None:
        raise NotFound(f"Operation {id[:80]} was not found")
    body: dict[str, Any] = {"operationId": row.id, "status": row.status, "createdAt": format_ts(row.created_at),
                            "completedAt": format_ts(row.completed_at), "statusUrl": wire.operation_url(base, row.id),
                            "error": row.error, "related": None}
    key = repo.OPERATION_KINDS.get(row.kind)
    if key and row.result_id:
        body["related"] = {key: row.result_id}
    return JSONResponse(body, headers={"Operation-Id": row.id})
