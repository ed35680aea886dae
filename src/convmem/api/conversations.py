"""/v2/Conversations"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from convmem.api.deps import (
    Account,
    BaseUrl,
    Context,
    ConversationClock,
    Credential,
    Paging,
    page_request,
    query_values,
    single_query,
)
from convmem.api.responses import CONVERSATION_OPERATIONS_PATH, accepted_response, operation_url, page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import (
    ConversationDeleted,
    ConversationInfo,
    ConversationPage,
    ConversationRelated,
    CreateConversationBody,
    PatchConversationBody,
    UpdateConversationBody,
)
from convmem.domain.conversations.commands import ConversationChange, NewConversation
from convmem.domain.conversations.lifecycle import STATUSES
from convmem.domain.errors import InvalidRequest
from convmem.services.conversations import conversations

router = APIRouter(prefix="/v2/Conversations", tags=["Conversations: Conversation"], responses=ERROR_RESPONSES)
PAGE_CAP = 1000


@router.get("", response_model=ConversationPage, summary="ListConversationByAccount")
def list_conversations(ctx: Context, account: Account, request: Request, paging: Paging) -> JSONResponse:
    statuses = [s.upper() for s in query_values(request, "status")]
    if any(s not in STATUSES for s in statuses):
        raise InvalidRequest(f"status must be one or more of {', '.join(STATUSES)}")
    filters: dict[str, Any] = {}
    if statuses:
        filters["status"] = sorted(set(statuses))
    channel_id = single_query(request, "channelId")
    if channel_id:
        filters["channelId"] = channel_id
    scope = f"v2conversations:{account}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token, order_by="DESC",
                       cap=PAGE_CAP, filters=filters)
    page = conversations.list_page(ctx.db, account, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "conversations", [ConversationInfo.of(c).body() for c in page.items],
                                  page))


@router.post("", status_code=201, response_model=ConversationInfo, summary="CreateConversationWithConfig")
def create_conversation(ctx: Context, account: Account, clock: ConversationClock,
                        body: CreateConversationBody | None = Body(default=None)) -> JSONResponse:
    conversation = conversations.create(ctx.db, account, body.command() if body else NewConversation(),
                                        ctx.settings.default_phone_region, clock)
    return JSONResponse(ConversationInfo.of(conversation).body(), status_code=201)


@router.get("/{id}", response_model=ConversationInfo, summary="FetchConversation")
def fetch_conversation(ctx: Context, account: Account, clock: ConversationClock, id: str) -> JSONResponse:
    return JSONResponse(ConversationInfo.of(conversations.fetch(ctx.db, account, id, clock)).body())


@router.put("/{id}", response_model=ConversationInfo, summary="UpdateConversationById")
def update_conversation(ctx: Context, account: Account, clock: ConversationClock, id: str,
                        body: UpdateConversationBody) -> JSONResponse:
    return JSONResponse(ConversationInfo.of(conversations.change(ctx.db, account, id, body.change(), clock)).body())


@router.patch("/{id}", response_model=ConversationInfo, summary="PatchConversationById")
def patch_conversation(ctx: Context, account: Account, clock: ConversationClock, id: str,
                       body: PatchConversationBody | None = Body(default=None)) -> JSONResponse:
    change = body.change() if body else ConversationChange(merge_metadata=True)
    return JSONResponse(ConversationInfo.of(conversations.change(ctx.db, account, id, change, clock)).body())


@router.delete("/{id}", status_code=202, response_model=ConversationDeleted, summary="DeleteConversationAsync")
def delete_conversation(ctx: Context, account: Account, credential: Credential, base: BaseUrl,
                        id: str) -> JSONResponse:
    deleted = conversations.delete(ctx.db, account, id, credential, ctx.runtime.recall)
    url = operation_url(base, deleted.operation_id, CONVERSATION_OPERATIONS_PATH)
    return accepted_response(ConversationDeleted(statusUrl=url, related=ConversationRelated(conversationId=id)).body(),
                             deleted.operation_id)
