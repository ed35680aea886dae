"""Helpers shared by the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import errors, ids
from convmem.domain.errors import InvalidRequest, NotFound
from convmem.storage import stores as store_repo


@dataclass(frozen=True)
class Accepted:
    """A committed control-plane write and the operation that reports it."""

    operation_id: str


def check_store_id(store_id: str) -> None:
    if not ids.is_valid(ids.STORE, store_id):
        raise InvalidRequest(
            f"Invalid memory store identifier {store_id!r}: expected mem_store_ followed by 26 characters",
            code=errors.INVALID_STORE_ID,
        )


def require_store(conn: Connection, account_sid: str, store_id: str, *, active: bool = True,
                  for_update: bool = False) -> Row[Any]:
    """The account's store, or 404. Another account's store is indistinguishable from a missing
    one. ``active`` also requires the store to be ACTIVE, as every call on its contents does."""
    check_store_id(store_id)
    store = store_repo.get(conn, account_sid, store_id, for_update=for_update)
    if store is None:
        raise NotFound(f"Memory store {store_id} was not found", code=errors.STORE_NOT_FOUND)
    if active and store.status != "ACTIVE":
        raise InvalidRequest(f"Memory store {store_id} is {store.status}, not ACTIVE; retry once it is ACTIVE",
                             code=errors.STORE_NOT_ACTIVE)
    return store


def active_store_id(conn: Connection, account_sid: str, store_id: str | None) -> str | None:
    """The store's id if it is the account's and ACTIVE, else None (never raises: for the
    code that writes into a store only when it can, conversation profiles and extraction)."""
    if not store_id or not ids.is_valid(ids.STORE, store_id):
        return None
    store = store_repo.get(conn, account_sid, store_id)
    if store is None or store.status != "ACTIVE":
        return None
    return str(store.id)


def store_path(store_id: str) -> str:
    return f"/v1/ControlPlane/Stores/{store_id}"
