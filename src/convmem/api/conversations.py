"""/v2/Conversations"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from convmem.api import conversation_wire as wire
from convmem.api.conversation_participants import conflict_response
from convmem.api.deps import Account, BaseUrl, Context, Credential, Paging
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import CreateConversationBody, PatchConversationBody, UpdateConversationBody
from convmem.domain.conversation_lifecycle import STATUSES
from convmem.domain.errors import InvalidRequest
from convmem.services import conversations
from convmem.services.conversation_participants import AddressTaken

router = APIRouter(prefix="/v2/Conversations", tags=["Conversations: Conversation"], responses=ERROR_RESPONSES)


@router.get("", summary="ListConversationByAccount")
def list_conversations(ctx: Context, account: Account, request: Request, paging: Paging) -> JSONResponse:
    statuses = [s.upper() for s in wire.query_values(request, "status")]
    if any(s not in STATUSES for s in statuses):
        raise InvalidRequest(f"status must be one or more of {', '.join(STATUSES)}")
    filters: dict[str, Any] = {}
    if statuses:
        filters["status"] = sorted(set(statuses))
    channel_id = wire.single_query(request, "channelId")
    if channel_id:
        filters["channelId"] = channel_id
    scope = f"v2conversations:{account}"
    cursor, size = wire.cursor_for(ctx, scope, paging, "DESC", filters)
    page, views = conversations.list_page(ctx.db, account, cursor, size)
    return JSONResponse(page_body(ctx, scope, "conversations", [wire.conversation(v) for v in views], page))


@router.post("", status_code=201, summary="CreateConversationWithConfig")
def create_conversation(ctx: Context, account: Account, body: CreateConversationBody | None = Body(default=None)
                        ) -> JSONResponse:
    fields = body.model_dump(by_alias=True, exclude_none=True) if body else {}
    try:
        view = conversations.create(ctx.db, account, fields, wire.region(ctx), wire.clock(ctx))
    except AddressTaken as taken:
        return conflict_response(taken)
    return JSONResponse(wire.conversation(view), status_code=201)


@router.get("/{id}", summary="FetchConversation")
def fetch_conversation(ctx: Context, account: Account, id: str) -> JSONResponse:
    return JSONResponse(wire.conversation(conversations.fetch(ctx.db, account, id, wire.clock(ctx))))


@router.put("/{id}", summary="UpdateConversationById")
def update_conversation(ctx: Context, account: Account, id: str, body: UpdateConversationBody) -> JSONResponse:
    fields = body.model_dump(exclude_none=True)
    view = conversations.change(ctx.db, account, id, fields, wire.clock(ctx), merge_metadata=False)
    return JSONResponse(wire.conversation(view))


@router.patch("/{id}", summary="PatchConversationById")
def patch_conversation(ctx: Context, account: Account, id: str,
                       body: PatchConversationBody | None = Body(default=None)) -> JSONResponse:
    fields = body.model_dump(exclude_unset=True) if body else {}
    if fields.get("status") is None:
        fields.pop("status", None)
    configuration = fields.pop("configuration", None)
    if configuration is not None and "statusCallbacks" in configuration:
        fields["statusCallbacks"] = configuration["statusCallbacks"]
    view = conversations.change(ctx.db, account, id, fields, wire.clock(ctx), merge_metadata=True)
    return JSONResponse(wire.conversation(view))


@router.delete("/{id}", status_code=202, summary="DeleteConversationAsync")
def delete_conversation(ctx: Context, account: Account, credential: Credential, base: BaseUrl,
                        id: str) -> JSONResponse:
    op_id = conversations.delete(ctx.db, account, id, credential,
                                 ctx.runtime.recall)
    return wire.accepted_response(wire.accepted_body(base, op_id, {"conversationId": id}), op_id)
