"""The database handle: one engine, and the two kinds of transaction the service uses.

``write()`` is a unit of work that will modify data. On SQLite it starts with
``BEGIN IMMEDIATE`` so that writers queue on the database lock up front instead of failing
with SQLITE_BUSY when a deferred reader later tries to upgrade; on PostgreSQL it is an
ordinary READ COMMITTED transaction whose row locks (``SELECT ... FOR UPDATE``) serialise
conflicting writers. ``read()`` is a consistent snapshot for queries.

A write transaction commits before the caller sends its response: this is what makes a 202
a promise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url

from convmem.storage.dialects import postgresql, sqlite


def normalize_url(url: str) -> URL:
    """Accept ``postgresql://`` and ``sqlite:///path`` and pick the drivers we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    elif not parsed.drivername.startswith(("sqlite", "postgresql")):
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")
    return parsed


class Database:
    """``pool_size`` connections kept open, up to ``max_overflow`` more under a burst (default
    twice the pool), and ``pool_timeout`` seconds (default per dialect) to wait for one when all
    are in use; past that SQLAlchemy raises its pool ``TimeoutError``, which the API answers with
    503 and Retry-After (storage/failures.py)."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10,
                 max_overflow: int | None = None, pool_timeout: float | None = None) -> None:
        self.url = normalize_url(url)
        self.dialect = self.url.get_backend_name()
        overflow = pool_size * 2 if max_overflow is None else max_overflow
        if self.dialect == "sqlite":
            self.engine: Engine = sqlite.create(self.url, synchronous=sqlite_synchronous, pool_size=pool_size,
                                                max_overflow=overflow, pool_timeout=pool_timeout)
        else:
            self.engine = postgresql.create(self.url, pool_size=pool_size, max_overflow=overflow,
                                            pool_timeout=pool_timeout)
        self.pool_capacity = pool_size + overflow
        event.listen(self.engine, "begin", self._on_begin)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _on_begin(self, conn: Connection) -> None:
        if self.is_sqlite:
            immediate = conn.get_execution_options().get("convmem_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(convmem_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
