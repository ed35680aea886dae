"""CSV profile imports: 201 with a signed single-use upload URL, upload without Basic auth,
background processing with counts and per-row errors, and resumption after a crash."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.memory.v1.import_ import ImportList
from twilio.rest.memory.v1.lookup import LookupList

from convmem.storage.db import Database
from tests.support.credentials import Credentials
from tests.support.inprocess import serve_in_process
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.profiles import add_group
from tests.support.wire import create_store

MAPPINGS = [
    {"columnName": "email", "traitGroup": "Contact", "traitName": "email"},
    {"columnName": "phone", "traitGroup": "Contact", "traitName": "phone"},
    {"columnName": "first_name", "traitGroup": "Contact", "traitName": "first_name"},
    {"columnName": "points", "traitGroup": "Loyalty", "traitName": "points"},
]


def _create(v1: Any, store_id: str, size: int, mappings: list[dict[str, str]] = MAPPINGS) -> Any:
    return v1.imports(store_id).create(ImportList.CreateProfilesImportV2Request(
        {"filename": "people.csv", "fileSize": size, "columnMappings": mappings}))


def wait_import(v1: Any, store_id: str, import_id: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = v1.imports(store_id, import_id).fetch()
        if task.status in ("COMPLETED", "FAILED"):
            return task
        time.sleep(0.1)
    raise AssertionError(f"import {import_id} did not finish")


def test_import_good_and_bad_rows(v1: Any, store_id: str, http: httpx.Client, anon: httpx.Client) -> None:
    add_group(http, store_id, "Loyalty", {"points": {"dataType": "NUMBER"}})
    csv_text = (
        "email,phone,first_name,points,unused\n"
        "ann@example.com,,Ann,10,x\n"
        ",317-555-0401,Bob,20,x\n"
        "ANN@example.com,,Annie,,x\n"            # same customer as row 1
        "carl@example.com,,Carl,lots,x\n"       # bad: points is not a number
        ",,NoIdentifier,5,x\n"                  # bad: no identifier
        "dee@example.com,,Dee\n"                # short row: a warning, still imported
        "not-an-email,,Eve,1,x\n"               # bad: invalid identifier
    )
    created = _create(v1, store_id, len(csv_text))
    assert created.import_id.startswith("mem_import_") and created.url.startswith("http://")
    assert v1.imports(store_id, created.import_id).fetch().status == "PENDING"

    anonymous = anon  # no Basic auth: the URL carries the credential
    # More bytes than the declared fileSize: refused, and the URL stays usable.
    oversized = anonymous.put(created.url, content=csv_text.encode() + b"ann@example.com,,Ann,10,x\n")
    assert oversized.status_code == 413 and "fileSize" in oversized.json()["message"]
    bad = created.url.replace("signature=", "signature=0")
    assert anonymous.put(bad, content=csv_text.encode()).status_code == 403
    assert anonymous.put(created.url.split("?")[0], content=b"x").status_code == 403
    assert anonymous.put(created.url, content=csv_text.encode(), headers={"Content-Type": "text/csv"}
                         ).status_code == 200
    assert anonymous.put(created.url, content=csv_text.encode()).status_code == 409  # single use

    task = wait_import(v1, store_id, created.import_id)
    assert task.status == "COMPLETED", task.summary
    assert task.filename == "people.csv" and task.file_size == len(csv_text)
    assert task.column_mappings[2] == {"columnName": "first_name", "traitGroup": "Contact", "traitName": "firstName"}
    assert task.summary["errors"] == 3 and task.summary["warnings"] == 1
    assert task.summary["processedRows"] == 7
    rows_in_error = sorted(d["row"] for d in task.summary["details"] if d["type"] == "error")
    assert rows_in_error == [4, 5, 7]
    profiles = list(v1.profiles(store_id).list(order_by="ASC"))
    assert len(profiles) == 3
    ann_id = v1.lookup(store_id).create(LookupList.Identifier({"idType": "email", "value": "ann@example.com"}))
    ann = v1.profiles(store_id, ann_id.profiles[0]).fetch().traits
    assert ann == {"Contact": {"email": "ANN@example.com", "firstName": "Annie"}, "Loyalty": {"points": 10}}
    assert list(v1.imports(store_id).list()) == [created.import_id]


def test_import_validation(v1: Any, store_id: str) -> None:
    for mappings in (MAPPINGS[:1], [*MAPPINGS[:1], {"columnName": "x", "traitGroup": "Nope", "traitName": "y"}],
                     [*MAPPINGS[:1], {"columnName": "x", "traitGroup": "Contact", "traitName": "shoeSize"}]):
        with pytest.raises(TwilioRestException) as exc:
            _create(v1, store_id, 10, mappings)
        assert exc.value.status == 400
    with pytest.raises(TwilioRestException) as exc:
        _create(v1, store_id, 104857601, MAPPINGS[:2])
    assert exc.value.status == 400


@pytest.mark.e2e
def test_import_resumes_after_crash(account: Credentials, db: Database, tmp_path: Path, server: LiveServer) -> None:
    env = {"CONVMEM_IMPORT_BATCH_ROWS": "20", "CONVMEM_JOB_LEASE_SECONDS": "1", "CONVMEM_DATA_DIR": str(tmp_path)}
    live = start_server(server.database_url, tmp_path / "a.log", extra_env=env)
    try:
        client = live.twilio(account)
        v1 = client.memory.v1
        with live.http(account) as http:
            store_id = create_store(http)
        rows = 600
        body = "email,first_name\n" + "".join(f"user{i}@example.com,U{i}\n" for i in range(rows))
        created = _create(v1, store_id, len(body), [*MAPPINGS[:1], MAPPINGS[2]])
        assert httpx.put(created.url, content=body.encode(), timeout=30).status_code == 200
        deadline = time.monotonic() + 60
        while v1.imports(store_id, created.import_id).fetch().summary["processedRows"] < 40:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(live.process.pid, signal.SIGKILL)  # a crash in the middle of the import
        live.process.wait()
        live = start_server(server.database_url, tmp_path / "b.log", extra_env=env)
        client.memory.base_url = live.url
        task = wait_import(v1, store_id, created.import_id, timeout=120)
        assert task.status == "COMPLETED" and task.summary["processedRows"] == rows
        assert task.summary["errors"] == 0
        assert len(list(v1.profiles(store_id).list(page_size=1000))) == rows
    finally:
        stop_server(live)


def test_an_upload_whose_store_was_deleted_leaves_the_database(private_database: str, tmp_path: Path) -> None:
    from sqlalchemy import select

    from convmem.auth import service as auth
    from convmem.config import Settings
    from convmem.jobs import queue
    from convmem.runtime import Runtime
    from convmem.services import imports
    from convmem.storage.job_tables import jobs
    from convmem.storage.upload_tables import import_upload_chunks

    # A database of its own and no job worker, so the upload waits in the database until the
    # store is gone.
    db = Database(private_database)

    def chunks_of(import_id: str) -> int:
        with db.read() as conn:
            return len(conn.execute(select(import_upload_chunks.c.seq)
                                    .where(import_upload_chunks.c.import_id == import_id)).all())

    try:
        with serve_in_process(private_database, tmp_path, run_jobs=False) as live:
            issued = auth.create_account(db)
            account = Credentials(issued.account_sid, issued.auth_token)
            client = live.twilio(account)
            with live.http(account) as http, live.http() as anonymous:
                store_id = create_store(http)
                body = "email,first_name\nzed@example.com,Zed\n"
                created = _create(client.memory.v1, store_id, len(body), [*MAPPINGS[:1], MAPPINGS[2]])
                assert anonymous.put(created.url, content=body.encode()).status_code == 200
                # In the database, where any server's worker can read it; not on this server's disk.
                assert chunks_of(created.import_id) == 1
                assert not (tmp_path / "imports").exists()
                assert http.delete(f"/v1/ControlPlane/Stores/{store_id}").status_code == 202
            assert chunks_of(created.import_id) == 0  # gone with the store's import, by cascade
            with db.read() as conn:  # the waiting import job, run here as a worker would run it
                job = next(row for row in conn.execute(select(jobs).where(jobs.c.kind == imports.KIND))
                           if row.payload["importId"] == created.import_id)
            runtime = Runtime.build(Settings(data_dir=tmp_path), db=db)
            imports.run(queue.JobContext(runtime, job.id, dict(job.payload), renew=lambda: None))
            assert chunks_of(created.import_id) == 0
    finally:
        db.dispose()
