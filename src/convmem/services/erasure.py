"""Erasure (GDPR Art. 17): deleting a profile, an observation, a summary or a conversation
removes every copy of it that convmem wrote, not only the rows the API reads.

In the deleting transaction (so it is all-or-nothing with the delete itself):

* the rows, and with them their search index rows, vectors and provenance;
* for a profile, its customer's traces in the store's conversations: the participants resolved
  to it lose their name and addresses, the communications they authored keep their place in
  the transcript with empty text, the other communications addressed to them lose that
  address, and observations and summaries extracted from what the customer said go too,
  whichever profile they were attached to;
* for a profile, job payloads and import reports quoting its values (see
  ``storage.erasure.scrub_bulk_jobs``);
* one ``erasure_audit`` row (counts, credential, time; no id or value of what went);
* an ``erasure.reclaim`` job, debounced: one waiting job takes the tables of every erasure
  committed until a worker claims it.

After the commit, the in-process caches of the serving process drop what they held of it, and
every other server process does the same within ``WATCH_SECONDS`` (it watches the audit trail).
The reclaim job then makes the deleted rows leave the database files: on SQLite (every
connection runs with ``secure_delete``, so deleted cells and freed pages are zeroed) it
truncates the WAL; on PostgreSQL it VACUUMs the tables (indexes included) once no older
snapshot can see the rows. What that guarantees, and
what it cannot (PostgreSQL page free space, WAL segments, backups), is in the README."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.jobs import queue
from convmem.jobs.queue import JobContext
from convmem.search import vectors
from convmem.services import memory_indexing
from convmem.storage import conversations as conversation_repo
from convmem.storage import erasure as storage
from convmem.storage import memories, memory_index, memory_provenance, profile_data
from convmem.storage.db import Database

if TYPE_CHECKING:
    from convmem.services.recall import RecallEngine

log = logging.getLogger("convmem.erasure")

KIND = "erasure.reclaim"
PROFILE, OBSERVATION, SUMMARY, CONVERSATION = "profile", "observation", "summary", "conversation"
# services.bulk.KIND; not imported from there: the bulk service imports the profiles service,
# which imports this module.
_BULK_KIND = "profiles.bulk"

_ITEM_TABLES = ("memory_index", "memory_provenance")
_OBSERVATION_TABLES = ("observations", "observation_revisions", *_ITEM_TABLES)
_SUMMARY_TABLES = ("summaries", *_ITEM_TABLES)
_PROFILE_TABLES = ("profiles", "profile_aliases", "profile_traits", "profile_identifiers", "conversation_profiles",
                   *_OBSERVATION_TABLES, "summaries")
_CONVERSATION_TABLES = ("conversations", "conv_participants", "conv_communications", "conv_actions",
                        "conv_transitions", "conversation_profiles", "memory_provenance")
# Every table a reclaim job may name: payloads are rows, and the names go into SQL.
_RECLAIMABLE = frozenset((*_PROFILE_TABLES, *_CONVERSATION_TABLES, "jobs", "profile_imports"))

WATCH_SECONDS = 5.0
# lru_caches of other modules keyed by text that can carry a customer's words: stemmed words of
# everything indexed or queried, emails checked. (The special-category screen caches no text; the
# offline extractor keeps its verdicts only while one extraction runs.)
_TEXT_CACHES = (("convmem.search.text", "_stem"), ("convmem.domain.normalization", "_email_ok"))


@dataclass
class Erasure:
    """What one erasure did: its audit counts, the profiles whose cached memories changed, and
    the tables the reclaim job has to go over."""

    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    profile_ids: set[str] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


# ---- the use cases' part, in their transaction --------------------------------------------

def erase_profile(conn: Connection, account_sid: str, store_id: str, profile_id: str,
                  credential_sid: str) -> Erasure:
    """Erase a (locked, canonical) profile and everything that carries its customer's data."""
    now = utcnow()
    erasure = Erasure(PROFILE, storage.profile_counts(conn, profile_id), {profile_id}, set(_PROFILE_TABLES))
    values = storage.personal_values(conn, profile_id)
    _erase_customer_in_conversations(conn, profile_id, erasure, now)
    scrubbed = storage.scrub_bulk_jobs(conn, _BULK_KIND, store_id, values)
    if scrubbed:
        erasure.add("job_payload_items", scrubbed)
        erasure.tables.add("jobs")
    scrubbed = storage.scrub_import_reports(conn, store_id, values)
    if scrubbed:
        erasure.add("import_report_messages", scrubbed)
        erasure.tables.add("profile_imports")
    # The rest goes by ON DELETE CASCADE: traits, identifiers, aliases, observations with their
    # revisions, summaries, index rows,
    # provenance and the participant links.
    profile_data.delete_profile(conn, profile_id)
    _record(conn, account_sid, store_id, erasure, credential_sid, now)
    return erasure


def erase_observation(conn: Connection, account_sid: str, store_id: str, profile_id: str, observation_id: str,
                      credential_sid: str) -> Erasure:
    """Erase a (locked) observation of the profile: the row, its revisions, index entry, vector
    and provenance."""
    now = utcnow()
    erasure = Erasure(OBSERVATION, profile_ids={profile_id}, tables=set(_OBSERVATION_TABLES))
    _remove_item(conn, observation_id, profile_id, erasure)
    _record(conn, account_sid, store_id, erasure, credential_sid, now)
    return erasure


def erase_summary(conn: Connection, account_sid: str, store_id: str, profile_id: str, summary_id: str,
                  credential_sid: str) -> Erasure:
    now = utcnow()
    erasure = Erasure(SUMMARY, profile_ids={profile_id}, tables=set(_SUMMARY_TABLES))
    _remove_item(conn, summary_id, profile_id, erasure)
    _record(conn, account_sid, store_id, erasure, credential_sid, now)
    return erasure


def erase_conversation(conn: Connection, account_sid: str, conversation: Row[Any], credential_sid: str) -> Erasure:
    """Erase a (locked) conversation: participants, communications, actions and transitions go
    by cascade; the provenance naming its communications goes here. Memories extracted from it
    stay with their profiles (they are the profiles' now), without that provenance."""
    now = utcnow()
    erasure = Erasure(CONVERSATION, storage.conversation_counts(conn, conversation.id),
                      tables=set(_CONVERSATION_TABLES))
    erasure.add("provenance_records", memory_provenance.forget_conversation(conn, conversation.id))
    conversation_repo.delete_conversation(conn, conversation.id)
    store = conversation.memory_store_id
    _record(conn, account_sid, store if store and ids.is_valid(ids.STORE, store) else None, erasure,
            credential_sid, now)
    return erasure


def _remove_item(conn: Connection, item_id: str, profile_id: str, erasure: Erasure) -> None:
    memory_indexing.unindex(conn, item_id, profile_id)
    if item_id.startswith(ids.SUMMARY + "_"):
        memories.delete_summary(conn, item_id)
        erasure.add("summaries", 1)
    else:
        erasure.add("observation_revisions", storage.revision_count(conn, item_id))
        memories.delete_observation(conn, item_id)
        erasure.add("observations", 1)


def _blank_party(party: dict[str, Any]) -> dict[str, Any]:
    # participantId and channel stay: they say who and how, not who it was.
    return {**party, "address": ""}


def _erase_customer_in_conversations(conn: Connection, profile_id: str, erasure: Erasure, now: datetime) -> None:
    links = storage.participant_links(conn, profile_id)
    if not links:
        return
    participants = {link.participant_id for link in links}
    conversation_ids = sorted({link.conversation_id for link in links})
    redacted: set[str] = set()
    addressed = 0
    for row in storage.communications_of(conn, conversation_ids):
        values: dict[str, Any] = {}
        if row.author_participant_id in participants:
            # The communication keeps its place (other participants' turns refer to it), with
            # nothing of what was said.
            values.update(author=_blank_party(row.author), text="",
                          content={"type": (row.content or {}).get("type", "TEXT"), "text": ""})
            redacted.add(row.id)
        if any(r.get("participantId") in participants for r in row.recipients):
            values["recipients"] = [_blank_party(r) if r.get("participantId") in participants else r
                                    for r in row.recipients]
            addressed += 1
        if values:
            values["updated_at"] = now
            storage.rewrite_communication(conn, row.id, values)
    erasure.add("conversations", len(conversation_ids))
    erasure.add("participants", storage.blank_participants(conn, participants, now))
    erasure.add("communications_redacted", len(redacted))
    erasure.add("communications_addressed", addressed)
    erasure.tables.update(("conv_participants", "conv_communications"))
    # Memories extracted from what the customer said go too, wherever they were attached
    # (a summary of a shared conversation may sit on another participant's profile).
    # The erased profile's own go with it (cascade), and are in its counts already.
    for item_id, owner in memory_provenance.items_written_from(conn, conversation_ids, redacted):
        if owner != profile_id:
            _remove_item(conn, item_id, owner, erasure)
            erasure.profile_ids.add(owner)
            erasure.add("extracted_items_elsewhere", 1)


def _record(conn: Connection, account_sid: str, store_id: str | None, erasure: Erasure, credential_sid: str,
            now: datetime) -> None:
    storage.record_audit(conn, account_sid=account_sid, store_id=store_id, object_kind=erasure.kind,
                         counts=erasure.counts, credential_sid=credential_sid, at=now)
    _request_reclaim(conn, erasure.tables)


def _request_reclaim(conn: Connection, tables: set[str]) -> None:
    """Enqueue the reclaim job, or widen the one still waiting (debounce: however many
    erasures commit before a worker claims it, one job does their work)."""
    xid = storage.transaction_xid(conn)
    pending = storage.pending_jobs(conn, KIND)
    if not pending:
        payload: dict[str, Any] = {"tables": sorted(tables)}
        if xid is not None:
            payload["xid"] = xid
        queue.enqueue(conn, KIND, payload)
        return
    job = pending[0]
    current = dict(job.payload or {})
    merged: dict[str, Any] = {"tables": sorted(set(current.get("tables", [])) | tables)}
    xids = [x for x in (current.get("xid"), xid) if x is not None]
    if xids:
        merged["xid"] = max(xids)
    if merged != current:
        queue.replace_payload(conn, job.id, merged)


# ---- after the commit --------------------------------------------------------------------

def finish(erasure: Erasure, engine: RecallEngine | None = None) -> None:
    """After the erasure committed: wake the worker for the reclaim job, and drop what this
    process holds in memory (``engine``: the Recall engine of the process that served it)."""
    queue.notify()
    forget_in_process(erasure.profile_ids, engine)
    log.info("erased", extra={"fields": {"object_kind": erasure.kind, "counts": erasure.counts}})


def forget_in_process(profile_ids: set[str], engine: RecallEngine | None = None) -> None:
    for cache in vectors.caches():
        cache.evict(profile_ids)
    if engine is not None:
        # Recall queries are free text (an agent's question may name the customer; a query
        # inferred from a conversation is what the customer said); they cannot be told apart,
        # so the whole LRU goes.
        engine.queries.clear()
    _clear_text_caches()


def _clear_text_caches() -> None:
    import sys

    for module_name, name in _TEXT_CACHES:
        module = sys.modules.get(module_name)  # a module never loaded has cached nothing
        cache_clear = getattr(getattr(module, name, None), "cache_clear", None)
        if callable(cache_clear):
            cache_clear()


def _prune_stale(db: Database, engine: RecallEngine | None) -> None:
    """What another process's erasure leaves in this one: cached profiles whose memories changed
    or that are gone, cached Recall queries, and the text caches."""
    def current_keys(profile_ids: list[str]) -> dict[str, tuple[int, int]]:
        with db.read() as conn:
            return memory_index.cache_keys(conn, profile_ids)

    for cache in vectors.caches():
        cache.prune(current_keys)
    if engine is not None:
        engine.queries.clear()
    _clear_text_caches()


class _Watch:
    """Each server process polls the audit trail's newest id; when it moved, some process
    erased something, and this one drops its stale in-process copies."""

    def __init__(self, db: Database, engine: RecallEngine | None) -> None:
        self._db = weakref.ref(db)
        self._engine = weakref.ref(engine) if engine is not None else None
        self._seen: int | None = None
        self._thread = threading.Thread(target=self._run, name="convmem-erasure-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            db = self._db()
            if db is None:  # the server's database handle is gone: so is the server
                return
            try:
                with db.read() as conn:
                    latest = storage.latest_audit_id(conn)
                if self._seen is not None and latest != self._seen:
                    _prune_stale(db, self._engine() if self._engine is not None else None)
                self._seen = latest
            except Exception:  # a database restart: try again at the next tick
                log.debug("erasure watch pass failed", exc_info=True)
            del db
            time.sleep(WATCH_SECONDS)


_watched: weakref.WeakSet[Database] = weakref.WeakSet()
_watched_lock = threading.Lock()


def watch(db: Database, engine: RecallEngine | None = None) -> None:
    """This process's watch for other processes' erasures (started once per database handle)."""
    with _watched_lock:
        if db in _watched:
            return
        _watched.add(db)
    _Watch(db, engine).start()


# ---- the reclaim job ---------------------------------------------------------------------

def reclaim(ctx: JobContext) -> None:
    tables = sorted(t for t in ctx.payload.get("tables", []) if t in _RECLAIMABLE)
    if not tables:
        return
    started = time.monotonic()
    done = storage.reclaim(ctx.db, tables, after_xid=ctx.payload.get("xid"), renew=ctx.renew)
    log.info("erased rows reclaimed from the database files", extra={"fields": {
        "tables": tables, **done, "seconds": round(time.monotonic() - started, 3)}})


