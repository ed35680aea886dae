"""PostgreSQL, the scale-out backend (psycopg 3)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL

# Seconds to wait for a connection to the server: an unreachable database must turn into a
# 503 promptly, not hold a request for the operating system's TCP timeout.
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 10


def create(url: URL, *, pool_size: int) -> Engine:
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT}
    # pool_pre_ping replaces connections that died while pooled (a database restart), so the
    # pool recovers by itself once the database is back.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True,
                         pool_timeout=POOL_TIMEOUT, connect_args=connect_args)


def advisory_lock(conn: Connection, key: int) -> None:
    """Transaction-scoped advisory lock: serialises one-off work (migrations, bootstrap)
    between server processes sharing the database."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
