"""Web console sessions (convmem/console/): one row per signed-in browser.

Why a table and not a signed cookie alone: sign-out and expiry must end a session on the server
(a stolen cookie must stop working once its owner signs out), every process of a deployment
(``--workers N``, several hosts on PostgreSQL) must agree on it, and the CSRF token must be bound
to the session. The cookie carries a random token; only its SHA-256 is stored, so a copy of the
database does not hand out live sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, ForeignKey, Index, Row, String, Table, delete, insert, select

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), nullable=False),
    # The Account or API key SID that signed in: what the erasure audit trail records.
    Column("credential_sid", String(34), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_console_sessions_expires_at", "expires_at"),
)


def insert_session(conn: Connection, *, token_hash: str, account_sid: str, credential_sid: str, csrf_token: str,
                   created_at: datetime, expires_at: datetime) -> None:
    conn.execute(insert(console_sessions).values(
        token_hash=token_hash, account_sid=account_sid, credential_sid=credential_sid, csrf_token=csrf_token,
        created_at=created_at, expires_at=expires_at))


def live_session(conn: Connection, token_hash: str, now: datetime) -> Row[Any] | None:
    return conn.execute(select(console_sessions).where(console_sessions.c.token_hash == token_hash,
                                                       console_sessions.c.expires_at > now)).first()


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))


def purge_expired(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(console_sessions).where(console_sessions.c.expires_at <= now)).rowcount
