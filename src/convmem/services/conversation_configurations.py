"""Conversations v2 configurations: create, read, replace, patch, delete (control plane: each
write is applied synchronously and reported by an already COMPLETED operation), with
Idempotency-Key replay."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.errors import Conflict, InvalidRequest, NotFound
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.services.common import require_store
from convmem.storage import conversations as repo
from convmem.storage.db import Database

CONFIGURATION = "conv_configuration"
MAX_PER_ACCOUNT = 10
IDEMPOTENCY_WINDOW = timedelta(hours=24)
_IDEMPOTENCY_KEY = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Stored in the ``settings`` JSON column, returned as given.
SETTINGS_FIELDS = ("channelSettings", "statusCallbacks", "intelligenceConfigurationIds", "conversationsV1Bridge")

Render = Callable[[Row[Any], str], dict[str, Any]]


@dataclass(frozen=True)
class AcceptedWrite:
    body: dict[str, Any]
    operation_id: str


@dataclass(frozen=True)
class Idempotency:
    key: str | None
    fingerprint: str

    @classmethod
    def of(cls, key: str | None, method: str, path: str, body: Any) -> Idempotency:
        if key is not None and not _IDEMPOTENCY_KEY.match(key):
            raise InvalidRequest("Idempotency-Key must be a UUID (8-4-4-4-12 hexadecimal digits)")
        raw = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
        return cls(key, hashlib.sha256(raw.encode()).hexdigest())


def _normalized_settings(fields: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in SETTINGS_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if name == "channelSettings":
            value = {ch: s for ch, s in value.items() if s is not None}
        if name == "statusCallbacks":
            value = [{"url": cb["url"], "method": cb.get("method") or "POST"} for cb in value]
        settings[name] = value
    return settings


def _bridge_of(settings: dict[str, Any]) -> str | None:
    bridge = settings.get("conversationsV1Bridge")
    return bridge["serviceId"] if bridge else None


def _check_bridge(conn: Connection, account_sid: str, service_id: str | None, own_id: str | None) -> None:
    if service_id is None:
        return
    holder = repo.configuration_with_bridge(conn, account_sid, service_id)
    if holder is not None and holder != own_id:
        raise Conflict(f"Conversations v1 service {service_id} is already bridged by configuration {holder}")


def _replayed(conn: Connection, account_sid: str, idem: Idempotency) -> AcceptedWrite | None:
    if idem.key is None:
        return None
    found = repo.get_idempotent(conn, account_sid, idem.key, utcnow() - IDEMPOTENCY_WINDOW)
    if found is None:
        return None
    if found.request_fingerprint != idem.fingerprint:
        raise Conflict("This Idempotency-Key was already used with a different request")
    return AcceptedWrite(dict(found.body), found.operation_id)


def _finish(conn: Connection, account_sid: str, idem: Idempotency, row_id: str, render: Render) -> AcceptedWrite:
    op_id = repo.record_operation(conn, account_sid, "conv.configuration", row_id)
    body = render(require(conn, account_sid, row_id), op_id)
    if idem.key is not None:
        repo.save_idempotent(conn, account_sid, idem.key, idem.fingerprint, 202, body, op_id)
    return AcceptedWrite(body, op_id)


def require(conn: Connection, account_sid: str, config_id: str, *, for_update: bool = False) -> Row[Any]:
    row = repo.get_configuration(conn, account_sid, config_id, for_update=for_update) \
        if len(config_id) <= 64 else None
    if row is None:
        raise NotFound(f"Configuration {config_id[:80]} was not found")
    return row


def create(db: Database, account_sid: str, fields: dict[str, Any], idem: Idempotency, render: Render) -> AcceptedWrite:
    for required in ("displayName", "description", "conversationGroupingType", "memoryStoreId"):
        if fields.get(required) is None:
            raise InvalidRequest(f"'{required}' is required")
    settings = _normalized_settings(fields)
    with db.write() as conn:
        replay = _replayed(conn, account_sid, idem)
        if replay is not None:
            return replay
        if repo.count_configurations(conn, account_sid) >= MAX_PER_ACCOUNT:
            raise Conflict(f"An account can have at most {MAX_PER_ACCOUNT} configurations")
        _check_bridge(conn, account_sid, _bridge_of(settings), None)
        _check_memory_store(conn, account_sid, fields["memoryStoreId"])
        now = utcnow()
        config_id = ids.new_id(CONFIGURATION)
        repo.insert_configuration(conn, {
            "id": config_id, "account_sid": account_sid, "display_name": fields["displayName"],
            "description": fields["description"], "grouping_type": fields["conversationGroupingType"],
            "memory_store_id": fields["memoryStoreId"],
            "memory_extraction_enabled": bool(fields.get("memoryExtractionEnabled")), "settings": settings,
            "bridge_service_id": _bridge_of(settings), "version": 1, "created_at": now, "updated_at": now})
        return _finish(conn, account_sid, idem, config_id, render)


def fetch(db: Database, account_sid: str, config_id: str) -> Row[Any]:
    with db.read() as conn:
        return require(conn, account_sid, config_id)


def list_page(db: Database, account_sid: str, cursor: Cursor, size: int) -> Page:
    with db.read() as conn:
        return repo.configuration_page(conn, account_sid, cursor, size)


def _check_memory_store(conn: Connection, account_sid: str, store_id: Any) -> None:
    """A configuration feeds one of the account's memory stores: a store that does not exist, or
    is another account's, is refused now (404, 400 for a malformed id) rather than failing every
    conversation's extraction later."""
    if not isinstance(store_id, str):
        raise InvalidRequest("'memoryStoreId' must be a string")
    require_store(conn, account_sid, store_id, active=False)


def _apply(conn: Connection, account_sid: str, row: Row[Any], top: dict[str, Any], settings: dict[str, Any]) -> None:
    if top.get("grouping_type", row.grouping_type) != row.grouping_type:
        raise InvalidRequest("conversationGroupingType cannot be changed after creation")
    if "memory_store_id" in top and top["memory_store_id"] != row.memory_store_id:
        _check_memory_store(conn, account_sid, top["memory_store_id"])
    bridge = _bridge_of(settings)
    _check_bridge(conn, account_sid, bridge, row.id)
    repo.update_configuration(conn, row.id, {**top, "settings": settings, "bridge_service_id": bridge,
                                             "version": row.version + 1, "updated_at": utcnow()})


def replace(db: Database, account_sid: str, config_id: str, fields: dict[str, Any], idem: Idempotency,
            render: Render) -> AcceptedWrite:
    """PUT: full replacement. Omitted optional fields reset; an omitted displayName is kept."""
    for required in ("conversationGroupingType", "channelSettings", "description", "memoryStoreId"):
        if fields.get(required) is None:
            raise InvalidRequest(f"'{required}' is required")
    with db.write() as conn:
        replay = _replayed(conn, account_sid, idem)
        if replay is not None:
            return replay
        row = require(conn, account_sid, config_id, for_update=True)
        top = {"description": fields["description"], "grouping_type": fields["conversationGroupingType"],
               "memory_store_id": fields["memoryStoreId"],
               "memory_extraction_enabled": bool(fields.get("memoryExtractionEnabled"))}
        if fields.get("displayName") is not None:
            top["display_name"] = fields["displayName"]
        _apply(conn, account_sid, row, top, _normalized_settings(fields))
        return _finish(conn, account_sid, idem, row.id, render)


_TOP_COLUMNS = {"displayName": "display_name", "description": "description",
                "conversationGroupingType": "grouping_type", "memoryStoreId": "memory_store_id"}


def patch(db: Database, account_sid: str, config_id: str, fields: dict[str, Any], idem: Idempotency,
          render: Render) -> AcceptedWrite:
    """PATCH: only present fields change; ``null`` clears optional ones; channelSettings merge
    per channel (a channel set to ``null`` is removed)."""
    with db.write() as conn:
        replay = _replayed(conn, account_sid, idem)
        if replay is not None:
            return replay
        row = require(conn, account_sid, config_id, for_update=True)
        top: dict[str, Any] = {}
        for name, column in _TOP_COLUMNS.items():
            if name in fields:
                if fields[name] is None:
                    raise InvalidRequest(f"'{name}' cannot be null")
                top[column] = fields[name]
        if "memoryExtractionEnabled" in fields:
            top["memory_extraction_enabled"] = bool(fields["memoryExtractionEnabled"])
        settings = dict(row.settings or {})
        for name in SETTINGS_FIELDS:
            if name not in fields:
                continue
            if fields[name] is None:
                settings.pop(name, None)
            elif name == "channelSettings":
                merged = dict(settings.get("channelSettings") or {})
                for channel, value in fields[name].items():
                    if value is None:
                        merged.pop(channel, None)
                    else:
                        merged[channel] = value
                settings["channelSettings"] = merged
            else:
                settings.update(_normalized_settings({name: fields[name]}))
        _apply(conn, account_sid, row, top, settings)
        return _finish(conn, account_sid, idem, row.id, render)


def delete(db: Database, account_sid: str, config_id: str, render_gone: Callable[[str, str], dict[str, Any]]
           ) -> AcceptedWrite:
    """Refused (409) while conversations still use it; closed ones keep their pinned copy."""
    with db.write() as conn:
        row = require(conn, account_sid, config_id, for_update=True)
        if repo.has_open_conversations(conn, row.id):
            raise Conflict(f"Configuration {row.id} still has ACTIVE or INACTIVE conversations; close them first")
        repo.delete_configuration(conn, row.id)
        op_id = repo.record_operation(conn, account_sid, "conv.configuration", row.id)
        return AcceptedWrite(render_gone(row.id, op_id), op_id)
