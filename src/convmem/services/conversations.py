"""Conversations: create (with a configuration or inline settings), read, list, status and
name/metadata changes, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row

from convmem.domain import conversation_lifecycle as lc
from convmem.domain import ids
from convmem.domain.errors import InvalidRequest
from convmem.domain.pagination import Cursor, Page
from convmem.services import conversation_configurations as configurations
from convmem.services import conversation_participants as participants
from convmem.services import erasure
from convmem.services.conversation_lifecycle import (
    Clock,
    activity_of,
    advance_due,
    apply_transition,
    encode_activity,
)
from convmem.services.conversation_participants import ParticipantView, require_conversation
from convmem.storage import conversations as repo
from convmem.storage.db import Database

if TYPE_CHECKING:
    from convmem.services.recall import RecallEngine

DEFAULT_GROUPING = "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"
MAX_METADATA = 8


@dataclass(frozen=True)
class ConversationView:
    row: Row[Any]
    participants: list[ParticipantView]


def configuration_snapshot(row: Row[Any]) -> dict[str, Any]:
    """A configuration as the effective-configuration object a conversation pins."""
    snapshot: dict[str, Any] = {"displayName": row.display_name, "description": row.description,
                                "conversationGroupingType": row.grouping_type, "memoryStoreId": row.memory_store_id}
    snapshot.update(row.settings or {})
    snapshot["memoryExtractionEnabled"] = bool(row.memory_extraction_enabled)
    return snapshot


def effective_configuration(base: dict[str, Any] | None, inline: dict[str, Any]) -> dict[str, Any]:
    """The pinned configuration with the inline overrides on top. Inline channel settings
    carry timeouts only and replace that channel's timeouts (capture rules stay)."""
    if base is None:
        if not inline.get("memoryStoreId"):
            raise InvalidRequest("Either 'configurationId' or 'configuration.memoryStoreId' is required")
        effective: dict[str, Any] = {"conversationGroupingType": DEFAULT_GROUPING, "memoryExtractionEnabled": False}
    else:
        effective = dict(base)
    for name, value in inline.items():
        if value is None:
            continue
        if name == "channelSettings":
            merged = dict(effective.get("channelSettings") or {})
            for channel, setting in value.items():
                if setting is None:
                    continue
                merged[channel] = {**(merged.get(channel) or {}), **setting}
            effective["channelSettings"] = merged
        elif name == "statusCallbacks":
            effective[name] = [{"url": cb["url"], "method": cb.get("method") or "POST"} for cb in value]
        else:
            effective[name] = value
    return effective


def _view(conn: Connection, row: Row[Any]) -> ConversationView:
    return ConversationView(row, participants.views(conn, repo.participants_of(conn, row.id)))


def create(db: Database, account_sid: str, fields: dict[str, Any], region: str, clock: Clock) -> ConversationView:
    with db.write() as conn:
        base = None
        config_id = fields.get("configurationId")
        config_version = None
        if config_id:
            config = configurations.require(conn, account_sid, config_id)
            base, config_version = configuration_snapshot(config), config.version
        effective = effective_configuration(base, fields.get("configuration") or {})
        now = clock.now()
        conversation_id = ids.new_id(ids.CONVERSATION)
        repo.insert_conversation(conn, {
            "id": conversation_id, "account_sid": account_sid, "configuration_id": config_id or None,
            "configuration_version": config_version, "configuration": effective,
            "memory_store_id": effective.get("memoryStoreId"),
            "memory_extraction_enabled": bool(effective.get("memoryExtractionEnabled")),
            "status": lc.ACTIVE, "name": fields.get("name"), "conversation_metadata": fields.get("metadata") or {},
            "created_at": now, "updated_at": now, "status_changed_at": now, "last_communication_at": None,
            "channel_activity": {}, "next_due_at": now + lc.HARD_CAP, "communication_seq": 0,
            "extraction_watermark": 0})
        row = repo.get_conversation(conn, account_sid, conversation_id, for_update=True)
        assert row is not None
        for participant in fields.get("participants") or []:
            participants.add(conn, row, participant, region, clock, now)
        row = repo.get_conversation(conn, account_sid, conversation_id)
        assert row is not None
        return _view(conn, row)


def fetch(db: Database, account_sid: str, conversation_id: str, clock: Clock) -> ConversationView:
    """Timers are also applied lazily here, so a read never shows a status that has expired."""
    with db.read() as conn:
        row = require_conversation(conn, account_sid, conversation_id)
        if row.next_due_at is None or row.next_due_at > clock.now():
            return _view(conn, row)
    with db.write() as conn:
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        advance_due(conn, row, clock, clock.now())
        return _view(conn, require_conversation(conn, account_sid, conversation_id))


def list_page(db: Database, account_sid: str, cursor: Cursor, size: int) -> tuple[Page, list[ConversationView]]:
    with db.read() as conn:
        page = repo.conversation_page(conn, account_sid, cursor, size)
        rows = list(page.items)
        by_conversation: dict[str, list[Row[Any]]] = {}
        for p in repo.participants_of_many(conn, [r.id for r in rows]):
            by_conversation.setdefault(p.conversation_id, []).append(p)
        return page, [ConversationView(r, participants.views(conn, by_conversation.get(r.id, []))) for r in rows]


def _merged_metadata(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_METADATA:
        raise InvalidRequest(f"metadata can hold at most {MAX_METADATA} entries")
    return merged


def change(db: Database, account_sid: str, conversation_id: str, fields: dict[str, Any], clock: Clock, *,
           merge_metadata: bool) -> ConversationView:
    """PUT (``merge_metadata`` False: metadata replaced) and PATCH (merge patch). ``fields``
    holds only what the request carried; ``name: None`` clears the name."""
    with db.write() as conn:
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        now = clock.now()
        status = advance_due(conn, row, clock, now)
        row = require_conversation(conn, account_sid, conversation_id)
        requested = fields.get("status")
        changes_status = requested is not None and lc.check_api_transition(status, requested)
        if status == lc.CLOSED and (fields.keys() - {"status"}) and not changes_status:
            raise InvalidRequest("Conversation is closed: a CLOSED conversation cannot be changed")
        values: dict[str, Any] = {}
        if "name" in fields:
            values["name"] = fields["name"]
        if fields.get("metadata") is not None:
            values["conversation_metadata"] = _merged_metadata(row.conversation_metadata or {}, fields["metadata"]) \
                if merge_metadata else dict(fields["metadata"])
        if "statusCallbacks" in fields:
            configuration = dict(row.configuration)
            callbacks = fields["statusCallbacks"]
            if callbacks:
                configuration["statusCallbacks"] = [{"url": cb["url"], "method": cb.get("method") or "POST"}
                                                    for cb in callbacks]
            else:
                configuration.pop("statusCallbacks", None)
            values["configuration"] = configuration
        if values:
            values["updated_at"] = now
            repo.update_conversation(conn, row.id, values)
            row = require_conversation(conn, account_sid, conversation_id)
        if changes_status:
            extra: dict[str, Any] = {}
            if requested == lc.ACTIVE:
                # Reopening by hand restarts the timers, as new traffic would.
                activity = {ch: max(at, now) for ch, at in activity_of(row).items()}
                extra = {"channel_activity": encode_activity(activity)}
                row = _with_activity(conn, row, extra)
            apply_transition(conn, row, requested, "api", now, clock, extra)
        return _view(conn, require_conversation(conn, account_sid, conversation_id))


def _with_activity(conn: Connection, row: Row[Any], values: dict[str, Any]) -> Row[Any]:
    repo.update_conversation(conn, row.id, values)
    refreshed = repo.get_conversation_any_account(conn, row.id)
    assert refreshed is not None
    return refreshed


def delete(db: Database, account_sid: str, conversation_id: str, credential_sid: str | None = None,
           engine: RecallEngine | None = None) -> str:
    """Erases the conversation and everything in it (no extraction; services/erasure.py); the
    operation id. The operation keeps the conversation's id, which the client polls it by."""
    with db.write() as conn:
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        erased = erasure.erase_conversation(conn, account_sid, row, credential_sid or account_sid)
        op_id = repo.record_operation(conn, account_sid, "conv.conversation", row.id)
    erasure.finish(erased, engine)
    return op_id

