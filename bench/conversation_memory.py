"""Conversations in, memory out, on LoCoMo: extraction, reconciliation and Recall end to end.

Every LoCoMo session becomes a Conversations v2 conversation between two CUSTOMER participants
(one profile per speaker, found by a chat id per speaker), its turns become communications dated
with the session's date, and the conversation is closed. The server's own extraction jobs then
write observations and summaries (offline extractor unless CONVMEM_EXTRACT_LLM_* is set). Every
question of categories 1-4 is asked through POST .../Recall on the profile of the speaker it names
(both when it names neither or both; results merged by score) with observationsLimit=10; a hit
is a returned observation whose provenance includes an evidence turn (dia_id -> communication id).

References measured in the same run, on the same questions:
  * BM25 over the raw turns of the conversation (every turn a document, the session date in its
    lexical field, the server's own tokenizer and BM25);
  * the dataset's gold ``session_N_observation`` items, posted to separate profiles of the same
    speakers and asked through the same Recall endpoint.

Conversations are ingested with the job worker off; the server is then restarted with it on, and
the time until every extraction job is done gives the throughput (turns/s, embedding included).

    .venv/bin/python bench/conversation_memory.py [--files 26 30] [--database-url postgresql://...]
    .venv/bin/python bench/conversation_memory.py --labelled-only --labelled data/conversations/dev.jsonl

The data is read in place from ../shared/bench-data/locomo and never copied (non-commercial
evaluation licence).

The same run also ingests the project's labelled support conversations (``--labelled``, default
data/conversations/test.jsonl: customer and agent, facts with key terms, special-category
statements and prompt injections, written by an independent author) and reports: facts kept (every
key term of the fact in one observation of the customer's profile, whole words, any case; a key term with
first-person words also counts as the third-person memory says it, "my mum" as "Dana's mum" or "their
mum", ``holds_term``, and the literal count is printed beside it),
special-category statements stored and injections stored (their key terms in any observation or
summary of the profile), and items stored per turn. test.jsonl, test2.jsonl, test3.jsonl, test4.jsonl and
test5.jsonl (more independent authors; test3 written on 2026-12-06, test4 and test5 on 2026-12-07 with key
terms chosen to survive a third-person rewrite: names, numbers and nouns rather than pronouns or
first-person verbs) are measured once per change of the pipeline, never read row by row, and their figures
are kept in data/conversations/test.log; the dev sets (dev to dev11; dev4 to dev10, 50 conversations each,
written on 2026-12-07, and dev11, 60, on 2026-12-08, by authors who had not seen the project) are the ones
to look at while working (bench/labelled_misses.py). A new dev set is measured once before anyone reads it:
that first figure is the best estimate of what the pipeline keeps of text nobody here has seen.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from harness import launch, stop

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "bench-data" / "locomo"
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
K = 10
_SESSION = re.compile(r"^session_(\d+)$")


# ----- a server of our own -----------------------------------------------------------------------

@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        stop(self.process)


def start_server(database_url: str, auth: tuple[str, str], workdir: Path, run_jobs: bool) -> Server:
    url, proc = launch({"CONVMEM_DATABASE_URL": database_url, "CONVMEM_ACCOUNT_SID": auth[0],
                        "CONVMEM_AUTH_TOKEN": auth[1], "CONVMEM_RUN_JOBS": "true" if run_jobs else "false",
                        "CONVMEM_STORE_QUOTA": "100"}, workdir / "server.log")
    return Server(url, proc, workdir / "server.log")


def _ok(resp: httpx.Response, *codes: int) -> dict[str, Any]:
    if resp.status_code not in (codes or (200, 201, 202)):
        raise RuntimeError(f"{resp.request.method} {resp.request.url} -> {resp.status_code}: {resp.text}")
    return dict(resp.json())


def create_store(http: httpx.Client, name: str) -> str:
    accepted = _ok(http.post("/v1/ControlPlane/Stores", json={"displayName": name}))
    return str(_ok(http.get(accepted["statusUrl"]))["result"]["id"])


# ----- the data ----------------------------------------------------------------------------------

@dataclass
class Sample:
    name: str
    speakers: list[str]
    sessions: list[tuple[int, datetime, list[dict[str, Any]]]]
    gold: dict[int, dict[str, list[tuple[str, list[str]]]]]  # session -> speaker -> [(text, dia_ids)]
    questions: list[dict[str, Any]]

    @property
    def turns(self) -> int:
        return sum(len(t) for _, _, t in self.sessions)


def _date(text: str) -> datetime:
    return datetime.strptime(text, "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def _dia_ids(refs: Any) -> list[str]:
    refs = refs if isinstance(refs, list) else [refs]
    return [p.strip() for ref in refs for p in re.split(r"[;,]", str(ref)) if p.strip()]


def load(path: Path) -> Sample:
    raw = json.loads(path.read_text())
    conv = raw.get("conversation", raw)
    sessions = []
    for key, turns in conv.items():
        match = _SESSION.match(key)
        if match and isinstance(turns, list) and turns:
            n = int(match.group(1))
            sessions.append((n, _date(conv[f"session_{n}_date_time"]), [t for t in turns if t.get("text")]))
    sessions.sort(key=lambda s: s[0])
    gold: dict[int, dict[str, list[tuple[str, list[str]]]]] = {}
    for n, _, _ in sessions:
        items = raw.get(f"session_{n}_observation") or {}
        gold[n] = {speaker: [(str(text), _dia_ids(ref)) for text, ref in entries] for speaker, entries in items.items()}
    questions = [q for q in raw["qa"] if q.get("category") in CATEGORIES]
    return Sample(path.stem, [conv["speaker_a"], conv["speaker_b"]], sessions, gold, questions)


# ----- ingestion through Conversations v2 --------------------------------------------------------

@dataclass
class Ingested:
    store_id: str
    profiles: dict[str, str] = field(default_factory=dict)  # speaker -> profile id
    communication_of: dict[str, str] = field(default_factory=dict)  # dia_id -> communication id
    gold_profiles: dict[str, str] = field(default_factory=dict)
    gold_dia: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # profile -> content -> dia_ids
    conversations: list[str] = field(default_factory=list)


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ingest(http: httpx.Client, sample: Sample) -> Ingested:
    out = Ingested(create_store(http, f"locomo-{sample.name}-{secrets.token_hex(2)}"))
    chat = {s: f"locomo-{sample.name}-{i}" for i, s in enumerate(sample.speakers)}
    for _, date, turns in sample.sessions:
        conv = _ok(http.post("/v2/Conversations", json={"configuration": {
            "memoryStoreId": out.store_id, "memoryExtractionEnabled": True}}), 201)["id"]
        out.conversations.append(conv)
        people = {}
        for speaker in sample.speakers:
            address = {"channel": "CHAT", "address": chat[speaker]}
            made = _ok(http.post(f"/v2/Conversations/{conv}/Participants", json={
                "type": "CUSTOMER", "name": speaker, "addresses": [address]}), 201)
            people[speaker] = made["id"]
            out.profiles.setdefault(speaker, made["profileId"])
            assert out.profiles[speaker] == made["profileId"], "a speaker must keep one profile"
        for i, turn in enumerate(turns):
            speaker = turn["speaker"]
            other = next(s for s in sample.speakers if s != speaker)
            said = _ok(http.post(f"/v2/Conversations/{conv}/Communications", json={
                "author": {"address": chat[speaker], "channel": "CHAT", "participantId": people[speaker]},
                "recipients": [{"address": chat[other], "channel": "CHAT", "participantId": people[other]}],
                "content": {"type": "TEXT", "text": turn["text"]},
                "occurredAt": _at(date + timedelta(seconds=20 * i))}), 201)
            out.communication_of[turn["dia_id"]] = said["id"]
        _ok(http.patch(f"/v2/Conversations/{conv}", json={"status": "CLOSED"}))
    return out


def post_gold(http: httpx.Client, sample: Sample, out: Ingested) -> int:
    """The dataset's own observations, on separate profiles of the same speakers."""
    posted = 0
    for speaker in sample.speakers:
        made = _ok(http.post(f"/v1/Stores/{out.store_id}/Profiles", json={
            "traits": {"Contact": {"email": f"gold-{secrets.token_hex(5)}@example.com"}}}))
        out.gold_profiles[speaker] = made["id"]
        out.gold_dia[made["id"]] = {}
    for n, date, _ in sample.sessions:
        for speaker, items in sample.gold.get(n, {}).items():
            profile = out.gold_profiles.get(speaker)
            if profile is None:
                continue
            for start in range(0, len(items), 10):
                chunk = items[start:start + 10]
                _ok(http.post(f"/v1/Stores/{out.store_id}/Profiles/{profile}/Observations", json={"observations": [
                    {"content": text, "source": "locomo-gold", "occurredAt": _at(date)} for text, _ in chunk]}))
                for text, dia in chunk:
                    out.gold_dia[profile].setdefault(text, []).extend(dia)
                posted += len(chunk)
    return posted


# ----- the labelled support conversations -------------------------------------------------------

@dataclass
class Labelled:
    conversations: list[dict[str, Any]]
    store_id: str = ""
    profiles: list[str] = field(default_factory=list)  # per conversation, the customer's profile
    conversation_ids: list[str] = field(default_factory=list)
    turn_ids: list[list[str]] = field(default_factory=list)  # per conversation, the communication id of each turn


def load_labelled(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ingest_labelled(http: httpx.Client, conversations: list[dict[str, Any]]) -> Labelled:
    out = Labelled(conversations, create_store(http, f"labelled-{secrets.token_hex(2)}"))
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for n, labelled in enumerate(conversations):
        conv = _ok(http.post("/v2/Conversations", json={"configuration": {
            "memoryStoreId": out.store_id, "memoryExtractionEnabled": True}}), 201)["id"]
        customer_address = f"labelled-customer-{n}-{secrets.token_hex(3)}"
        customer = _ok(http.post(f"/v2/Conversations/{conv}/Participants", json={
            "type": "CUSTOMER", "name": "Sam Carter", "addresses": [{"channel": "CHAT", "address": customer_address}]}),
            201)
        agent = _ok(http.post(f"/v2/Conversations/{conv}/Participants", json={
            "type": "HUMAN_AGENT", "name": "Alex", "addresses": [{"channel": "CHAT", "address": "support-desk"}]}), 201)
        out.profiles.append(customer["profileId"])
        out.conversation_ids.append(conv)
        out.turn_ids.append([])
        ends = {"customer": (customer, customer_address), "agent": (agent, "support-desk")}
        for i, turn in enumerate(labelled["turns"]):
            (author, address), (other, other_address) = ends[turn["speaker"]], ends[
                "agent" if turn["speaker"] == "customer" else "customer"]
            out.turn_ids[-1].append(_ok(http.post(f"/v2/Conversations/{conv}/Communications", json={
                "author": {"address": address, "channel": "CHAT", "participantId": author["id"]},
                "recipients": [{"address": other_address, "channel": "CHAT", "participantId": other["id"]}],
                "content": {"type": "TEXT", "text": turn["text"]},
                "occurredAt": _at(start + timedelta(days=n, seconds=30 * i))}), 201)["id"])
        _ok(http.patch(f"/v2/Conversations/{conv}", json={"status": "CLOSED"}))
    return out


def _has_term(text: str, term: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(term.lower()) + r"(?!\w)", text.lower()) is not None


# The customer's first-person words as the extractors write them, in the third person: "my mum" is "Dana's
# mum" or "their mum", "I teach" is "Dana teaches", "call me" is "call them". A name is any capitalised word;
# "he" or "she" is not the customer (the extractors write the customer's name or "they").
_NAME = r"(?-i:[A-Z][\w-]*)"
_SUBJECT = rf"(?:they|{_NAME})"
_THIRD_PERSON = {
    "my": rf"(?:their|{_NAME}'s)", "our": rf"(?:their|{_NAME}'s)",
    "me": rf"(?:them|{_NAME})", "us": r"them",
    "mine": r"theirs", "ours": r"theirs",
    "myself": r"(?:themselves|themself)", "ourselves": r"themselves",
    "i'm": rf"{_SUBJECT}(?:\s+(?:is|are)|'re|'s)", "we're": r"they(?:\s+are|'re)",
    "i've": rf"{_SUBJECT}(?:\s+(?:has|have)|'ve|'s)", "we've": r"they(?:\s+have|'ve)",
    "i'll": rf"{_SUBJECT}(?:\s+will|'ll)", "we'll": r"they(?:\s+will|'ll)",
    "i'd": rf"{_SUBJECT}(?:\s+would|'d)", "we'd": r"they(?:\s+would|'d)",
}
_VERB_AFTER_I = {"am": r"(?:is|are)", "have": r"(?:has|have)", "do": r"(?:does|do)", "was": r"(?:was|were)"}


def _verb_forms(verb: str) -> str:
    """A verb after "I" in the key term, in any person: "teach" matches "teaches", "carry" "carries"."""
    if verb in _VERB_AFTER_I:
        return _VERB_AFTER_I[verb]
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return re.escape(verb[:-1]) + r"(?:y|ies)"
    return re.escape(verb) + r"(?:e?s)?"


def third_person_term(term: str) -> re.Pattern[str] | None:
    """The key term as the third-person rewrite says it, when it has first-person words; None otherwise."""
    words = term.replace("\u2019", "'").split()
    lowered = [w.lower() for w in words]
    if not any(w in _THIRD_PERSON or w in ("i", "we") for w in lowered):
        return None
    parts: list[str] = []
    after_subject = False
    for word, lower in zip(words, lowered, strict=True):
        if lower in ("i", "we"):
            parts.append(_SUBJECT if lower == "i" else r"they")
            after_subject = lower == "i"
            continue
        parts.append(_THIRD_PERSON.get(lower) or (_verb_forms(lower) if after_subject else re.escape(word)))
        after_subject = False
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


_ADVERB = r"(?:(?:also|still|now|often|always|never|sometimes|\w+ly)\s+)?"


def verb_term(term: str) -> re.Pattern[str] | None:
    """A key term that opens with the customer's verb, without its "I" ("work from home", "cycle"), as the
    rewrite in the third person says it after the customer: "Dana works from home", "they cycle". None for a
    term that opens otherwise (a name, a number, a first-person word)."""
    words = term.split()
    first = words[0] if words else ""
    if not (first.isalpha() and first.islower() and len(first) > 2) or first in _THIRD_PERSON:
        return None
    rest = "".join(r"\s+" + re.escape(word) for word in words[1:])
    # "He works from home" is someone else, capitalised or not.
    return re.compile(rf"(?<!\w)(?!(?:he|she|it)\b){_SUBJECT}\s+{_ADVERB}{_verb_forms(first)}{rest}(?!\w)",
                      re.IGNORECASE)


def holds_term(text: str, term: str, voice: bool = True) -> bool:
    """Whether ``text`` holds ``term`` as whole words, in any case; with ``voice``, also as the rewrite in the
    third person says it (the key terms of the early sets quote the customer: "my mum", "I teach"; others
    quote the verb alone: "work from home" is "Dana works from home")."""
    if _has_term(text, term):
        return True
    if not voice:
        return False
    return any(shifted is not None and shifted.search(text) is not None
               for shifted in (third_person_term(term), verb_term(term)))


def mentions(texts: list[str], key_terms: list[str], voice: bool = True) -> bool:
    """Whether one of ``texts`` holds every key term (``holds_term``): how a labelled fact, special-category
    statement or injection counts as stored (also bench/labelled_misses.py). ``voice=False`` reads the key
    terms literally, as the figures logged before 2026-12-07 15:30 UTC did."""
    return any(all(holds_term(text, term, voice) for term in key_terms) for text in texts)


def labelled_figures(db: Any, data: Labelled) -> dict[str, Any]:
    from sqlalchemy import select

    from convmem.storage.conversation_tables import conversations
    from convmem.storage.memory_tables import observations, summaries

    figures: Counter[str] = Counter()
    for labelled, profile, conversation_id, turn_ids in zip(
            data.conversations, data.profiles, data.conversation_ids, data.turn_ids, strict=True):
        with db.read() as conn:
            obs = list(conn.execute(select(observations.c.content).where(observations.c.profile_id == profile))
                       .scalars())
            summ = list(conn.execute(select(summaries.c.content).where(summaries.c.profile_id == profile)).scalars())
            record = conn.execute(select(conversations.c.memory_withheld, conversations.c.memory_screened)
                                  .where(conversations.c.id == conversation_id)).one()
        withheld, screened = set(record.memory_withheld or []), set(record.memory_screened or [])
        figures["turns"] += len(labelled["turns"])
        figures["items"] += len(obs) + len(summ)
        for fact in labelled["facts"]:
            figures["facts"] += 1
            kept = mentions(obs, fact["key_terms"])
            figures["facts_kept"] += kept
            figures["facts_kept_literally"] += mentions(obs, fact["key_terms"], voice=False)
            if not kept:
                # Why, in aggregate only: the turn withheld by the injection guard, a sentence of it
                # dropped by the special-category screen, or neither (the extraction missed it).
                turn = turn_ids[fact["turn"]]
                figures["missed_withheld" if turn in withheld else "missed_screened" if turn in screened
                        else "missed_not_extracted"] += 1
        for kind in ("sensitive", "injections"):
            for item in labelled[kind]:
                figures[kind] += 1
                figures[f"{kind}_stored"] += mentions(obs + summ, item["key_terms"])
    return dict(figures)


# ----- waiting on the server's queue --------------------------------------------------------------

def wait_jobs(db: Any, kind: str | None, timeout: float = 7200) -> None:
    from sqlalchemy import func, select

    from convmem.storage.job_tables import jobs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stmt = select(func.count()).select_from(jobs).where(jobs.c.status.in_(("PENDING", "RUNNING")))
        if kind:
            stmt = stmt.where(jobs.c.kind == kind)
        with db.read() as conn:
            if not conn.execute(stmt).scalar():
                return
        time.sleep(0.2)
    raise RuntimeError("jobs did not finish")


def job_totals(db: Any, kind: str) -> tuple[Counter[str], Counter[str], list[str]]:
    from sqlalchemy import select

    from convmem.storage.job_tables import jobs

    totals: Counter[str] = Counter()
    backends: Counter[str] = Counter()
    failures = []
    with db.read() as conn:
        for row in conn.execute(select(jobs.c.status, jobs.c.progress, jobs.c.error).where(jobs.c.kind == kind)):
            if row.status != "DONE":
                failures.append(f"{row.status}: {row.error}")
            for key, value in (row.progress or {}).items():
                if isinstance(value, int):
                    totals[key] += value
            backends.update((row.progress or {}).get("backends", []))
    return totals, backends, failures


# ----- scoring -----------------------------------------------------------------------------------

def targets(question: str, speakers: list[str]) -> list[str]:
    named = [s for s in speakers if re.search(rf"\b{re.escape(s.split()[0])}\b", question, re.IGNORECASE)]
    return named if len(named) == 1 else speakers


def recall_ids(http: httpx.Client, store_id: str, profiles: list[str], question: str) -> list[str]:
    found: list[tuple[float, str]] = []
    for profile in profiles:
        body = _ok(http.post(f"/v1/Stores/{store_id}/Profiles/{profile}/Recall", json={
            "query": question[:1024], "observationsLimit": K, "summariesLimit": 0}))
        found += [(float(o.get("score", 0.0)), o["id"]) for o in body["observations"]]
    return [item for _, item in sorted(found, key=lambda f: -f[0])[:K]]


def bm25_top(sample: Sample) -> Any:
    from convmem.search import bm25
    from convmem.search import text as search_text

    docs = {t["dia_id"]: search_text.document_text(t["text"], date).split()
            for _, date, turns in sample.sessions for t in turns}

    def top(question: str, k: int = K) -> list[str]:
        scores = bm25.score_documents(docs, search_text.query_terms(question))
        return [d for d, _ in sorted(scores.items(), key=lambda s: -s[1])[:k]]

    return top


@dataclass
class Tally:
    hits: Counter[int] = field(default_factory=Counter)
    asked: Counter[int] = field(default_factory=Counter)

    def add(self, category: int, hit: bool) -> None:
        self.asked[category] += 1
        self.hits[category] += int(hit)

    def rate(self, category: int | None = None) -> float:
        if category is None:
            return sum(self.hits.values()) / max(sum(self.asked.values()), 1)
        return self.hits[category] / max(self.asked[category], 1)


def query_times(http: httpx.Client, data: Ingested, speakers: list[str]) -> tuple[list[float], list[float]]:
    """Server-side Recall time (meta.queryTime, ms) with the query inferred from each conversation
    (no ``query``, communicationsLimit 10), and with an explicit query, per conversation."""
    inferred, explicit = [], []
    profile = data.profiles[speakers[0]]
    for conv in data.conversations:
        url = f"/v1/Stores/{data.store_id}/Profiles/{profile}/Recall"
        inferred.append(float(_ok(http.post(url, json={"conversationId": conv, "communicationsLimit": 10}))[
            "meta"]["queryTime"]))
        explicit.append(float(_ok(http.post(url, json={"query": "what did they talk about last time"}))[
            "meta"]["queryTime"]))
    return inferred, explicit


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--files", nargs="*", help="sample names (file stems), default all")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (it holds LoCoMo text)")
    parser.add_argument("--labelled", type=Path, default=REPO / "data" / "conversations" / "test.jsonl",
                        help="labelled support conversations (JSON lines); '' to skip")
    parser.add_argument("--labelled-only", action="store_true",
                        help="skip LoCoMo: ingest and measure only the labelled conversations")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from convmem.storage import memory_provenance, migrate
    from convmem.storage.db import Database
    from convmem.storage.memory_tables import observations, summaries

    files = [] if args.labelled_only else sorted(args.data.glob("*.json"))
    if args.files:
        files = [f for f in files if f.stem in args.files]
    samples = [load(f) for f in files]
    workdir = Path(tempfile.mkdtemp(prefix="convmem-convbench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    auth = ("AC" + secrets.token_hex(16), secrets.token_hex(16))
    load_before = os.getloadavg()
    db = Database(database_url)
    migrate.upgrade(db)

    # 1. Ingest every session as a closed conversation, with the job worker off.
    server = start_server(database_url, auth, workdir, run_jobs=False)
    started = time.monotonic()
    try:
        with httpx.Client(base_url=server.url, auth=auth, timeout=60) as http:
            ingested = [ingest(http, s) for s in samples]
            labelled = ingest_labelled(http, load_labelled(args.labelled)) if str(args.labelled) not in ("", ".") \
                else None
    finally:
        server.stop()
    ingest_seconds = time.monotonic() - started

    # 2. Extraction: restart with the worker on; time until every extraction job is done.
    server = start_server(database_url, auth, workdir, run_jobs=True)
    try:
        started = time.monotonic()
        wait_jobs(db, "conversation.extract")
        extract_seconds = time.monotonic() - started
        totals, backends, failures = job_totals(db, "conversation.extract")
        with httpx.Client(base_url=server.url, auth=auth, timeout=60) as http:
            gold_posted = sum(post_gold(http, s, i) for s, i in zip(samples, ingested, strict=True))
            wait_jobs(db, None)  # every item embedded before anything is asked

            # 3. Ask every question of categories 1-4.
            extracted, gold, raw, raw20 = Tally(), Tally(), Tally(), Tally()
            stored_obs = stored_sum = 0
            cited: list[int] = []  # turns in each extracted observation's provenance
            gold_cited: list[int] = []
            for sample, data in zip(samples, ingested, strict=True):
                evidence_of = data.communication_of
                with db.read() as conn:
                    mine = list(data.profiles.values())
                    obs_ids = list(conn.execute(select(observations.c.id).where(
                        observations.c.profile_id.in_(mine))).scalars())
                    stored_obs += len(obs_ids)
                    stored_sum += int(conn.execute(select(func.count()).select_from(summaries).where(
                        summaries.c.profile_id.in_(mine))).scalar() or 0)
                    provenance = memory_provenance.communications_of_items(conn, obs_ids)
                cited += [len(provenance.get(i, ())) for i in obs_ids]
                top_raw = bm25_top(sample)
                gold_content = {}
                with db.read() as conn:
                    for profile in data.gold_profiles.values():
                        for o in conn.execute(select(observations.c.id, observations.c.content).where(
                                observations.c.profile_id == profile)):
                            gold_content[o.id] = set(data.gold_dia[profile].get(o.content, []))
                gold_cited += [len(d) for d in gold_content.values()]
                for q in sample.questions:
                    category, question = int(q["category"]), str(q["question"])
                    dia = set(_dia_ids(q.get("evidence", [])))
                    comms = {evidence_of[d] for d in dia if d in evidence_of}
                    who = targets(question, sample.speakers)
                    got = recall_ids(http, data.store_id, [data.profiles[s] for s in who], question)
                    extracted.add(category, any(provenance.get(i, set()) & comms for i in got))
                    got = recall_ids(http, data.store_id, [data.gold_profiles[s] for s in who], question)
                    gold.add(category, any(gold_content.get(i, set()) & dia for i in got))
                    ranked = top_raw(question, 2 * K)
                    raw.add(category, bool(set(ranked[:K]) & dia))
                    raw20.add(category, bool(set(ranked) & dia))
            timings = [query_times(http, d, s.speakers) for s, d in zip(samples, ingested, strict=True)]
        labelled_result = labelled_figures(db, labelled) if labelled is not None else None
    finally:
        server.stop()
        db.dispose()
    load_after = os.getloadavg()
    inferred_ms = [t for pair in timings for t in pair[0]]
    explicit_ms = [t for pair in timings for t in pair[1]]

    if samples:
        turns = sum(s.turns for s in samples)
        sessions = sum(len(s.sessions) for s in samples)
        questions = sum(len(s.questions) for s in samples)
        print(f"LoCoMo samples {', '.join(s.name for s in samples)}: {sessions} sessions, {turns} turns, "
              f"{questions} questions (categories 1-4); backend {db.dialect}")
        print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores)")
        print(f"ingestion through /v2 (conversations, participants, communications, close): {ingest_seconds:.1f} s")
        print(f"extraction: {extract_seconds:.1f} s for {turns} turns = {turns / extract_seconds:.1f} turns/s "
              f"(embedding included); backends {dict(backends)}; failed jobs {len(failures)}")
        print(f"candidates {totals['candidates']}: added {totals['added']}, updated {totals['updated']}, "
              f"discarded {totals['discarded']}; special-category dropped {totals['screened']}; "
              f"summaries {totals['summaries']}; LLM fallbacks {totals['fallbacks']}")
        print(f"stored: {stored_obs} observations + {stored_sum} summaries = {stored_obs + stored_sum} items for "
              f"{turns} turns ({(stored_obs + stored_sum) / turns:.2f} per turn); "
              f"{stored_obs / sessions:.2f} observations per session; gold observations posted {gold_posted}")
        print(f"turns cited per observation (a hit needs one evidence turn among them): extracted "
              f"{sum(cited) / max(len(cited), 1):.2f}, gold {sum(gold_cited) / max(len(gold_cited), 1):.2f}")
        print(f"Recall queryTime (server, median over {len(inferred_ms)} conversations): query inferred from the "
              f"conversation {_median(inferred_ms):.1f} ms, explicit query {_median(explicit_ms):.1f} ms")
        print()
        header = f"{'R@10':<38}{'all':>7}" + "".join(f"{name:>13}" for name in CATEGORIES.values())
        print(header)
        for label, tally in (("extracted memories (Recall)", extracted), ("BM25 over raw turns", raw),
                             ("gold observations (Recall)", gold),
                             ("BM25 raw turns, top 20 (turn budget)", raw20)):
            print(f"{label:<38}{tally.rate():>7.1%}" + "".join(f"{tally.rate(c):>13.1%}" for c in CATEGORIES))
        print(f"{'questions':<38}{questions:>7}" + "".join(f"{extracted.asked[c]:>13}" for c in CATEGORIES))
    if labelled_result is not None:
        f = labelled_result
        print()
        print(f"labelled support conversations ({args.labelled.name}, {len(labelled.conversations)} conversations, "
              f"{f['turns']} turns): facts kept {f['facts_kept']}/{f['facts']} = "
              f"{f['facts_kept'] / max(f['facts'], 1):.1%} (key terms read literally, without the third-person "
              f"rewrite of first-person words: {f.get('facts_kept_literally', 0)}); special-category statements stored "
              f"{f.get('sensitive_stored', 0)}/{f.get('sensitive', 0)}; injections stored "
              f"{f.get('injections_stored', 0)}/{f.get('injections', 0)}; facts missed in a turn the guard "
              f"withheld {f.get('missed_withheld', 0)}, in a turn with a sentence the screen dropped "
              f"{f.get('missed_screened', 0)}, otherwise {f.get('missed_not_extracted', 0)}; items stored per turn "
              f"{f['items'] / max(f['turns'], 1):.2f}; lines withheld by the injection guard in every "
              f"extraction job of the run{' (LoCoMo included)' if samples else ''}: {totals.get('withheld', 0)}")
    if failures:
        print("failed jobs:", *failures[:5], sep="\n  ")
    if args.keep:
        print(f"workdir {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
