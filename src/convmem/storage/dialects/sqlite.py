"""SQLite, the embedded default: WAL journal, foreign keys on, and transactions we begin
ourselves (pysqlite's implicit BEGIN is turned off so ``Database`` can choose IMMEDIATE)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

_SYNC_MODES = {"OFF", "NORMAL", "FULL", "EXTRA"}

# Seconds a thread waits for a pooled connection: long, as a writer holds its connection while
# it queues on the database lock (busy_timeout, 30 s) and the pool must not fail before it.
POOL_TIMEOUT = 60


def create(url: URL, *, synchronous: str, pool_size: int, max_overflow: int,
           pool_timeout: float | None = None) -> Engine:
    mode = synchronous.upper()
    if mode not in _SYNC_MODES:
        raise ValueError(f"sqlite synchronous must be one of {sorted(_SYNC_MODES)}")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=POOL_TIMEOUT if pool_timeout is None else pool_timeout,
        # Statement parameters are customer content: keep them out of exception messages, which
        # end up in logs and in failed jobs' error column.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsynced at every commit, so an accepted write survives a power cut,
        # not only a killed process.
        cur.execute(f"PRAGMA synchronous={mode}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # Erasure: a deleted row's bytes (and freed pages) are overwritten with zeros instead of
        # staying readable in the file. A per-connection setting, so every connection sets it.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    return engine


def truncate_wal(engine: Engine) -> bool:
    """Copy the whole WAL into the database file and truncate it to zero bytes, so that frames
    holding erased rows are gone from it. Outside any transaction (a checkpoint cannot complete
    inside one): on the driver connection, which SQLAlchemy would otherwise wrap in our BEGIN.
    Waits (busy_timeout) for readers of older frames; False if one still held them."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return int(busy) == 0
