"""Bring a database to the newest schema with Alembic, safely from several processes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from convmem.storage.db import Database
from convmem.storage.dialects import postgresql

_MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x636F6E766D656D  # "convmem"


def alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(db: Database) -> None:
    with db.write() as conn:
        if not db.is_sqlite:
            postgresql.advisory_lock(conn, _LOCK_KEY)
        command.upgrade(alembic_config(conn), "heads")


def is_current(db: Database) -> bool:
    return current_revisions(db) == head_revisions()
