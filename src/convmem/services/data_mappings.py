"""Data mappings of a store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError

from convmem.domain import errors, ids
from convmem.domain.data_mappings import check_targets
from convmem.domain.errors import Conflict, InvalidRequest, NotFound
from convmem.domain.etag import check_if_match
from convmem.domain.pagination import Cursor, Page
from convmem.services.common import Accepted, require_store, store_path
from convmem.storage import data_mappings as mapping_repo
from convmem.storage import operations as op_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database
from convmem.storage.paging import keyset_page
from convmem.storage.tables import data_mappings


def _path(store_id: str, mapping_id: str) -> str:
    return f"{store_path(store_id)}/DataMappings/{mapping_id}"


def _exists(name: str) -> Conflict:
    return Conflict(f"A data mapping named {name!r} already exists in this store", code=errors.DATA_MAPPING_EXISTS)


def check_id(mapping_id: str) -> None:
    if not ids.is_valid(ids.DATA_MAPPING, mapping_id):
        raise InvalidRequest(f"Invalid data mapping identifier {mapping_id!r}: expected mem_datamapping_ "
                             "followed by 26 characters")


def _require(conn: Any, store_id: str, mapping_id: str, *, for_update: bool = False) -> Row[Any]:
    check_id(mapping_id)
    row = mapping_repo.get(conn, store_id, mapping_id, for_update=for_update)
    if row is None:
        raise NotFound(f"Data mapping {mapping_id} was not found in store {store_id}",
                       code=errors.DATA_MAPPING_NOT_FOUND)
    return row


def create(db: Database, account_sid: str, store_id: str, body: dict[str, Any]) -> Accepted:
    mapping_id = ids.new_id(ids.DATA_MAPPING)
    try:
        with db.write() as conn:
            require_store(conn, account_sid, store_id, for_update=True)
            if mapping_repo.name_taken(conn, store_id, body["displayName"]):
                raise _exists(body["displayName"])
            check_targets(body["mappingTo"]["mappings"], group_repo.all_traits(conn, store_id))
            mapping_repo.insert_mapping(
                conn, mapping_id=mapping_id, store_id=store_id, display_name=body["displayName"],
                description=body.get("description"), is_enabled=body.get("isEnabled", True) is not False,
                mapping_to=body["mappingTo"], mapping_from=body["mappingFrom"])
            op_id = op_repo.record_completed(conn, account_sid, "data_mapping.create", result_id=mapping_id,
                                             result_path=_path(store_id, mapping_id))
    except IntegrityError:
        raise _exists(body["displayName"]) from None
    return Accepted(op_id)


def fetch(db: Database, account_sid: str, store_id: str, mapping_id: str) -> Row[Any]:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return _require(conn, store_id, mapping_id)


def list_page(db: Database, account_sid: str, store_id: str, source_type: str | None, cursor: Cursor,
              size: int) -> Page:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return keyset_page(conn, mapping_repo.list_query(store_id, source_type), data_mappings.c.id, cursor, size)


def patch(db: Database, account_sid: str, store_id: str, mapping_id: str, changes: dict[str, Any],
          if_match: str | None) -> Accepted:
    try:
        with db.write() as conn:
            require_store(conn, account_sid, store_id, for_update=True)
            row = _require(conn, store_id, mapping_id, for_update=True)
            check_if_match(if_match, row.id, row.version)
            values: dict[str, Any] = {}
            if changes.get("displayName") is not None:
                if mapping_repo.name_taken(conn, store_id, changes["displayName"], except_id=mapping_id):
                    raise _exists(changes["displayName"])
                values["display_name"] = changes["displayName"]
            if changes.get("description") is not None:
                values["description"] = changes["description"]
            if changes.get("isEnabled") is not None:
                values["is_enabled"] = changes["isEnabled"]
            if changes.get("mappingTo") is not None:
                check_targets(changes["mappingTo"]["mappings"], group_repo.all_traits(conn, store_id))
                values["mapping_to"] = changes["mappingTo"]
            mapping_repo.update_mapping(conn, row, values)
            op_id = op_repo.record_completed(conn, account_sid, "data_mapping.update", result_id=mapping_id,
                                             result_path=_path(store_id, mapping_id))
    except IntegrityError:
        raise _exists(str(changes.get("displayName"))) from None
    return Accepted(op_id)


def delete(db: Database, account_sid: str, store_id: str, mapping_id: str) -> Accepted:
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        row = _require(conn, store_id, mapping_id, for_update=True)
        mapping_repo.delete_mapping(conn, row.id)
        op_id = op_repo.record_completed(conn, account_sid, "data_mapping.delete", result_id=mapping_id,
                                         result_path=None)
    return Accepted(op_id)
