"""Conversations: create (with a configuration or inline settings), read, list, status and
name/metadata changes, delete."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.conversations import configurations as configuration_rules
from convmem.domain.conversations import lifecycle as lc
from convmem.domain.conversations import rules
from convmem.domain.conversations.commands import KEEP, ConversationChange, NewConversation, callback_documents
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.conversations.results import Conversation, Participant
from convmem.domain.pagination import Cursor, Page
from convmem.services import erasure
from convmem.services.common import Accepted
from convmem.services.conversations import participants
from convmem.services.conversations.configurations import pinned
from convmem.services.conversations.lifecycle import activity_of, advance_due, apply_transition, encode_activity
from convmem.services.conversations.scope import require_configuration, require_conversation
from convmem.storage import conversations as repo
from convmem.storage import operations as op_repo
from convmem.storage.db import Database

if TYPE_CHECKING:
    from convmem.services.recall import RecallEngine

OPERATION_KIND = "conv.conversation"


def conversation_of(row: Row[Any], people: list[Participant]) -> Conversation:
    return Conversation(id=row.id, account_sid=row.account_sid, configuration_id=row.configuration_id,
                        status=row.status, name=row.name, created_at=row.created_at, updated_at=row.updated_at,
                        configuration=row.configuration, metadata=row.conversation_metadata or {},
                        participants=people)


def _result(conn: Connection, row: Row[Any]) -> Conversation:
    return conversation_of(row, participants.participants_of(conn, repo.participants_of(conn, row.id)))


def create(db: Database, account_sid: str, new: NewConversation, region: str, clock: Clock) -> Conversation:
    with db.write() as conn:
        base = None
        config_version = None
        if new.configuration_id:
            config = require_configuration(conn, account_sid, new.configuration_id)
            base, config_version = pinned(config), config.version
        effective = configuration_rules.effective(base, new.configuration)
        now = clock.now()
        conversation_id = ids.new_id(ids.CONVERSATION)
        repo.insert_conversation(conn, {
            "id": conversation_id, "account_sid": account_sid, "configuration_id": new.configuration_id or None,
            "configuration_version": config_version, "configuration": effective,
            "memory_store_id": effective.get("memoryStoreId"),
            "memory_extraction_enabled": bool(effective.get("memoryExtractionEnabled")),
            "status": lc.ACTIVE, "name": new.name, "conversation_metadata": dict(new.metadata or {}),
            "created_at": now, "updated_at": now, "status_changed_at": now, "last_communication_at": None,
            "channel_activity": {}, "next_due_at": now + lc.HARD_CAP, "communication_seq": 0,
            "extraction_watermark": 0})
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        for participant in new.participants:
            participants.add(conn, row, participant, region, clock, now)
        return _result(conn, require_conversation(conn, account_sid, conversation_id))


def fetch(db: Database, account_sid: str, conversation_id: str, clock: Clock) -> Conversation:
    """Timers are also applied lazily here, so a read never shows a status that has expired."""
    with db.read() as conn:
        row = require_conversation(conn, account_sid, conversation_id)
        if row.next_due_at is None or row.next_due_at > clock.now():
            return _result(conn, row)
    with db.write() as conn:
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        advance_due(conn, row, clock, clock.now())
        return _result(conn, require_conversation(conn, account_sid, conversation_id))


def list_page(db: Database, account_sid: str, cursor: Cursor, size: int) -> Page:
    """A page of ``Conversation``s (filters: ``status``, a list, and ``channelId``)."""
    with db.read() as conn:
        page = repo.conversation_page(conn, account_sid, cursor, size)
        rows = list(page.items)
        by_conversation: dict[str, list[Row[Any]]] = {}
        for p in repo.participants_of_many(conn, [r.id for r in rows]):
            by_conversation.setdefault(p.conversation_id, []).append(p)
        people = {r.id: participants.participants_of(conn, by_conversation.get(r.id, [])) for r in rows}
        return replace(page, items=[conversation_of(r, people[r.id]) for r in rows])


def change(db: Database, account_sid: str, conversation_id: str, change: ConversationChange,
           clock: Clock) -> Conversation:
    """PUT and PATCH (ConversationChange): name, metadata, status callbacks, then the status."""
    with db.write() as conn:
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        now = clock.now()
        status = advance_due(conn, row, clock, now)
        row = require_conversation(conn, account_sid, conversation_id)
        changes_status = rules.check_change(status, change)
        values: dict[str, Any] = {}
        if change.name is not KEEP:
            values["name"] = change.name
        if change.metadata is not KEEP and change.metadata is not None:
            values["conversation_metadata"] = rules.merged_metadata(row.conversation_metadata or {}, change.metadata) \
                if change.merge_metadata else dict(change.metadata)
        if change.status_callbacks is not KEEP:
            configuration = dict(row.configuration)
            if change.status_callbacks:
                configuration["statusCallbacks"] = callback_documents(change.status_callbacks)
            else:
                configuration.pop("statusCallbacks", None)
            values["configuration"] = configuration
        if values:
            values["updated_at"] = now
            repo.update_conversation(conn, row.id, values)
            row = require_conversation(conn, account_sid, conversation_id)
        if changes_status:
            assert change.status is not None
            extra: dict[str, Any] = {}
            if change.status == lc.ACTIVE:
                # Reopening by hand restarts the timers, as new traffic would.
                activity = {ch: max(at, now) for ch, at in activity_of(row).items()}
                extra = {"channel_activity": encode_activity(activity)}
                row = _with_activity(conn, row, extra)
            apply_transition(conn, row, change.status, "api", now, clock, extra)
        return _result(conn, require_conversation(conn, account_sid, conversation_id))


def _with_activity(conn: Connection, row: Row[Any], values: dict[str, Any]) -> Row[Any]:
    repo.update_conversation(conn, row.id, values)
    refreshed = repo.get_conversation_any_account(conn, row.id)
    assert refreshed is not None
    return refreshed


def delete(db: Database, account_sid: str, conversation_id: str, credential_sid: str | None = None,
           engine: RecallEngine | None = None) -> Accepted:
    """Erases the conversation and everything in it (no extraction; services/erasure.py). The
    operation keeps the conversation's id, which the client polls it by."""
    with db.write() as conn:
        row = require_conversation(conn, account_sid, conversation_id, for_update=True)
        erased = erasure.erase_conversation(conn, account_sid, row, credential_sid or account_sid)
        op_id = op_repo.record_completed(conn, account_sid, OPERATION_KIND, result_id=row.id, result_path=None,
                                         prefix=ids.CONVERSATION_OPERATION)
    erasure.finish(erased, engine)
    return Accepted(op_id)
