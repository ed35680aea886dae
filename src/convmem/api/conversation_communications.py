"""/v2/Conversations/{ConversationId}/Communications"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context, ConversationClock, Paging, page_request, single_query
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import CommunicationInfo, CommunicationPage, CreateCommunicationBody
from convmem.services.conversations import communications

router = APIRouter(prefix="/v2/Conversations/{ConversationId}/Communications",
                   tags=["Conversations: Communication"], responses=ERROR_RESPONSES)
PAGE_CAP = 1000


@router.get("", response_model=CommunicationPage, summary="ListCommunicationByConversation")
def list_communications(ctx: Context, account: Account, request: Request, ConversationId: str,
                        paging: Paging) -> JSONResponse:
    channel_id = single_query(request, "channelId")
    scope = f"v2communications:{account}:{ConversationId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token, order_by="ASC",
                       cap=PAGE_CAP, filters={"channelId": channel_id} if channel_id else {})
    page = communications.list_page(ctx.db, account, ConversationId, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "communications", [CommunicationInfo.of(c).body() for c in page.items],
                                  page))


@router.post("", status_code=201, response_model=CommunicationInfo, summary="CreateCommunicationInConversation")
def create_communication(ctx: Context, account: Account, clock: ConversationClock, ConversationId: str,
                         body: CreateCommunicationBody) -> JSONResponse:
    communication = communications.create(ctx.db, account, ConversationId, body.command(),
                                          ctx.settings.default_phone_region, clock)
    return JSONResponse(CommunicationInfo.of(communication).body(), status_code=201)


@router.get("/{id}", response_model=CommunicationInfo, summary="FetchCommunication")
def fetch_communication(ctx: Context, account: Account, ConversationId: str, id: str) -> JSONResponse:
    return JSONResponse(CommunicationInfo.of(communications.fetch(ctx.db, account, ConversationId, id)).body())
