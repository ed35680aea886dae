"""Profile benchmarks through the HTTP API, against a server process of our own.

    .venv/bin/python bench/profiles_bench.py [--database-url URL] [--profiles 100000] [--only create,lookup,bulk,import]

Figures printed (each with a baseline measured in the same run):
* bulk:   one PUT /Profiles/Bulk of 1000 new profiles, time from request to operation COMPLETED
          (baseline: the same batch into an empty store, the first thing the run does);
* load:   the store is then filled to --profiles profiles with bulk upserts of 1000;
* create: POST /Profiles (new customers) one at a time, throughput and p50/p95 latency at the
          filled store (baseline: the same number of creates into an empty second store);
* lookup: POST /Profiles/Lookup of existing phone numbers, p50/p95/p99 at the filled store
          (baseline: GET /healthz, the server's floor for one HTTP round trip);
* import: CSV imports of 10k and 100k rows, rows/s and the server's peak RSS growth during each
          (flat memory means the 100k import does not grow more than the 10k one).

The machine is shared; figures vary with other load."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from harness import CONVMEM, stop, wait_ready


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


class Server:
    def __init__(self, database_url: str | None, workdir: Path) -> None:
        self.workdir = workdir
        self.database_url = database_url or f"sqlite:///{workdir / 'bench.db'}"
        env = {**os.environ, "CONVMEM_DATABASE_URL": self.database_url, "CONVMEM_DATA_DIR": str(workdir),
               "CONVMEM_RATE_LIMIT_PER_SECOND": "0", "CONVMEM_LOG_LEVEL": "WARNING"}
        out = subprocess.run([CONVMEM, "accounts", "create"], env=env, capture_output=True, text=True, check=True)
        creds = json.loads(out.stdout.strip().splitlines()[-1])
        self.auth = (creds["accountSid"], creds["authToken"])
        port = 18000 + os.getpid() % 1000
        self.url = f"http://127.0.0.1:{port}"
        self.log = (workdir / "server.log").open("ab")
        self.process = subprocess.Popen([CONVMEM, "serve", "--port", str(port)], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        wait_ready(self.url, self.process, (workdir / "server.log").read_text)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        stop(self.process)


def new_store(http: httpx.Client) -> str:
    resp = http.post("/v1/ControlPlane/Stores", json={"displayName": f"bench-{time.time_ns()}"})
    return str(http.get(resp.json()["statusUrl"]).json()["result"]["id"])


def batch(start: int, count: int) -> list[dict[str, Any]]:
    return [{"traits": {"Contact": {"email": f"user{n}@bench.example", "phone": f"+1415{n:07d}",
                                    "firstName": f"User{n}", "city": "Springfield"}}}
            for n in range(start, start + count)]


def bulk_upsert(http: httpx.Client, store_id: str, start: int, count: int) -> float:
    began = time.perf_counter()
    resp = http.put(f"/v1/Stores/{store_id}/Profiles/Bulk", json={"profiles": batch(start, count)})
    resp.raise_for_status()
    status_url = resp.json()["statusUrl"]
    while True:
        op = http.get(status_url).json()
        if op["status"] in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - began
    report = http.get(op["resultUrl"]).json()
    assert report["failed"] == 0, report["failures"][:3]
    return elapsed


def creates(http: httpx.Client, store_id: str, start: int, count: int) -> tuple[float, list[float]]:
    latencies = []
    began = time.perf_counter()
    for n in range(start, start + count):
        t0 = time.perf_counter()
        resp = http.post(f"/v1/Stores/{store_id}/Profiles", json={"traits": {"Contact": {
            "email": f"new{n}@bench.example", "phone": f"+1650{n:07d}", "firstName": "New"}}})
        latencies.append(time.perf_counter() - t0)
        assert resp.status_code == 202, resp.text
    return time.perf_counter() - began, latencies


def lookups(http: httpx.Client, store_id: str, population: int, count: int) -> list[float]:
    latencies = []
    step = max(1, population // count)
    for i in range(count):
        n = (i * step) % population
        t0 = time.perf_counter()
        resp = http.post(f"/v1/Stores/{store_id}/Profiles/Lookup", json={"idType": "phone", "value": f"415{n:07d}"})
        latencies.append(time.perf_counter() - t0)
        assert resp.status_code == 200 and len(resp.json()["profiles"]) == 1, resp.text
    return latencies


def csv_import(server: Server, http: httpx.Client, store_id: str, rows: int, offset: int) -> tuple[float, int]:
    path = server.workdir / f"import-{rows}.csv"
    with path.open("w") as handle:
        handle.write("email,phone,first_name\n")
        for n in range(offset, offset + rows):
            handle.write(f"imp{n}@bench.example,+1212{n:07d},Imp{n}\n")
    size = path.stat().st_size
    created = http.post(f"/v1/Stores/{store_id}/Profiles/Imports", json={
        "filename": path.name, "fileSize": size, "columnMappings": [
            {"columnName": "email", "traitGroup": "Contact", "traitName": "email"},
            {"columnName": "phone", "traitGroup": "Contact", "traitName": "phone"},
            {"columnName": "first_name", "traitGroup": "Contact", "traitName": "firstName"}]}).json()
    baseline_rss = server.rss_kib()
    peak = [baseline_rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss_kib())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    began = time.perf_counter()
    with path.open("rb") as body:
        assert httpx.put(created["url"], content=body, timeout=600).status_code == 200
    while True:
        task = http.get(f"/v1/Stores/{store_id}/Profiles/Imports/{created['importId']}").json()
        if task["status"] in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - began
    stop.set()
    sampler.join()
    assert task["status"] == "COMPLETED" and task["summary"]["errors"] == 0, task["summary"]
    return elapsed, peak[0] - baseline_rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--only", default="bulk,create,lookup,import")
    args = parser.parse_args()
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="convmem-bench-") as tmp:
        server = Server(args.database_url, Path(tmp))
        backend = server.database_url.split(":", 1)[0]
        print(f"backend={backend} profiles={args.profiles} (shared 2-core machine: figures are under load)")
        try:
            with httpx.Client(base_url=server.url, auth=server.auth, timeout=600) as http:
                store = new_store(http)
                empty_bulk = bulk_upsert(http, store, 0, 1000)
                loaded = 1000
                if "bulk" in only:
                    print(f"bulk 1000 -> COMPLETED, empty store (baseline): {ms(empty_bulk)}")
                if "create" in only:
                    empty = new_store(http)
                    total, lat = creates(http, empty, 0, args.creates)
                    print(f"create x{args.creates}, empty store (baseline): {args.creates / total:.0f}/s "
                          f"p50 {ms(statistics.median(lat))} p95 {ms(pct(lat, 0.95))}")
                began = time.perf_counter()
                while loaded < args.profiles:
                    bulk_upsert(http, store, loaded, min(1000, args.profiles - loaded))
                    loaded = min(args.profiles, loaded + 1000)
                print(f"load to {loaded} profiles with bulk upserts: {time.perf_counter() - began:.1f} s "
                      f"({(loaded - 1000) / (time.perf_counter() - began):.0f} profiles/s)")
                if "bulk" in only:
                    full_bulk = bulk_upsert(http, store, loaded, 1000)
                    loaded += 1000
                    print(f"bulk 1000 -> COMPLETED at {loaded - 1000} profiles: {ms(full_bulk)} (target <= 2 s)")
                if "create" in only:
                    total, lat = creates(http, store, 10_000_000, args.creates)
                    print(f"create x{args.creates} at {loaded} profiles: {args.creates / total:.0f}/s "
                          f"p50 {ms(statistics.median(lat))} p95 {ms(pct(lat, 0.95))}")
                if "lookup" in only:
                    floor = []
                    for _ in range(args.lookups):
                        t0 = time.perf_counter()
                        http.get("/healthz")
                        floor.append(time.perf_counter() - t0)
                    lat = lookups(http, store, args.profiles, args.lookups)
                    print(f"GET /healthz x{args.lookups} (baseline): p50 {ms(statistics.median(floor))} "
                          f"p95 {ms(pct(floor, 0.95))}")
                    print(f"lookup x{args.lookups} at {loaded} profiles: p50 {ms(statistics.median(lat))} "
                          f"p95 {ms(pct(lat, 0.95))} p99 {ms(pct(lat, 0.99))} (target p95 <= 5 ms)")
                if "import" in only:
                    for rows, offset in ((10_000, 0), (100_000, 100_000)):
                        elapsed, growth = csv_import(server, http, store, rows, offset)
                        print(f"import {rows} rows: {elapsed:.1f} s, {rows / elapsed:.0f} rows/s, "
                              f"peak server RSS growth {growth / 1024:.1f} MiB")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
