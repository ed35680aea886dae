"""Recall quality on the LoCoMo development split, through the real HTTP Recall endpoint.

For each conversation: one profile (created through the API), the dataset's own
``session_N_observation`` items as observations (occurredAt = session date; the evidence
``dia_id``s are kept in ``source`` as ``locomo/D1.3``) and the ``session_N_summary`` texts as
summaries. Every question of categories 1-4 is asked through ``POST .../Recall``; a question is a
hit at k when one of the first k observations cites one of its evidence dia_ids.

In the same run, over the very same items and stored vectors, two baselines: BM25 alone
(Snowball-stemmed, with the date in the lexical field, i.e. the server's lexical side) and dense
cosine alone (the server's MiniLM int8 vectors). ``--explore`` also prints offline variants of
the fusion for tuning.

    .venv/bin/python bench/recall_quality.py [--database-url postgresql://...] [--explore]

The data is read from ../shared/bench-data/locomo (relative to the repository) and never copied.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from harness import launch, stop

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "bench-data" / "locomo"
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


# ----- a live server of our own ------------------------------------------------------------------

@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    database_url: str
    auth: tuple[str, str]
    workdir: Path

    def stop(self) -> None:
        stop(self.process)
        if not os.environ.get("CONVMEM_BENCH_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_server(database_url: str | None = None, extra_env: dict[str, str] | None = None) -> Server:
    """``convmem serve`` in one process on loopback, on a fresh SQLite file unless given a URL."""
    workdir = Path(tempfile.mkdtemp(prefix="convmem-bench-"))
    database_url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    url, proc = launch({"CONVMEM_DATABASE_URL": database_url, "CONVMEM_ACCOUNT_SID": sid,
                        "CONVMEM_AUTH_TOKEN": token, **(extra_env or {})}, workdir / "server.log")
    return Server(url, proc, database_url, (sid, token), workdir)


def create_store(http: httpx.Client) -> str:
    resp = http.post("/v1/ControlPlane/Stores", json={"displayName": f"bench-{secrets.token_hex(3)}"})
    resp.raise_for_status()
    return str(http.get(resp.json()["statusUrl"]).json()["result"]["id"])


def create_profile(http: httpx.Client, store_id: str) -> str:
    resp = http.post(f"/v1/Stores/{store_id}/Profiles",
                     json={"traits": {"Contact": {"email": f"{secrets.token_hex(6)}@example.com"}}})
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


def wait_embedded(database_url: str, timeout: float = 1800) -> float:
    """Seconds until no item waits for a vector and the queue has no embedding job left (the
    benchmark looks at the database here), so that what follows measures a settled server."""
    from sqlalchemy import func, select

    from convmem.services import embeddings as embed_jobs
    from convmem.storage import memory_index
    from convmem.storage.db import Database
    from convmem.storage.job_tables import jobs

    open_jobs = select(func.count()).select_from(jobs).where(jobs.c.kind == embed_jobs.KIND,
                                                             jobs.c.status.in_(("PENDING", "RUNNING")))

    db = Database(database_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with db.read() as conn:
                if memory_index.waiting_count(conn) == 0 and not conn.execute(open_jobs).scalar():
                    return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError("embedding did not finish")
    finally:
        db.dispose()


def conversation_id() -> str:
    from convmem.domain import ids

    return ids.new_id(ids.CONVERSATION)


# ----- the dataset ---------------------------------------------------------------------------------

@dataclass
class Sample:
    name: str
    observations: list[tuple[str, list[str], datetime]] = field(default_factory=list)
    summaries: list[tuple[str, datetime]] = field(default_factory=list)
    questions: list[tuple[str, set[str], int]] = field(default_factory=list)


def session_date(text: str) -> datetime:
    return datetime.strptime(text, "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def load(path: Path) -> Sample:
    raw = json.loads(path.read_text())
    sample = Sample(path.stem)
    for key, value in raw.items():
        if key.endswith("_observation"):
            when = session_date(raw[key.replace("_observation", "_date_time")])
            for items in value.values():
                for content, evidence in items:
                    dia = evidence if isinstance(evidence, list) else [evidence]
                    dia = [d.strip() for entry in dia for d in entry.split(",") if d.strip()]
                    sample.observations.append((content, dia, when))
        elif key.endswith("_summary") and key.startswith("session_"):
            sample.summaries.append((value, session_date(raw[key.replace("_summary", "_date_time")])))
    for qa in raw["qa"]:
        if qa["category"] in CATEGORIES and qa.get("evidence"):
            sample.questions.append((qa["question"], set(qa["evidence"]), qa["category"]))
    return sample


def source_of(dia_ids: list[str]) -> str:
    return ("locomo/" + " ".join(d.replace(":", ".") for d in dia_ids))[:100]


def dia_of(source: str) -> set[str]:
    return {d.replace(".", ":") for d in source.removeprefix("locomo/").split()}


def ingest(http: httpx.Client, store_id: str, sample: Sample) -> str:
    profile_id = create_profile(http, store_id)
    base = f"/v1/Stores/{store_id}/Profiles/{profile_id}"
    items = [{"content": c, "source": source_of(d), "occurredAt": w.strftime("%Y-%m-%dT%H:%M:%SZ")}
             for c, d, w in sample.observations]
    for start in range(0, len(items), 10):
        resp = http.post(f"{base}/Observations", json={"observations": items[start:start + 10]})
        assert resp.status_code == 202, resp.text
    summaries = [{"content": c[:4096], "conversationId": conversation_id(),
                  "occurredAt": w.strftime("%Y-%m-%dT%H:%M:%SZ")} for c, w in sample.summaries]
    for start in range(0, len(summaries), 10):
        assert http.post(f"{base}/ConversationSummaries", json={"summaries": summaries[start:start + 10]}) \
            .status_code == 202
    return profile_id


# ----- scoring -------------------------------------------------------------------------------------

class Tally:
    def __init__(self) -> None:
        self.hits: dict[tuple[str, int], int] = defaultdict(int)
        self.total: dict[int, int] = defaultdict(int)

    def add(self, category: int, ranked_dia: list[set[str]], evidence: set[str]) -> None:
        self.total[category] += 1
        for k in (5, 10):
            if any(d & evidence for d in ranked_dia[:k]):
                self.hits[(f"@{k}", category)] += 1

    def rate(self, k: int, category: int | None = None) -> float:
        cats = [category] if category else list(self.total)
        total = sum(self.total[c] for c in cats)
        return 100.0 * sum(self.hits[(f"@{k}", c)] for c in cats) / max(total, 1)


def offline_corpus(database_url: str, profile_id: str) -> tuple[list[str], list[set[str]], np.ndarray, list[list[str]]]:
    """The profile's observations as the server stored them: ids, evidence, vectors, lexical terms."""
    from sqlalchemy import select

    from convmem.search.embedding import from_bytes
    from convmem.storage.db import Database
    from convmem.storage.memory_tables import memory_index, observations

    db = Database(database_url)
    with db.read() as conn:
        rows = conn.execute(select(observations.c.id, observations.c.source, memory_index.c.embedding,
                                   memory_index.c.search_text)
                            .join(memory_index, memory_index.c.item_id == observations.c.id)
                            .where(observations.c.profile_id == profile_id).order_by(observations.c.id)).all()
    db.dispose()
    matrix = np.stack([from_bytes(r.embedding) for r in rows])
    return [r.id for r in rows], [dia_of(r.source) for r in rows], matrix, [r.search_text.split() for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL of an empty database (default: fresh SQLite)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--explore", action="store_true", help="also print offline fusion variants")
    args = parser.parse_args()

    from convmem.domain.ranking import FusionWeights, diversify, relevance
    from convmem.search import bm25
    from convmem.search import text as search_text
    from convmem.search.embedding import get_embedder

    samples = [load(p) for p in sorted(args.data.glob("*.json"))]
    server = start_server(args.database_url)
    print(f"server {server.url} on {server.database_url.split(':')[0]}; "
          f"{sum(len(s.observations) for s in samples)} observations, "
          f"{sum(len(s.questions) for s in samples)} questions (categories 1-4)")
    try:
        with httpx.Client(base_url=server.url, auth=server.auth, timeout=60) as http:
            store_id = create_store(http)
            profiles = {s.name: ingest(http, store_id, s) for s in samples}
            print(f"embedding finished {wait_embedded(server.database_url):.1f}s after the last write")
            endpoint, lexical, dense = Tally(), Tally(), Tally()
            variants: dict[str, Tally] = defaultdict(Tally)
            embedder = get_embedder()
            query_times = []
            for sample in samples:
                profile_id = profiles[sample.name]
                ids, evidence, matrix, docs = offline_corpus(server.database_url, profile_id)
                by_id = dict(zip(ids, evidence, strict=True))
                doc_map = dict(zip(ids, docs, strict=True))
                for question, gold, category in sample.questions:
                    resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall",
                                     json={"query": question, "observationsLimit": 10, "summariesLimit": 0})
                    resp.raise_for_status()
                    body = resp.json()
                    query_times.append(body["meta"]["queryTime"])
                    endpoint.add(category, [by_id[o["id"]] for o in body["observations"]], gold)
                    # Baselines over the same items.
                    terms = search_text.query_terms(question)
                    lex = bm25.score_documents(doc_map, terms)  # the profile also holds summaries: close
                    lex_vec = np.array([lex.get(i, 0.0) for i in ids])
                    order = [i for i in np.argsort(-lex_vec, kind="stable")[:10] if lex_vec[i] > 0]
                    lexical.add(category, [evidence[i] for i in order], gold)
                    cos = matrix @ embedder.embed([question])[0]
                    dense.add(category, [evidence[i] for i in np.argsort(-cos)[:10]], gold)
                    if args.explore:
                        vectors = list(matrix)
                        for w in (0.2, 0.3, 0.4):
                            for div in (0.0, 0.2, 0.3, 0.4):
                                weights = FusionWeights(lexical=w, diversity=div)
                                fused = relevance(cos, lex_vec, weights)
                                order = [int(i) for i in np.argsort(-fused, kind="stable")]
                                top = diversify(order, fused, vectors, 10, weights)
                                variants[f"lexical={w} diversity={div}"].add(category, [evidence[i] for i in top], gold)
    finally:
        server.stop()

    print(f"\n{'':26}{'R@5':>8}{'R@10':>8}   " + "  ".join(f"{CATEGORIES[c]} (n={endpoint.total[c]})"
                                                          for c in sorted(endpoint.total)))
    for name, tally in (("Recall endpoint (hybrid)", endpoint), ("BM25 alone (stemmed)", lexical),
                        ("dense MiniLM alone", dense)):
        per_cat = "  ".join(f"{tally.rate(5, c):5.1f}/{tally.rate(10, c):5.1f}" for c in sorted(tally.total))
        print(f"{name:26}{tally.rate(5):7.1f}%{tally.rate(10):7.1f}%   {per_cat}   (R@5/R@10 per category)")
    times = np.array(query_times)
    print(f"\nmeta.queryTime over {len(times)} Recall calls: p50 {np.percentile(times, 50):.0f} ms, "
          f"p95 {np.percentile(times, 95):.0f} ms")
    if args.explore:
        print("\noffline fusion variants (same vectors, BM25 computed here):")
        for name, tally in sorted(variants.items(), key=lambda kv: -kv[1].rate(10)):
            print(f"  {name:28} R@5 {tally.rate(5):5.1f}%  R@10 {tally.rate(10):5.1f}%")


if __name__ == "__main__":
    main()
