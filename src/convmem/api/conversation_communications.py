"""/v2/Conversations/{ConversationId}/Communications"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from convmem.api import conversation_wire as wire
from convmem.api.deps import Account, Context, Paging
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import CreateCommunicationBody
from convmem.services import conversation_communications as communications

router = APIRouter(prefix="/v2/Conversations/{ConversationId}/Communications",
                   tags=["Conversations: Communication"], responses=ERROR_RESPONSES)


@router.get("", summary="ListCommunicationByConversation")
def list_communications(ctx: Context, account: Account, request: Request, ConversationId: str,
                        paging: Paging) -> JSONResponse:
    channel_id = wire.single_query(request, "channelId")
    scope = f"v2communications:{account}:{ConversationId}"
    cursor, size = wire.cursor_for(ctx, scope, paging, "ASC", {"channelId": channel_id} if channel_id else {})
    page = communications.list_page(ctx.db, account, ConversationId, cursor, size)
    return JSONResponse(page_body(ctx, scope, "communications", [wire.communication(r) for r in page.items], page))


@router.post("", status_code=201, summary="CreateCommunicationInConversation")
def create_communication(ctx: Context, account: Account, ConversationId: str,
                         body: CreateCommunicationBody) -> JSONResponse:
    row = communications.create(ctx.db, account, ConversationId, body.model_dump(exclude_none=True),
                                wire.region(ctx), wire.clock(ctx))
    return JSONResponse(wire.communication(row), status_code=201)


@router.get("/{id}", summary="FetchCommunication")
def fetch_communication(ctx: Context, account: Account, ConversationId: str, id: str) -> JSONResponse:
    return JSONResponse(wire.communication(communications.fetch(ctx.db, account, ConversationId, id)))
