"""/v1/ControlPlane/Stores/{storeId}/DataMappings"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Row

from convmem.api.deps import Account, BaseUrl, Context, IfMatch, Paging, page_request
from convmem.api.responses import accepted, page_body, with_etag
from convmem.api.schemas.common import ERROR_RESPONSES, AsyncAccepted
from convmem.api.schemas.control_plane import (
    CreateDataMappingInput,
    DataMapping,
    DataMappingCore,
    DataMappingList,
)
from convmem.domain.errors import InvalidRequest
from convmem.domain.etag import make_etag
from convmem.domain.timefmt import format_ts
from convmem.services import data_mappings

router = APIRouter(prefix="/v1/ControlPlane/Stores/{storeId}/DataMappings", tags=["DataMapping"],
                   responses=ERROR_RESPONSES)
_CAP = 100
_TYPES = ("INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE")


def mapping_to_wire(row: Row[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.id, "displayName": row.display_name}
    if row.description is not None:
        body["description"] = row.description
    body.update(isEnabled=row.is_enabled, mappingTo=row.mapping_to, mappingFrom=row.mapping_from,
                createdAt=format_ts(row.created_at), updatedAt=format_ts(row.updated_at), version=row.version)
    return body


@router.get("", response_model=DataMappingList, summary="ListDataMappings")
def list_mappings(ctx: Context, account: Account, storeId: str, paging: Paging,
                  type: Annotated[str | None, Query()] = None) -> JSONResponse:
    if type is not None and type not in _TYPES:
        raise InvalidRequest(f"type must be one of {', '.join(_TYPES)}")
    scope = f"dataMappings:{storeId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_CAP, filters={"type": type} if type else None)
    page = data_mappings.list_page(ctx.db, account, storeId, req.cursor.filters.get("type"), req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "dataMappings", [mapping_to_wire(r) for r in page.items], page))


@router.post("", status_code=202, response_model=AsyncAccepted, summary="CreateDataMapping")
def create_mapping(ctx: Context, account: Account, base: BaseUrl, storeId: str,
                   body: CreateDataMappingInput) -> JSONResponse:
    result = data_mappings.create(ctx.db, account, storeId, body.model_dump(exclude_none=True))
    return accepted(base, result, "Data mapping creation request accepted for processing.")


@router.get("/{dataMappingId}", response_model=DataMapping, summary="FetchDataMapping")
def fetch_mapping(ctx: Context, account: Account, storeId: str, dataMappingId: str) -> JSONResponse:
    row = data_mappings.fetch(ctx.db, account, storeId, dataMappingId)
    return with_etag(mapping_to_wire(row), make_etag(row.id, row.version))


@router.patch("/{dataMappingId}", status_code=202, response_model=AsyncAccepted, summary="PatchDataMapping")
def patch_mapping(ctx: Context, account: Account, base: BaseUrl, storeId: str, dataMappingId: str,
                  if_match: IfMatch = None, body: DataMappingCore | None = Body(default=None)) -> JSONResponse:
    changes = body.model_dump(exclude_none=True) if body else {}
    result = data_mappings.patch(ctx.db, account, storeId, dataMappingId, changes, if_match)
    return accepted(base, result, "Data mapping update request accepted for processing.")


@router.delete("/{dataMappingId}", status_code=202, response_model=AsyncAccepted, summary="DeleteDataMapping")
def delete_mapping(ctx: Context, account: Account, base: BaseUrl, storeId: str, dataMappingId: str) -> JSONResponse:
    result = data_mappings.delete(ctx.db, account, storeId, dataMappingId)
    return accepted(base, result, "Data mapping deletion request accepted for processing.")
