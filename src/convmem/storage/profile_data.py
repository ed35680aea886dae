"""Profile rows, trait values and identifier values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Row, Table, bindparam, delete, func, insert, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from convmem.domain import ids
from convmem.storage.identity_tables import profile_identifiers, profile_traits
from convmem.storage.profile_tables import profiles
from convmem.storage.tables import identity_settings, stores
from convmem.storage.types import UtcDateTime


def _pg_array_type(column: Any) -> str:
    if isinstance(column.type, UtcDateTime):
        return "timestamptz"
    if isinstance(column.type, JSON):
        return "json"
    return "text"


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A multi-row insert. On PostgreSQL one ``INSERT ... SELECT * FROM unnest(arrays)`` with a
    constant text per table: psycopg's executemany sends a statement per row, and a giant
    multi-VALUES statement spends its time in client-side parameter parsing."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    arrays = ", ".join(f"%(c{i})s::{_pg_array_type(table.c[name])}[]" for i, name in enumerate(names))
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
    params: dict[str, list[Any]] = {}
    for i, name in enumerate(names):
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSON):
            values = [json.dumps(value) for value in values]
        params[f"c{i}"] = values
    conn.exec_driver_sql(sql, params)


def insert_profile(conn: Connection, store_id: str, now: datetime) -> str:
    return insert_profiles(conn, store_id, 1, now)[0]


def insert_profiles(conn: Connection, store_id: str, count: int, now: datetime) -> list[str]:
    new_ids = [ids.new_id(ids.PROFILE) for _ in range(count)]
    _insert_many(conn, profiles, [{"id": pid, "store_id": store_id, "created_at": now, "updated_at": now}
                                  for pid in new_ids])
    return new_ids


def touch(conn: Connection, profile_id: str, now: datetime) -> None:
    conn.execute(update(profiles).where(profiles.c.id == profile_id).values(updated_at=now))


def lock_existing(conn: Connection, profile_ids: Sequence[str]) -> list[str]:
    """Lock the profiles (in id order, so concurrent resolvers cannot deadlock) and return those
    that still exist."""
    return list(conn.execute(select(profiles.c.id).where(profiles.c.id.in_(sorted(profile_ids)))
                             .order_by(profiles.c.id).with_for_update()).scalars())


def delete_profile(conn: Connection, profile_id: str) -> None:
    conn.execute(delete(profiles).where(profiles.c.id == profile_id))


def list_query(store_id: str) -> Any:
    return select(profiles.c.id).where(profiles.c.store_id == store_id)


# ---- traits -----------------------------------------------------------------------------

def _trait_upsert(dialect: str) -> Any:
    """One statement per dialect, built once (so SQLAlchemy's compiled cache serves it) and run
    as an executemany."""
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(profile_traits)
    return stmt.on_conflict_do_update(
        index_elements=[profile_traits.c.profile_id, profile_traits.c.group_name, profile_traits.c.trait_name],
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at})


_TRAIT_UPSERT = {name: _trait_upsert(name) for name in ("postgresql", "sqlite")}


def upsert_traits(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows of ``profile_traits``; an existing (profile, group, trait) gets the new value and time."""
    if rows:
        conn.execute(_TRAIT_UPSERT[conn.dialect.name], list(rows))


def insert_traits(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows for profiles that have no traits yet (new profiles)."""
    _insert_many(conn, profile_traits, [dict(row) for row in rows])


def write_traits(conn: Connection, store_id: str, profile_id: str, values: Mapping[str, Mapping[str, Any]],
                 now: datetime) -> None:
    """Set (or, for ``None``, remove) trait values."""
    rows = []
    for group, traits in values.items():
        removed = [name for name, value in traits.items() if value is None]
        if removed:
            conn.execute(delete(profile_traits).where(
                profile_traits.c.profile_id == profile_id, profile_traits.c.group_name == group,
                profile_traits.c.trait_name.in_(removed)))
        rows += [{"profile_id": profile_id, "store_id": store_id, "group_name": group, "trait_name": name,
                  "value": value, "updated_at": now} for name, value in traits.items() if value is not None]
    upsert_traits(conn, rows)


def traits_of(conn: Connection, profile_ids: Sequence[str], groups: Iterable[str] | None = None) -> list[Row[Any]]:
    stmt = select(profile_traits).where(profile_traits.c.profile_id.in_(list(profile_ids)))
    if groups is not None:
        stmt = stmt.where(profile_traits.c.group_name.in_(list(groups)))
    return list(conn.execute(stmt.order_by(profile_traits.c.updated_at, profile_traits.c.group_name,
                                           profile_traits.c.trait_name)).all())


def delete_traits_of(conn: Connection, profile_ids: Sequence[str]) -> None:
    conn.execute(delete(profile_traits).where(profile_traits.c.profile_id.in_(list(profile_ids))))


def remove_trait_values(conn: Connection, store_id: str, group: str, names: list[str] | None) -> None:
    """Values of deleted trait definitions (or of a deleted group, ``names=None``)."""
    stmt = delete(profile_traits).where(profile_traits.c.store_id == store_id,
                                        profile_traits.c.group_name == group)
    if names is not None:
        stmt = stmt.where(profile_traits.c.trait_name.in_(names))
    conn.execute(stmt)


# ---- identifiers ------------------------------------------------------------------------

def identifiers_of(conn: Connection, profile_ids: Sequence[str], id_type: str | None = None) -> list[Row[Any]]:
    """Oldest first."""
    stmt = select(profile_identifiers).where(profile_identifiers.c.profile_id.in_(list(profile_ids)))
    if id_type is not None:
        stmt = stmt.where(profile_identifiers.c.id_type == id_type)
    return list(conn.execute(stmt.order_by(profile_identifiers.c.seq)).all())


def holders(conn: Connection, store_id: str, id_type: str, values: Sequence[str]) -> dict[str, int]:
    """profile id -> how many of ``values`` it holds for ``id_type``."""
    rows = conn.execute(select(profile_identifiers.c.profile_id, func.count()).where(
        profile_identifiers.c.store_id == store_id, profile_identifiers.c.id_type == id_type,
        profile_identifiers.c.value.in_(list(values))).group_by(profile_identifiers.c.profile_id)).all()
    return {row[0]: int(row[1]) for row in rows}


def holders_of_pairs(conn: Connection, store_id: str, pairs: Sequence[tuple[str, str]]) -> list[Row[Any]]:
    """Every (id_type, value, profile_id) stored for any of the (id_type, value) pairs."""
    if not pairs:
        return []
    by_type: dict[str, list[str]] = {}
    for id_type, value in pairs:
        by_type.setdefault(id_type, []).append(value)
    if conn.dialect.name == "postgresql":
        # One index lookup per probe value. ``value IN (...)``, or a plain join, leaves the plan
        # to row estimates that are stale on a fast-growing table, and the planner then reads
        # every identifier of the store; the LATERAL subquery (kept apart by OFFSET 0) cannot
        # be flattened into such a plan.
        return list(conn.exec_driver_sql(
            "SELECT found.id_type, found.value, found.profile_id "
            "FROM unnest(%(types)s::text[], %(values)s::text[]) AS probe(id_type, value) "
            "CROSS JOIN LATERAL (SELECT pi.id_type, pi.value, pi.profile_id FROM profile_identifiers AS pi "
            "WHERE pi.store_id = %(store)s AND pi.id_type = probe.id_type AND pi.value = probe.value "
            "OFFSET 0) AS found",
            {"types": [t for t, _ in pairs], "values": [v for _, v in pairs], "store": store_id}).all())
    # One indexed (store_id, id_type, value IN ...) probe per type, unioned: SQLite's planner
    # serves neither a row-value IN nor an OR of such terms from the whole index.
    cols = (profile_identifiers.c.id_type, profile_identifiers.c.value, profile_identifiers.c.profile_id)
    probes = [select(*cols).where(profile_identifiers.c.store_id == store_id,
                                  profile_identifiers.c.id_type == id_type, profile_identifiers.c.value.in_(values))
              for id_type, values in sorted(by_type.items())]
    stmt = probes[0] if len(probes) == 1 else union_all(*probes)
    return list(conn.execute(stmt).all())


def values_of_type(conn: Connection, store_id: str, id_type: str) -> list[Row[Any, Any]]:
    """Every (value, profile_id) of a type in the store: the candidates of fuzzy matching."""
    return list(conn.execute(select(profile_identifiers.c.value, profile_identifiers.c.profile_id).where(
        profile_identifiers.c.store_id == store_id, profile_identifiers.c.id_type == id_type)).all())


# Lookup is the hot read path: its statements are built once and only bound per call.
_HOLDING = (select(profile_identifiers.c.profile_id).where(
    profile_identifiers.c.store_id == bindparam("store_id"), profile_identifiers.c.id_type == bindparam("id_type"),
    profile_identifiers.c.value == bindparam("value")).order_by(profile_identifiers.c.profile_id).distinct()
    .limit(bindparam("limit")))
_ACTIVE_STORE_SETTINGS = (select(identity_settings.c.identifier_configs, identity_settings.c.matching_rules)
                          .join(stores, stores.c.id == identity_settings.c.store_id)
                          .where(stores.c.id == bindparam("store_id"), stores.c.account_sid == bindparam("account"),
                                 stores.c.status == "ACTIVE"))


def profiles_holding(conn: Connection, store_id: str, id_type: str, value: str, limit: int) -> list[str]:
    return list(conn.execute(_HOLDING, {"store_id": store_id, "id_type": id_type, "value": value,
                                        "limit": limit}).scalars())


def active_store_settings(conn: Connection, account_sid: str, store_id: str) -> Row[Any, Any] | None:
    """(identifier_configs, matching_rules) of the account's store when it is ACTIVE, in one query."""
    return conn.execute(_ACTIVE_STORE_SETTINGS, {"store_id": store_id, "account": account_sid}).first()


def insert_identifier(conn: Connection, store_id: str, profile_id: str, id_type: str, value: str, *,
                      unique: bool, now: datetime) -> None:
    insert_identifiers(conn, [identifier_row(store_id, profile_id, id_type, value, unique=unique, now=now)])


def identifier_row(store_id: str, profile_id: str, id_type: str, value: str, *, unique: bool,
                   now: datetime) -> dict[str, Any]:
    return {"profile_id": profile_id, "store_id": store_id, "id_type": id_type, "value": value,
            "unique_value": value if unique else None, "added_at": now}


def insert_identifiers(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """In list order, so insertion order (``seq``) follows it."""
    _insert_many(conn, profile_identifiers, [dict(row) for row in rows])


def delete_identifiers(conn: Connection, seqs: Sequence[int]) -> None:
    if seqs:
        conn.execute(delete(profile_identifiers).where(profile_identifiers.c.seq.in_(list(seqs))))


def move_identifiers(conn: Connection, seqs: Sequence[int], profile_id: str) -> None:
    if seqs:
        conn.execute(update(profile_identifiers).where(profile_identifiers.c.seq.in_(list(seqs)))
                     .values(profile_id=profile_id))
