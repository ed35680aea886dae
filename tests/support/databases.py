"""The test backend and its databases.

``CONVMEM_TEST_BACKEND`` picks it: ``sqlite`` (default; files in the test's temporary
directories) or ``postgresql`` (fresh databases on the server at ``CONVMEM_TEST_POSTGRES_URL``,
created and dropped by the tests)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from convmem.storage import migrate
from convmem.storage.db import Database

BACKEND = os.environ.get("CONVMEM_TEST_BACKEND", "sqlite")
POSTGRES_ADMIN_URL = os.environ.get("CONVMEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def empty_database(directory: Path, label: str) -> Iterator[str]:
    """The URL of a new, empty database of the test backend: a SQLite file in ``directory``, or
    a PostgreSQL database dropped afterwards."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{directory / f'{label}.db'}"
        return
    if BACKEND != "postgresql":
        raise RuntimeError(f"unknown CONVMEM_TEST_BACKEND {BACKEND!r}")
    name = f"convmem_{label}_{os.getpid()}_{secrets.token_hex(4)}"
    _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated(url: str) -> Iterator[Database]:
    """A handle on the database at ``url``, its schema up to date; disposed afterwards."""
    db = Database(url)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()
