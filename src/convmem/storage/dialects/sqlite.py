"""SQLite, the embedded default: WAL journal, foreign keys on, and transactions we begin
ourselves (pysqlite's implicit BEGIN is turned off so ``Database`` can choose IMMEDIATE)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

_SYNC_MODES = {"OFF", "NORMAL", "FULL", "EXTRA"}


def create(url: URL, *, synchronous: str, pool_size: int) -> Engine:
    mode = synchronous.upper()
    if mode not in _SYNC_MODES:
        raise ValueError(f"sqlite synchronous must be one of {sorted(_SYNC_MODES)}")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=60,
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
        cur.close()

    return engine
