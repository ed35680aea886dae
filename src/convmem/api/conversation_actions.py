"""/v2/Conversations/{ConversationId}/Actions"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context, ConversationClock
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import ActionInfo, CreateActionBody
from convmem.services.conversations import actions

router = APIRouter(prefix="/v2/Conversations/{ConversationId}/Actions", tags=["Conversations: Action"],
                   responses=ERROR_RESPONSES)


@router.post("", status_code=202, response_model=ActionInfo, summary="CreateConversationAction")
def create_action(ctx: Context, account: Account, clock: ConversationClock, ConversationId: str,
                  body: CreateActionBody) -> JSONResponse:
    action = actions.create(ctx.db, account, ConversationId, body.command(), ctx.settings.default_phone_region, clock)
    return JSONResponse(ActionInfo.of(action).body(), status_code=202)


@router.get("/{ActionId}", response_model=ActionInfo, summary="FetchConversationAction")
def fetch_action(ctx: Context, account: Account, ConversationId: str, ActionId: str) -> JSONResponse:
    return JSONResponse(ActionInfo.of(actions.fetch(ctx.db, account, ConversationId, ActionId)).body())
