"""Bulk upsert: up to 1000 profiles per call, each resolved like a create.

The request is checked for undeclared groups and traits synchronously (400 for the whole
batch), then committed as a job plus a PENDING operation before the 202 goes out. The job
applies items in chunks, one transaction per chunk and a savepoint per item, so a bad item
is reported and skipped without undoing the others; the chunk watermark commits with the
chunk, so a resumed job neither repeats nor loses items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from convmem.domain.errors import DomainError, InvalidRequest, NotFound
from convmem.domain.timefmt import utcnow
from convmem.domain.trait_values import UndeclaredTrait, check_declared
from convmem.jobs import JobContext, queue
from convmem.services.common import require_store
from convmem.services.profiles import prepare_upsert
from convmem.services.resolution import Prepared, StoreSchema, resolve_batch
from convmem.storage import pending_operations
from convmem.storage.db import Database

KIND = "profiles.bulk"
CHUNK = 250
MAX_REPORTED_FAILURES = 1000


@dataclass
class BulkAccepted:
    operation_id: str
    created_at: datetime


def report_path(store_id: str, operation_id: str) -> str:
    return f"/v1/Stores/{store_id}/Profiles/Bulk/{operation_id}"


def submit(db: Database, account_sid: str, store_id: str, items: list[dict[str, Any]], region: str) -> BulkAccepted:
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        schema = StoreSchema.load(conn, store_id, region)
        for index, traits in enumerate(items):
            try:
                check_declared(traits, schema.groups)
            except UndeclaredTrait as exc:
                raise InvalidRequest(f"profiles[{index}]: {exc.message}") from None
        op_id, created = pending_operations.insert_pending(conn, account_sid, KIND)
        queue.enqueue(conn, KIND, {"storeId": store_id, "accountSid": account_sid, "operationId": op_id,
                                   "profiles": items}, operation_id=op_id)
    queue.notify()
    return BulkAccepted(op_id, created)


def _fail_item(progress: dict[str, Any], index: int, exc: DomainError) -> None:
    progress["failed"] += 1
    if len(progress["failures"]) < MAX_REPORTED_FAILURES:
        progress["failures"].append({"index": index, "code": exc.code, "message": exc.message})


def _apply_chunk(conn: Connection, store_id: str, schema: StoreSchema, items: list[dict[str, Any]], start: int,
                 progress: dict[str, Any]) -> None:
    prepared: list[Prepared] = []
    positions: list[int] = []
    for offset, traits in enumerate(items):
        try:
            prepared.append(prepare_upsert(schema, traits))
            positions.append(start + offset)
        except DomainError as exc:
            _fail_item(progress, start + offset, exc)
    outcomes = resolve_batch(conn, store_id, schema, prepared, utcnow())
    for index, outcome in sorted(zip(positions, outcomes, strict=True), key=lambda pair: pair[0]):
        if isinstance(outcome, DomainError):
            _fail_item(progress, index, outcome)
        else:
            # Profile ids are deliberately not kept in the report: a deleted profile must leave
            # no trace behind, and job rows outlive it.
            progress["succeeded"] += 1
    progress["failures"].sort(key=lambda f: f["index"])


def run(ctx: JobContext) -> None:
    try:
        _run(ctx)
    except Exception as exc:
        if ctx.last_attempt:
            with ctx.db.write() as conn:
                pending_operations.complete(conn, ctx.payload["operationId"], result_id=None, result_path=None,
                                            error={"title": "Batch failed", "code": 20500,
                                                   "detail": f"The batch could not be applied: {type(exc).__name__}"})
        raise


def _run(ctx: JobContext) -> None:
    payload = ctx.payload
    store_id, op_id = payload["storeId"], payload["operationId"]
    items: list[dict[str, Any]] = payload["profiles"]
    region = ctx.settings.default_phone_region
    with ctx.db.read() as conn:
        progress = queue.progress_of(conn, ctx.job_id) or {
            "next": 0, "total": len(items), "succeeded": 0, "failed": 0, "failures": []}
    while progress["next"] < len(items):
        start = progress["next"]
        chunk = items[start:start + CHUNK]
        with ctx.db.write() as conn:
            try:
                require_store(conn, payload["accountSid"], store_id)
            except NotFound:
                pending_operations.complete(conn, op_id, result_id=None, result_path=None, error={
                    "title": "Store deleted", "code": 520041,
                    "detail": f"Store {store_id} was deleted before the batch was applied"})
                return
            pending_operations.mark_running(conn, op_id)
            schema = StoreSchema.load(conn, store_id, region)
            _apply_chunk(conn, store_id, schema, chunk, start, progress)
            progress["next"] = start + len(chunk)
            if progress["next"] >= len(items):
                pending_operations.complete(conn, op_id, result_id=op_id, result_path=report_path(store_id, op_id))
                # The items' traits are personal data the finished job no longer needs.
                queue.replace_payload(conn, ctx.job_id, {**payload, "profiles": []})
            queue.save_progress(conn, ctx.job_id, progress)
        ctx.renew()


def report(db: Database, account_sid: str, store_id: str, operation_id: str) -> dict[str, Any]:
    """Per-item outcome of a bulk upsert (its operation's ``resultUrl``)."""
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        job = queue.for_operation(conn, operation_id)
        if job is None or job.kind != KIND or job.payload.get("storeId") != store_id \
                or job.payload.get("accountSid") != account_sid:
            raise NotFound(f"Bulk operation {operation_id} was not found in store {store_id}")
        total = len(job.payload["profiles"])
        progress = job.progress or {"next": 0, "total": total, "succeeded": 0, "failed": 0, "failures": []}
        total = progress["total"]
    done = progress["next"] >= total
    return {"operationId": operation_id, "status": "COMPLETED" if done else ("RUNNING" if progress["next"] else
                                                                             "PENDING"),
            "total": total, "processed": progress["next"], "succeeded": progress["succeeded"],
            "failed": progress["failed"], "failures": progress["failures"]}

