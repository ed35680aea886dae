"""Profiles: identity-resolved create, fetch, trait PATCH, delete, list, flattened traits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row

from convmem.domain import trait_values
from convmem.domain.errors import InvalidRequest
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.services import erasure
from convmem.services.common import require_store
from convmem.services.profile_scope import require_profile
from convmem.services.resolution import Resolved, StoreSchema, resolve, run_resolving
from convmem.storage import profile_data
from convmem.storage.db import Database
from convmem.storage.paging import keyset_page, list_page
from convmem.storage.profile_tables import profiles

if TYPE_CHECKING:
    from convmem.services.recall import RecallEngine



NO_IDENTIFIER = ("The profile must contain at least one trait promoted to an identifier (idTypePromotion), "
                 "e.g. Contact.email or Contact.phone")


def prepare_upsert(schema: StoreSchema, traits: dict[str, Any]) -> tuple[dict[str, list[str]],
                                                                        dict[str, dict[str, Any]]]:
    """Validate a create/bulk body: (normalized identifiers, trait values). Raises InvalidRequest."""
    write = trait_values.check_payload(traits, schema.groups, allow_null=False)
    if not write.has_identifier:
        raise trait_values.InvalidTraitValue(NO_IDENTIFIER)
    return schema.normalize_all(write.promoted), write.values


def upsert_in(conn: Connection, store_id: str, schema: StoreSchema, traits: dict[str, Any],
              now: datetime) -> Resolved:
    identifiers, values = prepare_upsert(schema, traits)
    return resolve(conn, store_id, schema, identifiers=identifiers, traits=values, now=now)


def create(db: Database, account_sid: str, store_id: str, traits: dict[str, Any], region: str) -> Resolved:
    def work(conn: Connection) -> Resolved:
        require_store(conn, account_sid, store_id)
        schema = StoreSchema.load(conn, store_id, region)
        if not traits:
            # The published specification makes ``traits`` optional: an empty create is a new,
            # empty profile (there is nothing to match it on). Traits without an identifier are
            # still refused: they would make an unreachable duplicate.
            return resolve(conn, store_id, schema, identifiers={}, traits={}, now=utcnow())
        return upsert_in(conn, store_id, schema, traits, utcnow())

    return run_resolving(db, work)


@dataclass
class ProfileView:
    row: Row[Any]
    traits: dict[str, dict[str, Any]]


def fetch(db: Database, account_sid: str, store_id: str, profile_id: str, groups: list[str] | None) -> ProfileView:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        row = require_profile(conn, store_id, profile_id)
        traits: dict[str, dict[str, Any]] = {}
        for trait in profile_data.traits_of(conn, [row.id], groups):
            traits.setdefault(trait.group_name, {})[trait.trait_name] = trait.value
    return ProfileView(row, traits)


def patch(db: Database, account_sid: str, store_id: str, profile_id: str, traits: dict[str, Any],
          region: str) -> Resolved:
    def work(conn: Connection) -> Resolved:
        require_store(conn, account_sid, store_id)
        require_profile(conn, store_id, profile_id)
        schema = StoreSchema.load(conn, store_id, region)
        write = trait_values.check_payload(traits, schema.groups, allow_null=True)
        identifiers = schema.normalize_all(write.promoted)
        return resolve(conn, store_id, schema, identifiers=identifiers, traits=write.values, now=utcnow(),
                       anchor=profile_id)

    return run_resolving(db, work)


def delete(db: Database, account_sid: str, store_id: str, profile_id: str, credential_sid: str | None = None,
           engine: RecallEngine | None = None) -> None:
    """Erase the profile and every trace of its customer (services/erasure.py); ``credential_sid``
    (the asking Account or API key SID) goes into the audit trail, ``engine`` is this process's
    Recall engine, whose caches drop the profile."""
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        require_profile(conn, store_id, profile_id, for_update=True)
        erased = erasure.erase_profile(conn, account_sid, store_id, profile_id, credential_sid or account_sid)
    erasure.finish(erased, engine)


def list_page_of(db: Database, account_sid: str, store_id: str, cursor: Cursor, size: int) -> Page:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return keyset_page(conn, profile_data.list_query(store_id), profiles.c.id, cursor, size)


def parse_groups(text: str | None) -> list[str] | None:
    if text is None or text == "":
        return None
    if len(text) > 256:
        raise InvalidRequest("traitGroups may be at most 256 characters")
    names = [name.strip() for name in text.split(",") if name.strip()]
    return names or None


def traits_page(db: Database, account_sid: str, store_id: str, profile_id: str, groups: Sequence[str] | None,
                cursor: Cursor, size: int) -> tuple[str, Page]:
    """The flattened traits, ordered by timestamp then group and name."""
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        row = require_profile(conn, store_id, profile_id)
        items = profile_data.traits_of(conn, [row.id], groups)
    return row.id, list_page(items, cursor, size)
