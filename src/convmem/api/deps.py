"""Dependencies shared by the routers, as typed aliases so route signatures read plainly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from convmem.auth.service import Authenticator
from convmem.config import Settings
from convmem.domain.errors import InvalidRequest, RateLimited
from convmem.domain.pagination import Cursor, TokenCodec, clamp_page_size
from convmem.domain.rate_limit import RateLimiter
from convmem.storage.db import Database


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    authenticator: Authenticator
    limiter: RateLimiter
    tokens: TokenCodec


async def get_context(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]


Context = Annotated[ServerContext, Depends(get_context)]


async def current_account(request: Request, ctx: Context) -> str:
    # Runs on the event loop: the usual case (credentials seen in the last minute, in-process
    # rate buckets) touches no database, and skipping a thread-pool hop per request shows in
    # Recall's latency. Database checks still go to a thread.
    header = request.headers.get("authorization")
    account_sid = ctx.authenticator.cached(header) or await run_in_threadpool(ctx.authenticator.authenticate, header)
    request.scope.setdefault("state", {})["account_sid"] = account_sid
    wait = (await run_in_threadpool(ctx.limiter.take, account_sid)) if ctx.limiter.blocking \
        else ctx.limiter.take(account_sid)
    if wait:
        raise RateLimited("Too many requests. Please retry according to the Retry-After response header.", wait)
    return account_sid


Account = Annotated[str, Depends(current_account)]


# host, IPv4 or [IPv6], with an optional port: anything else in Host/X-Forwarded-Host is ignored
# rather than pasted into the statusUrl and Location we send back.
_AUTHORITY = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def _first(request: Request, header: str) -> str:
    return request.headers.get(header, "").split(",")[0].strip()


def base_url(request: Request) -> str:
    """The URL prefix clients used to reach us, behind a proxy too."""
    proto = _first(request, "x-forwarded-proto").lower()
    if proto not in ("http", "https"):
        proto = request.url.scheme
    for host in (_first(request, "x-forwarded-host"), request.headers.get("host", "").strip()):
        if _AUTHORITY.match(host):
            return f"{proto}://{host}"
    server = request.scope.get("server") or ("127.0.0.1", 80)
    return f"{proto}://{server[0]}:{server[1]}"


BaseUrl = Annotated[str, Depends(base_url)]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=100)]

PageSizeParam = Annotated[int | None, Query(alias="pageSize", description="Items per page; clamped to the list's cap")]
PageTokenParam = Annotated[str | None, Query(alias="pageToken", max_length=4096)]
OrderByParam = Annotated[str | None, Query(alias="orderBy", description="ASC or DESC (default DESC)")]


def parse_order(order_by: str | None) -> str:
    if order_by is None or order_by == "":
        return "DESC"
    value = order_by.upper()
    if value not in ("ASC", "DESC"):
        raise InvalidRequest("orderBy must be ASC or DESC")
    return value


def parse_bool(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise InvalidRequest(f"{name} must be true or false")


@dataclass(frozen=True)
class PageRequest:
    cursor: Cursor
    size: int
    from_token: bool


def page_request(ctx: ServerContext, scope: str, *, page_size: int | None, page_token: str | None,
                 order_by: str | None, cap: int, filters: dict[str, object] | None = None) -> PageRequest:
    """The cursor for a list: decoded from ``pageToken`` (which carries order and filters),
    or a first page built from the query parameters."""
    size = clamp_page_size(page_size, cap)
    if page_token:
        return PageRequest(ctx.tokens.decode(scope, page_token), size, True)
    return PageRequest(Cursor(order=parse_order(order_by), filters=filters or {}), size, False)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PagingParams:
    page_size: int | None
    page_token: str | None
    order_by: str | None


def paging_params(request: Request, page_size: PageSizeParam = None, page_token: PageTokenParam = None,
                  order_by: OrderByParam = None) -> PagingParams:
    """``pageSize``/``pageToken``/``orderBy``; the capitalised ``PageSize``/``PageToken`` that the
    official client's ``*_with_http_info`` methods send are accepted as aliases."""
    query = request.query_params
    if page_size is None and query.get("PageSize"):
        try:
            page_size = int(query["PageSize"])
        except ValueError:
            raise InvalidRequest("PageSize must be an integer") from None
    if page_token is None and query.get("PageToken"):
        page_token = query["PageToken"]
        if len(page_token) > 4096:
            raise InvalidRequest("pageToken is too long")
    return PagingParams(page_size, page_token, order_by)


Paging = Annotated[PagingParams, Depends(paging_params)]
