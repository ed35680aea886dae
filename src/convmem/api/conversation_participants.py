"""/v2/Conversations/{ConversationId}/Participants"""

from __future__ import annotations

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from convmem.api import conversation_wire as wire
from convmem.api.deps import Account, Context, Paging
from convmem.api.errors import error_response
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import ParticipantBody
from convmem.services import conversation_participants as participants
from convmem.services.conversation_participants import AddressTaken

router = APIRouter(prefix="/v2/Conversations/{ConversationId}/Participants",
                   tags=["Conversations: Participant"], responses=ERROR_RESPONSES)


def conflict_response(taken: AddressTaken) -> JSONResponse:
    return error_response(taken.status, taken.code, taken.message, {"X-Conflicting-Resource-Id": taken.holder_id})


@router.get("", summary="ListParticipantByConversation")
def list_participants(ctx: Context, account: Account, ConversationId: str, paging: Paging) -> JSONResponse:
    scope = f"v2participants:{account}:{ConversationId}"
    cursor, size = wire.cursor_for(ctx, scope, paging, "ASC", {})
    page, views = participants.list_page(ctx.db, account, ConversationId, cursor, size)
    return JSONResponse(page_body(ctx, scope, "participants", [wire.participant(v) for v in views], page))


@router.post("", status_code=201, summary="CreateParticipantInConversation")
def create_participant(ctx: Context, account: Account, ConversationId: str, body: ParticipantBody) -> JSONResponse:
    try:
        view = participants.create(ctx.db, account, ConversationId, body.model_dump(exclude_none=True),
                                   wire.region(ctx), wire.clock(ctx))
    except AddressTaken as taken:
        return conflict_response(taken)
    return JSONResponse(wire.participant(view), status_code=201)


@router.get("/{id}", summary="FetchParticipant")
def fetch_participant(ctx: Context, account: Account, ConversationId: str, id: str) -> JSONResponse:
    return JSONResponse(wire.participant(participants.fetch(ctx.db, account, ConversationId, id)))


@router.put("/{id}", summary="UpdateParticipantInConversation")
def update_participant(ctx: Context, account: Account, ConversationId: str, id: str,
                       body: ParticipantBody | None = Body(default=None)) -> JSONResponse:
    fields = body.model_dump(exclude_none=True) if body else {}
    try:
        view = participants.update(ctx.db, account, ConversationId, id, fields, wire.region(ctx), wire.clock(ctx))
    except AddressTaken as taken:
        return conflict_response(taken)
    return JSONResponse(wire.participant(view))
