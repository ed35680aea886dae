"""POST /v1/Stores/{storeId}/Profiles/{profileId}/Recall"""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from convmem.api.deps import Account, Context
from convmem.api.errors import CANONICAL_HEADER
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.memories import RecallRequestBody, RecallResponse
from convmem.domain.timefmt import parse_ts
from convmem.services import recall
from convmem.services.recall import RecallRequest

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/{profileId}/Recall", tags=["Retrieval"],
                   responses=ERROR_RESPONSES)


@router.post("", response_model=RecallResponse, summary="CreateFetchProfileMemory")
def recall_memories(ctx: Context, account: Account, storeId: str, profileId: str,
                    body: RecallRequestBody) -> Response:
    started = time.perf_counter()
    req = RecallRequest(
        query=body.query,
        conversation_id=body.conversationId,
        begin=parse_ts(body.beginDate) if body.beginDate else None,
        end=parse_ts(body.endDate) if body.endDate else None,
        communications_limit=body.communicationsLimit or 0,
        observations_limit=20 if body.observationsLimit is None else body.observationsLimit,
        summaries_limit=5 if body.summariesLimit is None else body.summariesLimit,
        relevance_threshold=body.relevanceThreshold or 0.0,
    )
    result = recall.recall(ctx.db, ctx.runtime.recall, account, storeId, profileId, req)
    elapsed = time.perf_counter() - started
    ctx.runtime.metrics.observe_recall(elapsed)
    query_ms = round(elapsed * 1000)
    payload = {"observations": result.observations, "summaries": result.summaries,
               "communications": result.communications, "meta": {"queryTime": query_ms}}
    return JSONResponse(payload, headers={CANONICAL_HEADER: result.profile_id})
