"""/v1/ControlPlane/Stores"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlalchemy import Row

from convmem.api.deps import Account, BaseUrl, Context, IfMatch, Paging, page_request
from convmem.api.responses import accepted, page_body, with_etag
from convmem.api.schemas.common import ERROR_RESPONSES, AsyncAccepted
from convmem.api.schemas.control_plane import PatchStoreRequest, ServiceRequest, Store, StoreList
from convmem.domain.etag import make_etag
from convmem.domain.timefmt import format_ts
from convmem.services import stores

router = APIRouter(prefix="/v1/ControlPlane/Stores", tags=["Store"], responses=ERROR_RESPONSES)
_CAP = 100


def store_to_wire(row: Row[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.id, "displayName": row.display_name}
    if row.description is not None:
        body["description"] = row.description
    body.update(status=row.status, intelligenceServiceId=row.intelligence_service_id, version=row.version,
                dataAsOf=format_ts(row.data_as_of))
    return body


@router.get("", response_model=StoreList, summary="ListStores")
def list_stores(ctx: Context, account: Account, paging: Paging) -> JSONResponse:
    scope = f"stores:{account}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_CAP)
    page = stores.list_page(ctx.db, account, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "stores", [r.id for r in page.items], page))


@router.post("", status_code=202, response_model=AsyncAccepted, summary="CreateStore")
def create_store(ctx: Context, account: Account, base: BaseUrl, body: ServiceRequest) -> JSONResponse:
    result = stores.create(ctx.db, account, display_name=body.displayName, description=body.description,
                           quota=ctx.settings.store_quota)
    return accepted(base, result, "Memory Store creation accepted for processing.")


@router.get("/{storeId}", response_model=Store, summary="FetchStore")
def fetch_store(ctx: Context, account: Account, storeId: str) -> JSONResponse:
    row = stores.fetch(ctx.db, account, storeId)
    return with_etag(store_to_wire(row), make_etag(row.id, row.version))


@router.patch("/{storeId}", status_code=202, response_model=AsyncAccepted, summary="PatchStore")
def patch_store(ctx: Context, account: Account, base: BaseUrl, storeId: str, if_match: IfMatch = None,
                body: PatchStoreRequest | None = Body(default=None)) -> JSONResponse:
    changes = body.model_dump(exclude_none=True) if body else {}
    result = stores.patch(ctx.db, account, storeId, changes, if_match)
    return accepted(base, result, "Memory Store update request accepted for processing.")


@router.delete("/{storeId}", status_code=202, response_model=AsyncAccepted, summary="DeleteStore")
def delete_store(ctx: Context, account: Account, base: BaseUrl, storeId: str) -> JSONResponse:
    result = stores.delete(ctx.db, account, storeId)
    return accepted(base, result, "Memory Store deletion request accepted for processing.")
