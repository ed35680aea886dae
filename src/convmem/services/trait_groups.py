"""Trait groups: the typed trait schemas of a store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from convmem.domain import errors, trait_schema
from convmem.domain.errors import Conflict, InvalidRequest, NotFound
from convmem.domain.etag import check_if_match
from convmem.domain.pagination import Cursor, Page
from convmem.services.common import Accepted, require_store, store_path
from convmem.storage import operations as op_repo
from convmem.storage import profile_data
from convmem.storage import stores as store_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database
from convmem.storage.paging import keyset_page
from convmem.storage.tables import trait_groups


def _remove_values(conn: Connection, store_id: str, group: str, names: list[str] | None) -> None:
    """Trait definitions disappeared (``names``, or the whole group when None): the values
    stored under them on profiles go in the same transaction."""
    profile_data.remove_trait_values(conn, store_id, group, names)


def check_name(name: str) -> None:
    if not 1 <= len(name) <= 64:
        raise InvalidRequest("traitGroupName must be 1 to 64 characters")


def _group_path(store_id: str, name: str) -> str:
    return f"{store_path(store_id)}/TraitGroups/{name}"


def _id_types(conn: Connection, store_id: str) -> list[str]:
    settings = store_repo.get_identity_settings(conn, store_id)
    return [c["idType"] for c in settings.identifier_configs]


def _require_group(conn: Connection, store_id: str, name: str, *, for_update: bool = False) -> Row[Any]:
    check_name(name)
    group = group_repo.get(conn, store_id, name, for_update=for_update)
    if group is None:
        raise NotFound(f"Trait group {name!r} was not found in store {store_id}", code=errors.TRAIT_GROUP_NOT_FOUND)
    return group


def _exists(name: str) -> InvalidRequest:
    return InvalidRequest(f"Trait group {name!r} already exists in this store", code=errors.TRAIT_GROUP_EXISTS)


def create(db: Database, account_sid: str, store_id: str, *, name: str, description: str | None,
           traits: dict[str, dict[str, Any]]) -> Accepted:
    try:
        with db.write() as conn:
            # Locking the store serialises group creation, so the 50-group limit holds.
            require_store(conn, account_sid, store_id, for_update=True)
            if group_repo.get(conn, store_id, name) is not None:
                raise _exists(name)
            if group_repo.count(conn, store_id) >= trait_schema.MAX_GROUPS_PER_STORE:
                raise InvalidRequest(
                    f"Trait group limit exceeded: a store may have at most {trait_schema.MAX_GROUPS_PER_STORE} "
                    "trait groups", code=errors.TRAIT_GROUP_LIMIT)
            definitions = trait_schema.normalize_definitions(traits, id_types=_id_types(conn, store_id),
                                                             allow_delete=False)
            group_repo.insert_group(conn, store_id, name, description, definitions)
            op_id = op_repo.record_completed(conn, account_sid, "trait_group.create", result_id=name,
                                             result_path=_group_path(store_id, name))
    except IntegrityError:
        raise _exists(name) from None
    return Accepted(op_id)


def fetch(db: Database, account_sid: str, store_id: str, name: str) -> Row[Any]:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return _require_group(conn, store_id, name)


def list_page(db: Database, account_sid: str, store_id: str, cursor: Cursor, size: int) -> Page:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return keyset_page(conn, group_repo.list_query(store_id), trait_groups.c.id, cursor, size)


def patch(db: Database, account_sid: str, store_id: str, name: str, *, description: str | None,
          traits: dict[str, dict[str, Any]] | None, if_match: str | None) -> Accepted:
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        # The row lock makes concurrent PATCHes queue; each then sees the version its
        # predecessor wrote, so If-Match lets exactly one of them through and none is lost.
        group = _require_group(conn, store_id, name, for_update=True)
        check_if_match(if_match, group.id, group.version)
        merged = dict(group.traits)
        deleted: list[str] = []
        if traits:
            changes = trait_schema.normalize_definitions(traits, id_types=_id_types(conn, store_id),
                                                         allow_delete=True)
            result = trait_schema.merge(name, group.traits, changes)
            merged, deleted = result.traits, result.deleted
        group_repo.update_group(conn, group.id,
                                description=description if description is not None else group.description,
                                traits=merged)
        if deleted:
            _remove_values(conn, store_id, name, deleted)
        op_id = op_repo.record_completed(conn, account_sid, "trait_group.update", result_id=name,
                                         result_path=_group_path(store_id, name))
    return Accepted(op_id)


def delete(db: Database, account_sid: str, store_id: str, name: str) -> Accepted:
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        group = _require_group(conn, store_id, name, for_update=True)
        if name in trait_schema.PROTECTED_GROUPS:
            raise Conflict(f"Trait group {name!r} is protected by the system and cannot be deleted",
                           code=errors.PROTECTED)
        if group_repo.referenced_by_mapping(conn, store_id, name):
            raise Conflict(f"Trait group {name!r} is still referenced by a data mapping; delete or change the "
                           "mapping first")
        group_repo.delete_group(conn, group.id)
        _remove_values(conn, store_id, name, None)
        op_id = op_repo.record_completed(conn, account_sid, "trait_group.delete", result_id=name, result_path=None)
    return Accepted(op_id)
