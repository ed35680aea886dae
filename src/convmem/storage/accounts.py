"""Accounts, API keys and server-wide settings."""

from __future__ import annotations

import secrets
from typing import cast

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from convmem.domain.timefmt import utcnow
from convmem.storage.tables import accounts, api_keys, server_settings


def create_account(conn: Connection, sid: str, token_hash: str) -> None:
    conn.execute(insert(accounts).values(sid=sid, token_hash=token_hash, created_at=utcnow()))


def set_account_token(conn: Connection, sid: str, token_hash: str) -> None:
    conn.execute(update(accounts).where(accounts.c.sid == sid).values(token_hash=token_hash))


def account_exists(conn: Connection, sid: str) -> bool:
    return conn.execute(select(accounts.c.sid).where(accounts.c.sid == sid)).first() is not None


def count_accounts(conn: Connection) -> int:
    return len(conn.execute(select(accounts.c.sid).limit(1)).all())


def account_token_hash(conn: Connection, sid: str) -> str | None:
    return conn.execute(select(accounts.c.token_hash).where(accounts.c.sid == sid)).scalar()


def create_api_key(conn: Connection, sid: str, account_sid: str, secret_hash: str) -> None:
    conn.execute(insert(api_keys).values(sid=sid, account_sid=account_sid, secret_hash=secret_hash,
                                         created_at=utcnow()))


def api_key(conn: Connection, sid: str) -> tuple[str, str] | None:
    """(account_sid, secret_hash) of an API key."""
    row = conn.execute(select(api_keys.c.account_sid, api_keys.c.secret_hash)
                       .where(api_keys.c.sid == sid)).first()
    return (row.account_sid, row.secret_hash) if row else None


def server_secret(conn: Connection, key: str) -> str:
    """A random server-wide secret, created on first use and shared by every process."""
    value: str | None = conn.execute(select(server_settings.c.value).where(server_settings.c.key == key)).scalar()
    if value is not None:
        return value
    try:
        with conn.begin_nested():
            conn.execute(insert(server_settings).values(key=key, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another process won the race; use its value
    return cast(str, conn.execute(select(server_settings.c.value).where(server_settings.c.key == key)).scalar_one())
