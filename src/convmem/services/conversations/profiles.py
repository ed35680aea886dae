"""Resolving conversation participants to Memory profiles (contract section 6), by calling
the profiles code: an explicit profile id (merges followed), lookup by identifier and creation
with identifiers.

Runs inside the caller's write transaction, each step in a savepoint: resolution is
fail-open, so a failed lookup or creation leaves the participant without a profile and
never blocks it."""

from __future__ import annotations

import logging

from sqlalchemy import Connection

from convmem.domain import identity_resolution as id_rules
from convmem.domain.conversations.participants import Identifier, ResolutionPlan
from convmem.domain.timefmt import utcnow
from convmem.services.common import active_store_id
from convmem.services.profile_scope import canonical_profile
from convmem.services.resolution import StoreSchema, in_savepoint, resolve
from convmem.storage import profile_data

log = logging.getLogger("convmem.conversations.profiles")


def _normalized(schema: StoreSchema, identifiers: tuple[Identifier, ...]) -> list[Identifier]:
    """The identifiers the store knows, normalized its way; others are skipped."""
    out: list[Identifier] = []
    for ident in identifiers:
        if ident.id_type not in schema.settings.configs:
            continue
        try:
            value = schema.normalize(ident.id_type, ident.value)
        except Exception:  # a value the store cannot normalize is just not used
            continue
        if Identifier(ident.id_type, value) not in out:
            out.append(Identifier(ident.id_type, value))
    return out


def find_profile(conn: Connection, store_id: str, identifiers: list[Identifier]) -> str | None:
    """First address (in order) whose identifier some profile holds: that profile."""
    for ident in identifiers:
        holders = profile_data.holders(conn, store_id, ident.id_type, [ident.value])
        if holders:
            return id_rules.canonical_of(holders)
    return None


def create_profile(conn: Connection, store_id: str, schema: StoreSchema, identifiers: list[Identifier]) -> str:
    grouped: dict[str, list[str]] = {}
    for ident in identifiers:
        grouped.setdefault(ident.id_type, []).append(ident.value)
    return resolve(conn, store_id, schema, identifiers=grouped, traits={}, now=utcnow()).profile_id


def resolve_participant(conn: Connection, account_sid: str, store_id: str | None, plan: ResolutionPlan,
                        region: str) -> str | None:
    """The canonical profile for a participant per ``plan``, or None. Never raises."""
    if plan.mode == "none":
        return None
    store = active_store_id(conn, account_sid, store_id)
    if store is None:
        return None
    if plan.explicit_profile_id:
        explicit = canonical_profile(conn, store, plan.explicit_profile_id)
        if explicit is not None:
            return str(explicit.id)
    try:
        schema = StoreSchema.load(conn, store, region)
        identifiers = _normalized(schema, plan.identifiers)
    except Exception:  # fail-open (530003/530004)
        log.warning("profile resolution skipped for store %s", store, exc_info=True)
        return None
    if not identifiers:
        return None
    try:
        found = in_savepoint(conn, lambda c: find_profile(c, store, identifiers))
    except Exception:  # a failed lookup falls through to creation (530003)
        log.warning("profile lookup failed in store %s", store, exc_info=True)
        found = None
    if found is not None or plan.mode != "lookup_or_create":
        return found
    try:
        return in_savepoint(conn, lambda c: create_profile(c, store, schema, identifiers))
    except Exception:  # creation failure leaves the participant without a profile (530004)
        log.warning("profile creation failed in store %s", store, exc_info=True)
        return None
