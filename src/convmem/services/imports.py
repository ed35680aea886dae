"""CSV profile imports: create the task and its signed upload URL, receive the upload, and
process the rows in the background.

The upload is stored in the database, in chunks of about a MiB committed one by one as the
body streams in, so any server or worker sharing the database can process an import that
another process received, and no file is ever held whole in memory. Every PUT on the upload URL
is a new attempt: it replaces whatever chunks an interrupted earlier attempt left, and only the
attempt that is still the latest when its body ends may complete the upload (which spends the
URL). Housekeeping fails imports whose URL expired without a complete upload and deletes chunks
nobody will read any more.

Rows are applied in batches, one transaction per batch with a savepoint per row; the
import's counters and its row watermark commit with the batch. A crash therefore loses at
most an uncommitted batch, which a resumed job redoes from the watermark: no row is applied
twice and no profile is duplicated. A bad row (invalid value, no identifier) is counted and
described, and never stops the others."""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row

from convmem.domain import upload_tokens
from convmem.domain.csv_rows import row_traits
from convmem.domain.errors import Conflict, DomainError, InvalidRequest, NotFound
from convmem.domain.pagination import Cursor, Page
from convmem.domain.timefmt import utcnow
from convmem.domain.trait_schema import normalize_trait_name
from convmem.jobs import JobContext, queue
from convmem.services.common import require_store
from convmem.services.profiles import prepare_upsert
from convmem.services.resolution import Prepared, StoreSchema, resolve_batch
from convmem.storage import accounts
from convmem.storage import profile_imports as import_repo
from convmem.storage.db import Database
from convmem.storage.identity_tables import profile_imports
from convmem.storage.paging import keyset_page

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

log = logging.getLogger("convmem.imports")

KIND = "profiles.import"
MAX_DETAILS = 100
UPLOAD_PREFIX = "/v1/Uploads/Imports"
# Bytes per stored chunk: large enough that a 100 MiB file is a hundred short transactions,
# small enough that neither the upload nor the job holds much of a file in memory.
UPLOAD_CHUNK_BYTES = 1 << 20
# An upload still in progress when its URL expires is left alone while it makes progress: the
# signature is checked when a PUT starts (as with a presigned URL), not while its body streams.
# Housekeeping fails it once no chunk arrived for this long.
UPLOAD_IDLE = timedelta(minutes=10)
EXPIRED_FAILURE = ("The upload URL expired before a complete file was uploaded; "
                   "create a new import to upload the file")
LEGACY_FILE_MISSING = ("The uploaded file is not available: it was kept on the local disk of the server that "
                       "received it (before uploads were stored in the database); "
                       "create a new import to upload the file again")
_keys: dict[str, bytes] = {}


def upload_key(db: Database) -> bytes:
    cache_key = str(db.url)
    if cache_key not in _keys:
        with db.write() as conn:
            _keys[cache_key] = bytes.fromhex(accounts.server_secret(conn, "import_upload_key"))
    return _keys[cache_key]


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
    expires = int(time.time()) + ttl_seconds
    with db.write() as conn:
        require_store(conn, account_sid, store_id)
        checked = _check_mappings(StoreSchema.load(conn, store_id, region), mappings)
        # The expiry is kept with the import so that housekeeping can tell when nobody may
        # upload any more (the URL itself is not stored).
        row = import_repo.insert_import(conn, store_id, filename, file_size, checked,
                                        upload_expires_at=datetime.fromtimestamp(expires, UTC))
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

class UploadSuperseded(Conflict):
    """The attempt is no longer the import's current upload."""


@dataclass
class UploadAttempt:
    """One PUT on an import's upload URL: its number, and what it stored so far."""

    import_id: str
    number: int
    declared_size: int
    chunks: int = 0
    size: int = 0


def begin_upload(db: Database, import_id: str, expires: str | None, signature: str | None) -> UploadAttempt:
    """Check the token and open a new upload attempt, which replaces any earlier one that did not
    complete (interrupted, or still streaming: the later PUT wins). Carries the declared
    ``fileSize``, which the upload may not exceed (space was allocated for that much, as a
    presigned URL bound to a content length would)."""
    upload_tokens.verify(upload_key(db), import_id, expires, signature)
    with db.write() as conn:
        row = import_repo.get(conn, None, import_id)
        if row is None:
            raise NotFound(f"Import {import_id} was not found")
        number = import_repo.start_attempt(conn, import_id)
        if number is None:
            raise Conflict("This upload URL has already been used")
        # Whatever earlier attempts stored is garbage now: a killed server's partial upload, or
        # the chunks of a PUT this one replaces (its next chunk write will see it lost).
        import_repo.delete_chunks(conn, import_id, before_attempt=number)
    return UploadAttempt(import_id, number, int(row.file_size))


def write_chunk(db: Database, upload: UploadAttempt, data: bytes) -> None:
    """Store the next chunk in a transaction of its own, so no write lock is held between
    chunks (SQLite has one for the whole database). Raises ``UploadSuperseded`` when a later
    PUT took over, so a replaced upload stops instead of streaming on for nothing."""
    with db.write() as conn:
        if not import_repo.touch_attempt(conn, upload.import_id, upload.number):
            raise UploadSuperseded("A later upload to this URL replaced this one, or the import no longer "
                                   "accepts an upload")
        import_repo.add_chunk(conn, upload.import_id, upload.number, upload.chunks, data)
    upload.chunks += 1
    upload.size += len(data)


def abort_upload(db: Database, upload: UploadAttempt) -> None:
    """Give up this attempt: drop its chunks and, unless a later attempt took over, make the URL
    usable again."""
    with db.write() as conn:
        import_repo.end_attempt(conn, upload.import_id, upload.number, "WAITING")
        import_repo.delete_chunks(conn, upload.import_id, attempt=upload.number)


def finish_upload(db: Database, upload: UploadAttempt) -> None:
    """Accept the complete upload and queue its processing, if this attempt is still the
    current one; the check and the state change are one conditional UPDATE, so of two
    concurrent PUTs only the later can complete."""
    with db.write() as conn:
        accepted = import_repo.end_attempt(conn, upload.import_id, upload.number, "UPLOADED")
        if accepted:
            queue.enqueue(conn, KIND, {"importId": upload.import_id, "attempt": upload.number,
                                       "chunks": upload.chunks})
        else:
            import_repo.delete_chunks(conn, upload.import_id, attempt=upload.number)
    if not accepted:
        raise UploadSuperseded("A later upload to this URL replaced this one, or the import no longer accepts "
                               "an upload")
    queue.notify()


class UploadMissing(Exception):
    """A chunk of an accepted upload is not in the database."""


class UploadReader(io.RawIOBase):
    """An accepted upload as a binary stream, read one chunk (one short read transaction) at a
    time: however large the file, one chunk of it is in memory. ``chunks`` is the count the
    upload stored; with it a missing chunk is an error rather than a silently short file."""

    def __init__(self, db: Database, import_id: str, attempt: int, chunks: int | None) -> None:
        super().__init__()
        self._db, self._import_id, self._attempt, self._chunks = db, import_id, attempt, chunks
        self._seq = 0
        self._pending = memoryview(b"")
        self.chunks_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            if self._chunks is not None and self._seq >= self._chunks:
                return 0
            with self._db.read() as conn:
                data = import_repo.read_chunk(conn, self._import_id, self._attempt, self._seq)
            if data is None:
                if self._chunks is None:
                    return 0
                raise UploadMissing(f"chunk {self._seq} of {self._chunks} of the upload is missing")
            self._pending = memoryview(data)
            self._seq += 1
            self.chunks_read += 1
        out = memoryview(buffer).cast("B")
        size = min(len(out), len(self._pending))
        out[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def open_upload(db: Database, import_id: str, attempt: int, chunks: int | None) -> io.TextIOWrapper:
    """The upload as text for ``csv.reader``: the incremental decoder carries a UTF-8 character
    split between two chunks over, and the csv module a row split between them."""
    return io.TextIOWrapper(io.BufferedReader(UploadReader(db, import_id, attempt, chunks)),
                            encoding="utf-8-sig", newline="")


# ---- processing -------------------------------------------------------------------------

Opener = Callable[[], io.TextIOWrapper]


def _legacy_path(payload: dict[str, Any]) -> Path | None:
    """The local file of an import uploaded before uploads went to the database."""
    return Path(payload["path"]) if payload.get("path") else None


def _opener(db: Database, import_id: str, payload: dict[str, Any]) -> Opener | None:
    if payload.get("attempt") is not None:
        attempt, chunks = int(payload["attempt"]), payload.get("chunks")
        return lambda: open_upload(db, import_id, attempt, None if chunks is None else int(chunks))
    legacy = _legacy_path(payload)
    if legacy is not None and legacy.is_file():
        # Only the process whose disk holds it can read it; elsewhere the import fails below.
        return lambda: legacy.open(newline="", encoding="utf-8-sig")
    return None


def _rows(opener: Opener, skip: int) -> Iterator[tuple[int, list[str]]]:
    with opener() as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for number, row in enumerate(reader, start=1):
            if number > skip:
                yield number, row


def _header(opener: Opener) -> list[str]:
    with opener() as handle:
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


def _fail(db: Database, import_id: str, message: str, legacy: Path | None = None) -> None:
    """Mark the import FAILED (final) and drop its upload: a CSV holds personal data, kept no
    longer than needed."""
    with db.write() as conn:
        import_repo.save(conn, import_id, status="FAILED", failure=message[:1024])
        import_repo.delete_chunks(conn, import_id)
    if legacy is not None:
        legacy.unlink(missing_ok=True)


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
                  _legacy_path(ctx.payload))
        raise


def _run(ctx: JobContext) -> None:
    import_id = ctx.payload["importId"]
    legacy = _legacy_path(ctx.payload)
    region, batch_rows = ctx.settings.default_phone_region, ctx.settings.import_batch_rows
    with ctx.db.read() as conn:
        task = import_repo.get(conn, None, import_id)
    if task is None or task.status in ("COMPLETED", "FAILED"):
        # Finished already, or its store was deleted meanwhile (the import row went with it, and
        # its chunks by cascade): nobody will read the uploaded customer data any more.
        if task is not None:
            with ctx.db.write() as conn:
                import_repo.delete_chunks(conn, import_id)
        if legacy is not None:
            legacy.unlink(missing_ok=True)
        return
    opener = _opener(ctx.db, import_id, ctx.payload)
    if opener is None:
        _fail(ctx.db, import_id, LEGACY_FILE_MISSING)
        return
    store_id = task.store_id
    try:
        header = _header(opener)
    except UploadMissing as exc:
        _fail(ctx.db, import_id, f"The uploaded file is incomplete: {exc}", legacy)
        return
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _fail(ctx.db, import_id, f"The file could not be read as UTF-8 CSV: {exc}", legacy)
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
        _fail(ctx.db, import_id, "None of the mapped columns is in the CSV header", legacy)
        return
    done = task.rows_done
    batch: list[tuple[int, list[str]]] = []
    try:
        # Rows are pulled from the upload between the batch transactions (never inside one):
        # each chunk read is its own short read transaction.
        rows = _rows(opener, done)
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
    except UploadMissing as exc:
        _fail(ctx.db, import_id, f"The uploaded file is incomplete after row {done}: {exc}", legacy)
        return
    except (UnicodeDecodeError, csv.Error) as exc:
        _fail(ctx.db, import_id, f"The file is not valid UTF-8 CSV after row {done}: {exc}", legacy)
        return
    with ctx.db.write() as conn:
        import_repo.save(conn, import_id, status="COMPLETED", rows_done=done, **state)
        import_repo.delete_chunks(conn, import_id)
    if legacy is not None:
        legacy.unlink(missing_ok=True)



# ---- housekeeping -----------------------------------------------------------------------

def clean_up_uploads(db: Database, *, ttl_seconds: int, data_dir: Path, now: datetime | None = None) -> None:
    """Housekeeping of uploads (every process runs it; each step is idempotent): fail imports
    whose URL expired without a complete upload, delete chunks nobody will read, and remove
    files the disk-based uploads of earlier versions left behind."""
    now = now or utcnow()
    expired = expire_abandoned_uploads(db, ttl_seconds=ttl_seconds, now=now)
    purged = purge_stale_chunks(db)
    removed = remove_legacy_files(db, data_dir, ttl_seconds=ttl_seconds, now=now)
    if expired or purged or removed:
        log.info("upload housekeeping: %s imports expired, chunks of %s imports purged, %s legacy files removed",
                 expired, purged, removed)


def expire_abandoned_uploads(db: Database, *, ttl_seconds: int, now: datetime) -> int:
    """FAILED, with a reason clients can read, for each import whose upload URL expired with no
    complete upload: none was started (WAITING), or the last one stalled (UPLOADING with no
    chunk for ``UPLOAD_IDLE``: its client or server died). Their chunks go with them."""
    with db.read() as conn:
        candidates = import_repo.uploads_not_complete(conn)
    count = 0
    for row in candidates:
        # Imports from before the expiry was stored: their URL was signed for the configured TTL.
        expires_at = row.upload_expires_at or row.created_at + timedelta(seconds=ttl_seconds)
        if expires_at >= now:
            continue
        # One short transaction per import; the UPDATE re-checks the state, so an upload that
        # completed or progressed since the read above is left alone.
        with db.write() as conn:
            if import_repo.expire_upload(conn, row.id, EXPIRED_FAILURE, idle_before=now - UPLOAD_IDLE):
                import_repo.delete_chunks(conn, row.id)
                count += 1
    return count


def purge_stale_chunks(db: Database) -> int:
    """Delete the chunks of finished imports (their job deletes them, unless it died in between)
    and of superseded attempts."""
    with db.read() as conn:
        import_ids = import_repo.imports_with_stale_chunks(conn)
    for import_id in import_ids:
        with db.write() as conn:
            import_repo.delete_stale_chunks(conn, import_id)
    return len(import_ids)


def remove_legacy_files(db: Database, data_dir: Path, *, ttl_seconds: int, now: datetime) -> int:
    """Remove ``<data_dir>/imports/*.csv.part`` and ``*.csv`` older than the upload TTL, which the
    disk-based uploads of earlier versions left (e.g. when a server died mid-upload). A complete
    legacy upload whose import still waits for processing here is kept for its job."""
    folder = data_dir / "imports"
    if not folder.is_dir():
        return 0
    cutoff = now.timestamp() - ttl_seconds
    removed = 0
    for path in folder.iterdir():
        name = path.name
        if not name.endswith((".csv", ".csv.part")):
            continue
        try:
            if path.stat().st_mtime >= cutoff:
                continue
        except FileNotFoundError:
            continue
        if name.endswith(".csv") and _legacy_upload_awaited(db, name.removesuffix(".csv")):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _legacy_upload_awaited(db: Database, import_id: str) -> bool:
    with db.read() as conn:
        row = import_repo.get(conn, None, import_id)
    # Attempt 0 with a complete upload: accepted by an earlier version, which wrote it to disk.
    return (row is not None and row.status in ("PENDING", "PROCESSING") and row.upload_state == "UPLOADED"
            and row.upload_attempt == 0)
