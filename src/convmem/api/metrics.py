"""``GET /metrics`` (Prometheus text format) and the middleware timing every HTTP request.

``/metrics`` is outside the Basic-auth gate (which guards /v1/, /v2/ and /mcp): a scraper has no
account. It is open unless ``CONVMEM_METRICS_TOKEN`` is set; then it needs that bearer token."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.routing import Match

from convmem.api.deps import Context
from convmem.api.errors import error_response
from convmem.metrics import CONTENT_TYPE, Metrics, authorized

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH = "/metrics"
# Labels must come from a small set: a method a client makes up, or a path no route knows,
# would otherwise each add a series.
_METHODS = frozenset(("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"))
UNMATCHED = "unmatched"

router = APIRouter(tags=["Operations"])


@router.get(PATH, include_in_schema=False)
def metrics(request: Request, ctx: Context) -> Response:
    if not authorized(request.headers.get("authorization"), ctx.settings.metrics_token):
        return error_response(401, 20003, "Authenticate: /metrics needs the bearer token set in CONVMEM_METRICS_TOKEN",
                              {"WWW-Authenticate": 'Bearer realm="convmem-metrics"'})
    return Response(ctx.runtime.metrics.exposition(), media_type=CONTENT_TYPE)


def route_template(scope: Scope) -> str:
    """The path template of the route that served (or would serve) the request. Routing sets
    ``scope["route"]``; a request refused before routing (401 and 429 at the gate, a 413 body)
    is matched against the routes here, which only such requests pay for."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    app = scope.get("app")
    return _match_template(getattr(getattr(app, "router", None), "routes", ()), scope) or UNMATCHED


def _match_template(routes: Any, scope: Scope) -> str | None:
    # FastAPI (0.16x) keeps each included router as one entry holding its own routes
    # (``original_router``); the routers here carry their prefix themselves, so a route's own
    # path is its full template.
    for candidate in routes:
        inner = getattr(candidate, "original_router", None)
        if candidate.matches(scope)[0] == Match.NONE:
            continue
        if inner is not None:
            found = _match_template(inner.routes, scope)
            if found is not None:
                return found
            continue
        path = getattr(candidate, "path", None)
        if isinstance(path, str):
            return path
    return None


class RequestMetricsMiddleware:
    """Observes each HTTP request's duration (to the end of its response) by method, route
    template and status. The outermost middleware, so that refusals are timed too."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before starting a response

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self.metrics.observe_request(method, route_template(scope), status, time.perf_counter() - started)
