"""Response builders shared by the routers: 202 + Operation, token pages, ETags."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from convmem.api.deps import ServerContext
from convmem.domain.pagination import Page
from convmem.services.common import Accepted

OPERATIONS_PATH = "/v1/ControlPlane/Operations"
POLL_AFTER_SECONDS = "1"


def operation_url(base: str, operation_id: str) -> str:
    return f"{base}{OPERATIONS_PATH}/{operation_id}"


def accepted(base: str, result: Accepted, message: str) -> JSONResponse:
    url = operation_url(base, result.operation_id)
    return JSONResponse({"message": message, "statusUrl": url}, status_code=202, headers={
        "Operation-Id": result.operation_id, "Location": url, "Retry-After": POLL_AFTER_SECONDS})


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
