"""Per-account token buckets kept in PostgreSQL, so that every server process on one database
draws from the same budget (in-process buckets would give N processes N times the rate).

Each request costs one statement: an UPSERT that refills the bucket for the time elapsed since
its last use, takes a token when one is there, and reports whether it did, all under the row
lock of the bucket, so concurrent requests from any process cannot overdraw it. Time comes from
the database clock, which all processes share.

The table is UNLOGGED: bucket state is disposable (a crash merely refills every bucket), and an
unlogged write neither produces WAL nor waits for an fsync at commit, which keeps this off the
latency of the request it guards. SQLite deployments are a single server, so they keep the
in-memory buckets of ``convmem.domain.rate_limit``; the table exists there too but stays empty."""

from __future__ import annotations

import math

from sqlalchemy import Boolean, Column, Float, String, Table, bindparam, cast, func
from sqlalchemy.dialects.postgresql import insert

from convmem.storage.db import Database
from convmem.storage.tables import metadata

rate_limit_buckets = Table(
    "rate_limit_buckets",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("tokens", Float, nullable=False),
    # Database clock, seconds since the epoch, of the last refill.
    Column("refilled_at", Float, nullable=False),
    # Whether the last request that touched the bucket got a token (read back by RETURNING).
    Column("granted", Boolean, nullable=False),
)  # made UNLOGGED on PostgreSQL by its migration


class SharedTokenBuckets:
    """Same contract as ``convmem.domain.rate_limit.TokenBuckets``: ``take`` returns 0 when a
    request may proceed, or the whole seconds to wait before a token will be available."""

    blocking = True

    def __init__(self, db: Database, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        # Autocommit: the UPSERT is its own transaction, one round trip, and its row lock is
        # released as soon as it finishes.
        self._engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        b = rate_limit_buckets.c
        now = cast(func.extract("epoch", func.now()), Float)
        elapsed = func.greatest(0.0, now - b.refilled_at)
        available = func.least(float(burst), b.tokens + elapsed * rate)
        stmt = insert(rate_limit_buckets).values(key=bindparam("bucket_key"), tokens=float(burst) - 1.0,
                                                 refilled_at=now, granted=True)
        self._statement = stmt.on_conflict_do_update(
            index_elements=[b.key],
            set_={
                "tokens": available - func.least(1.0, func.floor(available)),
                "refilled_at": func.greatest(b.refilled_at, now),
                "granted": available >= 1.0,
            },
        ).returning(b.tokens, b.granted)

    def take(self, key: str) -> int:
        if self.rate <= 0:
            return 0
        tokens: float
        granted: bool
        with self._engine.connect() as conn:
            tokens, granted = conn.execute(self._statement, {"bucket_key": key}).one()
        if granted:
            return 0
        return max(1, math.ceil((1.0 - tokens) / self.rate))
