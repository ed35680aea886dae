"""/v2/Conversations/{ConversationId}/Participants"""

from __future__ import annotations

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context, ConversationClock, Paging, page_request
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import ParticipantBody, ParticipantInfo, ParticipantPage
from convmem.domain.conversations.commands import ParticipantUpdate
from convmem.services.conversations import participants

router = APIRouter(prefix="/v2/Conversations/{ConversationId}/Participants",
                   tags=["Conversations: Participant"], responses=ERROR_RESPONSES)
PAGE_CAP = 1000


@router.get("", response_model=ParticipantPage, summary="ListParticipantByConversation")
def list_participants(ctx: Context, account: Account, ConversationId: str, paging: Paging) -> JSONResponse:
    scope = f"v2participants:{account}:{ConversationId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token, order_by="ASC",
                       cap=PAGE_CAP)
    page = participants.list_page(ctx.db, account, ConversationId, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "participants", [ParticipantInfo.of(p).body() for p in page.items],
                                  page))


@router.post("", status_code=201, response_model=ParticipantInfo, summary="CreateParticipantInConversation")
def create_participant(ctx: Context, account: Account, clock: ConversationClock, ConversationId: str,
                       body: ParticipantBody) -> JSONResponse:
    participant = participants.create(ctx.db, account, ConversationId, body.new(), ctx.settings.default_phone_region,
                                      clock)
    return JSONResponse(ParticipantInfo.of(participant).body(), status_code=201)


@router.get("/{id}", response_model=ParticipantInfo, summary="FetchParticipant")
def fetch_participant(ctx: Context, account: Account, ConversationId: str, id: str) -> JSONResponse:
    return JSONResponse(ParticipantInfo.of(participants.fetch(ctx.db, account, ConversationId, id)).body())


@router.put("/{id}", response_model=ParticipantInfo, summary="UpdateParticipantInConversation")
def update_participant(ctx: Context, account: Account, clock: ConversationClock, ConversationId: str, id: str,
                       body: ParticipantBody | None = Body(default=None)) -> JSONResponse:
    changes = body.update() if body else ParticipantUpdate()
    participant = participants.update(ctx.db, account, ConversationId, id, changes, ctx.settings.default_phone_region,
                                      clock)
    return JSONResponse(ParticipantInfo.of(participant).body())
