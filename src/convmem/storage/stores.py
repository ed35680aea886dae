"""Memory stores and their identity-resolution settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from convmem.domain.timefmt import utcnow
from convmem.storage.tables import accounts, identity_settings, stores


def lock_account(conn: Connection, account_sid: str) -> None:
    """Serialise quota checks of one account (no-op lock on SQLite, whose writers are
    already serialised by BEGIN IMMEDIATE)."""
    conn.execute(select(accounts.c.sid).where(accounts.c.sid == account_sid).with_for_update())


def count(conn: Connection, account_sid: str) -> int:
    return conn.execute(select(func.count()).select_from(stores)
                        .where(stores.c.account_sid == account_sid)).scalar_one()


def name_taken(conn: Connection, account_sid: str, display_name: str, *, except_id: str | None = None) -> bool:
    stmt = select(stores.c.id).where(stores.c.account_sid == account_sid,
                                     stores.c.display_name == display_name)
    if except_id:
        stmt = stmt.where(stores.c.id != except_id)
    return conn.execute(stmt).first() is not None


def insert_store(conn: Connection, *, store_id: str, account_sid: str, display_name: str,
                 description: str | None, status: str) -> None:
    now = utcnow()
    conn.execute(insert(stores).values(
        id=store_id, account_sid=account_sid, display_name=display_name, description=description,
        status=status, intelligence_service_id=None, version=1, created_at=now, updated_at=now,
        data_as_of=now,
    ))


def get(conn: Connection, account_sid: str, store_id: str, *, for_update: bool = False) -> Row[Any] | None:
    stmt = select(stores).where(stores.c.id == store_id, stores.c.account_sid == account_sid)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def update_store(conn: Connection, store_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(stores).where(stores.c.id == store_id)
                 .values(**values, version=stores.c.version + 1, updated_at=utcnow()))


def delete_store(conn: Connection, store_id: str) -> None:
    conn.execute(delete(stores).where(stores.c.id == store_id))


def list_query(account_sid: str) -> Any:
    return select(stores.c.id).where(stores.c.account_sid == account_sid)


def insert_identity_settings(conn: Connection, store_id: str, configs: list[dict[str, Any]],
                             rules: list[str]) -> None:
    conn.execute(insert(identity_settings).values(
        store_id=store_id, identifier_configs=configs, matching_rules=rules, version=1, updated_at=utcnow()))


def get_identity_settings(conn: Connection, store_id: str, *, for_update: bool = False) -> Row[Any]:
    stmt = select(identity_settings).where(identity_settings.c.store_id == store_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).one()


def replace_identity_settings(conn: Connection, store_id: str, configs: list[dict[str, Any]],
                              rules: list[str]) -> None:
    conn.execute(update(identity_settings).where(identity_settings.c.store_id == store_id).values(
        identifier_configs=configs, matching_rules=rules, version=identity_settings.c.version + 1,
        updated_at=utcnow()))
