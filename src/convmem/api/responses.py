"""Response builders shared by the routers of both APIs: 202 + Operation, token pages, ETags."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from convmem.api.deps import ServerContext
from convmem.domain.pagination import Page
from convmem.services.common import Accepted

OPERATIONS_PATH = "/v1/ControlPlane/Operations"
CONVERSATION_OPERATIONS_PATH = "/v2/ControlPlane/Operations"
POLL_AFTER_SECONDS = "1"


def operation_url(base: str, operation_id: str, path: str = OPERATIONS_PATH) -> str:
    """Where an operation is polled: Memory's (``path`` default) or Conversations v2's."""
    return f"{base}{path}/{operation_id}"


def accepted_response(body: dict[str, Any], operation_id: str) -> JSONResponse:
    """202 for a write an operation reports; ``body["statusUrl"]`` is the operation's URL."""
    return JSONResponse(body, status_code=202, headers={
        "Operation-Id": operation_id, "Location": body["statusUrl"], "Retry-After": POLL_AFTER_SECONDS})


def accepted(base: str, result: Accepted, message: str) -> JSONResponse:
    """A Memory control-plane 202: ``{message, statusUrl}``."""
    return accepted_response({"message": message, "statusUrl": operation_url(base, result.operation_id)},
                             result.operation_id)


def page_meta(ctx: ServerContext, scope: str, key: str, page: Page) -> dict[str, Any]:
    """``meta`` of a token page; ``key`` names the property holding the items (the official
    client finds them through it)."""
    meta: dict[str, Any] = {"key": key, "pageSize": page.size if page.size is not None else len(page.items)}
    if page.next_cursor is not None:
        meta["nextToken"] = ctx.tokens.encode(scope, page.next_cursor)
    if page.previous_cursor is not None:
        meta["previousToken"] = ctx.tokens.encode(scope, page.previous_cursor)
    return meta


def page_body(ctx: ServerContext, scope: str, key: str, items: list[Any], page: Page) -> dict[str, Any]:
    return {key: items, "meta": page_meta(ctx, scope, key, page)}


def with_etag(body: dict[str, Any], etag: str) -> JSONResponse:
    return JSONResponse(body, headers={"ETag": etag})
