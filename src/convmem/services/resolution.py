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
from convmem.domain.errors import Conflict
from convmem.domain.normalization import normalize
from convmem.storage import profile_data, profile_merge
from convmem.storage import stores as store_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database

T = TypeVar("T")
MergeHook = Callable[[Connection, str, str, Sequence[str]], None]
_merge_hooks: list[MergeHook] = []


def on_profiles_merged(hook: MergeHook) -> None:
    """Register ``hook(conn, store_id, canonical_id, merged_away_ids)``, run inside the merge
    transaction, for state outside the metadata (e.g. a search index) that names profiles."""
    _merge_hooks.append(hook)


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
            hits[id_type] = profile_data.holders(conn, store_id, id_type, values)
    return hits


def add_identifier_value(conn: Connection, store_id: str, profile_id: str, id_type: str, value: str,
                         schema: StoreSchema, now: datetime) -> bool:
    """Attach one normalized value, evicting per limitPolicy. False when already held."""
    config = schema.settings.config(id_type)
    existing = profile_data.identifiers_of(conn, [profile_id], id_type)
    if any(row.value == value for row in existing):
        return False
    evicted = rules.evictions([row.seq for row in existing], config.limit, config.limit_policy)
    profile_data.delete_identifiers(conn, evicted)
    profile_data.insert_identifier(conn, store_id, profile_id, id_type, value, unique=config.enforce_unique,
                                   now=now)
    return True


def resolve(conn: Connection, store_id: str, schema: StoreSchema, *, identifiers: Mapping[str, list[str]],
            traits: Mapping[str, Mapping[str, Any]], now: datetime, anchor: str | None = None) -> Resolved:
    """Match, create/update/merge, then write. ``identifiers`` are already normalized.
    ``anchor`` is the profile a request names (PATCH, Identifiers API): it always takes part."""
    matched = rules.select_matches(schema.settings, _hits(conn, store_id, schema, identifiers))
    if anchor is not None and anchor not in matched:
        matched.insert(0, anchor)
    result: Resolved
    if not matched:
        result = Resolved(profile_data.insert_profile(conn, store_id, now), created=True)
    else:
        locked = profile_data.lock_existing(conn, matched)
        if len(locked) != len(set(matched)):
            raise ResolutionRace()
        canonical = rules.canonical_of(matched)
        others = sorted(set(matched) - {canonical})
        profile_merge.merge_into(conn, store_id, canonical, others, limit_of=schema.limit_of, now=now,
                                 hooks=_merge_hooks)
        result = Resolved(canonical, merged=others)
    profile_data.write_traits(conn, store_id, result.profile_id, traits, now)
    for id_type, values in identifiers.items():
        for value in values:
            add_identifier_value(conn, store_id, result.profile_id, id_type, value, schema, now)
    if not result.created:
        profile_data.touch(conn, result.profile_id, now)
    return result


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
