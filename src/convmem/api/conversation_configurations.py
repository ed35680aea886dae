"""/v2/ControlPlane/Configurations"""

from __future__ import annotations

import re

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, BaseUrl, Context, IdempotencyKey, Paging, page_request, single_query
from convmem.api.responses import CONVERSATION_OPERATIONS_PATH, accepted_response, operation_url, page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import (
    ConfigurationAccepted,
    ConfigurationBody,
    ConfigurationDeleted,
    ConfigurationInfo,
    ConfigurationPage,
    ConfigurationRelated,
)
from convmem.domain.conversations.commands import ConfigurationPatch, JsonObject
from convmem.domain.conversations.configurations import idempotency
from convmem.domain.conversations.results import ConfigurationWrite
from convmem.domain.errors import InvalidRequest
from convmem.services.conversations import configurations

router = APIRouter(prefix="/v2/ControlPlane/Configurations", tags=["Conversations: Configuration"],
                   responses=ERROR_RESPONSES)
PAGE_CAP = 1000
_STORE_FILTER = re.compile(r"^mem_(store|service)_[0-7][0-9a-z]{25}$")


def _renderer(base: str) -> configurations.Render:
    """The 202 body of a write (recorded with it for Idempotency-Key replays)."""
    def render(write: ConfigurationWrite) -> JsonObject:
        assert write.configuration is not None
        url = operation_url(base, write.operation_id, CONVERSATION_OPERATIONS_PATH)
        return ConfigurationAccepted.written(write.configuration, url).body()
    return render


@router.get("", response_model=ConfigurationPage, summary="ListConfiguration")
def list_configurations(ctx: Context, account: Account, request: Request, paging: Paging) -> JSONResponse:
    store = single_query(request, "memoryStoreId")
    if store is not None and not _STORE_FILTER.match(store):
        raise InvalidRequest("memoryStoreId must look like mem_store_ followed by 26 characters")
    scope = f"v2configurations:{account}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token, order_by="ASC",
                       cap=PAGE_CAP, filters={"memoryStoreId": store} if store else {})
    page = configurations.list_page(ctx.db, account, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "configurations", [ConfigurationInfo.of(c).body() for c in page.items],
                                  page))


@router.post("", status_code=202, response_model=ConfigurationAccepted, summary="CreateConfiguration")
def create_configuration(ctx: Context, account: Account, base: BaseUrl, body: ConfigurationBody,
                         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    idem = idempotency(idempotency_key, "POST", "", body.model_dump(by_alias=True, exclude_none=True))
    result = configurations.create(ctx.db, account, body.fields(), idem, _renderer(base))
    return accepted_response(result.body, result.operation_id)


@router.get("/{id}", response_model=ConfigurationInfo, summary="FetchConfiguration")
def fetch_configuration(ctx: Context, account: Account, id: str) -> JSONResponse:
    return JSONResponse(ConfigurationInfo.of(configurations.fetch(ctx.db, account, id)).body())


@router.put("/{id}", status_code=202, response_model=ConfigurationAccepted, summary="UpdateConfiguration")
def update_configuration(ctx: Context, account: Account, base: BaseUrl, id: str, body: ConfigurationBody,
                         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    idem = idempotency(idempotency_key, "PUT", id, body.model_dump(by_alias=True, exclude_none=True))
    result = configurations.replace(ctx.db, account, id, body.fields(), idem, _renderer(base))
    return accepted_response(result.body, result.operation_id)


@router.patch("/{id}", status_code=202, response_model=ConfigurationAccepted, summary="PatchConfiguration")
def patch_configuration(ctx: Context, account: Account, base: BaseUrl, id: str,
                        body: ConfigurationBody | None = Body(default=None),
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    sent = body.model_dump(by_alias=True, exclude_unset=True) if body else {}
    idem = idempotency(idempotency_key, "PATCH", id, sent)
    result = configurations.patch(ctx.db, account, id, body.patch() if body else ConfigurationPatch(), idem,
                                  _renderer(base))
    return accepted_response(result.body, result.operation_id)


@router.delete("/{id}", status_code=202, response_model=ConfigurationDeleted, summary="DeleteConfiguration")
def delete_configuration(ctx: Context, account: Account, base: BaseUrl, id: str) -> JSONResponse:
    deleted = configurations.delete(ctx.db, account, id)
    url = operation_url(base, deleted.operation_id, CONVERSATION_OPERATIONS_PATH)
    return accepted_response(ConfigurationDeleted(
        statusUrl=url, related=ConfigurationRelated(configurationId=deleted.configuration_id)).body(),
        deleted.operation_id)
