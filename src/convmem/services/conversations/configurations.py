"""Conversations v2 configurations: create, read, replace, patch, delete (control plane: each
write is applied synchronously and reported by an already COMPLETED operation), with
Idempotency-Key replay.

A replayed request gets the response the first one got, so a write records its response in its
own transaction: the caller passes the ``Render`` that makes that response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.conversations import configurations as rules
from convmem.domain.conversations.commands import KEEP, ConfigurationFields, ConfigurationPatch, Idempotency
from convmem.domain.conversations.results import Configuration, ConfigurationWrite, RecordedResponse
from convmem.domain.errors import Conflict, InvalidRequest
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.services.common import require_store
from convmem.services.conversations.scope import require_configuration
from convmem.storage import conversations as repo
from convmem.storage import operations as op_repo
from convmem.storage.db import Database

OPERATION_KIND = "conv.configuration"

Render = Callable[[ConfigurationWrite], dict[str, Any]]


def configuration_of(row: Row[Any]) -> Configuration:
    settings = row.settings or {}
    return Configuration(
        id=row.id, display_name=row.display_name, description=row.description, grouping_type=row.grouping_type,
        memory_store_id=row.memory_store_id, channel_settings=settings.get(rules.CHANNEL_SETTINGS) or {},
        status_callbacks=settings.get(rules.STATUS_CALLBACKS) or [],
        intelligence_configuration_ids=settings.get(rules.INTELLIGENCE_IDS) or [],
        memory_extraction_enabled=bool(row.memory_extraction_enabled), v1_bridge_service_id=rules.bridge_of(settings),
        created_at=row.created_at, updated_at=row.updated_at, version=row.version)


def pinned(row: Row[Any]) -> dict[str, Any]:
    """The configuration as the copy a new conversation pins."""
    return rules.pinned(display_name=row.display_name, description=row.description, grouping_type=row.grouping_type,
                        memory_store_id=row.memory_store_id, settings=row.settings or {},
                        memory_extraction_enabled=row.memory_extraction_enabled)


def _record_operation(conn: Connection, account_sid: str, config_id: str) -> str:
    return op_repo.record_completed(conn, account_sid, OPERATION_KIND, result_id=config_id, result_path=None,
                                    prefix=ids.CONVERSATION_OPERATION)


def _check_bridge(conn: Connection, account_sid: str, service_id: str | None, own_id: str | None) -> None:
    if service_id is None:
        return
    holder = repo.configuration_with_bridge(conn, account_sid, service_id)
    if holder is not None and holder != own_id:
        raise Conflict(f"Conversations v1 service {service_id} is already bridged by configuration {holder}")


def _check_memory_store(conn: Connection, account_sid: str, store_id: str) -> None:
    """A configuration feeds one of the account's memory stores: a store that does not exist, or
    is another account's, is refused now (404, 400 for a malformed id) rather than failing every
    conversation's extraction later."""
    require_store(conn, account_sid, store_id, active=False)


def _replayed(conn: Connection, account_sid: str, idem: Idempotency) -> RecordedResponse | None:
    if idem.key is None:
        return None
    found = repo.get_idempotent(conn, account_sid, idem.key, utcnow() - rules.IDEMPOTENCY_WINDOW)
    if found is None:
        return None
    if found.request_fingerprint != idem.fingerprint:
        raise Conflict("This Idempotency-Key was already used with a different request")
    return RecordedResponse(dict(found.body), found.operation_id)


def _finish(conn: Connection, account_sid: str, idem: Idempotency, config_id: str,
            render: Render) -> RecordedResponse:
    op_id = _record_operation(conn, account_sid, config_id)
    configuration = configuration_of(require_configuration(conn, account_sid, config_id))
    body = render(ConfigurationWrite(config_id, op_id, configuration))
    if idem.key is not None:
        repo.save_idempotent(conn, account_sid, idem.key, idem.fingerprint, 202, body, op_id)
    return RecordedResponse(body, op_id)


def create(db: Database, account_sid: str, fields: ConfigurationFields, idem: Idempotency,
           render: Render) -> RecordedResponse:
    rules.check_required(fields, rules.CREATE_REQUIRED)
    settings = rules.settings_document(fields)
    with db.write() as conn:
        replay = _replayed(conn, account_sid, idem)
        if replay is not None:
            return replay
        if repo.count_configurations(conn, account_sid) >= rules.MAX_PER_ACCOUNT:
            raise Conflict(f"An account can have at most {rules.MAX_PER_ACCOUNT} configurations")
        _check_bridge(conn, account_sid, rules.bridge_of(settings), None)
        _check_memory_store(conn, account_sid, str(fields.memory_store_id))
        now = utcnow()
        config_id = ids.new_id(ids.CONFIGURATION)
        repo.insert_configuration(conn, {
            "id": config_id, "account_sid": account_sid, "display_name": fields.display_name,
            "description": fields.description, "grouping_type": fields.grouping_type,
            "memory_store_id": fields.memory_store_id,
            "memory_extraction_enabled": bool(fields.memory_extraction_enabled), "settings": settings,
            "bridge_service_id": rules.bridge_of(settings), "version": 1, "created_at": now, "updated_at": now})
        return _finish(conn, account_sid, idem, config_id, render)


def fetch(db: Database, account_sid: str, config_id: str) -> Configuration:
    with db.read() as conn:
        return configuration_of(require_configuration(conn, account_sid, config_id))


def list_page(db: Database, account_sid: str, cursor: Cursor, size: int) -> Page:
    """A page of ``Configuration``s."""
    with db.read() as conn:
        return repo.configuration_page(conn, account_sid, cursor, size).mapped(configuration_of)


def _apply(conn: Connection, account_sid: str, row: Row[Any], top: dict[str, Any], settings: dict[str, Any]) -> None:
    if top.get("grouping_type", row.grouping_type) != row.grouping_type:
        raise InvalidRequest("conversationGroupingType cannot be changed after creation")
    if "memory_store_id" in top and top["memory_store_id"] != row.memory_store_id:
        _check_memory_store(conn, account_sid, top["memory_store_id"])
    bridge = rules.bridge_of(settings)
    _check_bridge(conn, account_sid, bridge, row.id)
    repo.update_configuration(conn, row.id, {**top, "settings": settings, "bridge_service_id": bridge,
                                             "version": row.version + 1, "updated_at": utcnow()})


def replace(db: Database, account_sid: str, config_id: str, fields: ConfigurationFields, idem: Idempotency,
            render: Render) -> RecordedResponse:
    """PUT: full replacement. Omitted optional fields reset; an omitted displayName is kept."""
    rules.check_required(fields, rules.REPLACE_REQUIRED)
    with db.write() as conn:
        replay = _replayed(conn, account_sid, idem)
        if replay is not None:
            return replay
        row = require_configuration(conn, account_sid, config_id, for_update=True)
        top = {"description": fields.description, "grouping_type": fields.grouping_type,
               "memory_store_id": fields.memory_store_id,
               "memory_extraction_enabled": bool(fields.memory_extraction_enabled)}
        if fields.display_name is not None:
            top["display_name"] = fields.display_name
        _apply(conn, account_sid, row, top, rules.settings_document(fields))
        return _finish(conn, account_sid, idem, row.id, render)


def patch(db: Database, account_sid: str, config_id: str, changes: ConfigurationPatch, idem: Idempotency,
          render: Render) -> RecordedResponse:
    """PATCH: only the fields given change (ConfigurationPatch)."""
    with db.write() as conn:
        replay = _replayed(conn, account_sid, idem)
        if replay is not None:
            return replay
        row = require_configuration(conn, account_sid, config_id, for_update=True)
        rules.check_not_null(changes)
        top: dict[str, Any] = {column: value for column, value in (
            ("display_name", changes.display_name), ("description", changes.description),
            ("grouping_type", changes.grouping_type), ("memory_store_id", changes.memory_store_id))
            if value is not KEEP}
        if changes.memory_extraction_enabled is not KEEP:
            top["memory_extraction_enabled"] = bool(changes.memory_extraction_enabled)
        _apply(conn, account_sid, row, top, rules.patched_settings(row.settings or {}, changes))
        return _finish(conn, account_sid, idem, row.id, render)


def delete(db: Database, account_sid: str, config_id: str) -> ConfigurationWrite:
    """Refused (409) while conversations still use it; closed ones keep their pinned copy."""
    with db.write() as conn:
        row = require_configuration(conn, account_sid, config_id, for_update=True)
        if repo.has_open_conversations(conn, row.id):
            raise Conflict(f"Configuration {row.id} still has ACTIVE or INACTIVE conversations; close them first")
        repo.delete_configuration(conn, row.id)
        return ConfigurationWrite(row.id, _record_operation(conn, account_sid, row.id), None)
