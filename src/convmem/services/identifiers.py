"""The Identifiers API of a profile, and Lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from convmem.domain import identity_resolution as rules
from convmem.domain.errors import Conflict, InvalidRequest, NotFound
from convmem.domain.timefmt import utcnow
from convmem.services.common import require_store
from convmem.services.profile_scope import require_profile
from convmem.services.resolution import StoreSchema, resolve, run_resolving
from convmem.storage import profile_data
from convmem.storage.db import Database

MAX_LOOKUP = 100


def check_id_type(id_type: str) -> None:
    if not 2 <= len(id_type) <= 30:
        raise InvalidRequest("idType must be 2 to 30 characters")


def _sets(rows: list[Any]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = {}
    for row in rows:
        grouped.setdefault(row.id_type, []).append(row.value)
    return [{"idType": id_type, "values": values} for id_type, values in grouped.items()]


def list_sets(db: Database, account_sid: str, store_id: str, profile_id: str) -> list[dict[str, Any]]:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        row = require_profile(conn, store_id, profile_id)
        return _sets(profile_data.identifiers_of(conn, [row.id]))


def fetch_set(db: Database, account_sid: str, store_id: str, profile_id: str, id_type: str) -> dict[str, Any]:
    check_id_type(id_type)
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        row = require_profile(conn, store_id, profile_id)
        sets = _sets(profile_data.identifiers_of(conn, [row.id], id_type))
    if not sets:
        raise NotFound(f"Profile {profile_id} has no {id_type} identifier")
    return sets[0]


def add(db: Database, account_sid: str, store_id: str, profile_id: str, id_type: str, value: str,
        region: str) -> str:
    """Attach a value; a value another profile holds under enforceUnique merges the two."""
    check_id_type(id_type)

    def work(conn: Connection) -> str:
        require_store(conn, account_sid, store_id)
        require_profile(conn, store_id, profile_id)
        schema = StoreSchema.load(conn, store_id, region, with_groups=False)
        normalized = schema.normalize(id_type, value)
        return resolve(conn, store_id, schema, identifiers={id_type: [normalized]}, traits={}, now=utcnow(),
                       anchor=profile_id).profile_id

    return run_resolving(db, work)


def replace(db: Database, account_sid: str, store_id: str, profile_id: str, id_type: str, *,
            body_id_type: str, old_value: str, new_value: str, region: str) -> str:
    check_id_type(id_type)
    if body_id_type != id_type:
        raise InvalidRequest(f"The body's idType {body_id_type!r} does not match the path's {id_type!r}")

    def work(conn: Connection) -> str:
        require_store(conn, account_sid, store_id)
        require_profile(conn, store_id, profile_id)
        schema = StoreSchema.load(conn, store_id, region)
        config = schema.settings.config(id_type)
        old = old_value if config.normalization == "none" else _try_normalize(schema, id_type, old_value)
        new = schema.normalize(id_type, new_value)
        existing = profile_data.identifiers_of(conn, [profile_id], id_type)
        old_rows = [row for row in existing if row.value == old]
        if not old_rows:
            raise NotFound(f"Profile {profile_id} has no {id_type} identifier {old_value!r}")
        if any(row.value == new for row in existing):
            raise Conflict(f"Profile {profile_id} already holds the {id_type} identifier {new!r}")
        profile_data.delete_identifiers(conn, [row.seq for row in old_rows])
        return resolve(conn, store_id, schema, identifiers={id_type: [new]}, traits={}, now=utcnow(),
                       anchor=profile_id).profile_id

    return run_resolving(db, work)


def _try_normalize(schema: StoreSchema, id_type: str, value: str) -> str:
    """A stored value may predate a normalization change; fall back to the raw text."""
    try:
        return schema.normalize(id_type, value)
    except InvalidRequest:
        return value


def remove(db: Database, account_sid: str, store_id: str, profile_id: str, id_type: str, *, remove_all: bool,
           region: str) -> None:
    check_id_type(id_type)
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        require_profile(conn, store_id, profile_id, for_update=True)
        schema = StoreSchema.load(conn, store_id, region)
        config = schema.settings.configs.get(id_type)
        existing = profile_data.identifiers_of(conn, [profile_id], id_type)
        if config is None and not existing:
            schema.settings.config(id_type)  # raises: not configured
        if not existing:
            raise NotFound(f"Profile {profile_id} has no {id_type} identifier")
        seqs = [row.seq for row in existing]
        policy = config.limit_policy if config else "fifo"
        profile_data.delete_identifiers(conn, seqs if remove_all else [rules.removal_for_delete(seqs, policy)])


@dataclass
class LookupResult:
    normalized_value: str
    profiles: list[str]


def lookup(db: Database, account_sid: str, store_id: str, id_type: str, value: str, region: str) -> LookupResult:
    check_id_type(id_type)
    with db.read() as conn:
        row = profile_data.active_store_settings(conn, account_sid, store_id)
        if row is None:
            require_store(conn, account_sid, store_id)  # raises the precise error
            raise NotFound(f"Memory store {store_id} was not found")
        schema = StoreSchema(rules.Settings.from_rows(row.identifier_configs, row.matching_rules), {}, region)
        config = schema.settings.config(id_type)
        normalized = schema.normalize(id_type, value)
        if config.fuzzy:
            stored = profile_data.values_of_type(conn, store_id, id_type)
            similar = set(rules.fuzzy_hits(normalized, [row.value for row in stored], config.matching_threshold))
            found = sorted({row.profile_id for row in stored if row.value in similar})[:MAX_LOOKUP]
        else:
            found = profile_data.profiles_holding(conn, store_id, id_type, normalized, MAX_LOOKUP)
    return LookupResult(normalized, found)
