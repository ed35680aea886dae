"""CSV profile imports: create the task and its signed upload URL, receive the upload, and
process the rows in the background.

Rows are applied in batches, one transaction per batch with a savepoint per row; the
import's counters and its row watermark commit with the batch. A crash therefore loses at
most an uncommitted batch, which a resumed job redoes from the watermark: no row is applied
twice and no profile is duplicated. A bad row (invalid value, no identifier) is counted and
described, and never stops the others."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row

from convmem.domain import upload_tokens
from convmem.domain.csv_rows import row_traits
from convmem.domain.errors import Conflict, DomainError, InvalidRequest, NotFound
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.domain.trait_schema import normalize_trait_name
from convmem.jobs import JobContext, queue, register
from convmem.services.common import require_store
from convmem.services.profiles import prepare_upsert
from convmem.services.resolution import Prepared, StoreSchema, resolve_batch
from convmem.storage import accounts
from convmem.storage import profile_imports as import_repo
from convmem.storage.db import Database
from convmem.storage.identity_tables import profile_imports
from convmem.storage.paging import keyset_page

KIND = "profiles.import"
MAX_DETAILS = 100
UPLOAD_PREFIX = "/v1/Uploads/Imports"
_keys: dict[str, bytes] = {}


def upload_key(db: Database) -> bytes:
    cache_key = str(db.url)
    if cache_key not in _keys:
        with db.write() as conn:
            _keys[cache_key] = bytes.fromhex(accounts.server_secret(conn, "import_upload_key"))
    return _keys[cache_key]


def upload_dir(data_dir: Path) -> Path:
    path = data_dir / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_mappings(schema: StoreSchema, mappings: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for index, mapping in enumerate(mappings):
        group, trait = mapping["traitGroup"], mapping["traitName"]
        definitions = schema.groups.get(group)
        if definitions is None:
            raise InvalidRequest(f"columnMappings[{index}]: trait group {group!r} is not defined in this store")
        try:
            name = normalize_trait_name(trait)
        except InvalidRequest:
            name = trait
        if name not in definitions:
            raise InvalidRequest(f"columnMappings[{index}]: trait {group}.{trait} is not registered in this store")
        if (group, name) in seen:
            raise InvalidRequest(f"columnMappings[{index}]: trait {group}.{name} is mapped twice")
        seen.add((group, name))
        out.append({"columnName": mapping["columnName"], "traitGroup": group, "traitName": name})
    return out


@dataclass
class CreatedImport:
    import_id: str
    upload_path: str


def create(db: Database, account_sid: str, store_id: str, *, filename: str, file_size: int,
           mappings: list[dict[str, str]], region: str, ttl_seconds: int) -> CreatedImport:
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        checked = _check_mappings(StoreSchema.load(conn, store_id, region), mappings)
        row = import_repo.insert_import(conn, store_id, filename, file_size, checked)
    expires = int(time.time()) + ttl_seconds
    signature = upload_tokens.sign(upload_key(db), row.id, expires)
    return CreatedImport(row.id, f"{UPLOAD_PREFIX}/{row.id}?expires={expires}&signature={signature}")


def fetch(db: Database, account_sid: str, store_id: str, import_id: str) -> Row[Any]:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        row = import_repo.get(conn, store_id, import_id)
    if row is None:
        raise NotFound(f"Import {import_id} was not found in store {store_id}")
    return row


def list_page(db: Database, account_sid: str, store_id: str, cursor: Cursor, size: int) -> Page:
    with db.read() as conn:
        require_store(conn, account_sid, store_id)
        return keyset_page(conn, import_repo.list_query(store_id), profile_imports.c.id, cursor, size)


# ---- upload -----------------------------------------------------------------------------

def begin_upload(db: Database, import_id: str, expires: str | None, signature: str | None) -> int:
    """Check the token and take the import's single upload slot; the declared ``fileSize``,
    which the upload may not exceed (space was allocated for that much, as a presigned URL
    bound to a content length would)."""
    upload_tokens.verify(upload_key(db), import_id, expires, signature)
    with db.write() as conn:
        row = import_repo.get(conn, None, import_id)
        if row is None:
            raise NotFound(f"Import {import_id} was not found")
        if not import_repo.claim_upload(conn, import_id):
            raise Conflict("This upload URL has already been used")
        return int(row.file_size)


def abort_upload(db: Database, import_id: str, part: Path) -> None:
    part.unlink(missing_ok=True)
    with db.write() as conn:
        import_repo.set_upload_state(conn, import_id, "WAITING")


def finish_upload(db: Database, import_id: str, part: Path, final: Path) -> None:
    os.replace(part, final)
    with db.write() as conn:
        import_repo.set_upload_state(conn, import_id, "UPLOADED")
        queue.enqueue(conn, KIND, {"importId": import_id, "path": str(final)})
    queue.notify()


# ---- processing -------------------------------------------------------------------------

def _rows(path: Path, skip: int) -> Iterator[tuple[int, list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for number, row in enumerate(reader, start=1):
            if number > skip:
                yield number, row


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _columns(header: list[str], schema: StoreSchema, mappings: list[dict[str, str]]
             ) -> tuple[list[tuple[int, str, str, dict[str, Any]]], list[str]]:
    positions = {name.strip(): i for i, name in enumerate(header)}
    columns, warnings = [], []
    for mapping in mappings:
        index = positions.get(mapping["columnName"])
        definition = schema.groups.get(mapping["traitGroup"], {}).get(mapping["traitName"])
        if index is None:
            warnings.append(f"column {mapping['columnName']!r} is not in the CSV header")
        elif definition is None:
            warnings.append(f"trait {mapping['traitGroup']}.{mapping['traitName']} no longer exists")
        else:
            columns.append((index, mapping["traitGroup"], mapping["traitName"], definition))
    return columns, warnings


def _note(state: dict[str, Any], kind: str, row: int | None, message: str) -> None:
    state[kind] += 1
    if len(state["details"]) < MAX_DETAILS:
        entry: dict[str, Any] = {"type": "error" if kind == "errors" else "warning", "message": message}
        if row is not None:
            entry["row"] = row
        state["details"].append(entry)


def _fail(db: Database, import_id: str, message: str, path: Path | None = None) -> None:
    """Mark the import FAILED (final) and drop its file."""
    with db.write() as conn:
        import_repo.save(conn, import_id, status="FAILED", failure=message[:1024])
    if path is not None:
        path.unlink(missing_ok=True)


def _apply_batch(conn: Connection, store_id: str, schema: StoreSchema, batch: list[tuple[int, list[str]]],
                 columns: list[tuple[int, str, str, dict[str, Any]]], width: int, state: dict[str, Any]) -> None:
    prepared: list[Prepared] = []
    numbers: list[int] = []
    for number, row in batch:
        if len(row) != width:
            _note(state, "warnings", number, f"row has {len(row)} fields, the header has {width}")
        try:
            prepared.append(prepare_upsert(schema, row_traits(row, columns)))
            numbers.append(number)
        except DomainError as exc:
            _note(state, "errors", number, f"row {number}: {exc.message}")
    for number, outcome in zip(numbers, resolve_batch(conn, store_id, schema, prepared, utcnow()), strict=True):
        if isinstance(outcome, DomainError):
            _note(state, "errors", number, f"row {number}: {outcome.message}")


def run(ctx: JobContext) -> None:
    try:
        _run(ctx)
    except Exception as exc:
        if ctx.last_attempt:
            _fail(ctx.db, ctx.payload["importId"], f"The import could not be processed: {type(exc).__name__}",
                  Path(ctx.payload["path"]))
        raise


def _run(ctx: JobContext) -> None:
    import_id = ctx.payload["importId"]
    path = Path(ctx.payload["path"])
    region, batch_rows = ctx.settings.default_phone_region, ctx.settings.import_batch_rows
    with ctx.db.read() as conn:
        task = import_repo.get(conn, None, import_id)
    if task is None or task.status in ("COMPLETED", "FAILED"):
        # Finished already, or its store was deleted meanwhile (the import row went with it):
        # nobody will read the uploaded customer data any more, so it leaves the disk too.
        path.unlink(missing_ok=True)
        return
    store_id = task.store_id
    try:
        header = _header(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _fail(ctx.db, import_id, f"The file could not be read as UTF-8 CSV: {exc}", path)
        return
    state = {"errors": task.errors, "warnings": task.warnings, "details": list(task.details)}
    with ctx.db.write() as conn:
        schema = StoreSchema.load(conn, store_id, region)
        columns, header_warnings = _columns(header, schema, task.column_mappings)
        if task.rows_done == 0 and task.status == "PENDING":
            for message in header_warnings:
                _note(state, "warnings", None, message)
            import_repo.save(conn, import_id, status="PROCESSING", **state)
    if not columns:
        _fail(ctx.db, import_id, "None of the mapped columns is in the CSV header", path)
        return
    done = task.rows_done
    batch: list[tuple[int, list[str]]] = []
    try:
        rows = _rows(path, done)
        while True:
            batch = [item for _, item in zip(range(batch_rows), rows, strict=False)]
            if not batch:
                break
            with ctx.db.write() as conn:
                schema = StoreSchema.load(conn, store_id, region)
                _apply_batch(conn, store_id, schema, batch, columns, len(header), state)
                done = batch[-1][0]
                import_repo.save(conn, import_id, rows_done=done, **state)
            ctx.renew()
    except (UnicodeDecodeError, csv.Error) as exc:
        _fail(ctx.db, import_id, f"The file is not valid UTF-8 CSV after row {done}: {exc}", path)
        return
    with ctx.db.write() as conn:
        import_repo.save(conn, import_id, status="COMPLETED", rows_done=done, **state)
    path.unlink(missing_ok=True)


register(KIND, run)
