"""Dependencies shared by the routers, as typed aliases so route signatures read plainly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from convmem.api import proxies
from convmem.auth.service import UNAUTHORIZED_MESSAGE, Authenticator
from convmem.config import Settings
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.errors import InvalidRequest, Unauthorized
from convmem.domain.pagination import Cursor, TokenCodec, clamp_page_size
from convmem.domain.rate_limit import FailureThrottle, RateLimiter
from convmem.runtime import Runtime
from convmem.storage.db import Database


@dataclass
class ServerContext:
    """What the HTTP layer holds besides the runtime: authentication, rate limits, page tokens."""

    runtime: Runtime
    authenticator: Authenticator
    limiter: RateLimiter
    tokens: TokenCodec
    # Failed authentications per client address (api/gate.py), and the reverse proxies whose
    # X-Forwarded-* headers are believed (api/proxies.py).
    auth_failures: FailureThrottle = field(default_factory=lambda: FailureThrottle(1.0, 20))
    trusted_proxies: tuple[proxies.Network, ...] = ()

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def db(self) -> Database:
        return self.runtime.db


async def get_context(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]


Context = Annotated[ServerContext, Depends(get_context)]


async def current_account(request: Request) -> str:
    """The account the request authenticated as: ``api.gate.AuthenticationGate`` checked the
    credentials (and the rate limit) before the body was read, for every path under its
    prefixes. A route outside them has no authenticated account and is refused."""
    account_sid = request.scope.get("state", {}).get("account_sid")
    if not account_sid:
        raise Unauthorized(UNAUTHORIZED_MESSAGE)
    return str(account_sid)


Account = Annotated[str, Depends(current_account)]


async def current_credential(request: Request, account: Account) -> str:
    """The SID of the credential the request used (an API key's, or the account's own): what
    the erasure audit trail records."""
    return str(request.scope.get("state", {}).get("credential_sid") or account)


Credential = Annotated[str, Depends(current_credential)]


def base_url(request: Request) -> str:
    """The URL prefix clients used to reach us (a trusted proxy's, behind one)."""
    ctx: ServerContext = request.app.state.context
    return proxies.base_url(request.scope, request.headers, ctx.trusted_proxies)


BaseUrl = Annotated[str, Depends(base_url)]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=100)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


async def conversation_clock(request: Request) -> Clock:
    """The clock of the Conversations lifecycle (a minute lasts ``conversation_minute_seconds``)."""
    ctx: ServerContext = request.app.state.context
    return Clock.with_minute(ctx.settings.conversation_minute_seconds)


ConversationClock = Annotated[Clock, Depends(conversation_clock)]

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


def query_values(request: Request, name: str) -> list[str]:
    """A list query parameter sent as repeated keys, capitalised, or comma-separated."""
    raw = request.query_params.getlist(name) + request.query_params.getlist(name[:1].upper() + name[1:])
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def single_query(request: Request, name: str, max_length: int = 256) -> str | None:
    """A query parameter, also under its capitalised name."""
    value = request.query_params.get(name) or request.query_params.get(name[:1].upper() + name[1:])
    if value is not None and len(value) > max_length:
        raise InvalidRequest(f"{name} is too long")
    return value or None
