"""/v1/Stores/{storeId}/Profiles/{profileId}/ConversationSummaries"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from convmem.api.deps import Account, Context, Credential, Paging, page_request
from convmem.api.errors import CANONICAL_HEADER
from convmem.api.observations import LIST_CAP, accepted, check_conversation_param
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.memories import CreateSummariesRequest, Message, SummariesPage, SummaryInfo, SummaryPatch
from convmem.domain.memories import summary_wire
from convmem.domain.timefmt import parse_ts
from convmem.services import summaries
from convmem.services.summaries import NewSummary

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/{profileId}/ConversationSummaries",
                   tags=["ConversationSummaries"], responses=ERROR_RESPONSES)


@router.get("", response_model=SummariesPage, summary="ListProfileConversationSummaries")
def list_summaries(ctx: Context, account: Account, storeId: str, profileId: str, paging: Paging,
                   conversation_id: Annotated[str | None, Query(alias="conversationId")] = None) -> Response:
    scope = f"summaries:{storeId}:{profileId}"
    conversation = check_conversation_param(conversation_id)
    # No orderBy on this list: newest first.
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token, order_by="DESC",
                       cap=LIST_CAP, filters={"conversation": conversation} if conversation else None)
    page, canonical = summaries.list_page(ctx.db, account, storeId, profileId, req.cursor, req.size)
    body = page_body(ctx, scope, "summaries", [summary_wire(r) for r in page.items], page)
    return JSONResponse(body, headers={CANONICAL_HEADER: canonical})


@router.post("", status_code=202, response_model=Message, summary="CreateProfileConversationSummary")
def create_summaries(ctx: Context, account: Account, storeId: str, profileId: str,
                     body: CreateSummariesRequest) -> Response:
    items = [NewSummary(content=s.content, conversation_id=s.conversationId, occurred_at=parse_ts(s.occurredAt),
                        source=s.source) for s in body.summaries]
    summaries.create(ctx.db, account, storeId, profileId, items)
    return accepted("Summaries creation accepted")


@router.get("/{summaryId}", response_model=SummaryInfo, summary="FetchProfileConversationSummary")
def fetch_summary(ctx: Context, account: Account, storeId: str, profileId: str, summaryId: str) -> JSONResponse:
    row, canonical = summaries.fetch(ctx.db, account, storeId, profileId, summaryId)
    return JSONResponse(summary_wire(row), headers={CANONICAL_HEADER: canonical})


@router.patch("/{summaryId}", status_code=202, response_model=Message, summary="PatchProfileConversationSummary")
def patch_summary(ctx: Context, account: Account, storeId: str, profileId: str, summaryId: str,
                  body: SummaryPatch) -> Response:
    changes: dict[str, Any] = {}
    if body.content is not None:
        changes["content"] = body.content
    if body.source is not None:
        changes["source"] = body.source
    if body.occurredAt is not None:
        changes["occurred_at"] = parse_ts(body.occurredAt)
    if body.conversationId is not None:
        changes["conversation_id"] = body.conversationId
    summaries.patch(ctx.db, account, storeId, profileId, summaryId, changes)
    return accepted("Conversation summary update accepted")


@router.delete("/{summaryId}", status_code=202, response_model=Message, summary="DeleteProfileConversationSummary")
def delete_summary(ctx: Context, account: Account, credential: Credential, storeId: str,
                   profileId: str,
                   summaryId: str) -> Response:
    summaries.delete(ctx.db, account, storeId, profileId, summaryId, credential,
                     ctx.runtime.recall)
    return accepted("Conversation summary deletion accepted")
