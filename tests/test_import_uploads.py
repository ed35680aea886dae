"""CSV import uploads kept in the database: imports complete whichever server received the
upload and whichever runs the job (no shared disk), an interrupted upload can be retried on the
same URL, of two concurrent uploads the later wins, housekeeping fails expired uploads and
deletes what nobody will read, and the job reads an upload chunk by chunk. Uploads cut or paused
on a raw socket, killed servers and several servers are end to end (``e2e``); the rest in-process."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update
from twilio.rest.memory.v1.lookup import LookupList

from convmem.auth import service as auth
from convmem.config import Settings
from convmem.domain.timefmt import utcnow
from convmem.jobs.worker import JobWorker
from convmem.runtime import Runtime
from convmem.services import imports
from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.identity_tables import profile_imports
from convmem.storage.upload_tables import import_upload_chunks
from tests.support.credentials import Credentials
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.wire import create_store
from tests.test_imports import MAPPINGS, _create, wait_import

EMAIL_AND_NAME = [MAPPINGS[0], MAPPINGS[2]]
MIB = 1 << 20


def _csv(rows: int, prefix: str, pad: int = 0) -> bytes:
    """``rows`` people; ``pad`` characters of an unmapped column make the file large with few rows."""
    notes = "n" * pad
    return ("email,first_name,notes\n"
            + "".join(f"{prefix}{i}@example.com,{prefix.title()}{i},{notes}\n" for i in range(rows))).encode()


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _chunks(db: Database, import_id: str) -> list[tuple[int, int]]:
    """(attempt, seq) of the import's stored chunks."""
    with db.read() as conn:
        return [(row.attempt, row.seq) for row in conn.execute(
            select(import_upload_chunks.c.attempt, import_upload_chunks.c.seq)
            .where(import_upload_chunks.c.import_id == import_id)
            .order_by(import_upload_chunks.c.attempt, import_upload_chunks.c.seq))]


def _import_row(db: Database, import_id: str) -> Any:
    with db.read() as conn:
        return conn.execute(select(profile_imports).where(profile_imports.c.id == import_id)).one()


def _on(server_url: str, upload_url: str) -> str:
    """The same upload URL (path and signature) sent to another server."""
    parts = urlsplit(upload_url)
    return f"{server_url}{parts.path}?{parts.query}"


@contextmanager
def _partial_put(upload_url: str, total: int, first: bytes) -> Iterator[socket.socket]:
    """A PUT that announces ``total`` bytes and sends only ``first``; the caller sends more, reads
    the answer, or leaves the block, which closes the connection mid-body."""
    parts = urlsplit(upload_url)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30)
    try:
        head = (f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Content-Type: text/csv\r\nContent-Length: {total}\r\n\r\n")
        sock.sendall(head.encode() + first)
        yield sock
    finally:
        sock.close()


def _status_line(sock: socket.socket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        data = sock.recv(4096)
        if not data:
            break
        answer += data
    return int(answer.split(b" ", 2)[1])


@pytest.fixture
def private_account(private_database: str) -> Iterator[tuple[Database, Credentials]]:
    """The test's own database, migrated, and an account in it."""
    db = Database(private_database)
    migrate.upgrade(db)
    issued = auth.create_account(db)
    yield db, Credentials(issued.account_sid, issued.auth_token)
    db.dispose()


def _client(server: LiveServer, account: Credentials) -> Any:
    return server.twilio(account).memory.v1


def _store(server: LiveServer, account: Credentials) -> str:
    with server.http(account) as http:
        return create_store(http)


@pytest.mark.e2e
def test_imports_complete_across_two_servers_without_a_shared_disk(
        private_account: tuple[Database, Credentials], private_database: str, tmp_path: Path) -> None:
    db, account = private_account
    # A receives every upload and runs no jobs; B, with a data directory of its own, runs them.
    receiver = start_server(private_database, tmp_path / "a.log", extra_env={
        "CONVMEM_RUN_JOBS": "false", "CONVMEM_DATA_DIR": str(tmp_path / "a")})
    worker: LiveServer | None = None
    try:
        v1 = _client(receiver, account)
        store_id = _store(receiver, account)
        rows = 150
        created = []
        for n in range(6):
            # One of them spans two chunks, so the job also reads across a chunk boundary.
            body = _csv(rows, f"p{n}x", pad=8000 if n == 0 else 0)
            task = _create(v1, store_id, len(body), EMAIL_AND_NAME)
            assert httpx.put(task.url, content=body, timeout=60).status_code == 200
            created.append(task.import_id)
        # Nothing was written to A's disk. Both servers run on this one machine, where B could
        # read a file in A's data directory by its path: drop that directory, as B's host would
        # not have it, before B starts.
        assert not (tmp_path / "a" / "imports").exists()
        shutil.rmtree(tmp_path / "a", ignore_errors=True)
        worker = start_server(private_database, tmp_path / "b.log", extra_env={
            "CONVMEM_DATA_DIR": str(tmp_path / "b"), "CONVMEM_JOB_POLL_SECONDS": "0.05"})
        finished = [wait_import(v1, store_id, import_id, timeout=120) for import_id in created]
        completed = sum(1 for task in finished if task.status == "COMPLETED" and task.summary["processedRows"] == rows
                        and task.summary["errors"] == 0)
        print(f"imports completed of 6 across two servers without a shared disk: {completed}")
        assert completed == 6, [task.summary for task in finished]
        assert len(list(_client(worker, account).profiles(store_id).list(page_size=1000))) == 6 * rows
        # Nothing on B's disk either, and nothing left in the database once processed.
        assert not (tmp_path / "b" / "imports").exists()
        assert all(_chunks(db, import_id) == [] for import_id in created)
    finally:
        stop_server(receiver)
        if worker is not None:
            stop_server(worker)


@pytest.mark.e2e
def test_an_upload_cut_mid_body_can_be_retried(v1: Any, store_id: str, db: Database) -> None:
    body = _csv(300, "cut", pad=6000)  # ~1.8 MiB: two chunks
    created = _create(v1, store_id, len(body), EMAIL_AND_NAME)
    with _partial_put(created.url, len(body), body[:MIB + MIB // 4]):
        # The first MiB is committed while the body is still arriving.
        _wait(lambda: _chunks(db, created.import_id) == [(1, 0)], "the first chunk of the upload")
    # Connection closed mid-body: the attempt's chunks are dropped and the URL is usable again.
    _wait(lambda: _chunks(db, created.import_id) == [], "the cut upload's chunks to be dropped")
    assert _import_row(db, created.import_id).upload_state == "WAITING"
    assert v1.imports(store_id, created.import_id).fetch().status == "PENDING"
    assert httpx.put(created.url, content=body, timeout=60).status_code == 200
    assert httpx.put(created.url, content=body, timeout=60).status_code == 409  # spent once complete
    task = wait_import(v1, store_id, created.import_id)
    assert task.status == "COMPLETED" and task.summary["processedRows"] == 300 and task.summary["errors"] == 0
    assert _chunks(db, created.import_id) == []


@pytest.mark.e2e
def test_an_upload_to_a_server_killed_mid_body_can_be_retried_elsewhere(
        private_account: tuple[Database, Credentials], private_database: str, tmp_path: Path) -> None:
    db, account = private_account
    first = start_server(private_database, tmp_path / "a.log", extra_env={"CONVMEM_DATA_DIR": str(tmp_path / "a")})
    second: LiveServer | None = None
    try:
        store_id = _store(first, account)
        body = _csv(200, "kill", pad=8000)
        created = _create(_client(first, account), store_id, len(body), EMAIL_AND_NAME)
        with _partial_put(created.url, len(body), body[:MIB + 1000]):
            _wait(lambda: _chunks(db, created.import_id) == [(1, 0)], "the first chunk of the upload")
            os.kill(first.process.pid, signal.SIGKILL)  # the server dies mid-upload
            first.process.wait()
        assert _import_row(db, created.import_id).upload_state == "UPLOADING"
        second = start_server(private_database, tmp_path / "b.log", extra_env={
            "CONVMEM_DATA_DIR": str(tmp_path / "b")})
        # The same URL, on another server: a new attempt replaces the dead one's chunks.
        assert httpx.put(_on(second.url, created.url), content=body, timeout=60).status_code == 200
        assert all(attempt == 2 for attempt, _ in _chunks(db, created.import_id))
        v1 = _client(second, account)
        task = wait_import(v1, store_id, created.import_id)
        assert task.status == "COMPLETED" and task.summary["processedRows"] == 200, task.summary
        assert _chunks(db, created.import_id) == []
    finally:
        stop_server(first)
        if second is not None:
            stop_server(second)


@pytest.mark.e2e
def test_the_later_of_two_concurrent_uploads_wins(v1: Any, store_id: str, db: Database) -> None:
    earlier = _csv(200, "early", pad=8000)  # ~1.6 MiB
    later = _csv(50, "late")
    created = _create(v1, store_id, len(earlier), EMAIL_AND_NAME)
    with _partial_put(created.url, len(earlier), earlier[:MIB + 1000]) as first:
        _wait(lambda: _chunks(db, created.import_id) == [(1, 0)], "the first chunk of the earlier upload")
        # A second PUT on the URL while the first is still streaming: it takes over and completes.
        assert httpx.put(created.url, content=later, timeout=60).status_code == 200
        # The earlier upload's body ends after that: it may not complete over the later one.
        first.sendall(earlier[MIB + 1000:])
        assert _status_line(first) == 409
    task = wait_import(v1, store_id, created.import_id)
    assert task.status == "COMPLETED" and task.summary["processedRows"] == 50, task.summary
    assert len(list(v1.profiles(store_id).list(page_size=1000))) == 50
    for email, found in (("late0@example.com", 1), ("late49@example.com", 1), ("early0@example.com", 0)):
        lookup = v1.lookup(store_id).create(LookupList.Identifier({"idType": "email", "value": email}))
        assert len(lookup.profiles or []) == found, email


@pytest.mark.e2e
def test_housekeeping_fails_expired_uploads_and_deletes_chunks(
        private_account: tuple[Database, Credentials], private_database: str, tmp_path: Path) -> None:
    db, account = private_account
    ttl = 2
    # No job worker (and so no housekeeping) in the server: the test runs housekeeping itself.
    live = start_server(private_database, tmp_path / "a.log", extra_env={
        "CONVMEM_RUN_JOBS": "false", "CONVMEM_IMPORT_UPLOAD_TTL_SECONDS": str(ttl)})
    settings = Settings(data_dir=tmp_path / "data", import_upload_ttl_seconds=ttl)
    try:
        v1 = _client(live, account)
        store_id = _store(live, account)
        body = _csv(200, "exp", pad=8000)
        never = _create(v1, store_id, 10, EMAIL_AND_NAME)            # never uploaded
        stalled = _create(v1, store_id, len(body), EMAIL_AND_NAME)   # upload started, never finished
        complete = _create(v1, store_id, len(body), EMAIL_AND_NAME)  # uploaded, waiting for a worker
        assert httpx.put(complete.url, content=body, timeout=60).status_code == 200
        with _partial_put(stalled.url, len(body), body[:MIB + 1000]) as client:
            _wait(lambda: _chunks(db, stalled.import_id) == [(1, 0)], "the first chunk of the stalled upload")
            time.sleep(ttl + 1.5)  # every URL has expired now
            housekeeper = JobWorker(Runtime.build(settings, db=db))
            housekeeper.housekeep()
            # The stalled upload made progress within UPLOAD_IDLE: still given a chance.
            assert v1.imports(store_id, never.import_id).fetch().status == "FAILED"
            assert v1.imports(store_id, stalled.import_id).fetch().status == "PENDING"
            assert _chunks(db, stalled.import_id) == [(1, 0)]
            with db.write() as conn:  # as if its last chunk had arrived longer ago than that
                conn.execute(update(profile_imports).where(profile_imports.c.id == stalled.import_id)
                             .values(updated_at=utcnow() - imports.UPLOAD_IDLE - timedelta(seconds=1)))
            housekeeper.housekeep()
            # Its client comes back too late: the rest of the body is refused.
            client.sendall(body[MIB + 1000:])
            assert _status_line(client) == 409
        for import_id in (never.import_id, stalled.import_id):
            task = v1.imports(store_id, import_id).fetch()
            assert task.status == "FAILED" and task.summary["failure"] == imports.EXPIRED_FAILURE, task.summary
            assert _chunks(db, import_id) == []
        # A complete upload waiting for its job is not touched.
        assert v1.imports(store_id, complete.import_id).fetch().status == "PENDING"
        assert [seq for _, seq in _chunks(db, complete.import_id)] == [0, 1]
        # Chunks of a finished import are deleted (its job deletes them, unless it died first).
        with db.write() as conn:
            conn.execute(update(profile_imports).where(profile_imports.c.id == complete.import_id)
                         .values(status="FAILED", failure="test"))
        # Files the disk-based uploads of earlier versions left in the data directory.
        legacy = tmp_path / "data" / "imports"
        legacy.mkdir(parents=True)
        old_part, old_csv = legacy / "mem_import_old.csv.part", legacy / "mem_import_old.csv"
        fresh_part = legacy / "mem_import_new.csv.part"
        for path in (old_part, old_csv, fresh_part):
            path.write_bytes(b"email\nx@example.com\n")
        an_hour_ago = time.time() - 3600
        for path in (old_part, old_csv):
            os.utime(path, (an_hour_ago, an_hour_ago))
        housekeeper.housekeep()
        assert _chunks(db, complete.import_id) == []
        # Of those, the leftovers older than the TTL are removed.
        assert not old_part.exists() and not old_csv.exists() and fresh_part.exists()
    finally:
        stop_server(live)


def _expected_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("chunk_size", [2, 7, 31])
def test_the_job_reads_an_upload_chunk_by_chunk(db: Database, account: Credentials, store_id: str,
                                                chunk_size: int) -> None:
    # A BOM, multi-byte characters (2, 3 and 4 bytes) and a quoted field with a line break, so
    # that characters and rows are split between chunks at every chunk size.
    text = ("\ufeffemail,first_name,notes\n"
            "ann@example.com,Ann\u00e9e,\"two\nlines, and a comma\"\n"
            "bob@example.com,B\u20acb,\U0001f600\U0001f600\n"
            "cy@example.com,\u00c7y,\"quoted \"\"word\"\"\"\n")
    data = text.encode()
    created = imports.create(db, account.account_sid, store_id, filename="u.csv", file_size=len(data),
                             mappings=EMAIL_AND_NAME, region="US", ttl_seconds=60)
    query = parse_qs(urlsplit(created.upload_path).query)
    upload = imports.begin_upload(db, created.import_id, query["expires"][0], query["signature"][0])
    try:
        pieces = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
        for piece in pieces:
            imports.write_chunk(db, upload, piece)
        # Some character really is split between two chunks.
        assert any(0x80 <= piece[0] < 0xC0 for piece in pieces[1:])
        with imports.open_upload(db, created.import_id, upload.number, upload.chunks) as handle:
            assert list(csv.reader(handle)) == _expected_rows(text.removeprefix("\ufeff"))

        # Lazily: the header costs a few chunks, not the whole file.
        raw = imports.UploadReader(db, created.import_id, upload.number, upload.chunks)
        with io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", newline="") as handle:
            assert next(csv.reader(handle)) == ["email", "first_name", "notes"]
            assert raw.chunks_read <= 28 // chunk_size + 2 < len(pieces)

        # A chunk missing from an accepted upload is an error, not a silently shorter file.
        with db.write() as conn:
            conn.execute(import_upload_chunks.delete().where(import_upload_chunks.c.import_id == created.import_id,
                                                             import_upload_chunks.c.seq == 1))
        with pytest.raises(imports.UploadMissing), \
                imports.open_upload(db, created.import_id, upload.number, upload.chunks) as handle:
            handle.read()
    finally:
        imports.abort_upload(db, upload)
    assert _chunks(db, created.import_id) == []


def test_an_import_uploaded_to_disk_by_an_earlier_version(db: Database, account: Credentials, store_id: str,
                                                         tmp_path: Path) -> None:
    from convmem.jobs import queue

    def legacy_import(with_file: bool) -> tuple[str, Path]:
        """An import an earlier version accepted: UPLOADED at attempt 0, its file on a local disk."""
        body = _csv(3, "legacy")
        created = imports.create(db, account.account_sid, store_id, filename="old.csv", file_size=len(body),
                                 mappings=EMAIL_AND_NAME, region="US", ttl_seconds=60)
        with db.write() as conn:
            conn.execute(update(profile_imports).where(profile_imports.c.id == created.import_id)
                         .values(upload_state="UPLOADED"))
        path = tmp_path / "imports" / f"{created.import_id}.csv"
        if with_file:
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(body)
        payload = {"importId": created.import_id, "path": str(path)}
        runtime = Runtime.build(Settings(data_dir=tmp_path), db=db)
        imports.run(queue.JobContext(runtime, "mem_job_legacy", payload, renew=lambda: None))
        return created.import_id, path

    # Where the file is still on this process's disk, the job reads it (and then removes it).
    import_id, path = legacy_import(with_file=True)
    row = _import_row(db, import_id)
    assert row.status == "COMPLETED" and row.rows_done == 3 and not path.exists()
    # Elsewhere the import fails, saying why.
    import_id, _ = legacy_import(with_file=False)
    row = _import_row(db, import_id)
    assert row.status == "FAILED" and row.failure == imports.LEGACY_FILE_MISSING
