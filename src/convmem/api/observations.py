"""/v1/Stores/{storeId}/Profiles/{profileId}/Observations (and their Revisions)"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from convmem.api.deps import Account, Context, Credential, Paging, page_request
from convmem.api.errors import CANONICAL_HEADER
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.memories import (
    CreateObservationsRequest,
    Message,
    ObservationInfo,
    ObservationPatch,
    ObservationsPage,
    RevisionsPage,
)
from convmem.domain.errors import InvalidRequest
from convmem.domain.memories import CONVERSATION_PATTERN, SOURCE_RE, observation_wire, revision_wire
from convmem.domain.timefmt import parse_ts
from convmem.services import observation_reconciliation, observations
from convmem.services.observations import NewObservation

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/{profileId}/Observations", tags=["Observations"],
                   responses=ERROR_RESPONSES)
LIST_CAP = 50


def accepted(message: str) -> Response:
    return JSONResponse({"message": message}, status_code=202)


def parse_time_param(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_ts(value)
    except ValueError:
        raise InvalidRequest(f"{name} must be an RFC 3339 date-time, e.g. 2025-01-15T10:30:45Z") from None


def check_conversation_param(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not re.match(CONVERSATION_PATTERN, value):
        raise InvalidRequest("conversationId must be a conv_conversation_ id")
    return value


@router.get("", response_model=ObservationsPage, summary="ListProfileObservations")
def list_observations(ctx: Context, account: Account, storeId: str, profileId: str,
                      paging: Paging,
                      source: Annotated[str | None, Query()] = None,
                      created_after: Annotated[str | None, Query(alias="createdAfter")] = None,
                      created_before: Annotated[str | None, Query(alias="createdBefore")] = None,
                      conversation_id: Annotated[str | None, Query(alias="conversationId")] = None) -> Response:
    if source is not None and (len(source) > 100 or not SOURCE_RE.match(source)):
        raise InvalidRequest("source must be 1 to 100 letters, digits, spaces, '_', '.', '-' or '/'")
    after = parse_time_param(created_after, "createdAfter")
    before = parse_time_param(created_before, "createdBefore")
    filters = {"source": source, "after": after.isoformat() if after else None,
               "before": before.isoformat() if before else None,
               "conversation": check_conversation_param(conversation_id)}
    scope = f"observations:{storeId}:{profileId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=LIST_CAP,
                       filters={k: v for k, v in filters.items() if v is not None})
    page, canonical = observations.list_page(ctx.db, account, storeId, profileId, req.cursor, req.size)
    body = page_body(ctx, scope, "observations", [observation_wire(r) for r in page.items], page)
    return JSONResponse(body, headers={CANONICAL_HEADER: canonical})


@router.post("", status_code=202, response_model=Message, summary="CreateProfileObservation")
def create_observations(ctx: Context, account: Account, storeId: str, profileId: str,
                        body: CreateObservationsRequest) -> Response:
    items = [NewObservation(content=o.content, source=o.source, occurred_at=parse_ts(o.occurredAt),
                            conversation_ids=list(o.conversationIds or [])) for o in body.observations]
    if ctx.settings.reconcile_direct_observations:  # opt-in: see services/observation_reconciliation.py
        observation_reconciliation.create_reconciled(ctx.db, ctx.runtime.models.session(), account, storeId,
                                                     profileId, items, ctx.settings)
    else:
        observations.create(ctx.db, account, storeId, profileId, items)
    return accepted("Observations creation accepted")


@router.get("/{observationId}", response_model=ObservationInfo, summary="FetchProfileObservation")
def fetch_observation(ctx: Context, account: Account, storeId: str, profileId: str,
                      observationId: str) -> JSONResponse:
    row, canonical = observations.fetch(ctx.db, account, storeId, profileId, observationId)
    return JSONResponse(observation_wire(row), headers={CANONICAL_HEADER: canonical})


@router.patch("/{observationId}", status_code=202, response_model=Message, summary="PatchProfileObservation")
def patch_observation(ctx: Context, account: Account, storeId: str, profileId: str,
                      observationId: str, body: ObservationPatch) -> Response:
    changes: dict[str, Any] = {}
    if body.content is not None:
        changes["content"] = body.content
    if body.source is not None:
        changes["source"] = body.source
    if body.occurredAt is not None:
        changes["occurred_at"] = parse_ts(body.occurredAt)
    if body.conversationIds is not None:
        changes["conversation_ids"] = list(body.conversationIds)
    observations.patch(ctx.db, account, storeId, profileId, observationId, changes)
    return accepted("Observation update accepted")


@router.delete("/{observationId}", status_code=202, response_model=Message, summary="DeleteProfileObservation")
def delete_observation(ctx: Context, account: Account, credential: Credential, storeId: str,
                       profileId: str, observationId: str) -> Response:
    observations.delete(ctx.db, account, storeId, profileId, observationId, credential, ctx.runtime.recall)
    return accepted("Observation deletion accepted")


@router.get("/{observationId}/Revisions", response_model=RevisionsPage, summary="ListObservationRevisions")
def list_revisions(ctx: Context, account: Account, storeId: str, profileId: str,
                   observationId: str, paging: Paging) -> Response:
    scope = f"revisions:{storeId}:{observationId}"
    # Newest first, always: revisions take no orderBy.
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token, order_by="DESC",
                       cap=LIST_CAP)
    page, canonical = observations.revisions_page(ctx.db, account, storeId, profileId, observationId,
                                                  req.cursor, req.size)
    body = page_body(ctx, scope, "revisions", [revision_wire(r) for r in page.items], page)
    return JSONResponse(body, headers={CANONICAL_HEADER: canonical})
