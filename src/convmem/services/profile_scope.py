"""Resolving the profile a data-plane request names: canonical, merged away, or missing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.errors import InvalidRequest, NotFound, ProfileMoved
from convmem.storage import profiles as profile_repo


def check_profile_id(profile_id: str) -> None:
    if not ids.is_valid(ids.PROFILE, profile_id):
        raise InvalidRequest(f"Invalid profile identifier {profile_id!r}: expected mem_profile_ followed by "
                             "26 characters")


def require_profile(conn: Connection, store_id: str, profile_id: str, *, for_update: bool = False) -> Row[Any]:
    """The canonical profile with this id. A merged-away id raises ProfileMoved (the API
    answers 301/308); an unknown one raises NotFound."""
    check_profile_id(profile_id)
    row = profile_repo.get(conn, store_id, profile_id, for_update=for_update)
    if row is not None:
        return row
    canonical = profile_repo.canonical_of_alias(conn, store_id, profile_id)
    if canonical is not None:
        raise ProfileMoved(profile_id, canonical)
    raise NotFound(f"Profile {profile_id} was not found in store {store_id}")


def canonical_profile(conn: Connection, store_id: str, profile_id: str, *,
                      for_update: bool = False) -> Row[Any] | None:
    """The profile with this id, or the profile it was merged into (merges re-point older
    aliases, so one hop reaches it); None for an unknown or malformed id. Never raises: for the
    code that follows a reference it holds (conversation participants, extraction)."""
    if not ids.is_valid(ids.PROFILE, profile_id):
        return None
    row = profile_repo.get(conn, store_id, profile_id, for_update=for_update)
    if row is None:
        canonical = profile_repo.canonical_of_alias(conn, store_id, profile_id)
        row = profile_repo.get(conn, store_id, canonical, for_update=for_update) if canonical else None
    return row


def follow_profile(conn: Connection, store_id: str, profile_id: str, *, for_update: bool = False) -> Row[Any]:
    """Like ``require_profile`` but serves the canonical profile instead of redirecting: for the
    reads that list no 301 (FetchProfileObservation, ListObservationRevisions,
    FetchProfileConversationSummary), which answer 200 with ``Canonical-Profile-Id``."""
    check_profile_id(profile_id)
    row = canonical_profile(conn, store_id, profile_id, for_update=for_update)
    if row is None:
        raise NotFound(f"Profile {profile_id} was not found in store {store_id}")
    return row
