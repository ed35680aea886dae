"""/v1/ControlPlane/Operations/{operationId}"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, BaseUrl, Context
from convmem.api.responses import POLL_AFTER_SECONDS, operation_url
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.control_plane import OperationStatus
from convmem.domain.timefmt import format_ts
from convmem.services import operations

router = APIRouter(prefix="/v1/ControlPlane/Operations", tags=["Operations"], responses=ERROR_RESPONSES)


@router.get("/{operationId}", response_model=OperationStatus, summary="FetchOperation")
def fetch_operation(ctx: Context, account: Account, base: BaseUrl, operationId: str) -> JSONResponse:
    row = operations.fetch(ctx.db, account, operationId, ctx.settings.operation_retention_days)
    body: dict[str, Any] = {"operationId": row.id, "status": row.status, "createdAt": format_ts(row.created_at),
                            "statusUrl": operation_url(base, row.id)}
    if row.completed_at is not None:
        body["completedAt"] = format_ts(row.completed_at)
    if row.status == "COMPLETED" and row.result_id is not None:
        body["result"] = {"type": "RESOURCE_ID", "id": row.result_id}
    if row.result_path:
        body["resultUrl"] = f"{base}{row.result_path}"
    if row.status == "FAILED" and row.error:
        body["error"] = row.error
    headers = {"Operation-Id": row.id}
    if row.status in ("PENDING", "RUNNING"):
        headers["Retry-After"] = POLL_AFTER_SECONDS
    return JSONResponse(body, headers=headers)
