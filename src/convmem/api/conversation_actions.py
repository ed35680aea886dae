"""/v2/Conversations/{ConversationId}/Actions"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import Row

from convmem.api import conversation_wire as wire
from convmem.api.deps import Account, Context
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import CreateActionBody
from convmem.domain.timefmt import format_ts
from convmem.services import conversation_actions as actions

router = APIRouter(prefix="/v2/Conversations/{ConversationId}/Actions", tags=["Conversations: Action"],
                   responses=ERROR_RESPONSES)


def action_wire(row: Row[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.id, "type": row.type, "status": row.status, "conversationId": row.conversation_id,
                            "related": row.related, "createdAt": format_ts(row.created_at),
                            "updatedAt": format_ts(row.updated_at)}
    if row.completed_at is not None:
        body["completedAt"] = format_ts(row.completed_at)
    body["failureReason"] = row.failure_reason
    return body


@router.post("", status_code=202, summary="CreateConversationAction")
def create_action(ctx: Context, account: Account, ConversationId: str, body: CreateActionBody) -> JSONResponse:
    row = actions.create(ctx.db, account, ConversationId, body.model_dump(by_alias=True, exclude_none=True),
                         wire.region(ctx), wire.clock(ctx))
    return JSONResponse(action_wire(row), status_code=202)


@router.get("/{ActionId}", summary="FetchConversationAction")
def fetch_action(ctx: Context, account: Account, ConversationId: str, ActionId: str) -> JSONResponse:
    return JSONResponse(action_wire(actions.fetch(ctx.db, account, ConversationId, ActionId)))
