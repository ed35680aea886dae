"""Console sign-in, sessions and CSRF.

Credentials are checked by the API's own ``Authenticator`` (Account SID + auth token, or API key
SID + secret) and failed sign-ins count against the same per-address ``FailureThrottle`` as the
API's failed Basic authentications (api/gate.py), so a password guesser gains nothing by using
the form instead of the API.

A session is a row in ``console_sessions`` (storage/console_sessions.py, which says why a
table): the cookie holds a random token, the row its hash, the account, the credential, the
CSRF token and an absolute expiry checked on every request. The cookie is HttpOnly,
SameSite=Lax, and Secure when the request came over HTTPS (directly, or through a trusted proxy
that says so in X-Forwarded-Proto).

CSRF: every state-changing console request is a POST whose form carries ``csrf_token``, equal to
the session's token (synchroniser token). The sign-in form, before any session exists, uses a
double-submit token: a random cookie and the same value in the form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from convmem.api import proxies
from convmem.api.deps import ServerContext
from convmem.auth.service import Authenticator
from convmem.domain.errors import RateLimited, Unauthorized
from convmem.domain.timefmt import utcnow
from convmem.storage import console_sessions as session_repo

SESSION_COOKIE = "convmem_console"
LOGIN_COOKIE = "convmem_console_login"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_TOKEN_LIFETIME_SECONDS = 3600
COOKIE_PATH = "/console"
# Longer than any real SID or secret; a longer form value is refused without hashing it.
MAX_CREDENTIAL = 256
log = logging.getLogger("convmem.auth")


class SignInRequired(Exception):
    """No live session: the console redirects to the sign-in page."""


class CsrfRejected(Exception):
    """A POST without the right CSRF token: 403, nothing changed."""


class SignInThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    token_hash: str
    account_sid: str
    credential_sid: str
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def context(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]


def is_https(request: Request) -> bool:
    ctx = context(request)
    return proxies.base_url(request.scope, request.headers, ctx.trusted_proxies).startswith("https://")


def client_address(request: Request) -> str:
    ctx = context(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return proxies.client_address(request.scope, headers, ctx.trusted_proxies)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="lax",
                        secure=is_https(request))


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="lax", secure=is_https(request))


# ---- the session of a request -----------------------------------------------------------------

def current_session(request: Request) -> Session:
    """The live session of the request's cookie (a sync dependency: FastAPI runs it in the
    thread pool, as it reads the database). Raises SignInRequired."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        raise SignInRequired
    ctx = context(request)
    with ctx.db.read() as conn:
        row = session_repo.live_session(conn, _hash(token), utcnow())
    if row is None:
        raise SignInRequired
    # The account's API rate limit covers its console use too (the console is no way around it).
    wait = ctx.limiter.take(row.account_sid)
    if wait:
        raise RateLimited("Too many requests for this account. Please retry in a moment.", wait)
    return Session(row.token_hash, row.account_sid, row.credential_sid, row.csrf_token)


async def require_csrf(request: Request, session: Session) -> None:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise CsrfRejected


# ---- sign-in ----------------------------------------------------------------------------------

def login_token(request: Request) -> str:
    """The double-submit token of the sign-in form: the cookie's, or a new one."""
    existing = request.cookies.get(LOGIN_COOKIE)
    if existing and 20 <= len(existing) <= 64 and existing.replace("-", "").replace("_", "").isalnum():
        return existing
    return secrets.token_urlsafe(24)


def check_login_token(request: Request, sent: object) -> None:
    cookie = request.cookies.get(LOGIN_COOKIE)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise CsrfRejected


def _basic_header(username: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()


async def sign_in(request: Request, username: str, secret: str) -> tuple[Session, str] | None:
    """A new session and its cookie token for valid credentials; None for invalid ones (counted
    as a failed authentication of the client's address). Raises SignInThrottled while the
    address is over its allowance, unless these very credentials were verified a moment ago."""
    ctx = context(request)
    address = client_address(request)
    username, secret = username.strip(), secret.strip()
    header = _basic_header(username, secret) if username and secret and len(username) <= MAX_CREDENTIAL \
        and len(secret) <= MAX_CREDENTIAL else None
    authenticator: Authenticator = ctx.authenticator
    account_sid = authenticator.cached(header) if header else None
    if account_sid is None and (wait := ctx.auth_failures.wait(address)):
        raise SignInThrottled(wait)
    try:
        if header is None:
            raise Unauthorized("missing credentials")
        account: str = account_sid if account_sid is not None \
            else await run_in_threadpool(authenticator.authenticate, header)
    except Unauthorized:
        ctx.auth_failures.failed(address)
        user = username if 0 < len(username) <= 64 else None
        log.warning("console sign-in failed", extra={"fields": {"client": address, "user": user}})
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session = Session(_hash(token), account, username, csrf)

    def store() -> None:
        with ctx.db.write() as conn:
            session_repo.purge_expired(conn, now)
            session_repo.insert_session(conn, token_hash=session.token_hash, account_sid=account,
                                        credential_sid=username, csrf_token=csrf, created_at=now,
                                        expires_at=now + SESSION_LIFETIME)

    await run_in_threadpool(store)
    return session, token


def sign_out(request: Request, session: Session) -> None:
    with context(request).db.write() as conn:
        session_repo.delete_session(conn, session.token_hash)
