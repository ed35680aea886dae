"""PostgreSQL, the scale-out backend (psycopg 3)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL

# Seconds to wait for a connection to the server: an unreachable database must turn into a
# 503 promptly, not hold a request for the operating system's TCP timeout.
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 10


def create(url: URL, *, pool_size: int, max_overflow: int, pool_timeout: float | None = None) -> Engine:
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT}
    # pool_pre_ping replaces connections that died while pooled (a database restart), so the
    # pool recovers by itself once the database is back.
    return create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True,
                         pool_timeout=POOL_TIMEOUT if pool_timeout is None else pool_timeout,
                         connect_args=connect_args,
                         # Statement parameters are customer content: keep them out of exception
                         # messages, which end up in logs and in failed jobs' error column.
                         hide_parameters=True)


def advisory_lock(conn: Connection, key: int) -> None:
    """Transaction-scoped advisory lock: serialises one-off work (migrations, bootstrap)
    between server processes sharing the database."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


# ---- erasure: making deleted rows leave the relation files --------------------------------

def transaction_xid(conn: Connection) -> int:
    """The (64-bit) id of the caller's writing transaction: the reclaim job waits until no
    snapshot that could still see what this transaction deleted remains."""
    return int(conn.execute(text("SELECT pg_current_xact_id()::text")).scalar_one())


# Sessions of this database whose snapshot or running transaction is not newer than the
# erasing transaction (32-bit xid; ``age`` compares modulo wraparound): while one exists,
# VACUUM must keep the rows that transaction deleted.
_HOLDING_BACK = text("""
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND ((backend_xmin IS NOT NULL AND age(backend_xmin) >= age(CAST(:xid AS xid)))
       OR (backend_xid IS NOT NULL AND age(backend_xid) > age(CAST(:xid AS xid))))
""")
_POLL_SECONDS = 0.2


def _wait_for_horizon(conn: Connection, xid: int, timeout: float, renew: Callable[[], None]) -> bool:
    deadline = time.monotonic() + timeout
    next_renewal = time.monotonic() + 5
    while conn.execute(_HOLDING_BACK, {"xid": str(xid % 2**32)}).scalar_one():
        if time.monotonic() >= deadline:
            return False
        if time.monotonic() >= next_renewal:
            renew()
            next_renewal = time.monotonic() + 5
        time.sleep(_POLL_SECONDS)
    return True


def reclaim(engine: Engine, tables: Sequence[str], *, after_xid: int | None, wait_seconds: float,
            renew: Callable[[], None]) -> bool:
    """Remove erased rows from the relation files of ``tables`` (names the caller has checked):
    wait until no snapshot older than the erasing transaction ``after_xid`` remains (at most
    ``wait_seconds``), then ``VACUUM`` them with index cleanup forced on (otherwise VACUUM may
    skip the indexes when few pages changed, and their entries keep the erased values).

    VACUUM cannot run in a transaction, hence the autocommit connection. Returns whether the
    horizon had passed (if not, rows deleted by the erasing transaction may survive until the
    next VACUUM)."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        passed = True if after_xid is None else _wait_for_horizon(conn, after_xid, wait_seconds, renew)
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(f"VACUUM (INDEX_CLEANUP ON) {', '.join(quote(t) for t in tables)}")
        renew()
    return passed
