"""Errors in the API's own shape: ``{code, message, more_info, status}`` (never RFC 9457's
``type``/``title``, which would switch the official client to another exception class)."""

from __future__ import annotations

import errno
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from convmem.domain.errors import DomainError, ProfileMoved, RateLimited, ResourceConflict, Unauthorized
from convmem.storage.failures import Failure, classify, pool_exhausted

log = logging.getLogger("convmem.errors")

_GENERIC_CODES = {400: 520046, 401: 20003, 403: 403, 404: 20404, 405: 20405, 409: 20409, 412: 20412,
                  408: 20408, 413: 20413, 415: 20415, 429: 20429, 431: 20431, 500: 20500, 503: 20503}


def error_response(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"code": code, "message": message[:1024],
            "more_info": f"https://www.twilio.com/docs/api/errors/{code}", "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


# Seconds a client should wait before retrying when the database is unreachable (a restart or
# fail-over usually takes a few seconds) or the disk is full (an operator has to act).
RETRY_AFTER = {Failure.UNAVAILABLE: 2, Failure.STORAGE_FULL: 30, Failure.CONTENTION: 1}
_FAILURE_MESSAGES = {
    Failure.UNAVAILABLE: "Service Unavailable: the database cannot be reached right now; retry after the "
                         "Retry-After interval",
    Failure.STORAGE_FULL: "Service Unavailable: storage is full, so the server cannot accept writes until an "
                          "operator frees space; nothing already accepted was lost",
    Failure.CONTENTION: "Service Unavailable: the request collided with a concurrent change to the same data and "
                        "was rolled back whole; retry it as it is",
}


# A saturated pool frees a connection as soon as any request finishes: retry soon.
POOL_EXHAUSTED_RETRY_AFTER = 1
POOL_EXHAUSTED_MESSAGE = ("Service Unavailable: every database connection of this server is in use "
                          "(CONVMEM_DB_POOL_SIZE + CONVMEM_DB_MAX_OVERFLOW); retry after the Retry-After interval")


def failure_response(failure: Failure, headers: dict[str, str] | None = None, *,
                     error: BaseException | None = None) -> JSONResponse:
    """503 in the API's error shape for an infrastructure failure (never a 500: the request may
    be retried as it is); ``error``, when given, may call for a more precise message."""
    if error is not None and pool_exhausted(error):
        return error_response(503, 20503, POOL_EXHAUSTED_MESSAGE,
                              {"Retry-After": str(POOL_EXHAUSTED_RETRY_AFTER), **(headers or {})})
    return error_response(503, 20503, _FAILURE_MESSAGES[failure],
                          {"Retry-After": str(RETRY_AFTER[failure]), **(headers or {})})


def infrastructure_failure(exc: BaseException) -> Failure | None:
    """The database's or the disk's failure behind ``exc``, if that is what it is."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return Failure.STORAGE_FULL
    return classify(exc)


class BodyTimeout(Exception):
    """The client stopped sending its request body for longer than the body timeout."""


BODY_TIMEOUT_MESSAGE = "Request Timeout: the request body stopped arriving"


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    # Pydantic names the union member it tried ("StringRule"); it means nothing to a client.
    parts = [p for p in parts if not (p[:1].isupper() and p.endswith(("Rule", "Ingress", "CloudApp",
                                                                        "Warehouse")))]
    return ".".join(parts) or "body"


def describe_validation_errors(errors: list[dict[str, Any]]) -> str:
    described = []
    for err in errors[:5]:
        loc = tuple(err.get("loc", ()))
        where = _field_path(loc)
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            described.append(f"unknown field '{where}'")
        elif kind == "missing":
            described.append(f"'{where}' is required")
        elif kind == "json_invalid":
            described.append("the body is not valid JSON")
        else:
            described.append(f"'{where}': {err.get('msg', 'invalid value')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "Invalid request: " + "; ".join(described) + more


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


CANONICAL_HEADER = "Canonical-Profile-Id"
CONFLICTING_RESOURCE_HEADER = "X-Conflicting-Resource-Id"


def moved_response(request: Request, moved: ProfileMoved) -> JSONResponse:
    """301 for reads, 308 for writes; the same URL with the canonical profile id in it."""
    status = 301 if request.method in ("GET", "HEAD") else 308
    from convmem.api.deps import base_url

    path = request.url.path.replace(moved.requested_id, moved.canonical_id, 1)
    query = request.url.query
    uri = f"{base_url(request)}{path}" + (f"?{query}" if query else "")
    return JSONResponse({"message": "This resource has moved.", "uri": uri}, status_code=status,
                        headers={"Location": uri, CANONICAL_HEADER: moved.canonical_id})


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route offers at this path (for ``Allow``). Starlette names only the
    methods of the first route whose path matched, and FastAPI registers one route per method."""
    allowed = [method for method in _METHODS
               if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                      for route in request.app.router.routes)]
    return ", ".join(allowed)


def install(app: FastAPI) -> None:
    @app.exception_handler(ProfileMoved)
    async def _moved(request: Request, exc: ProfileMoved) -> JSONResponse:
        return moved_response(request, exc)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if isinstance(exc, Unauthorized):
            headers = {"WWW-Authenticate": 'Basic realm="convmem"'}
        if isinstance(exc, ResourceConflict):
            headers = {CONFLICTING_RESOURCE_HEADER: exc.resource_id}
        return error_response(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        content_type = request.headers.get("content-type", "")
        # FastAPI leaves a body of another media type unparsed, and the resulting complaint
        # ("'body': Input should be a valid dictionary") would hide the real mistake.
        if content_type and not _is_json(content_type) and any(tuple(e.get("loc", ()))[:1] == ("body",)
                                                               for e in errors):
            return error_response(400, 520046, "Invalid request: the body must be JSON sent with Content-Type: "
                                               f"application/json (got {content_type[:100]!r})")
        return error_response(400, 520046, describe_validation_errors(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        message = {404: "The requested resource was not found", 405: "Method not allowed"}.get(
            status, str(exc.detail))
        headers = dict(exc.headers) if exc.headers else {}
        if status == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(status, _GENERIC_CODES.get(status, status), message, headers or None)

    @app.exception_handler(BodyTimeout)
    async def _body_timeout(_: Request, __: BodyTimeout) -> JSONResponse:
        return error_response(408, 20408, BODY_TIMEOUT_MESSAGE, {"Connection": "close"})

    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(OSError)
    async def _infrastructure(request: Request, exc: Exception) -> JSONResponse:
        failure = infrastructure_failure(exc)
        if failure is None:
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return error_response(500, 20500, "Internal Server Error")
        log.warning("%s on %s %s: %s", failure.value, request.method, request.url.path, type(exc).__name__)
        return failure_response(failure, error=exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        failure = infrastructure_failure(exc)
        if failure is not None:
            return failure_response(failure, error=exc)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, 20500, "Internal Server Error")
