"""A 202 is a promise: a burst of concurrent control-plane writes, each visible to the very
next read, all survive a SIGKILL of the server sent right after the last response.

The server under test gets a database of its own, so that the restart really recovers that
database (the SQLite WAL, or PostgreSQL's committed state) and nothing else touches it."""

from __future__ import annotations

import secrets
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.live import start_server, stop_server
from tests.support.wire import create_store

# End to end: SIGKILL of a real server process and a restart on the same database.
pytestmark = pytest.mark.e2e

STORES = "/v1/ControlPlane/Stores"
OPERATIONS = "/v1/ControlPlane/Operations"
GROUP = "Burst"
THREADS = 4
STORE_CREATES, TRAIT_PATCHES, MAPPING_CREATES = 6, 12, 6


@dataclass
class Accepted:
    kind: str  # "store", "patch" or "mapping"
    operation_id: str
    label: str  # store name, trait name or mapping name
    resource_id: str | None = None


@dataclass
class Burst:
    accepted: list[Accepted] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, item: Accepted | None = None, problem: str | None = None) -> None:
        with self.lock:
            if item is not None:
                self.accepted.append(item)
            if problem is not None:
                self.problems.append(problem)


def _operation(http: httpx.Client, operation_id: str) -> dict:  # type: ignore[type-arg]
    resp = http.get(f"{OPERATIONS}/{operation_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _accepted_id(resp: httpx.Response) -> str:
    body = resp.json()
    op_id = resp.headers["Operation-Id"]
    assert body["statusUrl"].endswith(f"{OPERATIONS}/{op_id}")
    return op_id


def _mapping_body(name: str) -> dict:  # type: ignore[type-arg]
    return {"displayName": name, "mappingFrom": {"type": "INGRESS", "columns": ["email"]},
            "mappingTo": {"type": "TRAITS", "mappings": [
                {"expression": "email", "traitGroup": "Contact", "traitName": "email"}]}}


def _write_and_read_back(http: httpx.Client, store_id: str, kind: str, label: str, burst: Burst) -> None:
    """One accepted write, then an immediate read that must already see it."""
    if kind == "store":
        resp = http.post(STORES, json={"displayName": label})
    elif kind == "patch":
        resp = http.patch(f"{STORES}/{store_id}/TraitGroups/{GROUP}",
                          json={"traits": {label: {"dataType": "STRING"}}})
    else:
        resp = http.post(f"{STORES}/{store_id}/DataMappings", json=_mapping_body(label))
    if resp.status_code != 202:
        burst.record(problem=f"{kind} {label}: {resp.status_code} {resp.text}")
        return
    item = Accepted(kind, _accepted_id(resp), label)
    burst.record(item)
    # Read-your-writes: the change is committed before the 202, so this read sees it.
    if kind == "patch":
        group = http.get(f"{STORES}/{store_id}/TraitGroups/{GROUP}").json()["traitGroup"]
        if label not in group["traits"]:
            burst.record(problem=f"patch {label} not visible right after its 202")
        return
    op = _operation(http, item.operation_id)
    if op["status"] != "COMPLETED":
        burst.record(problem=f"{kind} {label}: operation {op} not completed after its 202")
        return
    item.resource_id = op["result"]["id"]
    path = f"{STORES}/{item.resource_id}" if kind == "store" else \
        f"{STORES}/{store_id}/DataMappings/{item.resource_id}"
    fetched = http.get(path)
    if fetched.status_code != 200 or fetched.json()["displayName"] != label:
        burst.record(problem=f"{kind} {label} not readable right after its 202: {fetched.text}")


def _run_burst(url: str, auth: tuple[str, str], store_id: str) -> Burst:
    run = secrets.token_hex(3)
    work = [("store", f"burst-{run}-{i}") for i in range(STORE_CREATES)] + \
           [("patch", f"burstTrait{i}") for i in range(TRAIT_PATCHES)] + \
           [("mapping", f"map-{run}-{i}") for i in range(MAPPING_CREATES)]
    burst = Burst()
    start = threading.Barrier(THREADS)

    def worker(share: list[tuple[str, str]]) -> Callable[[], None]:
        def run_share() -> None:
            with httpx.Client(base_url=url, auth=auth, timeout=30) as http:
                start.wait()
                for kind, label in share:
                    try:
                        _write_and_read_back(http, store_id, kind, label, burst)
                    except Exception as exc:  # reported as a test failure below
                        burst.record(problem=f"{kind} {label}: {exc!r}")
        return run_share

    threads = [threading.Thread(target=worker(work[i::THREADS])) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return burst


def test_accepted_writes_survive_sigkill(private_database: str, tmp_path: Path) -> None:
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"CONVMEM_ACCOUNT_SID": sid, "CONVMEM_AUTH_TOKEN": token, "CONVMEM_STORE_QUOTA": "50"}
    server = start_server(private_database, tmp_path / "server.log", extra_env=env)
    try:
        with httpx.Client(base_url=server.url, auth=(sid, token), timeout=30) as http:
            store_id = create_store(http, "durable-base")
            resp = http.post(f"{STORES}/{store_id}/TraitGroups",
                             json={"displayName": GROUP, "traits": {"seed": {"dataType": "STRING"}}})
            assert resp.status_code == 202, resp.text
        burst = _run_burst(server.url, (sid, token), store_id)
        # The last response has arrived: kill at once, with no chance to flush or shut down.
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    finally:
        stop_server(server)
    assert server.process.returncode == -signal.SIGKILL
    assert burst.problems == []
    assert len(burst.accepted) == STORE_CREATES + TRAIT_PATCHES + MAPPING_CREATES

    restarted = start_server(private_database, tmp_path / "restarted.log", extra_env=env)
    try:
        with httpx.Client(base_url=restarted.url, auth=(sid, token), timeout=30) as http:
            _check_everything_survived(http, store_id, burst.accepted)
    finally:
        stop_server(restarted)


def _check_everything_survived(http: httpx.Client, store_id: str, accepted: list[Accepted]) -> None:
    patched = [a.label for a in accepted if a.kind == "patch"]
    for item in accepted:
        op = _operation(http, item.operation_id)
        assert op["status"] == "COMPLETED", op
        if item.kind == "patch":
            assert op["result"]["id"] == GROUP
            continue
        assert op["result"]["id"] == item.resource_id
        path = f"{STORES}/{item.resource_id}" if item.kind == "store" else \
            f"{STORES}/{store_id}/DataMappings/{item.resource_id}"
        fetched = http.get(path)
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["displayName"] == item.label

    group = http.get(f"{STORES}/{store_id}/TraitGroups/{GROUP}").json()["traitGroup"]
    assert set(patched) <= set(group["traits"])
    assert group["version"] == len(patched) + 1

    store_names = {a.label for a in accepted if a.kind == "store"}
    listed = http.get(STORES, params={"pageSize": 100}).json()["stores"]
    assert len(listed) == len(store_names) + 1
    mappings = http.get(f"{STORES}/{store_id}/DataMappings", params={"pageSize": 100}).json()["dataMappings"]
    assert {m["displayName"] for m in mappings} == {a.label for a in accepted if a.kind == "mapping"}
