"""The Alembic migrations build exactly the schema the code declares, form one linear chain,
and bring every database convmem has ever migrated to that schema.

tests/data/migrations/ holds databases made by convmem as it was before the chain was made
linear (commit 702bac8, old head revision ``0008``), so that no test needs git or the old code:

* ``old_head_0008.sqlite3``: a SQLite file, and
* ``old_head_0008.postgresql.sql``: ``pg_dump --no-owner --no-privileges --inserts`` of a
  PostgreSQL database,

each made by running that commit's ``convmem serve`` on an empty database (its own migrations)
and creating through the API one store, one profile (two traits, one email identifier) and one
observation (embedded by the job queue). The SQLite file was then checkpointed, switched to
``journal_mode=DELETE`` and vacuumed with ``page_size=1024`` to stay small.

Databases stopped part-way inside the old branched graph are rebuilt here from today's
migration files (their DDL is the old files' DDL, unchanged) with the old revision ids written
into ``alembic_version``."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.schema import metadata
from tests.support.databases import BACKEND, empty_database

DATA = Path(__file__).parent / "data" / "migrations"
MIGRATIONS = Path(migrate.__file__).parent / "migrations"
FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.py$")
OLD_SIBLINGS = ("0003", "0004", "0005", "rate_limit_buckets")  # the old branches on 0002


def test_migrations_match_metadata(db: Database) -> None:
    assert migrate.is_current(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"migrations and tables.py disagree: {diff}"


def test_upgrade_is_idempotent(db: Database) -> None:
    migrate.upgrade(db)
    assert migrate.is_current(db)


# ---- one linear chain -------------------------------------------------------------------------

def chain_problems(script_location: Path) -> list[str]:
    """Why the migrations in ``script_location`` are not one linear, contiguously numbered
    chain ``0001 -> 0002 -> ...`` whose files are named ``NNNN_<what>.py`` after their
    revision id; empty when they are."""
    problems: list[str] = []
    script = ScriptDirectory(str(script_location))
    heads = script.get_heads()
    if len(heads) != 1:
        problems.append(f"{len(heads)} heads {sorted(heads)}, expected exactly one")
    revisions = list(script.walk_revisions())
    for rev in revisions:
        if rev.is_merge_point:
            problems.append(f"{rev.revision} merges {rev.down_revision}")
        if rev.is_branch_point:
            problems.append(f"{rev.revision} is a branch point for {sorted(rev.nextrev)}")
        if rev.branch_labels or rev.dependencies:
            problems.append(f"{rev.revision} has branch labels or depends_on")
    by_number: dict[str, list[str]] = {}
    for path in sorted((script_location / "versions").glob("*.py")):
        match = FILE_NAME.match(path.name)
        if match is None:
            problems.append(f"{path.name} is not named NNNN_<what>.py")
        else:
            by_number.setdefault(match.group(1), []).append(path.name)
    for number, names in by_number.items():
        if len(names) > 1:
            problems.append(f"number {number} is used by {names}")
    expected = [f"{n:04d}" for n in range(1, len(by_number) + 1)]
    if sorted(by_number) != expected:
        problems.append(f"file numbers {sorted(by_number)} are not contiguous from 0001")
    for rev in revisions:
        name = Path(rev.path).name
        number = FILE_NAME.match(name)
        if number is None or number.group(1) != rev.revision:
            problems.append(f"revision {rev.revision!r} lives in {name}")
        if rev.revision.isdigit():
            parent = f"{int(rev.revision) - 1:04d}" if rev.revision != "0001" else None
            if rev.down_revision != parent:
                problems.append(f"{rev.revision} revises {rev.down_revision!r}, expected {parent!r}")
    return problems


def test_migrations_form_one_linear_chain() -> None:
    assert chain_problems(MIGRATIONS) == []
    assert migrate.head_revisions() == {f"{len(list((MIGRATIONS / 'versions').glob('*.py'))):04d}"}


def _write_revision(versions: Path, name: str, revision: str, down_revision: str | tuple[str, ...] | None) -> None:
    (versions / name).write_text(
        f"revision = {revision!r}\ndown_revision = {down_revision!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n")


@pytest.mark.parametrize(("change", "reported"), [
    ("branch", "is a branch point"), ("second_root", "2 heads"), ("merge", "merges"),
    ("duplicate_number", "is used by"), ("gap", "not contiguous"), ("misnamed", "lives in")])
def test_chain_check_catches(tmp_path: Path, change: str, reported: str) -> None:
    """The linear-chain check above fails on each way a chain stops being linear."""
    shutil.copytree(MIGRATIONS, tmp_path / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    versions = tmp_path / "migrations" / "versions"
    head = next(iter(migrate.head_revisions()))
    parent = f"{int(head) - 1:04d}"
    following = f"{int(head) + 1:04d}"
    if change == "branch":  # a second child of the head's parent: a branch point and two heads
        _write_revision(versions, f"{following}_sibling.py", following, parent)
    elif change == "second_root":
        _write_revision(versions, f"{following}_root.py", following, None)
    elif change == "merge":
        _write_revision(versions, f"{following}_side.py", following, parent)
        _write_revision(versions, f"{int(head) + 2:04d}_merge.py", f"{int(head) + 2:04d}", (head, following))
    elif change == "duplicate_number":
        _write_revision(versions, f"{head}_again.py", "again", head)
    elif change == "gap":
        _write_revision(versions, f"{int(head) + 2:04d}_skips.py", f"{int(head) + 2:04d}", head)
    else:
        _write_revision(versions, f"{following}_misnamed.py", "misnamed", head)
    problems = chain_problems(tmp_path / "migrations")
    assert any(reported in problem for problem in problems), problems


# ---- databases made before the chain was linear -------------------------------------------------

def schema_of(engine: Engine) -> dict[str, Any]:
    """Tables, columns, keys and indexes as the SQLAlchemy inspector sees them, plus the
    dialect's own catalog of what the inspector leaves out (virtual tables, triggers, UNLOGGED
    tables, index definitions)."""
    with engine.connect() as conn:
        insp = inspect(conn)
        tables: dict[str, Any] = {}
        for name in sorted(insp.get_table_names()):
            tables[name] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                            for c in insp.get_columns(name)],
                "primary_key": insp.get_pk_constraint(name),
                "foreign_keys": sorted(map(repr, insp.get_foreign_keys(name))),
                "unique": sorted(map(repr, insp.get_unique_constraints(name))),
                "indexes": sorted((i["name"], repr(i["column_names"]), i["unique"]) for i in insp.get_indexes(name)),
            }
        return {"tables": tables, "catalog": _catalog(conn)}


def _catalog(conn: Connection) -> list[tuple[Any, ...]]:
    if conn.dialect.name == "sqlite":
        query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    else:
        query = """
            SELECT 'relation', c.relname, c.relkind::text, c.relpersistence::text FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
            UNION ALL SELECT 'index', indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT 'trigger', t.tgname, t.tgrelid::regclass::text, pg_get_triggerdef(t.oid) FROM pg_trigger t
              WHERE NOT t.tgisinternal
            UNION ALL SELECT 'function', p.proname, '', pg_get_functiondef(p.oid) FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            ORDER BY 1, 2, 3"""
    return [tuple(row) for row in conn.execute(text(query))]


def rows_of(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[str]]:
    """The rows of each table, reduced to the given columns (those it had before the upgrade:
    a later migration may add some)."""
    rows: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table, names in columns.items():
            selected = ", ".join(f'"{name}"' for name in names)
            rows[table] = sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT {selected} FROM "{table}"')))
    return rows


def data_columns(engine: Engine) -> dict[str, list[str]]:
    """The columns of convmem's own tables that today's schema still declares (not
    alembic_version, not the full-text structures migration 0014 dropped)."""
    with engine.connect() as conn:
        insp = inspect(conn)
        return {table: [c["name"] for c in insp.get_columns(table) if c["name"] in metadata.tables[table].c]
                for table in insp.get_table_names() if table in metadata.tables}


def version_rows(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The schema of a database migrated from scratch by today's chain."""
    with empty_database(tmp_path_factory.mktemp("fresh"), "fresh") as url:
        db = Database(url)
        try:
            migrate.upgrade(db)
            yield schema_of(db.engine)
        finally:
            db.dispose()


@pytest.fixture
def old_database(tmp_path: Path) -> Iterator[Database]:
    with empty_database(tmp_path, "old") as url:
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


def _load_old_main(db: Database) -> None:
    if BACKEND == "sqlite":
        assert db.url.database is not None
        db.dispose()  # nothing is open yet; the copy becomes the database file
        shutil.copyfile(DATA / "old_head_0008.sqlite3", db.url.database)
        return
    # pg_dump (15.14 and later) brackets the dump with psql's \restrict meta-commands, which are
    # not SQL; everything else runs as one simple-protocol script.
    script = "\n".join(line for line in (DATA / "old_head_0008.postgresql.sql").read_text().splitlines()
                       if not line.startswith("\\"))
    url = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(script.encode())


def test_database_of_the_old_main_upgrades(old_database: Database, fresh_schema: dict[str, Any]) -> None:
    _load_old_main(old_database)
    assert version_rows(old_database) == ["0008"]  # the old head, which is 0009 now
    assert not migrate.is_current(old_database)
    columns = data_columns(old_database.engine)
    before = rows_of(old_database.engine, columns)
    assert all(len(before[t]) == 1 for t in ("accounts", "stores", "profiles", "observations"))
    assert len(before["profile_traits"]) == 2

    migrate.upgrade(old_database)

    assert version_rows(old_database) == sorted(migrate.head_revisions())  # one row: the head
    assert migrate.is_current(old_database)
    assert schema_of(old_database.engine) == fresh_schema
    assert rows_of(old_database.engine, columns) == before
    migrate.upgrade(old_database)  # and a second start changes nothing
    assert version_rows(old_database) == sorted(migrate.head_revisions())


def _build_old_state(db: Database, old_rows: set[str]) -> None:
    """Make ``db`` what the old branched graph left when its ``alembic_version`` held
    ``old_rows``: the same migrations run (today's files, same DDL) and the old ids stored."""
    applied = {migrate.OLD_TO_NEW[rev] for rev in _old_ancestry(old_rows)}
    chain = sorted(migrate.OLD_TO_NEW.values())
    prefix = next((i for i, rev in enumerate(chain) if rev not in applied), len(chain))
    script = ScriptDirectory.from_config(migrate.alembic_config())
    with db.write() as conn:
        command.upgrade(migrate.alembic_config(conn), chain[prefix - 1])
        context = MigrationContext.configure(conn, opts={"render_as_batch": db.is_sqlite})
        with Operations.context(context):
            for rev in chain[prefix:]:
                if rev in applied:  # a sibling the old graph ran without an earlier-numbered one
                    script.get_revision(rev).module.upgrade()
        conn.execute(text("DELETE FROM alembic_version"))
        for rev in sorted(old_rows):
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": rev})
        # A row that every old state has, to show that the translation keeps data.
        conn.execute(text("INSERT INTO accounts (sid, token_hash, created_at) VALUES ('AC' || :z, 'x', :t)"),
                     {"z": "0" * 32, "t": "2026-01-01 00:00:00+00:00"})


def _old_ancestry(rows: set[str]) -> set[str]:
    # The old graph, written out again rather than read from migrate, so that the test checks
    # migrate's copy instead of repeating it.
    parents = {"0001": (), "0002": ("0001",), "0006": OLD_SIBLINGS, "0007": ("0006",), "0008": ("0007",),
               **{sibling: ("0002",) for sibling in OLD_SIBLINGS}}
    seen: set[str] = set()
    pending = list(rows)
    while pending:
        rev = pending.pop()
        if rev not in seen:
            seen.add(rev)
            pending.extend(parents[rev])
    return seen


# Every alembic_version the old graph could have: each single head, and every combination of
# the four siblings on 0002 (released states such as {0003, 0004} and states only a partial
# `alembic upgrade <rev>` leaves, such as {0004} alone, whose applied set is no prefix of the
# new chain and needs the missing siblings run).
OLD_STATES = [{"0001"}, {"0002"}, {"0006"}, {"0007"}, {"0008"}] + [
    set(combo) for size in range(1, len(OLD_SIBLINGS) + 1) for combo in itertools.combinations(OLD_SIBLINGS, size)]


@pytest.mark.parametrize("old_rows", OLD_STATES, ids=lambda rows: "+".join(sorted(rows)))
def test_every_old_revision_state_upgrades(old_database: Database, fresh_schema: dict[str, Any],
                                           old_rows: set[str]) -> None:
    _build_old_state(old_database, old_rows)
    migrate.upgrade(old_database)
    assert version_rows(old_database) == sorted(migrate.head_revisions())
    assert schema_of(old_database.engine) == fresh_schema
    with old_database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM accounts")).scalar_one() == 1


@pytest.mark.parametrize("revision", ["0004", "0005", "0006", "0007", "0008"])
def test_linear_database_part_way_is_not_mistaken_for_an_old_one(old_database: Database,
                                                                 fresh_schema: dict[str, Any],
                                                                 revision: str) -> None:
    """The ids 0004 .. 0008 exist in both numberings; a database of today's chain stopped at
    one of them must be upgraded as what it is, not translated."""
    with old_database.write() as conn:
        command.upgrade(migrate.alembic_config(conn), revision)
    migrate.upgrade(old_database)
    assert version_rows(old_database) == sorted(migrate.head_revisions())
    assert schema_of(old_database.engine) == fresh_schema
