"""Repository of the Conversations v2 tables (configurations, conversations, participants,
communications, profile links, idempotency keys, actions); v2 operations are in the shared
operations table (storage/operations.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, exists, func, insert, or_, select, update

from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import parse_ts, utcnow
from convmem.storage.conversation_tables import (
    conv_actions,
    conv_communications,
    conv_configurations,
    conv_idempotency_keys,
    conv_participants,
    conv_transitions,
    conversation_profiles,
    conversations,
)
from convmem.storage.paging import keyset_page

# -- idempotency ---------------------------------------------------------------------------------

def get_idempotent(conn: Connection, account_sid: str, key: str, since: datetime) -> Row[Any] | None:
    return conn.execute(select(conv_idempotency_keys).where(
        conv_idempotency_keys.c.account_sid == account_sid, conv_idempotency_keys.c.key == key,
        conv_idempotency_keys.c.created_at >= since)).first()


def save_idempotent(conn: Connection, account_sid: str, key: str, fingerprint: str, status_code: int,
                    body: dict[str, Any], operation_id: str) -> None:
    conn.execute(delete(conv_idempotency_keys).where(conv_idempotency_keys.c.account_sid == account_sid,
                                                     conv_idempotency_keys.c.key == key))
    conn.execute(insert(conv_idempotency_keys).values(
        account_sid=account_sid, key=key, request_fingerprint=fingerprint, status_code=status_code, body=body,
        operation_id=operation_id, created_at=utcnow()))


# -- configurations ------------------------------------------------------------------------------

def insert_configuration(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(conv_configurations).values(**values))


def get_configuration(conn: Connection, account_sid: str, config_id: str, *,
                      for_update: bool = False) -> Row[Any] | None:
    stmt = select(conv_configurations).where(conv_configurations.c.id == config_id,
                                             conv_configurations.c.account_sid == account_sid)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def update_configuration(conn: Connection, config_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(conv_configurations).where(conv_configurations.c.id == config_id).values(**values))


def delete_configuration(conn: Connection, config_id: str) -> None:
    conn.execute(delete(conv_configurations).where(conv_configurations.c.id == config_id))


def count_configurations(conn: Connection, account_sid: str) -> int:
    return int(conn.execute(select(func.count()).select_from(conv_configurations).where(
        conv_configurations.c.account_sid == account_sid)).scalar_one())


def configuration_with_bridge(conn: Connection, account_sid: str, service_id: str) -> str | None:
    return conn.execute(select(conv_configurations.c.id).where(
        conv_configurations.c.account_sid == account_sid,
        conv_configurations.c.bridge_service_id == service_id)).scalar()


def configuration_page(conn: Connection, account_sid: str, cursor: Cursor, size: int) -> Page:
    stmt = select(conv_configurations).where(conv_configurations.c.account_sid == account_sid)
    if cursor.filters.get("memoryStoreId"):
        stmt = stmt.where(conv_configurations.c.memory_store_id == cursor.filters["memoryStoreId"])
    return keyset_page(conn, stmt, conv_configurations.c.id, cursor, size)


def has_open_conversations(conn: Connection, config_id: str) -> bool:
    return bool(conn.execute(select(exists().where(conversations.c.configuration_id == config_id,
                                                   conversations.c.status != "CLOSED"))).scalar())


# -- conversations -------------------------------------------------------------------------------

def insert_conversation(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(conversations).values(**values))


def get_conversation(conn: Connection, account_sid: str, conversation_id: str, *,
                     for_update: bool = False) -> Row[Any] | None:
    stmt = select(conversations).where(conversations.c.id == conversation_id,
                                       conversations.c.account_sid == account_sid)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def get_conversation_any_account(conn: Connection, conversation_id: str, *, for_update: bool = False,
                                 skip_locked: bool = False) -> Row[Any] | None:
    stmt = select(conversations).where(conversations.c.id == conversation_id)
    if for_update:
        stmt = stmt.with_for_update(skip_locked=skip_locked)
    return conn.execute(stmt).first()


def update_conversation(conn: Connection, conversation_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(**values))


def delete_conversation(conn: Connection, conversation_id: str) -> None:
    conn.execute(delete(conversations).where(conversations.c.id == conversation_id))


def conversation_page(conn: Connection, account_sid: str, cursor: Cursor, size: int) -> Page:
    stmt = select(conversations).where(conversations.c.account_sid == account_sid)
    statuses = cursor.filters.get("status")
    if statuses:
        stmt = stmt.where(conversations.c.status.in_(statuses))
    channel_id = cursor.filters.get("channelId")
    if channel_id:
        stmt = stmt.where(exists().where(
            conv_communications.c.conversation_id == conversations.c.id,
            or_(conv_communications.c.channel_id == channel_id, conv_communications.c.resource_id == channel_id)))
    return keyset_page(conn, stmt, conversations.c.id, cursor, size)


def due_conversation_ids(conn: Connection, now: datetime, limit: int, *, skip_locked: bool) -> list[str]:
    """Conversations whose lifecycle timer has expired. On PostgreSQL the rows are locked and
    other claimers skip them; on SQLite the write transaction is already exclusive."""
    stmt = select(conversations.c.id).where(conversations.c.next_due_at <= now,
                                            conversations.c.status != "CLOSED") \
        .order_by(conversations.c.next_due_at).limit(limit)
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(conn.execute(stmt).scalars())


def record_transition(conn: Connection, conversation_id: str, from_status: str, to_status: str, reason: str,
                      extraction_requested: bool, at: datetime) -> None:
    conn.execute(insert(conv_transitions).values(
        conversation_id=conversation_id, from_status=from_status, to_status=to_status, reason=reason,
        extraction_requested=extraction_requested, at=at))


def transitions_of(conn: Connection, conversation_id: str) -> list[Row[Any]]:
    return list(conn.execute(select(conv_transitions).where(conv_transitions.c.conversation_id == conversation_id)
                             .order_by(conv_transitions.c.id)).all())


# -- participants --------------------------------------------------------------------------------

def insert_participant(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(conv_participants).values(**values))


def update_participant(conn: Connection, participant_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(conv_participants).where(conv_participants.c.id == participant_id).values(**values))


def get_participant(conn: Connection, conversation_id: str, participant_id: str) -> Row[Any] | None:
    return conn.execute(select(conv_participants).where(conv_participants.c.id == participant_id,
                                                        conv_participants.c.conversation_id == conversation_id)).first()


def participants_of(conn: Connection, conversation_id: str) -> list[Row[Any]]:
    return list(conn.execute(select(conv_participants).where(conv_participants.c.conversation_id == conversation_id)
                             .order_by(conv_participants.c.id)).all())


def participants_of_many(conn: Connection, conversation_ids: Sequence[str]) -> list[Row[Any]]:
    if not conversation_ids:
        return []
    return list(conn.execute(select(conv_participants).where(
        conv_participants.c.conversation_id.in_(list(conversation_ids))).order_by(conv_participants.c.id)).all())


def participant_page(conn: Connection, conversation_id: str, cursor: Cursor, size: int) -> Page:
    stmt = select(conv_participants).where(conv_participants.c.conversation_id == conversation_id)
    return keyset_page(conn, stmt, conv_participants.c.id, cursor, size)


def set_profile_link(conn: Connection, participant_id: str, conversation_id: str, store_id: str | None,
                     profile_id: str | None) -> None:
    conn.execute(delete(conversation_profiles).where(conversation_profiles.c.participant_id == participant_id))
    if profile_id is not None and store_id is not None:
        conn.execute(insert(conversation_profiles).values(
            participant_id=participant_id, conversation_id=conversation_id, store_id=store_id,
            profile_id=profile_id, created_at=utcnow()))


def profile_links(conn: Connection, participant_ids: Sequence[str]) -> dict[str, str]:
    if not participant_ids:
        return {}
    rows = conn.execute(select(conversation_profiles.c.participant_id, conversation_profiles.c.profile_id).where(
        conversation_profiles.c.participant_id.in_(list(participant_ids)))).all()
    return {r.participant_id: r.profile_id for r in rows}


def linked_participants(conn: Connection, conversation_id: str) -> list[tuple[Row[Any], str | None]]:
    """The participants of a conversation, each with the profile it is linked to (or None)."""
    rows = participants_of(conn, conversation_id)
    links = profile_links(conn, [r.id for r in rows])
    return [(r, links.get(r.id)) for r in rows]


# -- communications ------------------------------------------------------------------------------

def insert_communication(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(conv_communications).values(**values))


def update_communication(conn: Connection, communication_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(conv_communications).where(conv_communications.c.id == communication_id).values(**values))


def get_communication(conn: Connection, conversation_id: str, communication_id: str) -> Row[Any] | None:
    return conn.execute(select(conv_communications).where(
        conv_communications.c.id == communication_id,
        conv_communications.c.conversation_id == conversation_id)).first()


def communication_by_resource(conn: Connection, conversation_id: str, resource_id: str) -> Row[Any] | None:
    return conn.execute(select(conv_communications).where(
        conv_communications.c.conversation_id == conversation_id,
        conv_communications.c.resource_id == resource_id)).first()


def communication_page(conn: Connection, conversation_id: str, cursor: Cursor, size: int) -> Page:
    """Transcript order (occurredAt, then id), forward only; the cursor is [occurredAt, id]."""
    c = conv_communications.c
    stmt = select(conv_communications).where(c.conversation_id == conversation_id)
    if cursor.filters.get("channelId"):
        stmt = stmt.where(c.channel_id == cursor.filters["channelId"])
    if cursor.after is not None:
        after_at, after_id = parse_ts(cursor.after[0]), cursor.after[1]
        stmt = stmt.where(or_(c.occurred_at > after_at, and_(c.occurred_at == after_at, c.id > after_id)))
    rows = list(conn.execute(stmt.order_by(c.occurred_at, c.id).limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = Cursor(order="ASC", after=[format_ts_precise(rows[-1].occurred_at), rows[-1].id],
                         filters=cursor.filters) if more and rows else None
    return Page(items=rows, next_cursor=next_cursor, previous_cursor=None, size=size)


def format_ts_precise(value: datetime) -> str:
    """Microsecond precision, so the cursor compares equal to the stored value."""
    return value.isoformat()


def communications_after(conn: Connection, conversation_id: str, watermark: int) -> list[Row[Any]]:
    """Communications extraction has not processed yet, in transcript order."""
    c = conv_communications.c
    return list(conn.execute(select(conv_communications).where(c.conversation_id == conversation_id,
                                                               c.seq > watermark)
                             .order_by(c.occurred_at, c.id)).all())


def recent_communications(conn: Connection, conversation_id: str, limit: int) -> list[Row[Any]]:
    """The ``limit`` newest communications, returned oldest first (Recall's session memory)."""
    c = conv_communications.c
    rows = conn.execute(select(conv_communications).where(c.conversation_id == conversation_id)
                        .order_by(c.occurred_at.desc(), c.id.desc()).limit(limit)).all()
    return list(reversed(rows))


def purge_idempotency_keys(conn: Connection, older_than: timedelta) -> None:
    conn.execute(delete(conv_idempotency_keys).where(conv_idempotency_keys.c.created_at < utcnow() - older_than))


# -- actions -------------------------------------------------------------------------------------

def insert_action(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(conv_actions).values(**values))


def get_action(conn: Connection, conversation_id: str, action_id: str) -> Row[Any] | None:
    return conn.execute(select(conv_actions).where(conv_actions.c.id == action_id,
                                                   conv_actions.c.conversation_id == conversation_id)).first()
