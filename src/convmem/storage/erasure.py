"""Storage side of erasure: the audit trail, what an erased profile still has in other tables
(its conversations, job payloads, import reports), the debounced reclaim job's row, and the
per-dialect work that makes deleted rows leave the database files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from convmem.storage.conversation_tables import (
    conv_actions,
    conv_communications,
    conv_participants,
    conversation_profiles,
)
from convmem.storage.db import Database
from convmem.storage.dialects import postgresql, sqlite
from convmem.storage.erasure_tables import erasure_audit
from convmem.storage.identity_tables import profile_identifiers, profile_imports, profile_traits
from convmem.storage.job_tables import jobs
from convmem.storage.memory_tables import observation_revisions, observations, summaries
from convmem.storage.profile_tables import profile_aliases

# ---- the audit trail ----------------------------------------------------------------------

def record_audit(conn: Connection, *, account_sid: str, store_id: str | None, object_kind: str,
                 counts: dict[str, int], credential_sid: str, at: datetime) -> None:
    """One row per erasure: counts only, never an id or a value of what went."""
    text = json.dumps({k: v for k, v in sorted(counts.items()) if v}, separators=(",", ":"))
    conn.execute(insert(erasure_audit).values(
        account_sid=account_sid, store_id=store_id, object_kind=object_kind, erased_counts=text[:1024],
        credential_sid=credential_sid[:40], erased_at=at))


def latest_audit_id(conn: Connection) -> int:
    """Grows with every erasure, in any server process: what other processes watch."""
    return int(conn.execute(select(func.coalesce(func.max(erasure_audit.c.id), 0))).scalar_one())


# ---- what a profile holds ------------------------------------------------------------------

def _count(conn: Connection, column: Any, value: str) -> int:
    return int(conn.execute(select(func.count()).where(column == value)).scalar_one())


def profile_counts(conn: Connection, profile_id: str) -> dict[str, int]:
    return {"traits": _count(conn, profile_traits.c.profile_id, profile_id),
            "identifiers": _count(conn, profile_identifiers.c.profile_id, profile_id),
            "aliases": _count(conn, profile_aliases.c.canonical_id, profile_id),
            "observations": _count(conn, observations.c.profile_id, profile_id),
            "observation_revisions": _count(conn, observation_revisions.c.profile_id, profile_id),
            "summaries": _count(conn, summaries.c.profile_id, profile_id)}


def revision_count(conn: Connection, observation_id: str) -> int:
    return _count(conn, observation_revisions.c.observation_id, observation_id)


def personal_values(conn: Connection, profile_id: str) -> set[str]:
    """The profile's identifier values and textual trait values, casefolded: what its copies
    elsewhere (job payloads, import reports) are recognised by."""
    found = set(conn.execute(select(profile_identifiers.c.value)
                             .where(profile_identifiers.c.profile_id == profile_id)).scalars())
    for value in conn.execute(select(profile_traits.c.value).where(profile_traits.c.profile_id == profile_id)
                              ).scalars():
        if isinstance(value, str):
            found.add(value)
    return {v.strip().casefold() for v in found if v and v.strip()}


# ---- conversations -------------------------------------------------------------------------

def participant_links(conn: Connection, profile_id: str) -> list[Row[Any, Any]]:
    """(participant_id, conversation_id) of every participant resolved to the profile."""
    t = conversation_profiles.c
    return list(conn.execute(select(t.participant_id, t.conversation_id).where(t.profile_id == profile_id)).all())


def communications_of(conn: Connection, conversation_ids: Sequence[str]) -> list[Row[Any, Any, Any, Any, Any]]:
    c = conv_communications.c
    out: list[Row[Any, Any, Any, Any, Any]] = []
    for start in range(0, len(conversation_ids), 500):
        out.extend(conn.execute(select(c.id, c.author, c.author_participant_id, c.content, c.recipients)
                                .where(c.conversation_id.in_(list(conversation_ids[start:start + 500])))
                                .order_by(c.id)).all())
    return out


def rewrite_communication(conn: Connection, communication_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(conv_communications).where(conv_communications.c.id == communication_id).values(**values))


def blank_participants(conn: Connection, participant_ids: Iterable[str], now: datetime) -> int:
    """The participant records stay (communications name them by id) with no name and no address."""
    wanted = sorted(participant_ids)
    done = 0
    for start in range(0, len(wanted), 500):
        done += conn.execute(update(conv_participants).where(conv_participants.c.id.in_(wanted[start:start + 500]))
                             .values(name=None, addresses=[], updated_at=now)).rowcount
    return done


def conversation_counts(conn: Connection, conversation_id: str) -> dict[str, int]:
    return {"participants": _count(conn, conv_participants.c.conversation_id, conversation_id),
            "communications": _count(conn, conv_communications.c.conversation_id, conversation_id),
            "actions": _count(conn, conv_actions.c.conversation_id, conversation_id)}


# ---- job payloads and import reports ---------------------------------------------------------

def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)


def _holds(value: Any, values: set[str]) -> bool:
    return any(leaf.strip().casefold() in values for leaf in _leaves(value))


def _mentions(message: str, values: set[str]) -> bool:
    # Report messages quote values inside text ("'x@y' is not a valid ..."); values shorter
    # than 4 characters would match nearly any message.
    folded = message.casefold()
    return any(len(v) >= 4 and v in folded for v in values)


REDACTED = "(erased)"


def scrub_bulk_jobs(conn: Connection, kind: str, store_id: str, values: set[str]) -> int:
    """Bulk upserts of the store whose payload still holds items of the erased profile: an item
    already applied (before the job's watermark, or the job failed for good) that carries one of
    its values is replaced by ``{}`` (positions, which the report counts by, stay), and report
    messages quoting a value are replaced. Items not applied yet are left: they are the client's
    own earlier request, applied (and then dropped from the payload) as usual. Returns how many
    items and messages went. ``updated_at`` is left alone: it times the row's retention."""
    if not values:
        return 0
    scrubbed = 0
    rows = conn.execute(select(jobs.c.id, jobs.c.status, jobs.c.payload, jobs.c.progress)
                        .where(jobs.c.kind == kind, jobs.c.status != "DONE")).all()
    for row in rows:
        payload = dict(row.payload or {})
        if payload.get("storeId") != store_id:
            continue
        items = list(payload.get("profiles") or [])
        progress = dict(row.progress or {})
        applied = len(items) if row.status == "FAILED" else int(progress.get("next", 0))
        changed = 0
        for index in range(min(applied, len(items))):
            if items[index] and _holds(items[index], values):
                items[index] = {}
                changed += 1
        failures = [dict(f) for f in progress.get("failures") or []]
        for failure in failures:
            if _mentions(str(failure.get("message", "")), values):
                failure["message"] = REDACTED
                changed += 1
        if changed:
            payload["profiles"] = items
            if failures:
                progress["failures"] = failures
            conn.execute(update(jobs).where(jobs.c.id == row.id).values(
                payload=payload, progress=progress if row.progress is not None else None))
            scrubbed += changed
    return scrubbed


def scrub_import_reports(conn: Connection, store_id: str, values: set[str]) -> int:
    """Import reports of the store quoting one of the erased profile's values (row errors echo
    the offending value): those messages are replaced. Returns how many."""
    if not values:
        return 0
    scrubbed = 0
    rows = conn.execute(select(profile_imports.c.id, profile_imports.c.details, profile_imports.c.failure)
                        .where(profile_imports.c.store_id == store_id)).all()
    for row in rows:
        details = [dict(d) for d in row.details or []]
        changed = 0
        for detail in details:
            if _mentions(str(detail.get("message", "")), values):
                detail["message"] = REDACTED
                changed += 1
        failure = row.failure
        if failure and _mentions(failure, values):
            failure = REDACTED
            changed += 1
        if changed:
            conn.execute(update(profile_imports).where(profile_imports.c.id == row.id)
                         .values(details=details, failure=failure))
            scrubbed += changed
    return scrubbed


# ---- the reclaim job -------------------------------------------------------------------------

def pending_jobs(conn: Connection, kind: str) -> list[Row[Any, Any]]:
    """Waiting (unclaimed) jobs of ``kind``, oldest first, locked on PostgreSQL: a worker's claim
    skips them until this transaction commits, so the job it then runs sees this transaction's
    deletions committed (SQLite writers are serialised anyway)."""
    stmt = (select(jobs.c.id, jobs.c.payload).where(jobs.c.kind == kind, jobs.c.status == "PENDING")
            .order_by(jobs.c.created_at))
    if conn.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return list(conn.execute(stmt).all())


def transaction_xid(conn: Connection) -> int | None:
    """PostgreSQL: the erasing transaction's id (the reclaim job waits for snapshots older than
    it to end); None on SQLite, where nothing needs it."""
    return None if conn.dialect.name == "sqlite" else postgresql.transaction_xid(conn)


def reclaim(db: Database, tables: Sequence[str], *, after_xid: int | None, renew: Callable[[], None],
            wait_seconds: float = 60.0, checkpoint_attempts: int = 3) -> dict[str, Any]:
    """Make rows deleted (or rewritten) in ``tables`` leave the database files; what was done,
    for the log. ``tables`` must be names of the schema (they are put into SQL)."""
    if db.is_sqlite:
        for _ in range(checkpoint_attempts):
            if sqlite.truncate_wal(db.engine):
                return {"wal": "truncated"}
            renew()
        raise RuntimeError("readers kept the WAL from being checkpointed; will retry")
    passed = postgresql.reclaim(db.engine, tables, after_xid=after_xid, wait_seconds=wait_seconds, renew=renew)
    return {"vacuumed": len(tables), "horizon_passed": passed}
