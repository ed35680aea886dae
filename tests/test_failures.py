"""Failures of the database and the disk: a database that goes away answers 503 with
Retry-After in the API's error shape (never a 500, never a dropped connection), /readyz says
not-ready meanwhile and ready again by itself, and nothing accepted before, during or after the
outage is lost; a full disk answers 503 with a clear message and /readyz reports it."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from convmem.auth import service as auth
from convmem.storage import migrate
from convmem.storage.db import Database
from tests.support.databases import BACKEND, empty_database
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.tcp_proxy import CuttableProxy

# End to end: a server process whose database connection or disk fails underneath it.
pytestmark = pytest.mark.e2e

OUTAGE_SECONDS = 5.0


def _obs(content: str) -> dict[str, object]:
    return {"observations": [{"content": content, "source": "chat", "occurredAt": "2026-01-01T00:00:00Z"}]}


def _account(url: str) -> str:
    db = Database(url)
    migrate.upgrade(db)
    issued = auth.create_account(db)
    db.dispose()
    return "Basic " + base64.b64encode(f"{issued.account_sid}:{issued.auth_token}".encode()).decode()


def _setup_profile(http: httpx.Client) -> str:
    resp = http.post("/v1/ControlPlane/Stores", json={"displayName": f"failures-{os.getpid()}"})
    store_id = http.get(resp.json()["statusUrl"]).json()["result"]["id"]
    created = http.post(f"/v1/Stores/{store_id}/Profiles",
                        json={"traits": {"Contact": {"email": f"failures-{os.getpid()}@example.com"}}})
    assert created.status_code == 202, created.text
    return f"/v1/Stores/{store_id}/Profiles/{created.json()['id']}"


def _assert_503_shape(resp: httpx.Response) -> None:
    assert resp.status_code == 503
    assert int(resp.headers["Retry-After"]) >= 1
    body = resp.json()
    assert set(body) == {"code", "message", "more_info", "status"} and body["code"] == 20503


@pytest.mark.skipif(BACKEND != "postgresql", reason="cuts the network path to PostgreSQL")
def test_an_unreachable_database_gives_503_and_nothing_accepted_is_lost(tmp_path: Path) -> None:
    with empty_database(tmp_path, "outage") as url:
        authorization = _account(url)
        host, port = "127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0])
        proxy = CuttableProxy(host, port)
        proxied = url.replace(f":{port}/", f":{proxy.port}/")
        live = start_server(proxied, tmp_path / "outage.log")
        try:
            _run_outage(live, authorization, proxy)
        finally:
            stop_server(live)
            proxy.close()


def _run_outage(live: LiveServer, authorization: str, proxy: CuttableProxy) -> None:
    headers = {"Authorization": authorization}
    with httpx.Client(base_url=live.url, headers=headers, timeout=30) as http:
        profile = _setup_profile(http)
    statuses: Counter[int] = Counter()
    dropped: list[str] = []
    accepted: list[str] = []
    bad_503: list[str] = []
    stop_at = time.monotonic() + OUTAGE_SECONDS + 6
    lock = threading.Lock()

    def client(worker: int) -> None:
        with httpx.Client(base_url=live.url, headers=headers, timeout=30) as http:
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                content = f"outage marker {worker}-{n}"
                try:
                    resp = http.post(f"{profile}/Observations", json=_obs(content)) if n % 2 \
                        else http.get(f"{profile}/Observations", params={"pageSize": 1})
                except httpx.HTTPError as exc:
                    with lock:
                        dropped.append(type(exc).__name__)
                    continue
                with lock:
                    statuses[resp.status_code] += 1
                    if resp.status_code == 202:
                        accepted.append(content)
                    if resp.status_code == 503:
                        try:
                            _assert_503_shape(resp)
                        except (AssertionError, KeyError, ValueError):
                            bad_503.append(resp.text)
                time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    proxy.cut()
    time.sleep(1.0)
    not_ready = httpx.get(f"{live.url}/readyz", timeout=30)
    time.sleep(OUTAGE_SECONDS - 1.0)
    proxy.restore()
    ready_after = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if httpx.get(f"{live.url}/readyz", timeout=30).status_code == 200:
            ready_after = time.monotonic()
            break
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    print(f"\nPostgreSQL unreachable for {OUTAGE_SECONDS:g} s: statuses {dict(sorted(statuses.items()))}, "
          f"connections dropped without a response: {len(dropped)}, writes accepted: {len(accepted)}")
    assert not_ready.status_code == 503
    assert ready_after is not None, "not ready again after the database came back"
    assert not dropped, dropped
    assert not bad_503, bad_503[:3]
    assert set(statuses) <= {200, 202, 503}, statuses
    assert statuses[503] > 0 and statuses[202] > 0
    with httpx.Client(base_url=live.url, headers=headers, timeout=30) as http:
        stored = _all_contents(http, profile)
    assert set(accepted) <= stored, set(accepted) - stored


def _all_contents(http: httpx.Client, profile: str) -> set[str]:
    contents: set[str] = set()
    params: dict[str, str | int] = {"pageSize": 1000}
    while True:
        page = http.get(f"{profile}/Observations", params=params).json()
        contents.update(o["content"] for o in page["observations"])
        if not page["meta"].get("nextToken"):
            return contents
        params = {"pageSize": 1000, "pageToken": page["meta"]["nextToken"]}


@pytest.fixture
def small_volume(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs of the test's own, to fill up; skipped where mounting is not allowed."""
    mount_point = tmp_path / "volume"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount_point)],
                            capture_output=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.skipif(BACKEND != "sqlite", reason="fills the volume of the SQLite database")
def test_a_full_disk_gives_503_and_readyz_reports_it(small_volume: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{small_volume / 'convmem.db'}"
    authorization = _account(url)
    live = start_server(url, tmp_path / "full.log", extra_env={"CONVMEM_MIN_FREE_DISK_MB": "4"})
    try:
        with httpx.Client(base_url=live.url, headers={"Authorization": authorization}, timeout=30) as http:
            profile = _setup_profile(http)
            assert http.post(f"{profile}/Observations", json=_obs("before the disk filled")).status_code == 202
            # Fill the volume, leaving less than the readiness floor and too little for a batch.
            filler = small_volume / "filler"
            with filler.open("wb") as sink:
                try:
                    while True:
                        sink.write(b"\0" * 65536)
                        sink.flush()
                except OSError:
                    pass
            os.truncate(filler, filler.stat().st_size - 256 * 1024)
            ready = httpx.get(f"{live.url}/readyz", timeout=10)
            assert ready.status_code == 503 and ready.json()["status"] == "low disk space"
            big = {"observations": [{"content": f"{n} " + "x" * 4000, "source": "chat",
                                     "occurredAt": "2026-01-01T00:00:00Z"} for n in range(10)]}
            statuses = [http.post(f"{profile}/Observations", json=big) for _ in range(40)]
            refused = [r for r in statuses if r.status_code != 202]
            assert refused, "the volume never filled"
            for resp in refused:
                _assert_503_shape(resp)
                assert "storage is full" in resp.json()["message"]
            filler.unlink()
            shutil.rmtree(small_volume / "unused", ignore_errors=True)
            deadline = time.monotonic() + 10
            while httpx.get(f"{live.url}/readyz", timeout=10).status_code != 200:
                assert time.monotonic() < deadline, "not ready again after space was freed"
                time.sleep(0.2)
            assert http.post(f"{profile}/Observations", json=_obs("after space was freed")).status_code == 202
            contents = _all_contents(http, profile)
            assert {"before the disk filled", "after space was freed"} <= contents
    finally:
        stop_server(live)
