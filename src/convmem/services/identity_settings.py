"""Identity-resolution settings of a store (a singleton)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from convmem.domain import identity_settings as irs
from convmem.domain import trait_schema
from convmem.domain.etag import check_if_match
from convmem.services.common import Accepted, require_store, store_path
from convmem.storage import operations as op_repo
from convmem.storage import stores as store_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database


def etag_id(store_id: str) -> str:
    # Kept short: the ETag comes back in If-Match, which is limited to 100 characters, and a
    # longer id ("<store>/IdentityResolutionSettings") made a tag the server itself refused.
    return f"{store_id}/irs"


def fetch(db: Database, account_sid: str, store_id: str) -> Row[Any]:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return store_repo.get_identity_settings(conn, store_id)


def replace(db: Database, account_sid: str, store_id: str, configs: list[dict[str, Any]], rules: list[str],
            if_match: str | None) -> Accepted:
    with db.write() as conn:
        require_store(conn, account_sid, store_id, for_update=True)
        current = store_repo.get_identity_settings(conn, store_id, for_update=True)
        check_if_match(if_match, etag_id(store_id), current.version)
        promoted = trait_schema.promoted_id_types(group_repo.all_traits(conn, store_id).values())
        full = irs.validate(configs, rules, promoted)
        store_repo.replace_identity_settings(conn, store_id, full, list(rules))
        op_id = op_repo.record_completed(conn, account_sid, "identity_settings.update", result_id=store_id,
                                         result_path=f"{store_path(store_id)}/IdentityResolutionSettings")
    return Accepted(op_id)
