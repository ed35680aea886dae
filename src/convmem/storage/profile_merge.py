"""Merging profiles into their canonical survivor, in the caller's transaction.

Traits and identifiers have merge rules of their own (newest value wins per trait; identifier
sets are unioned and trimmed to their limits). Every other table whose rows belong to a
profile (a column with a foreign key to ``profiles.id``) is discovered from the metadata and
re-pointed, so resources added later (observations, summaries, conversation links, ...) move
without this module knowing them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, insert, inspect, update

from convmem.domain.identity_resolution import trim_to_limit
from convmem.storage import profile_data
from convmem.storage.identity_tables import profile_identifiers, profile_traits
from convmem.storage.profile_tables import profile_aliases, profiles
from convmem.storage.schema import metadata

_SPECIAL = {profile_traits.name, profile_identifiers.name, profile_aliases.name}

# (limit, limitPolicy) of an identifier type, for re-applying limits after the union.
LimitOf = Callable[[str], tuple[int, str]]


_existing_tables: dict[str, set[str]] = {}


def owned_columns(conn: Connection) -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) outside the special tables that references ``profiles.id``.
    Tables the database does not have (a module registered ahead of its migration) are skipped."""
    key = str(conn.engine.url)
    if key not in _existing_tables:
        _existing_tables[key] = set(inspect(conn).get_table_names())
    existing = _existing_tables[key]
    found = []
    for table in metadata.sorted_tables:
        if table.name in _SPECIAL or table.name == profiles.name or table.name not in existing:
            continue
        for column in table.columns:
            if any(fk.column.table.name == profiles.name for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _merge_traits(conn: Connection, canonical: str, others: Sequence[str]) -> None:
    newest: dict[tuple[str, str], Any] = {}
    for row in profile_data.traits_of(conn, [canonical, *others]):
        key = (row.group_name, row.trait_name)
        best = newest.get(key)
        if best is None or row.updated_at > best.updated_at or (
                row.updated_at == best.updated_at and row.profile_id == canonical):
            newest[key] = row
    profile_data.delete_traits_of(conn, others)
    profile_data.upsert_traits(conn, [
        {"profile_id": canonical, "store_id": row.store_id, "group_name": row.group_name,
         "trait_name": row.trait_name, "value": row.value, "updated_at": row.updated_at}
        for row in newest.values() if row.profile_id != canonical])


def _merge_identifiers(conn: Connection, canonical: str, others: Sequence[str], limit_of: LimitOf) -> None:
    rows = profile_data.identifiers_of(conn, [canonical, *others])
    held = {(r.id_type, r.value) for r in rows if r.profile_id == canonical}
    duplicates, moving = [], []
    for row in rows:
        if row.profile_id == canonical:
            continue
        if (row.id_type, row.value) in held:
            duplicates.append(row.seq)
        else:
            held.add((row.id_type, row.value))
            moving.append(row.seq)
    profile_data.delete_identifiers(conn, duplicates)
    profile_data.move_identifiers(conn, moving, canonical)
    by_type: dict[str, list[int]] = {}
    dropped = set(duplicates)
    for row in rows:
        if row.seq not in dropped:
            by_type.setdefault(row.id_type, []).append(row.seq)
    evicted: list[int] = []
    for id_type, seqs in by_type.items():
        limit, policy = limit_of(id_type)
        evicted += trim_to_limit(sorted(seqs), limit, policy)
    profile_data.delete_identifiers(conn, evicted)


def merge_into(conn: Connection, store_id: str, canonical: str, others: Sequence[str], *,
               limit_of: LimitOf, now: datetime) -> None:
    """Fold ``others`` into ``canonical``; their ids become aliases of it. The caller holds
    row locks on all of them."""
    others = [o for o in others if o != canonical]
    if not others:
        return
    _merge_traits(conn, canonical, others)
    _merge_identifiers(conn, canonical, others, limit_of)
    for table, column in owned_columns(conn):
        conn.execute(update(table).where(column.in_(others)).values({column.name: canonical}))
    # Older aliases follow their profile to the new canonical id: chains resolve in one hop.
    conn.execute(update(profile_aliases).where(profile_aliases.c.canonical_id.in_(others))
                 .values(canonical_id=canonical))
    conn.execute(delete(profiles).where(profiles.c.id.in_(others)))
    conn.execute(insert(profile_aliases), [
        {"alias_id": other, "store_id": store_id, "canonical_id": canonical, "merged_at": now}
        for other in others])
    profile_data.touch(conn, canonical, now)


def merged_limits(configs: Mapping[str, tuple[int, str]]) -> LimitOf:
    return lambda id_type: configs.get(id_type, (100, "fifo"))
