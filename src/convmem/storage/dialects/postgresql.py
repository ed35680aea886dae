"""PostgreSQL, the scale-out backend (psycopg 3)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL


def create(url: URL, *, pool_size: int) -> Engine:
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)


def advisory_lock(conn: Connection, key: int) -> None:
    """Transaction-scoped advisory lock: serialises one-off work (migrations, bootstrap)
    between server processes sharing the database."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
