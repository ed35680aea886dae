"""Recall latency at 1,000 and 10,000 observations per profile, server in one process.

For each size: one profile (created through the API) filled with synthetic observations
(posted through the API, then embedded by the server's queue), then LoCoMo questions as
queries. Prints client-observed p50/p95/p99 and the server's ``meta.queryTime``; as a baseline
measured in the same run, the same percentiles for ListProfileObservations (a plain indexed
read through the same HTTP, auth and database path, with no retrieval). Every timed question is
new to the server (its query-vector cache would otherwise hide the embedding). Then Recall
around writes to the profile, in interleaved rounds (``after_writes``): quiet, right after a
write (an agent's turn: the Recall brings the profile's cached memories up to date with the
write while the embed job embeds it), and after a write once it is embedded; and, with
``--under-ingest``, while two clients keep posting observations. Ends with the p95 of each
around writes and the ratios to the quiet one, per size (client-observed, same run).

    .venv/bin/python bench/recall_latency.py [--database-url postgresql://...] [--queries 300] [--write-rounds 40]
        [--under-ingest]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recall_quality import DATA, create_profile, create_store, load, start_server, wait_embedded

NAMES = ["Alice", "Bruno", "Chen", "Dara", "Elif", "Farah", "Goran", "Hana", "Ivan", "Jules", "Kofi", "Lena"]
VERBS = ["prefers", "bought", "asked about", "complained about", "plans to visit", "recommended", "cancelled",
         "is learning", "lost", "celebrated", "painted", "repaired", "signed up for", "returned"]
THINGS = ["a pottery class", "the blue running shoes", "a weekend in Lisbon", "the premium plan",
          "her vintage bike", "a vegan cookbook", "the late delivery", "guitar lessons", "a family reunion",
          "the noise-cancelling headphones", "a camping trip", "his sister's wedding", "the refund policy",
          "a marathon in October", "a sunset painting", "the kitchen sink", "a volunteering shift",
          "the annual subscription", "a birthday concert", "Spanish"]
WHEN = ["last week", "yesterday", "this morning", "two months ago", "over the holidays", "after work", "on Sunday"]


def synthetic(n: int, rng: random.Random) -> list[str]:
    return [f"{rng.choice(NAMES)} {rng.choice(VERBS)} {rng.choice(THINGS)} {rng.choice(WHEN)} (note {i})"
            for i in range(n)]


def fill(http: httpx.Client, base: str, texts: list[str], rng: random.Random) -> None:
    def post(start: int) -> None:
        items = [{"content": t, "source": "bench", "occurredAt": f"2024-{rng.randint(1, 12):02d}-"
                  f"{rng.randint(1, 28):02d}T10:00:00Z"} for t in texts[start:start + 10]]
        resp = http.post(f"{base}/Observations", json={"observations": items})
        assert resp.status_code == 202, resp.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(post, range(0, len(texts), 10)))


def percentiles(values: list[float]) -> str:
    a = np.array(values)
    return f"p50 {np.percentile(a, 50):6.1f}  p95 {np.percentile(a, 95):6.1f}  p99 {np.percentile(a, 99):6.1f} ms"


def p95(values: list[float]) -> float:
    return float(np.percentile(np.array(values), 95))


def embedded(database_url: str, idle: float = 0.25) -> Callable[[], None]:
    """Waits (polling the database) until no item waits for its vector, and then ``idle``
    seconds more: the job worker keeps claiming for 0.2 s after a wake-up (jobs/worker.py), and
    the quiet and once-embedded timings are meant without it."""
    from convmem.storage import memory_index
    from convmem.storage.db import Database

    db = Database(database_url)

    def wait() -> None:
        while True:
            with db.read() as conn:
                if memory_index.waiting_count(conn) == 0:
                    time.sleep(idle)
                    return
            time.sleep(0.01)

    return wait


def after_writes(http: httpx.Client, base: str, questions: list[str], settle: Callable[[], None],
                 absorb: str) -> tuple[list[float], list[float], list[float]]:
    """Recall around writes, in rounds that interleave three timings (so that whatever else the
    machine is doing weighs on all three alike), each with a question of its own:

    * quiet: the profile is settled (every write embedded, the worker idle, and a Recall has
      seen it);
    * right after a write: an agent's turn, a write then at once a Recall on the same profile,
      which brings the profile's cached memories up to date while the server's embed job embeds
      the new observation;
    * once embedded: a write, then a Recall once the embed job stored its vector and the
      worker is idle (the Recall applies both): the cost of keeping the cache current, without
      the embed job competing for the CPU.

    Returns the client-observed milliseconds of each."""
    quiet_ms, after_ms, settled_ms, server = [], [], [], ([], [], [])

    def timed(q: str, into: list[float], kind: int) -> None:
        t0 = time.perf_counter()
        resp = http.post(f"{base}/Recall", json={"query": q})
        into.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
        server[kind].append(resp.json()["meta"]["queryTime"])

    def write(q: str) -> None:
        item = {"content": f"The customer asked: {q}", "source": "bench", "occurredAt": "2025-02-01T10:00:00Z"}
        http.post(f"{base}/Observations", json={"observations": [item]}).raise_for_status()

    for n in range(0, len(questions) - 2, 3):
        settle()
        http.post(f"{base}/Recall", json={"query": absorb}).raise_for_status()  # applies the last vector
        timed(questions[n], quiet_ms, 0)
        write(questions[n + 1])
        timed(questions[n + 1], after_ms, 1)
        write(questions[n + 2])
        settle()
        timed(questions[n + 2], settled_ms, 2)
    for label, client_ms, server_ms in (("quiet, between the writes:", quiet_ms, server[0]),
                                        ("right after a write to the same profile:", after_ms, server[1]),
                                        ("after a write, once it is embedded:", settled_ms, server[2])):
        print(f"  {label}")
        print(f"  Recall, client-observed       {percentiles(client_ms)}")
        print(f"  Recall, meta.queryTime        {percentiles(server_ms)}")
    return quiet_ms, after_ms, settled_ms


def under_ingest(http: httpx.Client, store_id: str, base: str, questions: list[str]) -> None:
    """Recall on ``base`` while two other clients post observations (batches of 10) to a second
    profile as fast as the server takes them, so the embedding worker is busy throughout."""
    other = f"/v1/Stores/{store_id}/Profiles/{create_profile(http, store_id)}/Observations"
    stop = threading.Event()
    posted = [0]

    def writer() -> None:
        texts = synthetic(20000, random.Random(99))
        i = 0
        while not stop.is_set():
            items = [{"content": t, "source": "bench", "occurredAt": "2025-01-01T10:00:00Z"}
                     for t in texts[i % 19990:i % 19990 + 10]]
            http.post(other, json={"observations": items}).raise_for_status()
            posted[0] += 10
            i += 10

    writers = [threading.Thread(target=writer, daemon=True) for _ in range(2)]
    for thread in writers:
        thread.start()
    time.sleep(2)  # let the queue fill so the worker is embedding while we ask
    client_ms, server_ms = [], []
    started = time.monotonic()
    for q in questions:
        t0 = time.perf_counter()
        resp = http.post(f"{base}/Recall", json={"query": q})
        client_ms.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
        server_ms.append(resp.json()["meta"]["queryTime"])
    elapsed = time.monotonic() - started
    stop.set()
    for thread in writers:
        thread.join()
    print(f"  while ingesting ({posted[0] / (elapsed + 2):.0f} observations/s posted meanwhile):")
    print(f"  Recall, client-observed       {percentiles(client_ms)}")
    print(f"  Recall, meta.queryTime        {percentiles(server_ms)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--ingest-queries", type=int, default=60, help="queries timed under ingest, per size")
    parser.add_argument("--write-rounds", type=int, default=40,
                        help="rounds of (quiet, right after a write, after a write once embedded) Recalls, per size")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--under-ingest", action="store_true",
                        help="also measure Recall while two clients keep posting observations to another profile")
    args = parser.parse_args()
    rng = random.Random(7)
    questions = [q for path in sorted(DATA.glob("*.json")) for q, _, _ in load(path).questions]
    rng.shuffle(questions)
    # Every measured query is one the server has not seen: Recall keeps recent query vectors,
    # and a repeated question would be timed without its embedding.
    warm_up, fresh = questions[:20], iter(questions[20:])

    def take(n: int) -> list[str]:
        batch = [q for _, q in zip(range(n), fresh, strict=False)]
        if len(batch) < n:
            raise SystemExit(f"only {len(questions)} distinct questions: ask for fewer --queries")
        return batch

    server = start_server(args.database_url)
    backend = server.database_url.split(':')[0]
    print(f"server {server.url} ({backend}), {args.queries} queries per size")
    summary: list[tuple[int, float, float, float]] = []
    try:
        with httpx.Client(base_url=server.url, auth=server.auth, timeout=60) as http:
            store_id = create_store(http)
            for size in (int(s) for s in args.sizes.split(",")):
                profile_id = create_profile(http, store_id)
                base = f"/v1/Stores/{store_id}/Profiles/{profile_id}"
                started = time.monotonic()
                fill(http, base, synthetic(size, rng), rng)
                waited = wait_embedded(server.database_url)
                print(f"\n{size} observations: posted and embedded in {time.monotonic() - started:.0f}s "
                      f"({waited:.0f}s of it waiting for the queue after the last 202)")
                for q in warm_up:  # warm-up: first load of the profile cache, etc.
                    http.post(f"{base}/Recall", json={"query": q})
                client_ms, server_ms, list_ms = [], [], []
                for q in take(args.queries):
                    t0 = time.perf_counter()
                    resp = http.post(f"{base}/Recall", json={"query": q})
                    client_ms.append((time.perf_counter() - t0) * 1000)
                    resp.raise_for_status()
                    server_ms.append(resp.json()["meta"]["queryTime"])
                    t0 = time.perf_counter()
                    http.get(f"{base}/Observations", params={"pageSize": 20}).raise_for_status()
                    list_ms.append((time.perf_counter() - t0) * 1000)
                print(f"  Recall, client-observed       {percentiles(client_ms)}")
                print(f"  Recall, meta.queryTime        {percentiles(server_ms)}")
                print(f"  baseline: ListObservations    {percentiles(list_ms)}")
                quiet, after_write, settled = after_writes(http, base, take(3 * args.write_rounds),
                                                           embedded(server.database_url), warm_up[0])
                summary.append((size, p95(quiet), p95(after_write), p95(settled)))
                if args.under_ingest:
                    under_ingest(http, store_id, base, take(args.ingest_queries))
    finally:
        server.stop()
    print(f"\nRecall p95 around writes, client-observed ({backend}):")
    for size, quiet, after_write, settled in summary:
        print(f"  {size:>6} observations: quiet {quiet:6.1f} ms, right after a write {after_write:6.1f} ms "
              f"(ratio {after_write / quiet:4.2f}x), after a write once embedded {settled:6.1f} ms "
              f"(ratio {settled / quiet:4.2f}x)")

if __name__ == "__main__":
    main()
