"""Memory stores: create, read, patch, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError

from convmem.domain import errors, ids, trait_schema
from convmem.domain import identity_settings as irs
from convmem.domain.errors import InvalidRequest
from convmem.domain.etag import check_if_match
from convmem.domain.pagination import Cursor, Page
from convmem.services.common import Accepted, require_store, store_path
from convmem.storage import operations as op_repo
from convmem.storage import stores as store_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database
from convmem.storage.paging import keyset_page
from convmem.storage.tables import stores


def _name_conflict(display_name: str) -> InvalidRequest:
    return InvalidRequest(f"A memory store named {display_name!r} already exists in this account",
                          code=errors.STORE_EXISTS)


def create(db: Database, account_sid: str, *, display_name: str, description: str | None,
           quota: int) -> Accepted:
    store_id = ids.new_id(ids.STORE)
    try:
        with db.write() as conn:
            store_repo.lock_account(conn, account_sid)
            if store_repo.count(conn, account_sid) >= quota:
                raise InvalidRequest(f"Memory store limit exceeded: an account may have at most {quota} stores",
                                     code=errors.STORE_LIMIT)
            if store_repo.name_taken(conn, account_sid, display_name):
                raise _name_conflict(display_name)
            # Provisioning needs no external resources here, so the store is ACTIVE as soon as
            # the transaction commits, together with its default schema and settings.
            store_repo.insert_store(conn, store_id=store_id, account_sid=account_sid,
                                    display_name=display_name, description=description, status="ACTIVE")
            configs, rules = irs.default_settings()
            store_repo.insert_identity_settings(conn, store_id, configs, rules)
            group_repo.insert_group(conn, store_id, trait_schema.CONTACT_GROUP,
                                    "Contact information and the identifiers of the customer.",
                                    trait_schema.default_contact_traits())
            op_id = op_repo.record_completed(conn, account_sid, "store.create", result_id=store_id,
                                             result_path=store_path(store_id))
    except IntegrityError:
        raise _name_conflict(display_name) from None
    return Accepted(op_id)


def fetch(db: Database, account_sid: str, store_id: str) -> Row[Any]:
    with db.read() as conn:
        return require_store(conn, account_sid, store_id, active=False)


def list_page(db: Database, account_sid: str, cursor: Cursor, size: int) -> Page:
    with db.read() as conn:
        return keyset_page(conn, store_repo.list_query(account_sid), stores.c.id, cursor, size)


def patch(db: Database, account_sid: str, store_id: str, changes: dict[str, Any],
          if_match: str | None) -> Accepted:
    try:
        with db.write() as conn:
            store = require_store(conn, account_sid, store_id, active=False, for_update=True)
            check_if_match(if_match, store.id, store.version)
            values: dict[str, Any] = {}
            if changes.get("displayName") is not None:
                name = changes["displayName"]
                if name != store.display_name:
                    store_repo.lock_account(conn, account_sid)
                    if store_repo.name_taken(conn, account_sid, name, except_id=store_id):
                        raise _name_conflict(name)
                values["display_name"] = name
            if changes.get("description") is not None:
                values["description"] = changes["description"]
            store_repo.update_store(conn, store_id, values)
            op_id = op_repo.record_completed(conn, account_sid, "store.update", result_id=store_id,
                                             result_path=store_path(store_id))
    except IntegrityError:
        raise _name_conflict(str(changes.get("displayName"))) from None
    return Accepted(op_id)


def delete(db: Database, account_sid: str, store_id: str) -> Accepted:
    with db.write() as conn:
        require_store(conn, account_sid, store_id, active=False, for_update=True)
        # Every table below a store cascades from it, so this removes all of its contents.
        store_repo.delete_store(conn, store_id)
        op_id = op_repo.record_completed(conn, account_sid, "store.delete", result_id=store_id, result_path=None)
    return Accepted(op_id)
