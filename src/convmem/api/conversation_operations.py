"""/v2/ControlPlane/Operations/{id}"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, BaseUrl, Context
from convmem.api.responses import CONVERSATION_OPERATIONS_PATH, operation_url
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.conversations import ConversationOperationStatus
from convmem.services.conversations import operations

router = APIRouter(prefix="/v2/ControlPlane/Operations", tags=["Conversations: Operation"],
                   responses=ERROR_RESPONSES)


@router.get("/{id}", response_model=ConversationOperationStatus, summary="FetchOperationStatus")
def fetch_operation(ctx: Context, account: Account, base: BaseUrl, id: str) -> JSONResponse:
    operation = operations.fetch(ctx.db, account, id)
    url = operation_url(base, operation.id, CONVERSATION_OPERATIONS_PATH)
    return JSONResponse(ConversationOperationStatus.of(operation, url).body(), headers={"Operation-Id": operation.id})
