"""Conversations v2 wire shapes (rows to JSON) and helpers shared by its routers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import Row

from convmem.api.deps import PagingParams, ServerContext
from convmem.domain.errors import InvalidRequest
from convmem.domain.pagination import Cursor, clamp_page_size
from convmem.domain.timefmt import format_ts
from convmem.services.conversation_lifecycle import Clock
from convmem.services.conversation_participants import ParticipantView
from convmem.services.conversations import ConversationView

OPERATIONS_PATH = "/v2/ControlPlane/Operations"
RETRY_AFTER = "1"
PAGE_CAP = 1000


def clock(ctx: ServerContext) -> Clock:
    return Clock(minute=timedelta(seconds=ctx.settings.conversation_minute_seconds))


def region(ctx: ServerContext) -> str:
    return str(getattr(ctx.settings, "default_phone_region", "US"))


def operation_url(base: str, operation_id: str) -> str:
    return f"{base}{OPERATIONS_PATH}/{operation_id}"


def accepted_body(base: str, operation_id: str, related: dict[str, str],
                  extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**(extra or {}), "statusUrl": operation_url(base, operation_id), "related": related}


def accepted_response(body: dict[str, Any], operation_id: str) -> JSONResponse:
    return JSONResponse(body, status_code=202, headers={
        "Operation-Id": operation_id, "Location": body["statusUrl"], "Retry-After": RETRY_AFTER})


def cursor_for(ctx: ServerContext, scope: str, paging: PagingParams, order: str,
               filters: dict[str, Any]) -> tuple[Cursor, int]:
    size = clamp_page_size(paging.page_size, PAGE_CAP)
    if paging.page_token:
        return ctx.tokens.decode(scope, paging.page_token), size
    return Cursor(order=order, filters=filters), size  # type: ignore[arg-type]


def query_values(request: Request, name: str) -> list[str]:
    """A list query parameter sent as repeated keys, capitalised, or comma-separated."""
    raw = request.query_params.getlist(name) + request.query_params.getlist(name[:1].upper() + name[1:])
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def single_query(request: Request, name: str, max_length: int = 256) -> str | None:
    value = request.query_params.get(name) or request.query_params.get(name[:1].upper() + name[1:])
    if value is not None and len(value) > max_length:
        raise InvalidRequest(f"{name} is too long")
    return value or None


def configuration(row: Row[Any]) -> dict[str, Any]:
    settings = row.settings or {}
    body: dict[str, Any] = {
        "id": row.id, "displayName": row.display_name, "description": row.description,
        "conversationGroupingType": row.grouping_type, "memoryStoreId": row.memory_store_id,
        "channelSettings": settings.get("channelSettings") or {},
        "statusCallbacks": settings.get("statusCallbacks") or [],
        "intelligenceConfigurationIds": settings.get("intelligenceConfigurationIds") or [],
        "memoryExtractionEnabled": bool(row.memory_extraction_enabled),
    }
    if settings.get("conversationsV1Bridge"):
        body["conversationsV1Bridge"] = settings["conversationsV1Bridge"]
    body.update(createdAt=format_ts(row.created_at), updatedAt=format_ts(row.updated_at), version=row.version)
    return body


def participant(view: ParticipantView) -> dict[str, Any]:
    row = view.row
    body: dict[str, Any] = {"id": row.id, "conversationId": row.conversation_id, "accountId": row.account_sid,
                            "name": row.name, "type": row.type}
    if view.profile_id is not None:
        body["profileId"] = view.profile_id
    body.update(addresses=list(row.addresses), createdAt=format_ts(row.created_at),
                updatedAt=format_ts(row.updated_at))
    return body


def conversation(view: ConversationView) -> dict[str, Any]:
    row = view.row
    return {"id": row.id, "accountId": row.account_sid, "configurationId": row.configuration_id,
            "status": row.status, "name": row.name, "createdAt": format_ts(row.created_at),
            "updatedAt": format_ts(row.updated_at), "configuration": row.configuration,
            "metadata": row.conversation_metadata or {}, "participants": [participant(p) for p in view.participants]}


def communication(row: Row[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.id, "conversationId": row.conversation_id, "accountId": row.account_sid,
                            "author": row.author, "content": row.content}
    if row.channel_id is not None:
        body["channelId"] = row.channel_id
    if row.resource_id is not None:
        body["resourceId"] = row.resource_id
    body.update(recipients=row.recipients, createdAt=format_ts(row.created_at), updatedAt=format_ts(row.updated_at),
                occurredAt=format_ts(row.occurred_at))
    return body
