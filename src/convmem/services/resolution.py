"""Identity resolution inside one write transaction: find the profiles incoming identifiers
match, create / update / merge, then write traits and identifier values.

Used by CreateProfile, PatchProfileTraits, the Identifiers API, bulk upserts and CSV imports.
Uniqueness is guaranteed by the database: on PostgreSQL two transactions may both decide to
attach one value; the second then fails on the unique index and ``run_resolving`` retries it
from scratch, when it finds the value and joins the profile that holds it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from convmem.domain import identity_resolution as rules
from convmem.domain.errors import Conflict, DomainError
from convmem.domain.normalization import normalize
from convmem.storage import profile_data, profile_merge
from convmem.storage import stores as store_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database

T = TypeVar("T")


class ResolutionRace(Exception):
    """A profile this transaction matched was merged or deleted concurrently: start over."""


@dataclass
class StoreSchema:
    """What resolution needs to know about a store, read once per transaction or batch."""

    settings: rules.Settings
    groups: dict[str, dict[str, Any]]
    region: str

    @classmethod
    def load(cls, conn: Connection, store_id: str, region: str, *, with_groups: bool = True) -> StoreSchema:
        row = store_repo.get_identity_settings(conn, store_id)
        return cls(rules.Settings.from_rows(row.identifier_configs, row.matching_rules),
                   group_repo.all_traits(conn, store_id) if with_groups else {}, region)

    def normalize(self, id_type: str, value: str) -> str:
        config = self.settings.config(id_type)
        return normalize(value, config.normalization, id_type=id_type, region=self.region)

    def normalize_all(self, raw: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for id_type, values in raw.items():
            normalized = out.setdefault(id_type, [])
            for value in values:
                value = self.normalize(id_type, value)
                if value not in normalized:
                    normalized.append(value)
        return out

    def limit_of(self, id_type: str) -> tuple[int, str]:
        config = self.settings.configs.get(id_type)
        return (config.limit, config.limit_policy) if config else (100, "fifo")


@dataclass
class Resolved:
    profile_id: str
    created: bool = False
    merged: list[str] = field(default_factory=list)


def _hits(conn: Connection, store_id: str, schema: StoreSchema, identifiers: Mapping[str, list[str]]
          ) -> dict[str, dict[str, int]]:
    hits: dict[str, dict[str, int]] = {}
    exact_pairs: list[tuple[str, str]] = []
    for id_type in schema.settings.matching_types():
        values = identifiers.get(id_type)
        if not values:
            continue
        config = schema.settings.configs[id_type]
        if config.fuzzy:
            stored = profile_data.values_of_type(conn, store_id, id_type)
            candidates = [row.value for row in stored]
            found: dict[str, int] = {}
            for value in values:
                similar = set(rules.fuzzy_hits(value, candidates, config.matching_threshold))
                for row in stored:
                    if row.value in similar:
                        found[row.profile_id] = found.get(row.profile_id, 0) + 1
            hits[id_type] = found
        else:
            exact_pairs += [(id_type, value) for value in values]
    # One query for every exact value, whatever its type.
    for holder in profile_data.holders_of_pairs(conn, store_id, exact_pairs):
        per_type = hits.setdefault(holder.id_type, {})
        per_type[holder.profile_id] = per_type.get(holder.profile_id, 0) + 1
    return hits


def _plan_values(existing: list[Any], new_values: list[str], limit: int, policy: str) -> tuple[list[Any], list[str]]:
    """Add ``new_values`` one at a time to ``existing`` (rows, oldest first), evicting per policy.
    Returns (existing rows to delete, values to insert, in order)."""
    current: list[Any] = list(existing)  # rows, then values added in this call
    held = {row.value for row in existing}
    for value in new_values:
        if value in held:
            continue
        for evicted in rules.evictions(current, limit, policy):
            current.remove(evicted)
            held.discard(evicted if isinstance(evicted, str) else evicted.value)
        current.append(value)
        held.add(value)
    keep = {id(item) for item in current}
    deleted = [row for row in existing if id(row) not in keep]
    inserted = [item for item in current if isinstance(item, str)]
    return deleted, inserted


def write_identifiers(conn: Connection, store_id: str, profile_id: str, identifiers: Mapping[str, list[str]],
                      schema: StoreSchema, now: datetime, *, new_profile: bool) -> None:
    """Attach normalized values, each type kept within its limit by its limitPolicy."""
    if not any(identifiers.values()):
        return
    existing = [] if new_profile else profile_data.identifiers_of(conn, [profile_id])
    deleted: list[int] = []
    rows: list[dict[str, Any]] = []
    for id_type, values in identifiers.items():
        config = schema.settings.config(id_type)
        of_type = [row for row in existing if row.id_type == id_type]
        gone, added = _plan_values(of_type, values, config.limit, config.limit_policy)
        deleted += [row.seq for row in gone]
        rows += [profile_data.identifier_row(store_id, profile_id, id_type, value, unique=config.enforce_unique,
                                             now=now) for value in added]
    profile_data.delete_identifiers(conn, deleted)
    profile_data.insert_identifiers(conn, rows)


def _trait_rows(store_id: str, profile_id: str, traits: Mapping[str, Mapping[str, Any]], now: datetime
                ) -> list[dict[str, Any]]:
    return [{"profile_id": profile_id, "store_id": store_id, "group_name": group, "trait_name": name,
             "value": value, "updated_at": now}
            for group, values in traits.items() for name, value in values.items() if value is not None]


def resolve(conn: Connection, store_id: str, schema: StoreSchema, *, identifiers: Mapping[str, list[str]],
            traits: Mapping[str, Mapping[str, Any]], now: datetime, anchor: str | None = None) -> Resolved:
    """Match, create/update/merge, then write. ``identifiers`` are already normalized.
    ``anchor`` is the profile a request names (PATCH, Identifiers API): it always takes part."""
    matched = rules.select_matches(schema.settings, _hits(conn, store_id, schema, identifiers))
    if anchor is not None and anchor not in matched:
        matched.insert(0, anchor)
    if not matched:
        profile_id = profile_data.insert_profile(conn, store_id, now)
        profile_data.insert_traits(conn, _trait_rows(store_id, profile_id, traits, now))
        write_identifiers(conn, store_id, profile_id, identifiers, schema, now, new_profile=True)
        return Resolved(profile_id, created=True)
    locked = profile_data.lock_existing(conn, matched)
    if len(locked) != len(set(matched)):
        raise ResolutionRace()
    canonical = rules.canonical_of(matched)
    others = sorted(set(matched) - {canonical})
    profile_merge.merge_into(conn, store_id, canonical, others, limit_of=schema.limit_of, now=now)
    profile_data.write_traits(conn, store_id, canonical, traits, now)
    write_identifiers(conn, store_id, canonical, identifiers, schema, now, new_profile=False)
    if not others:
        profile_data.touch(conn, canonical, now)
    return Resolved(canonical, merged=others)


Prepared = tuple[dict[str, list[str]], dict[str, dict[str, Any]]]  # (normalized identifiers, trait values)


def resolve_batch(conn: Connection, store_id: str, schema: StoreSchema, items: list[Prepared], now: datetime
                  ) -> list[Resolved | DomainError]:
    """Resolve many prepared items in order, as ``resolve`` would one by one, but with the items
    that can only create a profile (none of their matching values is stored or shared with
    another item of the batch) written together in a handful of statements."""
    types = schema.settings.matching_types()
    if any(schema.settings.configs[t].fuzzy for t in types):
        return [_one(conn, store_id, schema, item, now) for item in items]
    pairs_of = [[(t, v) for t in types for v in item[0].get(t, [])] for item in items]
    seen: dict[tuple[str, str], int] = {}
    for pairs in pairs_of:
        for pair in set(pairs):
            seen[pair] = seen.get(pair, 0) + 1
    stored = {(row.id_type, row.value) for row in
              profile_data.holders_of_pairs(conn, store_id, list(seen))} if seen else set()
    independent = [
        i for i, (item, pairs) in enumerate(zip(items, pairs_of, strict=True))
        if not any(pair in stored or seen[pair] > 1 for pair in pairs)
        and all(len(values) <= schema.settings.config(t).limit for t, values in item[0].items())]
    results: dict[int, Resolved | DomainError] = {}
    if independent:
        try:
            with conn.begin_nested():
                new_ids = profile_data.insert_profiles(conn, store_id, len(independent), now)
                trait_rows: list[dict[str, Any]] = []
                identifier_rows: list[dict[str, Any]] = []
                for index, profile_id in zip(independent, new_ids, strict=True):
                    identifiers, traits = items[index]
                    trait_rows += _trait_rows(store_id, profile_id, traits, now)
                    identifier_rows += [
                        profile_data.identifier_row(store_id, profile_id, t, v,
                                                    unique=schema.settings.config(t).enforce_unique, now=now)
                        for t, values in identifiers.items() for v in values]
                    results[index] = Resolved(profile_id, created=True)
                profile_data.insert_traits(conn, trait_rows)
                profile_data.insert_identifiers(conn, identifier_rows)
        except DBAPIError:
            # A concurrent writer stored one of these values meanwhile: resolve them one by one.
            results.clear()
    for index, item in enumerate(items):
        if index not in results:
            results[index] = _one(conn, store_id, schema, item, now)
    return [results[i] for i in range(len(items))]


def _one(conn: Connection, store_id: str, schema: StoreSchema, item: Prepared, now: datetime
         ) -> Resolved | DomainError:
    try:
        return in_savepoint(conn, lambda c: resolve(c, store_id, schema, identifiers=item[0], traits=item[1],
                                                     now=now))
    except DomainError as exc:
        return exc


def _retriable(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError | ResolutionRace):
        return True
    # PostgreSQL deadlock (40P01) or serialization failure (40001) between resolvers.
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and code in ("40P01", "40001")


def run_resolving(db: Database, work: Callable[[Connection], T], attempts: int = 12) -> T:
    """Run ``work`` in a write transaction, starting over when a concurrent resolver won a race."""
    for attempt in range(attempts):
        try:
            with db.write() as conn:
                return work(conn)
        except (DBAPIError, ResolutionRace) as exc:
            if not _retriable(exc) or attempt == attempts - 1:
                if _retriable(exc):
                    raise Conflict("The profile was changed concurrently; retry the request") from None
                raise
            time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
    raise AssertionError("unreachable")


def in_savepoint(conn: Connection, work: Callable[[Connection], T], attempts: int = 12) -> T:
    """``work`` in a savepoint of a batch transaction, retried like ``run_resolving``: a
    failure undoes only this item."""
    for attempt in range(attempts):
        try:
            with conn.begin_nested():
                return work(conn)
        except (DBAPIError, ResolutionRace) as exc:
            if not _retriable(exc) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
