"""Bring a database to the newest schema with Alembic, safely from several processes.

The migrations form one linear chain ``0001 -> 0002 -> ... -> NNNN`` (tests/test_migrations.py
fails on a branch, a merge or a second head). Before issue 16 they did not: four siblings grew
on 0002 and a merge revision joined them::

    0001 -> 0002 -> {0003, 0004, 0005, rate_limit_buckets} -> 0006 (merge + memory_provenance)
         -> 0007 -> 0008

The same migrations, with their DDL unchanged, now run in this order (``OLD_TO_NEW``)::

    old id               new id   migration
    0001                 0001     initial schema
    0002                 0002     profiles
    0003                 0003     profile traits, identifiers, imports, jobs
    0004                 0004     memories and search
    0005                 0005     conversations v2 ingestion
    rate_limit_buckets   0006     rate limit buckets
    0006                 0007     memory provenance (the old merge; its table is kept)
    0007                 0008     import upload chunks
    0008                 0009     erasure audit

A database migrated before the renumbering still has old ids in ``alembic_version``.
``upgrade()`` rewrites them, in the same transaction (and under the same lock) as the Alembic
run that follows, so that a failure leaves the database exactly as it was:

* The old ids name a set of applied migrations: the rows and all their ancestors in the old
  graph. Translated, that set is usually a prefix of the new chain (every old single head —
  0001, 0002, 0003, 0006, 0007, 0008 — and the released intermediate states {0003, 0004},
  {0003, 0004, 0005}, {0003, 0004, 0005, rate_limit_buckets}); the version row becomes the
  prefix's last revision.
* A database stopped inside the old branches can hold a set that is not a prefix, e.g. only
  0002's child 0004 (``alembic upgrade 0004``) or 0005 without 0003. The siblings only
  depend on 0002's tables, never on each other, so the order in which they run does not
  matter: the version row is set to the longest applied prefix, then the chain is walked up
  to the furthest applied revision, running each missing migration with Alembic and stepping
  over (without re-running) each one already applied.
* Some strings mean different things in the two numberings (``0004`` .. ``0008``). An
  ``alembic_version`` with several rows or with ``rate_limit_buckets`` is old; a single row
  that is ``0009`` or later is new. For a single row in between, the two readings differ by
  at least one migration, and the table that migration creates tells which reading is true
  (e.g. ``0008`` with an ``erasure_audit`` table is the old head; without it, a database of
  the new chain stopped before 0009). A database whose row is one of these strings has run
  none of the migrations after 0009, so none of them can have removed that evidence.

Everything here is frozen: it describes databases that already exist and must not change when
later migrations are added."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from convmem.storage.db import Database
from convmem.storage.dialects import postgresql

_MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x636F6E766D656D  # "convmem"
_VERSION_TABLE = "alembic_version"

# The revision graph before the renumbering: old id -> the old ids it revised.
_OLD_PARENTS: dict[str, tuple[str, ...]] = {
    "0001": (),
    "0002": ("0001",),
    "0003": ("0002",),
    "0004": ("0002",),
    "0005": ("0002",),
    "rate_limit_buckets": ("0002",),
    "0006": ("0003", "0004", "0005", "rate_limit_buckets"),
    "0007": ("0006",),
    "0008": ("0007",),
}

# Old revision id -> the revision of the linear chain that runs the same migration.
OLD_TO_NEW: dict[str, str] = {
    "0001": "0001",
    "0002": "0002",
    "0003": "0003",
    "0004": "0004",
    "0005": "0005",
    "rate_limit_buckets": "0006",
    "0006": "0007",
    "0007": "0008",
    "0008": "0009",
}

# The linear chain as it stood when it replaced the old graph, in order.
_RENUMBERED_CHAIN: tuple[str, ...] = tuple(sorted(OLD_TO_NEW.values()))

# A table created by the migration of each new revision (and by no other): the evidence of
# whether that migration ran, where a version string alone is ambiguous.
_CREATES: dict[str, str] = {
    "0003": "profile_traits",
    "0004": "observations",
    "0005": "conversations",
    "0006": "rate_limit_buckets",
    "0007": "memory_provenance",
    "0008": "import_upload_chunks",
    "0009": "erasure_audit",
}


class Progress(Protocol):
    """Told what ``upgrade`` is about to run and when each step is done (the CLI's progress bar:
    on a large database one migration can take minutes)."""

    def planned(self, steps: list[str]) -> None:
        """The migrations about to run, in order, as "NNNN: what it does"; called once, maybe empty."""

    def applied(self, step: str) -> None:
        """One of them has run (its transaction commits with the whole upgrade)."""


def alembic_config(conn: Connection | None = None, progress: Progress | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    if progress is not None:
        # Read by migrations/env.py: Alembic calls it after each migration.
        def on_version_apply(*, step: Any, **_: Any) -> None:
            progress.applied(_describe(step.up_revision_id, step.up_revision.doc if step.up_revision else ""))

        cfg.attributes["on_version_apply"] = on_version_apply
    return cfg


def _describe(revision: str, doc: str | None) -> str:
    return f"{revision}: {(doc or '').splitlines()[0] if doc else ''}".rstrip(": ")


def pending_steps(conn: Connection) -> list[str]:
    """The migrations an upgrade to head would run on this database, oldest first."""
    current = MigrationContext.configure(conn).get_current_heads()
    script = ScriptDirectory.from_config(alembic_config())
    lower = current[0] if len(current) == 1 else "base"
    return [_describe(r.revision, r.doc) for r in reversed(list(script.iterate_revisions("head", lower)))]


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(db: Database, progress: Progress | None = None) -> None:
    with db.write() as conn:
        if not db.is_sqlite:
            postgresql.advisory_lock(conn, _LOCK_KEY)
        renumber_old_revisions(conn)
        if progress is not None:
            progress.planned(pending_steps(conn))
        # "head", not "heads": should a branch ever come back, Alembic refuses instead of
        # silently applying both sides in an order nobody chose.
        command.upgrade(alembic_config(conn, progress), "head")


def is_current(db: Database) -> bool:
    return current_revisions(db) == head_revisions()


# ---- the one-time translation of revision ids from before the renumbering ---------------------

def renumber_old_revisions(conn: Connection) -> None:
    """Rewrite an ``alembic_version`` written by the old, branched graph into the linear
    numbering (running the old branches this database had skipped, see the module docstring).
    A no-op on an empty database and on one already in the linear numbering. Runs inside the
    caller's transaction."""
    if not inspect(conn).has_table(_VERSION_TABLE):
        return
    rows = set(conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars())
    applied = _applied_by_old_graph(conn, rows)
    if applied is None:
        return
    positions = [_RENUMBERED_CHAIN.index(rev) for rev in applied]
    prefix = 0  # how many revisions, from the chain's start, all ran
    while prefix < len(_RENUMBERED_CHAIN) and _RENUMBERED_CHAIN[prefix] in applied:
        prefix += 1
    _set_version(conn, _RENUMBERED_CHAIN[prefix - 1])
    for rev in _RENUMBERED_CHAIN[prefix:max(positions) + 1]:
        if rev in applied:
            _set_version(conn, rev)  # already ran on its old branch: only move the pointer
        else:
            command.upgrade(alembic_config(conn), rev)  # one step: the version row is its parent


def _applied_by_old_graph(conn: Connection, rows: set[str]) -> set[str] | None:
    """The new revisions whose migrations ran, when ``rows`` are old revision ids; None when
    they are already linear ids (or the table is empty, or holds ids neither graph knows,
    which Alembic then reports)."""
    if not rows or not rows <= _OLD_PARENTS.keys():
        return None
    old_reading = {OLD_TO_NEW[rev] for rev in _old_ancestry(rows)}
    if len(rows) > 1 or rows - set(_RENUMBERED_CHAIN):
        return old_reading  # several heads, or "rate_limit_buckets": only the old graph had those
    (row,) = rows
    new_reading = set(_RENUMBERED_CHAIN[:_RENUMBERED_CHAIN.index(row) + 1])
    if old_reading == new_reading:
        return None  # 0001, 0002, 0003 mean the same thing in both numberings
    witness = min(old_reading ^ new_reading)
    ran = inspect(conn).has_table(_CREATES[witness])
    return old_reading if ran == (witness in old_reading) else None


def _old_ancestry(rows: Iterable[str]) -> set[str]:
    """The old revisions applied to a database whose old ``alembic_version`` holds ``rows``."""
    seen: set[str] = set()
    pending = list(rows)
    while pending:
        rev = pending.pop()
        if rev not in seen:
            seen.add(rev)
            pending.extend(_OLD_PARENTS[rev])
    return seen


def _set_version(conn: Connection, revision: str) -> None:
    # The linear chain keeps exactly one row; the old graph could have several.
    conn.execute(text(f"DELETE FROM {_VERSION_TABLE}"))
    conn.execute(text(f"INSERT INTO {_VERSION_TABLE} (version_num) VALUES (:rev)"), {"rev": revision})
