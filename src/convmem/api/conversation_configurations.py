"""/v2/ControlPlane/Configurations"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Body, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Row

from convmem.api import conversation_wire as wire
from convmem.api.deps import Account, BaseUrl, Context, Paging
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import ConfigurationBody
from convmem.domain.errors import InvalidRequest
from convmem.services import conversation_configurations as configurations
from convmem.services.conversation_configurations import Idempotency

router = APIRouter(prefix="/v2/ControlPlane/Configurations", tags=["Conversations: Configuration"],
                   responses=ERROR_RESPONSES)
_STORE_FILTER = re.compile(r"^mem_(store|service)_[0-7][0-9a-z]{25}$")


def _renderer(base: str) -> configurations.Render:
    def render(row: Row[Any], operation_id: str) -> dict[str, Any]:
        return wire.accepted_body(base, operation_id, {"configurationId": row.id}, wire.configuration(row))
    return render


def _body(body: ConfigurationBody | None, *, keep_nulls: bool) -> dict[str, Any]:
    if body is None:
        return {}
    if keep_nulls:
        return body.model_dump(by_alias=True, exclude_unset=True)
    return body.model_dump(by_alias=True, exclude_none=True)


@router.get("", summary="ListConfiguration")
def list_configurations(ctx: Context, account: Account, request: Request, paging: Paging) -> JSONResponse:
    store = wire.single_query(request, "memoryStoreId")
    if store is not None and not _STORE_FILTER.match(store):
        raise InvalidRequest("memoryStoreId must look like mem_store_ followed by 26 characters")
    scope = f"v2configurations:{account}"
    cursor, size = wire.cursor_for(ctx, scope, paging, "ASC", {"memoryStoreId": store} if store else {})
    page = configurations.list_page(ctx.db, account, cursor, size)
    return JSONResponse(page_body(ctx, scope, "configurations", [wire.configuration(r) for r in page.items], page))


@router.post("", status_code=202, summary="CreateConfiguration")
def create_configuration(ctx: Context, account: Account, base: BaseUrl, body: ConfigurationBody,
                         idempotency_key: str | None = Header(default=None, alias="Idempotency-Key")) -> JSONResponse:
    fields = _body(body, keep_nulls=False)
    idem = Idempotency.of(idempotency_key, "POST", "", fields)
    result = configurations.create(ctx.db, account, fields, idem, _renderer(base))
    return wire.accepted_response(result.body, result.operation_id)


@router.get("/{id}", summary="FetchConfiguration")
def fetch_configuration(ctx: Context, account: Account, id: str) -> JSONResponse:
    return JSONResponse(wire.configuration(configurations.fetch(ctx.db, account, id)))


@router.put("/{id}", status_code=202, summary="UpdateConfiguration")
def update_configuration(ctx: Context, account: Account, base: BaseUrl, id: str, body: ConfigurationBody,
                         idempotency_key: str | None = Header(default=None, alias="Idempotency-Key")) -> JSONResponse:
    fields = _body(body, keep_nulls=False)
    idem = Idempotency.of(idempotency_key, "PUT", id, fields)
    result = configurations.replace(ctx.db, account, id, fields, idem, _renderer(base))
    return wire.accepted_response(result.body, result.operation_id)


@router.patch("/{id}", status_code=202, summary="PatchConfiguration")
def patch_configuration(ctx: Context, account: Account, base: BaseUrl, id: str,
                        body: ConfigurationBody | None = Body(default=None),
                        idempotency_key: str | None = Header(default=None, alias="Idempotency-Key")) -> JSONResponse:
    fields = _body(body, keep_nulls=True)
    idem = Idempotency.of(idempotency_key, "PATCH", id, fields)
    result = configurations.patch(ctx.db, account, id, fields, idem, _renderer(base))
    return wire.accepted_response(result.body, result.operation_id)


@router.delete("/{id}", status_code=202, summary="DeleteConfiguration")
def delete_configuration(ctx: Context, account: Account, base: BaseUrl, id: str) -> JSONResponse:
    result = configurations.delete(
        ctx.db, account, id, lambda config_id, op_id: wire.accepted_body(base, op_id, {"configurationId": config_id}))
    return wire.accepted_response(result.body, result.operation_id)
