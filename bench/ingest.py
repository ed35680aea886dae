"""Ingest throughput: observations per second from POST to semantically searchable.

Posts N observations (default 20,000) in batches of 10 from 4 client threads to one profile
(as fast as the server accepts them, or paced at ``--rate`` observations/s),
while a monitor watches how many of them have a current embedding (the server's queue works in
write order, so the k-th accepted observation is counted searchable when k are embedded).
Prints the POST rate, the sustained rate to "semantically searchable" and the p50/p95 delay from
202 to searchable; as a baseline measured in the same run, the embedding model's own throughput
in this process on the same texts (the ceiling the queue works against).

    .venv/bin/python bench/ingest.py [--count 20000] [--rate 300] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recall_latency import synthetic
from recall_quality import create_profile, create_store, start_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--database-url")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="pace the POSTs at this many observations/s (default: as fast as the server takes "
                             "them); at a rate the server sustains, the delay to searchable is the queue's own")
    args = parser.parse_args()
    from sqlalchemy import func, select

    from convmem.search.embedding import Embedder
    from convmem.storage.db import Database
    from convmem.storage.memory_tables import memory_index

    texts = synthetic(args.count, random.Random(11))
    model = Embedder()
    t0 = time.perf_counter()
    model.embed_sorted(texts[:1000], batch=32)
    baseline = 1000 / (time.perf_counter() - t0)
    del model
    print(f"baseline: the embedding model alone, 1 thread, batch 32: {baseline:.0f} observations/s")

    server = start_server(args.database_url)
    db = Database(server.database_url)
    accepted: list[float] = []
    lock = threading.Lock()
    done = threading.Event()
    embedded_at: list[tuple[float, int]] = []
    try:
        with httpx.Client(base_url=server.url, auth=server.auth, timeout=60) as http:
            store_id = create_store(http)
            profile_id = create_profile(http, store_id)
            url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations"
            count_stmt = select(func.count()).select_from(memory_index).where(
                memory_index.c.profile_id == profile_id, memory_index.c.needs_embedding.is_(False))

            def monitor() -> None:
                while not done.is_set():
                    with db.read() as conn:
                        n = int(conn.execute(count_stmt).scalar() or 0)
                    embedded_at.append((time.monotonic(), n))
                    if n >= args.count:
                        done.set()
                    time.sleep(0.05)

            def post(start: int) -> None:
                if args.rate > 0:  # batch k of 10 is due at k * 10 / rate seconds after the start
                    delay = started + start / args.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                items = [{"content": t, "source": "ingest", "occurredAt": "2025-03-01T12:00:00Z"}
                         for t in texts[start:start + 10]]
                resp = http.post(url, json={"observations": items})
                assert resp.status_code == 202, resp.text
                now = time.monotonic()
                with lock:
                    accepted.extend([now] * len(items))

            watcher = threading.Thread(target=monitor, daemon=True)
            watcher.start()
            started = time.monotonic()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(post, range(0, args.count, 10)))
            posted = time.monotonic()
            done.wait(3600)
            finished = embedded_at[-1][0]
    finally:
        done.set()
        server.stop()
        db.dispose()
    accepted.sort()
    delays = []
    cursor = 0
    for k, accepted_at in enumerate(accepted, start=1):
        while embedded_at[cursor][1] < k:
            cursor += 1
        delays.append(max(0.0, embedded_at[cursor][0] - accepted_at))
    d = np.array(delays)
    print(f"{args.count} observations: all 202s in {posted - started:.1f}s ({args.count / (posted - started):.0f}/s); "
          f"all semantically searchable after {finished - started:.1f}s "
          f"=> {args.count / (finished - started):.0f} observations/s sustained")
    print(f"delay 202 -> searchable: p50 {np.percentile(d, 50):.2f}s  p95 {np.percentile(d, 95):.2f}s  "
          f"max {d.max():.2f}s")


if __name__ == "__main__":
    main()
