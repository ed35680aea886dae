"""Read-only statements for the web console's overviews (convmem/console/): counts, a daily
histogram, profile search by trait value, recent extraction reports and operation lists. No
rules here; the console's data module scopes every call to the signed-in account's store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, cast, func, select

from convmem.storage.conversation_tables import conv_communications as c
from convmem.storage.conversation_tables import conversation_profiles as cp
from convmem.storage.conversation_tables import conversations
from convmem.storage.identity_tables import profile_imports, profile_traits
from convmem.storage.job_tables import jobs
from convmem.storage.memory_provenance import memory_provenance as mp
from convmem.storage.memory_tables import observation_revisions, observations, summaries
from convmem.storage.profile_tables import profiles
from convmem.storage.tables import operations, trait_groups


def profile_count(conn: Connection, store_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(profiles)
                            .where(profiles.c.store_id == store_id)).scalar_one())


def conversation_count(conn: Connection, account_sid: str, store_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(conversations).where(
        conversations.c.account_sid == account_sid, conversations.c.memory_store_id == store_id)).scalar_one())


def group_count(conn: Connection, store_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(trait_groups)
                            .where(trait_groups.c.store_id == store_id)).scalar_one())


def observation_times_since(conn: Connection, store_id: str, since: datetime) -> list[datetime]:
    """createdAt of the store's observations added since ``since`` (bucketed by day in Python:
    date functions differ between SQLite and PostgreSQL)."""
    stmt = (select(observations.c.created_at).join(profiles, profiles.c.id == observations.c.profile_id)
            .where(profiles.c.store_id == store_id, observations.c.created_at >= since))
    return [row.created_at for row in conn.execute(stmt)]


def memory_counts(conn: Connection, profile_id: str) -> tuple[int, int]:
    obs = conn.execute(select(func.count()).select_from(observations)
                       .where(observations.c.profile_id == profile_id)).scalar_one()
    summ = conn.execute(select(func.count()).select_from(summaries)
                        .where(summaries.c.profile_id == profile_id)).scalar_one()
    return int(obs), int(summ)


def withheld_of_store(conn: Connection, account_sid: str, store_id: str) -> list[Any]:
    stmt = select(conversations.c.memory_withheld).where(
        conversations.c.account_sid == account_sid, conversations.c.memory_store_id == store_id,
        conversations.c.memory_withheld.is_not(None))
    return [row.memory_withheld for row in conn.execute(stmt)]


def extraction_reports(conn: Connection, kind: str, limit: int = 2000) -> list[Any]:
    """Finished extraction jobs still kept (payload names account and store; progress holds the
    counts). Finished jobs are purged after a while, so these are the recent ones."""
    stmt = (select(jobs.c.payload, jobs.c.progress, jobs.c.updated_at)
            .where(jobs.c.kind == kind, jobs.c.status == "DONE").order_by(jobs.c.updated_at.desc()).limit(limit))
    return list(conn.execute(stmt).all())


def extraction_reports_of(conn: Connection, kind: str, conversation_id: str, limit: int = 50) -> list[Any]:
    stmt = (select(jobs.c.payload, jobs.c.progress, jobs.c.status, jobs.c.updated_at, jobs.c.error)
            .where(jobs.c.kind == kind).order_by(jobs.c.created_at.desc()).limit(2000))
    return [row for row in conn.execute(stmt) if (row.payload or {}).get("conversationId") == conversation_id][:limit]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def profiles_with_trait_text(conn: Connection, store_id: str, text: str, limit: int) -> list[str]:
    """Profiles holding a trait whose stored (JSON) value contains ``text``, case-insensitively."""
    stmt = (select(profile_traits.c.profile_id).distinct()
            .where(profile_traits.c.store_id == store_id,
                   func.lower(cast(profile_traits.c.value, String)).like(_like_pattern(text.lower()), escape="\\"))
            .limit(limit))
    return [row.profile_id for row in conn.execute(stmt)]


def existing_profiles(conn: Connection, store_id: str, profile_ids: Sequence[str]) -> list[str]:
    if not profile_ids:
        return []
    stmt = select(profiles.c.id).where(profiles.c.store_id == store_id, profiles.c.id.in_(list(profile_ids)))
    return [row.id for row in conn.execute(stmt)]


def recent_profiles(conn: Connection, store_id: str, limit: int) -> list[Any]:
    stmt = (select(profiles.c.id, profiles.c.created_at, profiles.c.updated_at)
            .where(profiles.c.store_id == store_id).order_by(profiles.c.id.desc()).limit(limit))
    return list(conn.execute(stmt).all())


def operations_of(conn: Connection, account_sid: str, since: datetime, limit: int) -> list[Any]:
    stmt = (select(operations).where(operations.c.account_sid == account_sid, operations.c.created_at >= since)
            .order_by(operations.c.created_at.desc()).limit(limit))
    return list(conn.execute(stmt).all())


def imports_of(conn: Connection, store_id: str, limit: int) -> list[Any]:
    stmt = (select(profile_imports).where(profile_imports.c.store_id == store_id)
            .order_by(profile_imports.c.id.desc()).limit(limit))
    return list(conn.execute(stmt).all())


def conversations_of(conn: Connection, account_sid: str, *, status: str | None, store_id: str | None,
                     after: str | None, limit: int) -> list[Any]:
    stmt = select(conversations.c.id, conversations.c.status, conversations.c.name, conversations.c.memory_store_id,
                  conversations.c.created_at, conversations.c.updated_at, conversations.c.memory_withheld,
                  conversations.c.communication_seq).where(conversations.c.account_sid == account_sid)
    if status:
        stmt = stmt.where(conversations.c.status == status)
    if store_id:
        stmt = stmt.where(conversations.c.memory_store_id == store_id)
    if after:
        stmt = stmt.where(conversations.c.id < after)
    return list(conn.execute(stmt.order_by(conversations.c.id.desc()).limit(limit)).all())


def items_of_conversation(conn: Connection, conversation_id: str) -> list[Any]:
    """Observations and summaries written or updated from a conversation (memory_provenance)."""
    obs = (select(observations.c.id, observations.c.profile_id, observations.c.content, observations.c.source,
                  observations.c.occurred_at)
           .where(observations.c.id.in_(select(mp.c.item_id).where(mp.c.conversation_id == conversation_id))))
    summ = (select(summaries.c.id, summaries.c.profile_id, summaries.c.content, summaries.c.source,
                   summaries.c.occurred_at)
            .where(summaries.c.id.in_(select(mp.c.item_id).where(mp.c.conversation_id == conversation_id))))
    return list(conn.execute(obs).all()) + list(conn.execute(summ).all())


def communications_of(conn: Connection, conversation_id: str, limit: int) -> list[Any]:
    return list(conn.execute(select(c).where(c.c.conversation_id == conversation_id)
                             .order_by(c.c.occurred_at, c.c.id).limit(limit)).all())


def linked_conversation_count(conn: Connection, profile_id: str) -> int:
    return int(conn.execute(select(func.count(func.distinct(cp.c.conversation_id)))
                            .where(cp.c.profile_id == profile_id)).scalar_one())


def revision_counts(conn: Connection, observation_ids: Sequence[str]) -> dict[str, int]:
    """Stored revisions per observation (each change of an observation keeps one)."""
    if not observation_ids:
        return {}
    r = observation_revisions.c
    rows = conn.execute(select(r.observation_id, func.count()).where(r.observation_id.in_(list(observation_ids)))
                        .group_by(r.observation_id)).all()
    return {row[0]: int(row[1]) for row in rows}
