"""Applying lifecycle transitions, and the durable scheduler that fires the timers.

Each conversation stores when its timers next expire (``next_due_at``). The scheduler claims
conversations whose time has come and applies the due transition in one transaction, together
with the extraction job it triggers (transactional outbox). Nothing lives in memory, so
timers fire after a restart too, and several server processes never apply one twice: on
PostgreSQL claimers skip each other's locked rows, on SQLite the write transaction is exclusive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain.conversations import lifecycle as lc
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.timefmt import parse_ts
from convmem.jobs import queue
from convmem.storage import conversations as repo
from convmem.storage.db import Database

log = logging.getLogger("convmem.conversations.lifecycle")

EXTRACTION_JOB_KIND = "conversation.extract"


def activity_of(row: Row[Any]) -> dict[str, datetime]:
    return {channel: parse_ts(at) for channel, at in (row.channel_activity or {}).items()}


def encode_activity(activity: Mapping[str, datetime]) -> dict[str, str]:
    return {channel: at.isoformat() for channel, at in activity.items()}


def deadlines_of(row: Row[Any], activity: Mapping[str, datetime], clock: Clock) -> lc.Deadlines:
    return lc.deadlines((row.configuration or {}).get("channelSettings"), activity, clock.minute)


def schedule(row: Row[Any], status: str, activity: Mapping[str, datetime], clock: Clock) -> datetime | None:
    return lc.next_due(status, deadlines_of(row, activity, clock), row.created_at)


def request_extraction(conn: Connection, row: Row[Any], transition: str, at: datetime) -> None:
    """THE EXTRACTION HOOK: enqueue the memory extraction job for a conversation that just
    went INACTIVE or CLOSED, in the transaction of the transition itself.

    Job kind ``conversation.extract``, payload ``{"conversationId", "accountSid", "storeId",
    "transition": "INACTIVE"|"CLOSED", "at"}``. The handler reads the communications with
    ``seq`` above ``conversations.extraction_watermark`` (storage.conversations.communications_after),
    writes observations (and on CLOSED one summary) for each profile in
    ``conversation_profiles``, then advances the watermark."""
    payload = {"conversationId": row.id, "accountSid": row.account_sid, "storeId": row.memory_store_id,
               "transition": transition, "at": at.isoformat()}
    queue.enqueue(conn, EXTRACTION_JOB_KIND, payload)  # also wakes this process's job worker


def apply_transition(conn: Connection, row: Row[Any], to_status: str, reason: str, at: datetime,
                     clock: Clock, extra: dict[str, Any] | None = None) -> bool:
    """Move a (locked) conversation to ``to_status``, reschedule it, log the transition and
    request extraction when it calls for it. Returns whether extraction was requested."""
    activity = activity_of(row)
    wants = lc.extraction_requested(to_status, bool(row.memory_extraction_enabled), bool(row.memory_store_id))
    values: dict[str, Any] = {"status": to_status, "status_changed_at": at, "updated_at": at,
                              "next_due_at": schedule(row, to_status, activity, clock)}
    values.update(extra or {})
    repo.update_conversation(conn, row.id, values)
    repo.record_transition(conn, row.id, row.status, to_status, reason, wants, at)
    if wants:
        request_extraction(conn, row, to_status, at)
    return wants


def advance_due(conn: Connection, row: Row[Any], clock: Clock, now: datetime) -> str:
    """Apply the transition the timers call for at ``now`` (if any) to a locked conversation;
    the new status."""
    activity = activity_of(row)
    due = lc.due_transition(row.status, deadlines_of(row, activity, clock), row.created_at, now)
    if due is None:
        return str(row.status)
    apply_transition(conn, row, due, "timeout", now, clock)
    return due


def sweep(db: Database, clock: Clock, limit: int = 100) -> int:
    """One scheduler pass: apply every due transition. Returns how many conversations moved."""
    now = clock.now()
    moved = 0
    with db.write() as conn:
        for conversation_id in repo.due_conversation_ids(conn, now, limit, skip_locked=not db.is_sqlite):
            row = repo.get_conversation_any_account(conn, conversation_id)
            if row is not None and advance_due(conn, row, clock, now) != row.status:
                moved += 1
    return moved


class Scheduler:
    """The background thread running ``sweep`` every ``interval`` seconds."""

    def __init__(self, db: Database, clock: Clock, interval: float) -> None:
        self._db, self._clock, self._interval = db, clock, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="convmem-conversation-timers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        next_purge = 0.0
        while not self._stop.is_set():
            try:
                while sweep(self._db, self._clock) and not self._stop.is_set():
                    pass
                if time.monotonic() >= next_purge:
                    # Idempotency keys only need to outlive their 24-hour replay window.
                    with self._db.write() as conn:
                        repo.purge_idempotency_keys(conn, timedelta(hours=25))
                    next_purge = time.monotonic() + 3600
            except Exception:  # the loop must survive a failed pass (e.g. DB restart)
                log.exception("conversation timer sweep failed")
            self._stop.wait(self._interval)
