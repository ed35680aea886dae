"""Authentication at the door: credentials are checked on the request's headers before any of
its body is read.

A request without valid credentials costs a header lookup, a base64 decode of at most a few
kilobytes and one SHA-256 (plus, on a cache miss, one indexed read); its body is never read or
parsed, and the connection is closed after the refusal so that an unread body cannot be
streamed at us anyway. Failed attempts are counted per client address: past the allowance the
address gets 429 without its credentials even being looked at, and each failure is logged.
The per-account rate limit is taken here too, so a throttled client cannot make us read its
body either. Routes read the outcome from the request state (``deps.current_account``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from convmem.api.errors import error_response, failure_response, infrastructure_failure
from convmem.api.proxies import client_address
from convmem.auth.service import UNAUTHORIZED_MESSAGE, Authenticator
from convmem.domain.errors import Unauthorized

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Longer than any Basic header of a real credential (SID + secret is under 100 characters).
MAX_AUTHORIZATION = 1024
WWW_AUTHENTICATE = 'Basic realm="convmem"'
log = logging.getLogger("convmem.auth")
_LOG_EVERY_SECONDS = 1.0


def has_body(headers: dict[str, str]) -> bool:
    """Whether the client announced a body that may still be on the wire."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return True
    length = headers.get("content-length", "0").strip()
    return not length.isdigit() or int(length) > 0


class AuthenticationGate:
    def __init__(self, app: ASGIApp, *, protected: tuple[str, ...], public: tuple[str, ...] = ()) -> None:
        self.app = app
        self.protected = protected
        self.public = public
        self._last_logged: dict[str, float] = {}

    def _needs_credentials(self, path: str) -> bool:
        return path.startswith(self.protected) and not (self.public and path.startswith(self.public))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._needs_credentials(scope["path"]):
            await self.app(scope, receive, send)
            return
        ctx = scope["app"].state.context
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        # Refusals close the connection when a body may follow: we will not read it.
        close = {"Connection": "close"} if has_body(headers) else {}
        address = client_address(scope, headers, ctx.trusted_proxies)
        header = headers.get("authorization")
        authenticator: Authenticator = ctx.authenticator
        # Credentials that were verified a moment ago pass even from a throttled address (a
        # guesser behind the same NAT must not lock its users out); everything else waits.
        account_sid = authenticator.cached(header) if header is not None and len(header) <= MAX_AUTHORIZATION \
            else None
        if account_sid is None and (wait := ctx.auth_failures.wait(address)):
            self._log_failure(address, "throttled")
            await error_response(429, 20429, "Too many failed authentications from this address. Please retry "
                                 "according to the Retry-After response header.",
                                 {"Retry-After": str(wait), **close})(scope, receive, send)
            return
        try:
            if header is not None and len(header) > MAX_AUTHORIZATION:
                raise Unauthorized(UNAUTHORIZED_MESSAGE)
            account_sid = account_sid or await run_in_threadpool(authenticator.authenticate, header)
            wait = (await run_in_threadpool(ctx.limiter.take, account_sid)) if ctx.limiter.blocking \
                else ctx.limiter.take(account_sid)
        except Unauthorized:
            ctx.auth_failures.failed(address)
            self._log_failure(address, "missing credentials" if header is None else "invalid credentials",
                              Authenticator.username(header))
            await error_response(401, 20003, UNAUTHORIZED_MESSAGE,
                                 {"WWW-Authenticate": WWW_AUTHENTICATE, **close})(scope, receive, send)
            return
        except Exception as exc:
            # The database behind the credentials or the shared rate buckets is unavailable.
            failure = infrastructure_failure(exc)
            if failure is None:
                raise
            await failure_response(failure, close, error=exc)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["account_sid"] = account_sid
        state["credential_sid"] = Authenticator.username(header) or account_sid
        if wait:
            await error_response(429, 20429, "Too many requests. Please retry according to the Retry-After "
                                 "response header.", {"Retry-After": str(wait), **close})(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _log_failure(self, address: str, reason: str, username: str | None = None) -> None:
        """One line per address per second at most: a flood of failures must not flood the log."""
        now = time.monotonic()
        if now - self._last_logged.get(address, 0.0) < _LOG_EVERY_SECONDS:
            return
        if len(self._last_logged) > 10_000:
            self._last_logged.clear()
        self._last_logged[address] = now
        # The username (an Account or API key SID) is not secret; the password is never logged.
        user = username if username and len(username) <= 64 else None
        log.warning("authentication failed", extra={"fields": {"client": address, "reason": reason, "user": user}})
