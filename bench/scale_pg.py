"""A million profiles on PostgreSQL: build, then measure a deployment of 2 API processes and 2 workers.

    .venv/bin/python bench/scale_pg.py [--profiles 1000000] [--observations 5000000] [--keep | --reuse]
        [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--database convmem_scale]

Builds, in a database of its own (``convmem_scale`` by default; created here, and dropped at the end
unless ``--keep`` or ``--reuse``; it holds nothing but this benchmark's synthetic data and can be
dropped at any time: ``dropdb -h 127.0.0.1 -U postgres convmem_scale``):

* the schema (``convmem migrate``), an account (``convmem accounts create``) and a store (through
  the API);
* a template profile with observations written through the API and embedded by a worker, against
  which the generated rows are checked before the bulk load: every column the server derives
  (normalized identifiers and their uniqueness value, trait JSON, the stemmed ``search_text``,
  content and embedded versions, the change feed's ``change_seq``
  and the profile's ``memory_index_state`` version) must come out the same;
* ``--profiles`` profiles, each with Contact traits (email, phone, firstName, city) and the email
  and phone identifiers, resolved by the server's own ``prepare_upsert``;
* ``--observations`` observations (synthetic sentences) with, per observation, what
  ``POST .../Observations`` and the embedding job leave behind: the observation, its first
  revision, its ``memory_index`` row (lexical text, a 384-dimension float32 vector, embedded,
  ``change_seq`` 2) and one ``memory_index_state`` row per profile at version 2 (the write was
  version 1, the embedding version 2). No job rows: the embed jobs are done and purged.
  ``--big`` profiles get 10,000 observations and ``--mid`` profiles 1,000 (the Recall sample),
  the rest are spread at random over the other profiles (about 5 each at the default scale).
  The sample profiles' vectors are real MiniLM embeddings of their text; all other vectors are
  synthetic (random unit vectors): they cost the same bytes and the same scoring time.

Loading goes straight into the tables with binary COPY (foreign-key triggers off for the loading
session, secondary indexes dropped first and rebuilt from their own definitions afterwards, then
VACUUM ANALYZE), shown with a ``rich`` progress bar.

Then, with 2 ``convmem serve --no-jobs`` and 2 ``convmem worker`` processes started fresh on the
database, client-observed over HTTP on loopback (requests alternate between the two API
processes): identifier lookup p50/p95/p99, Recall on the 1k and 10k profiles (LoCoMo questions,
each new to the server; first Recall of each profile per process reported apart, as cold),
bulk upsert of 1,000 new profiles (PUT to COMPLETED), ingest (observations posted as fast as two
clients can, to existing profiles; an observation counts as searchable once its vector is
stored, seen by polling the database every 20 ms: throughput from the first POST to the last
observation searchable, and the delay p50/p95 of each from its POST), database size per
observation and per profile (``pg_total_relation_size`` right after the build), and the resident
memory of each process at the end. Prints a table with the machine.

``--reuse`` keeps the database and, when it already holds a finished build of the same scale
(recorded in the database's comment), skips the build. The machine is shared: figures vary with
other load."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
from psycopg import sql
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convmem.domain import ids
from convmem.search import text as search_text
from convmem.search.embedding import DIMENSIONS, get_embedder
from convmem.services.profiles import prepare_upsert
from convmem.services.resolution import StoreSchema
from harness import CONVMEM, free_port, stop, wait_ready
from recall_latency import NAMES, THINGS, VERBS, WHEN
from recall_quality import DATA, load

console = Console(stderr=True)

BIG, MID = 10_000, 1_000
SOURCE = "bench"
VERSION_WRITTEN, VERSION_EMBEDDED = 1, 2  # one write, then one embedding batch
REGION = "US"
# Tables the load writes, by what they belong to (for the size per profile / per observation).
PROFILE_TABLES = ("profiles", "profile_traits", "profile_identifiers", "memory_index_state")
OBSERVATION_TABLES = ("observations", "observation_revisions", "memory_index")
COLUMNS = {
    "profiles": (("id", "text"), ("store_id", "text"), ("created_at", "timestamptz"), ("updated_at", "timestamptz")),
    "profile_traits": (("profile_id", "text"), ("store_id", "text"), ("group_name", "text"), ("trait_name", "text"),
                       ("value", "json"), ("updated_at", "timestamptz")),
    "profile_identifiers": (("profile_id", "text"), ("store_id", "text"), ("id_type", "text"), ("value", "text"),
                            ("unique_value", "text"), ("added_at", "timestamptz")),
    "observations": (("id", "text"), ("profile_id", "text"), ("content", "text"), ("source", "text"),
                     ("occurred_at", "timestamptz"), ("conversation_ids", "json"), ("created_at", "timestamptz"),
                     ("updated_at", "timestamptz")),
    "observation_revisions": (("observation_id", "text"), ("profile_id", "text"), ("content", "text"),
                              ("source", "text"), ("occurred_at", "timestamptz"), ("conversation_ids", "json"),
                              ("created_at", "timestamptz"), ("updated_at", "timestamptz")),
    "memory_index": (("item_id", "text"), ("kind", "text"), ("profile_id", "text"), ("search_text", "text"),
                     ("content_version", "int4"), ("embedding", "bytea"), ("embedded_version", "int4"),
                     ("needs_embedding", "bool"), ("change_seq", "int4")),
    "memory_index_state": (("profile_id", "text"), ("version", "int4"), ("deletions", "int4")),
}
Rows = dict[str, list[tuple[Any, ...]]]


# ----- the data ------------------------------------------------------------------------------------

def email_of(n: int) -> str:
    return f"user{n}@scale.example"


def traits_of(n: int) -> dict[str, Any]:
    # 415 200-0000 onwards: valid US numbers for the first eight million profiles.
    return {"Contact": {"email": email_of(n), "phone": f"+1 415 {2_000_000 + n:07d}", "firstName": f"User{n}",
                        "city": "Springfield"}}


def sentence(rng: random.Random, n: int) -> str:
    return f"{rng.choice(NAMES)} {rng.choice(VERBS)} {rng.choice(THINGS)} {rng.choice(WHEN)} (note {n})"


DATES = [datetime(2023, 1, 1, 10, tzinfo=UTC) + timedelta(days=d) for d in range(1000)]


def empty_rows() -> Rows:
    return {table: [] for table in COLUMNS}


def add_profile(out: Rows, schema: StoreSchema, store_id: str, profile_id: str, traits: dict[str, Any],
                now: datetime) -> None:
    """The rows CreateProfile writes for a new profile (services/resolution.resolve)."""
    identifiers, values = prepare_upsert(schema, traits)
    out["profiles"].append((profile_id, store_id, now, now))
    out["profile_traits"].extend((profile_id, store_id, group, name, json.dumps(value), now)
                                 for group, named in values.items() for name, value in named.items()
                                 if value is not None)
    for id_type, id_values in identifiers.items():
        unique = schema.settings.config(id_type).enforce_unique
        out["profile_identifiers"].extend((profile_id, store_id, id_type, value, value if unique else None, now)
                                          for value in id_values)


def add_observations(out: Rows, profile_id: str, items: Sequence[tuple[str, str, datetime, bytes]],
                     now: datetime) -> None:
    """The rows POST .../Observations (services/observations.insert_rows, memory_indexing.index_new)
    and then the embed job (memory_index.store_embeddings, bump) leave for new observations:
    (observation id, content, occurredAt, float32 vector) each."""
    for item_id, content, occurred_at, vector in items:
        out["observations"].append((item_id, profile_id, content, SOURCE, occurred_at, "[]", now, now))
        out["observation_revisions"].append((item_id, profile_id, content, SOURCE, occurred_at, "[]", now, now))
        out["memory_index"].append((item_id, "observation", profile_id, search_text.document_text(content, occurred_at),
                                    1, vector, 1, False, VERSION_EMBEDDED))
    if items:
        out["memory_index_state"].append((profile_id, VERSION_EMBEDDED, 0))


def synthetic_vectors(rng: np.random.Generator, n: int) -> list[bytes]:
    """Random unit vectors, float32 little-endian like embedding.to_bytes."""
    v = rng.standard_normal((n, DIMENSIONS), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    raw = v.astype("<f4").tobytes()
    width = DIMENSIONS * 4
    return [raw[i * width:(i + 1) * width] for i in range(n)]


@dataclass
class Scale:
    profiles: int
    observations: int
    big: int
    mid: int
    seed: int = 7

    @property
    def sample(self) -> int:
        return self.big + self.mid

    def sample_size(self, n: int) -> int:
        return BIG if n < self.big else MID

    def counts(self) -> np.ndarray:
        """Observations per profile: the sample's sizes, then the rest spread uniformly at random."""
        rest = self.observations - self.big * BIG - self.mid * MID
        others = self.profiles - self.sample
        if rest < 0 or others <= 0:
            raise SystemExit("--observations must cover the sample profiles (--big x 10,000 + --mid x 1,000) "
                             "and --profiles must exceed --big + --mid")
        spread = np.bincount(np.random.default_rng(self.seed).integers(0, others, size=rest), minlength=others)
        return np.concatenate([np.array([self.sample_size(n) for n in range(self.sample)]), spread])


# ----- the database --------------------------------------------------------------------------------

def db_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def build_record(admin_url: str, name: str) -> dict[str, Any] | None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           (name,)).fetchone()
    if row is None:
        return None
    try:
        return dict(json.loads(row[0])) if row[0] else {}
    except ValueError:
        return {}


def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def record_build(url: str, name: str, record: dict[str, Any]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name),
                                                                     sql.Literal(json.dumps(record))))


def cli_env(url: str) -> dict[str, str]:
    return {**os.environ, "CONVMEM_DATABASE_URL": url, "CONVMEM_RATE_LIMIT_PER_SECOND": "0",
            "CONVMEM_LOG_LEVEL": "WARNING", "CONVMEM_DB_POOL_SIZE": "5"}


# ----- the deployment ------------------------------------------------------------------------------

@dataclass
class Deployment:
    """2 API processes (serve --no-jobs) and 2 workers on one database."""

    url: str
    workdir: Path
    apis: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, apis: int = 2, workers: int = 2) -> None:
        env = cli_env(self.url)
        for i in range(workers):
            log = (self.workdir / f"worker{i}.log").open("ab")
            self.workers.append(subprocess.Popen([CONVMEM, "worker", "--database-url", self.url], env=env,
                                                 stdout=log, stderr=subprocess.STDOUT))
        for i in range(apis):
            port = free_port()
            path = self.workdir / f"api{i}.log"
            proc = subprocess.Popen([CONVMEM, "serve", "--no-jobs", "--database-url", self.url, "--port", str(port)],
                                    env=env, stdout=path.open("ab"), stderr=subprocess.STDOUT)
            self.apis.append((f"http://127.0.0.1:{port}", proc))
            wait_ready(f"http://127.0.0.1:{port}", proc, path.read_text, timeout=300)
        for i, proc in enumerate(self.workers):
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited:\n{(self.workdir / f'worker{i}.log').read_text()}")

    def processes(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        return ([(f"api {i}", proc) for i, (_, proc) in enumerate(self.apis)]
                + [(f"worker {i}", proc) for i, proc in enumerate(self.workers)])

    def stop(self) -> None:
        for _, proc in self.processes():
            stop(proc)
        self.apis, self.workers = [], []


def rss_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB of a process and its children."""
    total = [0.0, 0.0]
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total[0] += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    total[1] += int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return total[0], total[1]


def create_store(http: httpx.Client) -> str:
    resp = http.post("/v1/ControlPlane/Stores", json={"displayName": f"scale-{time.time_ns()}"})
    resp.raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        op = http.get(resp.json()["statusUrl"]).json()
        if op.get("status") == "COMPLETED":
            return str(op["result"]["id"])
        time.sleep(0.05)
    raise RuntimeError("store creation did not complete")


# ----- the template check --------------------------------------------------------------------------

TEMPLATE_TRAITS = {"Contact": {"email": "Template.User@Scale.Example", "phone": "(415) 555-0100",
                               "firstName": "Tem", "city": "Springfield"}}
TEMPLATE_ITEMS = [("Alice prefers the blue running shoes last week (note template 1)", DATES[10]),
                  ("Bruno bought a vegan cookbook on Sunday, and hiking boots (note template 2)", DATES[400]),
                  ("Chen is learning Spanish; she's planning a weekend in Lisbon (note template 3)", DATES[999])]


def template_check(url: str, http: httpx.Client, store_id: str, schema: StoreSchema) -> None:
    """A profile and observations written through the API (and embedded by a worker) against the
    rows this script generates for the same input: every derived column must agree."""
    resp = http.post(f"/v1/Stores/{store_id}/Profiles", json={"traits": TEMPLATE_TRAITS})
    assert resp.status_code == 202, resp.text
    profile_id = resp.json()["id"]
    items = [{"content": c, "source": SOURCE, "occurredAt": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
             for c, when in TEMPLATE_ITEMS]
    resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations", json={"observations": items})
    assert resp.status_code == 202, resp.text
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + 120
        while conn.execute("SELECT count(*) FROM memory_index WHERE profile_id = %s AND needs_embedding",
                           (profile_id,)).fetchone() != (0,):
            if time.monotonic() > deadline:
                raise RuntimeError("the template's observations were not embedded (are the workers running?)")
            time.sleep(0.1)
        mine = empty_rows()
        now = datetime.now(UTC)
        add_profile(mine, schema, store_id, profile_id, TEMPLATE_TRAITS, now)
        add_observations(mine, profile_id, [(f"x{i}", c, when, b"\0" * DIMENSIONS * 4)
                                            for i, (c, when) in enumerate(TEMPLATE_ITEMS)], now)

        def server(query: str) -> list[tuple[Any, ...]]:
            return sorted(conn.execute(query, (profile_id,)).fetchall(), key=repr)

        def expect(name: str, got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
            if sorted(got, key=repr) != sorted(want, key=repr):
                raise SystemExit(f"template check failed on {name}:\n  server: {got}\n  script: {want}")

        expect("profile_traits", server("SELECT group_name, trait_name, value::text FROM profile_traits "
                                        "WHERE profile_id = %s"),
               [(g, n, v) for _, _, g, n, v, _ in mine["profile_traits"]])
        expect("profile_identifiers", server("SELECT id_type, value, unique_value FROM profile_identifiers "
                                             "WHERE profile_id = %s"),
               [(t, v, u) for _, _, t, v, u, _ in mine["profile_identifiers"]])
        expect("observations", server("SELECT content, source, occurred_at, conversation_ids::text FROM observations "
                                      "WHERE profile_id = %s"),
               [(c, s, o, j) for _, _, c, s, o, j, _, _ in mine["observations"]])
        expect("observation_revisions", server(
            "SELECT content, source, occurred_at, conversation_ids::text FROM observation_revisions "
            "WHERE profile_id = %s"), [(c, s, o, j) for _, _, c, s, o, j, _, _ in mine["observation_revisions"]])
        expect("memory_index", server(
            "SELECT o.content, m.kind, m.search_text, m.content_version, octet_length(m.embedding), "
            "m.embedded_version, m.needs_embedding FROM memory_index m JOIN observations o ON o.id = m.item_id "
            "WHERE m.profile_id = %s"),
               [(c, k, t, cv, len(e), ev, ne) for (_, _, c, *_), (_, k, _, t, cv, e, ev, ne, _) in
                zip(mine["observations"], mine["memory_index"], strict=True)])
        # One write then one embedding batch: the rows at the state's version, version 2.
        expect("change feed", server(
            "SELECT s.version, s.deletions, max(m.change_seq) FROM memory_index_state s "
            "JOIN memory_index m ON m.profile_id = s.profile_id WHERE s.profile_id = %s "
            "GROUP BY s.version, s.deletions"),
               [(v, d, VERSION_EMBEDDED) for _, v, d in mine["memory_index_state"]])
        norm = conn.execute("SELECT embedding FROM memory_index WHERE profile_id = %s LIMIT 1",
                            (profile_id,)).fetchone()
        assert norm is not None and abs(float(np.linalg.norm(np.frombuffer(norm[0], dtype="<f4"))) - 1) < 1e-3
    console.print("template check: generated rows match what the server wrote")


# ----- the build -----------------------------------------------------------------------------------

@contextmanager
def bar() -> Iterator[Progress]:
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TimeRemainingColumn(), console=console)
    with progress:
        yield progress


def copy_rows(conn: psycopg.Connection[Any], rows: Rows) -> None:
    for table, data in rows.items():
        if not data:
            continue
        names = [c for c, _ in COLUMNS[table]]
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)))
        with conn.cursor().copy(statement) as copy:
            copy.set_types([t for _, t in COLUMNS[table]])
            for row in data:
                copy.write_row(row)


def secondary_indexes(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of the loaded tables that back no constraint."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
        "ORDER BY i.relname", (list(COLUMNS),)).fetchall()]


def build(url: str, store_id: str, schema: StoreSchema, scale: Scale) -> dict[str, float]:
    counts = scale.counts()
    timings: dict[str, float] = {}
    rng = random.Random(scale.seed)
    vrng = np.random.default_rng(scale.seed + 1)
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        dropped = secondary_indexes(conn)
        for name, _ in dropped:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        conn.commit()

        # The Recall sample's texts get real embeddings, computed first.
        started = time.monotonic()
        sample_texts = [[sentence(rng, k) for k in range(int(counts[n]))] for n in range(scale.sample)]
        flat = [t for texts in sample_texts for t in texts]
        embedder = get_embedder(threads=2)
        real: list[bytes] = []
        with bar() as progress:
            task = progress.add_task("embedding the Recall sample (MiniLM)", total=len(flat))
            for start in range(0, len(flat), 2048):
                chunk = flat[start:start + 2048]
                real.extend(np.asarray(v, dtype="<f4").tobytes() for v in embedder.embed_sorted(chunk, batch=64))
                progress.advance(task, len(chunk))
        timings["embed sample"] = time.monotonic() - started

        started = time.monotonic()
        chunk_profiles = 5000
        next_real = 0
        note = 0
        with bar() as progress:
            p_task = progress.add_task("profiles", total=scale.profiles)
            o_task = progress.add_task("observations", total=scale.observations)
            for start in range(0, scale.profiles, chunk_profiles):
                rows = empty_rows()
                now = datetime.now(UTC)
                end = min(scale.profiles, start + chunk_profiles)
                total = int(counts[start:end].sum())
                in_sample = sum(int(counts[n]) for n in range(start, min(end, scale.sample)))
                synthetic = synthetic_vectors(vrng, total - in_sample)
                s_i = 0
                for n in range(start, end):
                    profile_id = ids.new_id(ids.PROFILE)
                    add_profile(rows, schema, store_id, profile_id, traits_of(n), now)
                    items = []
                    if n < scale.sample:
                        for content in sample_texts[n]:
                            items.append((ids.new_id(ids.OBSERVATION), content, rng.choice(DATES), real[next_real]))
                            next_real += 1
                    else:
                        for _ in range(int(counts[n])):
                            note += 1
                            items.append((ids.new_id(ids.OBSERVATION), sentence(rng, note), rng.choice(DATES),
                                          synthetic[s_i]))
                            s_i += 1
                    add_observations(rows, profile_id, items, now)
                copy_rows(conn, rows)
                conn.commit()
                progress.advance(p_task, end - start)
                progress.advance(o_task, total)
        timings["copy"] = time.monotonic() - started

        started = time.monotonic()
        conn.autocommit = True
        with bar() as progress:
            task = progress.add_task("rebuilding indexes", total=len(dropped))
            for name, definition in dropped:
                progress.update(task, description=f"rebuilding {name}")
                conn.execute(sql.SQL(definition))  # a definition read from the catalog
                progress.advance(task)
        timings["indexes"] = time.monotonic() - started
        started = time.monotonic()
        with bar() as progress:
            task = progress.add_task("VACUUM ANALYZE", total=len(COLUMNS))
            for table in COLUMNS:
                progress.update(task, description=f"VACUUM ANALYZE {table}")
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
                progress.advance(task)
        timings["vacuum"] = time.monotonic() - started
        missing = conn.execute("SELECT count(*) FROM observations o WHERE NOT EXISTS "
                               "(SELECT 1 FROM memory_index m WHERE m.item_id = o.id)").fetchone()
        assert missing == (0,), missing
    return timings


# ----- the measurements ----------------------------------------------------------------------------

def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def summary(values: Sequence[float]) -> str:
    return f"p50 {pct(values, 50):.1f} / p95 {pct(values, 95):.1f} / p99 {pct(values, 99):.1f} ms (n={len(values)})"


class Clients:
    def __init__(self, deployment: Deployment, auth: tuple[str, str]) -> None:
        self.http = [httpx.Client(base_url=base, auth=auth, timeout=120) for base, _ in deployment.apis]
        self._turn = 0

    def next(self) -> httpx.Client:
        self._turn += 1
        return self.http[self._turn % len(self.http)]

    def close(self) -> None:
        for client in self.http:
            client.close()


def measure_lookups(clients: Clients, store_id: str, scale: Scale, count: int) -> list[float]:
    rng = random.Random(11)
    out = []
    for _ in range(count):
        n = rng.randrange(scale.profiles)
        http = clients.next()
        t0 = time.perf_counter()
        resp = http.post(f"/v1/Stores/{store_id}/Profiles/Lookup", json={"idType": "email", "value": email_of(n)})
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200 and len(resp.json()["profiles"]) == 1, resp.text
    return out


def profile_ids(url: str, store_id: str, numbers: Sequence[int]) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT value, profile_id FROM profile_identifiers WHERE store_id = %s "
                            "AND id_type = 'email' AND value = ANY(%s)", (store_id, [email_of(n) for n in numbers]))
        found: dict[str, str] = dict(rows.fetchall())
    return [found[email_of(n)] for n in numbers]


def measure_recall(clients: Clients, store_id: str, profiles: list[str], questions: Iterator[str],
                   count: int) -> tuple[list[float], list[float], list[float]]:
    """(cold: the first Recall of each profile in each API process, warm client ms, meta.queryTime)."""
    cold, warm, server = [], [], []
    for http in clients.http:
        for profile_id in profiles:
            t0 = time.perf_counter()
            http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall",
                      json={"query": next(questions)}).raise_for_status()
            cold.append((time.perf_counter() - t0) * 1000)
    for i in range(count):
        http = clients.next()
        t0 = time.perf_counter()
        resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profiles[i % len(profiles)]}/Recall",
                         json={"query": next(questions)})
        warm.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
        server.append(float(resp.json()["meta"]["queryTime"]))
    return cold, warm, server


def measure_bulk(clients: Clients, store_id: str, rounds: int, first: int) -> list[float]:
    out = []
    for r in range(rounds):
        http = clients.next()
        batch = [{"traits": traits_of(first + r * 1000 + k)} for k in range(1000)]
        t0 = time.perf_counter()
        resp = http.put(f"/v1/Stores/{store_id}/Profiles/Bulk", json={"profiles": batch})
        resp.raise_for_status()
        while True:
            op = http.get(resp.json()["statusUrl"]).json()
            if op["status"] in ("COMPLETED", "FAILED"):
                break
            time.sleep(0.02)
        out.append(time.perf_counter() - t0)
        report = http.get(op["resultUrl"]).json()
        assert op["status"] == "COMPLETED" and report["failed"] == 0, report
    return out


def measure_ingest(clients: Clients, url: str, store_id: str, targets: list[str], total: int,
                   writers: int = 2) -> tuple[float, list[float], int]:
    """Observations posted in batches of 10 by ``writers`` clients as fast as they are accepted;
    returns (observations/s from the first POST to the last one searchable, delays in ms, the
    watcher's polls: each one a transaction of its own)."""
    posted: dict[str, float] = {}  # marker -> POST start (perf_counter)
    seen: dict[str, float] = {}
    lock = threading.Lock()
    marker = f"ingest{time.time_ns()}"
    done = threading.Event()
    per_writer = total // writers // 10

    def writer(w: int) -> None:
        http = clients.http[w % len(clients.http)]
        rng = random.Random(w)
        for b in range(per_writer):
            profile_id = targets[rng.randrange(len(targets))]
            keys = [f"{marker} w{w} b{b} i{i}" for i in range(10)]
            items = [{"content": f"{sentence(rng, b)} [{k}]", "source": SOURCE, "occurredAt": "2025-06-01T10:00:00Z"}
                     for k in keys]
            t0 = time.perf_counter()
            with lock:
                posted.update((k, t0) for k in keys)
            http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations",
                      json={"observations": items}).raise_for_status()

    def watcher() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not done.is_set() or len(seen) < per_writer * writers * 10:
                rows = conn.execute(
                    "SELECT o.content FROM observations o JOIN memory_index m ON m.item_id = o.id "
                    "WHERE o.profile_id = ANY(%s) AND o.content LIKE %s AND NOT m.needs_embedding "
                    "AND m.embedded_version = m.content_version", (targets, f"%[{marker} %")).fetchall()
                polls[0] += 1
                now = time.perf_counter()
                for (content,) in rows:
                    key = content[content.rindex("[") + 1:-1]
                    seen.setdefault(key, now)
                if done.is_set() and time.perf_counter() - last_post[0] > 600:
                    raise RuntimeError("ingest did not become searchable within 10 minutes")
                time.sleep(0.02)

    last_post = [0.0]
    polls = [0]
    watch = threading.Thread(target=watcher, daemon=True)
    watch.start()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    last_post[0] = time.perf_counter()
    done.set()
    watch.join()
    first = min(posted.values())
    delays = [(seen[k] - posted[k]) * 1000 for k in posted]
    return len(posted) / (max(seen.values()) - first), delays, polls[0]


STAT_COLUMNS = ("xact_commit", "tup_inserted", "tup_updated", "tup_deleted", "blks_read", "blks_hit")


def database_stats(url: str, settle: float = 11.0) -> dict[str, int]:
    """This database's own counters (pg_stat_database: other databases of the cluster do not
    count), after ``settle`` seconds: an idle backend flushes its counters within 10 s."""
    time.sleep(settle)
    with psycopg.connect(url) as conn:
        row = conn.execute(sql.SQL("SELECT {} FROM pg_stat_database WHERE datname = current_database()").format(
            sql.SQL(", ").join(map(sql.Identifier, STAT_COLUMNS)))).fetchone()
    return dict(zip(STAT_COLUMNS, (int(v) for v in row or ()), strict=True))


def per_unit(before: dict[str, int], after: dict[str, int], units: int) -> str:
    return ", ".join(f"{name} {(after[name] - before[name]) / units:.1f}" for name in STAT_COLUMNS)


def sizes(url: str) -> dict[str, tuple[int, int]]:
    """(bytes, rows) per loaded table."""
    out = {}
    with psycopg.connect(url) as conn:
        for table in COLUMNS:
            size, rows = conn.execute(sql.SQL("SELECT pg_total_relation_size(%s), (SELECT count(*) FROM {})").format(
                sql.Identifier(table)), (table,)).fetchone() or (0, 0)
            out[table] = (int(size), int(rows))
        db = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        out["(database)"] = (int(db[0]) if db else 0, 0)
    return out


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({model}), {mem / 1024 / 1024:.1f} GiB RAM, Python {platform.python_version()}"


# ----- main ----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--observations", type=int, default=5_000_000)
    parser.add_argument("--big", type=int, default=2, help="profiles with 10,000 observations (real embeddings)")
    parser.add_argument("--mid", type=int, default=5, help="profiles with 1,000 observations (real embeddings)")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="convmem_scale")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a finished build of the same scale if there is one (implies --keep)")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=200, help="timed Recalls per size")
    parser.add_argument("--bulk-rounds", type=int, default=3)
    parser.add_argument("--ingest", type=int, default=2000, help="observations posted in the ingest measurement")
    args = parser.parse_args()
    scale = Scale(args.profiles, args.observations, args.big, args.mid)
    scale.counts()  # checks the arguments
    url = db_url(args.admin_url, args.database)
    workdir = Path(tempfile.mkdtemp(prefix="convmem-scale-"))
    console.print(f"scale: {scale.profiles:,} profiles, {scale.observations:,} observations "
                  f"({scale.big} x 10,000 and {scale.mid} x 1,000 with real embeddings); database {url}; "
                  f"logs in {workdir}")
    keep = args.keep or args.reuse
    record = build_record(args.admin_url, args.database) if args.reuse else None
    reuse = bool(record and record.get("finished") and record.get("scale") == asdict(scale))
    deployment = Deployment(url, workdir)
    results: list[tuple[str, str]] = []
    try:
        if reuse:
            assert record is not None
            console.print(f"reusing the build of {record['built_at']}")
            auth = (record["account"], record["token"])
            store_id = str(record["store"])
            timings = {k: float(v) for k, v in record["timings"].items()}
            table_sizes = {k: (int(v[0]), int(v[1])) for k, v in record["sizes"].items()}
        else:
            create_database(args.admin_url, args.database)
            env = cli_env(url)
            subprocess.run([CONVMEM, "migrate"], env=env, check=True, capture_output=True)
            out = subprocess.run([CONVMEM, "accounts", "create"], env=env, check=True, capture_output=True, text=True)
            creds = json.loads(out.stdout.strip().splitlines()[-1])
            auth = (creds["accountSid"], creds["authToken"])
            deployment.start(apis=1, workers=1)
            with httpx.Client(base_url=deployment.apis[0][0], auth=auth, timeout=60) as http:
                store_id = create_store(http)
                from convmem.storage.db import Database

                database = Database(url)
                with database.read() as conn:
                    schema = StoreSchema.load(conn, store_id, REGION)
                database.dispose()
                template_check(url, http, store_id, schema)
            deployment.stop()
            started = time.monotonic()
            timings = build(url, store_id, schema, scale)
            timings["total"] = time.monotonic() - started
            table_sizes = sizes(url)
            record_build(url, args.database, {"finished": True, "scale": asdict(scale), "account": auth[0],
                                              "token": auth[1], "store": store_id, "timings": timings,
                                              "sizes": table_sizes, "built_at": datetime.now(UTC).isoformat()})
        results.append(("build", f"{timings['total']:.0f} s (embedding the sample {timings['embed sample']:.0f} s, "
                                 f"COPY {timings['copy']:.0f} s, indexes {timings['indexes']:.0f} s, "
                                 f"VACUUM ANALYZE {timings['vacuum']:.0f} s)"))

        console.print("starting 2 API processes (serve --no-jobs) and 2 workers")
        deployment.start(apis=2, workers=2)
        clients = Clients(deployment, auth)
        try:
            lookup_ms = measure_lookups(clients, store_id, scale, args.lookups)
            results.append(("identifier lookup (POST /Profiles/Lookup, email)", summary(lookup_ms)))

            questions = [q for path in sorted(DATA.glob("*.json")) for q, _, _ in load(path).questions]
            random.Random(7).shuffle(questions)
            fresh = iter(dict.fromkeys(questions))
            big = profile_ids(url, store_id, range(scale.big))
            mid = profile_ids(url, store_id, range(scale.big, scale.sample))
            for label, sample in (("1,000", mid), ("10,000", big)):
                if not sample:
                    continue
                cold, warm, server = measure_recall(clients, store_id, sample, fresh, args.queries)
                results.append((f"Recall, {label} observations (client)", summary(warm)))
                results.append((f"Recall, {label} observations (meta.queryTime)", summary(server)))
                results.append((f"Recall, {label} observations, first per process (cold)",
                                f"median {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms (n={len(cold)})"))

            # New profiles (numbers past the loaded ones, a fresh range per run: --reuse runs again).
            first = scale.profiles + 1000 * (time.time_ns() // 1000 % 4000)
            stats = database_stats(url)
            bulk_s = measure_bulk(clients, store_id, args.bulk_rounds, first=first)
            bulk_stats = per_unit(stats, database_stats(url), 1000 * args.bulk_rounds)
            results.append(("bulk upsert of 1,000 new profiles (PUT to COMPLETED)",
                            ", ".join(f"{s:.2f} s" for s in bulk_s) + f" (median {statistics.median(bulk_s):.2f} s)"))

            targets = profile_ids(url, store_id, range(scale.sample, scale.sample + 200))
            stats = database_stats(url)
            rate, delays, polls = measure_ingest(clients, url, store_id, targets, args.ingest)
            after = database_stats(url)
            after["xact_commit"] -= polls  # the watcher's own transactions
            ingest_stats = per_unit(stats, after, args.ingest // 20 * 20)
            results.append(("ingest, POST to searchable (embedded), 2 clients x batches of 10",
                            f"{rate:.0f} observations/s; delay p50 {pct(delays, 50) / 1000:.2f} s / "
                            f"p95 {pct(delays, 95) / 1000:.2f} s (n={len(delays)})"))
            results.append(("database work per bulk-upserted profile (pg_stat_database)", bulk_stats))
            results.append(("database work per ingested observation (pg_stat_database; blks incl. the watcher's polls)",
                            ingest_stats))

            for name, proc in deployment.processes():
                rss, peak = rss_mib(proc.pid)
                results.append((f"memory, {name}", f"RSS {rss:.0f} MiB (peak {peak:.0f} MiB)"))
        finally:
            clients.close()
            deployment.stop()

        obs = table_sizes["observations"][1]
        profiles = table_sizes["profiles"][1]
        per_obs = sum(table_sizes[t][0] for t in OBSERVATION_TABLES)
        per_profile = sum(table_sizes[t][0] for t in PROFILE_TABLES)
        for table, (size, rows) in table_sizes.items():
            results.append((f"size, {table}", f"{size / 2**20:,.0f} MiB, {rows:,} rows"
                            + (f", {size / rows:,.0f} B/row" if rows else "")))
        results.append(("size per observation (observations + revisions + memory_index)", f"{per_obs / obs:,.0f} B"))
        results.append(("size per profile (profiles + traits + identifiers + index state)",
                        f"{per_profile / profiles:,.0f} B"))
        results.append(("vectors", f"float32, {DIMENSIONS * 4} B each ({DIMENSIONS * 4 * obs / 2**30:.2f} GiB of the "
                                   "table); no int8 storage exists"))
    finally:
        deployment.stop()
        if not keep:
            drop_database(args.admin_url, args.database)
            console.print(f"dropped database {args.database}")

    table = Table(title=f"convmem on PostgreSQL: {scale.profiles:,} profiles, {scale.observations:,} observations; "
                        f"2 API processes + 2 workers; {machine()}")
    table.add_column("measure")
    table.add_column("figure")
    for name, value in results:
        table.add_row(name, value)
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
