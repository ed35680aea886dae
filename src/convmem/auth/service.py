"""Issuing credentials and checking HTTP Basic authentication."""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection

from convmem.auth import credentials
from convmem.domain.errors import InvalidRequest, Unauthorized
from convmem.storage import accounts as account_store
from convmem.storage.db import Database
from convmem.storage.dialects import postgresql

_CACHE_SECONDS = 60.0
UNAUTHORIZED_MESSAGE = "Failed to complete request due to lack of authentication credentials"
_BOOTSTRAP_LOCK = 0x636F6E766D656E  # serialises start-up account creation between processes


@dataclass(frozen=True)
class IssuedAccount:
    account_sid: str
    auth_token: str


@dataclass(frozen=True)
class IssuedKey:
    sid: str
    secret: str


def create_account(db: Database) -> IssuedAccount:
    sid, token = credentials.new_account_sid(), credentials.new_auth_token()
    with db.write() as conn:
        account_store.create_account(conn, sid, credentials.hash_secret(token))
    return IssuedAccount(sid, token)


def create_api_key(db: Database, account_sid: str) -> IssuedKey:
    if not credentials.ACCOUNT_SID_RE.match(account_sid):
        raise InvalidRequest(f"{account_sid!r} is not an Account SID (AC followed by 32 hex digits)")
    sid, secret = credentials.new_api_key_sid(), credentials.new_api_key_secret()
    with db.write() as conn:
        if not account_store.account_exists(conn, account_sid):
            raise InvalidRequest(f"account {account_sid} does not exist")
        account_store.create_api_key(conn, sid, account_sid, credentials.hash_secret(secret))
    return IssuedKey(sid, secret)


def ensure_account(db: Database, account_sid: str, auth_token: str) -> None:
    """Create the bootstrap account, or reset its token, from configuration."""
    if not credentials.ACCOUNT_SID_RE.match(account_sid):
        raise InvalidRequest("CONVMEM_ACCOUNT_SID must be AC followed by 32 lowercase hex digits")
    if len(auth_token) < 16:
        raise InvalidRequest("CONVMEM_AUTH_TOKEN must be at least 16 characters")
    token_hash = credentials.hash_secret(auth_token)
    with db.write() as conn:
        _lock_bootstrap(db, conn)
        if account_store.account_exists(conn, account_sid):
            account_store.set_account_token(conn, account_sid, token_hash)
        else:
            account_store.create_account(conn, account_sid, token_hash)


def has_accounts(db: Database) -> bool:
    with db.read() as conn:
        return account_store.count_accounts(conn) > 0


def create_first_account(db: Database) -> IssuedAccount | None:
    """The account of a first start: created when the database has none, else None."""
    sid, token = credentials.new_account_sid(), credentials.new_auth_token()
    with db.write() as conn:
        _lock_bootstrap(db, conn)
        if account_store.count_accounts(conn) > 0:
            return None
        account_store.create_account(conn, sid, credentials.hash_secret(token))
    return IssuedAccount(sid, token)


def _lock_bootstrap(db: Database, conn: Connection) -> None:
    """Server processes may start together on one PostgreSQL: without this, two of them could
    both find the bootstrap account missing and both insert it (one then fails to start), or
    both create a "first" account. SQLite's BEGIN IMMEDIATE already serialises them."""
    if not db.is_sqlite:
        postgresql.advisory_lock(conn, _BOOTSTRAP_LOCK)


class Authenticator:
    """Resolves an ``Authorization: Basic`` header to an account SID.

    Successful checks are cached briefly per (user, secret hash), which takes the database off
    the hot path of every request; new credentials work at once because misses always go to the
    database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[str, float]] = {}

    def cached(self, header: str | None) -> str | None:
        """The account of credentials checked recently, without touching the database; None
        when they must be checked (or are malformed: ``authenticate`` says why)."""
        try:
            return self._cached(*self._key(header))
        except Unauthorized:
            return None

    def authenticate(self, header: str | None) -> str:
        username, secret_hash = self._key(header)
        hit = self._cached(username, secret_hash)
        if hit is not None:
            return hit
        account_sid = self._verify(username, secret_hash)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[(username, secret_hash)] = (account_sid, time.monotonic() + _CACHE_SECONDS)
        return account_sid

    @staticmethod
    def username(header: str | None) -> str | None:
        """The user of a well-formed Basic header (an Account or API key SID), else None."""
        try:
            return Authenticator._parse(header)[0]
        except Unauthorized:
            return None

    def _key(self, header: str | None) -> tuple[str, str]:
        """(user, hash of the secret) of a Basic header; Unauthorized when it is malformed."""
        username, password = self._parse(header)
        return username, credentials.hash_secret(password)

    def _cached(self, username: str, secret_hash: str) -> str | None:
        with self._lock:
            hit = self._cache.get((username, secret_hash))
        return hit[0] if hit and hit[1] > time.monotonic() else None

    @staticmethod
    def _parse(header: str | None) -> tuple[str, str]:
        if not header or not header[:6].lower() == "basic ":
            raise Unauthorized(UNAUTHORIZED_MESSAGE)
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise Unauthorized(UNAUTHORIZED_MESSAGE) from None
        username, sep, password = decoded.partition(":")
        if not sep or not username or not password:
            raise Unauthorized(UNAUTHORIZED_MESSAGE)
        return username, password

    def _verify(self, username: str, secret_hash: str) -> str:
        with self._db.read() as conn:
            if credentials.ACCOUNT_SID_RE.match(username):
                stored = account_store.account_token_hash(conn, username)
                if stored and hmac.compare_digest(stored, secret_hash):
                    return username
            elif credentials.API_KEY_SID_RE.match(username):
                found = account_store.api_key(conn, username)
                if found and hmac.compare_digest(found[1], secret_hash):
                    return found[0]
        raise Unauthorized(UNAUTHORIZED_MESSAGE)
