"""What the MCP ``recall`` tool adds to the REST Recall it wraps, side by side in one run.

One ``convmem serve`` process on loopback (fresh SQLite unless --database-url), one profile
filled with a LoCoMo conversation's observations and summaries (synthetic observations when the
dataset is not there), all embedded before timing starts. Then, for every question, one REST
``POST .../Recall`` and one ``recall`` tool call over streamable HTTP with the same query and
the same default limits, in alternating order (so that drift and the other's cache effects fall
on both alike), both through httpx2 (the HTTP client the MCP SDK uses) on warm keep-alive
connections, the MCP client a warm ``mcp.Client`` session. Every question is asked once
before timing, so both sides find its query vector cached and the comparison is of the two
paths, not of the embedding. Both protocol eras are measured: 2026-07-28 (the SDK client's
default: one self-contained POST per call) and 2025-11-25 (initialize handshake first).

Prints client-observed p50/p95 for each side and the added p50/p95 (target: p95 at most 5 ms),
and checks that both sides returned the same items in the same order.

    .venv/bin/python bench/mcp_overhead.py [--database-url postgresql://...] [--queries 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import httpx2
import numpy as np
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recall_latency import fill, synthetic
from recall_quality import DATA, create_profile, create_store, ingest, load, start_server, wait_embedded

TARGET_MS = 5.0


def questions_and_profile(http: httpx.Client, store_id: str, count: int) -> tuple[str, list[str], str]:
    """A filled profile and the questions to ask it; also says what it was filled with."""
    rng = random.Random(13)
    paths = sorted(DATA.glob("*.json")) if DATA.is_dir() else []
    if paths:
        sample = load(paths[0])
        profile_id = ingest(http, store_id, sample)
        questions = [q for path in paths for q, _, _ in load(path).questions]
        rng.shuffle(questions)
        described = (f"LoCoMo conversation {sample.name}: {len(sample.observations)} observations, "
                     f"{len(sample.summaries)} summaries")
        return profile_id, questions[:count], described
    profile_id = create_profile(http, store_id)
    texts = synthetic(1000, rng)
    fill(http, f"/v1/Stores/{store_id}/Profiles/{profile_id}", texts, rng)
    questions = [f"what did {t.split()[0]} say about {' '.join(t.split()[2:5])}" for t in rng.sample(texts, count)]
    return profile_id, questions, "1000 synthetic observations (LoCoMo not found)"


def ids_of(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["observations"]] + [item["id"] for item in body["summaries"]]


def line(name: str, values: list[float]) -> str:
    return f"  {name:<34} p50 {np.percentile(values, 50):6.2f}  p95 {np.percentile(values, 95):6.2f} ms"


async def compare(url: str, auth: tuple[str, str], store_id: str, profile_id: str, questions: list[str],
                  mode: str) -> tuple[list[float], list[float], int]:
    """(REST ms, MCP ms, answers that differed) over ``questions``, alternating which goes first."""
    recall_path = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall"
    rest_ms: list[float] = []
    mcp_ms: list[float] = []
    differed = 0
    async with httpx2.AsyncClient(base_url=url, auth=httpx2.BasicAuth(*auth), timeout=60) as rest, \
            httpx2.AsyncClient(auth=httpx2.BasicAuth(*auth), timeout=60) as mcp_http, \
            Client(streamable_http_client(f"{url}/mcp", http_client=mcp_http), mode=mode) as agent:

        async def via_rest(query: str) -> list[str]:
            started = time.perf_counter()
            resp = await rest.post(recall_path, json={"query": query})
            rest_ms.append((time.perf_counter() - started) * 1000)
            resp.raise_for_status()
            return ids_of(resp.json())

        async def via_mcp(query: str) -> list[str]:
            started = time.perf_counter()
            result = await agent.call_tool("recall", {"storeId": store_id, "profileId": profile_id, "query": query})
            mcp_ms.append((time.perf_counter() - started) * 1000)
            if result.is_error:
                raise RuntimeError(result.content)
            return ids_of(result.structured_content)

        for query in questions[:20]:  # warm: connections, the tool list, the profile's cached matrix
            await via_rest(query)
            await via_mcp(query)
        rest_ms.clear()
        mcp_ms.clear()
        for n, query in enumerate(questions):
            if n % 2:
                first, second = await via_rest(query), await via_mcp(query)
            else:
                second, first = await via_mcp(query), await via_rest(query)
            differed += first != second
    return rest_ms, mcp_ms, differed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    server = start_server(args.database_url)
    try:
        with httpx.Client(base_url=server.url, auth=server.auth, timeout=60) as http:
            store_id = create_store(http)
            profile_id, questions, described = questions_and_profile(http, store_id, args.queries)
            wait_embedded(server.database_url)
            # Each question once, untimed: its query vector is then cached for both sides alike.
            for query in questions:
                http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall", json={"query": query}) \
                    .raise_for_status()
        print(f"server {server.url} ({server.database_url.split(':')[0]}); {described}; "
              f"{len(questions)} queries, default limits (20 observations, 5 summaries)")
        worst = 0.0
        for mode, era in (("auto", "2026-07-28"), ("legacy", "2025-11-25")):
            rest_ms, mcp_ms, differed = asyncio.run(compare(server.url, server.auth, store_id, profile_id,
                                                            questions, mode))
            added50 = np.percentile(mcp_ms, 50) - np.percentile(rest_ms, 50)
            added95 = np.percentile(mcp_ms, 95) - np.percentile(rest_ms, 95)
            worst = max(worst, added95)
            print(f"\nMCP protocol {era} (streamable HTTP, warm session):")
            print(line("REST POST .../Recall", rest_ms))
            print(line("MCP tools/call recall", mcp_ms))
            print(f"  {'added by MCP':<34} p50 {added50:6.2f}  p95 {added95:6.2f} ms"
                  f"   (target p95 <= {TARGET_MS:g} ms: {'met' if added95 <= TARGET_MS else 'MISSED'})")
            print(f"  same items in the same order: {len(questions) - differed}/{len(questions)}")
        print(f"\nadded p95, worst of the two: {worst:.2f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
