"""/v1/Stores/{storeId}/Profiles/Bulk"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, BaseUrl, Context
from convmem.api.responses import operation_url
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.profiles import BulkAccepted, BulkReport, BulkRequest
from convmem.domain.timefmt import format_ts
from convmem.services import bulk

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/Bulk", tags=["Profile"], responses=ERROR_RESPONSES)


@router.put("", status_code=202, response_model=BulkAccepted, summary="UpdateProfilesBulk")
def update_bulk(ctx: Context, account: Account, base: BaseUrl, storeId: str, body: BulkRequest) -> JSONResponse:
    accepted = bulk.submit(ctx.db, account, storeId, [item.traits for item in body.profiles],
                           ctx.settings.default_phone_region)
    # The official client also reads operationId/statusUrl/createdAt: the batch is pollable.
    return JSONResponse({"message": "Profile batch accepted for processing.", "operationId": accepted.operation_id,
                         "statusUrl": operation_url(base, accepted.operation_id),
                         "createdAt": format_ts(accepted.created_at)}, status_code=202)


@router.get("/{operationId}", response_model=BulkReport,
            summary="FetchBulkReport (extension): per-item outcome of a bulk upsert")
def bulk_report(ctx: Context, account: Account, storeId: str, operationId: str) -> JSONResponse:
    return JSONResponse(bulk.report(ctx.db, account, storeId, operationId))
